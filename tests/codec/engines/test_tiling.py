"""Tiled transforms: the same result as untiled up to float rounding, so large images show no seams."""

import numpy as np
import pytest

from aecodec.codec.decoder.model import decode_pixels
from aecodec.codec.encoder import analysis
from aecodec.codec.engines.tiling import Span, analyse_tiles, spans, synthesise_tiles


def test_spans_cover_the_axis_once_with_context():
    found = spans(10, tile=4, halo=2)
    assert found == [Span(0, 4, 0, 6), Span(4, 8, 2, 10), Span(8, 10, 6, 10)]
    assert [span.keep for span in found] == [slice(0, 4), slice(2, 6), slice(2, 4)]
    assert spans(3, tile=64) == [Span(0, 3, 0, 3)]


def test_spans_reject_nonsense():
    with pytest.raises(ValueError):
        spans(10, tile=0)


@pytest.fixture
def image(make_image):
    return make_image(200, 330, seed=3)


@pytest.mark.parametrize("engine", ["onnxruntime", "torch"])
def test_tiled_analysis_equals_untiled(tiny_model, image, engine):
    analysis = tiny_model.decoder.engines.get(engine).analysis
    gain = np.ones(24, dtype=np.float32)
    whole = analyse_tiles(analysis, image, gain, tile=64)
    tiled = analyse_tiles(analysis, image, gain, tile=3)
    assert tiled.shape == whole.shape == (24, 16, 24)
    np.testing.assert_allclose(tiled, whole, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("engine", ["numpy", "onnxruntime", "torch"])
def test_tiled_synthesis_equals_untiled(tiny_model, engine):
    y_hat = np.random.default_rng(0).normal(0, 3, (24, 13, 21)).astype(np.float32)
    gain = np.ones(24, dtype=np.float32)
    synthesis = tiny_model.decoder.engines.get(engine).synthesis
    whole = synthesise_tiles(synthesis, y_hat, gain, 200, 330, tile=64)
    tiled = synthesise_tiles(synthesis, y_hat, gain, 200, 330, tile=2)
    assert tiled.shape == (200, 330, 3)
    assert np.abs(tiled.astype(int) - whole.astype(int)).max() <= 1


def test_tiling_leaves_the_symbols_alone(tiny_model, image):
    whole = analysis.analyse(tiny_model, image, 70.0, tile=64)
    tiled = analysis.analyse(tiny_model, image, 70.0, tile=4)
    assert np.array_equal(whole.y_tables, tiled.y_tables) and np.array_equal(whole.z_values, tiled.z_values)
    assert np.mean(whole.y_values != tiled.y_values) < 1e-3


def test_tiled_decode_matches_untiled(tiny_model, image):
    streams = analysis.encode(tiny_model, image, 70.0)
    whole = decode_pixels(tiny_model, streams, 70.0, 200, 330, tile=64)
    tiled = decode_pixels(tiny_model, streams, 70.0, 200, 330, tile=5)
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1
