"""The exact hyper-synthesis: integer ``h_s`` that decides every probability table.

Convolutions run as im2col + matrix product in float64 on integer values. Every product and every
partial sum is an integer below ``2**53`` (weights < 2**11, activations <= 2**14, hyper-latents
clipped to ``Z_LIMIT``, fan-in < 2**13), so the result is the same in any summation order, on any
CPU, BLAS or thread count. Rescaling between layers is an integer arithmetic shift.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from aecodec.codec.fixed_point import ACTIVATION_BITS, ACTIVATION_LIMIT, OUTPUT_BITS

Z_LIMIT = 1 << 12


@dataclass(frozen=True)
class IntegerConv:
    """One fixed-point layer as a stride-1 convolution after optional zero insertion.

    ``weight`` int64 ``[out, in, k, k]`` counts ``2**-shift[o]``; ``bias`` int64 ``[out]`` is at the
    accumulator's scale ``2**-(shift[o] + input_bits)``; ``upsample`` is 2 for a transposed stride-2
    layer (rewritten as zero insertion plus a flipped kernel), else 1.
    """

    weight: np.ndarray
    bias: np.ndarray
    shift: np.ndarray
    upsample: int
    pad_before: int
    pad_after: int


@dataclass(frozen=True)
class HyperParameters:
    """Integer mean ``[M, h, w]`` in units of ``2**-OUTPUT_BITS`` and log-scale in the same units."""

    mean: np.ndarray
    log_scale: np.ndarray


def hyper_synthesis(z_hat: np.ndarray, layers: list[IntegerConv]) -> HyperParameters:
    """Run the integer ``h_s`` on ``z_hat`` int64 ``[N, h, w]`` (values within ``±Z_LIMIT``)."""
    if np.abs(z_hat).max(initial=0) > Z_LIMIT:
        raise ValueError("hyper-latent outside the exact range")
    x = z_hat.astype(np.int64)
    input_bits = 0
    for index, layer in enumerate(layers):
        last = index == len(layers) - 1
        output_bits = OUTPUT_BITS if last else ACTIVATION_BITS
        x = _rescale(_accumulate(x, layer), layer.shift + input_bits - output_bits)
        if not last:
            x = np.clip(x, 0, ACTIVATION_LIMIT << ACTIVATION_BITS)
        input_bits = output_bits
    mean, log_scale = np.split(x, 2, axis=0)
    return HyperParameters(mean, log_scale)


def _accumulate(x: np.ndarray, layer: IntegerConv) -> np.ndarray:
    """Exact integer convolution plus bias: int64 ``[in, h, w]`` to int64 ``[out, h', w']``."""
    if layer.upsample > 1:
        x = _insert_zeros(x, layer.upsample)
    padding = ((0, 0), (layer.pad_before, layer.pad_after), (layer.pad_before, layer.pad_after))
    x = np.pad(x, padding)
    out_channels, in_channels, kernel, _ = layer.weight.shape
    height, width = x.shape[1] - kernel + 1, x.shape[2] - kernel + 1
    columns = F.unfold(torch.from_numpy(x.astype(np.float64))[None], kernel)[0]
    weight = torch.from_numpy(layer.weight.reshape(out_channels, -1).astype(np.float64))
    sums = torch.matmul(weight, columns).numpy().astype(np.int64)
    return sums.reshape(out_channels, height, width) + layer.bias[:, None, None]


def _insert_zeros(x: np.ndarray, factor: int) -> np.ndarray:
    channels, height, width = x.shape
    spread = np.zeros((channels, (height - 1) * factor + 1, (width - 1) * factor + 1), dtype=x.dtype)
    spread[:, ::factor, ::factor] = x
    return spread


def _rescale(acc: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Divide channel ``o`` of ``acc`` ``[C, h, w]`` by ``2**shift[o]``, rounding half up."""
    shift = shift.astype(np.int64)[:, None, None]
    right = np.maximum(shift, 0)
    half = np.where(right > 0, np.left_shift(1, np.maximum(right - 1, 0)), 0)
    return np.right_shift(acc + half, right) << np.maximum(-shift, 0)


def table_indexes(log_scale: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Scale table index per element: how many integer ``thresholds`` ``[S-1]`` are <= it."""
    return np.searchsorted(thresholds, log_scale, side="right").astype(np.int64)
