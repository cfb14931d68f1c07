"""Measures, the reference-curve loader and the averaging into points."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from aecodec.codec.torch_support import torch_available
from aecodec.tools.evaluation.anchors import ReferenceFileError, load_reference_curves
from aecodec.tools.evaluation.metrics import PSNR_CAP_DB, bits_per_pixel, ms_ssim, psnr
from aecodec.tools.evaluation.records import Measurement
from aecodec.tools.evaluation.summary import codec_result


def test_psnr_of_a_known_error() -> None:
    original = np.full((4, 4, 3), 100, dtype=np.uint8)
    assert psnr(original, original + 1) == pytest.approx(10 * np.log10(255**2))
    assert psnr(original, original) == PSNR_CAP_DB


def test_bits_per_pixel_counts_whole_bytes() -> None:
    assert bits_per_pixel(100, 20, 10) == 4.0


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_ms_ssim_is_one_for_identical_and_none_for_tiny_images() -> None:
    pixels = np.random.default_rng(0).integers(0, 256, (168, 170, 3), dtype=np.uint8)
    assert ms_ssim(pixels, pixels) == pytest.approx(1.0, abs=1e-6)
    assert ms_ssim(pixels[:100], pixels[:100]) is None


def test_points_average_over_images_per_quality() -> None:
    def measurement(quality: float, image: str, bpp: float, score: float | None) -> Measurement:
        return Measurement("c", quality, image, 8, 8, 8, bpp, 30.0 + bpp, score, 1.0, 2.0)

    result = codec_result("c", "test codec", [measurement(50, "a", 1.0, 0.9), measurement(50, "b", 3.0, 0.95),
                                              measurement(80, "a", 2.0, None), measurement(80, "b", 4.0, 0.99)])
    assert [p.quality for p in result.points] == [50, 80]
    assert result.points[0].bpp == 2.0 and result.points[0].ms_ssim == pytest.approx(0.925)
    assert result.points[1].ms_ssim is None and result.curve().ms_ssim is None


def test_reference_curves_load(tmp_path: Path) -> None:
    path = tmp_path / "curves.json"
    path.write_text(json.dumps({"about": "x", "curves": {"A": {"bpp": [0.1, 0.2], "psnr": [30, 32]}}}))
    references = load_reference_curves(path)
    assert references.about == "x" and references.curves[0].psnr == (30.0, 32.0)
    assert references.curves[0].ms_ssim is None


@pytest.mark.parametrize("text", ["not json", "[]", '{"curves": {}}', '{"curves": {"A": {"bpp": [1], "psnr": [1, 2]}}}',
                                  '{"curves": {"A": {"bpp": ["x"], "psnr": [1]}}}'])
def test_malformed_reference_curves_are_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "curves.json"
    path.write_text(text)
    with pytest.raises(ReferenceFileError):
        load_reference_curves(path)
