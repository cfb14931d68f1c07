"""Never lose a file: a write that fails or is interrupted leaves neither a partial file nor debris."""

import pytest

from aecodec.tools.output import OutputError, check_target, write_atomically


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


def test_existing_target_needs_force(tmp_path):
    target = tmp_path / "out.aec"
    target.write_bytes(b"x")
    with pytest.raises(OutputError, match="already exists"):
        check_target(target, force=False)
    check_target(target, force=True)
