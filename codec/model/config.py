"""The model's shape, kept free of torch so that the command line can read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from aecodec.codec.quality import RateScale


@dataclass(frozen=True)
class ModelConfig:
    """Channel widths (``n`` for the transforms and the hyper-latent, ``m`` for the latent) and the
    quality scale ``rate`` that the gain vectors are learned on."""

    n: int = 128
    m: int = 192
    rate: RateScale = field(default_factory=RateScale)

    @classmethod
    def from_dict(cls, values: dict) -> ModelConfig:
        """The config saved as ``dataclasses.asdict`` (a checkpoint's ``config``); checkpoints
        written before rate scales existed have model 2's."""
        rate = values.get("rate")
        return cls(int(values["n"]), int(values["m"]), RateScale(**rate) if rate else RateScale())
