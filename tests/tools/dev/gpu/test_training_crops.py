"""Training crops for a GPU machine: the right size, 4:4:4, within the byte budget, every folder in turn."""

from __future__ import annotations

import numpy as np
from PIL import Image, JpegImagePlugin

from aecodec.tools.dev.gpu.training_crops import interleaved, write_crops


def make_folder(root, name, count, size, make_image):
    folder = root / name
    folder.mkdir()
    for index in range(count):
        Image.fromarray(make_image(*size, seed=index)).save(folder / f"{name}{index}.png")
    return folder


def test_crops_are_square_444_and_within_the_budget(tmp_path, make_image):
    photos = make_folder(tmp_path, "big", 3, (150, 200), make_image)
    small = make_folder(tmp_path, "small", 2, (60, 70), make_image)
    summary = write_crops([photos, small], tmp_path / "out", size=96, per_photo=2, budget_bytes=10**6, seed=1)
    written = sorted((tmp_path / "out").iterdir())
    assert summary.files == len(written) == 3 * 2 + 2
    assert summary.total_bytes == sum(path.stat().st_size for path in written)
    sizes = []
    for path in written:
        with Image.open(path) as crop:
            assert JpegImagePlugin.get_sampling(crop) == 0, "chroma must not be subsampled"
            sizes.append(crop.size)
    assert sorted(set(sizes)) == [(70, 60), (96, 96)]


def test_the_budget_stops_the_crops(tmp_path, make_image):
    photos = make_folder(tmp_path, "big", 4, (150, 200), make_image)
    full = write_crops([photos], tmp_path / "all", size=96, per_photo=1, budget_bytes=10**6, seed=0)
    budget = full.total_bytes - 1
    cut = write_crops([photos], tmp_path / "cut", size=96, per_photo=1, budget_bytes=budget, seed=0)
    assert cut.files == full.files - 1 and cut.total_bytes <= budget


def test_seeds_pick_other_crops_and_folders_take_turns(tmp_path, make_image):
    photos = make_folder(tmp_path, "a", 2, (150, 200), make_image)
    others = make_folder(tmp_path, "b", 1, (150, 200), make_image)
    assert [path.name for path in interleaved([photos, others])] == ["a0.png", "b0.png", "a1.png"]
    first = write_crops([photos], tmp_path / "s0", 96, 1, 10**6, seed=0)
    second = write_crops([photos], tmp_path / "s1", 96, 1, 10**6, seed=1)
    assert first.files == second.files
    pixels = [np.asarray(Image.open(sorted((tmp_path / name).iterdir())[0])) for name in ("s0", "s1")]
    assert not np.array_equal(*pixels)
