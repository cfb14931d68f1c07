"""Comparing weights files: curves, BD-rate against the first, and the two latent halves."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json

import numpy as np
from click.testing import CliRunner
from PIL import Image

from aecodec.codec.model.export import save_weights
from aecodec.tools.dev.bench.compare_weights import main


def test_weights_with_and_without_a_context_are_compared(tmp_path, tiny_trained_model, make_image):
    images = tmp_path / "images"
    images.mkdir()
    for index in range(2):
        Image.fromarray(make_image(48, 64, seed=index)).save(images / f"i{index}.png")
    with_context = tmp_path / "with.npz"
    save_weights(tiny_trained_model, with_context, step=7)
    with np.load(with_context, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if not name.startswith("context.")}
    without = tmp_path / "without.npz"
    np.savez(without, **arrays)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(images), "--weights", str(without), "--weights", str(with_context),
                                       "--out", str(out), "--quality", "20", "--quality", "80", "--threads", "1"])
    assert result.exit_code == 0, result.output
    record = json.loads((out / "compare.json").read_text())
    first, second = record["results"]
    assert [first["training_step"], second["training_step"]] == [7, 7]
    assert first["bd_rate_vs_first"] is None and [p["quality"] for p in second["points"]] == [20.0, 80.0]
    for point in first["points"]:
        assert abs(point["anchor_bpp"] - point["context_bpp"]) <= 0.05 * point["anchor_bpp"]
    assert (out / "compare.md").read_text().startswith("# Weights compared")
