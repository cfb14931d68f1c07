"""The tile grid of the float transforms (no torch): which latents each tile computes and keeps.

See :mod:`aecodec.codec.tiling` for why tiles with a halo reproduce the untiled transforms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

STRIDE = 16
"""Pixels per latent along each axis."""
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
