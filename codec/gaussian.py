"""The zero-mean Gaussians the latent ``y`` is coded with (no torch): their scales, their
discretized masses, and the frozen integer tables and log-scale thresholds export stores.

Everything here runs in float64 through :func:`math.erfc` (the same correctly rounded-enough
function on every platform export runs on; the tables it makes are stored as integers, so a
decoder never recomputes them). The trainable twin, differentiable in torch, is
:func:`aecodec.codec.model.entropy_models.gaussian_likelihood`; a test holds the two equal.

>>> float(gaussian_mass(np.array(0.0), np.array(1.0)))  # N(0, 1) on [-0.5, 0.5]
0.38292492254802624
"""

from __future__ import annotations

import math

import numpy as np

from aecodec.bitstream.tables import TableSet, quantize_pmf, stack_tables
from aecodec.codec.decoder.exact import OUTPUT_BITS

SCALE_MIN = 0.11
SCALE_MAX = 64.0
NUM_SCALES = 64
TAIL_SIGMAS = 7.0
"""A table covers ``±(ceil(TAIL_SIGMAS · σ) + 1)``; the rest of the mass is its escape."""

_ERFC = np.frompyfunc(math.erfc, 1, 1)


def scale_table() -> np.ndarray:
    """The ``NUM_SCALES`` standard deviations of the frozen Gaussian tables, log-spaced, ``[S]``."""
    return np.exp(np.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), NUM_SCALES))


def normal_cdf(x: np.ndarray | float) -> np.ndarray:
    """The standard normal CDF at each element of ``x``, float64 of the same shape."""
    return 0.5 * np.asarray(_ERFC(-np.asarray(x, dtype=np.float64) / math.sqrt(2.0)), dtype=np.float64)


def gaussian_mass(residual: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Mass of ``N(0, sigma)`` on ``[r − ½, r + ½]`` per element (float64, broadcast shape),
    computed on ``−|r|`` so that far tails keep their precision."""
    distance = np.abs(np.asarray(residual, dtype=np.float64))
    sigma = np.asarray(sigma, dtype=np.float64)
    return normal_cdf((0.5 - distance) / sigma) - normal_cdf((-0.5 - distance) / sigma)


def gaussian_tables() -> TableSet:
    """One zero-mean discretized Gaussian table per entry of :func:`scale_table` (the ``y`` tables)."""
    rows, offsets = [], []
    for sigma in scale_table():
        reach = int(math.ceil(TAIL_SIGMAS * sigma)) + 1
        values = np.arange(-reach, reach + 1, dtype=np.float64)
        pmf = normal_cdf((values + 0.5) / sigma) - normal_cdf((values - 0.5) / sigma)
        rows.append(quantize_pmf(pmf, 2.0 * normal_cdf((-reach - 0.5) / sigma)))
        offsets.append(-reach)
    return stack_tables(rows, offsets)


def scale_thresholds() -> np.ndarray:
    """Integer log-scale boundaries between neighbouring tables, int64 ``[S − 1]`` in units of
    ``2**-OUTPUT_BITS``: a log-scale selects the table of how many thresholds are ≤ it."""
    logs = np.log(scale_table())
    midpoints = (logs[:-1] + logs[1:]) / 2
    return np.ceil(midpoints * (1 << OUTPUT_BITS)).astype(np.int64)
