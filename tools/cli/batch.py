"""Running many jobs: in this process or a pool of processes, with a progress bar, a summary and failures.

A job that fails is recorded with its one-line message and the others still run. Each worker
process loads the model once (the registry caches it) and gets an even share of the CPU threads.
Workers die with the command (:mod:`aecodec.tools.cli.workers`): an interrupted batch (Ctrl-C,
SIGTERM) stops them before it exits, and a killed one takes them with it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from pathlib import Path

import click
from tqdm import tqdm

from aecodec.tools.cli.commands import CodingReport, command_warnings, error_message
from aecodec.tools.cli.failures import raise_if_interrupted
from aecodec.tools.cli.inputs import Job
from aecodec.tools.cli.workers import start_worker, stop_workers

Work = Callable[[Path, Path], CodingReport]
"""Codes one file, ``work(source, target)``; must be picklable (a module function or a partial of one)."""


@dataclass(frozen=True)
class Outcome:
    """A finished job: its report, or the one-line reason it failed."""

    job: Job
    report: CodingReport | None = None
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    """Totals over the files that succeeded; ``mean_bpp`` of their ``.aec`` files (None if there are none)."""

    files: int
    failed: int
    input_bytes: int
    output_bytes: int
    mean_bpp: float | None

    def __str__(self) -> str:
        text = f"{self.files} files, {self.input_bytes} bytes -> {self.output_bytes} bytes"
        if self.mean_bpp is not None:
            text += f", mean {self.mean_bpp:.4f} bpp"
        return text + (f", {self.failed} failed" if self.failed else "")


def run_jobs(jobs: Sequence[Job], work: Work, processes: int = 1, verbose: bool = False) -> list[Outcome]:
    """Run every job with a progress bar on stderr, where notes (and with ``verbose`` each report) go.

    Outcomes come back in job order.
    """
    outcomes: dict[Job, Outcome] = {}
    with tqdm(total=len(jobs), unit="file", file=sys.stderr, disable=None, dynamic_ncols=True) as bar:
        for outcome in _outcomes(jobs, work, processes):
            outcomes[outcome.job] = outcome
            for line in _progress_lines(outcome, verbose):
                bar.write(line, file=sys.stderr)
            bar.update()
    return [outcomes[job] for job in jobs]


def finish(outcomes: Sequence[Outcome]) -> None:
    """Print the summary and every failure on stderr; exit status 1 (a ClickException) if any failed."""
    click.echo(str(summarize(outcomes)), err=True)
    failures = [outcome for outcome in outcomes if outcome.error is not None]
    for outcome in failures:
        click.echo(f"failed: {outcome.job.source}: {outcome.error}", err=True)
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(outcomes)} files failed")


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    """Files, bytes before and after, and mean bpp of the successful outcomes."""
    reports = [outcome.report for outcome in outcomes if outcome.report is not None]
    mean_bpp = sum(report.bpp for report in reports) / len(reports) if reports else None
    return Summary(len(reports), len(outcomes) - len(reports), sum(report.input_bytes for report in reports),
                   sum(report.output_bytes for report in reports), mean_bpp)


def attempt(work: Work, job: Job) -> Outcome:
    """Run one job, turning any failure into its message (a worker must not stop the batch)."""
    try:
        job.target.parent.mkdir(parents=True, exist_ok=True)
        with command_warnings():
            return Outcome(job, report=work(job.source, job.target))
    except Exception as error:
        return Outcome(job, error=error_message(error) or f"{type(error).__name__}: {error}")


def _outcomes(jobs: Sequence[Job], work: Work, processes: int) -> Iterator[Outcome]:
    if processes <= 1 or len(jobs) == 1:
        yield from (attempt(work, job) for job in jobs)
        return
    processes = min(processes, len(jobs))
    threads = max(1, (os.cpu_count() or 1) // processes)
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker,
                               initargs=(threads, os.getpid()))
    try:
        futures = {pool.submit(attempt, work, job): job for job in jobs}
        for future in as_completed(futures):
            raise_if_interrupted()
            try:
                yield future.result()
            except Exception as error:
                yield Outcome(futures[future], error=f"worker failed: {error}")
    except BaseException:
        stop_workers(_pool_processes(pool))
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _pool_processes(pool: ProcessPoolExecutor) -> list[BaseProcess]:
    """The pool's worker processes (``ProcessPoolExecutor`` keeps them in ``_processes`` until it
    is shut down)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _start_worker(threads: int, parent: int) -> None:
    """Tie the worker to its parent (see :mod:`aecodec.tools.cli.workers`) and share the cores among the
    workers: onnxruntime reads ``OMP_NUM_THREADS``, and so does torch if a job imports it (effort
    1-4); importing torch here would cost every worker its start-up."""
    start_worker(parent)
    os.environ["OMP_NUM_THREADS"] = str(threads)


def _progress_lines(outcome: Outcome, verbose: bool) -> list[str]:
    report = outcome.report
    if report is None:
        return []
    lines = [f"warning: {outcome.job.source}: {report.note}"] if report.note else []
    return lines + ([str(report)] if verbose else [])
