"""The checkerboard split of the latent grid (no torch): which positions are anchors, and how far
the context reaches. Shared by the trainable context (:mod:`aecodec.codec.context`) and the exact
decoder (:mod:`aecodec.codec.exact`)."""

from __future__ import annotations

import numpy as np

CONTEXT_KERNEL = 5
CONTEXT_REACH = CONTEXT_KERNEL // 2
"""Latent rows (and columns) a non-anchor's context reaches on either side."""


def anchor_mask(height: int, width: int) -> np.ndarray:
    """Bool ``[height, width]``: True at anchors (row + column even), coded first."""
    rows, cols = np.indices((height, width))
    return (rows + cols) % 2 == 0
