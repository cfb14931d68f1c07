"""The update/export step: freeze a trained model into the integer tables and weights it ships with.

Exported file (``.npz``, read with ``allow_pickle=False``): the float transforms in float16, the
gain tables, the integer ``h_s`` and context layers, the frozen ``z`` and ``y`` frequency tables and the integer
log-scale thresholds. Nothing that chooses a probability is recomputed from floats at run time.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import torch
from torch import nn

from aecodec.bitstream.tables import TableSet, quantize_pmf, stack_tables
from aecodec.codec.entropy_models import FactorizedDensity, scale_table
from aecodec.codec.exact import IntegerConv
from aecodec.codec.fixed_point import ACTIVATION_BITS, OUTPUT_BITS, round_half_up, weight_shifts
from aecodec.codec.model import HyperpriorModel
from aecodec.codec.weights_file import rate_scale_array

FLOAT_PARTS = ("g_a", "g_s", "h_a")
Z_SEARCH_RANGE = 256
TAIL_MASS = 1e-9
GAUSSIAN_TAIL_SIGMAS = 7.0


def export_arrays(model: HyperpriorModel, step: int = 0) -> dict[str, np.ndarray]:
    """Every array the inference model needs, keyed by name, plus what a warm start needs: the
    factorized prior's parameters (float32, a few KB) and the training ``step`` reached."""
    model = model.float().cpu().eval()
    arrays: dict[str, np.ndarray] = {
        "config": np.array([model.config.n, model.config.m], dtype=np.int64),
        "rate_scale": rate_scale_array(model.config.rate),
        "training_step": np.array(step, dtype=np.int64),
    }
    for name, tensor in model.z_prior.state_dict().items():
        arrays[f"z_prior.{name}"] = tensor.numpy().astype(np.float32)
    for part in FLOAT_PARTS:
        for name, tensor in getattr(model, part).state_dict().items():
            arrays[f"{part}.{name}"] = tensor.numpy().astype(np.float16)
    arrays["gains.log_encoder"] = model.gains.log_encoder.detach().numpy().astype(np.float32)
    arrays["gains.log_decoder"] = model.gains.log_decoder.detach().numpy().astype(np.float32)
    _put_integer_layers(arrays, "h_s", integer_layers(model.h_s.layers, input_bits=0))
    _put_integer_layers(arrays, "context", integer_layers(model.context.layers, input_bits=ACTIVATION_BITS))
    _put_tables(arrays, "z_tables", z_tables(model.z_prior))
    _put_tables(arrays, "y_tables", gaussian_tables())
    arrays["scale_thresholds"] = scale_thresholds()
    return arrays


