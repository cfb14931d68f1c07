"""Latent coding: image pixels to the two coded streams and back, with the exact hyper path.

Three streams, in the order a decoder needs them: ``z`` symbols grouped by channel; the anchor
half of ``y`` (:func:`aecodec.codec.context.anchor_mask`), grouped by the scale-table index that
the integer ``h_s`` derives from ``ẑ``; then the other half, grouped by the index that the integer
checkerboard context derives from ``ẑ`` and the decoded anchors. Within a stream, symbols of one
table go in ``[M, h, w]`` raster order. Only ``g_a``, ``h_a`` and ``g_s`` run in floats (on any
device); table choices never depend on a float. Reading the symbols (:func:`read_latent`) never
touches ``g_s``.

Memory stays bounded on large images: ``g_a`` and ``g_s`` run in overlapping tiles
(:mod:`aecodec.codec.tiling`), the exact ``h_s`` and context in row bands, and per-element tables
are uint8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.codec.context import anchor_mask
from aecodec.codec.exact import Z_LIMIT, HyperParameters, apply_context, hyper_synthesis_bands, table_indexes
from aecodec.codec.fixed_point import OUTPUT_BITS
from aecodec.codec.rate import interpolate_levels, quality_to_position
from aecodec.codec.tiling import STRIDE, TILE, analyse_tiles, synthesise_tiles
from aecodec.codec.weights import InferenceModel

LATENT_STRIDE = STRIDE
PAD_MULTIPLE = 64
Y_LIMIT = 1 << 20
"""Largest latent residual magnitude coded; the encoder clips to it and the decoder rejects more."""


@dataclass(frozen=True)
class LatentStreams:
    """The coded hyper-latent, the latent's anchor half and its context-coded half."""

    hyper: bytes
    latent: bytes
    context: bytes

    @property
    def size(self) -> int:
        """Bytes of all three streams."""
        return len(self.hyper) + len(self.latent) + len(self.context)


@dataclass(frozen=True)
class LatentSymbols:
    """Integer symbols and their table ids, flattened ``[n]`` in coding order.

    ``z_values``/``z_tables`` are int64; ``y_values`` int32 or int64; ``y_tables`` the smallest
    unsigned type that holds the table count (uint8), which keeps large images small. The first
    ``anchor_count`` entries of ``y_values``/``y_tables`` are the anchor half, the rest the
    context-coded half, each in ``[M, h, w]`` raster order.
    """

    z_values: np.ndarray
    z_tables: np.ndarray
    y_values: np.ndarray
    y_tables: np.ndarray
    anchor_count: int


@dataclass(frozen=True)
class DecodedLatent:
    """What the streams say: their symbols and ``y_hat`` float32 ``[M, h, w]`` (before the gain)."""

    symbols: LatentSymbols
    y_hat: torch.Tensor


