"""The trainable mean–scale hyperprior with a checkerboard context and gain vectors.

(Minnen et al. 2018; He et al. 2021; Cui et al. 2021.)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.context import CheckerboardContext, coding_parameters
from aecodec.codec.model.entropy_models import FactorizedDensity, coding_scale, gaussian_likelihood
from aecodec.codec.model.fixed_point import round_ste
from aecodec.codec.model.gains import GainVectors
from aecodec.codec.model.transforms import AnalysisTransform, HyperAnalysis, HyperSynthesis, SynthesisTransform


@dataclass
class ForwardResult:
    """Training outputs. ``x_hat`` is ``[B, 3, H, W]``; likelihoods keep their tensors' shapes."""

    x_hat: torch.Tensor
    y_likelihood: torch.Tensor
    z_likelihood: torch.Tensor


class HyperpriorModel(nn.Module):
    """``g_a``, ``h_a``, the factorized prior of ``z``, ``h_s`` and the checkerboard context (both
    fixed point), ``g_s`` and gains."""

    def __init__(self, config: ModelConfig = ModelConfig()) -> None:
        super().__init__()
        self.config = config
        self.g_a = AnalysisTransform(config.n, config.m)
        self.g_s = SynthesisTransform(config.n, config.m)
        self.h_a = HyperAnalysis(config.n, config.m)
        self.h_s = HyperSynthesis(config.n, config.m)
        self.context = CheckerboardContext(config.m)
        self.z_prior = FactorizedDensity(config.n)
        self.gains = GainVectors(config.m, config.rate)

    def forward(self, x: torch.Tensor, position: torch.Tensor) -> ForwardResult:
        """Noisy-quantization pass for training. ``x`` is ``[B, 3, H, W]`` in [0, 1], H and W
        multiples of 64; ``position`` ``[B]`` picks each item's rate level."""
        y = self.g_a(x).float() * self.gains.encoder_gain(position)
        z = self.h_a(y).float()
        with torch.autocast(x.device.type, enabled=False):
            y_hat, y_likelihood, z_likelihood = self._entropy_bottleneck(y, z)
        x_hat = self.g_s(y_hat * self.gains.decoder_gain(position))
        return ForwardResult(x_hat.float(), y_likelihood, z_likelihood)

    def _entropy_bottleneck(
        self, y: torch.Tensor, z: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Quantize ``y`` around the predicted mean and score both latents, in float32 always
        (mixed precision would break the fixed-point emulation of ``h_s`` and the context).
        Anchors take ``h_s``'s mean and scale; non-anchors those the context refines from the
        rounded anchors, exactly what the decoder will have."""
        z_likelihood = self.z_prior.likelihood(z + torch.empty_like(z).uniform_(-0.5, 0.5))
        mean, log_scale = self.h_s(round_ste(z))
        mean, log_scale = coding_parameters(self.context, y, mean, log_scale, round_ste)
        scale = coding_scale(log_scale)
        noisy_residual = y - mean + torch.empty_like(y).uniform_(-0.5, 0.5)
        y_likelihood = gaussian_likelihood(noisy_residual, scale)
        y_hat = round_ste(y - mean) + mean
        return y_hat, y_likelihood, z_likelihood
