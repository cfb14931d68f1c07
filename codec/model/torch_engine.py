"""The float transforms on torch (any device), behind :class:`aecodec.codec.engines.base.Transforms`."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import torch

from aecodec.codec.engines.base import FloatParameters
from aecodec.codec.model.transforms import AnalysisTransform, HyperAnalysis, SynthesisTransform

ModuleT = TypeVar("ModuleT", bound=torch.nn.Module)


class TorchTransforms:
    """``g_a``, ``h_a`` (when the parameters have them) and ``g_s`` as torch modules on ``device``."""

    def __init__(self, parameters: FloatParameters, device: str) -> None:
        self.device = torch.device(device)
        n, m = parameters.g_s["0.weight"].shape[1], parameters.g_s["0.weight"].shape[0]
        self._g_s = frozen_module(SynthesisTransform(n, m), parameters.g_s, self.device)
        self._g_a = None if parameters.g_a is None else frozen_module(AnalysisTransform(n, m), parameters.g_a, self.device)
        self._h_a = None if parameters.h_a is None else frozen_module(HyperAnalysis(n, m), parameters.h_a, self.device)

    def analysis(self, image: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return self._apply(_encoder_part(self._g_a, "g_a"), image, gain, after=True)

    def hyper_analysis(self, latent: np.ndarray) -> np.ndarray:
        return self._apply(_encoder_part(self._h_a, "h_a"), latent, None, after=True)

    def synthesis(self, latent: np.ndarray, gain: np.ndarray) -> np.ndarray:
        return self._apply(self._g_s, latent, gain, after=False)

    def _apply(self, module: torch.nn.Module, x: np.ndarray, gain: np.ndarray | None, after: bool) -> np.ndarray:
        """``module(x) · gain`` (``after``) or ``module(x · gain)``, float32 NumPy in and out."""
        with torch.inference_mode():
            tensor = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(self.device)
            factor = None if gain is None else torch.from_numpy(np.asarray(gain, dtype=np.float32)).to(self.device)
            if factor is not None and not after:
                tensor = tensor * factor
            result = module(tensor.contiguous(memory_format=torch.channels_last))
            if factor is not None and after:
                result = result * factor
            return result.float().contiguous().cpu().numpy()


def frozen_module(module: ModuleT, parameters: dict[str, np.ndarray], device: torch.device | str = "cpu") -> ModuleT:
    """``module`` with ``parameters`` (float arrays by the module's own names) loaded, in eval mode,
    without gradients, channels-last on ``device``."""
    module.load_state_dict({name: torch.from_numpy(np.asarray(array, dtype=np.float32)) for name, array in parameters.items()})
    module.eval().requires_grad_(False).to(device, memory_format=torch.channels_last)
    return module


def _encoder_part(module: torch.nn.Module | None, name: str) -> torch.nn.Module:
    if module is None:
        raise ValueError(f"this model has no {name} (a decoder only)")
    return module
