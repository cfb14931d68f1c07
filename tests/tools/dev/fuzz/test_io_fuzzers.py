"""The image and CLI fuzzers: a seeded slice runs clean, and the CLI contract check catches what it must."""

import random

import pytest

from aecodec.tools.dev.fuzz.cli import CliRun, broken_contract, execute, prepare_directory
from aecodec.tools.dev.fuzz.images import ImageInput, check_image, make_image_input, seed_images
from aecodec.tools.dev.fuzz.report import Tally


def test_seeded_slice_of_the_image_fuzzer_is_clean(tiny_model, tmp_path):
    seeds = seed_images()
    tally = Tally()
    for index, seed in enumerate(seeds):
        check_image(ImageInput(index, seed, "seed", deep=True), tmp_path, tiny_model, tally)
    for index in range(len(seeds), len(seeds) + 60):
        data, operators = make_image_input(seeds, random.Random(f"7:{index}"))
        check_image(ImageInput(index, data, "+".join(operators), deep=index % 10 == 0), tmp_path, tiny_model, tally)
    assert tally.findings == [] and tally.inputs == len(seeds) + 60
    assert tally.outcomes["coded"] + tally.outcomes["SaveError"] >= len(seeds)


def _files():
    return {"aec": b"\x89AEC\r\n\x1a\n", "png": b"", "large.aec": b""}


@pytest.mark.parametrize("status, stderr, problem", [
    (0, "", None),
    (1, "Error: not an .aec file (bad signature)\n", None),
    (1, "warning: something\nError: no\n", None),
    (70, "Error: internal error, a bug in aecodec (X); run again ...\n", "traceback or internal error"),
    (1, "Traceback (most recent call last):\n  ...\nMemoryError\n", "traceback"),
    (1, "Error: one\nError: two\n", "not one line"),
    (-9, "", "still running"),
])
def test_the_cli_contract(tmp_path, status, stderr, problem):
    run = CliRun(0, "info", ["info", "in.aec"])
    found = broken_contract(run, status, stderr, tmp_path)
    assert (found is None) if problem is None else problem in found


def test_a_changed_kept_file_and_debris_break_the_contract(tmp_path):
    run = CliRun(0, "decompress-output", ["decompress", "in.aec", "-o", "kept.png"], kept={"kept.png": b"old"})
    (tmp_path / "kept.png").write_bytes(b"new")
    assert "changed kept.png" in broken_contract(run, 0, "", tmp_path)
    (tmp_path / ".kept.png.x.part").write_bytes(b"")
    assert "temporary file" in broken_contract(run, 1, "Error: x\n", tmp_path)


def test_a_real_run_on_an_endless_device_keeps_the_contract(tmp_path):
    run = CliRun(0, "info", ["info", "/dev/zero"])
    prepare_directory(tmp_path, _files(), run)
    status, stderr = execute(run, tmp_path)
    assert status == 1 and broken_contract(run, status, stderr, tmp_path) is None
