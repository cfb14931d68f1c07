import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

from aecodec.codec.decoder.model import decoder_gain
from aecodec.codec.model.gains import GainVectors
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale, quality_to_position

WIDE = RateScale(levels=13, lambda_min=0.0008, lambda_max=0.32)


@pytest.mark.parametrize("scale", [MODEL_2_RATE_SCALE, WIDE])
def test_quality_maps_monotonically_onto_lambda(scale):
    positions = torch.tensor([quality_to_position(q, scale.levels) for q in range(0, 101, 5)], dtype=torch.float64)
    lambdas = scale.lambda_at(positions)
    assert torch.all(lambdas[1:] > lambdas[:-1])
    assert lambdas[0].item() == pytest.approx(scale.lambda_min)
    assert lambdas[-1].item() == pytest.approx(scale.lambda_max)
    assert scale.lambda_for(50) == pytest.approx(math.sqrt(scale.lambda_min * scale.lambda_max))


def test_position_of_inverts_lambda_at():
    for position in (-2.0, 0.0, 3.5, 12.0, 15.0):
        assert WIDE.position_of(WIDE.lambda_at(position)) == pytest.approx(position)


@pytest.mark.parametrize("quality", [-1, 100.5, float("nan")])
def test_quality_out_of_range(quality):
    with pytest.raises(ValueError):
        quality_to_position(quality)


@pytest.mark.parametrize("bad", [dict(levels=1), dict(lambda_min=0.0), dict(lambda_min=0.1, lambda_max=0.05)])
def test_rate_scale_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        RateScale(**bad)


def test_gains_interpolate_between_levels():
    gains = GainVectors(4, MODEL_2_RATE_SCALE)
    at_levels = gains.encoder_gain(torch.tensor([2.0, 3.0]))
    between = gains.encoder_gain(torch.tensor([2.5]))
    assert torch.allclose(between[0] ** 2, at_levels[0] * at_levels[1])
    assert gains.decoder_gain(torch.tensor([float(MODEL_2_RATE_SCALE.levels - 1)])).shape == (1, 4, 1, 1)


def test_gains_start_at_the_square_root_of_lambda_ratios():
    gains = GainVectors(2, WIDE)
    log_gain = gains.log_encoder.detach()[:, 0].double()
    expected = 0.5 * np.log(WIDE.lambda_max / WIDE.lambda_min) / (WIDE.levels - 1)
    assert torch.allclose(log_gain[1:] - log_gain[:-1], torch.full((WIDE.levels - 1,), expected, dtype=torch.float64))


def test_decoder_gain_reads_the_level_count_from_the_table():
    table = np.arange(13 * 2, dtype=np.float32).reshape(13, 2) / 10
    assert np.allclose(np.log(decoder_gain(table, 100.0)), table[-1])
    assert np.allclose(np.log(decoder_gain(table, 50.0)), table[6])
