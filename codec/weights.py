"""Loading exported weights safely (``allow_pickle=False``) into an inference-ready model."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.nn.utils import parametrize

from aecodec.bitstream.tables import TableSet
from aecodec.codec.context import CheckerboardContext
from aecodec.codec.entropy_models import FactorizedDensity
from aecodec.codec.exact import IntegerConv
from aecodec.codec.fixed_point import ACTIVATION_BITS
from aecodec.codec.transforms import AnalysisTransform, HyperAnalysis, HyperSynthesis, SynthesisTransform

HASH_PREFIX_BYTES = 8


@dataclass(frozen=True)
class InferenceModel:
    """What encoding and decoding need: float transforms, gains, exact ``h_s`` and frozen tables,
    plus the factorized prior ``z_prior`` that encoder-side refinement differentiates.

    ``log_encoder_gain``/``log_decoder_gain`` are float32 ``[L, M]``; ``scale_thresholds`` int64
    ``[S - 1]``; ``weights_hash`` is the first bytes of the SHA-256 of the weights file.
    """

    g_a: AnalysisTransform
    g_s: SynthesisTransform
    h_a: HyperAnalysis
    log_encoder_gain: torch.Tensor
    log_decoder_gain: torch.Tensor
    hyper_layers: list[IntegerConv]
    context_layers: list[IntegerConv]
    z_tables: TableSet
    y_tables: TableSet
    scale_thresholds: np.ndarray
    weights_hash: bytes
    z_prior: FactorizedDensity


def load_inference_model(path: Path, expected_sha256: str | None = None) -> InferenceModel:
    """Read an exported ``.npz`` (see :mod:`aecodec.codec.export`) without unpickling anything.

    With ``expected_sha256`` (hex), the file's SHA-256 is checked before anything in it is used;
    a mismatch is a ``ValueError`` naming both digests.
    """
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw)
    if expected_sha256 is not None and digest.hexdigest() != expected_sha256.lower():
        raise ValueError(f"SHA-256 of {Path(path).name} is {digest.hexdigest()}, expected {expected_sha256} "
                         "(corrupted or replaced weights; see aecodec.codec.registry)")
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    n, m = (int(v) for v in arrays["config"])
    return InferenceModel(
        g_a=_float_module(AnalysisTransform(n, m), arrays, "g_a"),
        g_s=_float_module(SynthesisTransform(n, m), arrays, "g_s"),
        h_a=_float_module(HyperAnalysis(n, m), arrays, "h_a"),
        log_encoder_gain=torch.from_numpy(arrays["gains.log_encoder"]),
        log_decoder_gain=torch.from_numpy(arrays["gains.log_decoder"]),
        hyper_layers=integer_layers_from(arrays, "h_s"),
        context_layers=_context_layers(arrays),
        z_tables=_tables(arrays, "z_tables"),
        y_tables=_tables(arrays, "y_tables"),
        scale_thresholds=arrays["scale_thresholds"].astype(np.int64),
        weights_hash=digest.digest()[:HASH_PREFIX_BYTES],
        z_prior=_float_module(FactorizedDensity(n), arrays, "z_prior"),
    )


def _float_module(module: torch.nn.Module, arrays: dict[str, np.ndarray], prefix: str) -> torch.nn.Module:
    state = {
        name[len(prefix) + 1 :]: torch.from_numpy(array.astype(np.float32))
        for name, array in arrays.items()
        if name.startswith(prefix + ".")
    }
    if not state:
        raise ValueError(f"weights file has no {prefix} parameters (exported by an older aecodec)")
    module.load_state_dict(state)
    return module.eval().requires_grad_(False).to(memory_format=torch.channels_last)


def integer_layers_from(arrays: dict[str, np.ndarray], prefix: str) -> list[IntegerConv]:
    """The integer layers stored under ``prefix`` (``h_s`` or ``context``) in an exported file's arrays."""
    layers = []
    index = 0
    while f"{prefix}.{index}.weight" in arrays:
        upsample, before, after = (int(v) for v in arrays[f"{prefix}.{index}.geometry"])
        layers.append(
            IntegerConv(
                weight=arrays[f"{prefix}.{index}.weight"].astype(np.int64),
                bias=arrays[f"{prefix}.{index}.bias"].astype(np.int64),
                shift=arrays[f"{prefix}.{index}.shift"].astype(np.int64),
                upsample=upsample,
                pad_before=before,
                pad_after=after,
            )
        )
        index += 1
    return layers


def _context_layers(arrays: dict[str, np.ndarray]) -> list[IntegerConv]:
    layers = integer_layers_from(arrays, "context")
    if not layers:
        raise ValueError("weights file has no checkerboard context (exported by an older aecodec)")
    return layers


def _tables(arrays: dict[str, np.ndarray], prefix: str) -> TableSet:
    return TableSet(
        frequencies=arrays[f"{prefix}.frequencies"].astype(np.int32),
        offsets=arrays[f"{prefix}.offsets"].astype(np.int32),
        lengths=arrays[f"{prefix}.lengths"].astype(np.int32),
    )


def float_hyper_synthesis(layers: list[IntegerConv]) -> HyperSynthesis:
    """The trainable float ``h_s`` whose fixed-point roundings give exactly the integer ``layers``.

    Weights are the integers divided by their power-of-two scales, in the float module's own
    orientation; gradients are off. Training, warm starts and encoder-side refinement use it.
    """
    n, m = layers[0].weight.shape[1], layers[0].weight.shape[0]
    module = HyperSynthesis(n, m)
    _load_integers(module.layers, layers, input_bits=0)
    return module.eval().requires_grad_(False)


def float_context(layers: list[IntegerConv]) -> CheckerboardContext:
    """The trainable float checkerboard context whose fixed-point roundings give exactly the
    integer ``layers`` (as :func:`float_hyper_synthesis` does for ``h_s``)."""
    m, hidden = layers[0].weight.shape[0], layers[1].weight.shape[0]
    module = CheckerboardContext(m, hidden)
    _load_integers(module.layers, layers, input_bits=ACTIVATION_BITS)
    return module.eval().requires_grad_(False)


def _load_integers(modules: torch.nn.ModuleList, layers: list[IntegerConv], input_bits: int) -> None:
    """Set each float layer to its integer counterpart divided by its power-of-two scales."""
    with torch.no_grad():
        for layer, integer in zip(modules, layers, strict=True):
            shift = torch.from_numpy(integer.shift.astype(np.float64))
            weight = torch.from_numpy(integer.weight.astype(np.float64)) / torch.exp2(shift).view(-1, 1, 1, 1)
            if isinstance(layer, torch.nn.ConvTranspose2d):
                weight = weight.transpose(0, 1).flip(2, 3)
            target = layer.parametrizations.weight.original if parametrize.is_parametrized(layer) else layer.weight
            target.copy_(weight.float())
            layer.bias.copy_((torch.from_numpy(integer.bias.astype(np.float64)) / torch.exp2(shift + input_bits)).float())
            input_bits = ACTIVATION_BITS
