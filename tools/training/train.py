"""Training driver: random crops, λ sampled per item, Adam, resumable checkpoints, a progress bar.

Loss per item is ``λ · 255² · MSE + bpp`` with λ set by the item's random rate position, so one run
trains the whole quality range. Checkpoints hold the plain model's state, optimizer, step and model
config, written atomically by rank 0; any number of processes can resume from one.

Under torchrun every process runs :func:`train`; ``batch_size`` is the global batch, split evenly
across the processes, and DistributedDataParallel averages their gradients, so a step computes the
same update as one process with the whole batch. Each process draws its own crops, positions and
quantization noise from a stream seeded by ``(seed, rank, first step)``.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.codec.model.precision import native_bfloat16
from aecodec.codec.quality import RateScale
from aecodec.tools.training.config import TrainConfig
from aecodec.tools.training.dataset import CropSampler
from aecodec.tools.training.launch import Launch, check_replicas, share
from aecodec.tools.training.step import StepStats, build_objective, optimize_step, random_positions
from aecodec.tools.training.time_budget import TimeBudget
from aecodec.tools.training.warm_start import model_from_weights
from aecodec.tools.training.widen import widen_latent

SHOW_EVERY = 10
"""Steps between progress-bar statistics on a GPU, where reading them waits for the device."""


@dataclass
class TrainingState:
    """The plain (unwrapped) model, its Adam optimizer, the number of steps done and the step at
    which the optimizer started from zero (the learning rate warms up from there)."""

    model: HyperpriorModel
    optimizer: torch.optim.Optimizer
    step: int
    optimizer_start: int = 0


def learning_rate(step: int, config: TrainConfig, optimizer_start: int = 0) -> float:
    """Constant, then cosine decay to ``final_learning_rate`` over the last part, scaled by a
    linear warm-up over the ``warmup_steps`` after ``optimizer_start``, the step at which Adam's
    moments started from zero (0 for a new model, the weights' step for a resume from ``.npz``).
    While a time-budgeted run has no end step yet, there is no decay."""
    warmup = min(1.0, (step - optimizer_start + 1) / config.warmup_steps)
    if config.steps is None:
        return config.learning_rate * warmup
    decay_start = decay_start_step(config, optimizer_start)
    if step < decay_start:
        return config.learning_rate * warmup
    progress = min(1.0, (step - decay_start) / max(1, config.steps - decay_start))
    cosine = 0.5 * (1 + math.cos(math.pi * progress))
    return warmup * (config.final_learning_rate + (config.learning_rate - config.final_learning_rate) * cosine)


def decay_start_step(config: TrainConfig, optimizer_start: int = 0) -> int:
    """The step at which the cosine decay of the learning rate begins (``config.steps`` set): the
    last ``decay_steps``, or else the last ``decay_fraction`` of the steps since ``optimizer_start``,
    so a warm start from exported weights at step 392,000 asked for ``steps=396,000`` decays over
    its last 1,000 steps, not over all of them (a quarter of the total count)."""
    if config.steps is None:
        raise ValueError("the last step is not fixed yet (a run set by --minutes times its first steps)")
    if config.decay_steps is not None:
        return max(0, config.steps - config.decay_steps)
    return config.steps - int((config.steps - optimizer_start) * config.decay_fraction)


def local_batch_size(batch_size: int, world_size: int) -> int:
    """This process's share of the global batch; it must split evenly."""
    if batch_size % world_size:
        raise ValueError(f"--batch-size {batch_size} does not split evenly across {world_size} processes")
    return batch_size // world_size


def rank_seeds(seed: int, rank: int, step: int) -> tuple[np.random.SeedSequence, int]:
    """Independent seeds for this process's crops (numpy) and its positions and noise (torch),
    distinct for every ``rank`` and every resume ``step``."""
    crops, noise = np.random.SeedSequence([seed, rank, step]).spawn(2)
    return crops, int(noise.generate_state(1)[0])


def train(data_dir: Path | Sequence[Path], out: Path, resume: Path | None, config: TrainConfig,
          current: Launch) -> Path:
    """Train (or continue training) in this process on the photos under ``data_dir`` (one folder or
    several) and write checkpoints to ``out``; returns ``out``. A time budget (``config.minutes``)
    counts from this call, loading included."""
    started = time.monotonic()
    batch = local_batch_size(config.batch_size, current.world_size)
    torch.manual_seed(config.seed)
    state = restore(resume, config.model, current.device, config.rate, config.latent_channels)
    crop_seed, noise_seed = rank_seeds(config.seed, current.rank, state.step)
    sampler = CropSampler.from_folder(data_dir, config.crop, crop_seed, current.device)
    torch.manual_seed(noise_seed)
    objective = build_objective(state.model, use_bfloat16(config, current), config.compile, current)
    state.model.train()
    budget = None if config.minutes is None else TimeBudget(config.minutes * 60, state.step, started)
    with tqdm(total=config.steps, initial=state.step, unit="step", dynamic_ncols=True, disable=not current.is_main) as progress:
        while config.steps is None or state.step < config.steps:
            metrics = _step(objective, state, sampler, batch, config)
            progress.update(1)
            if budget is not None and budget.wants_time(state.step):
                config = _follow_budget(budget, state.step, config, current, progress)
            if state.step % SHOW_EVERY == 0 or current.device.type == "cpu":
                progress.set_postfix(_postfix(StepStats.read(metrics)))
            if state.step % config.checkpoint_every == 0 or state.step == config.steps:
                _checkpoint(out, state, current, final=state.step == config.steps)
    return out


def budgeted(config: TrainConfig, first_step: int, end_step: int) -> TrainConfig:
    """``config`` with its end fixed at ``end_step``; unless ``decay_steps`` was given, the cosine
    decay covers the whole run, from ``first_step``."""
    decay_steps = config.decay_steps if config.decay_steps is not None else max(1, end_step - first_step)
    return replace(config, steps=end_step, decay_steps=decay_steps, minutes=None)


def _follow_budget(budget: TimeBudget, step: int, config: TrainConfig, current: Launch, progress: tqdm) -> TrainConfig:
    """Read the clock after ``step`` (once the device has finished it); once the probe is over,
    the config ending where rank 0's plan says."""
    if current.device.type == "cuda":
        torch.cuda.synchronize(current.device)
    end_step = budget.observe(step, time.monotonic())
    if end_step is None:
        return config
    if current.distributed:
        end_step = int(share(current, "end-step", str(end_step))[0])
    progress.total = end_step
    progress.refresh()
    if current.is_main:
        tqdm.write(f"{budget.steps_per_second:.2f} steps/s: the {config.minutes:g}-minute budget ends this run at step {end_step}")
    return budgeted(config, budget.first_step, end_step)


def use_bfloat16(config: TrainConfig, current: Launch) -> bool:
    """Mixed precision where asked and the device has native bfloat16; says so when it falls back."""
    if config.mixed_precision and not native_bfloat16(current.device):
        if current.is_main:
            tqdm.write(f"{current.device.type} has no native bfloat16: training in float32")
        return False
    return config.mixed_precision


def _step(objective: torch.nn.Module, state: TrainingState, sampler: CropSampler, batch: int,
          config: TrainConfig) -> torch.Tensor:
    for group in state.optimizer.param_groups:
        group["lr"] = learning_rate(state.step, config, state.optimizer_start)
    positions = random_positions(batch, state.model.config.rate.levels, sampler.device)
    metrics = optimize_step(objective, state.optimizer, sampler.batch(batch), positions)
    state.step += 1
    return metrics


def _postfix(stats: StepStats) -> dict[str, str]:
    return {"loss": f"{stats.loss:.3f}", "bpp": f"{stats.bpp:.3f}", "psnr": f"{stats.psnr:.2f}"}


def _checkpoint(out: Path, state: TrainingState, current: Launch, final: bool) -> None:
    """Rank 0 writes; under torchrun every rank first confirms the replicas are identical."""
    if current.distributed:
        digest = check_replicas(state.model, current, state.step)
        if final and current.is_main:
            tqdm.write(f"weights identical on {current.world_size} processes (sha256 {digest})")
    if current.is_main:
        save_checkpoint(out, state.model, state.optimizer, state.step, state.optimizer_start)


def restore(resume: Path | None, fresh: ModelConfig, device: torch.device,
            rate: RateScale | None = None, latent_channels: int | None = None) -> TrainingState:
    """A new model of shape ``fresh``; the model, optimizer and step saved in a checkpoint
    ``resume``; or, when ``resume`` is exported weights (``.npz``), their model and step with a
    fresh optimizer (see :mod:`aecodec.tools.training.warm_start`). ``rate``, when given, is the quality
    scale of a new model or of a warm start (a checkpoint keeps its own); ``latent_channels``,
    when given, widens a warm start's latent to that many channels."""
    if latent_channels is not None and (resume is None or resume.suffix != ".npz"):
        raise ValueError("only a warm start from exported weights (.npz) can widen the latent")
    if resume is None or resume.suffix == ".npz":
        if resume is None:
            model, step = HyperpriorModel(fresh if rate is None else replace(fresh, rate=rate)), 0
        else:
            model, step = model_from_weights(resume, rate)
            if latent_channels is not None:
                model = widen_latent(model, latent_channels)
        model = to_channels_last(model, device)
        return TrainingState(model, torch.optim.Adam(model.parameters()), step, optimizer_start=step)
    checkpoint = load_checkpoint(resume, device)
    model = to_channels_last(model_from_checkpoint(checkpoint, resume), device)
    if rate is not None and rate != model.config.rate:
        raise ValueError(f"{resume} trains on {model.config.rate}; a checkpoint keeps its quality scale "
                         "(export it and warm-start from the .npz to change the scale)")
    optimizer = torch.optim.Adam(model.parameters())
    optimizer.load_state_dict(checkpoint["optimizer"])
    return TrainingState(model, optimizer, int(checkpoint["step"]), int(checkpoint.get("optimizer_start", 0)))


def model_from_checkpoint(checkpoint: dict, path: Path) -> HyperpriorModel:
    """The model saved in a loaded checkpoint; a ``ValueError`` naming what is missing when the
    checkpoint comes from an older architecture (resume from its exported weights instead)."""
    model = HyperpriorModel(ModelConfig.from_dict(checkpoint["config"]))
    missing = sorted({name.split(".")[0] for name in model.state_dict().keys() - checkpoint["model"].keys()})
    if missing:
        raise ValueError(f"{path} has no {', '.join(missing)} parameters (saved by an older aecodec); "
                         "export it with that version and resume from the .npz")
    model.load_state_dict(checkpoint["model"])
    return model


def to_channels_last(model: HyperpriorModel, device: torch.device) -> HyperpriorModel:
    """Move ``model`` to ``device`` with channels-last convolution kernels, in place."""
    model.to(device, memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's stubs lack memory_format
    return model


def save_checkpoint(path: Path, model: HyperpriorModel, optimizer: torch.optim.Optimizer, step: int,
                    optimizer_start: int = 0) -> None:
    """Write model, optimizer state, step, the step the optimizer started at (so a resume inside
    the warm-up keeps warming up) and config atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(
        {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
         "optimizer_start": optimizer_start, "config": asdict(model.config)},
        temporary,
    )
    os.replace(temporary, path)


def load_checkpoint(path: Path, device: torch.device | str = "cpu") -> dict:
    """Read a checkpoint without unpickling arbitrary objects (``weights_only=True``)."""
    return torch.load(path, map_location=device, weights_only=True)
