"""The exact hyper-synthesis: integer ``h_s`` that decides every probability table.

Convolutions run tap by tap: one float64 matrix product per kernel tap on integer values, summed.
Every product and every partial sum is an integer below ``2**53`` (weights < 2**11, activations
<= 2**14, hyper-latents clipped to ``Z_LIMIT``, fan-in < 2**13), so the result is the same in any
summation order, on any CPU, BLAS or thread count. A transposed stride-2 layer is computed
polyphase (each output phase from only the taps that meet real inputs), never on a zero-inserted
copy, so memory stays a small multiple of one layer's input and output. Rescaling between layers
is an integer arithmetic shift.

Large images run in row bands (:func:`hyper_synthesis_bands`): each band is computed with
``HALO_ROWS`` hyper-latent rows of context on either side, more than ``h_s`` reaches, so every
band is bit-identical to the same rows of the whole-image result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from aecodec.codec.fixed_point import ACTIVATION_BITS, ACTIVATION_LIMIT, OUTPUT_BITS

Z_LIMIT = 1 << 12
HALO_ROWS = 2
"""Hyper-latent rows of context above and below a band (``h_s`` reaches one; see the tests)."""
BAND_ROWS = 4
"""Hyper-latent rows per band: 16 latent rows, about 100 MB of int64 output at 8000 pixels wide."""


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


def hyper_synthesis_bands(z_hat: np.ndarray, layers: list[IntegerConv],
                          band_rows: int = BAND_ROWS) -> Iterator[tuple[slice, HyperParameters]]:
    """:func:`hyper_synthesis` in row bands: ``(output rows, that band's mean and log-scale)``.

    ``z_hat`` is int64 ``[N, h, w]``; ``band_rows`` counts its rows per band. Bands come top to
    bottom and together equal the whole-image result exactly.
    """
    if band_rows < 1:
        raise ValueError("band_rows must be positive")
    scale = int(np.prod([layer.upsample for layer in layers]))
    height = z_hat.shape[1]
    for start in range(0, height, band_rows):
        stop = min(start + band_rows, height)
        low, high = max(start - HALO_ROWS, 0), min(stop + HALO_ROWS, height)
        part = hyper_synthesis(z_hat[:, low:high], layers)
        keep = slice((start - low) * scale, (stop - low) * scale)
        yield slice(start * scale, stop * scale), HyperParameters(part.mean[:, keep], part.log_scale[:, keep])


def _accumulate(x: np.ndarray, layer: IntegerConv) -> np.ndarray:
    """Exact integer convolution plus bias: int64 ``[in, h, w]`` to int64 ``[out, h', w']``.

    The result of zero insertion (``layer.upsample``), padding and a stride-1 correlation, computed
    per output phase from only the taps that land on real inputs.
    """
    out_channels, in_channels, kernel, _ = layer.weight.shape
    out_h, out_w = _output_length(x.shape[1], layer), _output_length(x.shape[2], layer)
    source = torch.from_numpy(np.pad(x, ((0, 0), (kernel, kernel), (kernel, kernel))).astype(np.float64))
    weight = torch.from_numpy(layer.weight.astype(np.float64))
    sums = torch.zeros(out_channels, out_h, out_w, dtype=torch.float64)
    for row_phase, rows, row_taps in _phases(x.shape[1], layer):
        for col_phase, cols, col_taps in _phases(x.shape[2], layer):
            target = sums[:, row_phase :: layer.upsample, col_phase :: layer.upsample]
            for tap_y, offset_y in row_taps:
                for tap_x, offset_x in col_taps:
                    top, left = kernel + offset_y, kernel + offset_x
                    window = source[:, top : top + rows, left : left + cols].reshape(in_channels, -1)
                    target += torch.matmul(weight[:, :, tap_y, tap_x], window).view(out_channels, rows, cols)
    return sums.numpy().astype(np.int64) + layer.bias[:, None, None]


def _output_length(length: int, layer: IntegerConv) -> int:
    """Output length along an axis of ``length`` inputs."""
    kernel = layer.weight.shape[2]
    return (length - 1) * layer.upsample + 1 + layer.pad_before + layer.pad_after - kernel + 1


def _phases(length: int, layer: IntegerConv) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Per output phase ``r`` along an axis: its output count and its ``(tap, input offset)`` pairs.

    Output ``o = u q + r`` reads zero-inserted position ``o + tap - pad_before``, which is the real
    input ``q + offset`` exactly when it is a multiple of ``u``; other positions read zero.
    """
    factor, kernel = layer.upsample, layer.weight.shape[2]
    total = _output_length(length, layer)
    phases = []
    for phase in range(min(factor, total)):
        taps = [(tap, (phase + tap - layer.pad_before) // factor) for tap in range(kernel)
                if (phase + tap - layer.pad_before) % factor == 0]
        phases.append((phase, len(range(phase, total, factor)), taps))
    return phases


def _rescale(acc: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Divide channel ``o`` of ``acc`` ``[C, h, w]`` by ``2**shift[o]``, rounding half up."""
    shift = shift.astype(np.int64)[:, None, None]
    right = np.maximum(shift, 0)
    half = np.where(right > 0, np.left_shift(1, np.maximum(right - 1, 0)), 0)
    return np.right_shift(acc + half, right) << np.maximum(-shift, 0)


def table_indexes(log_scale: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Scale table index per element: how many integer ``thresholds`` ``[S-1]`` are <= it."""
    return np.searchsorted(thresholds, log_scale, side="right").astype(np.int64)
