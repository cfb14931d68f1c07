"""Never lose a file: a write that fails or is interrupted leaves neither a partial file nor debris."""

import os
import stat
import threading
from pathlib import Path

import pytest

from aecodec.tools.cli import publish
from aecodec.tools.cli.output import OutputError, check_target, current_umask, discard_pending, write_atomically


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
        write_atomically(target, _interrupted(error), replace=True)
    assert target.read_bytes() == b"the old image"
    assert [path.name for path in tmp_path.iterdir()] == ["out.png"]


def test_successful_write_replaces_in_one_step(tmp_path):
    target = tmp_path / "out.aec"
    target.write_bytes(b"old")
    write_atomically(target, lambda handle: handle.write(b"new"), replace=True)
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
        write_atomically(link, lambda handle: handle.write(b"new"), replace=True)


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
    write_atomically(target, lambda handle: handle.write(b"new"), replace=True)
    assert _mode(target) == 0o640 and target.read_bytes() == b"new"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.aec"
    real.write_bytes(b"old")
    link = tmp_path / "link.aec"
    link.symlink_to(real)
    write_atomically(link, lambda handle: handle.write(b"new"), replace=True)
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


def _plant_while_writing(plant):
    """A ``write`` that creates something at the target while the data is being written (the race)."""
    def write(handle):
        handle.write(b"new data")
        plant()

    return write


def test_a_file_created_during_the_write_is_kept(tmp_path):
    target = tmp_path / "out.aec"
    with pytest.raises(OutputError, match="already exists"):
        write_atomically(target, _plant_while_writing(lambda: target.write_bytes(b"someone else's")))
    assert target.read_bytes() == b"someone else's"
    assert [path.name for path in tmp_path.iterdir()] == ["out.aec"]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_planted_during_the_write_is_not_followed(tmp_path, dangling):
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_bytes(b"precious")
    target = tmp_path / "out.aec"
    with pytest.raises(OutputError, match="already exists"):
        write_atomically(target, _plant_while_writing(lambda: target.symlink_to(victim)))
    assert target.is_symlink()
    assert victim.read_bytes() == b"precious" if not dangling else not victim.exists()


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_a_dangling_symlink_needs_force(tmp_path):
    link = tmp_path / "out.aec"
    link.symlink_to(tmp_path / "elsewhere.aec")
    with pytest.raises(OutputError, match="already exists"):
        check_target(link, force=False)
    check_target(link, force=True)


@pytest.mark.parametrize("renameat2", [True, False])
@pytest.mark.parametrize("link", [True, False])
def test_every_way_of_publishing_refuses_an_existing_name(tmp_path, monkeypatch, renameat2, link):
    """renameat2, then a hard link, then an exclusive create: each makes new names, none replaces."""
    if not renameat2:
        monkeypatch.setattr(publish, "_renameat2", lambda: None)
    if not link:
        def no_links(*args, **kwargs):
            raise OSError(publish.errno.EPERM, "no hard links here")

        monkeypatch.setattr(publish.os, "link", no_links)
    write_atomically(tmp_path / "new.aec", lambda handle: handle.write(b"fresh"))
    assert (tmp_path / "new.aec").read_bytes() == b"fresh"
    (tmp_path / "taken.aec").write_bytes(b"old")
    with pytest.raises(OutputError, match="already exists"):
        write_atomically(tmp_path / "taken.aec", lambda handle: handle.write(b"new"))
    assert (tmp_path / "taken.aec").read_bytes() == b"old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["new.aec", "taken.aec"]


def test_two_writers_of_one_name_one_wins_one_is_refused(tmp_path):
    target = tmp_path / "out.aec"
    refused = []

    def second_writer():
        try:
            write_atomically(target, lambda handle: handle.write(b"second"))
        except OutputError as error:
            refused.append(str(error))

    with pytest.raises(OutputError, match="already exists"):
        write_atomically(target, _plant_while_writing(second_writer))
    assert refused == [] and target.read_bytes() == b"second"
    assert [path.name for path in tmp_path.iterdir()] == ["out.aec"]


def test_pending_temporary_files_are_discarded(tmp_path):
    def write(handle):
        handle.write(b"half")
        handle.flush()
        assert len(list(tmp_path.iterdir())) == 1
        discard_pending()
        assert list(tmp_path.iterdir()) == []
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "out.aec", write)
    assert list(tmp_path.iterdir()) == []
