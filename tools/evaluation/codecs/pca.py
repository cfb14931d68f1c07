"""The PCA transform baseline: 8×8 RGB block PCA, one uniform step, constriction-coded coefficients.

Encoding pads the image by edge replication to whole blocks, projects each 192-value block on
the fitted basis, quantizes every coefficient with one step ``2^(10 − quality/10)`` (quality 0–100,
so step 1024 … 1), and range-codes the integers as zero flags, magnitudes and signs with the
cheapest frozen tables per coefficient (:mod:`~aecodec.tools.evaluation.codecs.pca_tables`). Decoding
reverses it and crops back. Files are self-contained bytes.

>>> import numpy as np
>>> from PIL import Image
>>> codec = PcaCodec.from_package()
>>> image = Image.fromarray(np.full((9, 11, 3), 120, dtype=np.uint8))
>>> codec.decode(codec.encode(image, 50)).size
(11, 9)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from aecodec.bitstream.entropy_coder import decode_symbols, encode_symbols
from aecodec.tools.evaluation.codecs.pca_basis import (
    BLOCK,
    DIMENSION,
    PcaBasis,
    image_blocks,
    load_basis,
    merge_blocks,
    package_basis_path,
)
from aecodec.tools.evaluation.codecs.pca_format import (
    PcaFormatError,
    PcaHeader,
    header_size,
    pack_header,
    unpack_header,
)
from aecodec.tools.evaluation.codecs.pca_tables import (
    FLAG_BASE,
    FLAG_TABLES,
    MAGNITUDE_BASE,
    MAGNITUDE_TABLES,
    SIGN_TABLE,
    choose_flag_tables,
    choose_magnitude_tables,
    coefficient_tables,
)

PCA_QUALITIES = (20.0, 27.5, 35.0, 42.5, 50.0, 57.5, 65.0)


def quality_to_step(quality: float) -> float:
    """Quantization step for ``quality`` (clipped to 0–100), rounded to float32 as stored."""
    clipped = min(max(float(quality), 0.0), 100.0)
    return float(np.float32(2.0 ** (10.0 - clipped / 10.0)))


def encode_pixels(pixels: np.ndarray, step: float, basis: PcaBasis) -> bytes:
    """Compress uint8 ``[H, W, 3]`` pixels with quantization ``step``; returns the whole file."""
    height, width = pixels.shape[:2]
    blocks = image_blocks(_pad_to_blocks(pixels))
    coefficients = (blocks - basis.mean) @ basis.components.T.astype(np.float64)
    symbols = np.rint(coefficients / step).astype(np.int64)
    flag_tables = choose_flag_tables(np.count_nonzero(symbols, axis=0), len(symbols))
    magnitude_tables = choose_magnitude_tables(symbols)
    flags = _encode_flags(symbols != 0, flag_tables)
    header = PcaHeader(width, height, step, basis.tag, len(flags), flag_tables, magnitude_tables)
    return pack_header(header) + flags + _encode_values(symbols, magnitude_tables)


def decode_pixels(data: bytes, basis: PcaBasis) -> np.ndarray:
    """Inverse of :func:`encode_pixels`: uint8 ``[H, W, 3]``; raises :class:`PcaFormatError`."""
    header = unpack_header(data, DIMENSION, (FLAG_TABLES, MAGNITUDE_TABLES))
    if header.basis_tag != basis.tag:
        raise PcaFormatError("file was coded with a different PCA basis")
    rows, columns = -(-header.height // BLOCK), -(-header.width // BLOCK)
    start = header_size(DIMENSION)
    middle = start + header.flag_bytes
    try:
        nonzero = _decode_flags(data[start:middle], header.flag_tables, rows * columns)
        symbols = _decode_values(data[middle:], nonzero, header.magnitude_tables)
    except ValueError as error:
        raise PcaFormatError(f"corrupt coefficient stream: {error}") from None
    blocks = (symbols * header.step) @ basis.components.astype(np.float64) + basis.mean
    pixels = np.clip(np.rint(merge_blocks(blocks, rows, columns)), 0, 255).astype(np.uint8)
    return pixels[: header.height, : header.width]


def _encode_flags(nonzero: np.ndarray, flag_tables: np.ndarray) -> bytes:
    """Code the bool ``[N, C]`` nonzero map with each column's flag table."""
    table_ids = np.tile(FLAG_BASE + flag_tables.astype(np.int64), nonzero.shape[0])
    return encode_symbols(nonzero.ravel().astype(np.int64), table_ids, coefficient_tables())


