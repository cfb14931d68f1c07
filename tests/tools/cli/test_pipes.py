"""``-`` as input and output: binary data on stdin/stdout, status on stderr only."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from aecodec.bitstream.container import SIGNATURE, unpack
from aecodec.tools.cli.main import main


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def png_bytes(make_image):
    buffer = io.BytesIO()
    Image.fromarray(make_image(24, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def aec_bytes(runner, png_bytes):
    result = runner.invoke(main, ["compress", "-", "-o", "-"], input=png_bytes)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_compress_stdin_to_stdout(aec_bytes):
    assert aec_bytes.startswith(SIGNATURE)
    assert unpack(aec_bytes).header.width == 40


def test_stdin_defaults_to_stdout(runner, png_bytes, aec_bytes):
    result = runner.invoke(main, ["compress", "-"], input=png_bytes)
    assert result.exit_code == 0 and result.stdout_bytes == aec_bytes


def test_verbose_goes_to_stderr_only(runner, png_bytes, aec_bytes):
    result = runner.invoke(main, ["compress", "-", "-o", "-", "-v"], input=png_bytes)
    assert result.exit_code == 0
    assert result.stdout_bytes == aec_bytes
    assert "bpp" in result.stderr and "stdout" in result.stderr


def test_stdin_to_a_file_and_a_file_to_stdout(runner, png_bytes, aec_bytes, tmp_path):
    target = tmp_path / "piped.aec"
    assert runner.invoke(main, ["compress", "-", "-o", str(target)], input=png_bytes).exit_code == 0
    assert target.read_bytes() == aec_bytes
    source = tmp_path / "photo.png"
    source.write_bytes(png_bytes)
    result = runner.invoke(main, ["compress", str(source), "-o", "-"])
    assert result.exit_code == 0 and result.stdout_bytes == aec_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photo.png", "piped.aec"]


def test_decompress_to_stdout_is_png(runner, aec_bytes):
    result = runner.invoke(main, ["decompress", "-", "-v"], input=aec_bytes)
    assert result.exit_code == 0, result.output
    with Image.open(io.BytesIO(result.stdout_bytes)) as image:
        assert image.format == "PNG" and image.size == (40, 24)
    assert "stdin" in result.stderr


@pytest.mark.parametrize("name, expected", [("jpeg", "JPEG"), ("WEBP", "WEBP"), ("tif", "TIFF")])
def test_decompress_format_option(runner, aec_bytes, name, expected):
    result = runner.invoke(main, ["decompress", "-", "-o", "-", "--format", name], input=aec_bytes)
    assert result.exit_code == 0, result.output
    with Image.open(io.BytesIO(result.stdout_bytes)) as image:
        assert image.format == expected


def test_format_option_names_the_default_output(runner, aec_bytes, tmp_path):
    source = tmp_path / "photo.aec"
    source.write_bytes(aec_bytes)
    assert runner.invoke(main, ["decompress", str(source), "--format", "webp"]).exit_code == 0
    with Image.open(tmp_path / "photo.webp") as image:
        assert image.format == "WEBP"


def test_unknown_format_is_a_usage_error(runner, aec_bytes):
    result = runner.invoke(main, ["decompress", "-", "--format", "nope"], input=aec_bytes)
    assert result.exit_code == 2 and "nope" in result.output


def test_decompress_to_aec_is_refused(runner, aec_bytes, tmp_path):
    source = tmp_path / "a.aec"
    source.write_bytes(aec_bytes)
    result = runner.invoke(main, ["decompress", str(source), "-o", str(tmp_path / "b.aec")])
    assert result.exit_code == 1 and "not an .aec file" in result.output
    assert not (tmp_path / "b.aec").exists()


@pytest.mark.parametrize("command, data, message", [
    ("compress", b"", "empty"),
    ("compress", b"not an image", "standard input"),
    ("decompress", b"not an aec file", "not an .aec file"),
])
def test_bad_stdin_is_a_one_line_error(runner, command, data, message):
    result = runner.invoke(main, [command, "-", "-o", "-"], input=data)
    assert result.exit_code == 1 and result.stdout_bytes == b""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_dash_cannot_join_other_inputs(runner, png_bytes, tmp_path):
    other = tmp_path / "a.png"
    other.write_bytes(png_bytes)
    result = runner.invoke(main, ["compress", "-", str(other), "-o", str(tmp_path / "out")], input=png_bytes)
    assert result.exit_code == 1 and "only input" in result.output


def _console_script() -> Path:
    script = Path(sys.executable).parent / "aecodec"
    if not script.exists():
        pytest.skip("the aecodec console script is not installed next to this Python")
    return script


def test_real_console_script_in_a_pipe(tmp_path, png_bytes):
    script = _console_script()
    (tmp_path / "x.png").write_bytes(png_bytes)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    pipeline = f"cat x.png | '{script}' compress - -o - -v | '{script}' decompress - > back.png"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], cwd=tmp_path, env=env,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr.decode()
    assert b"bpp" in result.stderr and result.stdout == b""
    with Image.open(tmp_path / "back.png") as image:
        assert image.size == (40, 24)
