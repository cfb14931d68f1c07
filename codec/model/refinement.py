"""Encoder effort: per-image refinement of the latents a file stores; the decoder is unchanged.

``g_a`` gives good latents in one pass, but not the best ones for a particular image. At effort
``e > 0`` the encoder takes Adam steps on ``y`` and ``z`` against the rate–distortion loss of the
chosen quality (``bpp + λ·255²·MSE``, the training objective), through differentiable copies of
what the decoder computes: the factorized prior of ``z``, the fixed-point ``h_s`` and checkerboard
context, the Gaussian rate of ``y`` and ``g_s`` (under bfloat16 autocast where
the device computes it natively: only the search runs in it). Rounding is
stochastic Gumbel annealing (Yang et al. 2020): each latent goes to the integer below or above
with a soft, sampled weight whose temperature falls with every step, so the loss approaches that
of integer latents while gradients still say which way each one should round. (Tried first on
kodim05 at quality 50: straight-through rounding and a plain continuous relaxation both raised the
coded cost within 25 steps, at every step size tried; annealing lowered it.) The noise comes from
a fixed seed, so an encoder gives the same file for the same input every time.

Levels nest: effort ``e`` runs the first ``EFFORT_STEPS[e]`` steps of one fixed trajectory. The
file keeps whichever of the one-pass latents and the latents reached at each level up to ``e``
costs least when actually coded (bytes from the range coder, distortion of the pixels the decoder
will produce), so a higher effort never costs more on any image than a lower one. Those pixels
come from the decoder's own path (:func:`analysis.quantize` then :func:`synthesise`), and
the symbols from the exact ``h_s`` and context: what the refiner predicts is what the decoder shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from aecodec.codec.decoder.checkerboard import LatentStreams, code
from aecodec.codec.decoder.model import synthesise
from aecodec.codec.encoder import analysis
from aecodec.codec.encoder.effort import DEFAULT_EFFORT, EFFORT_STEPS, EffortError, check_effort
from aecodec.codec.geometry import padded_size
from aecodec.codec.model.context import CheckerboardContext, coding_parameters
from aecodec.codec.model.entropy_models import FactorizedDensity, bits, coding_scale, gaussian_likelihood
from aecodec.codec.model.gains import interpolate_levels
from aecodec.codec.model.inference import InferenceModel
from aecodec.codec.model.integer_layers import float_context, float_hyper_synthesis
from aecodec.codec.model.precision import native_bfloat16
from aecodec.codec.model.transforms import HyperSynthesis, SynthesisTransform
from aecodec.codec.quality import quality_to_position, rate_distortion_cost

LEARNING_RATE = 0.02
"""Adam step size for ``y``, in quantization bins."""
Z_LEARNING_RATE = 0.02
"""Adam step size for ``z``, in quantization bins."""
TEMPERATURE_START = 0.5
TEMPERATURE_DECAY = 0.007
"""Per step: the annealing temperature is ``TEMPERATURE_START · exp(-TEMPERATURE_DECAY · step)``."""
TEMPERATURE_FLOOR = 0.05
"""Schedule re-checked with the 336,601-step weights on six training photos (no Kodak image) at
qualities 0, 50 and 100, 75 steps, mean change of the coded cost over the first 10 or 12 of those
18 encodings: these values −5.3%; a decay of 0.0307 (reaching the floor at step 75) −3.9%, a
start of 0.3 with decay 0.0239 −2.8%, a decay of 0.003 −5.1%, step sizes (y and z) of 0.01 −4.6%
and of 0.04 −1.1%."""
SEED = 2018
MAX_REFINE_PIXELS = 1 << 23
"""Refinement holds ``g_s``'s activations for the whole image: peak memory measured 0.75 GB at
768×512 and 1.46 GB at 1536×1024 on the CPU, so 8 Mpixels (padded) stays near 5 GB."""


@dataclass(frozen=True)
class Encoding:
    """One candidate coded for real: its streams, the uint8 pixels ``[H, W, 3]`` the decoder will
    produce from them and its cost ``8·bytes/pixels + λ·255²·MSE`` (MSE of [0, 1] samples)."""

    streams: LatentStreams
    predicted: np.ndarray
    cost: float


@dataclass(frozen=True)
class _Differentiable:
    """What the loss runs through: float copies of the decoder's parts, the padded target and
    whether ``g_s`` runs under bfloat16 autocast (decided once, where the device has it natively)."""

    g_s: SynthesisTransform
    h_s: HyperSynthesis
    context: CheckerboardContext
    z_prior: FactorizedDensity
    decoder_gain: torch.Tensor
    target: torch.Tensor
    lam: float
    bfloat16: bool

    def loss(self, y: torch.Tensor, z: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
        """``bpp + λ·255²·MSE`` of the annealed-rounded latents ``y`` ``[1, M, h, w]`` and ``z``
        ``[1, N, h/4, w/4]``, over the image's own pixels."""
        z_hat = annealed_round(z, temperature, generator)
        z_bits = bits(self.z_prior.likelihood(z_hat))
        mean, log_scale = self.h_s(z_hat)
        mean, log_scale = coding_parameters(self.context, y, mean, log_scale,
                                            lambda x: annealed_round(x, temperature, generator))
        scale = coding_scale(log_scale)
        residual = annealed_round(y - mean, temperature, generator)
        y_bits = bits(gaussian_likelihood(residual, scale))
        y_hat = ((residual + mean) * self.decoder_gain).contiguous(memory_format=torch.channels_last)
        with torch.autocast(y_hat.device.type, dtype=torch.bfloat16, enabled=self.bfloat16):
            x_hat = self.g_s(y_hat)
        _, _, height, width = self.target.shape
        mse = (x_hat[:, :, :height, :width].float() - self.target).square().mean()
        return rate_distortion_cost((y_bits + z_bits) / (height * width), self.lam, mse)


