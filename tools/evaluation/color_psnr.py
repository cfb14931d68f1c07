"""PSNR per colour component: luma (Y) and chroma (Cb, Cr), to see where a codec spends its error.

RGB PSNR weighs the three RGB channels alike; a codec can match another's RGB PSNR with better
luma and worse chroma. The components are full-range BT.601 (as JPEG defines YCbCr), computed in
float64 from the 8-bit RGB pixels, so no rounding to 8 bits adds error of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aecodec.tools.evaluation.metrics import PSNR_CAP_DB

if TYPE_CHECKING:
    from aecodec.tools.evaluation.records import RDPoint

RGB_TO_YCBCR = np.array([
    [0.299, 0.587, 0.114],
    [-0.168735892, -0.331264108, 0.5],
    [0.5, -0.418687589, -0.081312411],
])
"""Full-range BT.601 (JPEG/JFIF): rows give Y, Cb − 128 and Cr − 128 from R, G, B."""


@dataclass(frozen=True)
class ComponentPSNR:
    """PSNR in dB of Y, Cb and Cr (8-bit scale, peak 255), each capped at ``PSNR_CAP_DB``."""

    y: float
    cb: float
    cr: float


def component_psnr(original: np.ndarray, decoded: np.ndarray) -> ComponentPSNR:
    """Y, Cb and Cr PSNR between two uint8 RGB images ``[H, W, 3]``."""
    difference = (decoded.astype(np.float64) - original.astype(np.float64)) @ RGB_TO_YCBCR.T
    mse = np.mean(difference.reshape(-1, 3) ** 2, axis=0)
    return ComponentPSNR(*(_psnr(value) for value in mse))


def _psnr(mse: float) -> float:
    if mse <= 0:
        return PSNR_CAP_DB
    return min(10.0 * np.log10(255.0**2 / mse), PSNR_CAP_DB)


def components_at_rate(points: Sequence[RDPoint], bpp: float) -> ComponentPSNR | None:
    """The Y, Cb and Cr PSNR a curve of averaged ``points`` reaches at ``bpp``, each interpolated
    (pchip) over log-rate; ``None`` outside the curve's rate range or where it lacks components."""
    usable = sorted((p.bpp, p) for p in points if p.bpp > 0 and p.psnr_y is not None)
    rates = [rate for rate, _ in usable]
    if len(usable) < 2 or len(set(rates)) < len(rates) or not rates[0] <= bpp <= rates[-1]:
        return None
    from scipy.interpolate import PchipInterpolator

    log_rates = np.log(rates)

    def at(values: list[float | None]) -> float:
        return float(PchipInterpolator(log_rates, values)(np.log(bpp)))

    return ComponentPSNR(at([p.psnr_y for _, p in usable]), at([p.psnr_cb for _, p in usable]),
                         at([p.psnr_cr for _, p in usable]))
