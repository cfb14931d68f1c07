"""The model registry: fixed numbers for shipped weights. A number, once shipped, is never reused.

A file names its model by number plus a hash prefix of the weights, so a decoder can tell a file
made with other weights from a corrupted one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from aecodec.codec.weights import InferenceModel, load_inference_model

WEIGHTS_DIR = Path(__file__).parent / "weights"


@dataclass(frozen=True)
class RegisteredModel:
    """A shipped model: its number, a short name and its weights file inside the package."""

    model_id: int
    name: str
    filename: str

    @property
    def path(self) -> Path:
        return WEIGHTS_DIR / self.filename


MODELS = {1: RegisteredModel(1, "hyperprior-gain-128x192-v1", "hyperprior-gain-128x192-v1.npz")}
DEFAULT_MODEL_ID = 1


class UnknownModelError(ValueError):
    """A file made with weights this installation does not have."""


@functools.lru_cache(maxsize=4)
def load_model(model_id: int = DEFAULT_MODEL_ID) -> InferenceModel:
    """The inference model registered under ``model_id``, loaded once per process."""
    entry = MODELS.get(model_id)
    if entry is None:
        raise UnknownModelError(f"unknown model id {model_id} (this installation knows {sorted(MODELS)})")
    if not entry.path.is_file():
        raise UnknownModelError(f"weights for model {model_id} are not installed ({entry.path})")
    return load_inference_model(entry.path)