def annealed_round(x: torch.Tensor, temperature: float, generator: torch.Generator) -> torch.Tensor:
    """Stochastic Gumbel annealing of ``x`` (any shape) towards ``floor(x)`` or ``floor(x) + 1``.

    The logit of each side is ``-atanh(distance) / temperature``; a Gumbel-softmax sample at the
    same temperature weighs the two. The result is differentiable in ``x`` and nears hard
    rounding as ``temperature`` falls.
    """
    lower = torch.floor(x).detach()
    distance = (x - lower).clamp(1e-5, 1 - 1e-5)
    logits = torch.stack([-torch.atanh(distance), -torch.atanh(1 - distance)]) / temperature
    uniform = torch.rand(logits.shape, generator=generator, device=x.device).clamp_min(1e-20)
    weights = torch.softmax((logits - torch.log(-torch.log(uniform))) / temperature, dim=0)
    return lower + weights[1]


def temperature(step: int) -> float:
    """The annealing temperature at ``step`` (counted from 0), independent of the effort level."""
    return max(TEMPERATURE_START * math.exp(-TEMPERATURE_DECAY * step), TEMPERATURE_FLOOR)


def encode(model: InferenceModel, color: np.ndarray, quality: float, effort: int = DEFAULT_EFFORT,
           device: torch.device | str = "cpu") -> LatentStreams:
    """Code uint8 ``color`` ``[H, W, 3]`` at ``quality``; effort 0 is :func:`analysis.encode` itself."""
    if check_effort(effort) == 0:
        return analysis.encode(model, color, quality, str(device))
    return refined_encoding(model, color, quality, effort, device).streams


