"""Widening the latent of a trained model (``M`` channels to more) without changing what it computes.

A warm start into a wider latent keeps every trained weight and adds channels that start silent:

- weights from a new channel or new hidden unit into an old output of ``h_a``, ``h_s`` or the
  context are zero, so the hyper-latent and the old channels' means and scales are what they were;
- the new hidden units of ``h_s`` and the context get random incoming weights at the spread of
  the trained ones, so they carry a signal from the first step;
- ``g_a``'s weights into the new channels are small (``NEW_LATENT_SPREAD``), so those channels
  round to zero at first and the image from ``g_s`` is what it was, while ``g_s``'s weights from
  them are random at the trained spread, so the straight-through gradient reaches ``g_a``;
- the new channels' means start at 0, their scales just above the smallest coding scale (zeros
  cost next to nothing), their context refinements at zero, and their gains at the mean of the
  trained gains of each level.

The widened model pays only the training estimate's small cost of near-certain zeros until
training puts the new channels to use. Concatenated inputs (the context's ``[mean, log-scale,
features]``) and split outputs (``h_s``'s and the context's ``[mean, log-scale]``) widen chunk
by chunk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from aecodec.codec.gaussian import SCALE_MIN
from aecodec.codec.model.hyperprior import HyperpriorModel

NEW_LATENT_SPREAD = 0.02
"""Spread of ``g_a``'s weights into the new channels, as a fraction of its trained weights' spread:
small enough that the new channels round to zero almost everywhere at every quality."""


NEW_LOG_SCALE = math.log(SCALE_MIN) + 0.25
"""Starting log-scale of the new channels: a little above the floor, where the rate still has a gradient."""


@dataclass(frozen=True)
class Axis:
    """A tensor dimension whose size follows ``M``: ``chunks`` equal blocks, each widened at its end."""

    dim: int
    chunks: int = 1


@dataclass(frozen=True)
class WideningRule:
    """How one parameter widens: its widening output and input axes (``None`` where that side
    keeps its size); whether its new outputs are the model's final ones (zero weights); whether
    weights from new inputs into old outputs start at zero (``silent_inputs``) or at random; and
    the spread of new random weights as a fraction of the old weights' spread."""

    out_axis: Axis | None
    in_axis: Axis | None
    final: bool = False
    silent_inputs: bool = True
    spread: float = 1.0


RULES = {
    "g_a.6": WideningRule(Axis(0), None, spread=NEW_LATENT_SPREAD),
    "g_s.0": WideningRule(None, Axis(0), silent_inputs=False),
    "h_a.0": WideningRule(None, Axis(1)),
    "h_s.layers.0": WideningRule(Axis(1), None),
    "h_s.layers.1": WideningRule(Axis(1), Axis(0)),
    "h_s.layers.2": WideningRule(Axis(0, chunks=2), Axis(1), final=True),
    "context.layers.0": WideningRule(Axis(0), Axis(1)),
    "context.layers.1": WideningRule(Axis(0), Axis(1, chunks=3)),
    "context.layers.2": WideningRule(Axis(0), Axis(1)),
    "context.layers.3": WideningRule(Axis(0, chunks=2), Axis(1), final=True),
}
"""Every parameter whose shape depends on ``M``, by layer (gains are handled on their own)."""


def widen_latent(model: HyperpriorModel, m: int, seed: int = 0) -> HyperpriorModel:
    """A copy of ``model`` with ``m`` latent channels that computes the same reconstruction and
    the same coding parameters for the old channels (see the module docstring)."""
    if m < model.config.m:
        raise ValueError(f"cannot narrow the latent from {model.config.m} to {m} channels")
    wide = HyperpriorModel(replace(model.config, m=m))
    generator = torch.Generator().manual_seed(seed)
    old_state = model.state_dict()
    state = {}
    for name, tensor in wide.state_dict().items():
        old, layer = old_state[name], _layer_of(name)
        if name.startswith("gains."):
            state[name] = _widened_gains(old, m)
        elif layer in RULES and name.endswith("bias"):
            state[name] = _widened_bias(old, tensor.shape[0], RULES[layer], layer == "h_s.layers.2")
        elif layer in RULES:
            state[name] = _widened_weight(old, tuple(tensor.shape), RULES[layer], generator)
        else:
            state[name] = old
    wide.load_state_dict(state)
    return wide


def _layer_of(name: str) -> str:
    """``context.layers.0.parametrizations.weight.original`` → ``context.layers.0``."""
    parts = name.split(".")
    return ".".join(parts[:3] if parts[1] == "layers" else parts[:2])


def _widened_weight(old: torch.Tensor, shape: tuple[int, ...], rule: WideningRule,
                    generator: torch.Generator) -> torch.Tensor:
    """A weight grown to ``shape``: old values kept, new inputs into old outputs zero, new
    outputs of a final layer zero, every other new entry random at the old weights' spread."""
    new = torch.randn(shape, generator=generator) * float(old.std()) * rule.spread
    old_out, new_out = _split(old.shape, shape, rule.out_axis)
    old_in, new_in = _split(old.shape, shape, rule.in_axis)
    out_dim = None if rule.out_axis is None else rule.out_axis.dim
    in_dim = None if rule.in_axis is None else rule.in_axis.dim
    if in_dim is not None and rule.silent_inputs:
        new[_grid(shape, {out_dim: old_out, in_dim: new_in})] = 0.0
    if rule.final and out_dim is not None:
        new[_grid(shape, {out_dim: new_out})] = 0.0
    new[_grid(shape, {out_dim: old_out, in_dim: old_in})] = old
    return new


def _widened_bias(old: torch.Tensor, size: int, rule: WideningRule, holds_log_scales: bool) -> torch.Tensor:
    """A bias grown to ``size`` (it follows its layer's output axis): old values kept, new ones
    zero except ``h_s``'s new log-scales, which start at ``NEW_LOG_SCALE``."""
    if rule.out_axis is None:
        return old.clone()
    axis = Axis(0, rule.out_axis.chunks)
    old_positions, new_positions = _split(old.shape, (size,), axis)
    new = torch.zeros(size)
    new[torch.from_numpy(old_positions)] = old
    if holds_log_scales:
        half = size // 2
        new_log_scales = torch.from_numpy(new_positions[new_positions >= half])
        new[new_log_scales] = NEW_LOG_SCALE
    return new


def _split(old_shape: Sequence[int], shape: Sequence[int], axis: Axis | None) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the old and of the new indices along a widened ``axis`` (each chunk keeps
    its old indices at its start); empty arrays when there is no axis."""
    if axis is None:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    old_chunk, new_chunk = old_shape[axis.dim] // axis.chunks, shape[axis.dim] // axis.chunks
    old_positions = np.concatenate([c * new_chunk + np.arange(old_chunk) for c in range(axis.chunks)])
    return old_positions, np.setdiff1d(np.arange(shape[axis.dim]), old_positions)


def _grid(shape: Sequence[int], selections: dict[int | None, np.ndarray]) -> tuple[torch.Tensor, ...]:
    """Broadcasting index tensors that select ``selections[dim]`` along each listed dimension and
    everything along the others (a ``None`` key is ignored)."""
    axes = [selections.get(dim, np.arange(size)) for dim, size in enumerate(shape)]
    return tuple(torch.from_numpy(index) for index in np.ix_(*axes))


def _widened_gains(old: torch.Tensor, m: int) -> torch.Tensor:
    """A log-gain table ``[L, M]`` grown to ``[L, m]``: new channels take each level's mean."""
    extra = old.mean(dim=1, keepdim=True).expand(old.shape[0], m - old.shape[1])
    return torch.cat([old, extra], dim=1)
