"""Frozen tables for the PCA coefficients: zero flags, geometric magnitudes and signs.

A quantized coefficient ``v`` is coded as a flag ``v ≠ 0``; a nonzero one then as its magnitude
``|v| − 1`` and its sign. Each coefficient (0…191) gets its own flag table and magnitude table,
chosen by the encoder and written in the file header:

- flag table ``j`` has ``P(v ≠ 0)`` from a log-spaced grid (:func:`flag_probability`);
- magnitude table ``k`` is geometric, ``P(m) ∝ θ_k^m`` with ``1 − θ_k = 2^(−k/4)`` (so ``k = 0``
  means "always 1"), over ``0 … w_k`` plus an escape;
- one uniform table codes the signs.

Everything is built in integer arithmetic (probabilities as 24-bit fractions, products floored),
so every machine derives the same frequencies. All tables live in one :class:`TableSet`: flags
first, then magnitudes, then the sign table.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from aecodec.bitstream.tables import PRECISION_BITS, TableSet, quantize_pmf, stack_tables

FRACTION_BITS = 24
MAGNITUDE_TABLES = 44
MAX_MAGNITUDE_WIDTH = 4095
TAIL_SCALES = 12
ESCAPE_PAYLOAD_BITS = 32
FLAG_STEPS = 72
FLAG_TABLES = 2 * FLAG_STEPS - 7
FLAG_BASE = 0
MAGNITUDE_BASE = FLAG_TABLES
SIGN_TABLE = FLAG_TABLES + MAGNITUDE_TABLES
_ONE = 1 << FRACTION_BITS
_HEAD = 1 << 36
# round(2^24 · 2^(−j/4)) for j = 0, 1, 2, 3.
_MANTISSAS = (16777216, 14107901, 11863283, 9975792)


def power_of_half(quarters: int) -> int:
    """``2^(−quarters/4) · 2^24``, floored to an integer."""
    return _MANTISSAS[quarters % 4] >> (quarters // 4)


def flag_probability(table: int) -> int:
    """``P(v ≠ 0) · 2^24`` of flag table ``j``: from ``2^(−18)`` through ``1/2`` to ``1 − 2^(−18)``.

    Probabilities below one half are powers ``2^(−q/4)``; those above mirror them.
    """
    middle = FLAG_STEPS - 4
    if table < middle:
        return power_of_half(FLAG_STEPS - table)
    if table == middle:
        return _ONE // 2
    return _ONE - power_of_half(table - middle + 4)


def magnitude_width(table: int) -> int:
    """Magnitude table ``k`` covers ``0 … w``: about ``TAIL_SCALES`` scales, at most ``MAX_MAGNITUDE_WIDTH``."""
    return min(TAIL_SCALES * _ONE // power_of_half(table), MAX_MAGNITUDE_WIDTH)


def flag_row(table: int) -> np.ndarray:
    """Integer frequencies of flag table ``j`` over ``{0, 1}`` plus an (unused) escape, int32 ``[3]``."""
    nonzero = flag_probability(table)
    return quantize_pmf(np.array([_ONE - nonzero, nonzero], dtype=np.float64), np.array(0.0))


def magnitude_row(table: int) -> np.ndarray:
    """Integer frequencies of magnitude table ``k`` over ``0 … w`` plus its escape, int32 ``[w + 2]``."""
    gap = power_of_half(table)
    theta = _ONE - gap
    masses = [_HEAD]
    for _ in range(magnitude_width(table)):
        masses.append(masses[-1] * theta >> FRACTION_BITS)
    tail = ((masses[-1] * theta >> FRACTION_BITS) << FRACTION_BITS) // gap
    return quantize_pmf(np.array(masses, dtype=np.float64), np.array(float(tail)))


def sign_row() -> np.ndarray:
    """Equal frequencies for the signs ``0`` (positive) and ``1`` (negative), int32 ``[3]``."""
    return quantize_pmf(np.array([1.0, 1.0]), np.array(0.0))


@lru_cache(maxsize=1)
def coefficient_tables() -> TableSet:
    """Flag, magnitude and sign tables stacked for :mod:`aecodec.bitstream.entropy_coder`."""
    rows = [flag_row(table) for table in range(FLAG_TABLES)]
    rows += [magnitude_row(table) for table in range(MAGNITUDE_TABLES)]
    rows.append(sign_row())
    return stack_tables(rows, [0] * len(rows))


def choose_flag_tables(nonzero: np.ndarray, block_count: int) -> np.ndarray:
    """Cheapest flag table per coefficient, given its count of nonzero values ``[C]`` among ``block_count``.

    Returns uint8 ``[C]``.
    """
    bits = _flag_costs()
    zero = block_count - nonzero
    total = zero[:, None] * bits[None, :, 0] + nonzero[:, None] * bits[None, :, 1]
    return total.argmin(axis=1).astype(np.uint8)


def choose_magnitude_tables(symbols: np.ndarray) -> np.ndarray:
    """Cheapest magnitude table for each column of integer ``symbols`` ``[N, C]``; uint8 ``[C]``."""
    bins = MAX_MAGNITUDE_WIDTH + 2
    columns = np.broadcast_to(np.arange(symbols.shape[1]), symbols.shape)
    nonzero = symbols != 0
    magnitude = np.minimum(np.abs(symbols[nonzero]) - 1, bins - 1)
    counts = np.bincount(columns[nonzero] * bins + magnitude, minlength=symbols.shape[1] * bins)
    total_bits = counts.reshape(symbols.shape[1], bins).astype(np.float64) @ _magnitude_costs().T
    return total_bits.argmin(axis=1).astype(np.uint8)


@lru_cache(maxsize=1)
def _flag_costs() -> np.ndarray:
    """Bits to code a zero and a nonzero flag with each flag table, ``[J, 2]``."""
    frequencies = coefficient_tables().frequencies[FLAG_BASE : FLAG_BASE + FLAG_TABLES, :2]
    return PRECISION_BITS - np.log2(frequencies.astype(np.float64))


@lru_cache(maxsize=1)
def _magnitude_costs() -> np.ndarray:
    """Bits to code each magnitude ``0 … W + 1`` (``W + 1``: beyond every table) with each table, ``[K, W + 2]``."""
    tables = coefficient_tables()
    costs = np.empty((MAGNITUDE_TABLES, MAX_MAGNITUDE_WIDTH + 2))
    for table in range(MAGNITUDE_TABLES):
        bits = PRECISION_BITS - np.log2(tables.row(MAGNITUDE_BASE + table))
        width = magnitude_width(table)
        costs[table] = bits[-1] + ESCAPE_PAYLOAD_BITS
        costs[table, : width + 1] = bits[:-1]
    return costs
