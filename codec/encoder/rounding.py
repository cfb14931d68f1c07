"""Rate-aware rounding of the latent residual, the encoder's only choice between integers (no torch).

Plain rounding takes the integer nearest to ``r = y − μ``. Here each element takes whichever of
``floor(r)`` and ``floor(r) + 1`` costs less in ``bits(q) + DISTORTION_WEIGHT · (r − q)²``, where
``bits(q)`` is the ideal code length of ``q`` under the discretized zero-mean Gaussian of the
element's coding scale, and the squared latent error stands in for the pixel distortion. Near a
half, and where the scale is small, this picks the cheaper symbol (usually the one nearer zero).

The code lengths depend only on the symbol's magnitude and the table, so they are computed once
per process as a table ``[S, LENGTH_LIMIT + 1]`` (:func:`aecodec.codec.gaussian.gaussian_mass`); past ``LENGTH_LIMIT``
every table's mass is below ``MIN_PROBABILITY`` (the cost is the same constant), so the lookup is
the formula itself.

Decoding is untouched: the decoder reads whatever integers the file holds, so the choice changes
no format, no table and no exactness argument, and files made either way decode everywhere.
"""

from __future__ import annotations

import functools

import numpy as np

from aecodec.codec.gaussian import SCALE_MAX, gaussian_mass

DISTORTION_WEIGHT = 64.0
"""Bits charged per unit² of latent error. Chosen for model 2 on six training photos (no Kodak
image) at qualities 0–100 from 16, 32, 64, 96, 128 and 256; 64 saved the most (1.5% of the file
at equal PSNR at quality 0, 0.2–0.7% above), and a weight without bound is plain rounding."""

MIN_PROBABILITY = 1e-30
"""Floor under a symbol's probability, so that far tails cost a finite number of bits."""

LENGTH_LIMIT = 1024
"""Largest magnitude with its own code length: at the widest scale (``SCALE_MAX`` = 64) a symbol
of 1024 is 16 scales out, where the mass (about 1e-57) is far under ``MIN_PROBABILITY``."""

def code_length(symbol: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Bits of the integer ``symbol`` under a zero-mean Gaussian of scale ``sigma`` discretized to
    unit bins (float64, broadcast shape), at least ``-log2(MIN_PROBABILITY)``."""
    return -np.log2(np.maximum(gaussian_mass(symbol, sigma), MIN_PROBABILITY))


@functools.lru_cache(maxsize=4)
def code_length_table(scales: tuple[float, ...]) -> np.ndarray:
    """:func:`code_length` of ``0 … LENGTH_LIMIT`` under each scale: float64 ``[S, LENGTH_LIMIT + 1]``."""
    if max(scales) > SCALE_MAX:
        raise ValueError(f"scales above {SCALE_MAX} need a longer table")
    return code_length(np.arange(LENGTH_LIMIT + 1)[None, :], np.asarray(scales)[:, None])


def rate_aware_round(residual: np.ndarray, tables: np.ndarray, scales: np.ndarray,
                     distortion_weight: float = DISTORTION_WEIGHT) -> np.ndarray:
    """Integers (as float64, shape of ``residual``) for the float64 residuals ``r``, each coded
    with the table ``tables`` (same shape, ids into ``scales`` ``[S]``): per element the cheaper of
    ``floor(r)`` and ``floor(r) + 1``; a very large ``distortion_weight`` gives the nearest integer."""
    lengths = code_length_table(tuple(float(s) for s in scales))
    low = np.floor(residual)
    high = low + 1.0
    cost_low = _bits(lengths, tables, low) + distortion_weight * (residual - low) ** 2
    cost_high = _bits(lengths, tables, high) + distortion_weight * (high - residual) ** 2
    return np.where(cost_low <= cost_high, low, high)


def _bits(lengths: np.ndarray, tables: np.ndarray, symbol: np.ndarray) -> np.ndarray:
    magnitude = np.minimum(np.abs(symbol), LENGTH_LIMIT).astype(np.intp)
    return lengths[tables, magnitude]
