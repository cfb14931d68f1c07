"""Reading one ``.aec`` file from a stream (a file, a pipe, a device) in bounded memory.

The header is read and validated first (:func:`~aecodec.bitstream.container.read_header`); then
each section's 9-byte header, and exactly the payload it declares. Nothing past the declared
sections is read but one byte, to tell a clean end from trailing data. What the sections may
declare in all is capped by :func:`size_limit`, from the header's own width and height, so an
endless or huge input (``/dev/zero``, a stream that claims a 4 GiB section) is refused after a few
bytes, or at most after the most a file of that image size can hold, never read whole.

>>> import io
>>> from aecodec.bitstream.container import Container, Header, ImageMode, SectionType, pack
>>> data = pack(Container(Header(1, bytes(8), 50.0, 4, 3, ImageMode.RGB), {SectionType.LATENT: b"x"}))
>>> read_aec(io.BytesIO(data + b"more")) == data
Traceback (most recent call last):
...
aecodec.bitstream.container.ContainerError: unexpected bytes after the last section
>>> read_aec(io.BytesIO(data)) == data
True
"""

from __future__ import annotations

from typing import BinaryIO

from aecodec.bitstream import container
from aecodec.bitstream.container import HEADER_SIZE, SECTION_STRUCT, ContainerError, Header

CODED_BYTES_PER_PIXEL = 4
"""Most bytes per (padded) pixel the latent streams and the alpha plane may take together. The
shipped model at quality 100 codes uniform noise in 0.30 bytes per pixel and a noise alpha plane
takes 1.01 (PNG), so files written by aecodec stay far below it."""
MAX_METADATA_BYTES = 64 << 20
"""Bytes allowed beyond :data:`CODED_BYTES_PER_PIXEL` for the ICC profile, EXIF, XMP and the
section headers, whatever the image size."""
PAD = 64
"""The codec pads images to multiples of 64 pixels; a 1 x 1 image still codes 64 x 64."""
_CHUNK = 1 << 20


def size_limit(header: Header) -> int:
    """The most bytes a file with ``header`` may have: header, coded sections and metadata."""
    padded = -(-header.width // PAD) * PAD * -(-header.height // PAD) * PAD
    return HEADER_SIZE + CODED_BYTES_PER_PIXEL * padded + MAX_METADATA_BYTES


def read_aec(stream: BinaryIO, name: str = "input") -> bytes:
    """The bytes of the one ``.aec`` file at the start of ``stream``, read section by section.

    Raises :class:`~aecodec.bitstream.container.ContainerError` for a bad header, sections that
    declare more than :func:`size_limit` allows, bytes after the last section, or no bytes at all
    (``name`` says what is empty). A stream that
    ends early returns what it held, for :func:`~aecodec.bitstream.container.unpack` to report.
    """
    head = read_up_to(stream, HEADER_SIZE)
    if not head:
        raise ContainerError(f"{name} is empty")
    header, count = container.read_header(head)
    limit = size_limit(header)
    parts, declared = [head], HEADER_SIZE
    for _ in range(count):
        section = read_up_to(stream, SECTION_STRUCT.size)
        parts.append(section)
        if len(section) < SECTION_STRUCT.size:
            return b"".join(parts)
        _, length, _ = SECTION_STRUCT.unpack(section)
        declared += SECTION_STRUCT.size + length
        if declared > limit:
            raise ContainerError(f"sections declare over {limit} bytes, more than a {header.width}x{header.height} "
                                 "file may hold (corrupted file?)")
        payload = read_up_to(stream, length)
        parts.append(payload)
        if len(payload) < length:
            return b"".join(parts)
    if stream.read(1):
        raise ContainerError("unexpected bytes after the last section")
    return b"".join(parts)


def read_up_to(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes of ``stream``, fewer only where it ends; read in chunks of at most 1 MiB,
    so memory follows what arrives rather than what was asked for."""
    received = bytearray()
    while len(received) < size:
        chunk = stream.read(min(_CHUNK, size - len(received)))
        if not chunk:
            break
        received += chunk
    return bytes(received)
