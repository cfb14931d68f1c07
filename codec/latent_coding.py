"""Coding the latent's symbols (no torch): the streams, their symbols, and reading them back.

Three streams, in the order a decoder needs them: ``z`` symbols grouped by channel; the anchor
half of ``y`` (:func:`aecodec.codec.checkerboard.anchor_mask`), grouped by the scale-table index
that the integer ``h_s`` derives from ``ẑ``; then the other half, grouped by the index that the
integer checkerboard context derives from ``ẑ`` and the decoded anchors. Within a stream, symbols
of one table go in ``[M, h, w]`` raster order. Reading the symbols (:func:`read_latent`) uses
integer arithmetic only and never touches ``g_s``; the encoder side is :mod:`aecodec.codec.pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.bitstream.tables import TableSet
from aecodec.codec.checkerboard import anchor_mask
from aecodec.codec.exact import Z_LIMIT, HyperParameters, IntegerConv, apply_context, hyper_synthesis_bands, table_indexes
from aecodec.codec.fixed_point import OUTPUT_BITS
from aecodec.codec.tile_grid import STRIDE


class EntropyModel(Protocol):
    """What coding the symbols reads from a model: the exact layers and the frozen tables (both
    :class:`aecodec.codec.decoder.DecoderModel` and :class:`aecodec.codec.weights.InferenceModel`)."""

    hyper_layers: list[IntegerConv]
    context_layers: list[IntegerConv]
    z_tables: TableSet
    y_tables: TableSet
    scale_thresholds: np.ndarray


LATENT_STRIDE = STRIDE
"""Pixels per latent along each axis."""
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
    y_hat: np.ndarray


def latent_size(height: int, width: int) -> tuple[int, int]:
    """Latent rows and columns for an image of ``height`` × ``width`` pixels (padded to 64)."""
    return -(-height // PAD_MULTIPLE) * 4, -(-width // PAD_MULTIPLE) * 4



def in_coding_order(array: np.ndarray, anchors: np.ndarray) -> np.ndarray:
    """``array`` ``[M, h, w]`` flattened in coding order: every channel's anchors, then every
    channel's other positions, each in ``[M, h, w]`` raster order. Written in place, no copies."""
    flat = array.reshape(array.shape[0], -1)
    ordered = np.empty(flat.size, dtype=array.dtype)
    first = np.flatnonzero(anchors)
    split = first.size * array.shape[0]
    np.take(flat, first, axis=1, out=ordered[:split].reshape(array.shape[0], -1))
    np.take(flat, np.flatnonzero(~anchors), axis=1, out=ordered[split:].reshape(array.shape[0], -1))
    return ordered



def code(model: EntropyModel, symbols: LatentSymbols) -> LatentStreams:
    """Entropy-code symbols from :func:`analyse` with the model's frozen tables."""
    anchors = slice(0, symbols.anchor_count)
    others = slice(symbols.anchor_count, None)
    return LatentStreams(
        hyper=encode_symbols(symbols.z_values, symbols.z_tables, model.z_tables),
        latent=encode_symbols(symbols.y_values[anchors], symbols.y_tables[anchors], model.y_tables),
        context=encode_symbols(symbols.y_values[others], symbols.y_tables[others], model.y_tables),
    )



def read_latent(model: EntropyModel, streams: LatentStreams, height: int, width: int) -> DecodedLatent:
    """Decode the symbols of an image of ``height`` × ``width`` pixels, with integer arithmetic only.

    Raises :class:`StreamError` for streams that cannot come from the encoder.
    """
    rows, cols = latent_size(height, width)
    z_shape = (model.z_tables.count, rows // 4, cols // 4)
    z_tables = channel_ids(z_shape)
    z_values = decode_symbols(streams.hyper, z_tables, model.z_tables)
    if np.abs(z_values).max(initial=0) > Z_LIMIT:
        raise StreamError("hyper-latent out of range (corrupted file)")
    parameters = hyper_parameters(model, z_values.reshape(z_shape))
    anchors = anchor_mask(rows, cols)
    residual = np.zeros(parameters.mean.shape, dtype=np.int32)
    anchor_tables = _read_half(model, streams.latent, parameters.log_scale, anchors, residual)
    apply_context(parameters, residual, model.context_layers)
    other_tables = _read_half(model, streams.context, parameters.log_scale, ~anchors, residual)
    symbols = LatentSymbols(z_values, z_tables, in_coding_order(residual, anchors),
                            np.concatenate([anchor_tables, other_tables]), anchor_count=anchor_tables.size)
    return DecodedLatent(symbols, dequantize(residual, parameters.mean))


def _read_half(model: EntropyModel, stream: bytes, log_scale: np.ndarray, where: np.ndarray,
               residual: np.ndarray) -> np.ndarray:
    """Decode the symbols at positions ``where`` ``[h, w]`` (every channel) into ``residual``
    ``[M, h, w]``; returns their table ids, flattened in coding order."""
    tables = table_indexes(log_scale[:, where], model.scale_thresholds).astype(table_dtype(model)).ravel()
    values = decode_symbols(stream, tables, model.y_tables)
    if np.abs(values).max(initial=0) > Y_LIMIT:
        raise StreamError("latent out of range (corrupted file)")
    residual[:, where] = values.reshape(residual.shape[0], -1)
    return tables



def hyper_parameters(model: EntropyModel, z_hat: np.ndarray) -> HyperParameters:
    """The exact ``h_s`` mean and log-scale int32 ``[M, 4h, 4w]`` of ``z_hat`` ``[N, h, w]``, band by band."""
    channels = model.hyper_layers[-1].weight.shape[0] // 2
    shape = (channels, 4 * z_hat.shape[1], 4 * z_hat.shape[2])
    mean, log_scale = np.empty(shape, dtype=np.int32), np.empty(shape, dtype=np.int32)
    for rows, hyper in hyper_synthesis_bands(z_hat, model.hyper_layers):
        mean[:, rows] = hyper.mean
        log_scale[:, rows] = hyper.log_scale
    return HyperParameters(mean, log_scale)



def dequantize(residual: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``ŷ = residual + mean`` as float32 ``[M, h, w]``, sixteen rows at a time (sums in float64,
    where both terms are exact)."""
    y_hat = np.empty(residual.shape, dtype=np.float32)
    for start in range(0, residual.shape[1], 16):
        rows = slice(start, start + 16)
        y_hat[:, rows] = residual[:, rows].astype(np.float64) + mean[:, rows].astype(np.float64) / (1 << OUTPUT_BITS)
    return y_hat


def table_dtype(model: EntropyModel) -> np.dtype:
    """The smallest unsigned type that holds every y table id (uint8 for the shipped tables)."""
    return np.min_scalar_type(model.y_tables.count - 1)




def channel_ids(shape: tuple[int, ...]) -> np.ndarray:
    """Table id = channel index for every element of a ``[C, h, w]`` array, flattened."""
    channels = shape[0]
    return np.broadcast_to(np.arange(channels)[:, None, None], shape).ravel()
