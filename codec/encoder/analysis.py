"""The effort-0 encoder: pixels to latents to symbols to streams (no torch on the CPU).

Only ``g_a`` and ``h_a`` run in floats, in tiles (:mod:`aecodec.codec.engines.tiling`) on the
engine the device uses (onnxruntime on the CPU, torch on a GPU); table choices never depend on a
float. The symbols come from the checkerboard latent codec
(:func:`aecodec.codec.decoder.checkerboard.quantize_latent`) with rate-aware rounding
(:mod:`aecodec.codec.encoder.rounding`). Memory stays bounded on large images: ``g_a`` runs in
overlapping tiles, the exact ``h_s`` and context in row bands, and per-element tables are uint8.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np

from aecodec.codec.decoder.checkerboard import BAND_ROWS, Y_LIMIT, LatentStreams, LatentSymbols, code, quantize_latent
from aecodec.codec.decoder.exact import OUTPUT_BITS, HyperParameters, table_indexes
from aecodec.codec.decoder.model import DecoderModel, decoder_gain
from aecodec.codec.encoder.rounding import DISTORTION_WEIGHT, rate_aware_round
from aecodec.codec.engines.base import engine_for
from aecodec.codec.engines.tiling import TILE, analyse_tiles
from aecodec.codec.gaussian import scale_table
from aecodec.codec.quality import RateScale

SCALES = scale_table()
"""The coding scale of each Gaussian table, ``[S]`` float64, indexed by table id."""


class EncodingModel(Protocol):
    """What the effort-0 encoder reads from a model (:class:`aecodec.codec.encoder.model.EncoderModel`
    or :class:`aecodec.codec.model.inference.InferenceModel`): the decoder half, with every transform's
    engines, and the encoder gains' table float32 ``[L, M]``."""

    @property
    def decoder(self) -> DecoderModel: ...

    @property
    def log_encoder_table(self) -> np.ndarray: ...

    @property
    def rate_scale(self) -> RateScale: ...


@dataclass(frozen=True)
class Latents:
    """Continuous latents before quantization: ``y`` float32 ``[M, h, w]`` (encoder gain applied)
    and ``z`` float32 ``[N, h/4, w/4]``."""

    y: np.ndarray
    z: np.ndarray


@dataclass(frozen=True)
class QuantizedLatent:
    """Symbols of some :class:`Latents` and, when asked for, the ``y_hat`` float32 ``[M, h, w]``
    the decoder will rebuild from them (the same values ``read_latent`` returns)."""

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
    :mod:`aecodec.codec.encoder.rounding`; ``distortion_weight`` as there)."""
    rounding = partial(_rounded_residual, thresholds=model.decoder.scale_thresholds,
                       distortion_weight=distortion_weight)
    symbols, y_hat = quantize_latent(model.decoder, latents.y, latents.z, rounding, with_y_hat)
    return QuantizedLatent(symbols, y_hat)


def encode(model: EncodingModel, color: np.ndarray, quality: float, device: str = "cpu",
           tile: int = TILE, engine: str | None = None) -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    return code(model.decoder, analyse(model, color, quality, device, tile, engine))


def _rounded_residual(y: np.ndarray, parameters: HyperParameters, thresholds: np.ndarray,
                      distortion_weight: float) -> np.ndarray:
    """``y − mean`` rounded rate-aware under the scale tables the log-scales select, clipped to
    ``±Y_LIMIT``, as int32 ``[M, h, w]``, for ``y`` float32 ``[M, h, w]`` and the integer
    ``parameters`` (units of ``2**-OUTPUT_BITS``) with their table ``thresholds``."""
    mean = parameters.mean
    residual = np.empty(mean.shape, dtype=np.int32)
    for start in range(0, mean.shape[1], BAND_ROWS):
        rows = slice(start, start + BAND_ROWS)
        band = y[:, rows].astype(np.float64) - mean[:, rows].astype(np.float64) / (1 << OUTPUT_BITS)
        tables = table_indexes(parameters.log_scale[:, rows], thresholds)
        residual[:, rows] = np.clip(rate_aware_round(band, tables, SCALES, distortion_weight), -Y_LIMIT, Y_LIMIT)
    return residual
