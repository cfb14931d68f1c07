"""Training crops: every photo of a folder decoded once into memory, random crops and flips per batch."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aecodec.codec.images.files import list_images

Seed = int | Sequence[int] | np.random.SeedSequence


class CropSampler:
    """Draws batches ``[B, 3, crop, crop]`` (float32 in [0, 1]) of random crops with random flips.

    The photos are held as uint8 ``[3, H, W]`` tensors on ``device`` (each at least ``crop`` on
    both sides), so on a GPU the crops, flips and the conversion to float happen there: the host
    only draws which photo and where (plain integers), nothing is copied and nothing waits for the
    device. ``seed`` is anything :func:`numpy.random.default_rng` takes, e.g. a seed sequence of
    ``[seed, rank, step]`` for a distinct stream per process and per resume.
    """

    def __init__(self, images: Sequence[torch.Tensor], crop: int, seed: Seed = 0,
                 device: torch.device | str = "cpu") -> None:
        if not images:
            raise ValueError("no images to crop from")
        too_small = [tuple(image.shape) for image in images if min(image.shape[1:]) < crop]
        if too_small:
            raise ValueError(f"images smaller than the {crop}-pixel crop: {too_small[:3]}")
        self.crop = crop
        self.device = torch.device(device)
        self.images = [image.to(self.device) for image in images]
        self.generator = np.random.default_rng(seed)
        self.flip_generator = torch.Generator(self.device).manual_seed(int(self.generator.integers(2**62)))

    @classmethod
    def from_folder(cls, folder: Path | Sequence[Path], crop: int, seed: Seed = 0,
                    device: torch.device | str = "cpu") -> CropSampler:
        """Decode every photo under ``folder`` (or under each of several folders, all drawn from
        alike) to RGB; smaller ones are padded by reflection."""
        folders = [folder] if isinstance(folder, Path) else list(folder)
        paths = [path for each in folders for path in list_images(each)]
        if not paths:
            raise ValueError(f"no images found under {', '.join(str(each) for each in folders)}")
        return cls([_load_rgb(path, crop) for path in paths], crop, seed, device)

    def __len__(self) -> int:
        return len(self.images)

    def batch(self, size: int) -> torch.Tensor:
        """``size`` random crops, each flipped left–right and upside down with probability 1/2."""
        picks = self.generator.integers(0, len(self.images), size)
        crops = torch.stack([self._random_crop(self.images[i]) for i in picks])
        flips = torch.rand((2, size, 1, 1, 1), device=self.device, generator=self.flip_generator) < 0.5
        crops = torch.where(flips[0], crops.flip(3), crops)
        crops = torch.where(flips[1], crops.flip(2), crops)
        return crops.float().div_(255.0)

    def _random_crop(self, image: torch.Tensor) -> torch.Tensor:
        _, height, width = image.shape
        top = int(self.generator.integers(0, height - self.crop + 1))
        left = int(self.generator.integers(0, width - self.crop + 1))
        return image[:, top : top + self.crop, left : left + self.crop]


def _load_rgb(path: Path, crop: int) -> torch.Tensor:
    """``[3, H, W]`` uint8, reflect-padded to at least ``crop`` on each side."""
    with Image.open(path) as image:
        array = np.asarray(image.convert("RGB"))
    pad_h = max(0, crop - array.shape[0])
    pad_w = max(0, crop - array.shape[1])
    if pad_h or pad_w:
        array = np.pad(array, ((0, pad_h), (0, pad_w), (0, 0)), mode="reflect")
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
