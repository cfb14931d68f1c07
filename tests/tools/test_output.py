"""Never lose a file: a write that fails or is interrupted leaves neither a partial file nor debris."""

import os
import stat
import threading
from pathlib import Path

import pytest

from aecodec.tools.output import OutputError, check_target, current_umask, write_atomically


def _interrupted(error: BaseException):
    def write(handle):
        handle.write(b"half of the ")
        handle.flush()
        raise error

    return write


@pytest.mark.parametrize("error", [RuntimeError("encoder failed"), KeyboardInterrupt()])
def test_interrupted_write_leaves_no_file(tmp_path, error):
    target = tmp_path / "out.png"
    with pytest.raises(type(error)):
        write_atomically(target, _interrupted(error))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError("encoder failed"), KeyboardInterrupt()])
def test_interrupted_overwrite_keeps_the_old_file(tmp_path, error):
    target = tmp_path / "out.png"
    target.write_bytes(b"the old image")
    with pytest.raises(type(error)):
        write_atomically(target, _interrupted(error))
    assert target.read_bytes() == b"the old image"
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]


def test_successful_write_replaces_in_one_step(tmp_path):
    target = tmp_path / "out.aec"
    target.write_bytes(b"old")
    write_atomically(target, lambda handle: handle.write(b"new"))
    assert target.read_bytes() == b"new" and [path.name for path in tmp_path.iterdir()] == ["out.aec"]


def test_missing_directory_is_an_output_error(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_atomically(tmp_path / "nowhere" / "out.aec", lambda handle: None)


def test_missing_directory_is_named_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=r"^directory nowhere does not exist$"):
        write_atomically(Path("nowhere") / "out.aec", lambda handle: None)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_dangling_link_into_a_missing_directory_is_an_output_error(tmp_path):
    link = tmp_path / "link.aec"
    link.symlink_to(tmp_path / "nowhere" / "out.aec")
    with pytest.raises(OutputError, match="nowhere does not exist"):
        write_atomically(link, lambda handle: handle.write(b"new"))


def test_existing_target_needs_force(tmp_path):
    target = tmp_path / "out.aec"
    target.write_bytes(b"x")
    with pytest.raises(OutputError, match="already exists"):
        check_target(target, force=False)
    check_target(target, force=True)


@pytest.fixture
def umask_022():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_new_file_gets_the_mode_open_would_give(tmp_path, umask_022):
    target = tmp_path / "out.aec"
    write_atomically(target, lambda handle: handle.write(b"new"))
    assert _mode(target) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_the_umask_is_read_without_changing_it():
    previous = os.umask(0o027)
    try:
        assert current_umask() == 0o027
        assert os.umask(0o027) == 0o027
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_overwrite_keeps_the_old_mode(tmp_path, umask_022):
    target = tmp_path / "out.aec"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomically(target, lambda handle: handle.write(b"new"))
    assert _mode(target) == 0o640 and target.read_bytes() == b"new"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.aec"
    real.write_bytes(b"old")
    link = tmp_path / "link.aec"
    link.symlink_to(real)
    write_atomically(link, lambda handle: handle.write(b"new"))
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link.aec", "real.aec"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipe_is_written_through_not_replaced(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    check_target(pipe, force=False)
    write_atomically(pipe, lambda handle: handle.write(b"through the pipe"))
    reader.join(timeout=10)
    assert received == [b"through the pipe"] and stat.S_ISFIFO(pipe.stat().st_mode)
    assert [path.name for path in tmp_path.iterdir()] == ["pipe"]
