"""The viewer's content: the most detailed crop, default rates, each codec at the same size, the sheet."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.tools.evaluation.codecs.registry import make_codec
from aecodec.tools.evaluation.crops import detail_crop
from aecodec.tools.evaluation.metrics import psnr
from aecodec.tools.evaluation.pipeline import plan_tasks
from aecodec.tools.evaluation.records import Curve
from aecodec.tools.evaluation.report.viewer_sheet import CAPTION, GAP, HEADING, write_sheet
from aecodec.tools.evaluation.runner import run_tasks
from aecodec.tools.evaluation.summary import codec_result
from aecodec.tools.evaluation.viewer import ViewerPlan, budget_bytes, build_viewer, default_targets


def test_the_crop_is_the_most_detailed_square() -> None:
    pixels = np.full((96, 128, 3), 120, dtype=np.uint8)
    pixels[40:72, 80:112] = np.random.default_rng(0).integers(0, 256, (32, 32, 3))
    box = detail_crop(pixels, 32)
    assert (box.left, box.top, box.side) == (80, 40, 32)
    assert detail_crop(pixels[:20, :30], 32).side == 20


def test_default_targets_lie_across_the_shared_range() -> None:
    curves = [Curve("a", (0.1, 0.5, 1.0), (28, 32, 35)), Curve("b", (0.2, 0.8, 3.0), (27, 31, 36))]
    targets = default_targets(curves)
    assert len(targets) == 3 and 0.2 <= targets[0] < targets[1] < targets[2] <= 1.0
    narrow = default_targets([Curve("a", (0.5, 0.52), (30, 31))])
    assert narrow[2] / narrow[0] > 2.0


@pytest.fixture
def images(tmp_path: Path, make_image) -> list[Path]:
    paths = []
    for seed in range(2):
        paths.append(tmp_path / f"photo{seed}.png")
        Image.fromarray(make_image(72, 88, seed)).save(paths[-1])
    return paths


def test_every_codec_fits_each_budget_and_its_numbers_match_the_crop(images: list[Path]) -> None:
    codecs = {name: make_codec(name) for name in ("jpeg", "pca")}
    measurements = run_tasks(plan_tasks(codecs, (30, 50, 70, 90), images), codecs, 1)
    results = [codec_result(name, "", measurements) for name in codecs]
    viewer = build_viewer(ViewerPlan((images[1],), (0.8, 1.6), (), 48), results, codecs, 1)
    assert len(viewer) == 1 and viewer[0].image == str(images[1])
    original = Image.open(images[1]).convert("RGB")
    for rate in viewer[0].rates:
        assert rate.budget == budget_bytes(rate.target_bpp, 88, 72)
        assert [panel.codec for panel in rate.panels] == ["jpeg", "pca"]
        for panel in rate.panels:
            assert panel.within and 0.85 * rate.budget <= panel.file_bytes <= rate.budget
            assert panel.bpp == pytest.approx(8 * panel.file_bytes / (88 * 72))
            crop = np.asarray(Image.open(io.BytesIO(panel.crop_webp)))
            assert crop.shape == (48, 48, 3)
            decoded = codecs[panel.codec].decode(codecs[panel.codec].encode(original, panel.quality))
            assert np.array_equal(crop, np.asarray(decoded.crop(viewer[0].box.bounds())))
            assert panel.psnr == pytest.approx(psnr(np.asarray(original), np.asarray(decoded)))
    low, high = viewer[0].rates
    assert all(a.psnr < b.psnr for a, b in zip(low.panels, high.panels, strict=True))


def test_the_sheet_has_a_row_per_rate_and_a_column_per_codec(images: list[Path], tmp_path: Path) -> None:
    codecs = {"jpeg": make_codec("jpeg")}
    results = [codec_result("jpeg", "", run_tasks(plan_tasks(codecs, (40, 80), images), codecs, 1))]
    viewer = build_viewer(ViewerPlan((images[0],), (), (), 40), results, codecs, 1)
    write_sheet(viewer[0], tmp_path / "sheet.webp")
    original = np.asarray(Image.open(io.BytesIO(viewer[0].original_webp)))
    with Image.open(tmp_path / "sheet.webp") as sheet:
        assert sheet.width == 2 * 40 + GAP and sheet.height == 3 * (HEADING + 40 + CAPTION)
        assert np.array_equal(np.asarray(sheet.convert("RGB"))[HEADING:HEADING + 40, :40], original)
