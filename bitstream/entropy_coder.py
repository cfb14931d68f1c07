"""Range coding of integer symbols with frozen tables, through constriction.

Symbols are grouped by table: for each table id in ascending order, all symbols that use it are
coded in one vectorised constriction call, in raster order. A decoder that knows the table id of
every position (from the exact hyper path) repeats the same order. Values outside a table's range
are coded as its escape entry and stored verbatim as int32 after a count.

Stream layout (little-endian): ``u32 escape_count``, ``escape_count × i32`` escaped values, then
the range coder's 32-bit words.

Decoding trusts nothing in the stream: the escape count is checked against the number of symbols
before anything is allocated, and a stream the tables cannot have produced is a
:class:`StreamError`. Table ids may be any integer dtype (``uint8`` keeps large images small).
constriction is imported when a stream is first coded, so that what only shares the latent
codec's layout (training and export, on machines without constriction) can import this module.

>>> import numpy as np
>>> from aecodec.bitstream.tables import quantize_pmf, stack_tables
>>> tables = stack_tables([quantize_pmf(np.array([0.25, 0.5, 0.25]), np.array(0.0))], [-1])
>>> values = np.array([0, 1, -1, 0, 7])
>>> data = encode_symbols(values, np.zeros(5, dtype=np.int64), tables)
>>> decode_symbols(data, np.zeros(5, dtype=np.int64), tables).tolist()
[0, 1, -1, 0, 7]
"""

from __future__ import annotations

import importlib
import struct
from types import ModuleType

import numpy as np

from aecodec.bitstream.errors import AecError
from aecodec.bitstream.tables import TableSet

_COUNT = struct.Struct("<I")
_INT32 = np.iinfo(np.int32)
_CONSTRICTION_ERRORS = (AssertionError, ValueError, RuntimeError, OverflowError)
"""What constriction raises for words its model cannot have written (an AssertionError today)."""


class StreamError(AecError):
    """A coded stream that cannot be decoded with the given tables."""


def encode_symbols(values: np.ndarray, table_ids: np.ndarray, tables: TableSet) -> bytes:
    """Code integer ``values`` ``[n]`` where ``table_ids`` ``[n]`` names each value's table."""
    values = np.asarray(values).ravel()
    table_ids = _checked_table_ids(table_ids, tables)
    encoder = _constriction().stream.queue.RangeEncoder()
    escaped: list[np.ndarray] = []
    for table, where in _groups(table_ids, tables.count):
        group = values[where].astype(np.int64)
        indexes = group - tables.offsets[table]
        outside = (indexes < 0) | (indexes >= tables.lengths[table])
        escaped.append(group[outside])
        indexes = np.where(outside, tables.lengths[table], indexes).astype(np.int32)
        encoder.encode(indexes, _model(tables, table))
    escapes = np.concatenate(escaped) if escaped else np.zeros(0, dtype=np.int64)
    if np.any((escapes < _INT32.min) | (escapes > _INT32.max)):
        raise ValueError("a symbol does not fit in 32 bits")
    words = encoder.get_compressed().astype("<u4")
    return _COUNT.pack(escapes.size) + escapes.astype("<i4").tobytes() + words.tobytes()


def decode_symbols(data: bytes, table_ids: np.ndarray, tables: TableSet) -> np.ndarray:
    """Inverse of :func:`encode_symbols`; returns int64 ``[n]`` in the order of ``table_ids``."""
    table_ids = _checked_table_ids(table_ids, tables)
    escapes, words = _split_stream(data, table_ids.size)
    decoder = _constriction().stream.queue.RangeDecoder(words)
    values = np.empty(table_ids.size, dtype=np.int64)
    used = 0
    for table, where in _groups(table_ids, tables.count):
        indexes = _decode_group(decoder, tables, table, where.size)
        outside = indexes == tables.lengths[table]
        count = int(np.count_nonzero(outside))
        if used + count > escapes.size:
            raise StreamError("stream escapes more symbols than it stores")
        indexes[outside] = escapes[used : used + count] - tables.offsets[table]
        used += count
        values[where] = indexes + tables.offsets[table]
    if used != escapes.size:
        raise StreamError("stream stores escaped symbols it never uses")
    return values


def _groups(table_ids: np.ndarray, count: int):
    """``(table, positions)`` for each table in use, in ascending table order (the coding order)."""
    for table in range(count):
        where = np.flatnonzero(table_ids == table)
        if where.size:
            yield table, where


def _decode_group(decoder, tables: TableSet, table: int, size: int) -> np.ndarray:
    try:
        indexes = decoder.decode(_model(tables, table), size)
    except _CONSTRICTION_ERRORS:
        raise StreamError("coded data is not valid for its probability tables (corrupted file)") from None
    return np.asarray(indexes, dtype=np.int64)


def _model(tables: TableSet, table: int):
    return _constriction().stream.model.Categorical(tables.row(table), perfect=False)


def _constriction() -> ModuleType:
    """The constriction module, imported on first use."""
    return importlib.import_module("constriction")


def _checked_table_ids(table_ids: np.ndarray, tables: TableSet) -> np.ndarray:
    table_ids = np.asarray(table_ids).ravel()
    if table_ids.size and not np.issubdtype(table_ids.dtype, np.integer):
        raise ValueError("table ids must be integers")
    if table_ids.size and (table_ids.min() < 0 or table_ids.max() >= tables.count):
        raise ValueError("table id out of range")
    return table_ids


def _split_stream(data: bytes, symbols: int) -> tuple[np.ndarray, np.ndarray]:
    """Escaped values int64 ``[e]`` and coder words uint32 ``[w]``; ``e`` is checked first."""
    if len(data) < _COUNT.size:
        raise StreamError("stream too short")
    (count,) = _COUNT.unpack_from(data)
    if count > symbols:
        raise StreamError(f"stream claims {count} escaped symbols but codes only {symbols}")
    start = _COUNT.size + 4 * count
    if start > len(data) or (len(data) - start) % 4:
        raise StreamError("stream length does not match its escape count")
    escapes = np.frombuffer(data, dtype="<i4", count=count, offset=_COUNT.size).astype(np.int64)
    words = np.frombuffer(data, dtype="<u4", offset=start).astype(np.uint32)
    return escapes, words
