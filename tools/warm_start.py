"""Warm start: rebuild a trainable model from exported weights, so shipped weights keep improving.

Checkpoints with optimizer state are not shipped; the exported ``.npz`` is. It holds every
parameter: the float transforms (float16), the gains, the integer ``h_s`` (whose integers divided
by their power-of-two scales are exactly the values training rounded to), the factorized prior and
the step reached. The optimizer starts afresh. Weights exported before the checkerboard context
existed load with a new context whose last layer is zero, so the model starts exactly where
those weights were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from aecodec.codec.export import FLOAT_PARTS
from aecodec.codec.float_layers import float_context, float_hyper_synthesis
from aecodec.codec.model import HyperpriorModel
from aecodec.codec.model_config import ModelConfig
from aecodec.codec.weights_file import integer_layers_from


def model_from_weights(path: Path) -> tuple[HyperpriorModel, int]:
    """The model stored in an exported weights file and the training step it had reached."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if "z_prior.biases.0" not in arrays:
        raise ValueError(f"{path} has no factorized-prior parameters (exported before warm starts existed)")
    model = HyperpriorModel(ModelConfig(*(int(v) for v in arrays["config"])))
    state = {name: torch.from_numpy(array.astype(np.float32)) for name, array in arrays.items()
             if name.split(".")[0] in (*FLOAT_PARTS, "z_prior", "gains")}
    hyper = float_hyper_synthesis(integer_layers_from(arrays, "h_s"))
    state.update({f"h_s.{name}": tensor for name, tensor in hyper.state_dict().items()})
    context_layers = integer_layers_from(arrays, "context")
    context = float_context(context_layers) if context_layers else model.context
    state.update({f"context.{name}": tensor for name, tensor in context.state_dict().items()})
    model.load_state_dict(state)
    return model, int(arrays.get("training_step", 0))
