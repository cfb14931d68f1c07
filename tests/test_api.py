"""The public API with the shipped weights, on odd sizes and every supported mode."""

import numpy as np
import pytest
from PIL import Image

import aecodec
from aecodec.bitstream.container import ContainerError, unpack


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0**2 / max(mse, 1e-12))


@pytest.mark.parametrize("height, width", [(1, 1), (1, 70), (65, 3), (33, 97)])
def test_odd_sizes_round_trip(make_image, height, width):
    image = make_image(height, width)
    decoded = aecodec.decompress(aecodec.compress(image, quality=80))
    assert decoded.size == (width, height) and decoded.mode == "RGB"


def test_rgb_quality_is_useful(make_image):
    image = make_image(64, 96)
    decoded = np.asarray(aecodec.decompress(aecodec.compress(Image.fromarray(image), quality=90)))
    assert _psnr(image, decoded) > 25


def test_higher_quality_gives_larger_files_and_less_error(make_image):
    image = make_image(96, 128, seed=4)
    sizes, errors = [], []
    for quality in (5, 50, 95):
        data = aecodec.compress(image, quality=quality)
        sizes.append(len(data))
        errors.append(_psnr(image, np.asarray(aecodec.decompress(data))))
    assert sizes[0] < sizes[1] < sizes[2]
    assert errors[0] < errors[2]


def test_grey_image_stays_grey(make_image):
    grey = make_image(40, 50)[:, :, 1]
    decoded = aecodec.decompress(aecodec.compress(Image.fromarray(grey, "L")))
    assert decoded.mode == "L" and decoded.size == (50, 40)


def test_alpha_is_lossless(make_image):
    color = make_image(30, 41)
    alpha = np.random.default_rng(0).integers(0, 256, (30, 41), dtype=np.uint8)
    rgba = np.dstack([color, alpha])
    decoded = aecodec.decompress(aecodec.compress(rgba))
    assert decoded.mode == "RGBA"
    assert np.array_equal(np.asarray(decoded)[:, :, 3], alpha)


def test_la_keeps_mode_and_alpha(make_image):
    grey = make_image(20, 20)[:, :, 0]
    la = Image.merge("LA", [Image.fromarray(grey), Image.fromarray(255 - grey)])
    decoded = aecodec.decompress(aecodec.compress(la))
    assert decoded.mode == "LA"
    assert np.array_equal(np.asarray(decoded)[:, :, 1], 255 - grey)


def test_palette_image(make_image):
    palette = Image.fromarray(make_image(32, 32)).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    assert aecodec.decompress(aecodec.compress(palette)).mode == "RGB"


def test_palette_with_transparency_keeps_alpha(make_image):
    palette = Image.fromarray(make_image(16, 16)).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    palette.info["transparency"] = 0
    decoded = aecodec.decompress(aecodec.compress(palette))
    assert decoded.mode == "RGBA"
    assert np.array_equal(np.asarray(decoded)[:, :, 3], np.asarray(palette.convert("RGBA"))[:, :, 3])


def test_sixteen_bit_input_is_reduced_with_a_warning():
    deep = Image.fromarray(np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16))
    with pytest.warns(UserWarning, match="8 bits"):
        data = aecodec.compress(deep)
    assert aecodec.decompress(data).mode == "L"


def test_icc_profile_travels():
    image = Image.new("RGB", (8, 8), (10, 200, 30))
    image.info["icc_profile"] = b"fake-icc-profile"
    assert aecodec.decompress(aecodec.compress(image)).info["icc_profile"] == b"fake-icc-profile"


def test_numpy_input_shapes(make_image):
    image = make_image(16, 24)
    assert aecodec.decompress(aecodec.compress(image[:, :, :1])).mode == "L"
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        aecodec.compress(image.astype(np.float32))
    with pytest.raises(ValueError, match="uint8"):
        aecodec.compress(image.astype(np.int64))
    with pytest.raises(ValueError, match="shape"):
        aecodec.compress(np.zeros((4, 4, 5), dtype=np.uint8))


def test_encoding_is_deterministic(make_image):
    image = make_image(40, 70, seed=2)
    assert aecodec.compress(image, quality=33.3) == aecodec.compress(image, quality=33.3)


def test_quality_is_recorded_and_validated(make_image):
    data = aecodec.compress(make_image(8, 8), quality=42.25)
    assert unpack(data).header.quality == pytest.approx(42.25)
    with pytest.raises(ValueError, match="quality"):
        aecodec.compress(make_image(8, 8), quality=101)


def test_corrupted_latent_is_detected(make_image):
    data = bytearray(aecodec.compress(make_image(32, 32)))
    data[-3] ^= 0x10
    with pytest.raises(ContainerError):
        aecodec.decompress(bytes(data))


def test_pixel_limit_counts_the_padded_size(make_image, monkeypatch):
    """A 1 × N image is 64 × N pixels of work: the limit applies to that too, before decoding."""
    import struct
    import zlib

    from aecodec.bitstream import container

    data = bytearray(aecodec.compress(make_image(1, 1)))
    struct.pack_into("<II", data, 22, 1, 2_000_000)
    struct.pack_into("<I", data, 33, zlib.crc32(bytes(data[:33])))
    assert unpack(bytes(data)).header.height == 2_000_000
    with pytest.raises(ContainerError, match="pads to 64x2000000, over the 89478485-pixel limit"):
        aecodec.decompress(bytes(data))
    monkeypatch.setattr(container, "MAX_PIXELS", 1000)
    with pytest.raises(ContainerError, match="pads to 64x64"):
        aecodec.compress(make_image(1, 1))


def test_model_picks_the_release_and_an_unknown_one_is_refused(make_image):
    from aecodec.bitstream import container
    from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, UnknownModelError

    image = make_image(24, 32)
    data = aecodec.compress(image, quality=40, model=DEFAULT_MODEL_ID)
    assert data == aecodec.compress(image, quality=40)
    assert container.unpack(data).header.model_id == DEFAULT_MODEL_ID
    with pytest.raises(UnknownModelError, match="no model 77 to encode with"):
        aecodec.compress(image, quality=40, model=77)
