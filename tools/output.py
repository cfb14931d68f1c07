"""Writing results safely: refuse to overwrite unless asked, never leave a partial file behind."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class OutputError(Exception):
    """An output path that cannot or must not be written."""


def check_target(path: Path, force: bool, source: Path | None = None) -> None:
    """Refuse an existing ``path`` unless ``force``; never allow overwriting ``source``."""
    if source is not None and path.resolve() == source.resolve():
        raise OutputError(f"output {path} is the input file")
    if path.is_dir():
        raise OutputError(f"output {path} is a directory")
    if path.exists() and not force:
        raise OutputError(f"{path} already exists (use -f to overwrite)")


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` on a temporary file beside ``path`` and rename it into place on success."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"directory {directory} does not exist")
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:
            write(handle)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
