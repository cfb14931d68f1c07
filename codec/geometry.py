"""The latent grid (no torch): how pixels, latents and hyper-latents line up.

``g_a`` divides each side by ``STRIDE`` (16: four stride-2 stages) and ``h_a`` by another
``HYPER_STRIDE`` (4), so an image is coded padded to multiples of ``PAD_MULTIPLE`` (64) pixels:
an ``H × W`` image has ``ceil(H / 64) · 4 × ceil(W / 64) · 4`` latents and a quarter as many
hyper-latents per side. The file format depends on these numbers (``docs/format.md``).

>>> latent_size(100, 130), hyper_size(*latent_size(100, 130)), padded_size(100, 130)
((8, 12), (2, 3), (128, 192))
"""

from __future__ import annotations

STRIDE = 16
"""Pixels per latent along each axis."""
HYPER_STRIDE = 4
"""Latents per hyper-latent along each axis."""
PAD_MULTIPLE = STRIDE * HYPER_STRIDE
"""Pixels per hyper-latent along each axis: images are coded padded to a multiple of it."""


def latent_size(height: int, width: int) -> tuple[int, int]:
    """Latent rows and columns of an image of ``height`` × ``width`` pixels (padded to 64)."""
    return -(-height // PAD_MULTIPLE) * HYPER_STRIDE, -(-width // PAD_MULTIPLE) * HYPER_STRIDE


def hyper_size(rows: int, cols: int) -> tuple[int, int]:
    """Hyper-latent rows and columns of a latent of ``rows`` × ``cols`` (multiples of 4)."""
    return rows // HYPER_STRIDE, cols // HYPER_STRIDE


def padded_size(height: int, width: int) -> tuple[int, int]:
    """The pixel size an image of ``height`` × ``width`` is coded at: rounded up to multiples of 64."""
    rows, cols = latent_size(height, width)
    return rows * STRIDE, cols * STRIDE
