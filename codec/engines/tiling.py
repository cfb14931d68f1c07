"""Overlapping tiles for the float transforms, so that memory stays bounded on large images (no torch).

``g_a`` and ``g_s`` run on tiles of the latent grid (``TILE`` latents, 16 pixels each, square),
each widened by ``HALO`` latents of real context on every side and cropped back before the tiles
are stitched. Either transform reaches about ±2 latents (``g_a``'s receptive field is 61 pixels),
so with a halo of 4 every kept value sees exactly the inputs it sees untiled, and the zero padding
at a tile's cut edges never reaches it: the stitched result equals the untiled transform up to
float rounding (convolution algorithms may sum in another order for another tile size). An image
of at most one tile is computed in one call, exactly as untiled. The bitstream does not change:
tiling is how the transforms are computed, not how the image is coded. The transforms themselves
come from any engine (:mod:`aecodec.codec.engines.base`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from aecodec.codec.geometry import STRIDE, latent_size

TILE = 64
"""Latents per tile side (1024 pixels)."""
HALO = 4
"""Latents of context around a tile (64 pixels), more than either transform reaches."""


@dataclass(frozen=True)
class Span:
    """One tile along an axis, in latent units: ``[low, high)`` is computed, ``[start, stop)`` kept."""

    start: int
    stop: int
    low: int
    high: int

    @property
    def keep(self) -> slice:
        """The kept part, relative to the computed part."""
        return slice(self.start - self.low, self.stop - self.low)


def spans(length: int, tile: int = TILE, halo: int = HALO) -> list[Span]:
    """Tiles covering ``length`` latents: kept parts of ``tile`` (the last one shorter), each
    computed with up to ``halo`` latents more on each side."""
    if tile < 1 or halo < 0:
        raise ValueError("tile must be positive and halo non-negative")
    return [Span(start, min(start + tile, length), max(start - halo, 0), min(start + tile + halo, length))
            for start in range(0, length, tile)]


def grid(height: int, width: int, tile: int) -> Iterator[tuple[Span, Span]]:
    """Every tile of a ``height`` × ``width`` latent grid, row by row: ``(row span, column span)``."""
    for row in spans(height, tile):
        for col in spans(width, tile):
            yield row, col


Analysis = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``g_a(image) · gain``: ``[1, 3, H, W]`` and ``[1, M, 1, 1]`` to ``[1, M, H/16, W/16]``."""
Synthesis = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``g_s(latent · gain)``: ``[1, M, h, w]`` and ``[1, M, 1, 1]`` to ``[1, 3, 16h, 16w]``."""


def analyse_tiles(analysis: Analysis, color: np.ndarray, gain: np.ndarray, tile: int = TILE) -> np.ndarray:
    """``g_a(x) · gain`` for uint8 ``color`` ``[H, W, 3]``, edge-padded to a multiple of 64 pixels.

    ``gain`` is float32 ``[M]``. Returns float32 ``[M, H'/16, W'/16]``.
    """
    height, width = latent_size(color.shape[0], color.shape[1])
    factor = np.asarray(gain, dtype=np.float32).reshape(1, -1, 1, 1)
    latent = np.empty((factor.shape[1], height, width), dtype=np.float32)
    for row, col in grid(height, width, tile):
        part = analysis(_pixel_tile(color, row, col), factor)
        latent[:, row.start : row.stop, col.start : col.stop] = part[0, :, row.keep, col.keep]
    return latent


def _pixel_tile(color: np.ndarray, row: Span, col: Span) -> np.ndarray:
    """Float32 ``[1, 3, h, w]`` in [0, 1]: pixels of the computed part, edge-padded past the image."""
    rows = np.minimum(np.arange(row.low * STRIDE, row.high * STRIDE), color.shape[0] - 1)
    cols = np.minimum(np.arange(col.low * STRIDE, col.high * STRIDE), color.shape[1] - 1)
    block = color[rows[:, None], cols[None, :]]
    return (block.transpose(2, 0, 1)[None].astype(np.float32) / np.float32(255.0))


def synthesise_tiles(synthesis: Synthesis, y_hat: np.ndarray, gain: np.ndarray, height: int, width: int,
                     tile: int = TILE) -> np.ndarray:
    """``g_s(ŷ · gain)`` for ``y_hat`` float32 ``[M, h, w]`` and ``gain`` ``[M]``, as uint8
    ``[height, width, 3]`` (cropped). Values overflowing to NaN (only from absurd latents in a
    corrupted file) become black."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    factor = np.asarray(gain, dtype=np.float32).reshape(1, -1, 1, 1)
    for row, col in grid(y_hat.shape[1], y_hat.shape[2], tile):
        part = np.ascontiguousarray(y_hat[None, :, row.low : row.high, col.low : col.high], dtype=np.float32)
        pixels = synthesis(part, factor)[0]
        kept = pixels[:, _pixels(row.keep), _pixels(col.keep)]
        top, left = row.start * STRIDE, col.start * STRIDE
        block = image[top : top + kept.shape[1], left : left + kept.shape[2]]
        block[...] = to_uint8(kept[:, : block.shape[0], : block.shape[1]]).transpose(1, 2, 0)
    return image


def _pixels(latents: slice) -> slice:
    return slice(latents.start * STRIDE, latents.stop * STRIDE)


def to_uint8(x: np.ndarray) -> np.ndarray:
    """Float samples (about [0, 1]; NaN is black), any shape, to uint8 of the same shape."""
    return np.clip(np.round(np.clip(np.nan_to_num(x, nan=0.0), 0.0, 1.0) * 255.0), 0, 255).astype(np.uint8)
