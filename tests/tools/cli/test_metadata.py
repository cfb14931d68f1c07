"""Through the command line, ICC profile and EXIF orientation reach the decoded PNG, JPEG or WebP."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image, ImageCms

from aecodec.tools.cli.main import main

ORIENTATION = 0x0112


@pytest.fixture
def photo(tmp_path, make_image):
    """A JPEG as a camera writes it: an sRGB profile and EXIF saying 'rotate 90° clockwise'."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = tmp_path / "camera.jpg"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.fromarray(make_image(48, 64)).save(path, quality=95, exif=exif.tobytes(), icc_profile=icc)
    return path, icc


@pytest.mark.parametrize("extension", [".png", ".jpg", ".webp"])
def test_metadata_survives_compress_and_decompress(tmp_path, photo, extension):
    path, icc = photo
    runner = CliRunner()
    assert runner.invoke(main, ["compress", str(path), "-o", str(tmp_path / "c.aec")]).exit_code == 0
    output = tmp_path / f"back{extension}"
    result = runner.invoke(main, ["decompress", str(tmp_path / "c.aec"), "-o", str(output)])
    assert result.exit_code == 0, result.output
    with Image.open(output) as decoded:
        decoded.load()
        assert decoded.getexif()[ORIENTATION] == 6
        assert decoded.info.get("icc_profile") == icc
        assert decoded.size == (64, 48)


def test_alpha_comes_back_exactly_through_png(tmp_path, make_image):
    alpha = np.random.default_rng(3).integers(0, 256, (30, 41), dtype=np.uint8)
    source = tmp_path / "cut-out.png"
    Image.fromarray(np.dstack([make_image(30, 41), alpha]), "RGBA").save(source)
    runner = CliRunner()
    assert runner.invoke(main, ["compress", str(source)]).exit_code == 0
    result = runner.invoke(main, ["decompress", str(source.with_suffix(".aec")), "-o", str(tmp_path / "b.png")])
    assert result.exit_code == 0
    with Image.open(tmp_path / "b.png") as decoded:
        assert decoded.mode == "RGBA" and np.array_equal(np.asarray(decoded)[:, :, 3], alpha)


XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'


@pytest.mark.parametrize("extension", [".png", ".tiff", ".webp", ".jpg"])
def test_xmp_comes_back_in_every_format_that_holds_it(tmp_path, make_image, extension):
    source = tmp_path / "with-xmp.webp"
    Image.fromarray(make_image(16, 24)).save(source, xmp=XMP, lossless=True)
    runner = CliRunner()
    assert runner.invoke(main, ["compress", str(source), "-o", str(tmp_path / "c.aec")]).exit_code == 0
    output = tmp_path / f"back{extension}"
    result = runner.invoke(main, ["decompress", str(tmp_path / "c.aec"), "-o", str(output)])
    assert result.exit_code == 0 and result.stderr == "", result.output
    with Image.open(output) as decoded:
        decoded.load()
        assert decoded.info["xmp"] == XMP


@pytest.mark.parametrize("selection, expected", [("none", set()), ("icc", {"icc"}), ("exif,icc", {"icc", "exif"})])
def test_metadata_option_picks_what_is_stored(tmp_path, photo, selection, expected):
    path, _ = photo
    runner = CliRunner()
    coded = tmp_path / "c.aec"
    assert runner.invoke(main, ["compress", str(path), "-o", str(coded), "--metadata", selection]).exit_code == 0
    info = runner.invoke(main, ["info", str(coded), "--json"])
    sections = set(json.loads(info.output)["sections"])
    assert {name for name, section in (("icc", "icc_profile"), ("exif", "exif")) if section in sections} == expected


def test_a_bad_metadata_option_is_a_usage_error(photo):
    result = CliRunner().invoke(main, ["compress", str(photo[0]), "--metadata", "icc,gps"])
    assert result.exit_code == 2 and "icc,exif,xmp" in result.output
