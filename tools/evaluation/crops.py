"""Choosing the crop the viewer shows, and storing crops as small lossless files.

The crop is the square window with the most detail (mean absolute luma gradient), on a grid of a
quarter of its side: where codecs differ most visibly.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from aecodec.tools.evaluation.viewer_records import CropBox

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

CROP_SIDE = 192


def detail_crop(pixels: np.ndarray, side: int = CROP_SIDE) -> CropBox:
    """The most detailed ``side``×``side`` window of an RGB uint8 image ``[H, W, 3]`` (smaller images: all of it)."""
    import numpy as np

    height, width = pixels.shape[:2]
    side = min(side, height, width)
    luma = pixels.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    detail = np.zeros((height + 1, width + 1))
    gradient = np.abs(np.diff(luma, axis=0, append=luma[-1:])) + np.abs(np.diff(luma, axis=1, append=luma[:, -1:]))
    detail[1:, 1:] = gradient.cumsum(0).cumsum(1)
    step = max(side // 4, 1)
    best, box = -1.0, CropBox(0, 0, side)
    for top in range(0, height - side + 1, step):
        for left in range(0, width - side + 1, step):
            total = (detail[top + side, left + side] - detail[top, left + side]
                     - detail[top + side, left] + detail[top, left])
            if total > best:
                best, box = total, CropBox(left, top, side)
    return box


def lossless_webp(image: Image.Image) -> bytes:
    """``image`` as a lossless WebP file (exact pixels, about three quarters of an optimised PNG; the
    slowest setting, quality 100 method 6, takes seconds a crop for no smaller file)."""
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", lossless=True, quality=80, method=4)
    return buffer.getvalue()
