import numpy as np
import pytest
import torch
from torch.nn import functional as F

from aecodec.codec.exact import Z_LIMIT, IntegerConv, _accumulate, hyper_synthesis, table_indexes
from aecodec.codec.export import integer_layers, scale_thresholds
from aecodec.codec.fixed_point import OUTPUT_BITS


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
    exact = hyper_synthesis(z_hat[0].long().numpy(), integer_layers(tiny_trained_model))
    assert np.array_equal(exact.mean, (mean[0] * (1 << OUTPUT_BITS)).long().numpy())
    assert np.array_equal(exact.log_scale, (log_scale[0] * (1 << OUTPUT_BITS)).long().numpy())


def test_integer_path_ignores_thread_count(tiny_trained_model):
    layers = integer_layers(tiny_trained_model)
    z_hat = np.random.default_rng(3).integers(-Z_LIMIT, Z_LIMIT + 1, (16, 4, 4))
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = hyper_synthesis(z_hat, layers)
        torch.set_num_threads(2)
        two = hyper_synthesis(z_hat, layers)
    finally:
        torch.set_num_threads(threads)
    assert np.array_equal(one.mean, two.mean) and np.array_equal(one.log_scale, two.log_scale)


def test_out_of_range_hyper_latent_is_refused(tiny_trained_model):
    with pytest.raises(ValueError, match="exact range"):
        hyper_synthesis(np.full((16, 1, 1), Z_LIMIT + 1), integer_layers(tiny_trained_model))


def test_table_index_is_monotonic_integer_comparison():
    thresholds = scale_thresholds()
    assert np.all(np.diff(thresholds) > 0)
    indexes = table_indexes(np.arange(-1000, 1000), thresholds)
    assert indexes.min() == 0 and indexes.max() == thresholds.size
    assert np.all(np.diff(indexes) >= 0)
