"""Standard input and output as files: ``-`` names them on the command line (binary, never text)."""

from __future__ import annotations

import sys
from pathlib import Path

from aecodec.tools.output import OutputError, check_target, write_atomically

STDIO = Path("-")


def is_stdio(path: Path) -> bool:
    """Whether ``path`` is ``-``, which stands for standard input or output."""
    return str(path) == "-"


def display_name(path: Path, stream: str) -> str:
    """``path`` for messages, or ``stream`` (``"stdin"``/``"stdout"``) for ``-``."""
    return stream if is_stdio(path) else str(path)


def read_input(source: Path) -> bytes:
    """All bytes of ``source``, or of standard input for ``-`` (not a terminal, not empty)."""
    if not is_stdio(source):
        return source.read_bytes()
    if sys.stdin.isatty():
        raise ValueError("'-' reads standard input, which is a terminal; pipe a file in")
    data = sys.stdin.buffer.read()
    if not data:
        raise ValueError("standard input is empty")
    return data


def check_output(target: Path, force: bool, source: Path) -> None:
    """Before any work: refuse an existing file without ``force``, or a terminal for binary output."""
    if is_stdio(target):
        if sys.stdout.buffer.isatty():
            raise OutputError("refusing to write binary data to a terminal; redirect stdout or use -o FILE")
        return
    check_target(target, force, None if is_stdio(source) else source)


def write_output(target: Path, data: bytes) -> None:
    """Write ``data`` to standard output for ``-``, else atomically to the file ``target``."""
    if not is_stdio(target):
        write_atomically(target, lambda handle: handle.write(data))
        return
    stream = sys.stdout.buffer
    stream.write(data)
    stream.flush()
