"""The exact parameter path: integer layers for ``h_s`` and the checkerboard context, which decide
every probability table, and the fixed-point conventions they share with training.

Fixed point: every activation is an integer count of ``2**-ACTIVATION_BITS`` (means and
log-scales of ``2**-OUTPUT_BITS``); every weight an integer of at most ``WEIGHT_BITS`` signed bits
counting ``2**-shift``, one power-of-two ``shift`` per output channel; biases live at the
accumulator's scale. Training rounds the same way (straight-through, :mod:`aecodec.codec.model.fixed_point`),
so this path computes what the network was trained to compute; the conversion between the two is
:mod:`aecodec.codec.model.integer_layers`.

Convolutions are float64 matrix products on integer values (one per output phase, its taps
stacked). Every product and every partial sum is an integer below ``2**53`` (weights < 2**11,
activations and context inputs <= 2**14, hyper-latents clipped to ``Z_LIMIT``, fan-in < 2**13),
so the result is the same in any summation order, on any CPU, BLAS, engine or thread count. The
products run on onnxruntime's own kernel (:func:`aecodec.codec.engines.onnx_engine.float64_product`),
whose speed does not depend on the BLAS that NumPy was built with. A transposed stride-2 layer
is computed polyphase (each output phase from only the taps that meet real inputs), never on a
zero-inserted copy, so memory stays a small multiple of one layer's input and output; taps whose
weights are all zero (the context's masked taps) are skipped. Rescaling between layers is an
integer arithmetic shift.

Large images run in row bands (:func:`hyper_synthesis_bands`, and the context in
:func:`aecodec.codec.decoder.checkerboard.apply_context`): each band is computed with enough rows
of context on either side (``HALO_ROWS`` hyper-latent rows for ``h_s``), so every band is
bit-identical to the same rows of the whole-image result. The module imports neither torch nor
onnxruntime (the product's engine loads on first use), so training and export can read its records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

ACTIVATION_BITS = 6
"""Fractional bits of every hidden activation."""
OUTPUT_BITS = 6
"""Fractional bits of the means and log-scales."""
WEIGHT_BITS = 12
"""Signed bits of a stored weight."""
ACTIVATION_LIMIT = 256
"""Cap of the ReLU and clip of every input, which bounds every integer sum."""
MAX_WEIGHT_SHIFT = 24
"""Largest power-of-two scale of a weight."""
Z_LIMIT = 1 << 12
HALO_ROWS = 2
"""Hyper-latent rows of context above and below a band (``h_s`` reaches one; see the tests)."""
BAND_OUTPUT_BYTES = 25 << 20
"""int64 ``h_s`` output one band keeps: 4 hyper-latent rows (16 latent rows) at 8000 pixels wide,
about 100 MB with its halo and float64 sums; an image 768 pixels wide is a single band."""
MAX_FAN_IN = 1 << 13
"""Bound on a layer's inputs per output (channels × taps): with weights below 2**11 and inputs at
most 2**14, every sum stays below 2**53, where float64 adds integers exactly."""
PARAMETER_LIMIT = (1 << 30) - 1
"""Largest magnitude of a mean or log-scale (units of ``2**-OUTPUT_BITS``); far beyond any real one."""
PRODUCT_COLUMNS = 4096
"""Positions per float64 product: the stacked windows of ``h_s``'s 3×3 layer (9 taps × 288
channels) are then 85 MB at most, whatever the image size."""


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

    def __post_init__(self) -> None:
        """Refuse a layer whose sums could leave the range where float64 is exact."""
        fan_in = int(np.prod(self.weight.shape[1:]))
        if fan_in >= MAX_FAN_IN:
            raise ValueError(f"an integer layer with {fan_in} inputs per output (at most {MAX_FAN_IN - 1})")
        if np.abs(self.weight).max(initial=0) >= 1 << (WEIGHT_BITS - 1):
            raise ValueError(f"an integer layer with weights beyond {WEIGHT_BITS} signed bits")


@dataclass(frozen=True)
class HyperParameters:
    """Integer mean ``[M, h, w]`` in units of ``2**-OUTPUT_BITS`` and log-scale in the same units,
    both within ``±PARAMETER_LIMIT`` (int64 from the layers, int32 where whole images are kept)."""

    mean: np.ndarray
    log_scale: np.ndarray


def hyper_synthesis(z_hat: np.ndarray, layers: list[IntegerConv]) -> HyperParameters:
    """Run the integer ``h_s`` on ``z_hat`` int64 ``[N, h, w]`` (values within ``±Z_LIMIT``)."""
    if np.abs(z_hat).max(initial=0) > Z_LIMIT:
        raise ValueError("hyper-latent outside the exact range")
    x = hidden_layer(z_hat.astype(np.int64), layers[0], input_bits=0)
    for layer in layers[1:-1]:
        x = hidden_layer(x, layer)
    mean, log_scale = np.split(stored(output_layer(x, layers[-1])), 2, axis=0)
    return HyperParameters(mean, log_scale)


def stored(x: np.ndarray) -> np.ndarray:
    """Clip a mean or log-scale to ``±PARAMETER_LIMIT``, so it fits the int32 arrays that hold them."""
    return np.clip(x, -PARAMETER_LIMIT, PARAMETER_LIMIT)


def hidden_layer(x: np.ndarray, layer: IntegerConv, input_bits: int = ACTIVATION_BITS) -> np.ndarray:
    """A layer followed by the capped ReLU, at ``ACTIVATION_BITS``: int64 ``[in, h, w]`` to ``[out, h', w']``."""
    x = _rescale(_accumulate(x, layer), layer.shift + input_bits - ACTIVATION_BITS)
    return np.clip(x, 0, ACTIVATION_LIMIT << ACTIVATION_BITS)


def output_layer(x: np.ndarray, layer: IntegerConv) -> np.ndarray:
    """A last layer, rescaled to ``OUTPUT_BITS``, no activation."""
    return _rescale(_accumulate(x, layer), layer.shift + ACTIVATION_BITS - OUTPUT_BITS)


def bounded(x: np.ndarray) -> np.ndarray:
    """Clip to ``±ACTIVATION_LIMIT`` in units of ``2**-ACTIVATION_BITS`` (the training clamp)."""
    limit = ACTIVATION_LIMIT << ACTIVATION_BITS
    return np.clip(x, -limit, limit)


def hyper_synthesis_bands(z_hat: np.ndarray, layers: list[IntegerConv],
                          band_rows: int | None = None) -> Iterator[tuple[slice, HyperParameters]]:
    """:func:`hyper_synthesis` in row bands: ``(output rows, that band's mean and log-scale)``.

    ``z_hat`` is int64 ``[N, h, w]``; ``band_rows`` counts its rows per band (by default as many
    as keep a band's output within ``BAND_OUTPUT_BYTES``: fewer bands recompute fewer halo rows).
    Bands come top to bottom and together equal the whole-image result exactly.
    """
    scale = int(np.prod([layer.upsample for layer in layers]))
    if band_rows is None:
        row_bytes = layers[-1].weight.shape[0] * scale * scale * z_hat.shape[2] * np.dtype(np.int64).itemsize
        band_rows = max(1, BAND_OUTPUT_BYTES // max(row_bytes, 1))
    if band_rows < 1:
        raise ValueError("band_rows must be positive")
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
    per output phase from only the taps that land on real inputs. The input is zero-bordered and
    flattened row by row, so a tap's shifted window is a plain slice over the bordered width; each
    phase is one float64 product of its taps' weights ``[out, taps · in]`` with their windows
    stacked (``PRODUCT_COLUMNS`` positions at a time, in one buffer reused by every phase), and the
    border columns are dropped after.
    """
    out_channels, in_channels, kernel, _ = layer.weight.shape
    out_h, out_w = _output_length(x.shape[1], layer), _output_length(x.shape[2], layer)
    source = np.zeros((in_channels, x.shape[1] + 2 * kernel + 1, x.shape[2] + 2 * kernel), dtype=np.float64)
    source[:, kernel : kernel + x.shape[1], kernel : kernel + x.shape[2]] = x
    width = source.shape[2]
    flat = source.reshape(in_channels, -1)
    sums = np.empty((out_channels, out_h, out_w), dtype=np.float64)
    live = np.any(layer.weight != 0, axis=(0, 1))
    windows = _Windows()
    for row_phase, rows, row_taps in _phases(x.shape[1], layer):
        for col_phase, cols, col_taps in _phases(x.shape[2], layer):
            taps = [(tap_y, tap_x, (kernel + offset_y) * width + kernel + offset_x)
                    for tap_y, offset_y in row_taps for tap_x, offset_x in col_taps if live[tap_y, tap_x]]
            phase = _phase_product(flat, layer.weight, taps, rows * width, windows)
            target = sums[:, row_phase :: layer.upsample, col_phase :: layer.upsample]
            target[...] = phase.reshape(out_channels, rows, width)[:, :, :cols]
    return sums.astype(np.int64) + layer.bias[:, None, None]


class _Windows:
    """One float64 buffer for the stacked windows of every phase of a layer (fresh arrays of tens
    of MB would each cost their page faults again)."""

    def __init__(self) -> None:
        self._buffer = np.empty(0, dtype=np.float64)

    def get(self, rows: int, columns: int) -> np.ndarray:
        """A ``[rows, columns]`` float64 view of the buffer (contents undefined)."""
        if self._buffer.size < rows * columns:
            self._buffer = np.empty(rows * columns, dtype=np.float64)
        return self._buffer[: rows * columns].reshape(rows, columns)


def _phase_product(flat: np.ndarray, weight: np.ndarray, taps: list[tuple[int, int, int]], count: int,
                   windows: _Windows) -> np.ndarray:
    """``Σ_taps weight[:, :, tap] @ flat[:, start : start + count]`` as float64 ``[out, count]``:
    one product per block of ``PRODUCT_COLUMNS`` positions, the windows stacked along the inner axis."""
    out_channels, in_channels = weight.shape[:2]
    if not taps:
        return np.zeros((out_channels, count), dtype=np.float64)
    stacked_weight = np.concatenate([weight[:, :, tap_y, tap_x] for tap_y, tap_x, _ in taps], axis=1).astype(np.float64)
    phase = np.empty((out_channels, count), dtype=np.float64)
    for first in range(0, count, PRODUCT_COLUMNS):
        last = min(first + PRODUCT_COLUMNS, count)
        stacked = windows.get(len(taps) * in_channels, last - first)
        for index, (_, _, start) in enumerate(taps):
            stacked[index * in_channels : (index + 1) * in_channels] = flat[:, start + first : start + last]
        phase[:, first:last] = float64_product(stacked_weight, stacked)
    return phase


def float64_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` for float64 ``[m, k]`` and ``[k, n]`` on onnxruntime's kernel, imported on first use
    (:func:`aecodec.codec.engines.onnx_engine.float64_product`; exact on the integer values here)."""
    from aecodec.codec.engines import onnx_engine

    return onnx_engine.float64_product(a, b)


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
