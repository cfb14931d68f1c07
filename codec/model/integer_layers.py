"""Trainable layers to the exact integer layers and back: a fixed-point layer's float→fixed
conversion (:func:`integer_layers`, what export stores) and its inverse, the float twins of ``h_s``
and the checkerboard context whose fixed-point roundings give back the integer layers read from
exported weights (:func:`float_hyper_synthesis`, :func:`float_context`).

The integer layers' forward pass is :mod:`aecodec.codec.decoder.exact`; the training-time forward
pass with the same roundings is :mod:`aecodec.codec.model.fixed_point`. Export, warm starts and
encoder-side refinement use this module; nothing here needs the entropy coder.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from aecodec.codec.decoder.exact import ACTIVATION_BITS, IntegerConv
from aecodec.codec.model.context import CheckerboardContext
from aecodec.codec.model.fixed_point import round_half_up, weight_shifts
from aecodec.codec.model.transforms import HyperSynthesis


def integer_layers(modules: nn.ModuleList, input_bits: int) -> list[IntegerConv]:
    """Fixed-point layers (``h_s``'s or the context's) with weights and biases rounded exactly as
    training rounded them; the first takes inputs at ``input_bits``, the rest at ``ACTIVATION_BITS``."""
    layers = []
    for layer in modules:
        layers.append(_integer_layer(layer, input_bits))
        input_bits = ACTIVATION_BITS
    return layers


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
