"""The synthesis transform ``g_s`` in NumPy float32, so that decoding on a CPU never imports torch.

It computes what :class:`aecodec.codec.model.transforms.SynthesisTransform` computes, channels last:
each stride-2 transposed convolution is four output phases, each a sum of matrix products of
shifted views of the zero-bordered input with one kernel tap (no im2col copy). Results differ
from torch's only by float32 rounding; ``g_s`` never chooses a probability table, so this does not
touch exact decoding. It is one of the engines of :mod:`aecodec.codec.engines.base` (``numpy``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

KERNEL = 5
CHUNK = 4096
"""Output positions summed at a time (4096 × 128 float32 is 2 MB): about twice as fast as whole
phases on a 2-core AVX2 CPU for 1024-pixel tiles."""
GDN_BETA_FLOOR = np.float32(1e-6)
"""Added to ``beta`` as :class:`aecodec.codec.model.layers.SimplifiedGDN` does."""


@dataclass(frozen=True)
class Deconvolution:
    """A stride-2, 5×5 transposed convolution: ``taps`` float32 ``[5, 5, in, out]``, ``bias`` ``[out]``."""

    taps: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class InverseGDN:
    """``y = x · (beta + |x| @ gamma)`` per position: ``beta`` float32 ``[C]``, ``gamma`` ``[C, C]``."""

    beta: np.ndarray
    gamma: np.ndarray


@dataclass(frozen=True)
class SynthesisWeights:
    """``g_s`` as alternating layers: ``deconvolutions[i]`` then ``normalizations[i]``, the last
    deconvolution (to 3 channels) alone."""

    deconvolutions: list[Deconvolution]
    normalizations: list[InverseGDN]


def synthesis_weights(parameters: dict[str, np.ndarray]) -> SynthesisWeights:
    """Weights from ``g_s``'s parameters as stored (``"0.weight"`` ``[in, out, 5, 5]``,
    ``"1.beta_root"``, ``"1.gamma_root"`` ``[C, C, 1, 1]``, ...: the torch module's names)."""
    deconvolutions, normalizations = [], []
    index = 0
    while f"{index}.weight" in parameters:
        weight = parameters[f"{index}.weight"].astype(np.float32)
        taps = np.ascontiguousarray(weight.transpose(2, 3, 0, 1))
        deconvolutions.append(Deconvolution(taps, parameters[f"{index}.bias"].astype(np.float32)))
        if f"{index + 1}.beta_root" in parameters:
            beta = np.square(parameters[f"{index + 1}.beta_root"].astype(np.float32)) + GDN_BETA_FLOOR
            gamma = np.square(parameters[f"{index + 1}.gamma_root"].astype(np.float32)[:, :, 0, 0])
            normalizations.append(InverseGDN(beta, np.ascontiguousarray(gamma.T)))
        index += 2
    if len(deconvolutions) != len(normalizations) + 1:
        raise ValueError("g_s parameters do not alternate transposed convolutions and GDNs")
    return SynthesisWeights(deconvolutions, normalizations)


class NumpyTransforms:
    """``g_s`` in NumPy behind :class:`aecodec.codec.engines.base.Transforms` (no ``g_a``/``h_a``)."""

    def __init__(self, parameters: dict[str, np.ndarray]) -> None:
        self.weights = synthesis_weights(parameters)

    def analysis(self, image: np.ndarray, gain: np.ndarray) -> np.ndarray:
        raise ValueError("the numpy engine has no g_a; use onnxruntime or torch")

    def hyper_analysis(self, latent: np.ndarray) -> np.ndarray:
        raise ValueError("the numpy engine has no h_a; use onnxruntime or torch")

    def synthesis(self, latent: np.ndarray, gain: np.ndarray) -> np.ndarray:
        """``[B, M, h, w]`` and ``gain`` ``[1, M, 1, 1]`` to ``[B, 3, 16h, 16w]``, image by image."""
        scaled = latent.astype(np.float32) * gain.astype(np.float32)
        return np.stack([synthesis(self.weights, np.ascontiguousarray(item.transpose(1, 2, 0))).transpose(2, 0, 1)
                         for item in scaled])