def latent_size(height: int, width: int) -> tuple[int, int]:
    """Latent rows and columns for an image of ``height`` × ``width`` pixels (padded to 64)."""
    return -(-height // PAD_MULTIPLE) * 4, -(-width // PAD_MULTIPLE) * 4


@dataclass(frozen=True)
class Latents:
    """Continuous latents before quantization: ``y`` ``[1, M, h, w]`` (encoder gain applied) and
    ``z`` ``[1, N, h/4, w/4]``, float32 on the device that made them."""

    y: torch.Tensor
    z: torch.Tensor


@dataclass(frozen=True)
class QuantizedLatent:
    """Symbols of some :class:`Latents` and, when asked for, the ``y_hat`` float32 ``[M, h, w]``
    the decoder will rebuild from them (the same values :func:`read_latent` returns)."""

    symbols: LatentSymbols
    y_hat: torch.Tensor | None


def analyse(model: InferenceModel, color: np.ndarray, quality: float, device: torch.device | str = "cpu",
            tile: int = TILE) -> LatentSymbols:
    """Symbols for uint8 ``color`` ``[H, W, 3]`` at ``quality``; ``g_a`` runs in tiles on ``device``."""
    return quantize(model, analysis_latents(model, color, quality, device, tile)).symbols


def analysis_latents(model: InferenceModel, color: np.ndarray, quality: float, device: torch.device | str = "cpu",
                     tile: int = TILE) -> Latents:
    """One pass of ``g_a`` (in tiles) and ``h_a`` over uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    gain = gain_vector(model.log_encoder_gain, quality, device)
    y = analyse_tiles(model.g_a, color, gain, device, tile)
    with torch.inference_mode():
        z = model.h_a.to(device)(y)
    return Latents(y, z)


def quantize(model: InferenceModel, latents: Latents, with_y_hat: bool = False) -> QuantizedLatent:
    """Round ``z``; round the anchors of ``y`` around the exact ``h_s`` mean, then the other half
    around the mean the exact context derives from those rounded anchors."""
    z_hat = torch.round(latents.z[0]).clamp(-Z_LIMIT, Z_LIMIT).to("cpu", torch.int64).numpy()
    residual, tables, mean = _rounded_latent(model, latents.y[0], z_hat, with_y_hat)
    anchors = anchor_mask(*residual.shape[1:])
    symbols = LatentSymbols(z_hat.ravel(), _channel_ids(z_hat.shape), _in_coding_order(residual, anchors),
                            _in_coding_order(tables, anchors), anchor_count=int(anchors.sum()) * residual.shape[0])
    return QuantizedLatent(symbols, None if mean is None else _dequantize(residual, mean))


def _rounded_latent(model: InferenceModel, y: torch.Tensor, z_hat: np.ndarray,
                    keep_mean: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Residuals int32 and table ids ``[M, h, w]`` of ``y`` ``[M, h, w]``, and the integer mean
    when ``keep_mean`` (whole-image parameters are dropped here otherwise, to bound memory)."""
    parameters = _hyper_parameters(model, z_hat)
    apply_context(parameters, _rounded_residual(y, parameters.mean), model.context_layers)
    residual = _rounded_residual(y, parameters.mean)
    tables = table_indexes(parameters.log_scale, model.scale_thresholds).astype(_table_dtype(model))
    return residual, tables, parameters.mean if keep_mean else None


def _in_coding_order(array: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """``array`` ``[M, h, w]`` flattened in coding order: every channel's anchors, then every
    channel's other positions, each in ``[M, h, w]`` raster order. Written in place, no copies."""
    flat = array.reshape(array.shape[0], -1)
    ordered = np.empty(flat.size, dtype=array.dtype)
    first = np.flatnonzero(anchors)
    split = first.size * array.shape[0]
    np.take(flat, first, axis=1, out=ordered[:split].reshape(array.shape[0], -1))
    np.take(flat, np.flatnonzero(~anchors), axis=1, out=ordered[split:].reshape(array.shape[0], -1))
    return ordered


def encode(model: InferenceModel, color: np.ndarray, quality: float, device: torch.device | str = "cpu",
           tile: int = TILE) -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    return code(model, analyse(model, color, quality, device, tile))


def code(model: InferenceModel, symbols: LatentSymbols) -> LatentStreams:
    """Entropy-code symbols from :func:`analyse` with the model's frozen tables."""
    anchors = slice(0, symbols.anchor_count)
    others = slice(symbols.anchor_count, None)
    return LatentStreams(
        hyper=encode_symbols(symbols.z_values, symbols.z_tables, model.z_tables),
        latent=encode_symbols(symbols.y_values[anchors], symbols.y_tables[anchors], model.y_tables),
        context=encode_symbols(symbols.y_values[others], symbols.y_tables[others], model.y_tables),
    )


def read_latent(model: InferenceModel, streams: LatentStreams, height: int, width: int) -> DecodedLatent:
    """Decode the symbols of an image of ``height`` × ``width`` pixels, with integer arithmetic only.

    Raises :class:`StreamError` for streams that cannot come from the encoder.
    """
    rows, cols = latent_size(height, width)
    z_shape = (model.z_tables.count, rows // 4, cols // 4)
    z_tables = _channel_ids(z_shape)
    z_values = decode_symbols(streams.hyper, z_tables, model.z_tables)
    if np.abs(z_values).max(initial=0) > Z_LIMIT:
        raise StreamError("hyper-latent out of range (corrupted file)")
    parameters = _hyper_parameters(model, z_values.reshape(z_shape))
    anchors = anchor_mask(rows, cols)
    residual = np.zeros(parameters.mean.shape, dtype=np.int32)
    anchor_tables = _read_half(model, streams.latent, parameters.log_scale, anchors, residual)
    apply_context(parameters, residual, model.context_layers)
    other_tables = _read_half(model, streams.context, parameters.log_scale, ~anchors, residual)
    symbols = LatentSymbols(z_values, z_tables, _in_coding_order(residual, anchors),
                            np.concatenate([anchor_tables, other_tables]), anchor_count=anchor_tables.size)
    return DecodedLatent(symbols, _dequantize(residual, parameters.mean))


def _read_half(model: InferenceModel, stream: bytes, log_scale: np.ndarray, where: np.ndarray,
               residual: np.ndarray) -> np.ndarray:
    """Decode the symbols at positions ``where`` ``[h, w]`` (every channel) into ``residual``
    ``[M, h, w]``; returns their table ids, flattened in coding order."""
    tables = table_indexes(log_scale[:, where], model.scale_thresholds).astype(_table_dtype(model)).ravel()
    values = decode_symbols(stream, tables, model.y_tables)
    if np.abs(values).max(initial=0) > Y_LIMIT:
        raise StreamError("latent out of range (corrupted file)")
    residual[:, where] = values.reshape(residual.shape[0], -1)
    return tables


def synthesise(model: InferenceModel, y_hat: torch.Tensor, quality: float, height: int, width: int,
               device: torch.device | str = "cpu", tile: int = TILE) -> np.ndarray:
    """Pixels uint8 ``[height, width, 3]`` from ``y_hat`` ``[M, h, w]``; ``g_s`` runs in tiles on ``device``."""
    gain = gain_vector(model.log_decoder_gain, quality, device)
    return synthesise_tiles(model.g_s, y_hat, gain, height, width, device, tile)


def decode(model: InferenceModel, streams: LatentStreams, quality: float, height: int, width: int,
           device: torch.device | str = "cpu", tile: int = TILE) -> np.ndarray:
    """Rebuild uint8 pixels ``[height, width, 3]`` from the streams."""
    y_hat = read_latent(model, streams, height, width).y_hat
    return synthesise(model, y_hat, quality, height, width, device, tile)


def _hyper_parameters(model: InferenceModel, z_hat: np.ndarray) -> HyperParameters:
    """The exact ``h_s`` mean and log-scale int32 ``[M, 4h, 4w]`` of ``z_hat`` ``[N, h, w]``, band by band."""
    channels = model.hyper_layers[-1].weight.shape[0] // 2
    shape = (channels, 4 * z_hat.shape[1], 4 * z_hat.shape[2])
    mean, log_scale = np.empty(shape, dtype=np.int32), np.empty(shape, dtype=np.int32)
    for rows, hyper in hyper_synthesis_bands(z_hat, model.hyper_layers):
        mean[:, rows] = hyper.mean
        log_scale[:, rows] = hyper.log_scale
    return HyperParameters(mean, log_scale)


def _rounded_residual(y: torch.Tensor, mean: np.ndarray) -> np.ndarray:
    """``round(y − mean)``, clipped to ``±Y_LIMIT``, as int32 ``[M, h, w]``, for ``y`` float
    ``[M, h, w]`` (any device) and an integer ``mean`` in units of ``2**-OUTPUT_BITS``."""
    residual = np.empty(mean.shape, dtype=np.int32)
    for start in range(0, mean.shape[1], 16):
        rows = slice(start, start + 16)
        band_mean = torch.from_numpy(mean[:, rows]).to(torch.float64) / (1 << OUTPUT_BITS)
        band = torch.round(y[:, rows].detach().to("cpu", torch.float64) - band_mean).clamp_(-Y_LIMIT, Y_LIMIT)
        residual[:, rows] = band.numpy()
    return residual


def _dequantize(residual: np.ndarray, mean: np.ndarray) -> torch.Tensor:
    """``ŷ = residual + mean`` as float32 ``[M, h, w]``, sixteen rows at a time."""
    y_hat = torch.empty(residual.shape, dtype=torch.float32)
    for start in range(0, residual.shape[1], 16):
        rows = slice(start, start + 16)
        exact = torch.from_numpy(residual[:, rows]).to(torch.float64)
        y_hat[:, rows] = exact + torch.from_numpy(mean[:, rows]).to(torch.float64) / (1 << OUTPUT_BITS)
    return y_hat


def _table_dtype(model: InferenceModel) -> np.dtype:
    """The smallest unsigned type that holds every y table id (uint8 for the shipped tables)."""
    return np.min_scalar_type(model.y_tables.count - 1)


def gain_vector(log_table: torch.Tensor, quality: float, device: torch.device | str) -> torch.Tensor:
    """The gains ``[1, M, 1, 1]`` on ``device`` that ``log_table`` ``[L, M]`` gives at ``quality``."""
    position = torch.tensor([quality_to_position(quality)], dtype=torch.float32)
    return interpolate_levels(log_table, position).exp()[:, :, None, None].to(device)


def _channel_ids(shape: tuple[int, ...]) -> np.ndarray:
    """Table id = channel index for every element of a ``[C, h, w]`` array, flattened."""
    channels = shape[0]
    return np.broadcast_to(np.arange(channels)[:, None, None], shape).ravel()
