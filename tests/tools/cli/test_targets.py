"""--target-bpp/--target-size/--target-psnr on the command line, and the help texts."""

import pytest
from PIL import Image

import aecodec
from aecodec.tools.cli.main import main


@pytest.fixture
def png(tmp_path, make_image):
    path = tmp_path / "photo.png"
    Image.fromarray(make_image(40, 56, seed=7)).save(path)
    return path


def _bpp(path):
    with Image.open(path) as image:
        width, height = image.size
    return 8 * path.stat().st_size / (width * height)


def test_reachable_bpp_target_within_three_percent(runner, png):
    with Image.open(png) as image:
        goal = 8 * len(aecodec.compress(image, quality=30)) / (56 * 40)
    result = runner.invoke(main, ["compress", str(png), "--target-bpp", f"{goal:.6f}", "-v"])
    assert result.exit_code == 0, result.output
    assert abs(_bpp(png.with_suffix(".aec")) - goal) <= 0.03 * goal
    assert "quality" in result.stderr and "warning" not in result.stderr


def test_reachable_size_target(runner, png, tmp_path):
    with Image.open(png) as image:
        goal = len(aecodec.compress(image, quality=70))
    target = tmp_path / "sized.aec"
    assert runner.invoke(main, ["compress", str(png), "--target-size", str(goal), "-o", str(target)]).exit_code == 0
    assert abs(target.stat().st_size - goal) <= 0.03 * goal


def test_unreachable_target_warns_on_stderr_and_still_writes(runner, png):
    result = runner.invoke(main, ["compress", str(png), "--target-size", "1"])
    assert result.exit_code == 0
    assert "cannot be met" in result.stderr and "closest" in result.stderr
    with Image.open(png.with_suffix(".aec")) as coded:
        assert coded.aec_header.quality == 0


def test_psnr_target_runs(runner, png):
    result = runner.invoke(main, ["compress", str(png), "--target-psnr", "500", "-o", "-"])
    assert result.exit_code == 0 and "cannot be met" in result.stderr
    assert result.stdout_bytes.startswith(b"\x89AEC")


@pytest.mark.parametrize("options", [
    ["-q", "50", "--target-bpp", "1"],
    ["--target-bpp", "1", "--target-size", "100"],
    ["--target-size", "100", "--target-psnr", "30"],
])
def test_targets_are_mutually_exclusive(runner, png, options):
    result = runner.invoke(main, ["compress", str(png), *options])
    assert result.exit_code == 2 and "cannot be combined" in result.output
    assert not png.with_suffix(".aec").exists()


@pytest.mark.parametrize("value", ["0", "-1"])
def test_targets_must_be_positive(runner, png, value):
    assert runner.invoke(main, ["compress", str(png), "--target-bpp", value]).exit_code == 2


@pytest.mark.parametrize("command", [[], ["compress"], ["decompress"], ["info"], ["export"]])
def test_help_has_examples(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert "aecodec " in result.output.split("Example", 1)[1]


def test_compress_help_lists_every_option(runner):
    text = runner.invoke(main, ["compress", "--help"]).output
    for option in ("--output", "--quality", "--target-bpp", "--target-size", "--target-psnr", "--jobs",
                   "--force", "--verbose", "--device"):
        assert option in text
    assert "--format" in runner.invoke(main, ["decompress", "--help"]).output
