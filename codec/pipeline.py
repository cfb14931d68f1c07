"""The encoder's side of latent coding and the synthesis on any engine: pixels to symbols and
streams, and ``g_s`` for a given device (no torch on the CPU).

Only ``g_a``, ``h_a`` and ``g_s`` run in floats, on the engine of
:mod:`aecodec.codec.float_engines` that the device uses (onnxruntime on the CPU, torch on a GPU);
table choices never depend on a float. The symbols, streams and the exact reading of them live in
:mod:`aecodec.codec.latent_coding`.

Memory stays bounded on large images: ``g_a`` and ``g_s`` run in overlapping tiles
(:mod:`aecodec.codec.tiling`), the exact ``h_s`` and context in row bands, and per-element tables
are uint8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from aecodec.codec.checkerboard import anchor_mask
from aecodec.codec.decoder import DecoderModel, decoder_gain, pixels_from_latent
from aecodec.codec.exact import Z_LIMIT, HyperParameters, apply_context, table_indexes
from aecodec.codec.fixed_point import OUTPUT_BITS
from aecodec.codec.float_engines import engine_for
from aecodec.codec.latent_coding import (
    Y_LIMIT,
    LatentStreams,
    LatentSymbols,
    channel_ids,
    code,
    dequantize,
    hyper_parameters,
    in_coding_order,
    read_latent,
    table_dtype,
)
from aecodec.codec.quality import RateScale
from aecodec.codec.rounding import DISTORTION_WEIGHT, rate_aware_round
from aecodec.codec.scales import scale_table
from aecodec.codec.tile_grid import TILE
from aecodec.codec.tiling import analyse_tiles

SCALES = scale_table()
"""The coding scale of each Gaussian table, ``[S]`` float64, indexed by table id."""


class EncodingModel(Protocol):
    """What the effort-0 encoder reads from a model (:class:`aecodec.codec.encoder.EncoderModel`
    or :class:`aecodec.codec.weights.InferenceModel`): the decoder half, with every transform's
    engines, and the encoder gains' table float32 ``[L, M]``."""

    decoder: DecoderModel
    log_encoder_table: np.ndarray
    rate_scale: RateScale


@dataclass(frozen=True)
class Latents:
    """Continuous latents before quantization: ``y`` float32 ``[M, h, w]`` (encoder gain applied)
    and ``z`` float32 ``[N, h/4, w/4]``."""

    y: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class QuantizedLatent:
    """Symbols of some :class:`Latents` and, when asked for, the ``y_hat`` float32 ``[M, h, w]``
    the decoder will rebuild from them (the same values :func:`read_latent` returns)."""

    symbols: LatentSymbols
    y_hat: np.ndarray | None


def analyse(model: EncodingModel, color: np.ndarray, quality: float, device: str = "cpu",
            tile: int = TILE, engine: str | None = None) -> LatentSymbols:
    """Symbols for uint8 ``color`` ``[H, W, 3]`` at ``quality``; ``g_a`` runs in tiles on ``device``."""
    return quantize(model, analysis_latents(model, color, quality, device, tile, engine)).symbols


def analysis_latents(model: EncodingModel, color: np.ndarray, quality: float, device: str = "cpu",
                     tile: int = TILE, engine: str | None = None) -> Latents:
    """One pass of ``g_a`` (in tiles) and ``h_a`` over uint8 ``color`` ``[H, W, 3]`` at ``quality``,
    on ``engine`` (by default the one ``device`` uses)."""
    transforms = model.decoder.engines.get(engine or engine_for(device), device)
    gain = decoder_gain(model.log_encoder_table, quality)
    y = analyse_tiles(transforms.analysis, color, gain, tile)
    z = transforms.hyper_analysis(y[None])[0]
    return Latents(y, z)


