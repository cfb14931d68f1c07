"""The CLI benchmark on one tiny image: real files through two new processes."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json

from PIL import Image

from aecodec.tools.dev.bench.kodak import measure, summarize, write_report


def test_measure_summarize_and_report(tmp_path, make_image):
    source = tmp_path / "tiny.png"
    Image.fromarray(make_image(40, 60)).save(source)
    work = tmp_path / "work"
    work.mkdir()
    results = [measure(source, quality, work) for quality in (20.0, 80.0)]
    low, high = results
    assert 0 < low.bytes < high.bytes
    assert low.bpp == 8 * low.bytes / (40 * 60)
    assert low.encode_seconds > 0 and low.decode_seconds > 0 and high.psnr > 0
    means = summarize(results, (20.0, 80.0))
    write_report(tmp_path / "out", results, means)
    payload = json.loads((tmp_path / "out" / "benchmark.json").read_text())
    assert [m["quality"] for m in payload["means"]] == [20.0, 80.0]
    assert payload["machine"]["cores"] >= 1
    assert "| 80 |" in (tmp_path / "out" / "benchmark.md").read_text()
