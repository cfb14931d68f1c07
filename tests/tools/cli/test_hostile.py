"""Hostile input and output through the command line: endless input, planted files, bad metadata,
bugs. Each ends in one line on stderr, never a traceback, and nothing clobbered or half-written."""

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from aecodec.tools.cli import commands, failures
from aecodec.tools.cli.main import main

NULL_DEVICE = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not NULL_DEVICE.is_char_device(), reason="needs /dev/zero")


def _one_line_error(result, status=1):
    assert result.exit_code == status, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error:") and "Traceback" not in result.stderr, result.stderr
    assert all(line.startswith("warning: ") for line in lines[:-1]), result.stderr
    return lines[-1]


@pytest.mark.parametrize("command", [["decompress", "-", "-o", "-"], ["compress", "-", "-o", "-"]])
def test_endless_stdin_is_refused_after_a_few_bytes(runner, command, endless):
    result = runner.invoke(main, command, input=endless)
    _one_line_error(result)
    assert result.stdout_bytes == b"" and endless.served <= 1 << 16


@needs_dev_zero
@pytest.mark.parametrize("command", [["decompress", "/dev/zero", "-o", "OUT/z.png"], ["info", "/dev/zero"],
                                     ["compress", "/dev/zero", "-o", "OUT/z.aec"]])
def test_a_device_that_never_ends_is_refused(runner, tmp_path, command):
    result = runner.invoke(main, [part.replace("OUT", str(tmp_path)) for part in command])
    _one_line_error(result)
    assert list(tmp_path.iterdir()) == []


def _limit_memory():
    limit = 1 << 31
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@needs_dev_zero
@pytest.mark.parametrize("arguments", [["decompress", "-", "-o", "z.png"], ["compress", "-", "-o", "z.aec"],
                                       ["decompress", "/dev/zero", "-o", "z.png"]])
def test_endless_input_in_a_real_process_under_a_2_gib_address_space(tmp_path, arguments):
    """The issue's report: these read /dev/zero into memory until a MemoryError traceback."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    with NULL_DEVICE.open("rb") as zeros:
        result = subprocess.run([sys.executable, "-m", "aecodec.tools.cli", *arguments], stdin=zeros, cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory)
    assert result.returncode == 1, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def aec_file(runner, tmp_path, make_image):
    source = tmp_path / "photo.png"
    Image.fromarray(make_image(24, 40)).save(source)
    assert runner.invoke(main, ["compress", str(source)]).exit_code == 0
    return source.with_suffix(".aec")


def test_a_file_that_appears_during_the_decode_is_kept(runner, aec_file, tmp_path, monkeypatch):
    """The race of the issue: the output is free when checked, taken when written."""
    target = tmp_path / "out.png"
    decode = commands.formats.encode_image

    def slow_encode(*args, **kwargs):
        target.write_bytes(b"written by someone else meanwhile")
        return decode(*args, **kwargs)

    monkeypatch.setattr(commands.formats, "encode_image", slow_encode)
    line = _one_line_error(runner.invoke(main, ["decompress", str(aec_file), "-o", str(target)]))
    assert "already exists" in line and target.read_bytes() == b"written by someone else meanwhile"
    assert not any(name.name.endswith(".part") for name in tmp_path.iterdir())


def test_a_symlink_planted_during_the_decode_is_not_followed(runner, aec_file, tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    target = tmp_path / "out.png"
    decode = commands.formats.encode_image

    def plant(*args, **kwargs):
        target.symlink_to(victim)
        return decode(*args, **kwargs)

    monkeypatch.setattr(commands.formats, "encode_image", plant)
    _one_line_error(runner.invoke(main, ["decompress", str(aec_file), "-o", str(target)]))
    assert victim.read_bytes() == b"precious" and target.is_symlink()


def test_two_processes_writing_one_output_one_is_refused(aec_file, tmp_path):
    target = tmp_path / "same.png"
    command = [sys.executable, "-m", "aecodec.tools.cli", "decompress", str(aec_file), "-o", str(target)]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    statuses = sorted(run.wait(timeout=120) for run in runs)
    errors = [run.stderr.read() for run in runs]
    assert statuses == [0, 1], errors
    assert any("already exists" in error for error in errors)
    with Image.open(target) as image:
        assert image.size == (40, 24)


@pytest.fixture
def jpeg_with_bad_exif(tmp_path, make_image):
    """A JPEG whose EXIF block is not TIFF data: it compresses fine, and TIFF's writer refuses it."""
    path = tmp_path / "bad-exif.jpg"
    Image.fromarray(make_image(24, 32)).save(path, exif=b"Exif\0\0this is no TIFF header")
    return path


@pytest.mark.parametrize("extension", [".tiff", ".avif"])
def test_metadata_a_writer_refuses_is_dropped_with_a_warning(runner, jpeg_with_bad_exif, tmp_path, extension):
    coded = tmp_path / "c.aec"
    assert runner.invoke(main, ["compress", str(jpeg_with_bad_exif), "-o", str(coded)]).exit_code == 0
    target = tmp_path / f"out{extension}"
    result = runner.invoke(main, ["decompress", str(coded), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"warning: EXIF not written: {extension[1:].upper()} writer refused it"
    with Image.open(target) as image:
        assert image.size == (32, 24)


def test_metadata_a_format_cannot_hold_is_dropped_with_a_warning(runner, jpeg_with_bad_exif, tmp_path):
    coded = tmp_path / "c.aec"
    assert runner.invoke(main, ["compress", str(jpeg_with_bad_exif), "-o", str(coded)]).exit_code == 0
    result = runner.invoke(main, ["decompress", str(coded), "-o", str(tmp_path / "out.bmp")])
    assert result.exit_code == 0 and "EXIF not written: BMP files cannot store it" in result.stderr
    quiet = runner.invoke(main, ["decompress", str(coded), "-o", str(tmp_path / "out2.bmp"), "--metadata", "none"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


@pytest.mark.parametrize("payload", [b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"GIF89a" + b"\xff" * 30,
                                     b"\xff\xd8\xff\xe0" + b"\0" * 20, b"II*\0" + b"\xff" * 60])
def test_a_broken_image_is_one_line(runner, tmp_path, payload):
    path = tmp_path / "broken.img"
    path.write_bytes(payload)
    _one_line_error(runner.invoke(main, ["compress", str(path), "-o", str(tmp_path / "b.aec")]))
    assert not (tmp_path / "b.aec").exists()


def test_a_bug_is_one_line_with_its_own_status(runner, aec_file, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("something impossible\nhappened")

    monkeypatch.setattr(commands.formats, "encode_image", broken)
    monkeypatch.delenv(failures.TRACEBACK_VARIABLE, raising=False)
    result = runner.invoke(main, ["decompress", str(aec_file), "-o", str(tmp_path / "x.png")])
    line = _one_line_error(result, status=failures.BUG_STATUS)
    assert "a bug in aecodec (RuntimeError: something impossible happened)" in line
    assert failures.TRACEBACK_VARIABLE in line and not (tmp_path / "x.png").exists()
    monkeypatch.setenv(failures.TRACEBACK_VARIABLE, "1")
    shown = runner.invoke(main, ["decompress", str(aec_file), "-o", str(tmp_path / "x.png")])
    assert isinstance(shown.exception, RuntimeError)


def test_an_empty_stdin_is_named(runner):
    for command in ("compress", "decompress"):
        line = _one_line_error(runner.invoke(main, [command, "-", "-o", "-"], input=b""))
        assert "standard input is empty" in line
