"""Running the measurements: every codec × quality × image, in this process or in worker processes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from aecodec.tools.evaluation.codecs import Codec, make_codec
from aecodec.tools.evaluation.images import load_rgb
from aecodec.tools.evaluation.records import Measurement

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class Task:
    """One encode–decode to measure."""

    codec: str
    quality: float
    image: Path


class MeasurementError(RuntimeError):
    """A codec failed on one task; the message names the codec, quality and image."""


def measure(codec: Codec, image: Image.Image, quality: float, name: str) -> Measurement:
    """Encode and decode ``image`` (RGB) once, timing both; ``name`` labels the image in the record."""
    import numpy as np
    from aecodec.tools.evaluation.metrics import bits_per_pixel, ms_ssim, psnr

    start = time.perf_counter()
    data = codec.encode(image, quality)
    encoded = time.perf_counter()
    decoded = codec.decode(data)
    finished = time.perf_counter()
    if decoded.size != image.size:
        raise ValueError(f"decoded size {decoded.size} differs from the original {image.size}")
    original, restored = np.asarray(image), np.asarray(decoded.convert("RGB"))
    width, height = image.size
    return Measurement(codec.name, float(quality), name, width, height, len(data),
                       bits_per_pixel(len(data), width, height), psnr(original, restored),
                       ms_ssim(original, restored), 1000.0 * (encoded - start), 1000.0 * (finished - encoded))


def warm_up(codec: Codec) -> None:
    """Encode and decode a small grey image once, so one-off loading (models, tables) is not timed."""
    from PIL import Image

    codec.decode(codec.encode(Image.new("RGB", (64, 64), (128, 128, 128)), codec.default_qualities[0]))


def run_tasks(tasks: Sequence[Task], codecs: dict[str, Codec], jobs: int) -> list[Measurement]:
    """Measure every task with a progress bar; ``jobs > 1`` spreads them over worker processes.

    Results come back in task order. Raises :class:`MeasurementError` on the first failure.
    """
    from tqdm import tqdm

    with tqdm(total=len(tasks), desc="evaluating", unit="image") as progress:
        if jobs == 1:
            for codec in codecs.values():
                warm_up(codec)
            return [_run_local(task, codecs, progress) for task in tasks]
        by_index = dict(_run_parallel(tasks, jobs, progress))
    return [by_index[index] for index in range(len(tasks))]


def _run_local(task: Task, codecs: dict[str, Codec], progress) -> Measurement:
    progress.set_postfix_str(f"{task.codec} q={task.quality:g}", refresh=False)
    measurement = _measure_task(task, codecs[task.codec])
    progress.update()
    return measurement


def _run_parallel(tasks: Sequence[Task], jobs: int, progress) -> Iterator[tuple[int, Measurement]]:
    context = get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker) as pool:
        futures = {pool.submit(_worker_task, task): index for index, task in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                progress.update()
                yield futures[future], future.result()
        finally:
            pool.shutdown(cancel_futures=True)


def _start_worker() -> None:
    """Keep each worker's OpenMP/BLAS pools (torch, numpy) to one thread, so workers do not oversubscribe.

    Runs before the worker imports either library, which read the variable when they load.
    """
    os.environ["OMP_NUM_THREADS"] = "1"


def _worker_task(task: Task) -> Measurement:
    return _measure_task(task, _worker_codec(task.codec))


@cache
def _worker_codec(name: str) -> Codec:
    codec = make_codec(name)
    warm_up(codec)
    return codec


def _measure_task(task: Task, codec: Codec) -> Measurement:
    try:
        return measure(codec, load_rgb(task.image), task.quality, str(task.image))
    except Exception as error:
        raise MeasurementError(f"{task.codec} failed at quality {task.quality:g} on {task.image}: {error}") from error
