"""Quality control: a continuous quality in [0, 100] picks a Lagrangian λ and a pair of gain vectors.

Quality maps linearly to a position ``t`` in ``[0, levels - 1]``; λ is log-linear in ``t`` and
the gain vectors are interpolated exponentially between the learned levels (Cui et al. 2021), so
one set of weights covers the whole curve and quality is continuous and monotonic.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from aecodec.codec.quality import RateScale


class GainVectors(nn.Module):
    """Per-level channel gains for the encoder side and their learned inverses for the decoder.

    ``encoder_gain(t)`` and ``decoder_gain(t)`` take positions ``[B]`` and return ``[B, M, 1, 1]``.
    Levels start at ``sqrt(λ)`` ratios, the scaling a uniform quantizer needs.
    """

    def __init__(self, channels: int, scale: RateScale) -> None:
        super().__init__()
        levels = torch.arange(scale.levels, dtype=torch.float32)
        log_ratio = 0.5 * math.log(scale.lambda_max / scale.lambda_min) * (levels / (scale.levels - 1) - 0.5)
        start = log_ratio[:, None].expand(scale.levels, channels).clone()
        self.log_encoder = nn.Parameter(start)
        self.log_decoder = nn.Parameter(-start)

    def encoder_gain(self, position: torch.Tensor) -> torch.Tensor:
        return interpolate_levels(self.log_encoder, position).exp()[:, :, None, None]

    def decoder_gain(self, position: torch.Tensor) -> torch.Tensor:
        return interpolate_levels(self.log_decoder, position).exp()[:, :, None, None]


def interpolate_levels(table: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of rows of ``table`` ``[L, M]`` at positions ``[B]``: ``[B, M]``."""
    lower = position.floor().clamp(0, table.shape[0] - 2).long()
    fraction = (position - lower).unsqueeze(1)
    return table[lower] * (1 - fraction) + table[lower + 1] * fraction
