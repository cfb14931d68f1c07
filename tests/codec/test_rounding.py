import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from aecodec.codec import pipeline
from aecodec.codec.rounding import code_length, rate_aware_round


def _residuals(seed: int, count: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    residual = torch.randn(count, generator=generator, dtype=torch.float64) * 3
    sigma = torch.exp(torch.empty(count, dtype=torch.float64).uniform_(math.log(0.11), math.log(64.0),
                                                                      generator=generator))
    return residual, sigma


def _cost(symbol: torch.Tensor, residual: torch.Tensor, sigma: torch.Tensor, weight: float) -> float:
    return float((code_length(symbol, sigma) + weight * (residual - symbol) ** 2).sum())


def test_code_length_is_the_gaussian_bin_mass():
    sigma = 1.7
    for symbol in (-3, 0, 1, 5):
        upper = 0.5 * math.erfc(-(symbol + 0.5) / sigma / math.sqrt(2))
        lower = 0.5 * math.erfc(-(symbol - 0.5) / sigma / math.sqrt(2))
        bits = code_length(torch.tensor([float(symbol)], dtype=torch.float64), torch.tensor([sigma], dtype=torch.float64))
        assert math.isclose(float(bits), -math.log2(upper - lower), rel_tol=1e-9)


def test_far_tails_cost_finite_bits_and_more_than_near_ones():
    sigma = torch.tensor([0.11, 0.11], dtype=torch.float64)
    bits = code_length(torch.tensor([40.0, 400.0], dtype=torch.float64), sigma)
    assert torch.isfinite(bits).all()
    assert (bits > code_length(torch.tensor([1.0, 1.0], dtype=torch.float64), sigma)).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), weight=st.floats(1.0, 1e4))
def test_each_symbol_is_a_neighbour_and_the_total_cost_never_rises(seed, weight):
    residual, sigma = _residuals(seed)
    symbol = rate_aware_round(residual, sigma, weight)
    assert ((symbol == torch.floor(residual)) | (symbol == torch.floor(residual) + 1)).all()
    nearest = torch.round(residual)
    assert _cost(symbol, residual, sigma, weight) <= _cost(nearest, residual, sigma, weight) + 1e-9


def test_a_huge_weight_is_plain_rounding():
    residual, sigma = _residuals(1)
    assert torch.equal(rate_aware_round(residual, sigma, 1e12), torch.round(residual))


def test_it_picks_the_cheaper_symbol_only_where_that_pays():
    # At scale 0.11 a 1 costs 18.5 bits more than a 0, so with weight 64 residuals up to
    # 0.5 + 18.5 / 128 = 0.644 go to 0; at scale 64 the two cost the same and the nearer wins.
    residual = torch.tensor([0.6, 0.6, 0.7], dtype=torch.float64)
    sigma = torch.tensor([0.11, 64.0, 0.11], dtype=torch.float64)
    assert rate_aware_round(residual, sigma, 64.0).tolist() == [0.0, 1.0, 1.0]


def test_the_encoder_rounds_rate_aware_to_a_neighbour_of_y_minus_its_mean(tiny_model, make_image):
    x = make_image(64, 96)
    latents = pipeline.analysis_latents(tiny_model, x, 30.0)
    quantized = pipeline.quantize(tiny_model, latents, with_y_hat=True)
    error = np.abs(quantized.y_hat - latents.y[0].numpy())
    assert error.max() < 1.0
    assert error.max() > 0.5
