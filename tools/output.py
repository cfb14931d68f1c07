"""Writing results safely: refuse to overwrite unless asked, never leave a partial file behind."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class OutputError(Exception):
    """An output path that cannot or must not be written."""


def check_target(path: Path, force: bool, source: Path | None = None) -> None:
    """Refuse an existing file at ``path`` unless ``force``; never allow overwriting ``source``.

    A device or pipe that exists (``/dev/null``) is not a file to lose and needs no ``force``.
    """
    if source is not None and path.resolve() == source.resolve():
        raise OutputError(f"output {path} is the input file")
    if path.is_dir():
        raise OutputError(f"output {path} is a directory")
    if path.is_file() and not force:
        raise OutputError(f"{path} already exists (use -f to overwrite)")


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` on a temporary file beside ``path`` and rename it into place on success.

    A symbolic link is followed, so its target is replaced and the link stays. The new file gets
    the mode a plain ``open`` would give it (``0o666`` less the umask), or keeps the mode of the
    file it replaces. A device or pipe (``/dev/null``, a FIFO) is written directly, never replaced.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        with path.open("wb") as handle:
            write(handle)
        return
    _require_directory(path.parent)
    path = Path(os.path.realpath(path))
    _require_directory(path.parent)
    mode = stat.S_IMODE(path.stat().st_mode) if path.is_file() else _new_file_mode()
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with handle:
            write(handle)
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _require_directory(directory: Path) -> None:
    """Name the missing directory as given (the link's own, then a dangling link's target's)."""
    if not directory.is_dir():
        raise OutputError(f"directory {directory} does not exist")


def _new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` gives a new file under this process's umask."""
    return 0o666 & ~current_umask()


def current_umask() -> int:
    """This process's umask, read from ``/proc/self/status`` where Linux has it (no change to the
    process, so safe while other threads create files); elsewhere set to 0 and restored at once."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        pass
    umask = os.umask(0)
    os.umask(umask)
    return umask
