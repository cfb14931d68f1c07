import dataclasses

import numpy as np
import pytest

from aecodec.bitstream.entropy_coder import decode_symbols
from aecodec.bitstream.tables import PRECISION_BITS
from aecodec.codec.decoder.model import decode_pixels
from aecodec.codec.encoder import analysis


@pytest.fixture
def x(make_image):
    return make_image(64, 128)


def test_symbols_survive_the_streams(tiny_model, x):
    symbols = analysis.analyse(tiny_model, x, 60.0)
    streams = analysis.encode(tiny_model, x, 60.0)
    z_values = decode_symbols(streams.hyper, symbols.z_tables, tiny_model.z_tables)
    anchors, others = slice(0, symbols.anchor_count), slice(symbols.anchor_count, None)
    anchor_values = decode_symbols(streams.latent, symbols.y_tables[anchors], tiny_model.y_tables)
    other_values = decode_symbols(streams.context, symbols.y_tables[others], tiny_model.y_tables)
    assert np.array_equal(z_values, symbols.z_values)
    assert np.array_equal(np.concatenate([anchor_values, other_values]), symbols.y_values)
    assert symbols.anchor_count == symbols.y_values.size // 2


def test_the_context_changes_the_non_anchor_tables(tiny_model, x):
    symbols = analysis.analyse(tiny_model, x, 60.0)
    quantized = analysis.quantize(tiny_model, analysis.analysis_latents(tiny_model, x, 60.0))
    assert np.array_equal(quantized.symbols.y_values, symbols.y_values)
    hyper_only = tiny_model.with_decoder(context_layers=_identity(tiny_model.context_layers))
    plain = analysis.analyse(hyper_only, x, 60.0)
    anchors = slice(0, symbols.anchor_count)
    assert np.array_equal(plain.y_tables[anchors], symbols.y_tables[anchors])
    assert not np.array_equal(plain.y_tables, symbols.y_tables)


def test_decode_rebuilds_what_the_encoder_meant(tiny_model, x):
    streams = analysis.encode(tiny_model, x, 60.0)
    first = decode_pixels(tiny_model, streams, 60.0, 64, 128)
    second = decode_pixels(tiny_model, streams, 60.0, 64, 128)
    assert first.shape == (64, 128, 3) and first.dtype == np.uint8
    assert np.array_equal(first, second)


def test_same_symbols_with_one_and_two_threads(tiny_model, x, with_threads):
    one = with_threads(1, lambda: analysis.encode(tiny_model, x, 40.0))
    two = with_threads(2, lambda: analysis.encode(tiny_model, x, 40.0))
    assert one == two


def test_coded_bits_match_the_tables_information(tiny_model, x):
    symbols = analysis.analyse(tiny_model, x, 90.0)
    streams = analysis.encode(tiny_model, x, 90.0)
    ideal = _information_bits(symbols.y_values, symbols.y_tables, tiny_model.y_tables)
    assert abs(8 * (len(streams.latent) + len(streams.context)) - ideal) <= 0.02 * ideal + 192


def _information_bits(values, table_ids, tables):
    total = 0.0
    for value, table in zip(values, table_ids, strict=True):
        index = value - tables.offsets[table]
        if not 0 <= index < tables.lengths[table]:
            index = tables.lengths[table]
            total += 32
        total += -np.log2(tables.frequencies[table, index] / (1 << PRECISION_BITS))
    return total



def _identity(layers):
    """The context ``layers`` with the last one zeroed: every position keeps the hyperprior's parameters."""
    last = layers[-1]
    zero = dataclasses.replace(last, weight=np.zeros_like(last.weight), bias=np.zeros_like(last.bias))
    return [*layers[:-1], zero]
