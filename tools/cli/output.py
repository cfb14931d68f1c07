"""Writing results safely: refuse to overwrite unless asked, never leave a partial file behind."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from aecodec.tools.cli.publish import publish_new


class OutputError(Exception):
    """An output path that cannot or must not be written."""


_PENDING: set[str] = set()
"""Temporary files being written now, by name."""


def check_target(path: Path, force: bool, source: Path | None = None) -> None:
    """Refuse an existing file (or dangling symbolic link) at ``path`` unless ``force``; never
    allow overwriting ``source``. This is the early check, before any work; the write itself
    refuses again, atomically (:func:`write_atomically`).

    A device or pipe that exists (``/dev/null``) is not a file to lose and needs no ``force``.
    """
    if source is not None and path.resolve() == source.resolve():
        raise OutputError(f"output {path} is the input file")
    if path.is_dir():
        raise OutputError(f"output {path} is a directory")
    if not force and (path.is_file() or (path.is_symlink() and not path.exists())):
        raise OutputError(f"{path} already exists (use -f to overwrite)")


def write_atomically(path: Path, write: Callable[[IO[bytes]], object], replace: bool = False) -> None:
    """Call ``write`` on a temporary file beside ``path`` and give it that name on success.

    Without ``replace`` the name is made only if nothing has it, in one step (see
    :mod:`aecodec.tools.cli.publish`): a file or symbolic link that appeared there since
    :func:`check_target` is left alone, and :class:`OutputError` says it exists. With ``replace``
    a symbolic link is followed, so its target is replaced and the link stays. The new file gets
    the mode a plain ``open`` would give it (``0o666`` less the umask), or keeps the mode of the
    file it replaces. A device or pipe (``/dev/null``, a FIFO) is written directly, never replaced.
    An interrupted write (an exception, or :func:`discard_pending` from a signal handler) leaves
    no temporary file behind.
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        _write_to_device(path, write)
        return
    _require_directory(path.parent)
    if replace:
        path = Path(os.path.realpath(path))
        _require_directory(path.parent)
    mode = stat.S_IMODE(path.stat().st_mode) if replace and path.is_file() else _new_file_mode()
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    _PENDING.add(handle.name)
    try:
        with handle:
            write(handle)
        os.chmod(handle.name, mode)
        _publish(handle.name, path, replace)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    finally:
        _PENDING.discard(handle.name)


def discard_pending() -> None:
    """Remove the temporary files of writes still in progress (for a signal handler that ends the
    process at once)."""
    for name in list(_PENDING):
        Path(name).unlink(missing_ok=True)


def _publish(temporary: str, path: Path, replace: bool) -> None:
    if replace:
        os.replace(temporary, path)
        return
    try:
        publish_new(temporary, str(path))
    except FileExistsError:
        raise OutputError(f"{path} already exists (use -f to overwrite)") from None


def _write_to_device(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write to an existing device or pipe, opened without creating or truncating anything; a
    regular file that took its place meanwhile is refused."""
    descriptor = os.open(path, os.O_WRONLY)
    with os.fdopen(descriptor, "wb") as handle:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OutputError(f"{path} already exists (use -f to overwrite)")
        write(handle)


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
