"""Several inputs and folders: an output directory, a summary, failures listed, the rest still done."""

import pytest
from PIL import Image

from aecodec.bitstream.container import unpack
from aecodec.tools.cli.main import main


@pytest.fixture
def photos(tmp_path, make_image):
    """``photos/a.png``, ``photos/nested/b.jpg``, a hidden file and a text file, and a loose ``c.png``."""
    folder = tmp_path / "photos"
    (folder / "nested").mkdir(parents=True)
    Image.fromarray(make_image(20, 30, seed=1)).save(folder / "a.png")
    Image.fromarray(make_image(17, 9, seed=2)).save(folder / "nested" / "b.jpg")
    Image.fromarray(make_image(8, 8, seed=3)).save(folder / ".hidden.png")
    (folder / "notes.txt").write_text("not an image")
    Image.fromarray(make_image(12, 16, seed=4)).save(tmp_path / "c.png")
    return folder


def _tree(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def test_folder_and_file_into_a_new_directory(runner, photos, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["compress", str(photos), str(tmp_path / "c.png"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _tree(out) == ["a.aec", "c.aec", "nested/b.aec"]
    assert unpack((out / "nested" / "b.aec").read_bytes()).header.width == 9
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith("3 files,") and "bytes ->" in summary and "mean" in summary and "bpp" in summary
    assert result.stdout == ""


def test_without_output_results_land_beside_inputs(runner, photos):
    result = runner.invoke(main, ["compress", str(photos)])
    assert result.exit_code == 0, result.output
    assert (photos / "a.aec").exists() and (photos / "nested" / "b.aec").exists()
    assert not (photos / ".hidden.aec").exists()


def test_a_failing_file_does_not_stop_the_others(runner, photos, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_text("not really a png")
    missing = tmp_path / "missing.png"
    out = tmp_path / "out"
    result = runner.invoke(main, ["compress", str(broken), str(photos), str(missing), "-o", str(out)])
    assert result.exit_code == 1
    assert _tree(out) == ["a.aec", "nested/b.aec"]
    assert f"failed: {broken}" in result.stderr and f"failed: {missing}" in result.stderr
    assert "2 files," in result.stderr and "2 failed" in result.stderr
    assert "Error: 2 of 4 files failed" in result.stderr
    assert not any(name.endswith(".part") for name in _tree(out))


def test_existing_outputs_need_force(runner, photos, tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(main, ["compress", str(photos), "-o", str(out), "-q", "10"]).exit_code == 0
    before = (out / "a.aec").read_bytes()
    again = runner.invoke(main, ["compress", str(photos), "-o", str(out), "-q", "90"])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert (out / "a.aec").read_bytes() == before
    forced = runner.invoke(main, ["compress", str(photos), "-o", str(out), "-q", "90", "-f"])
    assert forced.exit_code == 0 and (out / "a.aec").read_bytes() != before


def test_decompress_a_folder_with_a_format(runner, photos, tmp_path):
    coded = tmp_path / "coded"
    assert runner.invoke(main, ["compress", str(photos), "-o", str(coded)]).exit_code == 0
    (coded / "junk.aec").write_bytes(b"nope")
    images = tmp_path / "images"
    result = runner.invoke(main, ["decompress", str(coded), "-o", str(images), "--format", "webp", "-v"])
    assert result.exit_code == 1
    assert _tree(images) == ["a.webp", "nested/b.webp"]
    assert "not an .aec file" in result.stderr and "2 files," in result.stderr
    with Image.open(images / "nested" / "b.webp") as image:
        assert image.format == "WEBP" and image.size == (9, 17)


def test_parallel_jobs_give_the_same_files(runner, photos, tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert runner.invoke(main, ["compress", str(photos), "-o", str(serial)]).exit_code == 0
    result = runner.invoke(main, ["compress", str(photos), str(tmp_path / "nope.png"), "-o", str(parallel),
                                  "--jobs", "2"])
    assert result.exit_code == 1 and "nope.png: no such file" in result.stderr
    assert _tree(parallel) == _tree(serial)
    for name in _tree(serial):
        assert (parallel / name).read_bytes() == (serial / name).read_bytes()


def test_clashing_outputs_are_refused_before_any_work(runner, photos, tmp_path, make_image):
    Image.fromarray(make_image(8, 8)).save(photos / "a.bmp")
    out = tmp_path / "out"
    result = runner.invoke(main, ["compress", str(photos), "-o", str(out)])
    assert result.exit_code == 1 and "a.aec" in result.output
    assert not out.exists() or _tree(out) == []


def test_output_must_be_a_directory(runner, photos, tmp_path):
    existing = tmp_path / "c.png"
    result = runner.invoke(main, ["compress", str(photos), "-o", str(existing)])
    assert result.exit_code == 1 and "directory" in result.output


def test_an_empty_folder_is_an_error(runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(main, ["compress", str(tmp_path / "empty")])
    assert result.exit_code == 1 and "no input files" in result.output


def test_single_file_keeps_one_file_behaviour(runner, photos, tmp_path):
    result = runner.invoke(main, ["compress", str(tmp_path / "c.png"), "-o", str(tmp_path)])
    assert result.exit_code == 1 and "is a directory" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert runner.invoke(main, ["compress", str(tmp_path / "c.png")]).exit_code == 0
    assert (tmp_path / "c.aec").exists() and "files," not in result.output
