import numpy as np
import pytest

from aecodec.bitstream.entropy_coder import StreamError, decode_symbols, encode_symbols
from aecodec.bitstream.tables import PRECISION_BITS, quantize_pmf, stack_tables


@pytest.fixture
def tables():
    narrow = quantize_pmf(np.array([0.1, 0.8, 0.1]), np.array(1e-4))
    wide = quantize_pmf(np.exp(-np.abs(np.arange(-20, 21)) / 4.0), np.array(1e-3))
    return stack_tables([narrow, wide], [-1, -20])


def test_quantized_tables_are_exact(tables):
    assert (tables.frequencies[0, :4] >= 1).all()
    assert tables.frequencies.astype(np.int64).sum(axis=1).tolist() == [1 << PRECISION_BITS] * 2


def test_round_trip_with_escapes(tables):
    rng = np.random.default_rng(1)
    values = rng.laplace(0, 5, 5000).round().astype(np.int64)
    values[::97] = rng.integers(-(2**30), 2**30, values[::97].size)
    table_ids = rng.integers(0, 2, values.size)
    data = encode_symbols(values, table_ids, tables)
    assert np.array_equal(decode_symbols(data, table_ids, tables), values)


def test_golden_bytes(tables):
    values = np.array([0, 0, 1, -1, 0, 5, -3, 0, 25, 0])
    table_ids = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 0])
    data = encode_symbols(values, table_ids, tables)
    assert data.hex() == GOLDEN


def test_bits_match_ideal_information(tables):
    rng = np.random.default_rng(2)
    probabilities = tables.row(1)[:-1] / (1 << PRECISION_BITS)
    indexes = rng.choice(probabilities.size, 20000, p=probabilities / probabilities.sum())
    values = indexes - 20
    ideal = -np.log2(probabilities[indexes]).sum()
    data = encode_symbols(values, np.ones(values.size, dtype=np.int64), tables)
    assert abs(8 * len(data) - ideal) < 0.01 * ideal + 64


def test_bad_table_id(tables):
    with pytest.raises(ValueError, match="table id"):
        encode_symbols(np.zeros(3), np.array([0, 2, 1]), tables)


@pytest.mark.parametrize("data", [b"", b"\x01", b"\xff\xff\xff\x00\x00\x00\x00\x00", b"\x00\x00\x00\x00\x01"])
def test_malformed_stream(tables, data):
    with pytest.raises(StreamError):
        decode_symbols(data, np.zeros(4, dtype=np.int64), tables)


def test_escape_count_must_match(tables):
    data = encode_symbols(np.array([0, 50]), np.array([0, 0]), tables)
    with pytest.raises(StreamError):
        decode_symbols(data, np.array([0]), tables)


GOLDEN = "010000001900000086695cc20e940c01"


def test_escape_count_is_checked_before_allocating(tables):
    data = (2**32 - 1).to_bytes(4, "little") + b"\x00" * 8
    with pytest.raises(StreamError, match="claims 4294967295 escaped symbols but codes only 3"):
        decode_symbols(data, np.zeros(3, dtype=np.int64), tables)


def test_words_the_tables_cannot_produce_are_a_stream_error(tables):
    """constriction raises AssertionError for such words; callers see one StreamError."""
    data = b"\x00" * 4 + b"\xff" * 8
    with pytest.raises(StreamError, match="not valid for its probability tables"):
        decode_symbols(data, np.zeros(40, dtype=np.int64), tables)


def test_compact_table_ids_code_the_same_bytes(tables):
    rng = np.random.default_rng(4)
    values = rng.integers(-30, 31, 3000)
    table_ids = rng.integers(0, 2, values.size)
    data = encode_symbols(values, table_ids, tables)
    assert encode_symbols(values.astype(np.int32), table_ids.astype(np.uint8), tables) == data
    assert np.array_equal(decode_symbols(data, table_ids.astype(np.uint8), tables), values)


def test_float_table_ids_are_refused(tables):
    with pytest.raises(ValueError, match="integers"):
        encode_symbols(np.zeros(2), np.zeros(2), tables)
