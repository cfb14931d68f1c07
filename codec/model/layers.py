"""Building blocks shared by the transforms: convolutions and the simplified GDN."""

from __future__ import annotations

import torch
from torch import nn


def conv(in_channels: int, out_channels: int, kernel_size: int = 5, stride: int = 2) -> nn.Conv2d:
    """A 'same'-padded convolution that divides height and width by ``stride``."""
    return nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2)


def deconv(in_channels: int, out_channels: int, kernel_size: int = 5, stride: int = 2) -> nn.ConvTranspose2d:
    """A transposed convolution that multiplies height and width by ``stride``."""
    return nn.ConvTranspose2d(
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding=kernel_size // 2,
        output_padding=stride - 1,
    )


class SimplifiedGDN(nn.Module):
    """Simplified generalized divisive normalization (Johnston et al. 2019).

    Forward: ``y_c = x_c / (beta_c + sum_k gamma_ck |x_k|)``; with ``inverse=True`` the division
    becomes a multiplication (IGDN). ``beta`` and ``gamma`` are kept non-negative by storing their
    square roots. Input and output are ``[B, C, H, W]``.
    """

    def __init__(self, channels: int, inverse: bool = False) -> None:
        super().__init__()
        self.inverse = inverse
        self.beta_root = nn.Parameter(torch.ones(channels))
        self.gamma_root = nn.Parameter(torch.eye(channels).mul(0.1 ** 0.5).view(channels, channels, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        beta = self.beta_root.square() + 1e-6
        gamma = self.gamma_root.square()
        norm = nn.functional.conv2d(x.abs(), gamma, beta)
        return x * norm if self.inverse else x / norm
