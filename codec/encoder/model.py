"""What the effort-0 encoder needs, without torch: the decoder half (exact path, tables, engines of
every float transform) and the encoder gains.

:func:`load_encoder_model` reads an exported weights file with NumPy only; ``g_a`` and ``h_a`` run
on an engine of :mod:`aecodec.codec.engines` (onnxruntime on the CPU). Encoder effort 1–4
refines latents by gradient steps and needs the torch model (:mod:`aecodec.codec.model.inference`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecodec.codec.decoder.model import DecoderModel, DecoderParts, decoder_from
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale
from aecodec.codec.weights.file import WeightsFile, rate_scale_from, read_weights


@dataclass(frozen=True)
class EncoderModel(DecoderParts):
    """``decoder`` (with ``g_a`` and ``h_a`` among its engines), the encoder gains' table
    ``log_encoder_table`` float32 ``[L, M]`` and the quality scale ``rate_scale``."""

    decoder: DecoderModel
    log_encoder_table: np.ndarray
    rate_scale: RateScale = MODEL_2_RATE_SCALE


def load_encoder_model(path: Path, expected_sha256: str | None = None) -> EncoderModel:
    """Read the effort-0 encoder from an exported ``.npz`` (checked against ``expected_sha256``
    when given, see :func:`aecodec.codec.weights.file.read_weights`)."""
    return encoder_from(read_weights(path, expected_sha256))


def encoder_from(weights: WeightsFile) -> EncoderModel:
    """The :class:`EncoderModel` of a read weights file; ``ValueError`` for a decoder-only file."""
    arrays = weights.arrays
    if "gains.log_encoder" not in arrays or "g_a.0.weight" not in arrays:
        raise ValueError("weights file has no encoder (g_a, h_a and encoder gains); it only decodes")
    return EncoderModel(decoder_from(weights, with_encoder=True), arrays["gains.log_encoder"].astype(np.float32), rate_scale_from(arrays))
