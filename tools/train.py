"""Training driver: random crops, λ sampled per item, Adam, resumable checkpoints, a progress bar.

Loss per item is ``λ · 255² · MSE + bpp`` with λ set by the item's random rate position, so one run
trains the whole quality range. Checkpoints hold model, optimizer and step, written atomically.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from tqdm import tqdm

from aecodec.codec.model import ForwardResult, HyperpriorModel, ModelConfig
from aecodec.codec.rate import NUM_LEVELS, position_to_lambda
from aecodec.tools.dataset import CropSampler


@dataclass(frozen=True)
class TrainConfig:
    """What a run does; ``steps`` is the total to reach, counted across resumes."""

    steps: int = 40000
    batch_size: int = 8
    crop: int = 128
    learning_rate: float = 3e-4
    final_learning_rate: float = 2e-5
    warmup_steps: int = 500
    decay_fraction: float = 0.25
    checkpoint_every: int = 250
    mixed_precision: bool = True
    seed: int = 0
    model: ModelConfig = ModelConfig()


@dataclass
class StepStats:
    """Batch means of one step: loss, bits per pixel and PSNR in dB."""

    loss: float
    bpp: float
    psnr: float


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up, constant, then cosine decay to ``final_learning_rate`` over the last part."""
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    decay_start = int(config.steps * (1 - config.decay_fraction))
    if step < decay_start:
        return config.learning_rate
    progress = min(1.0, (step - decay_start) / max(1, config.steps - decay_start))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return config.final_learning_rate + (config.learning_rate - config.final_learning_rate) * cosine


def rate_distortion_loss(x: torch.Tensor, result: ForwardResult, position: torch.Tensor) -> tuple[torch.Tensor, StepStats]:
    """Mean over the batch of ``λ_i · 255² · MSE_i + bpp_i``; ``x`` is ``[B, 3, H, W]``."""
    batch, _, height, width = x.shape
    mse = (result.x_hat - x).square().mean(dim=(1, 2, 3))
    bits = -(result.y_likelihood.log2().sum(dim=(1, 2, 3)) + result.z_likelihood.log2().sum(dim=(1, 2, 3)))
    bpp = bits / (height * width)
    loss = (position_to_lambda(position) * 255.0**2 * mse + bpp).mean()
    psnr = (10 * torch.log10(1.0 / mse.detach().clamp_min(1e-10))).mean()
    return loss, StepStats(loss.item(), bpp.mean().item(), psnr.item())


def pick_device(name: str) -> torch.device:
    """``auto`` means CUDA when available, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but no CUDA device is available")
    return torch.device(name)


def train(data_dir: Path, out: Path, resume: Path | None, config: TrainConfig, device: torch.device) -> Path:
    """Train (or continue training) and write checkpoints to ``out``; returns ``out``."""
    torch.manual_seed(config.seed)
    sampler = CropSampler(data_dir, config.crop, seed=config.seed + int(time.time()))
    model, optimizer, step = _restore(resume, config.model, device)
    model.train()
    progress = tqdm(total=config.steps, initial=step, unit="step", dynamic_ncols=True)
    while step < config.steps:
        stats = _train_step(model, optimizer, sampler, step, config, device)
        step += 1
        progress.update(1)
        progress.set_postfix(loss=f"{stats.loss:.3f}", bpp=f"{stats.bpp:.3f}", psnr=f"{stats.psnr:.2f}")
        if step % config.checkpoint_every == 0 or step == config.steps:
            save_checkpoint(out, model, optimizer, step)
    progress.close()
    return out


def _train_step(model, optimizer, sampler: CropSampler, step: int, config: TrainConfig, device: torch.device) -> StepStats:
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(step, config)
    x = sampler.batch(config.batch_size).to(device).contiguous(memory_format=torch.channels_last)
    position = torch.rand(config.batch_size, device=device) * (NUM_LEVELS - 1)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.mixed_precision):
        result = model(x, position)
    loss, stats = rate_distortion_loss(x, result, position)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return stats


def _restore(resume: Path | None, fresh: ModelConfig, device: torch.device) -> tuple[HyperpriorModel, torch.optim.Optimizer, int]:
    """A new model of shape ``fresh``, or the model, optimizer and step saved in ``resume``."""
    if resume is None:
        model = HyperpriorModel(fresh).to(device, memory_format=torch.channels_last)
        return model, torch.optim.Adam(model.parameters()), 0
    checkpoint = load_checkpoint(resume, device)
    model = HyperpriorModel(ModelConfig(**checkpoint["config"]))
    model.load_state_dict(checkpoint["model"])
    model.to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters())
    optimizer.load_state_dict(checkpoint["optimizer"])
    return model, optimizer, int(checkpoint["step"])


def save_checkpoint(path: Path, model: HyperpriorModel, optimizer: torch.optim.Optimizer, step: int) -> None:
    """Write model, optimizer state, step and config atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "config": asdict(model.config)},
        temporary,
    )
    os.replace(temporary, path)


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> dict:
    """Read a checkpoint without unpickling arbitrary objects (``weights_only=True``)."""
    return torch.load(path, map_location=device, weights_only=True)
