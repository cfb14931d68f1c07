"""Encoder effort: refined latents decode to exactly the predicted pixels, and more effort never costs more."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

from itertools import pairwise

import numpy as np
from PIL import Image

import aecodec
from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.encoder import analysis
from aecodec.codec.encoder.api import compress_with, prepare
from aecodec.codec.encoder.effort import EFFORT_STEPS, MAX_EFFORT, EffortError, check_effort
from aecodec.codec.model import refinement

QUALITY = 60.0


@pytest.fixture(scope="module")
def image():
    """A small photo-like picture: a gradient with an edge and mild noise, uint8 ``[48, 80, 3]``."""
    rng = np.random.default_rng(7)
    rows, cols = np.mgrid[0:48, 0:80] / 80.0
    base = np.stack([rows + cols, 1 - rows, 0.5 + 0.4 * np.sin(6 * cols)], axis=2) * 150 + 40
    base[20:, 40:] -= 30
    return np.clip(base + rng.normal(0, 5, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def levels(tiny_model, image) -> list[refinement.Encoding]:
    """What each level returns, read from one top-effort trajectory."""
    found: list[refinement.Encoding] = []
    top = refinement.refined_encoding(tiny_model, image, QUALITY, MAX_EFFORT, on_level=lambda _, e: found.append(e))
    assert top is found[-1]
    return found


def test_levels_are_checked():
    assert [check_effort(level) for level in range(MAX_EFFORT + 1)] == list(range(MAX_EFFORT + 1))
    for bad in (-1, MAX_EFFORT + 1, 1.5, True, "2"):
        with pytest.raises(EffortError, match="effort must be an integer"):
            check_effort(bad)
    assert EFFORT_STEPS[0] == 0 and all(a < b for a, b in pairwise(EFFORT_STEPS))


def test_every_level_is_reported_and_cost_never_rises(levels):
    assert len(levels) == MAX_EFFORT + 1
    costs = [level.cost for level in levels]
    assert all(later <= earlier for earlier, later in pairwise(costs))


def test_refinement_lowers_the_cost_of_a_random_model(levels):
    assert levels[-1].cost < levels[0].cost


def test_level_zero_is_the_single_pass(tiny_model, image, levels):
    assert levels[0].streams == analysis.encode(tiny_model, image, QUALITY)


def test_a_lower_effort_stops_where_the_top_trajectory_passed(tiny_model, image, levels):
    one = refinement.refined_encoding(tiny_model, image, QUALITY, 1)
    assert one.streams == levels[1].streams and one.cost == levels[1].cost


def test_decoder_shows_exactly_the_pixels_the_refiner_predicted(tiny_model, image, levels):
    prepared = prepare(tiny_model, image, QUALITY)
    for level in levels:
        decoded = np.asarray(decompress_with(tiny_model, prepared.pack(level.streams)))
        assert np.array_equal(decoded, level.predicted)


def test_cost_is_whole_stream_bits_plus_weighted_error(tiny_model, image, levels):
    best = levels[-1]
    bits = 8 * best.streams.size
    mse = np.mean((best.predicted.astype(np.float64) - image) ** 2)
    expected = bits / image[..., 0].size + tiny_model.rate_scale.lambda_for(QUALITY) * mse
    assert best.cost == pytest.approx(expected, rel=1e-9)


def test_api_effort_is_deterministic_and_decodes(tiny_model, image):
    first = compress_with(tiny_model, image, QUALITY, effort=1)
    assert first == compress_with(tiny_model, image, QUALITY, effort=1)
    assert compress_with(tiny_model, image, QUALITY, effort=0) == compress_with(tiny_model, image, QUALITY)
    assert decompress_with(tiny_model, first).size == (80, 48)


def test_alpha_and_grey_images_keep_their_mode(tiny_model, make_image):
    rgba = Image.fromarray(np.dstack([make_image(40, 40), np.full((40, 40), 200, np.uint8)]), "RGBA")
    decoded = decompress_with(tiny_model, compress_with(tiny_model, rgba, QUALITY, effort=1))
    assert decoded.mode == "RGBA" and np.array_equal(np.asarray(decoded)[..., 3], np.asarray(rgba)[..., 3])


def test_images_too_large_to_refine_are_refused(tiny_model, image, monkeypatch):
    monkeypatch.setattr(refinement, "MAX_REFINE_PIXELS", 64 * 64)
    with pytest.raises(EffortError, match="use effort 0"):
        compress_with(tiny_model, image, QUALITY, effort=1)
    assert decompress_with(tiny_model, compress_with(tiny_model, image, QUALITY, effort=0)).size == (80, 48)


def test_annealed_rounding_nears_rounding_as_temperature_falls():
    import torch

    x = torch.linspace(-3, 3, 601)
    generator = torch.Generator().manual_seed(0)
    cold = refinement.annealed_round(x, 0.01, generator)
    far_from_half = (x - x.floor() - 0.5).abs() > 0.05
    assert torch.equal(cold[far_from_half], torch.round(x[far_from_half]))
    warm = refinement.annealed_round(x, 0.5, generator)
    assert ((warm - x.floor()) >= 0).all() and ((warm - x.floor()) <= 1).all()
    assert refinement.temperature(0) == refinement.TEMPERATURE_START
    assert refinement.temperature(10**6) == refinement.TEMPERATURE_FLOOR


def test_public_compress_takes_effort(make_image):
    image = make_image(32, 32)
    with pytest.raises(EffortError):
        aecodec.compress(image, effort=MAX_EFFORT + 1)
