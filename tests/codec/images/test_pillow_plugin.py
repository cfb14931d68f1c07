"""The Pillow plugin, tested the way Pillow tests its own: open, load, verify, save, truncation, corruption."""

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, UnidentifiedImageError

import aecodec
from aecodec.bitstream.container import HEADER_SIZE, SIGNATURE
from aecodec.codec.images import pillow_plugin
from aecodec.codec.torch_support import torch_available


@pytest.fixture
def aec_path(tmp_path, make_image):
    path = tmp_path / "photo.aec"
    path.write_bytes(aecodec.compress(make_image(24, 37), quality=50))
    return path


def test_registration():
    assert Image.registered_extensions()[".aec"] == "AEC"
    assert Image.MIME["AEC"] == "image/x-aec"
    assert pillow_plugin._accept(SIGNATURE + b"\0" * 8)
    assert not pillow_plugin._accept(b"\x89PNG\r\n\x1a\n" + b"\0" * 8)


def test_open_knows_size_and_mode_before_decoding(aec_path):
    with Image.open(aec_path) as image:
        assert image.format == "AEC" and image.get_format_mimetype() == "image/x-aec"
        assert image.size == (37, 24) and image.mode == "RGB"
        assert image.aec_header.quality == pytest.approx(50)
        assert image.tile and image.tile[0].codec_name == "aec"
        image.load()
        assert not image.tile
        assert np.asarray(image).shape == (24, 37, 3)


def test_load_matches_the_api(aec_path):
    expected = np.asarray(aecodec.decompress(aec_path.read_bytes()))
    with Image.open(aec_path) as image:
        assert np.array_equal(np.asarray(image), expected)


def test_open_from_a_stream(aec_path):
    with Image.open(io.BytesIO(aec_path.read_bytes())) as image:
        image.load()
        assert image.size == (37, 24)


def test_opening_and_decoding_do_not_import_torch(aec_path):
    script = (
        "import sys, aecodec\n"
        "from PIL import Image\n"
        "assert 'torch' not in sys.modules\n"
        f"image = Image.open({str(aec_path)!r})\n"
        "print(image.size, image.mode, 'torch' in sys.modules)\n"
        "image.load()\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["(37, 24) RGB False", "False"]


def test_verify(aec_path):
    with Image.open(aec_path) as image:
        image.verify()


def test_verify_detects_corruption(aec_path, tmp_path):
    data = bytearray(aec_path.read_bytes())
    data[-3] ^= 0x40
    broken = tmp_path / "broken.aec"
    broken.write_bytes(bytes(data))
    with Image.open(broken) as image, pytest.raises(SyntaxError, match="checksum"):
        image.verify()


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_file(aec_path, tmp_path, fraction):
    data = aec_path.read_bytes()
    truncated = tmp_path / "truncated.aec"
    truncated.write_bytes(data[: int(len(data) * fraction)])
    if len(data) * fraction < HEADER_SIZE:
        with pytest.raises(UnidentifiedImageError):
            Image.open(truncated)
        return
    with Image.open(truncated) as image:
        assert image.size == (37, 24)
        with pytest.raises(OSError, match="truncated"):
            image.load()


def test_corrupted_header_is_not_identified(aec_path, tmp_path):
    data = bytearray(aec_path.read_bytes())
    data[20] ^= 0x01
    broken = tmp_path / "header.aec"
    broken.write_bytes(bytes(data))
    with pytest.raises(UnidentifiedImageError):
        Image.open(broken)


@pytest.mark.parametrize("mode", ["RGB", "L", "RGBA", "LA"])
def test_save_then_open_round_trip(tmp_path, make_image, mode):
    source = Image.fromarray(make_image(19, 26)).convert(mode)
    path = tmp_path / f"{mode}.aec"
    source.save(path, quality=70)
    with Image.open(path) as image:
        assert image.format == "AEC" and image.mode == mode and image.size == (26, 19)
        assert image.aec_header.quality == pytest.approx(70)
        image.load()
        if "A" in mode:
            assert np.array_equal(np.asarray(image)[:, :, -1], np.asarray(source)[:, :, -1])


def test_save_to_a_stream_with_the_format_name(make_image):
    buffer = io.BytesIO()
    Image.fromarray(make_image(10, 12)).save(buffer, format="AEC")
    assert buffer.getvalue().startswith(SIGNATURE)
    assert Image.open(buffer).aec_header.quality == pytest.approx(75)


def test_higher_quality_saves_more_bytes(tmp_path, make_image):
    image = Image.fromarray(make_image(48, 64, seed=3))
    image.save(tmp_path / "low.aec", quality=5)
    image.save(tmp_path / "high.aec", quality=95)
    assert (tmp_path / "low.aec").stat().st_size < (tmp_path / "high.aec").stat().st_size


def test_save_with_a_target(make_image):
    image = Image.fromarray(make_image(32, 40))
    reachable = len(aecodec.compress(image, quality=40))
    buffer = io.BytesIO()
    image.save(buffer, format="AEC", target_size=reachable)
    assert abs(len(buffer.getvalue()) - reachable) <= 0.03 * reachable
    with pytest.raises(ValueError, match="exclusive"):
        image.save(io.BytesIO(), format="AEC", quality=50, target_size=reachable)


def test_metadata_save_options_and_info_after_load(tmp_path, make_image):
    path = tmp_path / "meta.aec"
    Image.fromarray(make_image(8, 8)).save(path, icc_profile=b"fake-icc")
    with Image.open(path) as image:
        image.load()
        assert image.info["icc_profile"] == b"fake-icc"


def test_load_after_verify_is_a_clear_error(aec_path):
    image = Image.open(aec_path)
    image.verify()
    with pytest.raises(ValueError, match="closed"):
        image.load()


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_save_with_effort_matches_the_api(make_image):
    import aecodec

    source = Image.fromarray(make_image(24, 40))
    buffer = io.BytesIO()
    source.save(buffer, format="AEC", quality=55, effort=1)
    assert buffer.getvalue() == aecodec.compress(source, quality=55, effort=1)


def test_save_takes_a_model_release(tmp_path, make_image):
    from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, UnknownModelError

    image = Image.fromarray(make_image(24, 32))
    image.save(tmp_path / "chosen.aec", quality=40, model=DEFAULT_MODEL_ID)
    with Image.open(tmp_path / "chosen.aec") as reopened:
        assert reopened.aec_header.model_id == DEFAULT_MODEL_ID
    with pytest.raises(UnknownModelError, match="no model 77"):
        image.save(tmp_path / "unknown.aec", quality=40, model=77)
