"""Warm start: rebuild a trainable model from exported weights, so shipped weights keep improving.

Checkpoints with optimizer state are not shipped; the exported ``.npz`` is. It holds every
parameter: the float transforms (float16), the gains, the integer ``h_s`` (whose integers divided
by their power-of-two scales are exactly the values training rounded to), the factorized prior and
the step reached. The optimizer starts afresh. Weights exported before the checkerboard context
existed load with a new context whose last layer is zero, so the model starts exactly where
those weights were.

A warm start may move the model onto another quality scale (more levels, a wider λ range, as
model 3 did from model 2): each new level's gains are read off the old log-gain tables at its λ,
linearly in log λ inside the old range and along the ``sqrt(λ)`` slope a uniform quantizer needs
beyond it, so the levels both scales share start where they were.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.export import FLOAT_PARTS
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.codec.model.integer_layers import float_context, float_hyper_synthesis
from aecodec.codec.quality import RateScale
from aecodec.codec.weights.file import integer_layers_from, rate_scale_from


def model_from_weights(path: Path, scale: RateScale | None = None) -> tuple[HyperpriorModel, int]:
    """The model stored in an exported weights file and the training step it had reached; with
    ``scale``, its gains moved onto that quality scale."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if "z_prior.biases.0" not in arrays:
        raise ValueError(f"{path} has no factorized-prior parameters (exported before warm starts existed)")
    stored = rate_scale_from(arrays)
    n, m = (int(v) for v in arrays["config"])
    config = ModelConfig(n, m, rate=scale or stored)
    model = HyperpriorModel(config)
    state = {name: torch.from_numpy(array.astype(np.float32)) for name, array in arrays.items()
             if name.split(".")[0] in (*FLOAT_PARTS, "z_prior", "gains")}
    for side, sign in (("encoder", 1.0), ("decoder", -1.0)):
        table = arrays[f"gains.log_{side}"].astype(np.float64)
        state[f"gains.log_{side}"] = torch.from_numpy(rescaled_gains(table, stored, config.rate, sign)).float()
    hyper = float_hyper_synthesis(integer_layers_from(arrays, "h_s"))
    state.update({f"h_s.{name}": tensor for name, tensor in hyper.state_dict().items()})
    context_layers = integer_layers_from(arrays, "context")
    context = float_context(context_layers) if context_layers else model.context
    state.update({f"context.{name}": tensor for name, tensor in context.state_dict().items()})
    model.load_state_dict(state)
    return model, int(arrays.get("training_step", 0))


def rescaled_gains(table: np.ndarray, old: RateScale, new: RateScale, sign: float) -> np.ndarray:
    """Log-gain table ``[old.levels, M]`` read at the λ of each of ``new``'s levels: ``[new.levels, M]``.

    ``sign`` is +1 for encoder gains (which grow as ``sqrt(λ)``) and −1 for decoder gains.
    """
    if new == old:
        return table
    rows = []
    for level in range(new.levels):
        lam = new.lambda_at(level)
        position = old.position_of(lam)
        nearest = int(np.clip(round(position), 0, old.levels - 1))
        if 0 <= position <= old.levels - 1:
            lower = min(int(math.floor(position)), old.levels - 2)
            fraction = position - lower
            rows.append(table[lower] * (1 - fraction) + table[lower + 1] * fraction)
        else:
            beyond = math.log(lam / old.lambda_at(nearest))
            rows.append(table[nearest] + sign * 0.5 * beyond)
    return np.stack(rows)
