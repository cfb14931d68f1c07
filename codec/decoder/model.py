"""The decoder's model, without torch: the exact entropy path, the frozen tables and ``g_s`` on
an engine of :mod:`aecodec.codec.engines` (onnxruntime by default), and the pixels it makes.

:func:`load_decoder_model` builds it from an exported weights file without importing torch, so the
command-line decoder saves torch's start-up (about 2.5 s of a decode on a small CPU).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from aecodec.bitstream.tables import TableSet
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
from aecodec.codec.decoder.exact import IntegerConv
from aecodec.codec.engines.base import EngineCache, FloatParameters, engine_for
from aecodec.codec.engines.tiling import TILE, synthesise_tiles
from aecodec.codec.quality import quality_to_position
from aecodec.codec.weights.file import (
    WeightsFile,
    context_layers_from,
    float_arrays,
    integer_layers_from,
    read_weights,
    tables_from,
)


@dataclass(frozen=True)
class DecoderModel:
    """The decoder's half of a model: ``engines`` (``g_s`` on every engine, and ``g_a``/``h_a``
    too where the weights file has them), ``log_decoder_gain`` float32 ``[L, M]``, the exact
    ``h_s`` and context layers, the frozen tables, ``scale_thresholds`` int64 ``[S - 1]`` and
    ``weights_hash`` (the first bytes of the weights file's SHA-256)."""

    engines: EngineCache = field(compare=False)
    log_decoder_gain: np.ndarray
    hyper_layers: list[IntegerConv]
    context_layers: list[IntegerConv]
    z_tables: TableSet
    y_tables: TableSet
    scale_thresholds: np.ndarray
    weights_hash: bytes


def load_decoder_model(path: Path, expected_sha256: str | None = None) -> DecoderModel:
    """Read the decoder from an exported ``.npz`` (checked against ``expected_sha256`` when given,
    see :func:`aecodec.codec.weights.file.read_weights`)."""
    return decoder_from(read_weights(path, expected_sha256))


def decoder_from(weights: WeightsFile, with_encoder: bool = False) -> DecoderModel:
    """The :class:`DecoderModel` of a read weights file; its engines hold ``g_a`` and ``h_a`` too
    when ``with_encoder`` (a decoder alone does not convert them)."""
    arrays = weights.arrays
    return DecoderModel(
        engines=EngineCache(float_parameters(arrays, with_encoder)),
        log_decoder_gain=arrays["gains.log_decoder"].astype(np.float32),
        hyper_layers=integer_layers_from(arrays, "h_s"),
        context_layers=context_layers_from(arrays),
        z_tables=tables_from(arrays, "z_tables"),
        y_tables=tables_from(arrays, "y_tables"),
        scale_thresholds=arrays["scale_thresholds"].astype(np.int64),
        weights_hash=weights.weights_hash,
    )


def float_parameters(arrays: dict[str, np.ndarray], with_encoder: bool = True) -> FloatParameters:
    """The float transforms' parameters in a weights file's arrays (``g_a``/``h_a`` None unless
    ``with_encoder``, or where a decoder-only file lacks them)."""
    encoder = {name: float_arrays(arrays, name) if with_encoder and any(key.startswith(name + ".") for key in arrays)
               else None for name in ("g_a", "h_a")}
    return FloatParameters(float_arrays(arrays, "g_s"), **encoder)


class WithDecoder(Protocol):
    """A model that holds a decoder (:class:`aecodec.codec.encoder.model.EncoderModel`,
    :class:`aecodec.codec.model.inference.InferenceModel`)."""

    @property
    def decoder(self) -> DecoderModel: ...


class DecoderParts:
    """Base of a model that holds a ``decoder``: hands on the decoder's exact layers, tables and
    identity, so that the model codes symbols as the decoder reads them."""

    decoder: DecoderModel

    @property
    def hyper_layers(self) -> list[IntegerConv]:
        return self.decoder.hyper_layers

    @property
    def context_layers(self) -> list[IntegerConv]:
        return self.decoder.context_layers

    @property
    def z_tables(self) -> TableSet:
        return self.decoder.z_tables

    @property
    def y_tables(self) -> TableSet:
        return self.decoder.y_tables

    @property
    def scale_thresholds(self) -> np.ndarray:
        return self.decoder.scale_thresholds

    @property
    def weights_hash(self) -> bytes:
        return self.decoder.weights_hash


def decoder_of(model: DecoderModel | WithDecoder) -> DecoderModel:
    """``model`` itself if it is a decoder, else the decoder it holds."""
    return model if isinstance(model, DecoderModel) else model.decoder


def decode_pixels(model: DecoderModel | WithDecoder, streams: LatentStreams, quality: float, height: int,
                  width: int, device: str = "cpu", tile: int = TILE, engine: str | None = None) -> np.ndarray:
    """Rebuild uint8 pixels ``[height, width, 3]`` from the streams: the symbols on the CPU, ``g_s``
    on ``engine`` (by default the one ``device`` uses)."""
    decoder = decoder_of(model)
    y_hat = read_latent(decoder, streams, height, width).y_hat
    return synthesise(decoder, y_hat, quality, height, width, device, tile, engine)


def synthesise(model: DecoderModel | WithDecoder, y_hat: np.ndarray, quality: float, height: int, width: int,
               device: str = "cpu", tile: int = TILE, engine: str | None = None) -> np.ndarray:
    """uint8 ``[height, width, 3]`` from ``y_hat`` float32 ``[M, h, w]``: the gains at ``quality``,
    then ``g_s`` in tiles on ``engine`` (by default the one ``device`` uses: what a decoder there
    runs, so an encoder that predicts the decoded image runs it too)."""
    decoder = decoder_of(model)
    synthesis = decoder.engines.get(engine or engine_for(device), device).synthesis
    return synthesise_tiles(synthesis, y_hat, decoder_gain(decoder.log_decoder_gain, quality), height, width, tile)


def decoder_gain(log_table: np.ndarray, quality: float) -> np.ndarray:
    """The decoder gains float32 ``[M]`` at ``quality``: ``log_table`` ``[L, M]`` interpolated
    linearly between levels (as :func:`aecodec.codec.model.gains.interpolate_levels`), then exponentiated."""
    levels = log_table.shape[0]
    position = np.float32(quality_to_position(quality, levels))
    lower = int(np.clip(np.floor(position), 0, levels - 2))
    fraction = position - np.float32(lower)
    return np.exp(log_table[lower] * (np.float32(1) - fraction) + log_table[lower + 1] * fraction)
