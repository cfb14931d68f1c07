"""The cross-device check runs on the CPU pair here (no GPU on this machine); on a GPU machine
``python -m aecodec.tools.dev.bench.cross_device kodak/ --devices cpu,cuda`` runs every pair."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import numpy as np
from PIL import Image

from aecodec.tools.dev.bench.cross_device import cross_check, load_images, main


def test_cpu_pair_has_no_symbol_mismatch(tiny_model, make_image):
    record = cross_check(tiny_model, [make_image(40, 70), make_image(64, 64, seed=3)], ["cpu"], 60.0)
    assert record["images_with_identical_streams_across_encoders"] == 2
    (pair,) = record["pairs"]
    assert pair["symbol_mismatches"] == 0 and pair["max_pixel_difference_vs_encode_device"] == 0


def test_command_line_writes_the_report(tmp_path, tiny_trained_model, make_image):
    import json

    from aecodec.codec.model.export import save_weights

    save_weights(tiny_trained_model, tmp_path / "tiny.npz")
    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(make_image(32, 48)).save(folder / "a.png")
    Image.fromarray(make_image(40, 24, seed=2)).save(folder / "b.jpg")
    images = load_images(folder)
    assert [image.shape for image in images] == [(32, 48, 3), (40, 24, 3)] and images[0].dtype == np.uint8
    main([str(folder), "--devices", "cpu", "--weights", str(tmp_path / "tiny.npz"), "--out", str(tmp_path / "r.json")])
    assert json.loads((tmp_path / "r.json").read_text())["pairs"][0]["symbol_mismatches"] == 0
