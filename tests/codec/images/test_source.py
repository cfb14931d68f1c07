"""Nothing lost without a word: transparency in every form becomes alpha, deeper samples and extra
frames warn, XMP travels, a TIFF's EXIF is its real EXIF, and --metadata picks what travels."""

import io
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

import aecodec
from aecodec.bitstream.container import SectionType, unpack
from aecodec.codec.images.source import load_source

XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
ORIENTATION = 0x0112


def _png(width, height, colour_type, depth, rows, extra=b""):
    """A PNG written chunk by chunk (Pillow cannot write 16-bit colour or a 16-bit tRNS)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    raw = b"".join(b"\0" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def _trns(data):
    return struct.pack(">I", len(data)) + b"tRNS" + data + struct.pack(">I", zlib.crc32(b"tRNS" + data))


def _open(data):
    return Image.open(io.BytesIO(data))


def _quiet_load(image):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_source(image)


def test_sixteen_bit_grey_with_a_transparent_colour_gets_alpha():
    samples = np.array([[0x1234, 5, 0x0005], [5, 0xFFFF, 0x0105]], dtype=">u2")
    image = _open(_png(3, 2, 0, 16, [row.tobytes() for row in samples], _trns(b"\x00\x05")))
    with pytest.warns(UserWarning, match="I;16 image reduced to 8 bits"):
        loaded = load_source(image)
    assert loaded.mode == "LA"
    assert np.array_equal(np.asarray(loaded)[:, :, 1], np.where(samples == 5, 0, 255))


def test_sixteen_bit_rgb_transparent_colour_is_compared_at_sixteen_bits():
    pixels = np.array([[[1, 515, 1029], [1, 515, 1030], [256, 515, 1029]]], dtype=">u2")
    image = _open(_png(3, 1, 2, 16, [pixels[0].tobytes()], _trns(np.array([1, 515, 1029], ">u2").tobytes())))
    with pytest.warns(UserWarning, match="16-bit RGB image reduced to 8 bits"):
        loaded = load_source(image)
    assert loaded.mode == "RGBA" and np.asarray(loaded)[0, :, 3].tolist() == [0, 255, 255]


@pytest.mark.parametrize("mode, key, expected", [("L", 7, "LA"), ("RGB", (1, 2, 3), "RGBA")])
def test_eight_bit_transparent_colours_become_alpha(mode, key, expected):
    array = np.array([[7, 9]], np.uint8) if mode == "L" else np.array([[[1, 2, 3], [4, 5, 6]]], np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format="PNG", transparency=key)
    loaded = load_source(_open(buffer.getvalue()))
    assert loaded.mode == expected and np.asarray(loaded)[0, :, -1].tolist() == [0, 255]


def test_palette_alpha_becomes_alpha():
    image = Image.new("P", (2, 1))
    image.putpalette([10, 20, 30, 40, 50, 60])
    image.putpixel((1, 0), 1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=b"\x80\xff")
    decoded = aecodec.decompress(aecodec.compress(_open(buffer.getvalue()), quality=90))
    assert decoded.mode == "RGBA" and np.asarray(decoded)[0, :, 3].tolist() == [128, 255]


@pytest.mark.parametrize("colour_type, channels, mode", [(2, 3, "RGB"), (6, 4, "RGBA")])
def test_sixteen_bit_colour_warns(colour_type, channels, mode):
    data = _png(2, 2, colour_type, 16, [bytes(range(2 * channels * 2))] * 2)
    with pytest.warns(UserWarning, match=f"16-bit {mode} image reduced to 8 bits"):
        assert load_source(_open(data)).mode == mode


def test_an_eight_bit_image_loads_without_a_warning(make_image):
    buffer = io.BytesIO()
    Image.fromarray(make_image(8, 8)).save(buffer, format="PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        image = _open(buffer.getvalue())
        assert load_source(image) is image and load_source(image) is image


@pytest.mark.parametrize("image_format", ["GIF", "PNG", "WEBP", "TIFF"])
def test_several_frames_warn_once(image_format):
    frames = [Image.new("RGB", (8, 8), (40 * index, 0, 0)) for index in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format=image_format, save_all=True, append_images=frames[1:])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        aecodec.compress(_open(buffer.getvalue()))
    messages = [str(warning.message) for warning in caught]
    assert messages == ["image has 3 frames; only the first is coded"]


def test_xmp_travels_like_exif(make_image):
    image = Image.fromarray(make_image(16, 16))
    image.info["xmp"] = XMP
    data = aecodec.compress(image)
    assert unpack(data).sections[SectionType.XMP] == XMP
    assert aecodec.decompress(data).info["xmp"] == XMP


def test_files_without_xmp_have_no_new_section(make_image):
    data = aecodec.compress(make_image(16, 16))
    assert SectionType.XMP not in unpack(data).sections


def test_a_tiff_stores_its_exif_not_its_structure(tmp_path, make_image):
    """The TIFF's own tags (size, strips, its ICC profile) are no EXIF; a big profile is stored once."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes() + b"\0" * 200_000
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif.get_ifd(0x8769)[0x9003] = "2024:01:02 03:04:05"
    path = tmp_path / "scan.tiff"
    Image.fromarray(make_image(16, 24)).save(path, exif=exif.tobytes(), icc_profile=profile)
    with Image.open(path) as image:
        sections = unpack(aecodec.compress(image)).sections
    stored = Image.Exif()
    stored.load(sections[SectionType.EXIF])
    assert sorted(stored) == [0x8769] and stored.get_ifd(0x8769)[0x9003] == "2024:01:02 03:04:05"
    assert len(sections[SectionType.EXIF]) < 200 and sections[SectionType.ICC_PROFILE] == profile


def test_a_tiff_turned_by_pillow_does_not_keep_its_orientation(tmp_path, make_image):
    """Pillow applies a TIFF's orientation when it loads the pixels; storing the tag too would turn
    the image twice."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = tmp_path / "turned.tiff"
    Image.fromarray(make_image(16, 24)).save(path, exif=exif.tobytes())
    with Image.open(path) as image:
        decoded = aecodec.decompress(aecodec.compress(image))
    assert decoded.size == (16, 24) and ORIENTATION not in decoded.getexif()


@pytest.mark.parametrize("selection, kept", [("all", {SectionType.ICC_PROFILE, SectionType.EXIF, SectionType.XMP}),
                                             ("none", set()), ("icc,xmp", {SectionType.ICC_PROFILE, SectionType.XMP}),
                                             (["exif"], {SectionType.EXIF})])
def test_metadata_selection(make_image, selection, kept):
    image = Image.fromarray(make_image(16, 16))
    image.info.update(icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(), xmp=XMP)
    image.getexif()[ORIENTATION] = 3
    sections = unpack(aecodec.compress(image, metadata=selection)).sections
    assert set(sections) & {SectionType.ICC_PROFILE, SectionType.EXIF, SectionType.XMP} == kept


def test_an_unknown_selection_is_refused(make_image):
    with pytest.raises(ValueError, match="all, none or some of icc,exif,xmp"):
        aecodec.compress(make_image(8, 8), metadata="gps")


def test_quiet_load_helper_keeps_metadata_of_converted_images():
    image = Image.new("P", (2, 2))
    image.info["xmp"] = XMP
    assert _quiet_load(image).info == {"xmp": XMP}
