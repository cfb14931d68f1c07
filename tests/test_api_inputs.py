"""The API's wider inputs and outputs: paths, float arrays, tensors, batches and devices."""

import numpy as np
import pytest

import aecodec
from aecodec.codec.devices import DeviceError, resolve_device
from aecodec.codec.torch_support import torch_available


@pytest.fixture
def image(make_image):
    return make_image(40, 56, seed=9)


def test_everything_is_exported():
    assert set(aecodec.__all__) <= set(dir(aecodec))
    for name in aecodec.__all__:
        assert getattr(aecodec, name) is not None


def test_decompress_reads_a_path_and_hands_back_each_output(image, tmp_path):
    data = aecodec.compress(image, quality=60)
    path = tmp_path / "x.aec"
    path.write_bytes(data)
    as_pil = aecodec.decompress(data)
    assert np.array_equal(np.asarray(aecodec.decompress(path)), np.asarray(as_pil))
    assert np.array_equal(aecodec.decompress(str(path), output="uint8"), np.asarray(as_pil))
    floats = aecodec.decompress(bytearray(data), output="float")
    assert floats.dtype == np.float32 and floats.shape == (40, 56, 3)
    assert np.array_equal(np.round(floats * 255).astype(np.uint8), np.asarray(as_pil))
    with pytest.raises(ValueError, match="unknown output"):
        aecodec.decompress(data, output="jpeg")
    with pytest.raises(TypeError, match="bytes or a path"):
        aecodec.decompress(12)


def test_a_float_image_in_0_1_codes_as_its_uint8_rounding(image):
    floats = image.astype(np.float64) / 255.0
    assert aecodec.compress(floats, quality=30) == aecodec.compress(image, quality=30)
    assert aecodec.compress(floats.astype(np.float32), quality=30) == aecodec.compress(image, quality=30)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        aecodec.compress(np.full((4, 4, 3), np.nan))


def test_batches_code_each_image_in_order(image, make_image):
    other = make_image(40, 56, seed=10)
    files = aecodec.compress_batch(np.stack([image, other]), quality=45)
    assert files == [aecodec.compress(image, quality=45), aecodec.compress(other, quality=45)]
    decoded = aecodec.decompress_batch(files, output="uint8")
    assert [item.shape for item in decoded] == [(40, 56, 3)] * 2
    assert aecodec.compress_batch([image], quality=45) == files[:1]


def test_tensors_code_like_their_arrays(image):
    torch = pytest.importorskip("torch", reason="tensors need torch (pip install 'aecodec[torch]')")
    chw = torch.from_numpy(image.transpose(2, 0, 1).copy()).float() / 255
    expected = aecodec.compress(image, quality=50)
    assert aecodec.compress(chw, quality=50) == expected
    assert aecodec.compress(chw[None], quality=50) == expected
    assert aecodec.compress_batch(torch.stack([chw, chw]), quality=50) == [expected, expected]
    decoded = aecodec.decompress(expected, output="torch")
    assert decoded.shape == (3, 40, 56) and decoded.dtype == torch.float32
    with pytest.raises(ValueError, match="compress_batch"):
        aecodec.compress(torch.stack([chw, chw]))


def _has_cuda() -> bool:
    if not torch_available():
        return False
    import torch

    return torch.cuda.is_available()


def test_devices_resolve_without_surprises(image):
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda")
    with pytest.raises(DeviceError, match="unknown device"):
        resolve_device("tpu")
    if not _has_cuda():
        with pytest.raises((DeviceError, ModuleNotFoundError), match="CUDA|torch"):
            aecodec.compress(image, device="cuda")
        assert aecodec.decompress(aecodec.compress(image, device="auto"), device="auto").size == (56, 40)
