"""A pipe or device as a seekable file for Pillow, read only as far as Pillow asks, up to a limit.

Pillow identifies an image from its first bytes and seeks back and forth while decoding, which a
pipe cannot do. :class:`SpooledInput` keeps what was read in a temporary file (in memory up to
:data:`SPOOL_MEMORY`, on disk beyond), reads more from the source only when a read or a seek goes
past it, and refuses to hold more than its limit. An endless input (``/dev/zero``) is therefore
refused after the few bytes that Pillow needs to see it is no image, or after ``limit`` bytes at
most, with little memory in either case.

>>> import io
>>> spool = SpooledInput(io.BytesIO(b"0123456789"), limit=16, name="the pipe")
>>> spool.read(4), spool.seek(1), spool.read(2)
(b'0123', 1, b'12')
>>> SpooledInput(io.BytesIO(bytes(20)), limit=16, name="the pipe").read()
Traceback (most recent call last):
...
aecodec.tools.cli.spool.InputTooLarge: the pipe holds more than 16 bytes, the limit for images read from a pipe or device (aecodec.tools.cli.spool.MAX_STREAM_BYTES)
"""

from __future__ import annotations

import io
import os
import tempfile
from typing import BinaryIO

MAX_STREAM_BYTES = 1 << 30
"""Most bytes of an image read from standard input, a pipe or a device (a file on disk has no
such limit: Pillow reads it in place). An 89-Mpixel 16-bit RGBA TIFF needs 716 MB."""
SPOOL_MEMORY = 32 << 20
"""Bytes kept in memory before the spool moves to a temporary file on disk."""
_CHUNK = 1 << 16


class InputTooLarge(ValueError):
    """A stream that holds more than the limit."""


class SpooledInput(io.RawIOBase):
    """A read-only, seekable view of ``source`` (read from its current position), for Pillow;
    ``limit`` None means :data:`MAX_STREAM_BYTES` as it is when the spool is made; with
    ``close_source`` closing the spool closes the source too."""

    def __init__(self, source: BinaryIO, limit: int | None = None, name: str = "standard input",
                 close_source: bool = False) -> None:
        super().__init__()
        self._close_source = close_source
        self.name = name
        self.limit = MAX_STREAM_BYTES if limit is None else limit
        self._source = source
        self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        self._filled = 0
        self._position = 0
        self._ended = False

    @property
    def size(self) -> int:
        """Bytes read from the source so far."""
        return self._filled

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._fill(self._position + len(buffer))
        self._spool.seek(self._position)
        data = self._spool.read(len(buffer))
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)

    def readall(self) -> bytes:
        self._fill(None)
        self._spool.seek(self._position)
        data = self._spool.read()
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_END:
            self._fill(None)
            base = self._filled
        else:
            base = self._position if whence == os.SEEK_CUR else 0
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        self._spool.close()
        if self._close_source:
            self._source.close()
        super().close()

    def _fill(self, end: int | None) -> None:
        """Read from the source until ``end`` bytes are held (``None``: all of it) or it ends."""
        while not self._ended and (end is None or self._filled < end):
            chunk = self._source.read(_CHUNK)
            if not chunk:
                self._ended = True
                return
            if self._filled + len(chunk) > self.limit:
                raise InputTooLarge(f"{self.name} holds more than {self.limit} bytes, the limit for images read "
                                    "from a pipe or device (aecodec.tools.cli.spool.MAX_STREAM_BYTES)")
            self._spool.seek(0, os.SEEK_END)
            self._spool.write(chunk)
            self._filled += len(chunk)
