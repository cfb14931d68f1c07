"""The model's channel widths, kept free of torch so that the command line can read them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """Channel widths: ``n`` for the transforms and the hyper-latent, ``m`` for the latent."""

    n: int = 128
    m: int = 192
