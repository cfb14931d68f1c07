"""The effort benchmark on two tiny images: every level measured, decoded and summarized."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from aecodec.codec.encoder.effort import MAX_EFFORT
from aecodec.codec.model import refinement
from aecodec.tools.dev.bench import effort as benchmark_effort


@pytest.fixture(autouse=True)
def short_levels(monkeypatch):
    """One step per level keeps the shipped model's refinement quick on tiny images."""
    steps = tuple(range(MAX_EFFORT + 1))
    monkeypatch.setattr(refinement, "EFFORT_STEPS", steps)
    monkeypatch.setattr(benchmark_effort, "EFFORT_STEPS", steps)


def test_benchmark_writes_every_level(tmp_path, make_image):
    photos = tmp_path / "kodak"
    photos.mkdir()
    for index in range(2):
        Image.fromarray(make_image(40, 48, seed=index)).save(photos / f"k{index}.png")
    out = tmp_path / "out"
    arguments = [str(photos), "--out", str(out), "-q", "20", "-q", "60", "-q", "95"]
    result = CliRunner().invoke(benchmark_effort.main, arguments)
    assert result.exit_code == 0, result.output
    payload = json.loads((out / "effort.json").read_text())
    assert len(payload["per_image"]) == 2 * 3 * (MAX_EFFORT + 1)
    assert [level["effort"] for level in payload["levels"]] == list(range(MAX_EFFORT + 1))
    for row in payload["per_image"]:
        assert row["encode_seconds"] > 0 and row["bytes"] > 0
    by_key = {}
    for row in payload["per_image"]:
        if row["cost"] is not None:
            by_key.setdefault((row["image"], row["quality"]), []).append(row["cost"])
    assert all(costs == sorted(costs, reverse=True) for costs in by_key.values())
    report = (out / "effort.md").read_text()
    assert "BD-rate vs effort 0" in report and f"| {MAX_EFFORT} |" in report


def test_an_interrupted_run_continues_and_other_weights_start_afresh(tmp_path, make_image, monkeypatch):
    photos = tmp_path / "kodak"
    photos.mkdir()
    Image.fromarray(make_image(32, 32)).save(photos / "only.png")
    out = tmp_path / "out"
    arguments = [str(photos), "--out", str(out), "-q", "50"]
    assert CliRunner().invoke(benchmark_effort.main, arguments).exit_code == 0
    [partial] = out.glob("effort.partial-*.jsonl")
    first = partial.read_text()
    assert CliRunner().invoke(benchmark_effort.main, arguments).exit_code == 0
    assert partial.read_text() == first

    monkeypatch.setattr(benchmark_effort, "weights_tag", lambda: "other-weights")
    assert CliRunner().invoke(benchmark_effort.main, arguments).exit_code == 0
    remeasured = (out / "effort.partial-other-weights.jsonl").read_text()
    assert len(remeasured.splitlines()) == len(first.splitlines()) == MAX_EFFORT + 1
