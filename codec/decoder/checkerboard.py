"""The checkerboard latent codec (He et al. 2021), torch-free: how the latents become three
streams and come back, with the integer ``h_s`` and context of :mod:`aecodec.codec.decoder.exact`.

::

    ẑ = round(z) ─────────────────────────────► HYPER_LATENT     (a table per channel)
       │
       └─► exact h_s ─► μ, log σ  [M, h, w]
                          │
          anchors (row + column even):
          ŷ_a = μ + round(y − μ) ────────────► LATENT           (tables by log σ)
                          │
                          └─► exact context (reads ŷ_a only) ─► μ', log σ' at the others
                                                 │
          the other half:                        │
          ŷ_n = μ' + round(y − μ') ◄─────────────┘ ──► LATENT_CONTEXT (tables by log σ')

Each half is one parallel step, so there is no pixel-serial loop. Within a stream, symbols are
grouped by table and, within a table, in ``[M, h, w]`` raster order (every channel's anchors,
then every channel's other positions). Reading (:func:`read_latent`) uses integer arithmetic only
and never touches ``g_s``; the encoder's half is :func:`quantize_latent` then :func:`code`. The
trainable twin of the context, which the integer one is exported from, is
:mod:`aecodec.codec.model.context`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from aecodec.bitstream.container import ContainerError, SectionType
from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.bitstream.tables import TableSet
from aecodec.codec.decoder.exact import (
    OUTPUT_BITS,
    Z_LIMIT,
    HyperParameters,
    IntegerConv,
    bounded,
    hidden_layer,
    hyper_synthesis_bands,
    output_layer,
    stored,
    table_indexes,
)
from aecodec.codec.geometry import HYPER_STRIDE, hyper_size, latent_size

CONTEXT_KERNEL = 5
"""Side of the context convolution over the decoded anchors."""
CONTEXT_REACH = CONTEXT_KERNEL // 2
"""Latent rows (and columns) a non-anchor's context reaches on either side."""
BAND_ROWS = 16
"""Latent rows per band of the steps that run in row bands (the context network, rounding,
dequantizing), which bounds their temporary memory; bands never change a result."""
Y_LIMIT = 1 << 20
"""Largest latent residual magnitude coded; the encoder clips to it and the decoder rejects more."""
LATENT_SECTIONS = (SectionType.HYPER_LATENT, SectionType.LATENT, SectionType.LATENT_CONTEXT)
"""The sections holding :class:`LatentStreams`' fields, in field order."""


class EntropyModel(Protocol):
    """What coding the symbols reads from a model: the exact layers and the frozen tables (both
    :class:`aecodec.codec.decoder.model.DecoderModel` and :class:`aecodec.codec.model.inference.InferenceModel`)."""

    @property
    def hyper_layers(self) -> list[IntegerConv]: ...

    @property
    def context_layers(self) -> list[IntegerConv]: ...

    @property
    def z_tables(self) -> TableSet: ...

    @property
    def y_tables(self) -> TableSet: ...

    @property
    def scale_thresholds(self) -> np.ndarray: ...


ResidualRounding = Callable[[np.ndarray, HyperParameters], np.ndarray]
"""An encoder's rounding of ``y`` float32 ``[M, h, w]`` against the integer parameters: residuals
``y − μ`` as int32 ``[M, h, w]`` within ``±Y_LIMIT``."""


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

    def sections(self) -> dict[SectionType, bytes]:
        """The streams as the file's sections, by type."""
        return dict(zip(LATENT_SECTIONS, (self.hyper, self.latent, self.context), strict=True))

    @classmethod
    def from_sections(cls, sections: dict[SectionType, bytes]) -> LatentStreams:
        """The streams in a file's sections; :class:`ContainerError` naming one that is missing."""
        missing = set(LATENT_SECTIONS) - sections.keys()
        if missing:
            raise ContainerError(f"missing section {min(missing).name}")
        return cls(*(sections[kind] for kind in LATENT_SECTIONS))


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


def anchor_mask(height: int, width: int) -> np.ndarray:
    """Bool ``[height, width]``: True at anchors (row + column even), coded first."""
    rows, cols = np.indices((height, width))
    return (rows + cols) % 2 == 0


def quantize_latent(model: EntropyModel, y: np.ndarray, z: np.ndarray, rounding: ResidualRounding,
                    with_y_hat: bool = False) -> tuple[LatentSymbols, np.ndarray | None]:
    """The encoder's half: symbols of ``y`` float32 ``[M, h, w]`` and ``z`` ``[N, h/4, w/4]``.

    ``z`` is rounded to ``ẑ``; the anchors of ``y`` are rounded around the exact ``h_s`` mean, then
    the other half around the mean the exact context derives from those rounded anchors, both by
    ``rounding``. With ``with_y_hat``, also ``ŷ`` float32 ``[M, h, w]`` as :func:`read_latent`
    will rebuild it (else None, and the whole-image parameters are dropped early to bound memory).
    """
    z_hat = np.clip(np.round(z), -Z_LIMIT, Z_LIMIT).astype(np.int64)
    residual, tables, mean = _rounded(model, y, z_hat, rounding, with_y_hat)
    anchors = anchor_mask(*residual.shape[1:])
    symbols = LatentSymbols(z_hat.ravel(), channel_ids(z_hat.shape), in_coding_order(residual, anchors),
                            in_coding_order(tables, anchors), anchor_count=int(anchors.sum()) * residual.shape[0])
    return symbols, None if mean is None else dequantize(residual, mean)