def _decode_flags(stream: bytes, flag_tables: np.ndarray, block_count: int) -> np.ndarray:
    """Inverse of :func:`_encode_flags`: bool ``[N, C]``."""
    table_ids = np.tile(FLAG_BASE + flag_tables.astype(np.int64), block_count)
    flags = decode_symbols(stream, table_ids, coefficient_tables())
    if flags.size and (flags.min() < 0 or flags.max() > 1):
        raise ValueError("a zero flag is neither 0 nor 1")
    return flags.reshape(block_count, flag_tables.size).astype(bool)


def _encode_values(symbols: np.ndarray, magnitude_tables: np.ndarray) -> bytes:
    """Code the magnitudes minus one, then the signs, of the nonzero ``symbols`` ``[N, C]`` in raster order."""
    nonzero = symbols != 0
    values = symbols[nonzero]
    coded = np.concatenate([np.abs(values) - 1, (values < 0).astype(np.int64)])
    return encode_symbols(coded, _value_table_ids(nonzero, magnitude_tables), coefficient_tables())


def _decode_values(stream: bytes, nonzero: np.ndarray, magnitude_tables: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_encode_values`: int64 symbols ``[N, C]``."""
    coded = decode_symbols(stream, _value_table_ids(nonzero, magnitude_tables), coefficient_tables())
    count = int(nonzero.sum())
    magnitudes, signs = coded[:count] + 1, coded[count:]
    if count and (magnitudes.min() < 1 or signs.min() < 0 or signs.max() > 1):
        raise ValueError("a magnitude or sign is out of range")
    symbols = np.zeros(nonzero.shape, dtype=np.int64)
    symbols[nonzero] = np.where(signs == 1, -magnitudes, magnitudes)
    return symbols


def _value_table_ids(nonzero: np.ndarray, magnitude_tables: np.ndarray) -> np.ndarray:
    columns = np.nonzero(nonzero)[1]
    magnitude_ids = MAGNITUDE_BASE + magnitude_tables.astype(np.int64)[columns]
    return np.concatenate([magnitude_ids, np.full(columns.size, SIGN_TABLE, dtype=np.int64)])


def _pad_to_blocks(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    pad = ((0, -height % BLOCK), (0, -width % BLOCK), (0, 0))
    return np.pad(pixels, pad, mode="edge")


@dataclass(frozen=True)
class PcaCodec:
    """The PCA baseline behind the :class:`~aecodec.tools.evaluation.codecs.registry.Codec` interface."""

    basis: PcaBasis
    name: str = "pca"
    description: str = ""
    default_qualities: tuple[float, ...] = PCA_QUALITIES

    @classmethod
    def from_file(cls, path: Path) -> PcaCodec:
        """A codec using the basis stored at ``path``."""
        basis = load_basis(path)
        description = (f"8×8 RGB block PCA (basis from {basis.image_count} training images), "
                       f"uniform step 2^(10 − q/10), constriction {_constriction_version()} range coder")
        return cls(basis, description=description)

    @classmethod
    def from_package(cls) -> PcaCodec:
        """A codec using the basis shipped with the package."""
        return cls.from_file(package_basis_path())

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image at ``quality`` (0–100)."""
        pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
        return encode_pixels(pixels, quality_to_step(quality), self.basis)

    def decode(self, data: bytes) -> Image.Image:
        """Rebuild the RGB image."""
        return Image.fromarray(decode_pixels(data, self.basis), "RGB")


def _constriction_version() -> str:
    from importlib.metadata import version

    return version("constriction")
