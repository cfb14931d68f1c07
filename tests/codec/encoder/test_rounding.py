import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aecodec.codec.encoder import analysis
from aecodec.codec.encoder.rounding import LENGTH_LIMIT, code_length, code_length_table, rate_aware_round
from aecodec.codec.gaussian import scale_table

SCALES = scale_table()


def _residuals(seed: int, count: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 3, count), rng.integers(0, SCALES.size, count)


def _cost(symbol: np.ndarray, residual: np.ndarray, tables: np.ndarray, weight: float) -> float:
    return float((code_length(symbol, SCALES[tables]) + weight * (residual - symbol) ** 2).sum())


def test_code_length_is_the_gaussian_bin_mass():
    sigma = 1.7
    for symbol in (-3, 0, 1, 5):
        upper = 0.5 * math.erfc(-(symbol + 0.5) / sigma / math.sqrt(2))
        lower = 0.5 * math.erfc(-(symbol - 0.5) / sigma / math.sqrt(2))
        bits = code_length(np.array([float(symbol)]), np.array([sigma]))
        assert math.isclose(float(bits[0]), -math.log2(upper - lower), rel_tol=1e-9)


def test_far_tails_cost_finite_bits_and_more_than_near_ones():
    bits = code_length(np.array([40.0, 400.0]), np.array([0.11, 0.11]))
    assert np.isfinite(bits).all()
    assert (bits > code_length(np.array([1.0, 1.0]), np.array([0.11, 0.11]))).all()


def test_the_table_ends_where_every_scale_is_at_its_floor():
    """Past ``LENGTH_LIMIT`` the lookup's constant is what the formula gives, for every scale."""
    table = code_length_table(tuple(SCALES))
    assert table.shape == (SCALES.size, LENGTH_LIMIT + 1)
    far = code_length(np.full(SCALES.size, float(LENGTH_LIMIT)), SCALES)
    assert np.array_equal(far, table[:, -1]) and np.all(far == far[0])
    assert np.array_equal(code_length(np.full(SCALES.size, 5000.0), SCALES), far)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), weight=st.floats(1.0, 1e4))
def test_each_symbol_is_a_neighbour_and_the_total_cost_never_rises(seed, weight):
    residual, tables = _residuals(seed)
    symbol = rate_aware_round(residual, tables, SCALES, weight)
    assert ((symbol == np.floor(residual)) | (symbol == np.floor(residual) + 1)).all()
    nearest = np.round(residual)
    assert _cost(symbol, residual, tables, weight) <= _cost(nearest, residual, tables, weight) + 1e-9


def test_a_huge_weight_is_plain_rounding():
    residual, tables = _residuals(1)
    assert np.array_equal(rate_aware_round(residual, tables, SCALES, 1e12), np.round(residual))


def test_it_picks_the_cheaper_symbol_only_where_that_pays():
    # At scale 0.11 a 1 costs 18.5 bits more than a 0, so with weight 64 residuals up to
    # 0.5 + 18.5 / 128 = 0.644 go to 0; at scale 64 the two cost the same and the nearer wins.
    residual = np.array([0.6, 0.6, 0.7])
    tables = np.array([0, SCALES.size - 1, 0])
    assert rate_aware_round(residual, tables, SCALES, 64.0).tolist() == [0.0, 1.0, 1.0]


def test_the_encoder_rounds_rate_aware_to_a_neighbour_of_y_minus_its_mean(tiny_model, make_image):
    x = make_image(64, 96)
    latents = analysis.analysis_latents(tiny_model, x, 30.0)
    quantized = analysis.quantize(tiny_model, latents, with_y_hat=True)
    error = np.abs(quantized.y_hat - latents.y)
    assert error.max() < 1.0
    assert error.max() > 0.5


def test_the_lookup_matches_torchs_gaussian_code_length():
    """The table (math.erfc) and torch's ``ndtr`` difference agree to float precision on every scale
    wherever a symbol costs under 30 bits; further out the difference of two ``ndtr`` loses digits
    to cancellation, the table (erfc of the tail) does not."""
    torch = pytest.importorskip("torch", reason="compares with torch (pip install 'aecodec[torch]')")
    symbols = np.arange(0, 60, dtype=np.float64)[None, :]
    distance = torch.from_numpy(np.broadcast_to(symbols, (SCALES.size, symbols.size)).copy())
    sigma = torch.from_numpy(SCALES)[:, None]
    mass = torch.special.ndtr((0.5 - distance) / sigma) - torch.special.ndtr((-0.5 - distance) / sigma)
    theirs = -torch.log2(mass.clamp_min(1e-30)).numpy()
    near = theirs < 30
    assert near.sum() > 1000
    np.testing.assert_allclose(code_length_table(tuple(SCALES))[:, :60][near], theirs[near], rtol=1e-7)
