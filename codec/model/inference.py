"""The torch model of a release (encoder effort 1–4, GPUs): exported weights loaded safely
(``allow_pickle=False``) into torch modules beside the torch-free decoder."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aecodec.codec.decoder.model import DecoderModel, DecoderParts, decoder_from
from aecodec.codec.model.entropy_models import FactorizedDensity
from aecodec.codec.model.torch_engine import frozen_module
from aecodec.codec.model.transforms import AnalysisTransform, HyperAnalysis, SynthesisTransform
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale
from aecodec.codec.weights.file import float_arrays, rate_scale_from, read_weights


@dataclass(frozen=True)
class InferenceModel(DecoderParts):
    """What encoding needs besides the decoder: float ``g_a``, ``h_a`` and ``g_s`` (torch, for the
    effort search and GPU decoding), the encoder gains ``log_encoder_gain`` float32 ``[L, M]`` and
    the factorized prior ``z_prior`` that encoder-side refinement differentiates, the quality scale
    ``rate_scale`` (the λ each quality stands for, which refinement weighs by); plus ``decoder``,
    the torch-free :class:`~aecodec.codec.decoder.model.DecoderModel` read from the same file, whose
    exact layers, tables, gains and hash it hands on.
    """

    g_a: AnalysisTransform
    g_s: SynthesisTransform
    h_a: HyperAnalysis
    log_encoder_gain: torch.Tensor
    z_prior: FactorizedDensity
    decoder: DecoderModel
    rate_scale: RateScale = MODEL_2_RATE_SCALE

    def with_decoder(self, **changes: Any) -> InferenceModel:
        """This model with some of its decoder's fields replaced (``weights_hash``, ``context_layers``, ...)."""
        return dataclasses.replace(self, decoder=dataclasses.replace(self.decoder, **changes))

    @property
    def log_encoder_table(self) -> np.ndarray:
        """The encoder gains' table float32 ``[L, M]`` as NumPy (what the effort-0 encoder reads)."""
        return self.log_encoder_gain.numpy()

    @property
    def log_decoder_gain(self) -> torch.Tensor:
        """The decoder gains' table float32 ``[L, M]`` as a tensor (shares the decoder's memory)."""
        return torch.from_numpy(self.decoder.log_decoder_gain)


def load_inference_model(path: Path, expected_sha256: str | None = None) -> InferenceModel:
    """Read an exported ``.npz`` (see :mod:`aecodec.codec.model.export`) without unpickling anything.

    With ``expected_sha256`` (hex), the file's SHA-256 is checked before anything in it is used;
    a mismatch is a ``ValueError`` naming both digests.
    """
    weights = read_weights(path, expected_sha256)
    arrays = weights.arrays
    n, m = (int(v) for v in arrays["config"])
    return InferenceModel(
        g_a=frozen_module(AnalysisTransform(n, m), float_arrays(arrays, "g_a")),
        g_s=frozen_module(SynthesisTransform(n, m), float_arrays(arrays, "g_s")),
        h_a=frozen_module(HyperAnalysis(n, m), float_arrays(arrays, "h_a")),
        log_encoder_gain=torch.from_numpy(arrays["gains.log_encoder"]),
        z_prior=frozen_module(FactorizedDensity(n), float_arrays(arrays, "z_prior")),
        decoder=decoder_from(weights, with_encoder=True),
        rate_scale=rate_scale_from(arrays),
    )
