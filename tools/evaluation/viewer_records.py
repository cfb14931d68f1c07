"""Typed records of the side-by-side viewer: crops of one image, coded by each codec at matched sizes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CropBox:
    """A square crop in image pixels: ``left``, ``top`` and ``side``."""

    left: int
    top: int
    side: int

    def bounds(self) -> tuple[int, int, int, int]:
        """``(left, top, right, bottom)`` as Pillow's ``crop`` takes them."""
        return self.left, self.top, self.left + self.side, self.top + self.side


@dataclass(frozen=True)
class ViewerPanel:
    """One codec's file for one image at one target size. ``file_bytes`` is the whole file, ``bpp`` and
    ``psnr`` (dB) are over the whole image, ``crop_psnr`` over the crop; ``within`` is ``False`` when
    even the codec's lowest quality overshoots the budget; ``crop_webp`` is the decoded crop as a
    lossless WebP file."""

    codec: str
    quality: float
    file_bytes: int
    bpp: float
    psnr: float
    crop_psnr: float
    within: bool
    crop_webp: bytes


@dataclass(frozen=True)
class ViewerRate:
    """All codecs at one target: ``budget`` bytes, i.e. ``target_bpp`` over the whole image."""

    target_bpp: float
    budget: int
    panels: tuple[ViewerPanel, ...]


@dataclass(frozen=True)
class ViewerImage:
    """One chosen image: its path, size, the crop shown, the original crop (lossless WebP) and the rates."""

    image: str
    width: int
    height: int
    box: CropBox
    original_webp: bytes
    rates: tuple[ViewerRate, ...]
