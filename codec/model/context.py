"""Checkerboard context (He et al. 2021): half of the latent is coded first and informs the other half.

Latent positions split like a checkerboard: *anchors* (row + column even) are coded with the
hyperprior's mean and scale alone; the other half, the *non-anchors*, are coded after them with a
mean and scale refined from the decoded anchors around each one. Both halves decode in one
parallel step each, so there is no pixel-serial loop.

The refinement ``(μ, log σ) → (μ + Δμ, log σ + Δlog σ)`` runs a 5×5 convolution over the decoded
anchors (its taps at even offsets are held at zero, so a non-anchor sees only anchors) and three
1×1 layers over ``[μ, log σ, context]``. Like ``h_s`` it is trained in fixed point
(:mod:`aecodec.codec.model.fixed_point`) and runs in exact integer arithmetic when coding
(:func:`aecodec.codec.decoder.checkerboard.apply_context`). Its last layer starts at zero, so a model
warm-started from a hyperprior-only one begins exactly where that one was.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from aecodec.codec.decoder.checkerboard import CONTEXT_KERNEL, anchor_mask
from aecodec.codec.decoder.exact import ACTIVATION_BITS, ACTIVATION_LIMIT, OUTPUT_BITS
from aecodec.codec.model.fixed_point import clamp_relu, fixed_point_layer, quantize_activation
from aecodec.codec.model.layers import conv


def context_tap_mask(kernel: int = CONTEXT_KERNEL) -> torch.Tensor:
    """``[1, 1, k, k]`` float: 1 at taps with an odd offset sum, the taps that land on anchors
    when the output is a non-anchor."""
    taps = np.indices((kernel, kernel)).sum(axis=0) - 2 * (kernel // 2)
    return torch.from_numpy((taps % 2 == 1).astype(np.float32)).view(1, 1, kernel, kernel)


class _TapMask(nn.Module):
    """Parametrization that zeroes a convolution's even-offset taps."""

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight * context_tap_mask(weight.shape[-1]).to(weight)


class CheckerboardContext(nn.Module):
    """Refines the hyperprior's ``mean``/``log_scale`` ``[B, M, h, w]`` from decoded anchors.

    ``layers[0]`` is the masked 5×5 context convolution (``M → M``); ``layers[1:]`` the 1×1
    entropy-parameter layers ``3M → hidden → hidden → 2M``.
    """

    def __init__(self, m: int, hidden: int | None = None) -> None:
        super().__init__()
        hidden = hidden or 2 * m
        context = conv(m, m, CONTEXT_KERNEL, 1)
        parametrize.register_parametrization(context, "weight", _TapMask())
        self.layers = nn.ModuleList([context, conv(3 * m, hidden, 1, 1), conv(hidden, hidden, 1, 1),
                                     conv(hidden, 2 * m, 1, 1)])
        with torch.no_grad():
            self.layers[-1].weight.zero_()
            self.layers[-1].bias.zero_()

    def forward(self, anchors: torch.Tensor, mean: torch.Tensor,
                log_scale: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Refined mean and log-scale ``[B, M, h, w]`` each, meaningful at non-anchors.

        ``anchors`` is the decoded latent with zeros at non-anchors, ``mean`` and ``log_scale``
        the hyperprior's outputs; all on the ``2**-ACTIVATION_BITS`` grid.
        """
        features = _activation(fixed_point_layer(self.layers[0], _bounded(anchors), ACTIVATION_BITS))
        x = torch.cat([_bounded(mean), _bounded(log_scale), features], dim=1)
        for layer in self.layers[1:-1]:
            x = _activation(fixed_point_layer(layer, x, ACTIVATION_BITS))
        delta = quantize_activation(fixed_point_layer(self.layers[-1], x, ACTIVATION_BITS), OUTPUT_BITS)
        delta_mean, delta_log_scale = delta.chunk(2, dim=1)
        return mean + delta_mean, log_scale + delta_log_scale


def coding_parameters(context: CheckerboardContext, y: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor,
                      rounding: Callable[[torch.Tensor], torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean and log-scale ``[B, M, h, w]`` each position of ``y`` is coded with: the
    hyperprior's ``mean``/``log_scale`` at anchors, the context's refinement elsewhere, computed
    from the anchors as the decoder will have them, ``rounding(y - mean) + mean`` (``rounding`` is
    straight-through rounding in training, annealed rounding in encoder refinement)."""
    anchors = torch.from_numpy(anchor_mask(*y.shape[2:])).to(y.device)
    anchor_hat = torch.where(anchors, rounding(y - mean) + mean, 0.0)
    context_mean, context_log_scale = context(anchor_hat, mean, log_scale)
    return torch.where(anchors, mean, context_mean), torch.where(anchors, log_scale, context_log_scale)


def _bounded(x: torch.Tensor) -> torch.Tensor:
    """Clip an input to ``±ACTIVATION_LIMIT``, the range the exact path's sums are sized for."""
    return x.clamp(-float(ACTIVATION_LIMIT), float(ACTIVATION_LIMIT))


def _activation(x: torch.Tensor) -> torch.Tensor:
    return quantize_activation(clamp_relu(x), ACTIVATION_BITS)
