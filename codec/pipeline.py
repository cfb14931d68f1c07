"""Latent coding: image pixels to the two coded streams and back, with the exact hyper path.

Encoder and decoder share the order: ``z`` symbols grouped by channel, then ``y`` symbols grouped
by the scale-table index that the integer ``h_s`` derives from ``ẑ``. Only ``g_a``, ``h_a`` and
``g_s`` run in floats (on any device); table choices never depend on a float. Reading the symbols
(:func:`read_latent`) never touches ``g_s``.

Memory stays bounded on large images: ``g_a`` and ``g_s`` run in overlapping tiles
(:mod:`aecodec.codec.tiling`), the exact ``h_s`` in row bands, and per-element tables are uint8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.codec.exact import Z_LIMIT, hyper_synthesis_bands, table_indexes
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
    """The coded hyper-latent and latent."""

    hyper: bytes
    latent: bytes


@dataclass(frozen=True)
class LatentSymbols:
    """Integer symbols and their table ids, flattened ``[n]`` in coding order.

    ``z_values``/``z_tables`` are int64; ``y_values`` int32 or int64; ``y_tables`` the smallest
    unsigned type that holds the table count (uint8), which keeps large images small.
    """

    z_values: np.ndarray
    z_tables: np.ndarray
    y_values: np.ndarray
    y_tables: np.ndarray


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
    """Round ``z``, run the exact ``h_s`` band by band and round ``y`` around its integer mean."""
    y = latents.y
    z_hat = torch.round(latents.z[0]).clamp(-Z_LIMIT, Z_LIMIT).to("cpu", torch.int64).numpy()
    residual = np.empty(y.shape[1:], dtype=np.int32)
    y_tables = np.empty(y.shape[1:], dtype=_table_dtype(model))
    mean = np.empty(y.shape[1:], dtype=np.int64) if with_y_hat else None
    for rows, hyper in hyper_synthesis_bands(z_hat, model.hyper_layers):
        band_mean = torch.from_numpy(hyper.mean).to(torch.float64) / (1 << OUTPUT_BITS)
        band = torch.round(y[0, :, rows].detach().to("cpu", torch.float64) - band_mean).clamp_(-Y_LIMIT, Y_LIMIT)
        residual[:, rows] = band.numpy()
        y_tables[:, rows] = table_indexes(hyper.log_scale, model.scale_thresholds)
        if mean is not None:
            mean[:, rows] = hyper.mean
    symbols = LatentSymbols(z_hat.ravel(), _channel_ids(z_hat.shape), residual.ravel(), y_tables.ravel())
    return QuantizedLatent(symbols, None if mean is None else _dequantize(residual, mean))


def encode(model: InferenceModel, color: np.ndarray, quality: float, device: torch.device | str = "cpu",
           tile: int = TILE) -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    return code(model, analyse(model, color, quality, device, tile))


def code(model: InferenceModel, symbols: LatentSymbols) -> LatentStreams:
    """Entropy-code symbols from :func:`analyse` with the model's frozen tables."""
    return LatentStreams(
        hyper=encode_symbols(symbols.z_values, symbols.z_tables, model.z_tables),
        latent=encode_symbols(symbols.y_values, symbols.y_tables, model.y_tables),
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
    y_tables, mean = _hyper_outputs(model, z_values.reshape(z_shape))
    y_values = decode_symbols(streams.latent, y_tables.ravel(), model.y_tables)
    if np.abs(y_values).max(initial=0) > Y_LIMIT:
        raise StreamError("latent out of range (corrupted file)")
    y_hat = _dequantize(y_values.reshape(y_tables.shape), mean)
    return DecodedLatent(LatentSymbols(z_values, z_tables, y_values, y_tables.ravel()), y_hat)


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


def _hyper_outputs(model: InferenceModel, z_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Table ids (uint8) and integer means (int64), both ``[M, h, w]``, computed band by band."""
    channels = model.hyper_layers[-1].weight.shape[0] // 2
    shape = (channels, 4 * z_hat.shape[1], 4 * z_hat.shape[2])
    tables, mean = np.empty(shape, dtype=_table_dtype(model)), np.empty(shape, dtype=np.int64)
    for rows, hyper in hyper_synthesis_bands(z_hat, model.hyper_layers):
        tables[:, rows] = table_indexes(hyper.log_scale, model.scale_thresholds)
        mean[:, rows] = hyper.mean
    return tables, mean


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
