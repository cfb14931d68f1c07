"""Warm start: rebuild a trainable model from exported weights, so shipped weights keep improving.

Checkpoints with optimizer state are not shipped; the exported ``.npz`` is. It holds every
parameter: the float transforms (float16), the gains, the integer ``h_s`` (whose integers divided
by their power-of-two scales are exactly the values training rounded to), the factorized prior and
the step reached. The optimizer starts afresh.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from aecodec.codec.export import FLOAT_PARTS
from aecodec.codec.fixed_point import ACTIVATION_BITS
from aecodec.codec.model import HyperpriorModel, ModelConfig


def model_from_weights(path: Path) -> tuple[HyperpriorModel, int]:
    """The model stored in an exported weights file and the training step it had reached."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if "z_prior.biases.0" not in arrays:
        raise ValueError(f"{path} has no factorized-prior parameters (exported before warm starts existed)")
    model = HyperpriorModel(ModelConfig(*(int(v) for v in arrays["config"])))
    state = {name: torch.from_numpy(array.astype(np.float32)) for name, array in arrays.items()
             if name.split(".")[0] in (*FLOAT_PARTS, "z_prior", "gains")}
    state.update(_hyper_synthesis_state(model, arrays))
    model.load_state_dict(state)
    return model, int(arrays.get("training_step", 0))


def _hyper_synthesis_state(model: HyperpriorModel, arrays: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """``h_s`` weights and biases in float from their integers, shifts and stored orientation."""
    state = {}
    input_bits = 0
    for index, layer in enumerate(model.h_s.layers):
        shift = torch.from_numpy(arrays[f"h_s.{index}.shift"].astype(np.float64))
        weight = torch.from_numpy(arrays[f"h_s.{index}.weight"].astype(np.float64))
        weight = weight / torch.exp2(shift).view(-1, 1, 1, 1)
        if isinstance(layer, torch.nn.ConvTranspose2d):
            weight = weight.transpose(0, 1).flip(2, 3)
        bias = torch.from_numpy(arrays[f"h_s.{index}.bias"].astype(np.float64)) / torch.exp2(shift + input_bits)
        state[f"h_s.layers.{index}.weight"] = weight.float()
        state[f"h_s.layers.{index}.bias"] = bias.float()
        input_bits = ACTIVATION_BITS
    return state
