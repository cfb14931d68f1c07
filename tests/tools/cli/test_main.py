"""The command line through click's CliRunner: exit codes, messages, -f, default names."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec import __version__
from aecodec.codec.torch_support import torch_available
from aecodec.tools.cli.main import main


@pytest.fixture
def aec(runner, png):
    result = runner.invoke(main, ["compress", str(png)])
    assert result.exit_code == 0, result.output
    return png.with_suffix(".aec")


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_compress_default_name_and_verbose(runner, png):
    result = runner.invoke(main, ["compress", str(png), "-q", "60", "-v"])
    assert result.exit_code == 0, result.output
    assert png.with_suffix(".aec").read_bytes()[:4] == b"\x89AEC"
    assert "bpp" in result.output and "PSNR" in result.output


def test_compress_refuses_to_overwrite_without_force(runner, png, aec):
    before = aec.read_bytes()
    result = runner.invoke(main, ["compress", str(png), "-q", "10"])
    assert result.exit_code == 1
    assert "already exists" in result.output and "-f" in result.output
    assert aec.read_bytes() == before
    forced = runner.invoke(main, ["compress", str(png), "-q", "10", "-f"])
    assert forced.exit_code == 0 and aec.read_bytes() != before


def test_decompress_default_name_and_format_from_extension(runner, aec, tmp_path):
    result = runner.invoke(main, ["decompress", str(aec), "-o", str(tmp_path / "out.webp"), "-v"])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "out.webp") as image:
        assert image.format == "WEBP" and image.size == (56, 40)
    (tmp_path / "photo.png").unlink()
    assert runner.invoke(main, ["decompress", str(aec)]).exit_code == 0
    with Image.open(tmp_path / "photo.png") as image:
        assert image.format == "PNG"


def test_decompress_does_not_import_torch(aec, tmp_path):
    """The command-line decoder starts without torch (seconds on a small CPU)."""
    script = ("import sys\nfrom aecodec.tools.cli.main import main\n"
              f"main(['decompress', {str(aec)!r}, '-o', {str(tmp_path / 'out.png')!r}], standalone_mode=False)\n"
              "print('torch' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert Image.open(tmp_path / "out.png").size == (56, 40)


def test_decompress_refuses_existing_output(runner, aec, png):
    result = runner.invoke(main, ["decompress", str(aec)])
    assert result.exit_code == 1 and "already exists" in result.output


def test_info_text_and_json(runner, aec):
    text = runner.invoke(main, ["info", str(aec)])
    assert text.exit_code == 0 and "width: 56" in text.output
    parsed = json.loads(runner.invoke(main, ["info", str(aec), "--json"]).output)
    assert parsed["height"] == 40 and parsed["mode"] == "RGB" and parsed["sections"]["latent"] > 0


@pytest.mark.parametrize("command", ["compress", "decompress", "info"])
def test_missing_file(runner, tmp_path, command):
    result = runner.invoke(main, [command, str(tmp_path / "nope.png")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error:") and "no such file" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_not_an_image(runner, tmp_path):
    bogus = tmp_path / "notes.png"
    bogus.write_text("hello")
    result = runner.invoke(main, ["compress", str(bogus)])
    assert result.exit_code == 1 and "Error:" in result.output
    assert _files(tmp_path) == ["notes.png"]


def test_not_an_aec_file(runner, png, tmp_path):
    result = runner.invoke(main, ["decompress", str(png), "-o", str(tmp_path / "x.png")])
    assert result.exit_code == 1 and "not an .aec file" in result.output
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("cut", [10, 40, 60, -5])
def test_truncated_file_leaves_no_output(runner, aec, tmp_path, cut):
    broken = tmp_path / "broken.aec"
    broken.write_bytes(aec.read_bytes()[:cut])
    result = runner.invoke(main, ["decompress", str(broken), "-o", str(tmp_path / "broken.png")])
    assert result.exit_code == 1 and result.output.startswith("Error:")
    assert not (tmp_path / "broken.png").exists()
    assert not any(name.endswith(".part") for name in _files(tmp_path))


def test_corrupted_file(runner, aec, tmp_path):
    data = bytearray(aec.read_bytes())
    data[len(data) // 2] ^= 0x55
    broken = tmp_path / "corrupt.aec"
    broken.write_bytes(bytes(data))
    result = runner.invoke(main, ["decompress", str(broken), "-o", str(tmp_path / "c.png")])
    assert result.exit_code == 1 and "checksum" in result.output
    assert not (tmp_path / "c.png").exists()


def test_bad_quality(runner, png):
    result = runner.invoke(main, ["compress", str(png), "-q", "150"])
    assert result.exit_code == 2 and "150" in result.output


def test_unknown_output_extension(runner, aec, tmp_path):
    result = runner.invoke(main, ["decompress", str(aec), "-o", str(tmp_path / "out.xyz")])
    assert result.exit_code == 1 and "extension" in result.output


def test_alpha_image_to_jpeg_is_refused(runner, tmp_path, make_image):
    rgba = tmp_path / "alpha.png"
    Image.fromarray(np.dstack([make_image(8, 8), np.full((8, 8), 128, np.uint8)])).save(rgba)
    assert runner.invoke(main, ["compress", str(rgba)]).exit_code == 0
    result = runner.invoke(main, ["decompress", str(rgba.with_suffix(".aec")), "-o", str(tmp_path / "a.jpg")])
    assert result.exit_code == 1 and "alpha" in result.output
    assert not (tmp_path / "a.jpg").exists()


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_effort_gives_a_decodable_file(runner, png, tmp_path):
    fast, slow = tmp_path / "fast.aec", tmp_path / "slow.aec"
    assert runner.invoke(main, ["compress", str(png), "-q", "50", "-o", str(fast)]).exit_code == 0
    result = runner.invoke(main, ["compress", str(png), "-q", "50", "--effort", "1", "-o", str(slow)])
    assert result.exit_code == 0, result.output
    decoded = tmp_path / "slow.png"
    assert runner.invoke(main, ["decompress", str(slow), "-o", str(decoded)]).exit_code == 0
    assert Image.open(decoded).size == Image.open(png).size


def test_effort_out_of_range_is_a_usage_error(runner, png):
    result = runner.invoke(main, ["compress", str(png), "--effort", "9"])
    assert result.exit_code == 2 and "--effort" in result.output
    assert not png.with_suffix(".aec").exists()


def test_cli_defaults_match_the_library():
    from aecodec.codec import quality
    from aecodec.codec.encoder import effort as effort_levels
    from aecodec.tools.cli import main as cli

    assert cli.DEFAULT_QUALITY == quality.DEFAULT_QUALITY
    assert (cli.DEFAULT_EFFORT, cli.MAX_EFFORT) == (effort_levels.DEFAULT_EFFORT, effort_levels.MAX_EFFORT)


@pytest.mark.skipif(not Path(os.devnull).is_char_device(), reason="needs a null device")
def test_output_to_the_null_device_needs_no_force_and_keeps_it(runner, png):
    result = runner.invoke(main, ["compress", str(png), "-o", os.devnull])
    assert result.exit_code == 0, result.output
    assert Path(os.devnull).is_char_device()


def test_library_warning_is_one_line_on_stderr(runner, tmp_path):
    deep = tmp_path / "deep.png"
    Image.fromarray(np.full((9, 17), 40000, dtype=np.uint16)).save(deep)
    result = runner.invoke(main, ["compress", str(deep)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == "warning: I;16 image reduced to 8 bits per sample"


def test_output_without_extension_is_png(runner, aec, tmp_path):
    result = runner.invoke(main, ["decompress", str(aec), "-o", str(tmp_path / "decoded")])
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "decoded") as image:
        assert image.format == "PNG"
