"""The training benchmark on a tiny model: it times steps and merges its results files."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import json

from click.testing import CliRunner

from aecodec.tools.dev.bench.training import main

TINY = ["--device", "cpu", "--channels", "16", "24", "--crop", "64", "--batch-size", "2", "--warmup", "1", "--steps", "1"]


def test_benchmark_writes_and_merges_results(tmp_path):
    runner = CliRunner()
    for note in ("first", "second"):
        result = runner.invoke(main, [*TINY, "--out", str(tmp_path), "--note", note])
        assert result.exit_code == 0, result.output
    assert runner.invoke(main, [*TINY, "--fp32", "--out", str(tmp_path)]).exit_code == 0
    runs = json.loads((tmp_path / "training_benchmark.json").read_text())["runs"]
    assert len(runs) == 2 and runs[0]["note"] == "second" and runs[0]["parameters"] > 0
    assert runs[0]["steps_per_second"] > 0 and "fp32" in runs[1]["label"]
    table = (tmp_path / "training_benchmark.md").read_text()
    assert "ms/step" in table and "peer: CompressAI mbt2018-mean, one H200" in table
