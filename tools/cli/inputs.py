"""Batch planning: inputs (files and folders) to jobs, each a source file and the file it becomes.

Folders are searched recursively (hidden files and folders skipped) and their layout is kept
under the output directory; files named directly land at its top. Without an output directory
each result is written beside its source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from aecodec.tools.cli.output import OutputError
from aecodec.tools.cli.streams import is_stdio

CODED_SUFFIX = ".aec"


@dataclass(frozen=True)
class Job:
    """One file to code: ``source`` is read, ``target`` is written."""

    source: Path
    target: Path


def is_batch(inputs: Sequence[Path]) -> bool:
    """Several inputs, or one folder; a single file or ``-`` keeps the one-file behaviour."""
    return len(inputs) > 1 or (not is_stdio(inputs[0]) and inputs[0].is_dir())


def is_image_file(path: Path) -> bool:
    """A file Pillow can open by its extension, other than ``.aec`` (what ``compress`` takes from folders)."""
    found = Image.registered_extensions().get(path.suffix.lower())
    return found is not None and found in Image.OPEN and path.suffix.lower() != CODED_SUFFIX


def is_coded_file(path: Path) -> bool:
    """An ``.aec`` file (what ``decompress`` takes from folders)."""
    return path.suffix.lower() == CODED_SUFFIX


def plan_jobs(inputs: Sequence[Path], output_dir: Path | None, suffix: str,
              wanted: Callable[[Path], bool]) -> list[Job]:
    """One job per input file and per ``wanted`` file under each input folder, in a stable order.

    Raises :class:`OutputError` for ``-`` among several inputs, an ``output_dir`` that is a file,
    no files at all, or two sources that would write the same target.
    """
    if any(is_stdio(path) for path in inputs):
        raise OutputError("'-' (standard input) can only be used as the only input")
    if output_dir is not None and (is_stdio(output_dir) or output_dir.is_file()):
        raise OutputError(f"with several inputs or a folder, -o must name a directory, not {output_dir}")
    jobs = [Job(source, _target(source, relative, output_dir, suffix))
            for item in inputs for source, relative in _expand(item, wanted)]
    if not jobs:
        raise OutputError(f"no input files found in {', '.join(map(str, inputs))}")
    _check_distinct(jobs)
    return jobs


def _expand(item: Path, wanted: Callable[[Path], bool]) -> Iterator[tuple[Path, Path]]:
    """``(source, path relative to the output directory)`` for a file or each file under a folder."""
    if not item.is_dir():
        yield item, Path(item.name)
        return
    for path in sorted(item.rglob("*")):
        relative = path.relative_to(item)
        if path.is_file() and wanted(path) and not any(part.startswith(".") for part in relative.parts):
            yield path, relative


def _target(source: Path, relative: Path, output_dir: Path | None, suffix: str) -> Path:
    return (source if output_dir is None else output_dir / relative).with_suffix(suffix)


def _check_distinct(jobs: list[Job]) -> None:
    counts = Counter(job.target for job in jobs)
    clashes = sorted(str(target) for target, count in counts.items() if count > 1)
    if clashes:
        raise OutputError(f"several inputs would be written to {clashes[0]}; give them different names")
