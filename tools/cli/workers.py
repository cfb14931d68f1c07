"""Batch worker processes that never outlive the command.

- Each worker asks Linux for SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``, through
  ctypes), so a parent killed even by SIGKILL takes its workers with it; a worker that finds its
  parent already gone exits at once.
- In a worker, SIGTERM removes the temporary file of a write in progress and exits at once
  (status 143): no half-written file, and no output after the parent is gone.
- Workers ignore SIGINT; Ctrl-C reaches the parent, which stops them (:func:`stop_workers`), as
  it does on SIGTERM.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Iterable
from multiprocessing.process import BaseProcess

from aecodec.tools.cli.output import discard_pending

PR_SET_PDEATHSIG = 1
STOP_SECONDS = 5.0
"""How long stopped workers get to exit before they are killed."""


def start_worker(parent: int) -> None:
    """Set up this worker process of the process ``parent`` (call first thing in the worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _discard_and_exit)
    die_with_parent()
    if os.getppid() != parent:
        os._exit(128 + signal.SIGTERM)


def die_with_parent() -> bool:
    """Ask for SIGTERM when the parent process ends; False where the system cannot (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:
        return False
    return libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0


def stop_workers(processes: Iterable[BaseProcess]) -> None:
    """SIGTERM each worker, wait up to :data:`STOP_SECONDS` for all, then kill what is left."""
    processes = [process for process in processes if process.is_alive()]
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def _discard_and_exit(signum: int, frame: object) -> None:
    discard_pending()
    os._exit(128 + signum)
