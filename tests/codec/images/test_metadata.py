"""Everything a user puts in comes back: ICC profile, EXIF with its orientation, alpha, 16-bit input."""

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

import aecodec
from aecodec.codec.images.metadata import colour_space

ORIENTATION = 0x0112


SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
"""Made once: LittleCMS stamps each new profile with the time it was made."""


def _profile_for(space: bytes) -> bytes:
    """A minimal ICC header declaring ``space`` data (enough for the colour-space check)."""
    header = bytearray(128)
    header[16:20] = space
    header[36:40] = b"acsp"
    return bytes(header)


def _with_orientation(image: Image.Image, value: int) -> Image.Image:
    exif = Image.Exif()
    exif[ORIENTATION] = value
    image.info["exif"] = exif.tobytes()
    return image


def test_exif_orientation_and_icc_come_back(make_image):
    image = _with_orientation(Image.fromarray(make_image(24, 40)), 6)
    image.info["icc_profile"] = SRGB_PROFILE
    decoded = aecodec.decompress(aecodec.compress(image))
    assert decoded.getexif()[ORIENTATION] == 6
    assert decoded.info["icc_profile"] == SRGB_PROFILE
    assert ImageOps.exif_transpose(decoded).size == (24, 40)


def test_exif_set_through_getexif_travels(make_image):
    image = Image.fromarray(make_image(16, 16))
    image.getexif()[ORIENTATION] = 3
    assert aecodec.decompress(aecodec.compress(image)).getexif()[ORIENTATION] == 3


def test_icc_profile_for_another_colour_space_is_dropped(make_image):
    image = Image.fromarray(make_image(16, 16)).convert("CMYK")
    image.info["icc_profile"] = _profile_for(b"CMYK")
    with pytest.warns(UserWarning, match="ICC profile for CMYK data dropped"):
        decoded = aecodec.decompress(aecodec.compress(image))
    assert decoded.mode == "RGB" and "icc_profile" not in decoded.info


def test_grey_profile_stays_with_a_grey_image(make_image):
    grey = Image.fromarray(make_image(16, 16)[:, :, 0])
    grey.info["icc_profile"] = _profile_for(b"GRAY")
    assert aecodec.decompress(aecodec.compress(grey)).info["icc_profile"] == _profile_for(b"GRAY")


def test_colour_space_reads_only_real_headers():
    assert colour_space(SRGB_PROFILE) == b"RGB "
    assert colour_space(b"fake-icc-profile") is None


def test_sixteen_bit_arrays_are_reduced_with_a_warning(make_image):
    deep = make_image(20, 30).astype(np.uint16) * 257
    with pytest.warns(UserWarning, match="uint16 image reduced to 8 bits"):
        decoded = aecodec.decompress(aecodec.compress(deep, quality=90))
    assert decoded.mode == "RGB" and decoded.size == (30, 20)


def test_sixteen_bit_png_is_reduced_with_a_warning(tmp_path):
    path = tmp_path / "deep.png"
    Image.fromarray(np.linspace(0, 65535, 32 * 48).reshape(32, 48).astype(np.uint16)).save(path)
    with Image.open(path) as image, pytest.warns(UserWarning, match="8 bits"):
        data = aecodec.compress(image)
    assert aecodec.decompress(data).mode == "L"


def test_rgba_alpha_is_exact_even_where_colour_is_lossy(make_image):
    alpha = np.zeros((37, 45), dtype=np.uint8)
    alpha[5:30, 10:40] = 255
    alpha[::3, ::7] = 17
    decoded = aecodec.decompress(aecodec.compress(np.dstack([make_image(37, 45), alpha]), quality=10))
    assert decoded.mode == "RGBA" and np.array_equal(np.asarray(decoded)[:, :, 3], alpha)
