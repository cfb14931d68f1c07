"""Where the float transforms ``g_a``, ``h_a`` and ``g_s`` run: one interface, three engines.

- ``onnxruntime`` (the default on the CPU): graphs built from the weights at load time
  (:mod:`aecodec.codec.engines.onnx_graphs`), run by onnxruntime's own kernels, whatever NumPy's
  BLAS (:mod:`aecodec.codec.engines.onnx_engine`);
- ``numpy``: ``g_s`` only, as matrix products (:mod:`aecodec.codec.engines.numpy_engine`);
- ``torch``: the torch modules, on any device (:mod:`aecodec.codec.model.torch_engine`; needs the
  ``torch`` extra).

The choice is by measurement (``results/speed/``). Every engine takes and returns float32
``[B, C, H, W]`` NumPy arrays; their outputs differ by float rounding only, and none of them
chooses a probability table. Engines are built on first use and kept with the model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

ENGINES = ("onnxruntime", "numpy", "torch")
DEFAULT_ENGINE = "onnxruntime"


class Transforms(Protocol):
    """The float transforms of one model on one engine and device."""

    def analysis(self, image: np.ndarray, gain: np.ndarray) -> np.ndarray:
        """``g_a(image) · gain``: ``[B, 3, H, W]`` in [0, 1] and ``gain`` ``[1, M, 1, 1]`` to ``[B, M, H/16, W/16]``."""

    def hyper_analysis(self, latent: np.ndarray) -> np.ndarray:
        """``h_a``: ``[B, M, h, w]`` to ``[B, N, h/4, w/4]``."""

    def synthesis(self, latent: np.ndarray, gain: np.ndarray) -> np.ndarray:
        """``g_s(latent · gain)``: ``[B, M, h, w]`` to ``[B, 3, 16h, 16w]`` (unclamped)."""


@dataclass(frozen=True)
class FloatParameters:
    """Float32 parameters of the transforms by the torch modules' names; ``g_a`` and ``h_a`` are
    None in a decoder."""

    g_s: dict[str, np.ndarray]
    g_a: dict[str, np.ndarray] | None = None
    h_a: dict[str, np.ndarray] | None = None

    def encoder_part(self, name: str) -> dict[str, np.ndarray]:
        """``g_a`` or ``h_a``; ``ValueError`` in a decoder."""
        found = getattr(self, name)
        if found is None:
            raise ValueError(f"this model has no {name} (a decoder only)")
        return found


class EngineCache:
    """A model's transforms, built once per ``(engine, device)``."""

    def __init__(self, parameters: FloatParameters) -> None:
        self.parameters = parameters
        self._built: dict[tuple[str, str], Transforms] = {}
        self._lock = threading.Lock()

    def get(self, engine: str = DEFAULT_ENGINE, device: str = "cpu") -> Transforms:
        """The transforms on ``engine`` (one of :data:`ENGINES`) and ``device`` (torch only)."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
        if engine != "torch" and device != "cpu":
            raise ValueError(f"the {engine} engine runs on the CPU only, not on {device!r}")
        with self._lock:
            key = (engine, device)
            if key not in self._built:
                self._built[key] = _build(self.parameters, engine, device)
            return self._built[key]


def _build(parameters: FloatParameters, engine: str, device: str) -> Transforms:
    if engine == "onnxruntime":
        from aecodec.codec.engines.onnx_engine import OnnxTransforms

        return OnnxTransforms(parameters)
    if engine == "numpy":
        from aecodec.codec.engines.numpy_engine import NumpyTransforms

        return NumpyTransforms(parameters.g_s)
    from aecodec.codec.torch_support import require_torch

    require_torch("the torch engine")
    from aecodec.codec.model.torch_engine import TorchTransforms

    return TorchTransforms(parameters, device)


def engine_for(device: str) -> str:
    """The engine a decoder on ``device`` runs: :data:`DEFAULT_ENGINE` on the CPU, torch elsewhere."""
    return DEFAULT_ENGINE if device == "cpu" else "torch"
