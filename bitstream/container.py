"""The ``.aec`` container: a checksummed header and typed, checksummed sections.

Layout, little-endian::

    signature   8 bytes  b"\\x89AEC\\r\\n\\x1a\\n"
    version     u8       FORMAT_VERSION
    flags       u8       0 (reserved; any other value is rejected)
    model_id    u16      registry number of the weights
    weights     8 bytes  SHA-256 prefix of the weights file
    quality     u16      quality × 100 (0 ... 10000)
    width       u32      pixels, >= 1
    height      u32      pixels, >= 1
    mode        u8       ImageMode
    bit_depth   u8       8
    sections    u8       number of sections that follow
    header_crc  u32      CRC-32 of every header byte before it
    then per section: type u8, length u32, crc u32 (CRC-32 of the payload), payload

Sections (:class:`SectionType`): the three latent streams, the alpha plane, the ICC profile, EXIF
and, in files of releases after model 2, ``REQUIRES``: the first aecodec version that reads them.

Parsing never needs the model; every field is range-checked and every rejection is a
:class:`ContainerError` with a one-line message.

``MAX_PIXELS`` is the decompression-bomb guard, like Pillow's ``Image.MAX_IMAGE_PIXELS``: files
whose width × height exceeds it are refused before any pixel memory is allocated. Set it to a
larger number (or ``None``, no limit) to code bigger images; the value is read at each call.
"""

from __future__ import annotations

import enum
import struct
import zlib
from dataclasses import dataclass, field

from aecodec.bitstream.errors import AecError
from aecodec.bitstream.versions import Version

SIGNATURE = b"\x89AEC\r\n\x1a\n"
FORMAT_VERSION = 2
RETIRED_VERSIONS = {1: "aecodec before the checkerboard context model (its hyperprior-only model 1 is no longer shipped)"}
"""Versions this reader once wrote but no longer decodes, and what made them."""
MAX_PIXELS: int | None = 89_478_485
"""Largest width × height accepted (Pillow's default); ``None`` disables the check."""
MAX_SECTIONS = 16
_U32_MAX = 0xFFFF_FFFF
HEADER_STRUCT = struct.Struct("<8sBBH8sHIIBBB")
CRC_STRUCT = struct.Struct("<I")
SECTION_STRUCT = struct.Struct("<BII")
HEADER_SIZE = HEADER_STRUCT.size + CRC_STRUCT.size
"""Bytes :func:`read_header` needs: the fixed header and its CRC."""


class ContainerError(AecError):
    """A byte string that is not a valid ``.aec`` file."""


class ImageMode(enum.IntEnum):
    """Colour layout of the original image."""

    L = 1
    LA = 2
    RGB = 3
    RGBA = 4


class SectionType(enum.IntEnum):
    HYPER_LATENT = 1
    LATENT = 2
    ALPHA = 3
    ICC_PROFILE = 4
    EXIF = 5
    LATENT_CONTEXT = 6
    REQUIRES = 7
    """The first aecodec version that reads the file (3 bytes, see :mod:`aecodec.bitstream.versions`);
    files of model 2 do not carry it."""
    XMP = 8
    """XMP packet (UTF-8 XML), verbatim; aecodec 0.1.0 refuses files that carry it."""


@dataclass(frozen=True)
class Header:
    """Everything about a file that can be known without the model."""

    model_id: int
    weights_hash: bytes
    quality: float
    width: int
    height: int
    mode: ImageMode
    bit_depth: int = 8


@dataclass(frozen=True)
class Container:
    """A header and its sections' payloads by type."""

    header: Header
    sections: dict[SectionType, bytes] = field(default_factory=dict)


def pack(container: Container) -> bytes:
    """Serialize a container; raises :class:`ContainerError` on out-of-range fields."""
    header = container.header
    validate_header(header)
    if len(container.sections) > MAX_SECTIONS:
        raise ContainerError("too many sections")
    fixed = HEADER_STRUCT.pack(
        SIGNATURE, FORMAT_VERSION, 0, header.model_id, header.weights_hash,
        round(header.quality * 100), header.width, header.height, int(header.mode), header.bit_depth,
        len(container.sections),
    )
    parts = [fixed, CRC_STRUCT.pack(zlib.crc32(fixed))]
    for kind, payload in sorted(container.sections.items()):
        parts.append(SECTION_STRUCT.pack(int(kind), len(payload), zlib.crc32(payload)))
        parts.append(payload)
    return b"".join(parts)


