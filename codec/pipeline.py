"""The encoder's side of latent coding and the torch synthesis: pixels to symbols and streams, and
``g_s`` on any device.

Only ``g_a``, ``h_a`` and ``g_s`` run in floats (on any device); table choices never depend on a
float. The symbols, streams and the exact reading of them live in :mod:`aecodec.codec.latent_coding`
(no torch); the CPU decoder in :mod:`aecodec.codec.decoder` uses NumPy's ``g_s`` instead of this one.

Memory stays bounded on large images: ``g_a`` and ``g_s`` run in overlapping tiles
(:mod:`aecodec.codec.tiling`), the exact ``h_s`` and context in row bands, and per-element tables
are uint8.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecodec.codec.checkerboard import anchor_mask
from aecodec.codec.decoder import pixels_from_latent
from aecodec.codec.entropy_models import scale_table
from aecodec.codec.exact import Z_LIMIT, HyperParameters, apply_context, table_indexes
from aecodec.codec.fixed_point import OUTPUT_BITS
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
from aecodec.codec.quality import quality_to_position
from aecodec.codec.rate import interpolate_levels
from aecodec.codec.rounding import DISTORTION_WEIGHT, rate_aware_round
from aecodec.codec.tiling import TILE, analyse_tiles, synthesise_tiles
from aecodec.codec.weights import InferenceModel

SCALES = scale_table()
"""The coding scale of each Gaussian table, ``[S]`` float64, indexed by table id."""


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
    y_hat: np.ndarray | None


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


def quantize(model: InferenceModel, latents: Latents, with_y_hat: bool = False,
             distortion_weight: float = DISTORTION_WEIGHT) -> QuantizedLatent:
    """Round ``z``; round the anchors of ``y`` around the exact ``h_s`` mean, then the other half
    around the mean the exact context derives from those rounded anchors (``y`` rate-aware, see
    :mod:`aecodec.codec.rounding`; ``distortion_weight`` as there)."""
    z_hat = torch.round(latents.z[0]).clamp(-Z_LIMIT, Z_LIMIT).to("cpu", torch.int64).numpy()
    residual, tables, mean = _rounded_latent(model, latents.y[0], z_hat, with_y_hat, distortion_weight)
    anchors = anchor_mask(*residual.shape[1:])
    symbols = LatentSymbols(z_hat.ravel(), channel_ids(z_hat.shape), in_coding_order(residual, anchors),
                            in_coding_order(tables, anchors), anchor_count=int(anchors.sum()) * residual.shape[0])
    return QuantizedLatent(symbols, None if mean is None else dequantize(residual, mean))


def _rounded_latent(model: InferenceModel, y: torch.Tensor, z_hat: np.ndarray, keep_mean: bool,
                    distortion_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Residuals int32 and table ids ``[M, h, w]`` of ``y`` ``[M, h, w]``, and the integer mean
    when ``keep_mean`` (whole-image parameters are dropped here otherwise, to bound memory)."""
    parameters = hyper_parameters(model, z_hat)
    thresholds = model.scale_thresholds
    apply_context(parameters, _rounded_residual(y, parameters, thresholds, distortion_weight), model.context_layers)
    residual = _rounded_residual(y, parameters, thresholds, distortion_weight)
    tables = table_indexes(parameters.log_scale, model.scale_thresholds).astype(table_dtype(model))
    return residual, tables, parameters.mean if keep_mean else None


def encode(model: InferenceModel, color: np.ndarray, quality: float, device: torch.device | str = "cpu",
           tile: int = TILE) -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``."""
    return code(model, analyse(model, color, quality, device, tile))


def synthesise(model: InferenceModel, y_hat: np.ndarray, quality: float, height: int, width: int,
               device: torch.device | str = "cpu", tile: int = TILE) -> np.ndarray:
    """Pixels uint8 ``[height, width, 3]`` from ``y_hat`` ``[M, h, w]``; ``g_s`` runs in tiles on ``device``."""
    gain = gain_vector(model.log_decoder_gain, quality, device)
    return synthesise_tiles(model.g_s, y_hat, gain, height, width, device, tile)


def decoded_pixels(model: InferenceModel, y_hat: np.ndarray, quality: float, height: int, width: int,
                   device: torch.device | str = "cpu") -> np.ndarray:
    """The pixels uint8 ``[height, width, 3]`` a decoder on ``device`` makes of ``y_hat`` ``[M, h, w]``:
    NumPy's ``g_s`` on the CPU (what :func:`aecodec.codec.decoding.decompress` runs there), torch's
    elsewhere. They differ by float rounding only, but an encoder that predicts the decoded image
    must pick the same one."""
    if torch.device(device).type != "cpu":
        return synthesise(model, y_hat, quality, height, width, device)
    return pixels_from_latent(model.decoder, y_hat, quality, height, width)


def decode(model: InferenceModel, streams: LatentStreams, quality: float, height: int, width: int,
           device: torch.device | str = "cpu", tile: int = TILE) -> np.ndarray:
    """Rebuild uint8 pixels ``[height, width, 3]`` from the streams."""
    y_hat = read_latent(model, streams, height, width).y_hat
    return synthesise(model, y_hat, quality, height, width, device, tile)


def _rounded_residual(y: torch.Tensor, parameters: HyperParameters, thresholds: np.ndarray,
                      distortion_weight: float) -> np.ndarray:
    """``y − mean`` rounded rate-aware under the scale tables the log-scales select, clipped to
    ``±Y_LIMIT``, as int32 ``[M, h, w]``, for ``y`` float ``[M, h, w]`` (any device) and the
    integer ``parameters`` (units of ``2**-OUTPUT_BITS``) with their table ``thresholds``."""
    mean = parameters.mean
    residual = np.empty(mean.shape, dtype=np.int32)
    for start in range(0, mean.shape[1], 16):
        rows = slice(start, start + 16)
        band_mean = torch.from_numpy(mean[:, rows]).to(torch.float64) / (1 << OUTPUT_BITS)
        sigma = torch.from_numpy(SCALES[table_indexes(parameters.log_scale[:, rows], thresholds)])
        band = rate_aware_round(y[:, rows].detach().to("cpu", torch.float64) - band_mean, sigma, distortion_weight)
        residual[:, rows] = band.clamp_(-Y_LIMIT, Y_LIMIT).numpy()
    return residual


def gain_vector(log_table: torch.Tensor, quality: float, device: torch.device | str) -> torch.Tensor:
    """The gains ``[1, M, 1, 1]`` on ``device`` that ``log_table`` ``[L, M]`` gives at ``quality``."""
    position = torch.tensor([quality_to_position(quality, log_table.shape[0])], dtype=torch.float32)
    return interpolate_levels(log_table, position).exp()[:, :, None, None].to(device)


