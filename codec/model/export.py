"""The update/export step: freeze a trained model into the integer tables and weights it ships with.

Exported file (``.npz``, read with ``allow_pickle=False``): the float transforms in float16, the
gain tables, the integer ``h_s`` and context layers, the frozen ``z`` and ``y`` frequency tables and the integer
log-scale thresholds. Nothing that chooses a probability is recomputed from floats at run time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch

from aecodec.bitstream.tables import TableSet, quantize_pmf, stack_tables
from aecodec.codec.decoder.exact import ACTIVATION_BITS
from aecodec.codec.gaussian import gaussian_tables, scale_thresholds
from aecodec.codec.model.entropy_models import FactorizedDensity
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.codec.model.integer_layers import integer_layers
from aecodec.codec.weights.file import put_integer_layers, put_tables, rate_scale_array, weights_bytes

FLOAT_PARTS = ("g_a", "g_s", "h_a")
Z_SEARCH_RANGE = 256
TAIL_MASS = 1e-9


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
    put_integer_layers(arrays, "h_s", integer_layers(model.h_s.layers, input_bits=0))
    put_integer_layers(arrays, "context", integer_layers(model.context.layers, input_bits=ACTIVATION_BITS))
    put_tables(arrays, "z_tables", z_tables(model.z_prior))
    put_tables(arrays, "y_tables", gaussian_tables())
    arrays["scale_thresholds"] = scale_thresholds()
    return arrays


def save_weights(model: HyperpriorModel, path: Path, step: int = 0) -> None:
    """Write the exported arrays to ``path`` (an uncompressed ``.npz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(weights_bytes(export_arrays(model, step)))


def record_sha256(weights: Path) -> Path:
    """Write ``<stem>.sha256`` beside ``weights`` (``sha256sum`` format) and return its path."""
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    target = weights.with_suffix(".sha256")
    target.write_text(f"{digest}  {weights.name}\n", encoding="ascii")
    return target


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
