"""The one PSNR definition: peak 255 over every sample, inf for identical arrays."""

import math

import numpy as np
import pytest

from aecodec.codec.images.distortion import psnr_db
from aecodec.tools.evaluation.metrics import PSNR_CAP_DB, psnr


def test_identical_arrays_are_infinitely_close_and_capped_in_reports():
    image = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    assert psnr_db(image, image) == math.inf
    assert psnr(image, image) == PSNR_CAP_DB


def test_an_error_of_one_level_everywhere():
    image = np.full((8, 8, 3), 100, dtype=np.uint8)
    assert psnr_db(image, image + 1) == pytest.approx(20 * math.log10(255))
    assert psnr(image, image + 1) == psnr_db(image, image + 1)