def read_header(data: bytes) -> tuple[Header, int]:
    """Parse and validate the header; returns it and the number of sections that follow."""
    if len(data) < len(SIGNATURE) or data[: len(SIGNATURE)] != SIGNATURE:
        raise ContainerError("not an .aec file (bad signature)")
    if len(data) < HEADER_SIZE:
        raise ContainerError("truncated header")
    fields = HEADER_STRUCT.unpack_from(data)
    (crc,) = CRC_STRUCT.unpack_from(data, HEADER_STRUCT.size)
    if zlib.crc32(data[: HEADER_STRUCT.size]) != crc:
        raise ContainerError("header checksum mismatch (corrupted file)")
    _, version, flags, model_id, weights_hash, quality, width, height, mode, bit_depth, count = fields
    if version in RETIRED_VERSIONS:
        raise ContainerError(f"format version {version} was written by {RETIRED_VERSIONS[version]}; "
                             f"this aecodec reads version {FORMAT_VERSION} only")
    if version != FORMAT_VERSION:
        raise ContainerError(f"unsupported format version {version} (this reader knows {FORMAT_VERSION})")
    if flags != 0:
        raise ContainerError(f"unknown flags {flags:#x}")
    if mode not in ImageMode.__members__.values():
        raise ContainerError(f"unknown image mode {mode}")
    header = Header(model_id, weights_hash, quality / 100, width, height, ImageMode(mode), bit_depth)
    validate_header(header)
    if count > MAX_SECTIONS:
        raise ContainerError(f"too many sections ({count})")
    return header, count


def unpack(data: bytes) -> Container:
    """Parse and validate a whole file."""
    header, count = read_header(data)
    offset = HEADER_SIZE
    sections: dict[SectionType, bytes] = {}
    for _ in range(count):
        kind, payload, offset = _read_section(data, offset)
        if kind in sections:
            raise ContainerError(f"duplicate section {kind.name}")
        sections[kind] = payload
    if offset != len(data):
        raise ContainerError("unexpected bytes after the last section")
    parsed = Container(header, sections)
    required_version(parsed)
    return parsed


def required_version(parsed: Container) -> Version | None:
    """The version in the ``REQUIRES`` section, if the file has one; :class:`ContainerError` if
    the section is malformed."""
    payload = parsed.sections.get(SectionType.REQUIRES)
    if payload is None:
        return None
    try:
        return Version.from_bytes(payload)
    except ValueError as error:
        raise ContainerError(f"REQUIRES section: {error}") from None


def _read_section(data: bytes, offset: int) -> tuple[SectionType, bytes, int]:
    if offset + SECTION_STRUCT.size > len(data):
        raise ContainerError("truncated section header")
    kind, length, crc = SECTION_STRUCT.unpack_from(data, offset)
    start = offset + SECTION_STRUCT.size
    if start + length > len(data):
        raise ContainerError("section length runs past the end of the file (truncated?)")
    if kind not in SectionType.__members__.values():
        raise ContainerError(f"unknown section type {kind}")
    payload = data[start : start + length]
    if zlib.crc32(payload) != crc:
        raise ContainerError(f"{SectionType(kind).name} section checksum mismatch (corrupted file)")
    return SectionType(kind), payload, start + length


def validate_header(header: Header) -> None:
    """Range-check every header field, the pixel count against :data:`MAX_PIXELS`; raises
    :class:`ContainerError`."""
    if not 0 <= header.model_id <= 0xFFFF:
        raise ContainerError(f"model id {header.model_id} out of range")
    if len(header.weights_hash) != 8:
        raise ContainerError("weights hash must be 8 bytes")
    if not 0.0 <= header.quality <= 100.0:
        raise ContainerError(f"quality {header.quality} out of range")
    if not (1 <= header.width <= _U32_MAX and 1 <= header.height <= _U32_MAX):
        raise ContainerError(f"invalid dimensions {header.width}x{header.height}")
    if MAX_PIXELS is not None and header.width * header.height > MAX_PIXELS:
        raise ContainerError(
            f"image of {header.width}x{header.height} exceeds the {MAX_PIXELS}-pixel limit "
            "(raise aecodec.bitstream.container.MAX_PIXELS to allow it)"
        )
    if header.bit_depth != 8:
        raise ContainerError(f"unsupported bit depth {header.bit_depth}")
