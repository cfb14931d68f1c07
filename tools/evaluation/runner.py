"""Running the measurements: every codec × quality × image, in this process or in worker processes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aecodec.tools.evaluation.codecs.base import Codec
from aecodec.tools.evaluation.images import load_rgb
from aecodec.tools.evaluation.records import Measurement
from aecodec.tools.evaluation.workers import run_in_workers, warm_up, worker_codec

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True)
class Task:
    """One encode–decode to measure; ``decoded_to`` is a PNG path to keep the decoded image at."""

    codec: str
    quality: float
    image: Path
    decoded_to: Path | None = None


class MeasurementError(RuntimeError):
    """A codec failed on one task; the message names the codec, quality and image."""


def measure(codec: Codec, image: Image.Image, quality: float, name: str, decoded_to: Path | None = None) -> Measurement:
    """Encode and decode ``image`` (RGB) once, timing both; ``name`` labels the image in the record.
    With ``decoded_to`` the decoded image is saved there as PNG (after the timing)."""
    import numpy as np

    from aecodec.tools.evaluation.color_psnr import component_psnr
    from aecodec.tools.evaluation.metrics import bits_per_pixel, ms_ssim, psnr

    start = time.perf_counter()
    data = codec.encode(image, quality)
    encoded = time.perf_counter()
    decoded = codec.decode(data)
    finished = time.perf_counter()
    if decoded.size != image.size:
        raise ValueError(f"decoded size {decoded.size} differs from the original {image.size}")
    original, restored = np.asarray(image), np.asarray(decoded.convert("RGB"))
    if decoded_to is not None:
        decoded_to.parent.mkdir(parents=True, exist_ok=True)
        decoded.convert("RGB").save(decoded_to, "PNG")
    width, height = image.size
    components = component_psnr(original, restored)
    return Measurement(codec.name, float(quality), name, width, height, len(data),
                       bits_per_pixel(len(data), width, height), psnr(original, restored),
                       ms_ssim(original, restored), 1000.0 * (encoded - start), 1000.0 * (finished - encoded),
                       components.y, components.cb, components.cr)


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
        by_index = dict(run_in_workers(_worker_task, tasks, jobs, progress))
    return [by_index[index] for index in range(len(tasks))]


def _run_local(task: Task, codecs: dict[str, Codec], progress) -> Measurement:
    progress.set_postfix_str(f"{task.codec} q={task.quality:g}", refresh=False)
    measurement = _measure_task(task, codecs[task.codec])
    progress.update()
    return measurement


def _worker_task(task: Task) -> Measurement:
    return _measure_task(task, worker_codec(task.codec))


def _measure_task(task: Task, codec: Codec) -> Measurement:
    try:
        return measure(codec, load_rgb(task.image), task.quality, str(task.image), task.decoded_to)
    except Exception as error:
        raise MeasurementError(f"{task.codec} failed at quality {task.quality:g} on {task.image}: {error}") from error
