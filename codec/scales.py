"""The coding scales of the frozen Gaussian tables (no torch): shared by training, export and the
encoder's rate-aware rounding."""

from __future__ import annotations

import math

import numpy as np

SCALE_MIN = 0.11
SCALE_MAX = 64.0
NUM_SCALES = 64


def scale_table() -> np.ndarray:
    """The ``NUM_SCALES`` standard deviations of the frozen Gaussian tables, log-spaced, ``[S]``."""
    return np.exp(np.linspace(math.log(SCALE_MIN), math.log(SCALE_MAX), NUM_SCALES))
