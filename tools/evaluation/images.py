"""Finding the images to evaluate, and reading them as RGB."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

from aecodec.codec.images.files import is_image_file


def find_images(paths: Iterable[Path]) -> list[Path]:
    """Files given directly, plus image files directly inside given folders (sorted by name)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if is_image_file(p)))
        else:
            found.append(path)
    return found


def load_rgb(path: Path) -> Image.Image:
    """The image at ``path`` decoded and converted to 8-bit RGB."""
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB")