def refined_encoding(model: InferenceModel, color: np.ndarray, quality: float, effort: int,
                     device: torch.device | str = "cpu",
                     on_level: Callable[[int, Encoding], None] | None = None) -> Encoding:
    """The cheapest coded candidate up to ``effort`` (see the module notes).

    ``on_level(level, best_so_far)`` is called as each level completes, with what a call at that
    effort returns; benchmarks use it to read every level from one trajectory.
    """
    _check_size(color, check_effort(effort))
    start = analysis.analysis_latents(model, color, quality, str(device))
    best = _coded(model, start, color, quality, device)
    if on_level is not None:
        on_level(0, best)
    parts = _differentiable(model, color, quality, device)
    y = torch.from_numpy(start.y)[None].to(device).requires_grad_(True)
    z = torch.from_numpy(start.z)[None].to(device).requires_grad_(True)
    optimizer = torch.optim.Adam([{"params": [y], "lr": LEARNING_RATE}, {"params": [z], "lr": Z_LEARNING_RATE}])
    generator = torch.Generator(y.device).manual_seed(SEED)
    for level in range(1, effort + 1):
        for step in range(EFFORT_STEPS[level - 1], EFFORT_STEPS[level]):
            optimizer.zero_grad(set_to_none=True)
            parts.loss(y, z, temperature(step), generator).backward()
            optimizer.step()
        candidate = _coded(model, _as_latents(y, z), color, quality, device)
        best = candidate if candidate.cost < best.cost else best
        if on_level is not None:
            on_level(level, best)
    return best


def _as_latents(y: torch.Tensor, z: torch.Tensor) -> analysis.Latents:
    """NumPy latents ``[M, h, w]`` and ``[N, h/4, w/4]`` of the refined ``[1, ...]`` tensors."""
    return analysis.Latents(y.detach()[0].float().cpu().numpy(), z.detach()[0].float().cpu().numpy())


def _coded(model: InferenceModel, latents: analysis.Latents, color: np.ndarray, quality: float,
           device: torch.device | str) -> Encoding:
    quantized = analysis.quantize(model, latents, with_y_hat=True)
    streams = code(model, quantized.symbols)
    height, width, _ = color.shape
    assert quantized.y_hat is not None  # asked for above
    predicted = synthesise(model, quantized.y_hat, quality, height, width, str(device))
    error = (predicted.astype(np.float64) - color) / 255.0
    cost = rate_distortion_cost(8 * streams.size / (height * width), model.rate_scale.lambda_for(quality),
                                float(np.mean(error**2)))
    return Encoding(streams, predicted, cost)


def _differentiable(model: InferenceModel, color: np.ndarray, quality: float,
                    device: torch.device | str) -> _Differentiable:
    target = torch.from_numpy(color.transpose(2, 0, 1).copy()).float().div_(255.0)[None]
    return _Differentiable(
        g_s=model.g_s.to(device),
        h_s=float_hyper_synthesis(model.hyper_layers).to(device),
        context=float_context(model.context_layers).to(device),
        z_prior=model.z_prior.to(device),
        decoder_gain=gain_vector(model.log_decoder_gain, quality, device),
        target=target.to(device),
        lam=model.rate_scale.lambda_for(quality),
        bfloat16=native_bfloat16(torch.device(device)),
    )


def gain_vector(log_table: torch.Tensor, quality: float, device: torch.device | str) -> torch.Tensor:
    """The gains ``[1, M, 1, 1]`` on ``device`` that ``log_table`` ``[L, M]`` gives at ``quality``."""
    position = torch.tensor([quality_to_position(quality, log_table.shape[0])], dtype=torch.float32)
    return interpolate_levels(log_table, position).exp()[:, :, None, None].to(device)


def _check_size(color: np.ndarray, effort: int) -> None:
    padded_height, padded_width = padded_size(color.shape[0], color.shape[1])
    padded = padded_height * padded_width
    if effort > 0 and padded > MAX_REFINE_PIXELS:
        raise EffortError(f"effort {effort} refines whole images of up to {MAX_REFINE_PIXELS} pixels; "
                          f"this one pads to {padded} (use effort 0)")
