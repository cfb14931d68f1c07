"""Find the quality whose result measures closest to a goal (a file size, a PSNR, ...).

The measure is assumed to grow with quality (file size does; PSNR nearly always does). The search
encodes at both ends of the quality range, then narrows the bracket around the goal with secant
steps (on log values) kept at least a tenth of the bracket away from its ends, so it converges in a handful of
encodes even where the curve bends. Qualities live on the file header's 0.01 grid. Pure Python:
the caller's ``measure`` does the encoding.

>>> search = find_quality(lambda q: Trial(q, 2.0 * q), goal=50.0)
>>> round(search.best.value, 2), search.best.quality
(50.0, 25.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aecodec.codec.quality import QUALITY_MAX, QUALITY_MIN

DEFAULT_TOLERANCE = 0.03
MAX_TRIALS = 12
_MIN_STEP_FRACTION = 0.1


@dataclass(frozen=True)
class Trial:
    """One encode: its ``quality``, the measured ``value`` and whatever the caller keeps (the bytes)."""

    quality: float
    value: float
    payload: Any = None


@dataclass(frozen=True)
class Search:
    """The trial closest to the goal, whether it is within the tolerance, and how many encodes it took."""

    best: Trial
    met: bool
    trials: int


def relative_error(value: float, goal: float) -> float:
    """``|value - goal| / goal``; ``goal`` is positive."""
    return abs(value - goal) / goal


def find_quality(measure: Callable[[float], Trial], goal: float, tolerance: float = DEFAULT_TOLERANCE,
                 max_trials: int = MAX_TRIALS, not_above: bool = False) -> Search:
    """Search qualities in [0, 100] for a ``measure(quality)`` within ``tolerance`` (relative) of ``goal``.

    Returns the closest trial; when the goal lies outside what the range can reach, that is the
    nearer end of the range and ``met`` is False (unless the end is itself within the tolerance).
    With ``not_above`` (a budget), the closest trial whose value is not above ``goal``: quality 0's
    trial when even that is above it.
    """
    if goal <= 0:
        raise ValueError(f"the goal must be positive, got {goal:g}")
    low = measure(QUALITY_MIN)
    if low.value >= goal:
        return _finish(low, goal, tolerance, 1)
    high = measure(QUALITY_MAX)
    if high.value <= goal:
        return _finish(high, goal, tolerance, 2)
    return _narrow(measure, low, high, goal, tolerance, max_trials, _closer_not_above if not_above else _closer)


def _narrow(measure: Callable[[float], Trial], low: Trial, high: Trial, goal: float, tolerance: float,
            max_trials: int, closer: Callable[[Trial, Trial, float], Trial]) -> Search:
    """Shrink the bracket ``low.value < goal < high.value`` until the best trial, as ``closer``
    picks it, is close enough."""
    best = closer(low, high, goal)
    trials = 2
    while trials < max_trials and relative_error(best.value, goal) > tolerance:
        quality = _next_quality(low, high, goal)
        if not low.quality < quality < high.quality:
            break
        trial = measure(quality)
        trials += 1
        best = closer(best, trial, goal)
        if trial.value < goal:
            low = trial
        else:
            high = trial
    return _finish(best, goal, tolerance, trials)


def _next_quality(low: Trial, high: Trial, goal: float) -> float:
    """The secant estimate between the bracket ends, kept off the ends, on the 0.01 grid.

    The secant runs on log values: file size grows about exponentially with quality.
    """
    if low.value > 0 and math.isfinite(high.value):
        fraction = math.log(goal / low.value) / math.log(high.value / low.value)
    else:
        fraction = (goal - low.value) / (high.value - low.value)
    fraction = min(max(fraction, _MIN_STEP_FRACTION), 1 - _MIN_STEP_FRACTION)
    return round(low.quality + fraction * (high.quality - low.quality), 2)


def _closer(first: Trial, second: Trial, goal: float) -> Trial:
    return second if relative_error(second.value, goal) < relative_error(first.value, goal) else first


def _closer_not_above(first: Trial, second: Trial, goal: float) -> Trial:
    """:func:`_closer` among trials not above ``goal``; ``first`` must itself not be above it."""
    return second if second.value <= goal and _closer(first, second, goal) is second else first


def _finish(best: Trial, goal: float, tolerance: float, trials: int) -> Search:
    return Search(best, relative_error(best.value, goal) <= tolerance, trials)
