"""What a training run does, kept free of torch so that the command line's defaults come from it."""

from __future__ import annotations

from dataclasses import dataclass

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.quality import RateScale


@dataclass(frozen=True)
class TrainConfig:
    """What a run does; ``steps`` is the total to reach, counted across resumes, or ``None`` when
    ``minutes`` of wall clock set it once the first steps are timed (see
    :mod:`aecodec.tools.training.time_budget`); ``batch_size`` is the global batch over all processes. The
    learning rate decays over the last ``decay_steps`` steps, or over the last ``decay_fraction``
    of the steps since Adam started (0, or a warm start's step) when that is not given (over the
    whole run, for a run set by ``minutes``).
    ``rate``, when set, is the quality scale a new model or a warm start from exported weights
    trains on (a resumed checkpoint keeps its own). ``latent_channels``, when set, widens a warm
    start's latent to that many channels (:mod:`aecodec.tools.training.widen`)."""

    steps: int | None = 40000
    batch_size: int = 4
    crop: int = 256
    learning_rate: float = 3e-4
    final_learning_rate: float = 2e-5
    warmup_steps: int = 500
    decay_fraction: float = 0.25
    decay_steps: int | None = None
    checkpoint_every: int = 250
    mixed_precision: bool = True
    compile: bool = False
    seed: int = 0
    minutes: float | None = None
    model: ModelConfig = ModelConfig()
    rate: RateScale | None = None
    latent_channels: int | None = None

    def __post_init__(self) -> None:
        if (self.steps is None) == (self.minutes is None):
            raise ValueError("a run needs exactly one of a number of steps and a time budget")
