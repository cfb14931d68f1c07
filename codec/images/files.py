"""Image files on disk (no torch): the suffixes taken for images, and the images under a folder."""

from __future__ import annotations

from pathlib import Path

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pnm"})
"""File suffixes (lower case) that training, evaluation and the benchmarks read as images."""


def is_image_file(path: Path) -> bool:
    """Whether ``path`` is a file with an image suffix."""
    return path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()


def list_images(folder: Path) -> list[Path]:
    """Image files directly or recursively under ``folder``, sorted by path."""
    return sorted(path for path in folder.rglob("*") if is_image_file(path))