def save_weights(model: HyperpriorModel, path: Path, step: int = 0) -> None:
    """Write the exported arrays to ``path`` (an uncompressed ``.npz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez(handle, **export_arrays(model, step))


def record_sha256(weights: Path) -> Path:
    """Write ``<stem>.sha256`` beside ``weights`` (``sha256sum`` format) and return its path."""
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    target = weights.with_suffix(".sha256")
    target.write_text(f"{digest}  {weights.name}\n", encoding="ascii")
    return target


def integer_layers(modules: nn.ModuleList, input_bits: int) -> list[IntegerConv]:
    """Fixed-point layers (``h_s``'s or the context's) with weights and biases rounded exactly as
    training rounded them; the first takes inputs at ``input_bits``, the rest at ``ACTIVATION_BITS``."""
    layers = []
    for layer in modules:
        layers.append(_integer_layer(layer, input_bits))
        input_bits = ACTIVATION_BITS
    return layers


def _put_integer_layers(arrays: dict[str, np.ndarray], prefix: str, layers: list[IntegerConv]) -> None:
    for index, layer in enumerate(layers):
        arrays[f"{prefix}.{index}.weight"] = layer.weight.astype(np.int16)
        arrays[f"{prefix}.{index}.bias"] = layer.bias
        arrays[f"{prefix}.{index}.shift"] = layer.shift.astype(np.int8)
        arrays[f"{prefix}.{index}.geometry"] = np.array([layer.upsample, layer.pad_before, layer.pad_after])


def _integer_layer(layer: nn.Module, input_bits: int) -> IntegerConv:
    transposed = isinstance(layer, nn.ConvTranspose2d)
    with torch.no_grad():
        shifts = weight_shifts(layer.weight, out_dim=1 if transposed else 0)
        view = (1, -1, 1, 1) if transposed else (-1, 1, 1, 1)
        weight = round_half_up(layer.weight * torch.exp2(shifts.view(view)))
        bias = round_half_up(layer.bias * torch.exp2(shifts + input_bits))
    kernel = layer.kernel_size[0]
    padding = layer.padding[0]
    if transposed:
        weight = weight.flip(2, 3).transpose(0, 1)
        before = kernel - 1 - padding
        return IntegerConv(_int64(weight), _int64(bias), _int64(shifts), layer.stride[0], before,
                           before + layer.output_padding[0])
    return IntegerConv(_int64(weight), _int64(bias), _int64(shifts), 1, padding, padding)


def _int64(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().numpy().astype(np.int64)


def z_tables(prior: FactorizedDensity) -> TableSet:
    """One table per hyper-latent channel, trimmed to the values holding all but ``TAIL_MASS``."""
    values = np.arange(-Z_SEARCH_RANGE, Z_SEARCH_RANGE + 1)
    edges = torch.from_numpy(np.append(values - 0.5, values[-1] + 0.5)).float()
    channels = prior.biases[0].shape[0]
    with torch.no_grad():
        cdf = prior.cdf(edges.expand(channels, 1, -1)).double().numpy()
    rows, offsets = [], []
    for channel_cdf in cdf:
        pmf = np.diff(channel_cdf).clip(0.0)
        low, high = _support(pmf)
        rows.append(quantize_pmf(pmf[low : high + 1], 1.0 - pmf[low : high + 1].sum()))
        offsets.append(int(values[low]))
    return stack_tables(rows, offsets)


def _support(pmf: np.ndarray) -> tuple[int, int]:
    """Smallest index window outside which at most ``TAIL_MASS`` of ``pmf`` lies (half each side)."""
    total = pmf.sum()
    cumulative = np.cumsum(pmf) / total
    low = int(np.searchsorted(cumulative, TAIL_MASS / 2))
    high = int(np.searchsorted(cumulative, 1 - TAIL_MASS / 2))
    return low, min(max(high, low), pmf.size - 1)


def gaussian_tables() -> TableSet:
    """One zero-mean discretized Gaussian table per entry of :func:`scale_table`."""
    rows, offsets = [], []
    for sigma in scale_table():
        reach = int(math.ceil(GAUSSIAN_TAIL_SIGMAS * sigma)) + 1
        values = np.arange(-reach, reach + 1, dtype=np.float64)
        upper = np.array([_normal_cdf((v + 0.5) / sigma) for v in values])
        lower = np.array([_normal_cdf((v - 0.5) / sigma) for v in values])
        pmf = upper - lower
        rows.append(quantize_pmf(pmf, 2.0 * _normal_cdf((-reach - 0.5) / sigma)))
        offsets.append(-reach)
    return stack_tables(rows, offsets)


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def scale_thresholds() -> np.ndarray:
    """Integer log-scale boundaries between neighbouring tables, in units of ``2**-OUTPUT_BITS``."""
    logs = np.log(scale_table())
    midpoints = (logs[:-1] + logs[1:]) / 2
    return np.ceil(midpoints * (1 << OUTPUT_BITS)).astype(np.int64)


def _put_tables(arrays: dict[str, np.ndarray], prefix: str, tables: TableSet) -> None:
    arrays[f"{prefix}.frequencies"] = tables.frequencies
    arrays[f"{prefix}.offsets"] = tables.offsets
    arrays[f"{prefix}.lengths"] = tables.lengths
