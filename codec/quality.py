"""Quality values (no torch): the range of the quality scale, its map to a level position, each
model's rate scale (how many gain levels it has and the λ at its ends), and the rate–distortion
objective that λ weighs.

A quality in ``[0, 100]`` maps linearly to a position ``t`` in ``[0, levels - 1]``; the λ that
``t`` stands for is log-linear in ``t`` between the model's ``lambda_min`` and ``lambda_max``, and
the gain vectors that ``t`` selects are in :mod:`aecodec.codec.model.gains`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np
    import torch

QUALITY_MIN = 0.0
QUALITY_MAX = 100.0
DEFAULT_QUALITY = 75.0

Number = TypeVar("Number", float, "np.ndarray", "torch.Tensor")
"""A float, or an array or tensor of them: the arithmetic here works on each alike."""


@dataclass(frozen=True)
class RateScale:
    """A model's quality scale: ``levels`` learned gain levels, evenly spaced in log λ from
    ``lambda_min`` (quality 0) to ``lambda_max`` (quality 100). λ weighs ``255² · MSE`` against
    bits per pixel in the training loss. The defaults are model 2's."""

    levels: int = 8
    lambda_min: float = 0.002
    lambda_max: float = 0.05

    def __post_init__(self) -> None:
        if self.levels < 2 or not 0 < self.lambda_min < self.lambda_max:
            raise ValueError(f"a rate scale needs at least 2 levels and 0 < lambda_min < lambda_max, got {self}")

    def lambda_at(self, position: Number) -> Number:
        """λ at a level position in ``[0, levels - 1]`` (a float, or positions ``[B]``)."""
        return self.lambda_min * (self.lambda_max / self.lambda_min) ** (position / (self.levels - 1))

    def lambda_for(self, quality: float) -> float:
        """λ at a quality in ``[0, 100]``."""
        return self.lambda_at(quality_to_position(quality, self.levels))

    def position_of(self, lam: float) -> float:
        """The (possibly out-of-range) level position whose λ is ``lam``."""
        return math.log(lam / self.lambda_min) / math.log(self.lambda_max / self.lambda_min) * (self.levels - 1)


MODEL_2_RATE_SCALE = RateScale()
"""The scale of every weights file that does not record one (model 2 and the test models)."""


def quality_to_position(quality: float, levels: int = MODEL_2_RATE_SCALE.levels) -> float:
    """Position ``t`` in ``[0, levels - 1]`` for a quality in ``[0, 100]``."""
    if not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise ValueError(f"quality must be between {QUALITY_MIN:g} and {QUALITY_MAX:g}, got {quality:g}")
    return quality / QUALITY_MAX * (levels - 1)


def rate_distortion_cost(bpp: Number, lam: Number | float, mse: Number) -> Number:
    """The objective training minimises and encoder effort searches with: ``bpp + λ·255²·MSE``,
    bits per pixel of the whole image against the mean squared error of samples in [0, 1]."""
    return bpp + lam * 255.0**2 * mse