def synthesis(weights: SynthesisWeights, latent: np.ndarray) -> np.ndarray:
    """Channels-last ``g_s``: float32 ``[h, w, M]`` to ``[16h, 16w, 3]`` (unclamped)."""
    x = latent
    for deconvolution, normalization in zip(weights.deconvolutions[:-1], weights.normalizations, strict=True):
        x = _inverse_gdn(_deconvolve(x, deconvolution), normalization)
    return _deconvolve(x, weights.deconvolutions[-1])


def _phase_taps(phase: int) -> list[tuple[int, int]]:
    """``(kernel tap, input offset)`` pairs for output ``2q + phase``: input ``q + offset`` meets tap
    ``2 - 2·offset + phase`` (padding 2, output padding 1)."""
    offsets = (-1, 0, 1) if phase == 0 else (0, 1)
    return [(2 - 2 * offset + phase, offset) for offset in offsets]


def _deconvolve(x: np.ndarray, layer: Deconvolution) -> np.ndarray:
    """float32 ``[h, w, in]`` to ``[2h, 2w, out]``.

    The input sits in a zero border one wide (plus a spare row, so every shifted view of ``h``
    rows of the padded width stays inside); each view is contiguous, its extra two columns per row
    are dropped after the products. A layer with few outputs (all 25 taps' products no wider than
    the input: the last one, to 3 channels) multiplies once by every tap, then shifts the results.
    """
    height, width, channels = x.shape
    padded = np.zeros((height + 3, width + 2, channels), dtype=np.float32)
    padded[1 : height + 1, 1 : width + 1] = x
    flat = padded.reshape(-1, channels)
    outputs = layer.bias.shape[0]
    every_tap = None
    if KERNEL * KERNEL * outputs <= channels:
        every_tap = (flat @ layer.taps.transpose(2, 0, 1, 3).reshape(channels, -1)).reshape(-1, KERNEL, KERNEL, outputs)
    out = np.empty((height, 2, width, 2, outputs), dtype=np.float32)
    total = np.empty((height * (width + 2), outputs), dtype=np.float32)
    for row_phase, col_phase in itertools.product(range(2), repeat=2):
        _phase_sum(flat, every_tap, layer, (row_phase, col_phase), width + 2, total)
        np.add(total.reshape(height, width + 2, outputs)[:, :width], layer.bias, out=out[:, row_phase, :, col_phase])
    return out.reshape(2 * height, 2 * width, outputs)


def _phase_sum(flat: np.ndarray, every_tap: np.ndarray | None, layer: Deconvolution, phase: tuple[int, int],
               padded_width: int, total: np.ndarray) -> None:
    """One output phase ``(row, column)`` before the bias, into ``total`` float32
    ``[h · padded_width, out]`` (overwritten; one buffer serves every phase, which saves the page
    faults of fresh ones): the sum over its taps of the input view shifted by the tap's offset,
    times the tap (or that product's slice of ``every_tap`` ``[positions, 5, 5, out]`` when
    given). ``flat`` is the bordered input ``[positions, in]``. Runs ``CHUNK`` positions at a
    time, so each block of the sum stays in cache while every tap adds to it."""
    shifts = [(tap_y, tap_x, (1 + offset_y) * padded_width + 1 + offset_x)
              for tap_y, offset_y in _phase_taps(phase[0]) for tap_x, offset_x in _phase_taps(phase[1])]
    total.fill(0.0)
    for first in range(0, total.shape[0], CHUNK):
        block = total[first : first + CHUNK]
        for tap_y, tap_x, start in shifts:
            if every_tap is None:
                block += flat[start + first : start + first + block.shape[0]] @ layer.taps[tap_y, tap_x]
            else:
                block += every_tap[start + first : start + first + block.shape[0], tap_y, tap_x]


def _inverse_gdn(x: np.ndarray, layer: InverseGDN) -> np.ndarray:
    """float32 ``[h, w, C]``, normalized in place and returned."""
    flat = x.reshape(-1, x.shape[-1])
    norm = np.abs(flat) @ layer.gamma
    norm += layer.beta
    flat *= norm
    return x
