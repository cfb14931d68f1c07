"""What decoding needs, without torch: the exact entropy path, the frozen tables and a NumPy ``g_s``.

:func:`load_decoder_model` builds it from an exported weights file without importing torch, so the
command-line decoder saves torch's start-up (about 2.5 s of a decode on a small CPU).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecodec.bitstream.tables import TableSet
from aecodec.codec.exact import IntegerConv
from aecodec.codec.latent_coding import LatentStreams, read_latent
from aecodec.codec.numpy_synthesis import SynthesisWeights, synthesis_weights, synthesise_pixels
from aecodec.codec.quality import quality_to_position
from aecodec.codec.tile_grid import TILE
from aecodec.codec.weights_file import (
    WeightsFile,
    context_layers_from,
    float_arrays,
    integer_layers_from,
    read_weights,
    tables_from,
)


@dataclass(frozen=True)
class DecoderModel:
    """The decoder's half of a model: ``synthesis`` (``g_s``), ``log_decoder_gain`` float32
    ``[L, M]``, the exact ``h_s`` and context layers, the frozen tables, ``scale_thresholds`` int64
    ``[S - 1]`` and ``weights_hash`` (the first bytes of the weights file's SHA-256)."""

    synthesis: SynthesisWeights
    log_decoder_gain: np.ndarray
    hyper_layers: list[IntegerConv]
    context_layers: list[IntegerConv]
    z_tables: TableSet
    y_tables: TableSet
    scale_thresholds: np.ndarray
    weights_hash: bytes


def load_decoder_model(path: Path, expected_sha256: str | None = None) -> DecoderModel:
    """Read the decoder from an exported ``.npz`` (checked against ``expected_sha256`` when given,
    see :func:`aecodec.codec.weights_file.read_weights`)."""
    return decoder_from(read_weights(path, expected_sha256))


def decoder_from(weights: WeightsFile) -> DecoderModel:
    """The :class:`DecoderModel` of a read weights file."""
    arrays = weights.arrays
    return DecoderModel(
        synthesis=synthesis_weights(float_arrays(arrays, "g_s")),
        log_decoder_gain=arrays["gains.log_decoder"].astype(np.float32),
        hyper_layers=integer_layers_from(arrays, "h_s"),
        context_layers=context_layers_from(arrays),
        z_tables=tables_from(arrays, "z_tables"),
        y_tables=tables_from(arrays, "y_tables"),
        scale_thresholds=arrays["scale_thresholds"].astype(np.int64),
        weights_hash=weights.weights_hash,
    )


def decode_pixels(model: DecoderModel, streams: LatentStreams, quality: float, height: int, width: int,
                  tile: int = TILE) -> np.ndarray:
    """Rebuild uint8 pixels ``[height, width, 3]`` from the streams, on the CPU, without torch."""
    return pixels_from_latent(model, read_latent(model, streams, height, width).y_hat, quality, height, width, tile)


def pixels_from_latent(model: DecoderModel, y_hat: np.ndarray, quality: float, height: int, width: int,
                       tile: int = TILE) -> np.ndarray:
    """uint8 ``[height, width, 3]`` from ``y_hat`` float32 ``[M, h, w]``: the gains at ``quality``,
    then NumPy's ``g_s`` in tiles."""
    return synthesise_pixels(model.synthesis, y_hat, decoder_gain(model.log_decoder_gain, quality), height, width, tile)


def decoder_gain(log_table: np.ndarray, quality: float) -> np.ndarray:
    """The decoder gains float32 ``[M]`` at ``quality``: ``log_table`` ``[L, M]`` interpolated
    linearly between levels (as :func:`aecodec.codec.rate.interpolate_levels`), then exponentiated."""
    levels = log_table.shape[0]
    position = np.float32(quality_to_position(quality, levels))
    lower = int(np.clip(np.floor(position), 0, levels - 2))
    fraction = position - np.float32(lower)
    return np.exp(log_table[lower] * (np.float32(1) - fraction) + log_table[lower + 1] * fraction)
