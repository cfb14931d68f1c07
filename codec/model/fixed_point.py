"""Fixed point in training: the straight-through roundings that make the trainable ``h_s`` and
context compute what their exact integer twins compute (:mod:`aecodec.codec.decoder.exact`, which
holds the conventions: ``ACTIVATION_BITS``, ``OUTPUT_BITS``, ``WEIGHT_BITS``, ...).

A fixed-point layer rounds its weights to ``WEIGHT_BITS`` signed bits with one power-of-two scale
per output channel and its bias to the accumulator's scale (:func:`fixed_point_layer`); activations
are rounded to ``2**-ACTIVATION_BITS`` after the capped ReLU. The conversion of a trained layer to
the integers the exact path runs is :mod:`aecodec.codec.model.integer_layers`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from aecodec.codec.decoder.exact import ACTIVATION_LIMIT, MAX_WEIGHT_SHIFT, WEIGHT_BITS


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    """``floor(x + 0.5)``: the rounding the integer path does with an arithmetic shift."""
    return (x + 0.5).floor()


def round_ste(x: torch.Tensor) -> torch.Tensor:
    """Round half up in the forward pass, identity gradient in the backward pass."""
    return x + (round_half_up(x) - x).detach()


def weight_shifts(weight: torch.Tensor, out_dim: int) -> torch.Tensor:
    """Per-output-channel power-of-two exponents so each channel fits ``WEIGHT_BITS`` signed bits.

    ``weight`` is a conv weight (``out_dim=0``) or a transposed-conv weight (``out_dim=1``).
    Returns an integer-valued float tensor of shape ``[out_channels]``.
    """
    dims = [d for d in range(weight.dim()) if d != out_dim]
    peak = weight.detach().abs().amax(dim=dims).clamp_min(2.0 ** -MAX_WEIGHT_SHIFT)
    limit = 2 ** (WEIGHT_BITS - 1) - 1
    return (limit / peak).log2().floor().clamp(0, MAX_WEIGHT_SHIFT)


def quantize_to_shift(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Round ``x`` to a multiple of ``2**-shift`` (straight-through); ``shift`` broadcasts."""
    scale = shift.exp2()
    return round_ste(x * scale) / scale


def quantize_activation(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Round an activation to a multiple of ``2**-bits`` (straight-through)."""
    return round_ste(x * 2.0 ** bits) / 2.0 ** bits


def clamp_relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU capped at ``ACTIVATION_LIMIT``, which bounds every integer sum of the exact path."""
    return x.clamp(0.0, float(ACTIVATION_LIMIT))


def fixed_point_layer(layer: nn.Module, x: torch.Tensor, input_bits: int) -> torch.Tensor:
    """Apply ``layer`` with weights and bias rounded as the exact path stores them."""
    transposed = isinstance(layer, nn.ConvTranspose2d)
    shifts = weight_shifts(layer.weight, out_dim=1 if transposed else 0)
    weight_view = (1, -1, 1, 1) if transposed else (-1, 1, 1, 1)
    weight = quantize_to_shift(layer.weight, shifts.view(weight_view))
    bias = quantize_to_shift(layer.bias, shifts + input_bits)
    if transposed:
        return F.conv_transpose2d(
            x, weight, bias, layer.stride, layer.padding, layer.output_padding
        )
    return F.conv2d(x, weight, bias, layer.stride, layer.padding)
