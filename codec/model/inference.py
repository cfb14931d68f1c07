"""Loading exported weights safely (``allow_pickle=False``) into an inference-ready model."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from aecodec.bitstream.tables import TableSet
from aecodec.codec.decoder.model import DecoderModel, decoder_from
from aecodec.codec.model.entropy_models import FactorizedDensity
from aecodec.codec.decoder.exact import IntegerConv
from aecodec.codec.model.transforms import AnalysisTransform, HyperAnalysis, SynthesisTransform
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale
from aecodec.codec.weights.file import float_arrays, rate_scale_from, read_weights


@dataclass(frozen=True)
class InferenceModel:
    """What encoding needs besides the decoder: float ``g_a``, ``h_a`` and ``g_s`` (torch, for the
    effort search and GPU decoding), the encoder gains ``log_encoder_gain`` float32 ``[L, M]`` and
    the factorized prior ``z_prior`` that encoder-side refinement differentiates, the quality scale
``rate_scale`` (the λ each quality stands for, which refinement weighs by); plus ``decoder``,
    the torch-free :class:`~aecodec.codec.decoder.model.DecoderModel` read from the same file, whose
    exact layers, tables, gains and hash the properties below hand on.
    """

    g_a: AnalysisTransform
    g_s: SynthesisTransform
    h_a: HyperAnalysis
    log_encoder_gain: torch.Tensor
    z_prior: FactorizedDensity
    decoder: DecoderModel
    rate_scale: RateScale = MODEL_2_RATE_SCALE

    def with_decoder(self, **changes: object) -> InferenceModel:
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


def load_inference_model(path: Path, expected_sha256: str | None = None) -> InferenceModel:
    """Read an exported ``.npz`` (see :mod:`aecodec.codec.model.export`) without unpickling anything.

    With ``expected_sha256`` (hex), the file's SHA-256 is checked before anything in it is used;
    a mismatch is a ``ValueError`` naming both digests.
    """
    weights = read_weights(path, expected_sha256)
    arrays = weights.arrays
    n, m = (int(v) for v in arrays["config"])
    return InferenceModel(
        g_a=_float_module(AnalysisTransform(n, m), arrays, "g_a"),
        g_s=_float_module(SynthesisTransform(n, m), arrays, "g_s"),
        h_a=_float_module(HyperAnalysis(n, m), arrays, "h_a"),
        log_encoder_gain=torch.from_numpy(arrays["gains.log_encoder"]),
        z_prior=_float_module(FactorizedDensity(n), arrays, "z_prior"),
        decoder=decoder_from(weights, with_encoder=True),
        rate_scale=rate_scale_from(arrays),
    )


def _float_module(module: torch.nn.Module, arrays: dict[str, np.ndarray], prefix: str) -> torch.nn.Module:
    state = {name: torch.from_numpy(array) for name, array in float_arrays(arrays, prefix).items()}
    module.load_state_dict(state)
    return module.eval().requires_grad_(False).to(memory_format=torch.channels_last)
