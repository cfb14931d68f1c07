"""Coding an image into the largest file a codec makes within a byte budget (a size search).

The search moves over the codec's quality (0–100; whole numbers for encoders that take only whole
numbers), starting from known (quality, bytes) pairs of the same image when the run measured
them, and interpolating log-size between the closest qualities under and over the budget. It
stops once a file is within ``tolerance`` under the budget, when no quality is left between the
bracket, or after ``max_tries`` encodes.

>>> from PIL import Image
>>> from aecodec.tools.evaluation.codecs.registry import make_codec
>>> image = Image.effect_noise((64, 64), 40).convert("RGB")
>>> found = encode_within(make_codec("jpeg"), image, 2000)
>>> found.within and len(found.data) <= 2000
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

    from aecodec.tools.evaluation.codecs.base import Codec

QUALITY_RANGE = (0.0, 100.0)
FLOAT_RESOLUTION = 0.05
"""Quality steps finer than this do not change a float-quality codec's file enough to matter."""


@dataclass(frozen=True)
class SizedFile:
    """The chosen file: its quality, its bytes, how many encodes the search took, and whether it
    fits the budget (``False`` only when even the lowest quality's file is larger)."""

    quality: float
    data: bytes
    tries: int
    within: bool


@dataclass
class _Bracket:
    """Qualities known to land under (``low``) and over (``high``) the budget, with their sizes when known."""

    low: float
    low_size: int | None
    high: float
    high_size: int | None


def encode_within(codec: Codec, image: Image.Image, budget: int, known: Sequence[tuple[float, int]] = (),
                  tolerance: float = 0.02, max_tries: int = 8) -> SizedFile:
    """The largest file of ``codec`` for ``image`` that is at most ``budget`` bytes (see the module)."""
    integer = bool(getattr(codec, "integer_quality", False))
    bracket = _start(known, budget)
    best: tuple[float, bytes] | None = None
    smallest: tuple[float, bytes] | None = None
    tries = 0
    while tries < max_tries:
        quality = _next_quality(bracket, budget, integer)
        if quality is None:
            break
        data = codec.encode(image, quality)
        tries += 1
        if len(data) <= budget:
            bracket.low, bracket.low_size = quality, len(data)
            best = (quality, data) if best is None or len(data) > len(best[1]) else best
            if len(data) >= (1.0 - tolerance) * budget:
                break
        else:
            smallest = (quality, data) if smallest is None or len(data) < len(smallest[1]) else smallest
            if quality <= bracket.low:
                break
            bracket.high, bracket.high_size = quality, len(data)
    if best is None and bracket.low_size is not None:
        best = (bracket.low, codec.encode(image, bracket.low))
        tries += 1
    if best is not None:
        return SizedFile(best[0], best[1], tries, True)
    if smallest is None or smallest[0] > QUALITY_RANGE[0]:
        smallest = (QUALITY_RANGE[0], codec.encode(image, QUALITY_RANGE[0]))
        tries += 1
    return SizedFile(smallest[0], smallest[1], tries, len(smallest[1]) <= budget)


def _start(known: Sequence[tuple[float, int]], budget: int) -> _Bracket:
    under = [(q, size) for q, size in known if size <= budget]
    over = [(q, size) for q, size in known if size > budget]
    low = max(under) if under else (QUALITY_RANGE[0], None)
    high = min(over) if over else (QUALITY_RANGE[1], None)
    return _Bracket(low[0], low[1], high[0], high[1])


def _next_quality(bracket: _Bracket, budget: int, integer: bool) -> float | None:
    """The next quality to try inside the bracket, or ``None`` when none is left."""
    if bracket.low_size is None and bracket.high_size is None:
        guess = 0.5 * (bracket.low + bracket.high)
    elif bracket.low_size is None:
        guess = bracket.low
    elif bracket.high_size is None:
        guess = bracket.high
    else:
        span = bracket.high - bracket.low
        share = (math.log(budget) - math.log(bracket.low_size)) / (math.log(bracket.high_size) - math.log(bracket.low_size))
        guess = bracket.low + span * min(max(share, 0.1), 0.9)
    return _snap(guess, bracket, integer)


def _snap(guess: float, bracket: _Bracket, integer: bool) -> float | None:
    """``guess`` as a quality the codec takes, strictly inside the bracket unless an end is untried."""
    if integer:
        guess = float(round(guess))
    untried_end = (guess == bracket.low and bracket.low_size is None) or (guess == bracket.high and bracket.high_size is None)
    resolution = 1.0 if integer else FLOAT_RESOLUTION
    if untried_end:
        return guess
    if bracket.high - bracket.low <= resolution:
        return None
    low, high = bracket.low + resolution, bracket.high - resolution
    return min(max(guess, low), high) if not integer else float(min(max(round(guess), low), high))
