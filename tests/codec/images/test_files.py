"""Image files under a folder: image suffixes in any case, recursively, sorted, no folders or other files."""

from pathlib import Path

from aecodec.codec.images.files import is_image_file, list_images


def test_images_are_listed_recursively_and_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ["b/two.PNG", "one.jpg", "notes.txt", "b/three.webp"]:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.png").mkdir()
    assert list_images(tmp_path) == [tmp_path / "b/three.webp", tmp_path / "b/two.PNG", tmp_path / "one.jpg"]


def test_a_missing_path_is_not_an_image_file(tmp_path):
    assert not is_image_file(Path(tmp_path / "absent.png"))
