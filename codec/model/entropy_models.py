"""Training-time entropy models: the factorized prior of ``z`` and the Gaussian conditional of ``y``.

Both return likelihoods of noisy (or rounded) values, whose code length :func:`bits` sums: the
rate term of training and of encoder effort. :mod:`aecodec.codec.model.export` later freezes them
into integer frequency tables for the coder (the Gaussian ones by :mod:`aecodec.codec.gaussian`,
whose float64 mass the torch one here is held equal to by a test).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from aecodec.codec.gaussian import SCALE_MIN

LIKELIHOOD_FLOOR = 1e-9


class FactorizedDensity(nn.Module):
    """A learned univariate density per channel (Ballé et al. 2018, appendix 6.1).

    The cumulative is a monotone function built from ``len(filters) + 1`` small matrices per
    channel. ``likelihood(z)`` takes ``[B, C, H, W]`` and returns the probability mass of the unit
    interval around each element.
    """

    def __init__(self, channels: int, filters: tuple[int, ...] = (3, 3, 3), init_scale: float = 10.0) -> None:
        super().__init__()
        widths = (1, *filters, 1)
        scale = init_scale ** (1.0 / (len(widths) - 1))
        self.matrices = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.factors = nn.ParameterList()
        for index in range(len(widths) - 1):
            fan_in, fan_out = widths[index], widths[index + 1]
            init = math.log(math.expm1(1.0 / scale / fan_out))
            self.matrices.append(nn.Parameter(torch.full((channels, fan_out, fan_in), init)))
            self.biases.append(nn.Parameter(torch.empty(channels, fan_out, 1).uniform_(-0.5, 0.5)))
            if index < len(widths) - 2:
                self.factors.append(nn.Parameter(torch.zeros(channels, fan_out, 1)))

    def cumulative_logits(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of the CDF at points ``x`` of shape ``[C, 1, P]``; returns ``[C, 1, P]``."""
        for index, matrix in enumerate(self.matrices):
            x = torch.matmul(F.softplus(matrix), x) + self.biases[index]
            if index < len(self.factors):
                x = x + torch.tanh(self.factors[index]) * torch.tanh(x)
        return x

    def likelihood(self, z: torch.Tensor) -> torch.Tensor:
        """Mass of ``[z - 0.5, z + 0.5]`` for each element of ``z`` ``[B, C, H, W]``."""
        batch, channels, height, width = z.shape
        points = z.permute(1, 0, 2, 3).reshape(channels, 1, -1)
        lower = self.cumulative_logits(points - 0.5)
        upper = self.cumulative_logits(points + 0.5)
        sign = -torch.sign(lower + upper).detach()
        mass = (torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower)).abs()
        mass = mass.reshape(channels, batch, height, width).permute(1, 0, 2, 3)
        return mass.clamp_min(LIKELIHOOD_FLOOR)

    def cdf(self, points: torch.Tensor) -> torch.Tensor:
        """CDF per channel at ``points`` ``[C, 1, P]``, as probabilities ``[C, P]``."""
        return torch.sigmoid(self.cumulative_logits(points)).squeeze(1)


def gaussian_likelihood(residual: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Mass of ``N(0, scale)`` on ``[r - 0.5, r + 0.5]`` per element; shapes broadcast."""
    magnitude = residual.abs()
    upper = _standard_normal_cdf((0.5 - magnitude) / scale)
    lower = _standard_normal_cdf((-0.5 - magnitude) / scale)
    return (upper - lower).clamp_min(LIKELIHOOD_FLOOR)


def coding_scale(log_scale: torch.Tensor) -> torch.Tensor:
    """σ from a log-scale, floored at the smallest coding scale ``SCALE_MIN``; shape is kept."""
    return torch.exp(log_scale.clamp_min(math.log(SCALE_MIN)))


def bits(likelihood: torch.Tensor, dim: tuple[int, ...] | None = None) -> torch.Tensor:
    """Ideal code length in bits, ``−Σ log2 p``, of ``likelihood`` summed over ``dim`` (every
    element when None)."""
    logs = likelihood.log2()
    return -(logs.sum() if dim is None else logs.sum(dim=dim))


def _standard_normal_cdf(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * torch.erfc(-x / math.sqrt(2.0))
