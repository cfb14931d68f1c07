"""Analysis and synthesis transforms: the main pair ``g_a``/``g_s`` and the hyper pair ``h_a``/``h_s``."""

from __future__ import annotations

import torch
from torch import nn

from aecodec.codec.decoder.exact import ACTIVATION_BITS, OUTPUT_BITS
from aecodec.codec.model.fixed_point import clamp_relu, fixed_point_layer, quantize_activation
from aecodec.codec.model.layers import SimplifiedGDN, conv, deconv


class AnalysisTransform(nn.Sequential):
    """``g_a``: image ``[B, 3, H, W]`` in [0, 1] to latent ``[B, M, H/16, W/16]``."""

    def __init__(self, n: int, m: int) -> None:
        super().__init__(
            conv(3, n), SimplifiedGDN(n),
            conv(n, n), SimplifiedGDN(n),
            conv(n, n), SimplifiedGDN(n),
            conv(n, m),
        )


class SynthesisTransform(nn.Sequential):
    """``g_s``: latent ``[B, M, h, w]`` to image ``[B, 3, 16h, 16w]`` (unclamped)."""

    def __init__(self, n: int, m: int) -> None:
        super().__init__(
            deconv(m, n), SimplifiedGDN(n, inverse=True),
            deconv(n, n), SimplifiedGDN(n, inverse=True),
            deconv(n, n), SimplifiedGDN(n, inverse=True),
            deconv(n, 3),
        )


class HyperAnalysis(nn.Sequential):
    """``h_a``: latent ``[B, M, h, w]`` to hyper-latent ``[B, N, h/4, w/4]``."""

    def __init__(self, n: int, m: int) -> None:
        super().__init__(
            conv(m, n, 3, 1), nn.LeakyReLU(inplace=True),
            conv(n, n), nn.LeakyReLU(inplace=True),
            conv(n, n),
        )


class HyperSynthesis(nn.Module):
    """``h_s``: integer hyper-latent ``[B, N, h, w]`` to mean and log-scale ``[B, M, 4h, 4w]`` each.

    Trained with the fixed-point roundings of :mod:`aecodec.codec.model.fixed_point`; the exact integer
    implementation in :mod:`aecodec.codec.decoder.exact` computes the same function, differing from this
    float32 version only where float32 sums round differently.
    """

    def __init__(self, n: int, m: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([deconv(n, m), deconv(m, m * 3 // 2), conv(m * 3 // 2, 2 * m, 3, 1)])

    def forward(self, z_hat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = z_hat
        input_bits = 0
        for index, layer in enumerate(self.layers):
            x = fixed_point_layer(layer, x, input_bits)
            if index < len(self.layers) - 1:
                x = quantize_activation(clamp_relu(x), ACTIVATION_BITS)
                input_bits = ACTIVATION_BITS
        x = quantize_activation(x, OUTPUT_BITS)
        mean, log_scale = x.chunk(2, dim=1)
        return mean, log_scale

