import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

from aecodec.codec.decoder.checkerboard import apply_context
from aecodec.codec.decoder.exact import ACTIVATION_BITS, OUTPUT_BITS, HyperParameters
from aecodec.codec.model.context import CheckerboardContext, anchor_mask
from aecodec.codec.model.integer_layers import float_context, integer_layers

M = 24


@pytest.fixture
def trained_context(tiny_trained_model) -> CheckerboardContext:
    """The tiny model's context (``M`` channels), whose last layer is drawn non-zero as after training."""
    assert tiny_trained_model.config.m == M
    return tiny_trained_model.context


def _inputs(seed: int, height: int = 9, width: int = 11):
    rng = np.random.default_rng(seed)
    anchors = anchor_mask(height, width)
    mean = rng.integers(-5 << OUTPUT_BITS, 5 << OUTPUT_BITS, (M, height, width))
    anchor_hat = np.where(anchors, (rng.integers(-20, 20, (M, height, width)) << OUTPUT_BITS) + mean, 0)
    log_scale = rng.integers(-2 << OUTPUT_BITS, 4 << OUTPUT_BITS, (M, height, width))
    return anchors, anchor_hat, HyperParameters(mean, log_scale)


def _exact(context: CheckerboardContext, anchor_hat, hyper, band_rows: int = 16) -> HyperParameters:
    """What :func:`apply_context` makes of ``hyper`` when the decoded anchors are ``anchor_hat``
    (a multiple of ``2**OUTPUT_BITS`` away from the mean, so the residual is whole)."""
    layers = integer_layers(context.layers, input_bits=ACTIVATION_BITS)
    refined = HyperParameters(hyper.mean.copy(), hyper.log_scale.copy())
    residual = (anchor_hat - hyper.mean) >> OUTPUT_BITS
    apply_context(refined, residual, layers, band_rows)
    return refined


def test_anchor_mask_is_a_checkerboard():
    assert anchor_mask(2, 3).tolist() == [[True, False, True], [False, True, False]]


def test_integer_context_equals_the_trained_fixed_point_network(trained_context):
    anchors, anchor_hat, hyper = _inputs(0)
    scale = float(1 << OUTPUT_BITS)
    with torch.no_grad():
        as_float = [torch.from_numpy(a).double()[None] / scale for a in (anchor_hat, hyper.mean, hyper.log_scale)]
        mean, log_scale = trained_context.double()(*as_float)
    trained_context.float()
    exact = _exact(trained_context, anchor_hat, hyper)
    assert np.array_equal(exact.mean[:, ~anchors], (mean[0] * scale).long().numpy()[:, ~anchors])
    assert np.array_equal(exact.log_scale[:, ~anchors], (log_scale[0] * scale).long().numpy()[:, ~anchors])
    assert not np.array_equal(exact.mean, hyper.mean)


def test_anchors_keep_the_hyperprior_parameters(trained_context):
    anchors, anchor_hat, hyper = _inputs(1)
    exact = _exact(trained_context, anchor_hat, hyper)
    assert np.array_equal(exact.mean[:, anchors], hyper.mean[:, anchors])
    assert np.array_equal(exact.log_scale[:, anchors], hyper.log_scale[:, anchors])


def test_a_non_anchor_sees_only_anchors(trained_context):
    anchors, anchor_hat, hyper = _inputs(2)
    layers = integer_layers(trained_context.layers, input_bits=ACTIVATION_BITS)
    residual = (anchor_hat - hyper.mean) >> OUTPUT_BITS
    noisy = residual + np.where(anchors, 0, 999)
    first, second = (HyperParameters(hyper.mean.copy(), hyper.log_scale.copy()) for _ in range(2))
    apply_context(first, residual, layers)
    apply_context(second, noisy, layers)
    assert np.array_equal(first.mean, second.mean) and np.array_equal(first.log_scale, second.log_scale)


@pytest.mark.parametrize("band_rows", [1, 2, 3, 5])
def test_bands_do_not_change_the_result(trained_context, band_rows):
    _, anchor_hat, hyper = _inputs(3, height=13)
    whole = _exact(trained_context, anchor_hat, hyper)
    banded = _exact(trained_context, anchor_hat, hyper, band_rows)
    assert np.array_equal(whole.mean, banded.mean) and np.array_equal(whole.log_scale, banded.log_scale)


def test_integer_context_ignores_thread_count(trained_context, with_threads):
    _, anchor_hat, hyper = _inputs(4)
    one = with_threads(1, lambda: _exact(trained_context, anchor_hat, hyper))
    two = with_threads(2, lambda: _exact(trained_context, anchor_hat, hyper))
    assert np.array_equal(one.mean, two.mean) and np.array_equal(one.log_scale, two.log_scale)


def test_float_copy_from_integers_reproduces_them(trained_context):
    layers = integer_layers(trained_context.layers, input_bits=ACTIVATION_BITS)
    again = integer_layers(float_context(layers).layers, input_bits=ACTIVATION_BITS)
    for first, second in zip(layers, again, strict=True):
        assert np.array_equal(first.weight, second.weight) and np.array_equal(first.bias, second.bias)


def test_new_context_starts_as_the_identity():
    _, anchor_hat, hyper = _inputs(5)
    exact = _exact(CheckerboardContext(M).eval(), anchor_hat, hyper)
    assert np.array_equal(exact.mean, hyper.mean) and np.array_equal(exact.log_scale, hyper.log_scale)
