"""Float twins of the exact integer layers: trainable torch ``h_s`` and checkerboard context whose
fixed-point roundings give back the integer layers read from exported weights.

Training, warm starts and encoder-side refinement use them; nothing here needs the entropy coder.
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn.utils import parametrize

from aecodec.codec.context import CheckerboardContext
from aecodec.codec.exact import IntegerConv
from aecodec.codec.fixed_point import ACTIVATION_BITS
from aecodec.codec.transforms import HyperSynthesis


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