def quantize(model: EncodingModel, latents: Latents, with_y_hat: bool = False,
             distortion_weight: float = DISTORTION_WEIGHT) -> QuantizedLatent:
    """Round ``z``; round the anchors of ``y`` around the exact ``h_s`` mean, then the other half
    around the mean the exact context derives from those rounded anchors (``y`` rate-aware, see
    :mod:`aecodec.codec.rounding`; ``distortion_weight`` as there)."""
    z_hat = np.clip(np.round(latents.z), -Z_LIMIT, Z_LIMIT).astype(np.int64)
    residual, tables, mean = _rounded_latent(model.decoder, latents.y, z_hat, with_y_hat, distortion_weight)
    anchors = anchor_mask(*residual.shape[1:])
    symbols = LatentSymbols(z_hat.ravel(), channel_ids(z_hat.shape), in_coding_order(residual, anchors),
                            in_coding_order(tables, anchors), anchor_count=int(anchors.sum()) * residual.shape[0])
    return QuantizedLatent(symbols, None if mean is None else dequantize(residual, mean))


def _rounded_latent(model: DecoderModel, y: np.ndarray, z_hat: np.ndarray, keep_mean: bool,
                    distortion_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Residuals int32 and table ids ``[M, h, w]`` of ``y`` ``[M, h, w]``, and the integer mean
    when ``keep_mean`` (whole-image parameters are dropped here otherwise, to bound memory)."""
    parameters = hyper_parameters(model, z_hat)
    thresholds = model.scale_thresholds
    apply_context(parameters, _rounded_residual(y, parameters, thresholds, distortion_weight), model.context_layers)
    residual = _rounded_residual(y, parameters, thresholds, distortion_weight)
    tables = table_indexes(parameters.log_scale, model.scale_thresholds).astype(table_dtype(model))
    return residual, tables, parameters.mean if keep_mean else None


def encode(model: EncodingModel, color: np.ndarray, quality: float, device: str = "cpu",
           tile: int = TILE, engine: str | None = None) -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    return code(model.decoder, analyse(model, color, quality, device, tile, engine))


def synthesise(model: EncodingModel | DecoderModel, y_hat: np.ndarray, quality: float, height: int, width: int,
               device: str = "cpu", tile: int = TILE, engine: str | None = None) -> np.ndarray:
    """Pixels uint8 ``[height, width, 3]`` from ``y_hat`` ``[M, h, w]``; ``g_s`` runs in tiles on
    ``engine`` (by default the one ``device`` uses: what a decoder there runs)."""
    decoder = model if isinstance(model, DecoderModel) else model.decoder
    return pixels_from_latent(decoder, y_hat, quality, height, width, tile, engine or engine_for(device), device)


decoded_pixels = synthesise
"""The pixels a decoder on ``device`` makes of ``y_hat``: an encoder that predicts the decoded
image (effort refinement) must run the same engine as that decoder."""


def decode(model: EncodingModel | DecoderModel, streams: LatentStreams, quality: float, height: int, width: int,
           device: str = "cpu", tile: int = TILE, engine: str | None = None) -> np.ndarray:
    """Rebuild uint8 pixels ``[height, width, 3]`` from the streams."""
    decoder = model if isinstance(model, DecoderModel) else model.decoder
    y_hat = read_latent(decoder, streams, height, width).y_hat
    return synthesise(decoder, y_hat, quality, height, width, device, tile, engine)


def _rounded_residual(y: np.ndarray, parameters: HyperParameters, thresholds: np.ndarray,
                      distortion_weight: float) -> np.ndarray:
    """``y − mean`` rounded rate-aware under the scale tables the log-scales select, clipped to
    ``±Y_LIMIT``, as int32 ``[M, h, w]``, for ``y`` float32 ``[M, h, w]`` and the integer
    ``parameters`` (units of ``2**-OUTPUT_BITS``) with their table ``thresholds``."""
    mean = parameters.mean
    residual = np.empty(mean.shape, dtype=np.int32)
    for start in range(0, mean.shape[1], 16):
        rows = slice(start, start + 16)
        band = y[:, rows].astype(np.float64) - mean[:, rows].astype(np.float64) / (1 << OUTPUT_BITS)
        tables = table_indexes(parameters.log_scale[:, rows], thresholds)
        residual[:, rows] = np.clip(rate_aware_round(band, tables, SCALES, distortion_weight), -Y_LIMIT, Y_LIMIT)
    return residual
