"""Frozen probability tables: integer frequencies that encoder and decoder share exactly.

A table set holds ``T`` tables. Table ``t`` covers the values ``offsets[t] ... offsets[t] +
lengths[t] - 1`` and has one more entry, the escape, for any value outside that range. Frequencies
are positive integers summing to ``2**PRECISION_BITS`` in each table; rows are zero-padded to a
common width. They are computed once, when weights are exported, and stored as integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PRECISION_BITS = 20
MAX_TABLE_LENGTH = 1 << 14


@dataclass(frozen=True)
class TableSet:
    """``frequencies`` int32 ``[T, L_max + 1]``; ``offsets`` and ``lengths`` int32 ``[T]``."""

    frequencies: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray

    def __post_init__(self) -> None:
        count = self.frequencies.shape[0]
        if self.offsets.shape != (count,) or self.lengths.shape != (count,):
            raise ValueError("offsets and lengths need one entry per table")
        if np.any(self.lengths < 1) or np.any(self.lengths + 1 > self.frequencies.shape[1]):
            raise ValueError("table lengths out of range")
        totals = self.frequencies.astype(np.int64).sum(axis=1)
        if np.any(totals != 1 << PRECISION_BITS):
            raise ValueError(f"every table must sum to 2**{PRECISION_BITS}")

    @property
    def count(self) -> int:
        return int(self.frequencies.shape[0])

    def row(self, table: int) -> np.ndarray:
        """Frequencies of table ``table`` including its escape entry, float64 ``[lengths[t] + 1]``."""
        return self.frequencies[table, : self.lengths[table] + 1].astype(np.float64)


def quantize_pmf(pmf: np.ndarray, escape_mass: np.ndarray) -> np.ndarray:
    """Integer frequencies for probabilities ``pmf`` ``[L]`` plus an escape entry.

    Every entry gets at least 1; the total is exactly ``2**PRECISION_BITS``; rounding leftovers go
    to the most probable entry. Returns int32 ``[L + 1]``.
    """
    mass = np.append(np.clip(pmf, 0.0, None), max(float(escape_mass), 0.0))
    mass = mass / mass.sum()
    budget = (1 << PRECISION_BITS) - mass.size
    frequencies = np.floor(mass * budget).astype(np.int64) + 1
    frequencies[np.argmax(mass)] += (1 << PRECISION_BITS) - frequencies.sum()
    return frequencies.astype(np.int32)


def stack_tables(rows: list[np.ndarray], offsets: list[int]) -> TableSet:
    """Build a :class:`TableSet` from per-table frequency rows (each with its escape last)."""
    width = max(row.size for row in rows)
    frequencies = np.zeros((len(rows), width), dtype=np.int32)
    for index, row in enumerate(rows):
        frequencies[index, : row.size] = row
    lengths = np.array([row.size - 1 for row in rows], dtype=np.int32)
    return TableSet(frequencies, np.asarray(offsets, dtype=np.int32), lengths)
