"""Standard input and output as files: ``-`` names them on the command line (binary, never text).

Inputs are read in bounded memory: an ``.aec`` file section by section as its header declares
(:func:`aecodec.bitstream.aec_reader.read_aec`), an image from a pipe or device through a
:class:`~aecodec.tools.cli.spool.SpooledInput` that Pillow reads only as far as it needs.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import BinaryIO

from aecodec.bitstream.aec_reader import read_aec
from aecodec.tools.cli.output import OutputError, check_target, write_atomically
from aecodec.tools.cli.spool import SpooledInput

STDIO = Path("-")


def is_stdio(path: Path) -> bool:
    """Whether ``path`` is ``-``, which stands for standard input or output."""
    return str(path) == "-"


def display_name(path: Path, stream: str) -> str:
    """``path`` for messages, or ``stream`` (``"stdin"``/``"stdout"``) for ``-``."""
    return stream if is_stdio(path) else str(path)


def read_coded(source: Path) -> bytes:
    """The ``.aec`` file at ``source``, or on standard input for ``-`` (not a terminal, not empty)."""
    if not is_stdio(source):
        with source.open("rb") as handle:
            return read_aec(handle, str(source))
    return read_aec(_piped_stdin(), "standard input")


def open_spooled(source: Path) -> SpooledInput | None:
    """A :class:`SpooledInput` for standard input (``-``) or a path that is no regular file
    (a pipe, a device); None for a regular file, which Pillow reads in place."""
    if is_stdio(source):
        spool = SpooledInput(_piped_stdin())
    elif stat.S_ISREG(source.stat().st_mode):
        return None
    else:
        spool = SpooledInput(source.open("rb"), name=str(source), close_source=True)
    if not spool.read(1):
        raise ValueError(f"{spool.name} is empty")
    spool.seek(0)
    return spool


def _piped_stdin() -> BinaryIO:
    if sys.stdin.isatty():
        raise ValueError("'-' reads standard input, which is a terminal; pipe a file in")
    return sys.stdin.buffer


def check_output(target: Path, force: bool, source: Path) -> None:
    """Before any work: refuse an existing file without ``force``, or a terminal for binary output."""
    if is_stdio(target):
        if sys.stdout.buffer.isatty():
            raise OutputError("refusing to write binary data to a terminal; redirect stdout or use -o FILE")
        return
    check_target(target, force, None if is_stdio(source) else source)


def write_output(target: Path, data: bytes, force: bool = False) -> None:
    """Write ``data`` to standard output for ``-``, else atomically to the file ``target``, which
    must not exist unless ``force`` (see :func:`~aecodec.tools.cli.output.write_atomically`)."""
    if not is_stdio(target):
        write_atomically(target, lambda handle: handle.write(data), replace=force)
        return
    stream = sys.stdout.buffer
    stream.write(data)
    stream.flush()
