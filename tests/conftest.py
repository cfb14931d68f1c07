"""Shared fixtures: synthetic images and a tiny random-weight model.

Nothing here imports torch at collection: the model fixtures skip (with the reason) where torch
is not installed, so the torch-free parts of the suite run on a torch-free installation.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

if TYPE_CHECKING:
    from aecodec.codec.model.hyperprior import HyperpriorModel
    from aecodec.codec.model.inference import InferenceModel

TORCH_REASON = "needs torch (pip install 'aecodec[torch]')"


def synthetic_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth colour gradient with mild noise and an edge, uint8 ``[H, W, 3]``."""
    rng = np.random.default_rng(seed)
    rows = np.linspace(0, 1, height)[:, None]
    cols = np.linspace(0, 1, width)[None, :]
    base = np.stack(np.broadcast_arrays(rows * cols, 1 - rows, 0.5 + 0.4 * np.sin(6 * cols) * rows), axis=2)
    base[height // 3 :, width // 2 :] *= 0.5
    noisy = base * 235 + 10 + rng.normal(0, 4, (height, width, 3))
    return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


@pytest.fixture
def make_image():
    """The :func:`synthetic_image` factory, for tests that need several sizes."""
    return synthetic_image


@pytest.fixture
def with_threads():
    """Call ``function()`` with torch limited to ``count`` threads, restoring the setting after."""

    torch = pytest.importorskip("torch", reason=TORCH_REASON)

    def run(count: int, function):
        saved = torch.get_num_threads()
        torch.set_num_threads(count)
        try:
            return function()
        finally:
            torch.set_num_threads(saved)

    return run


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Three small synthetic photos of slightly different sizes, for training runs."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(3):
        Image.fromarray(synthetic_image(70 + index, 90, seed=index)).save(folder / f"p{index}.png")
    return folder


@pytest.fixture(scope="session")
def tiny_trained_model() -> HyperpriorModel:
    """Random weights; the context's last layer (zero in a new model) is drawn too, so the tests
    exercise a context that changes the non-anchor tables, as a trained one does."""
    torch = pytest.importorskip("torch", reason=TORCH_REASON)
    from aecodec.codec.model.config import ModelConfig
    from aecodec.codec.model.hyperprior import HyperpriorModel

    torch.manual_seed(0)
    model = HyperpriorModel(ModelConfig(n=16, m=24))
    with torch.no_grad():
        model.context.layers[-1].weight.normal_(0, 0.05)
        model.context.layers[-1].bias.normal_(0, 0.5)
    return model.eval()


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory: pytest.TempPathFactory, tiny_trained_model: HyperpriorModel) -> Path:
    """The tiny model exported to an ``.npz``, for tests that load it themselves (or in a subprocess)."""
    from aecodec.codec.model.export import save_weights

    path: Path = tmp_path_factory.mktemp("weights") / "tiny.npz"
    save_weights(tiny_trained_model, path)
    return path


@pytest.fixture(scope="session")
def tiny_model(tiny_weights: Path) -> InferenceModel:
    from aecodec.codec.model.inference import load_inference_model

    return load_inference_model(tiny_weights)
