import pytest
import torch

from aecodec.codec.quality import LAMBDA_MAX, LAMBDA_MIN, NUM_LEVELS, quality_to_position
from aecodec.codec.rate import GainVectors, position_to_lambda


def test_quality_maps_monotonically_onto_lambda():
    positions = torch.tensor([quality_to_position(q) for q in range(0, 101, 5)])
    lambdas = position_to_lambda(positions)
    assert torch.all(lambdas[1:] > lambdas[:-1])
    assert lambdas[0].item() == pytest.approx(LAMBDA_MIN)
    assert lambdas[-1].item() == pytest.approx(LAMBDA_MAX)


@pytest.mark.parametrize("quality", [-1, 100.5, float("nan")])
def test_quality_out_of_range(quality):
    with pytest.raises(ValueError):
        quality_to_position(quality)


def test_gains_interpolate_between_levels():
    gains = GainVectors(4)
    at_levels = gains.encoder_gain(torch.tensor([2.0, 3.0]))
    between = gains.encoder_gain(torch.tensor([2.5]))
    assert torch.allclose(between[0] ** 2, at_levels[0] * at_levels[1])
    assert gains.decoder_gain(torch.tensor([float(NUM_LEVELS - 1)])).shape == (1, 4, 1, 1)