def _rounded(model: EntropyModel, y: np.ndarray, z_hat: np.ndarray, rounding: ResidualRounding,
             keep_mean: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Residuals int32 and table ids ``[M, h, w]`` of ``y``, and the integer mean when ``keep_mean``."""
    parameters = hyper_parameters(model, z_hat)
    apply_context(parameters, rounding(y, parameters), model.context_layers)
    residual = rounding(y, parameters)
    tables = table_indexes(parameters.log_scale, model.scale_thresholds).astype(table_dtype(model))
    return residual, tables, parameters.mean if keep_mean else None


def code(model: EntropyModel, symbols: LatentSymbols) -> LatentStreams:
    """Entropy-code symbols from :func:`quantize_latent` with the model's frozen tables."""
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
    z_shape = (model.z_tables.count, *hyper_size(rows, cols))
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
    shape = (channels, HYPER_STRIDE * z_hat.shape[1], HYPER_STRIDE * z_hat.shape[2])
    mean, log_scale = np.empty(shape, dtype=np.int32), np.empty(shape, dtype=np.int32)
    for rows, hyper in hyper_synthesis_bands(z_hat, model.hyper_layers):
        mean[:, rows] = hyper.mean
        log_scale[:, rows] = hyper.log_scale
    return HyperParameters(mean, log_scale)


def apply_context(parameters: HyperParameters, residual: np.ndarray, layers: list[IntegerConv],
                  band_rows: int = BAND_ROWS) -> None:
    """Refine the non-anchor entries of ``parameters`` (``h_s``'s mean and log-scale ``[M, h, w]``,
    overwritten in place) with the integer checkerboard context (trained as :class:`aecodec.codec.model.context.CheckerboardContext`);
    anchor entries are left as they are.

    The context reads only the decoded anchors, ``residual + mean`` at anchor positions (``residual``
    ``[M, h, w]`` in whole units; its other entries are ignored). The 5×5 context convolution
    ``layers[0]`` runs in row bands with ``CONTEXT_REACH`` rows of halo; the 1×1 layers
    ``layers[1:]`` only at non-anchors. Bands never change the result: a band changes only its
    own non-anchors, and no band reads another's non-anchors.
    """
    if band_rows < 1:
        raise ValueError("band_rows must be positive")
    height, width = residual.shape[1:]
    anchors = anchor_mask(height, width)
    for start in range(0, height, band_rows):
        stop = min(start + band_rows, height)
        low, high = max(start - CONTEXT_REACH, 0), min(stop + CONTEXT_REACH, height)
        anchor_hat = np.where(anchors[low:high], (residual[:, low:high].astype(np.int64) << OUTPUT_BITS)
                              + parameters.mean[:, low:high], 0)
        features = hidden_layer(bounded(anchor_hat), layers[0])[:, start - low : stop - low]
        where = ~anchors[start:stop]
        band_mean, band_log_scale = parameters.mean[:, start:stop], parameters.log_scale[:, start:stop]
        x = np.concatenate([bounded(band_mean[:, where]), bounded(band_log_scale[:, where]), features[:, where]])
        x = x[:, None, :]
        for layer in layers[1:-1]:
            x = hidden_layer(x, layer)
        delta_mean, delta_log_scale = np.split(output_layer(x, layers[-1])[:, 0], 2, axis=0)
        band_mean[:, where] = stored(band_mean[:, where] + delta_mean)
        band_log_scale[:, where] = stored(band_log_scale[:, where] + delta_log_scale)


def dequantize(residual: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``ŷ = residual + mean`` as float32 ``[M, h, w]``, ``BAND_ROWS`` rows at a time (sums in
    float64, where both terms are exact)."""
    y_hat = np.empty(residual.shape, dtype=np.float32)
    for start in range(0, residual.shape[1], BAND_ROWS):
        rows = slice(start, start + BAND_ROWS)
        y_hat[:, rows] = residual[:, rows].astype(np.float64) + mean[:, rows].astype(np.float64) / (1 << OUTPUT_BITS)
    return y_hat


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


def table_dtype(model: EntropyModel) -> np.dtype:
    """The smallest unsigned type that holds every y table id (uint8 for the shipped tables)."""
    return np.min_scalar_type(model.y_tables.count - 1)


def channel_ids(shape: tuple[int, ...]) -> np.ndarray:
    """Table id = channel index for every element of a ``[C, h, w]`` array, flattened."""
    channels = shape[0]
    return np.broadcast_to(np.arange(channels)[:, None, None], shape).ravel()
