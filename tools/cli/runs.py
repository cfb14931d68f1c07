"""What ``compress`` and ``decompress`` do with their INPUT arguments: one file, or a batch.

One file (or ``-``) is coded in this process, its output named by ``-o`` or after the input.
Several inputs or a folder make a batch: ``-o`` is then a directory (created if missing), the
jobs run in ``processes`` worker processes, and a summary and any failures end on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import click

from aecodec.tools.cli import batch, commands
from aecodec.tools.cli.formats import DEFAULT_FORMAT
from aecodec.tools.cli.inputs import CODED_SUFFIX, Job, is_batch, is_coded_file, is_image_file, plan_jobs
from aecodec.tools.cli.streams import STDIO, is_stdio


def compress_inputs(inputs: Sequence[Path], output: Path | None, settings: commands.CompressSettings,
                    processes: int = 1) -> None:
    """Compress one input to ``output`` (default: beside it, or stdout for stdin) or a batch into it."""
    work = partial(commands.compress_file, settings=settings)
    if is_batch(inputs):
        _run_batch(plan_jobs(inputs, output, CODED_SUFFIX, is_image_file), work, processes, settings.verbose)
    else:
        _echo(work(inputs[0], output or default_output(inputs[0], CODED_SUFFIX)), settings.verbose)


def decompress_inputs(inputs: Sequence[Path], output: Path | None, settings: commands.DecompressSettings,
                      processes: int = 1) -> None:
    """Decompress one input or a batch, like :func:`compress_inputs`; images get the format's extension."""
    work = partial(commands.decompress_file, settings=settings)
    chosen = settings.image_format
    suffix = chosen.extension if chosen is not None else f".{DEFAULT_FORMAT.lower()}"
    if is_batch(inputs):
        _run_batch(plan_jobs(inputs, output, suffix, is_coded_file), work, processes, settings.verbose)
    else:
        _echo(work(inputs[0], output or default_output(inputs[0], suffix)), settings.verbose)


def default_output(source: Path, suffix: str) -> Path:
    """Where one file's result goes without ``-o``: stdout for stdin, else ``source`` with ``suffix``."""
    return STDIO if is_stdio(source) else source.with_suffix(suffix)


def _run_batch(jobs: list[Job], work: batch.Work, processes: int, verbose: bool) -> None:
    batch.finish(batch.run_jobs(jobs, work, processes, verbose))


def _echo(report: commands.CodingReport, verbose: bool) -> None:
    if report.note:
        click.echo(f"warning: {report.note}", err=True)
    if verbose:
        click.echo(str(report), err=True)
