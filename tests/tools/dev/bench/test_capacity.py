"""The capacity benchmark on tiny images with a tiny model: every measure present and consistent."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json

from click.testing import CliRunner
from PIL import Image

from aecodec.codec.model.export import save_weights
from aecodec.tools.dev.bench import capacity


def photos(folder, count, make_image, seed=0):
    folder.mkdir()
    for index in range(count):
        Image.fromarray(make_image(64, 128, seed=seed + index)).save(folder / f"p{index}.png")
    return folder


def test_capacity_reports_the_ceiling_the_channels_and_the_linear_bound(tmp_path, make_image, tiny_trained_model):
    weights = tmp_path / "tiny.npz"
    save_weights(tiny_trained_model, weights, step=7)
    out = tmp_path / "out"
    result = CliRunner().invoke(capacity.main, [
        str(photos(tmp_path / "test", 2, make_image)), "--fit", str(photos(tmp_path / "fit", 3, make_image, seed=10)),
        "--weights", str(weights), "--out", str(out), "--threads", "1"])
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "capacity.json").read_text())
    (model,) = payload["models"]
    assert model["steps_trained"] == 7 and len(model["step_psnr"]) == len(capacity.STEPS)
    m = tiny_trained_model.config.m
    assert 1 <= model["channels_for_90"] <= model["channels_for_99"] <= m
    assert 1 <= model["effective_channels"] <= m
    bound = [payload["pca_psnr"][str(k)] for k in capacity.PCA_WIDTHS]
    assert bound == sorted(bound), "keeping more coefficients never loses detail"
    assert "A linear bound" in (out / "capacity.md").read_text()
