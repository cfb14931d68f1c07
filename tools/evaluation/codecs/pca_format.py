"""The PCA baseline's file header: parse and write, with every field range-checked on read.

Layout (little-endian): ``b"AEPC"``, u8 version, u32 width, u32 height, f32 quantization step,
u32 basis tag (CRC-32 of the basis), u32 length of the flag stream, then one u8 flag-table number
and one u8 magnitude-table number per coefficient (2 × 192 bytes). The flag stream follows, then
the stream of magnitudes and signs, to the end of the file.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np

MAGIC = b"AEPC"
VERSION = 1
MAX_PIXELS = 1 << 28
_FIXED = struct.Struct("<4sBIIfII")


class PcaFormatError(ValueError):
    """Bytes that are not a valid PCA baseline file."""


@dataclass(frozen=True)
class PcaHeader:
    """Image ``width``/``height`` in pixels, quantization ``step``, ``basis_tag``, ``flag_bytes``
    (length of the flag stream), ``flag_tables`` and ``magnitude_tables`` uint8 ``[C]``."""

    width: int
    height: int
    step: float
    basis_tag: int
    flag_bytes: int
    flag_tables: np.ndarray
    magnitude_tables: np.ndarray


def header_size(coefficients: int) -> int:
    """Bytes taken by a header for ``coefficients`` coefficients per block."""
    return _FIXED.size + 2 * coefficients


def pack_header(header: PcaHeader) -> bytes:
    """The header's bytes."""
    fixed = _FIXED.pack(MAGIC, VERSION, header.width, header.height, header.step, header.basis_tag,
                        header.flag_bytes)
    tables = np.concatenate([header.flag_tables, header.magnitude_tables]).astype(np.uint8)
    return fixed + tables.tobytes()


def unpack_header(data: bytes, coefficients: int, table_counts: tuple[int, int]) -> PcaHeader:
    """Parse and check the header of ``data``; ``table_counts`` = (flag tables, magnitude tables).

    Raises :class:`PcaFormatError` on any field out of range.
    """
    if len(data) < header_size(coefficients):
        raise PcaFormatError("file too short for a PCA header")
    magic, version, width, height, step, tag, flag_bytes = _FIXED.unpack_from(data)
    if magic != MAGIC:
        raise PcaFormatError("not a PCA baseline file (bad magic)")
    if version != VERSION:
        raise PcaFormatError(f"unsupported PCA file version {version}")
    _check_size(width, height)
    if not (math.isfinite(step) and step > 0):
        raise PcaFormatError("quantization step is not a positive number")
    if header_size(coefficients) + flag_bytes > len(data):
        raise PcaFormatError("flag stream runs past the end of the file")
    tables = np.frombuffer(data, dtype=np.uint8, count=2 * coefficients, offset=_FIXED.size)
    flags, magnitudes = tables[:coefficients].copy(), tables[coefficients:].copy()
    _check_tables(flags, table_counts[0], "flag")
    _check_tables(magnitudes, table_counts[1], "magnitude")
    return PcaHeader(width, height, step, tag, flag_bytes, flags, magnitudes)


def _check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise PcaFormatError("image dimensions must be positive")
    if width * height > MAX_PIXELS:
        raise PcaFormatError(f"image of {width}×{height} pixels exceeds the {MAX_PIXELS}-pixel limit")


def _check_tables(tables: np.ndarray, count: int, kind: str) -> None:
    if tables.size and int(tables.max()) >= count:
        raise PcaFormatError(f"{kind} table number out of range")
