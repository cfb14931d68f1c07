"""Worker processes shared by the measurements and the viewer: a spawn pool, one codec per name per worker."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import cache
from multiprocessing import get_context
from typing import TypeVar

from aecodec.tools.evaluation.codecs.base import Codec
from aecodec.tools.evaluation.codecs.registry import make_codec

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_in_workers(function: Callable[[Item], Result], items: Sequence[Item], jobs: int,
                   progress) -> Iterator[tuple[int, Result]]:
    """``function(item)`` in ``jobs`` spawned processes; yields ``(index, result)`` as each finishes
    and ticks ``progress`` (a tqdm bar). ``function`` must be importable (module level)."""
    context = get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=start_worker) as pool:
        futures = {pool.submit(function, item): index for index, item in enumerate(items)}
        try:
            for future in as_completed(futures):
                progress.update()
                yield futures[future], future.result()
        finally:
            pool.shutdown(cancel_futures=True)


def start_worker() -> None:
    """Keep each worker's OpenMP/BLAS pools (torch, numpy) to one thread, so workers do not oversubscribe.

    Runs before the worker imports either library, which read the variable when they load.
    """
    os.environ["OMP_NUM_THREADS"] = "1"


@cache
def worker_codec(name: str) -> Codec:
    """The codec ``name``, made once per process and warmed up (see :func:`warm_up`)."""
    codec = make_codec(name)
    warm_up(codec)
    return codec


def warm_up(codec: Codec) -> None:
    """Encode and decode a small grey image once, so one-off loading (models, tables) is not timed."""
    from PIL import Image

    codec.decode(codec.encode(Image.new("RGB", (64, 64), (128, 128, 128)), codec.default_qualities[0]))
