"""Bjøntegaard delta rate (pchip) between rate–PSNR curves, through the ``bjontegaard`` package.

A negative BD-rate means the test curve needs that percentage fewer bits than the reference for
the same PSNR, averaged over the PSNR range both curves cover.

>>> from aecodec.tools.evaluation.records import Curve
>>> anchor = Curve("a", (0.25, 0.5, 1.0, 2.0), (28.0, 31.0, 34.5, 38.0))
>>> round(bd_rate(anchor, Curve("b", (0.225, 0.45, 0.9, 1.8), anchor.psnr)), 6)
-10.0
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from aecodec.tools.evaluation.records import Curve


def bd_rate(reference: Curve, test: Curve) -> float | None:
    """BD-rate of ``test`` against ``reference`` in percent; ``None`` when it is undefined.

    Points that do not raise PSNR over a cheaper point are left out. Undefined: fewer than two
    usable points, or PSNR ranges that do not overlap.
    """
    anchor, candidate = _usable(reference), _usable(test)
    if anchor is None or candidate is None:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from bjontegaard import bd_rate as bjontegaard_rate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = bjontegaard_rate(anchor[0], anchor[1], candidate[0], candidate[1], method="pchip",
                                 require_matching_points=False)
    return float(value) if math.isfinite(value) else None


def rate_gap(reference: Curve, bpp: float, psnr: float) -> float | None:
    """Percent more bits (negative: fewer) that a point of ``bpp`` at ``psnr`` dB spends than
    ``reference`` needs for the same PSNR, the reference's log-rate interpolated (pchip) over
    PSNR, as BD-rate does; ``None`` outside the PSNR range of its usable points.

    >>> anchor = Curve("a", (0.25, 0.5, 1.0, 2.0), (28.0, 31.0, 34.5, 38.0))
    >>> round(rate_gap(anchor, 0.45, 31.0), 6)
    -10.0
    """
    usable = _usable(reference)
    if usable is None or not usable[1][0] <= psnr <= usable[1][-1]:
        return None
    from scipy.interpolate import PchipInterpolator

    rates, psnrs = usable
    log_rate = float(PchipInterpolator(psnrs, [math.log(rate) for rate in rates])(psnr))
    return 100.0 * (bpp / math.exp(log_rate) - 1.0)


def bd_rate_table(curves: Sequence[Curve], tests: Sequence[Curve] | None = None) -> dict[str, dict[str, float | None]]:
    """``table[test][reference]`` for every test curve (default: all) against every other curve."""
    return {test.name: {reference.name: bd_rate(reference, test) for reference in curves if reference.name != test.name}
            for test in (curves if tests is None else tests)}


def usable_points(curve: Curve) -> tuple[list[float], list[float]]:
    """The points BD-rate uses, as (rates, PSNRs) by increasing rate: only those that raise PSNR
    over every cheaper point."""
    rates: list[float] = []
    psnrs: list[float] = []
    for rate, psnr in sorted(zip(curve.bpp, curve.psnr, strict=True)):
        if rate > 0 and (not rates or (rate > rates[-1] and psnr > psnrs[-1])):
            rates.append(rate)
            psnrs.append(psnr)
    return rates, psnrs


def _usable(curve: Curve) -> tuple[list[float], list[float]] | None:
    """:func:`usable_points`, or ``None`` if under two remain."""
    rates, psnrs = usable_points(curve)
    return (rates, psnrs) if len(rates) >= 2 else None
