import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")
from torch.nn import functional as F

from aecodec.codec.decoder.exact import (
    MAX_FAN_IN,
    OUTPUT_BITS,
    WEIGHT_BITS,
    Z_LIMIT,
    IntegerConv,
    _accumulate,
    hyper_synthesis,
    hyper_synthesis_bands,
    table_indexes,
)
from aecodec.codec.gaussian import scale_thresholds
from aecodec.codec.model.integer_layers import integer_layers


def test_transposed_layer_rewrite_matches_torch():
    torch.manual_seed(0)
    layer = torch.nn.ConvTranspose2d(3, 4, 5, 2, padding=2, output_padding=1).double()
    x = torch.randint(-9, 10, (1, 3, 5, 6)).double()
    weight = layer.weight.detach().flip(2, 3).transpose(0, 1)
    integer = IntegerConv(weight.round().long().numpy(), np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64), 2, 2, 3)
    expected = F.conv_transpose2d(x, weight.round().flip(2, 3).transpose(0, 1), None, 2, 2, 1)
    assert np.array_equal(_accumulate(x[0].long().numpy(), integer), expected[0].long().numpy())


def test_integer_path_equals_the_trained_fixed_point_network(tiny_trained_model):
    torch.manual_seed(1)
    z_hat = torch.randint(-6, 7, (1, 16, 3, 5)).double()
    with torch.no_grad():
        mean, log_scale = tiny_trained_model.h_s.double()(z_hat)
    tiny_trained_model.h_s.float()
    exact = hyper_synthesis(z_hat[0].long().numpy(), integer_layers(tiny_trained_model.h_s.layers, input_bits=0))
    assert np.array_equal(exact.mean, (mean[0] * (1 << OUTPUT_BITS)).long().numpy())
    assert np.array_equal(exact.log_scale, (log_scale[0] * (1 << OUTPUT_BITS)).long().numpy())


def test_integer_path_ignores_thread_count(tiny_trained_model, with_threads):
    layers = integer_layers(tiny_trained_model.h_s.layers, input_bits=0)
    z_hat = np.random.default_rng(3).integers(-Z_LIMIT, Z_LIMIT + 1, (16, 4, 4))
    one = with_threads(1, lambda: hyper_synthesis(z_hat, layers))
    two = with_threads(2, lambda: hyper_synthesis(z_hat, layers))
    assert np.array_equal(one.mean, two.mean) and np.array_equal(one.log_scale, two.log_scale)


def test_out_of_range_hyper_latent_is_refused(tiny_trained_model):
    with pytest.raises(ValueError, match="exact range"):
        hyper_synthesis(np.full((16, 1, 1), Z_LIMIT + 1), integer_layers(tiny_trained_model.h_s.layers, input_bits=0))


def test_table_index_is_monotonic_integer_comparison():
    thresholds = scale_thresholds()
    assert np.all(np.diff(thresholds) > 0)
    indexes = table_indexes(np.arange(-1000, 1000), thresholds)
    assert indexes.min() == 0 and indexes.max() == thresholds.size
    assert np.all(np.diff(indexes) >= 0)


@pytest.mark.parametrize("band_rows", [1, 2, 3, 50])
def test_row_bands_are_bit_identical_to_the_whole(tiny_trained_model, band_rows):
    layers = integer_layers(tiny_trained_model.h_s.layers, input_bits=0)
    z_hat = np.random.default_rng(5).integers(-40, 41, (16, 7, 5))
    whole = hyper_synthesis(z_hat, layers)
    bands = list(hyper_synthesis_bands(z_hat, layers, band_rows))
    assert [rows.start for rows, _ in bands] == list(range(0, 28, 4 * band_rows))[: len(bands)]
    assert np.array_equal(np.concatenate([part.mean for _, part in bands], axis=1), whole.mean)
    assert np.array_equal(np.concatenate([part.log_scale for _, part in bands], axis=1), whole.log_scale)


def test_row_bands_need_their_halo(tiny_trained_model, monkeypatch):
    """Without context rows the band edges differ: the halo is what makes banding exact."""
    import aecodec.codec.decoder.exact as exact

    layers = integer_layers(tiny_trained_model.h_s.layers, input_bits=0)
    z_hat = np.random.default_rng(6).integers(-40, 41, (16, 6, 4))
    whole = hyper_synthesis(z_hat, layers)
    monkeypatch.setattr(exact, "HALO_ROWS", 0)
    bands = np.concatenate([part.mean for _, part in hyper_synthesis_bands(z_hat, layers, 2)], axis=1)
    assert not np.array_equal(bands, whole.mean)


@pytest.mark.parametrize("kernel, padding, size", [(3, 1, (4, 7)), (5, 2, (1, 1)), (5, 2, (6, 3))])
def test_stride_one_layer_matches_torch(kernel, padding, size):
    rng = np.random.default_rng(kernel)
    x = rng.integers(-50, 51, (3, *size))
    weight = rng.integers(-100, 101, (4, 3, kernel, kernel))
    layer = IntegerConv(weight, np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64), 1, padding, padding)
    expected = F.conv2d(torch.from_numpy(x).double()[None], torch.from_numpy(weight).double(), padding=padding)
    assert np.array_equal(_accumulate(x, layer), expected[0].long().numpy())


def test_a_layer_whose_sums_could_round_is_refused():
    wide = np.zeros((4, MAX_FAN_IN // 25 + 1, 5, 5), dtype=np.int64)
    with pytest.raises(ValueError, match="inputs per output"):
        IntegerConv(wide, np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64), 1, 2, 2)
    big = np.full((4, 4, 3, 3), 1 << (WEIGHT_BITS - 1), dtype=np.int64)
    with pytest.raises(ValueError, match="signed bits"):
        IntegerConv(big, np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64), 1, 1, 1)
