"""The large-image benchmark, at a small size (the 8000×8000 run is in results/large_image.md)."""

import numpy as np
import pytest

from aecodec.codec.torch_support import torch_available
from aecodec.tools.dev.bench.large import BAND, markdown, mosaic, seam_report, tiling_study


def test_seam_report_separates_border_bands():
    original = np.full((256, 256, 3), 100, dtype=np.uint8)
    decoded = original.copy()
    decoded[128 - BAND + 1 : 128 + BAND] += 10
    report = seam_report(original, decoded, 128)
    assert report.elsewhere_psnr > 100 and report.near_border_psnr < 35


def test_mosaic_is_deterministic_and_full():
    first, second = mosaic(300, seed=4), mosaic(300, seed=4)
    assert first.shape == (300, 300, 3) and np.array_equal(first, second)


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_tiling_study_finds_no_seams():
    study = tiling_study(mosaic(256, seed=2), tile=4, quality=50.0)
    assert study["max_abs_difference_tiled_vs_untiled"] <= 1
    tiled, untiled = study["seams_tiled"], study["seams_untiled_same_bands"]
    assert abs(tiled["near_border_psnr"] - untiled["near_border_psnr"]) < 0.05
    record = {"large": {"size": "1x1", "quality": 50.0, "aec_bytes": 1, "bpp": 1.0, "threads": "1",
                        "compress": {"command": "c", "seconds": 1.0, "peak_rss_mb": 1},
                        "decompress": {"command": "d", "seconds": 1.0, "peak_rss_mb": 1},
                        "seams": tiled},
              "tiling_study": study}
    assert "Tiling study on 256x256" in markdown(record)


def test_cli_steps_are_measured(tmp_path):
    from aecodec.tools.dev.bench.large import benchmark

    record = benchmark(96, tmp_path, 50.0)
    assert record["compress"]["peak_rss_mb"] > 50 and record["decompress"]["seconds"] > 0
    assert (tmp_path / "large-decoded.png").is_file()
