"""Latent coding: image tensor to the two coded streams and back, with the exact hyper path.

Encoder and decoder share the order: ``z`` symbols grouped by channel, then ``y`` symbols grouped
by the scale-table index that the integer ``h_s`` derives from ``ẑ``. Only ``g_a``, ``h_a`` and
``g_s`` run in floats (on any device); table choices never depend on a float.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.codec.exact import Z_LIMIT, HyperParameters, hyper_synthesis, table_indexes
from aecodec.codec.fixed_point import OUTPUT_BITS
from aecodec.codec.rate import interpolate_levels, quality_to_position
from aecodec.codec.weights import InferenceModel

LATENT_STRIDE = 16
PAD_MULTIPLE = 64


@dataclass(frozen=True)
class LatentStreams:
    """The coded hyper-latent and latent."""

    hyper: bytes
    latent: bytes


@dataclass(frozen=True)
class LatentSymbols:
    """Integer symbols and their table ids, for tests and rate estimates. All int64 ``[n]``."""

    z_values: np.ndarray
    z_tables: np.ndarray
    y_values: np.ndarray
    y_tables: np.ndarray


def analyse(model: InferenceModel, x: torch.Tensor, quality: float) -> LatentSymbols:
    """Symbols for ``x`` ``[1, 3, H, W]`` in [0, 1], H and W multiples of ``PAD_MULTIPLE``."""
    gain = _gain(model.log_encoder_gain, quality, x.device)
    with torch.inference_mode():
        y = model.g_a(x.contiguous(memory_format=torch.channels_last)) * gain
        z = model.h_a(y)
    z_hat = torch.round(z[0]).clamp(-Z_LIMIT, Z_LIMIT).to("cpu", torch.int64).numpy()
    hyper = hyper_synthesis(z_hat, model.hyper_layers)
    mean = torch.from_numpy(hyper.mean).to(torch.float64) / (1 << OUTPUT_BITS)
    residual = torch.round(y[0].to("cpu", torch.float64) - mean).to(torch.int64).numpy()
    return LatentSymbols(
        z_values=z_hat.ravel(),
        z_tables=_channel_ids(z_hat.shape),
        y_values=residual.ravel(),
        y_tables=table_indexes(hyper.log_scale, model.scale_thresholds).ravel(),
    )


def encode(model: InferenceModel, x: torch.Tensor, quality: float) -> LatentStreams:
    """Code ``x`` ``[1, 3, H, W]`` (H, W multiples of ``PAD_MULTIPLE``) at ``quality``."""
    symbols = analyse(model, x, quality)
    return LatentStreams(
        hyper=encode_symbols(symbols.z_values, symbols.z_tables, model.z_tables),
        latent=encode_symbols(symbols.y_values, symbols.y_tables, model.y_tables),
    )


def decode(model: InferenceModel, streams: LatentStreams, quality: float, height: int, width: int,
           device: torch.device = torch.device("cpu")) -> torch.Tensor:
    """Rebuild the padded image ``[1, 3, height, width]`` in [0, 1] from its streams."""
    channels = model.z_tables.count
    z_shape = (channels, height // PAD_MULTIPLE, width // PAD_MULTIPLE)
    z_hat = decode_symbols(streams.hyper, _channel_ids(z_shape), model.z_tables).reshape(z_shape)
    if np.abs(z_hat).max(initial=0) > Z_LIMIT:
        raise StreamError("hyper-latent out of range (corrupted file)")
    hyper = hyper_synthesis(z_hat, model.hyper_layers)
    y_tables = table_indexes(hyper.log_scale, model.scale_thresholds)
    residual = decode_symbols(streams.latent, y_tables.ravel(), model.y_tables).reshape(y_tables.shape)
    y_hat = _dequantize(residual, hyper).to(device)
    gain = _gain(model.log_decoder_gain, quality, device)
    with torch.inference_mode():
        y_hat = (y_hat[None] * gain).contiguous(memory_format=torch.channels_last)
        return model.g_s(y_hat).clamp_(0.0, 1.0)


def _dequantize(residual: np.ndarray, hyper: HyperParameters) -> torch.Tensor:
    """``ŷ = residual + mean`` as float32 ``[M, h, w]``."""
    mean = torch.from_numpy(hyper.mean).to(torch.float64) / (1 << OUTPUT_BITS)
    return (torch.from_numpy(residual).to(torch.float64) + mean).float()


def _gain(log_table: torch.Tensor, quality: float, device: torch.device) -> torch.Tensor:
    position = torch.tensor([quality_to_position(quality)], dtype=torch.float32)
    return interpolate_levels(log_table, position).exp()[:, :, None, None].to(device)


def _channel_ids(shape: tuple[int, ...]) -> np.ndarray:
    """Table id = channel index for every element of a ``[C, h, w]`` array, flattened."""
    channels = shape[0]
    return np.broadcast_to(np.arange(channels)[:, None, None], shape).ravel()
