"""The decoder's tables come only from the integer path: what it reads cannot depend on threads,
oneDNN, the float precision of the transforms, or ``g_s`` at all."""

import copy
import dataclasses

import numpy as np
import pytest
import torch

from aecodec.codec import pipeline
from aecodec.codec.latent_coding import read_latent


class _InFloat64(torch.nn.Module):
    """Run a float32 transform in float64 and hand back float32."""

    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner = copy.deepcopy(inner).double()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x.double()).float()


class _Forbidden(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise AssertionError("reading the symbols must not run g_s")


@pytest.fixture
def image(make_image):
    return make_image(96, 160, seed=7)


@pytest.fixture
def streams(tiny_model, image):
    return pipeline.encode(tiny_model, image, 55.0)


def _read(model, streams):
    return read_latent(model, streams, 96, 160)


def _assert_same(first, second):
    for name in ("z_values", "z_tables", "y_values", "y_tables"):
        assert np.array_equal(getattr(first.symbols, name), getattr(second.symbols, name)), name
    assert np.array_equal(first.y_hat, second.y_hat)


def test_reading_never_runs_the_synthesis(tiny_model, streams):
    without_g_s = dataclasses.replace(tiny_model, g_s=_Forbidden())
    _assert_same(_read(without_g_s, streams), _read(tiny_model, streams))


def test_read_symbols_are_what_the_encoder_coded(tiny_model, image, streams):
    coded = pipeline.analyse(tiny_model, image, 55.0)
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


def test_float64_synthesis_changes_pixels_only(tiny_model, streams):
    in_float64 = dataclasses.replace(tiny_model, g_s=_InFloat64(tiny_model.g_s))
    _assert_same(_read(in_float64, streams), _read(tiny_model, streams))
    single = pipeline.decode(tiny_model, streams, 55.0, 96, 160)
    double = pipeline.decode(in_float64, streams, 55.0, 96, 160)
    assert np.abs(single.astype(int) - double.astype(int)).max() <= 1


def test_float64_analysis_streams_decode_to_their_own_symbols(tiny_model, image):
    """The encoder may choose other symbols in float64, but whatever it coded reads back exactly."""
    in_float64 = dataclasses.replace(tiny_model, g_a=_InFloat64(tiny_model.g_a))
    for model in (tiny_model, in_float64):
        coded = pipeline.analyse(model, image, 55.0)
        streams = pipeline.encode(model, image, 55.0)
        read = _read(tiny_model, streams).symbols
        assert np.array_equal(read.y_values, coded.y_values) and np.array_equal(read.z_values, coded.z_values)
    single = pipeline.analyse(tiny_model, image, 55.0)
    double = pipeline.analyse(in_float64, image, 55.0)
    assert np.mean(single.y_values != double.y_values) < 0.01
