"""The PCA baseline: exact, deterministic round trips, rate and quality that rise together, strict parsing."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from aecodec.tools.evaluation.codecs.pca import PcaCodec, decode_pixels, encode_pixels, quality_to_step
from aecodec.tools.evaluation.codecs.pca_basis import DIMENSION, fit_basis, image_blocks, merge_blocks
from aecodec.tools.evaluation.codecs.pca_format import PcaFormatError
from aecodec.tools.evaluation.codecs.pca_tables import choose_magnitude_tables, coefficient_tables
from aecodec.tools.evaluation.metrics import psnr


@pytest.fixture(scope="module")
def codec() -> PcaCodec:
    return PcaCodec.from_package()


def test_decode_is_deterministic(codec: PcaCodec, make_image) -> None:
    image = Image.fromarray(make_image(37, 45))
    data = codec.encode(image, 40)
    assert codec.encode(image, 40) == data
    first, second = np.asarray(codec.decode(data)), np.asarray(codec.decode(data))
    assert np.array_equal(first, second)


def test_psnr_and_rate_rise_with_quality(codec: PcaCodec, make_image) -> None:
    pixels = make_image(48, 64)
    image = Image.fromarray(pixels)
    sizes, scores = [], []
    for quality in (20, 40, 60, 80):
        data = codec.encode(image, quality)
        sizes.append(len(data))
        scores.append(psnr(pixels, np.asarray(codec.decode(data))))
    assert sizes == sorted(sizes) and scores == sorted(scores)
    assert scores[-1] > 45.0


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (8, 8), (17, 9)])
def test_sizes_that_are_not_multiples_of_eight_crop_back(codec: PcaCodec, shape: tuple[int, int],
                                                       make_image) -> None:
    pixels = make_image(*shape)
    decoded = decode_pixels(encode_pixels(pixels, quality_to_step(90), codec.basis), codec.basis)
    assert decoded.shape == pixels.shape
    assert np.abs(decoded.astype(int) - pixels).max() <= 2


def test_large_values_escape_and_round_trip(codec: PcaCodec) -> None:
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    decoded = decode_pixels(encode_pixels(pixels, 0.01, codec.basis), codec.basis)
    assert np.abs(decoded.astype(int) - pixels).max() <= 1


def test_quality_maps_to_a_halving_step_every_ten() -> None:
    assert quality_to_step(0) == 1024.0 and quality_to_step(100) == 1.0
    assert quality_to_step(50) == 2 * quality_to_step(60)


@pytest.mark.parametrize("cut", [0, 4, 20, 200, -1])
def test_truncated_files_are_rejected(codec: PcaCodec, cut: int, make_image) -> None:
    data = codec.encode(Image.fromarray(make_image(24, 24)), 50)
    with pytest.raises(PcaFormatError):
        codec.decode(data[:cut])


def test_bad_magic_and_foreign_basis_are_rejected(codec: PcaCodec, make_image) -> None:
    data = codec.encode(Image.fromarray(make_image(16, 16)), 50)
    with pytest.raises(PcaFormatError, match="magic"):
        codec.decode(b"XXXX" + data[4:])
    other = fit_basis([make_image(64, 64, seed=9)])
    with pytest.raises(PcaFormatError, match="basis"):
        decode_pixels(data, other)


def test_blocks_split_and_merge_back(make_image) -> None:
    pixels = make_image(16, 24)
    blocks = image_blocks(pixels)
    assert blocks.shape == (6, DIMENSION)
    assert np.array_equal(merge_blocks(blocks, 2, 3), pixels)


def test_fitted_basis_is_orthonormal(make_image) -> None:
    basis = fit_basis([make_image(64, 64, seed=s) for s in range(2)])
    gram = basis.components.astype(np.float64) @ basis.components.T
    assert np.allclose(gram, np.eye(DIMENSION), atol=1e-5)
    assert np.all(np.diff(basis.variances) <= 1e-3)


def test_tables_are_stable_integer_data() -> None:
    tables = coefficient_tables()
    assert tables.frequencies.dtype == np.int32
    assert int(tables.frequencies.astype(np.int64).sum()) == tables.count << 20
    wide = np.rint(np.random.default_rng(0).laplace(0, 50, (4000, 1))).astype(np.int64)
    narrow = np.rint(np.random.default_rng(0).laplace(0, 2, (4000, 1))).astype(np.int64)
    assert choose_magnitude_tables(wide)[0] > choose_magnitude_tables(narrow)[0]
