"""The block PCA basis of the PCA baseline: a record, its fitting, and its storage as ``.npz``.

A block is 8×8 RGB pixels flattened in ``[row, column, channel]`` order into a vector of 192
values in 0…255. The basis holds the training mean of those vectors and the principal directions
(orthonormal rows, by decreasing variance).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

BLOCK = 8
DIMENSION = BLOCK * BLOCK * 3
PACKAGE_FILE = "pca_basis.npz"


@dataclass(frozen=True)
class PcaBasis:
    """``mean`` float32 ``[192]``, ``components`` float32 ``[192, 192]`` (rows), ``variances`` float32 ``[192]``."""

    mean: np.ndarray
    components: np.ndarray
    variances: np.ndarray
    image_count: int

    def __post_init__(self) -> None:
        if self.mean.shape != (DIMENSION,) or self.components.shape != (DIMENSION, DIMENSION):
            raise ValueError(f"a PCA basis needs a [{DIMENSION}] mean and [{DIMENSION}, {DIMENSION}] components")

    @property
    def tag(self) -> int:
        """CRC-32 of the mean and components, written into every file so a decoder can check it."""
        return zlib.crc32(self.components.tobytes(), zlib.crc32(self.mean.tobytes()))


def image_blocks(pixels: np.ndarray) -> np.ndarray:
    """Split ``pixels`` uint8 ``[H, W, 3]`` (H, W multiples of 8) into float64 blocks ``[N, 192]``."""
    rows, columns = pixels.shape[0] // BLOCK, pixels.shape[1] // BLOCK
    tiles = pixels.reshape(rows, BLOCK, columns, BLOCK, 3).transpose(0, 2, 1, 3, 4)
    return tiles.reshape(rows * columns, DIMENSION).astype(np.float64)


def merge_blocks(blocks: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Inverse of :func:`image_blocks`: ``[rows·columns, 192]`` → ``[8·rows, 8·columns, 3]``."""
    tiles = blocks.reshape(rows, columns, BLOCK, BLOCK, 3).transpose(0, 2, 1, 3, 4)
    return tiles.reshape(rows * BLOCK, columns * BLOCK, 3)


def fit_basis(images: Iterable[np.ndarray]) -> PcaBasis:
    """Fit the basis on the whole blocks of RGB uint8 images ``[H, W, 3]`` (edges past a multiple of 8 dropped)."""
    total = np.zeros(DIMENSION)
    products = np.zeros((DIMENSION, DIMENSION))
    count, image_count = 0, 0
    for pixels in images:
        height, width = (pixels.shape[0] // BLOCK) * BLOCK, (pixels.shape[1] // BLOCK) * BLOCK
        blocks = image_blocks(pixels[:height, :width])
        total += blocks.sum(axis=0)
        products += blocks.T @ blocks
        count += blocks.shape[0]
        image_count += 1
    if count == 0:
        raise ValueError("no 8×8 blocks to fit a basis on")
    mean = total / count
    return _principal_axes(mean, products / count - np.outer(mean, mean), image_count)


def _principal_axes(mean: np.ndarray, covariance: np.ndarray, image_count: int) -> PcaBasis:
    variances, vectors = np.linalg.eigh(covariance)
    order = np.argsort(variances)[::-1]
    components = vectors[:, order].T
    signs = np.sign(components[np.arange(DIMENSION), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    return PcaBasis(mean.astype(np.float32), components.astype(np.float32),
                    np.clip(variances[order], 0.0, None).astype(np.float32), image_count)


def save_basis(basis: PcaBasis, path: Path) -> None:
    """Write ``basis`` as a compressed ``.npz``."""
    np.savez_compressed(path, mean=basis.mean, components=basis.components,
                        variances=basis.variances, image_count=np.int64(basis.image_count))


def load_basis(path: Path) -> PcaBasis:
    """Read a basis written by :func:`save_basis`."""
    with np.load(path) as stored:
        return PcaBasis(stored["mean"].astype(np.float32), stored["components"].astype(np.float32),
                        stored["variances"].astype(np.float32), int(stored["image_count"]))


def package_basis_path() -> Path:
    """Where the shipped basis lives inside the installed package."""
    return Path(str(resources.files("aecodec.tools.evaluation.codecs") / "data" / PACKAGE_FILE))
