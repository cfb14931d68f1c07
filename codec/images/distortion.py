"""PSNR, the one definition every part of aecodec reports: 8-bit samples, peak 255."""

from __future__ import annotations

import math

import numpy as np


def psnr_db(reference: np.ndarray, test: np.ndarray) -> float:
    """PSNR in dB over every sample of two same-shape arrays of 0–255 values; inf when identical."""
    error = np.asarray(reference, dtype=np.float64) - np.asarray(test, dtype=np.float64)
    mse = float(np.mean(error * error))
    return math.inf if mse == 0.0 else 10.0 * math.log10(255.0**2 / mse)
