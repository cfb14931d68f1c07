"""Luma and chroma PSNR: full-range BT.601 components, errors placed where they belong."""

import numpy as np
import pytest
from PIL import Image

from aecodec.tools.evaluation.color_psnr import component_psnr
from aecodec.tools.evaluation.metrics import PSNR_CAP_DB, psnr


def test_matches_pillows_ycbcr_up_to_its_rounding(make_image):
    rgb = make_image(32, 40)
    ycbcr = np.asarray(Image.fromarray(rgb).convert("YCbCr"), dtype=np.float64)
    from aecodec.tools.evaluation.color_psnr import RGB_TO_YCBCR

    ours = rgb.astype(np.float64) @ RGB_TO_YCBCR.T + [0, 128, 128]
    assert np.abs(ours - ycbcr).max() <= 1.0


def test_a_grey_shift_is_luma_error_only(make_image):
    original = make_image(24, 24)
    brighter = np.clip(original.astype(np.int16) + 2, 0, 255).astype(np.uint8)
    result = component_psnr(original, brighter)
    assert result.cb > 60 and result.cr > 60 and result.y < 45


def test_opposite_red_and_blue_shifts_cost_chroma_more_than_luma(make_image):
    original = make_image(24, 24)
    shifted = original.copy()
    shifted[..., 0] = np.clip(original[..., 0].astype(np.int16) + 4, 0, 255)
    shifted[..., 2] = np.clip(original[..., 2].astype(np.int16) - 4, 0, 255)
    result = component_psnr(original, shifted)
    assert result.cr < result.y and result.cb < result.y


def test_identical_images_are_capped_and_luma_agrees_with_rgb_for_grey(make_image):
    original = make_image(16, 16)
    assert component_psnr(original, original).y == PSNR_CAP_DB
    grey = np.repeat(original[..., :1], 3, axis=2)
    noisy = np.clip(grey.astype(np.int16) + np.random.default_rng(0).integers(-3, 4, grey.shape[:2])[..., None], 0, 255)
    assert component_psnr(grey, noisy.astype(np.uint8)).y == pytest.approx(psnr(grey, noisy.astype(np.uint8)), abs=1e-9)


def test_each_measurement_records_its_components(make_image):
    from aecodec.tools.evaluation.codecs.registry import make_codec
    from aecodec.tools.evaluation.runner import measure

    image = Image.fromarray(make_image(24, 32))
    codec = make_codec("jpeg")
    measured = measure(codec, image, 50, "a.png")
    expected = component_psnr(np.asarray(image), np.asarray(codec.decode(codec.encode(image, 50))))
    assert (measured.psnr_y, measured.psnr_cb, measured.psnr_cr) == (expected.y, expected.cb, expected.cr)
