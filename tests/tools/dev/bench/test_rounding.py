"""The rounding benchmark on two tiny images: both roundings coded, decoded and summarized."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json
import math

from click.testing import CliRunner
from PIL import Image

from aecodec.tools.dev.bench import rounding as benchmark_rounding


def test_benchmark_codes_both_roundings(tmp_path, make_image):
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(2):
        Image.fromarray(make_image(40, 48, seed=index)).save(photos / f"p{index}.png")
    out = tmp_path / "out"
    result = CliRunner().invoke(benchmark_rounding.main, [str(photos), "--out", str(out)])
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "rounding.json").read_text())
    rows = payload["per_image"]
    assert len(rows) == 2 * len(benchmark_rounding.QUALITIES) * 2
    assert all(row["bytes"] > 0 and 20.0 < row["psnr"] < math.inf for row in rows)
    total = {name: sum(row["bytes"] for row in rows if row["rounding"] == name) for name in ("plain", "rate-aware")}
    assert total["rate-aware"] < total["plain"]
    assert "BD-rate (pchip) of rate-aware rounding against plain rounding" in (out / "rounding.md").read_text()
