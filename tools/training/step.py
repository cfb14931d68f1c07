"""One optimisation step: the rate–distortion objective, its distributed and compiled forms, Adam.

The objective runs the model under bfloat16 autocast (when asked) and scores the batch in float32;
the model keeps its entropy bottleneck and likelihoods in float32 itself. The same module is what
DistributedDataParallel wraps and what ``torch.compile`` compiles, so every variant learns the
same function: only where and how fast it is computed changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from aecodec.codec.model.entropy_models import bits
from aecodec.codec.model.hyperprior import ForwardResult, HyperpriorModel
from aecodec.codec.quality import RateScale, rate_distortion_cost
from aecodec.tools.training.launch import Launch

GRADIENT_CLIP = 1.0


@dataclass(frozen=True)
class StepStats:
    """Batch means of one step: loss, bits per pixel and PSNR in dB."""

    loss: float
    bpp: float
    psnr: float

    @classmethod
    def read(cls, metrics: torch.Tensor) -> StepStats:
        """From the ``[3]`` metrics tensor of :func:`rate_distortion_loss` (waits for the device)."""
        loss, bpp, psnr = metrics.tolist()
        return cls(loss, bpp, psnr)


def rate_distortion_loss(x: torch.Tensor, result: ForwardResult, position: torch.Tensor,
                         scale: RateScale) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean over the batch of ``λ_i · 255² · MSE_i + bpp_i``, λ from ``scale`` at each item's
    ``position``; ``x`` is ``[B, 3, H, W]``.

    Returns the loss and a detached ``[3]`` tensor of loss, mean bpp and mean PSNR (dB), left on
    the device so a step need not wait for it.
    """
    _, _, height, width = x.shape
    mse = (result.x_hat - x).square().mean(dim=(1, 2, 3))
    items = (1, 2, 3)
    bpp = (bits(result.y_likelihood, items) + bits(result.z_likelihood, items)) / (height * width)
    loss = rate_distortion_cost(bpp, scale.lambda_at(position), mse).mean()
    psnr = (10 * torch.log10(1.0 / mse.detach().clamp_min(1e-10))).mean()
    return loss, torch.stack([loss.detach(), bpp.detach().mean(), psnr])


class RateDistortionObjective(nn.Module):
    """``model`` plus its loss: ``(x [B, 3, H, W], position [B]) -> (loss, metrics [3])``."""

    def __init__(self, model: HyperpriorModel, mixed_precision: bool) -> None:
        super().__init__()
        self.model = model
        self.mixed_precision = mixed_precision

    def forward(self, x: torch.Tensor, position: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=self.mixed_precision):
            result = self.model(x, position)
        return rate_distortion_loss(x, result, position, self.model.config.rate)


def build_objective(model: HyperpriorModel, mixed_precision: bool, compile: bool, current: Launch) -> nn.Module:
    """The objective, wrapped in DistributedDataParallel under torchrun, then compiled if asked.

    ``model`` stays the plain module (its ``state_dict`` has no ``module.`` or ``_orig_mod.``
    prefixes) and shares its parameters with what is returned.
    """
    objective: nn.Module = RateDistortionObjective(model, mixed_precision)
    if current.distributed:
        if current.device.type == "cpu" and not compile:
            _plain_pointwise_kernels(model)
        device_ids = [current.device.index] if current.device.type == "cuda" else None
        objective = DistributedDataParallel(objective, device_ids=device_ids, gradient_as_bucket_view=True)
    if compile:
        objective = cast(nn.Module, torch.compile(objective))
    return objective


def _plain_pointwise_kernels(model: nn.Module) -> None:
    """Give ``[C, C, 1, 1]`` kernels plain strides, the layout eager CPU convolutions give their
    gradients (compiled and, as far as known, cuDNN steps keep channels-last strides), so
    DistributedDataParallel's buckets, laid out like the parameters, match the gradients. Such a
    kernel is channels-last and contiguous at once: values and results do not change."""
    for parameter in model.parameters():
        if parameter.dim() == 4 and parameter.shape[2:] == (1, 1):
            parameter.data = parameter.data.clone(memory_format=torch.contiguous_format)


def random_positions(batch_size: int, levels: int, device: torch.device) -> torch.Tensor:
    """One rate position per item, uniform over ``[0, levels - 1]``: ``[B]``."""
    return torch.rand(batch_size, device=device) * (levels - 1)


def optimize_step(objective: nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                  position: torch.Tensor) -> torch.Tensor:
    """Forward, backward (gradients averaged across ranks by DDP), clip, Adam; returns metrics ``[3]``.

    ``x`` is ``[B, 3, H, W]`` in [0, 1] (made channels-last here) and ``position`` ``[B]``.
    """
    x = x.contiguous(memory_format=torch.channels_last)
    loss, metrics = objective(x, position)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    torch.nn.utils.clip_grad_norm_(parameters, GRADIENT_CLIP)
    optimizer.step()
    return metrics
