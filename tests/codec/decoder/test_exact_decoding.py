"""The decoder's tables come only from the integer path: what it reads cannot depend on threads,
oneDNN, the engine that computes the products, the float engine of the transforms, or ``g_s`` at all."""

import dataclasses

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="compares with torch (pip install 'aecodec[torch]')")

from aecodec.codec.decoder import exact
from aecodec.codec.decoder.checkerboard import read_latent
from aecodec.codec.decoder.model import decode_pixels
from aecodec.codec.encoder import analysis


class _Forbidden:
    """An engine cache whose every engine fails: reading the symbols must not run a transform."""

    def get(self, *args: object) -> None:
        raise AssertionError("reading the symbols must not run g_s")


@pytest.fixture
def image(make_image):
    return make_image(96, 160, seed=7)


@pytest.fixture
def streams(tiny_model, image):
    return analysis.encode(tiny_model, image, 55.0)


def _read(model, streams):
    return read_latent(model, streams, 96, 160)


def _assert_same(first, second):
    for name in ("z_values", "z_tables", "y_values", "y_tables"):
        assert np.array_equal(getattr(first.symbols, name), getattr(second.symbols, name)), name
    assert np.array_equal(first.y_hat, second.y_hat)


def test_reading_never_runs_the_synthesis(tiny_model, streams):
    without_g_s = dataclasses.replace(tiny_model.decoder, engines=_Forbidden())
    _assert_same(_read(without_g_s, streams), _read(tiny_model, streams))


def test_onnxruntime_and_numpy_products_read_the_same(tiny_model, streams, monkeypatch):
    """The exact path's float64 products on onnxruntime equal NumPy's bit for bit."""
    on_onnxruntime = _read(tiny_model, streams)
    monkeypatch.setattr(exact, "float64_product", np.matmul)
    _assert_same(_read(tiny_model, streams), on_onnxruntime)


def test_read_symbols_are_what_the_encoder_coded(tiny_model, image, streams):
    coded = analysis.analyse(tiny_model, image, 55.0)
    read = _read(tiny_model, streams).symbols
    assert np.array_equal(read.z_values, coded.z_values) and np.array_equal(read.y_values, coded.y_values)
    assert np.array_equal(read.y_tables, coded.y_tables)


def test_same_reading_with_one_and_two_threads(tiny_model, streams, with_threads):
    one = with_threads(1, lambda: _read(tiny_model, streams))
    two = with_threads(2, lambda: _read(tiny_model, streams))
    _assert_same(one, two)


@pytest.mark.filterwarnings("ignore:TF32 acceleration")
def test_same_reading_with_onednn_on_and_off(tiny_model, streams):
    with torch.backends.mkldnn.flags(enabled=False):
        off = _read(tiny_model, streams)
    with torch.backends.mkldnn.flags(enabled=True):
        on = _read(tiny_model, streams)
    _assert_same(off, on)


@pytest.mark.parametrize("engine", ["numpy", "torch"])
def test_the_synthesis_engine_changes_pixels_only(tiny_model, streams, engine):
    default = decode_pixels(tiny_model, streams, 55.0, 96, 160)
    other = decode_pixels(tiny_model, streams, 55.0, 96, 160, engine=engine)
    assert np.abs(default.astype(int) - other.astype(int)).max() <= 1


def test_streams_of_either_analysis_engine_decode_to_their_own_symbols(tiny_model, image):
    """onnxruntime's and torch's ``g_a`` may choose other symbols, but what each coded reads back exactly."""
    coded = {}
    for engine in ("onnxruntime", "torch"):
        coded[engine] = analysis.analyse(tiny_model, image, 55.0, engine=engine)
        streams = analysis.encode(tiny_model, image, 55.0, engine=engine)
        read = _read(tiny_model, streams).symbols
        assert np.array_equal(read.y_values, coded[engine].y_values)
        assert np.array_equal(read.z_values, coded[engine].z_values)
    assert np.mean(coded["onnxruntime"].y_values != coded["torch"].y_values) < 0.01


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_torch_free_files_cost_and_look_like_the_torch_encoders(tiny_model, make_image, seed):
    """The effort-0 encoder on onnxruntime against the same encoder with torch's ``g_a``/``h_a``:
    both round-trip exactly, and their sizes and PSNR agree closely."""
    image = make_image(80, 112, seed=seed)
    found = {}
    for engine in ("onnxruntime", "torch"):
        streams = analysis.encode(tiny_model, image, 60.0, engine=engine)
        pixels = decode_pixels(tiny_model, streams, 60.0, 80, 112)
        mse = np.mean((pixels.astype(np.float64) - image) ** 2)
        found[engine] = (streams.size, 10 * np.log10(255.0**2 / mse))
    (ours, our_psnr), (theirs, their_psnr) = found["onnxruntime"], found["torch"]
    assert abs(ours - theirs) <= 0.02 * theirs + 4
    assert abs(our_psnr - their_psnr) < 0.05
