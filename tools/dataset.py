"""Training crops: every photo of a folder decoded once into memory, random crops and flips per batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm"}


def list_images(folder: Path) -> list[Path]:
    """Image files directly or recursively under ``folder``, sorted by path."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


class CropSampler:
    """Draws batches ``[B, 3, crop, crop]`` (float32 in [0, 1]) of random crops with random flips.

    Photos smaller than the crop are padded by reflection. All photos are held as uint8 tensors.
    """

    def __init__(self, folder: Path, crop: int, seed: int = 0) -> None:
        paths = list_images(folder)
        if not paths:
            raise ValueError(f"no images found under {folder}")
        self.crop = crop
        self.images = [_load_rgb(path, crop) for path in paths]
        self.generator = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int) -> torch.Tensor:
        picks = self.generator.integers(0, len(self.images), size)
        return torch.stack([self._random_crop(self.images[i]) for i in picks]).float().div_(255.0)

    def _random_crop(self, image: torch.Tensor) -> torch.Tensor:
        _, height, width = image.shape
        top = int(self.generator.integers(0, height - self.crop + 1))
        left = int(self.generator.integers(0, width - self.crop + 1))
        patch = image[:, top : top + self.crop, left : left + self.crop]
        if self.generator.random() < 0.5:
            patch = patch.flip(2)
        if self.generator.random() < 0.5:
            patch = patch.flip(1)
        return patch


def _load_rgb(path: Path, crop: int) -> torch.Tensor:
    """``[3, H, W]`` uint8, reflect-padded to at least ``crop`` on each side."""
    with Image.open(path) as image:
        array = np.asarray(image.convert("RGB"))
    pad_h = max(0, crop - array.shape[0])
    pad_w = max(0, crop - array.shape[1])
    if pad_h or pad_w:
        array = np.pad(array, ((0, pad_h), (0, pad_w), (0, 0)), mode="reflect")
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
