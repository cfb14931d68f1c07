"""Model releases on the command line: --version, 'models', 'info' naming the release, --model,
and the one-line refusal of a file from a release this version does not have."""

from __future__ import annotations

import dataclasses
import json

import pytest

from aecodec.bitstream import container
from aecodec.bitstream.container import SectionType
from aecodec.bitstream.versions import Version, installed_version
from aecodec.tools.cli.main import main


@pytest.fixture
def future_file(runner, png, tmp_path):
    """A file naming model 9, first read by a version after this one."""
    made = tmp_path / "made.aec"
    assert runner.invoke(main, ["compress", str(png), "-o", str(made)]).exit_code == 0
    parsed = container.unpack(made.read_bytes())
    header = dataclasses.replace(parsed.header, model_id=9, weights_hash=bytes(8))
    newer = Version(installed_version().major, installed_version().minor + 1, 0)
    path = tmp_path / "future.aec"
    path.write_bytes(container.pack(container.Container(header, {**parsed.sections, SectionType.REQUIRES: newer.to_bytes()})))
    return path, newer


def test_version_names_the_format_and_the_releases(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [f"aecodec {installed_version()}", ".aec format version 2",
                                          "model releases: 2 (checkerboard-gain-128x192-v1, default)"]


def test_models_lists_every_release_with_its_kodak_figures(runner):
    text = runner.invoke(main, ["models"])
    assert text.exit_code == 0
    assert "model 2: checkerboard-gain-128x192-v1 (weights 10c064ca4d9c5f10, read since aecodec 0.1.0, default)" in text.output
    assert "Kodak: quality 0 0.208 bpp / 29.14 dB, quality 100 0.926 bpp / 35.43 dB, +2.0% vs AVIF" in text.output
    listed = json.loads(runner.invoke(main, ["models", "--json"]).output)
    assert [entry["model_id"] for entry in listed] == [2] and listed[0]["encodes"] and listed[0]["default"]


def test_info_names_the_release(runner, png, tmp_path):
    made = tmp_path / "made.aec"
    assert runner.invoke(main, ["compress", str(png), "-o", str(made), "--model", "2"]).exit_code == 0
    result = runner.invoke(main, ["info", str(made)])
    assert result.exit_code == 0
    assert "release: checkerboard-gain-128x192-v1 (model 2, read since aecodec 0.1.0)" in result.output
    assert json.loads(runner.invoke(main, ["info", str(made), "--json"]).output)["requires"] is None


def test_info_says_which_version_reads_a_future_file(runner, future_file):
    path, newer = future_file
    result = runner.invoke(main, ["info", str(path)])
    assert result.exit_code == 0
    assert f"release: not readable here: file was made with model 9 (weights 0000000000000000), first read by aecodec {newer}" in result.output
    assert f"requires: {newer}" in result.output


def test_decompress_refuses_a_future_file_in_one_line(runner, future_file, tmp_path):
    path, newer = future_file
    result = runner.invoke(main, ["decompress", str(path), "-o", str(tmp_path / "out.png")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: file was made with model 9 (weights 0000000000000000), first read by aecodec {newer}; "
        f"this is aecodec {installed_version()} (upgrade: pip install -U aecodec)"]
    assert not (tmp_path / "out.png").exists()


def test_compress_with_an_unknown_model_fails_before_writing(runner, png, tmp_path):
    result = runner.invoke(main, ["compress", str(png), "-o", str(tmp_path / "x.aec"), "--model", "5"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no model 5 to encode with (this aecodec has models 2; see 'aecodec models')"
    assert not (tmp_path / "x.aec").exists()
