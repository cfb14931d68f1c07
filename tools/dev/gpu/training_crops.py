"""Random crops of training photos, saved small enough to travel with the code to a GPU machine.

A lent GPU machine receives at most 64 MiB with each call, and the clean training set is 117 MB.
This writes ``--per-photo`` random square crops of every photo under the given folders (photos
smaller than ``--size`` whole) as 4:4:4 JPEG at quality 95 (no chroma subsampling, as the clean
set itself is stored), stopping once ``--budget-mb`` is reached; photos are taken round-robin
over the folders, so each folder contributes in proportion. ``--seed`` picks other crops for a
second call.

    python -m aecodec.tools.dev.gpu.training_crops ../shared/data/train-clean extra/ --out .gpu_data/clean \\
        --size 512 --budget-mb 56
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
from PIL import Image

from aecodec.codec.images.files import list_images

JPEG_OPTIONS = {"quality": 95, "subsampling": 0}


@dataclass(frozen=True)
class CropSummary:
    """What :func:`write_crops` wrote: the number of files and their total bytes."""

    files: int
    total_bytes: int


def interleaved(folders: list[Path]) -> list[Path]:
    """The photos of every folder, taken in turn from each (a folder's own order is by path)."""
    lists = [list_images(folder) for folder in folders]
    return [path for group in itertools.zip_longest(*lists) for path in group if path is not None]


def random_crops(image: Image.Image, size: int, count: int, rng: np.random.Generator) -> list[Image.Image]:
    """``count`` random ``size``×``size`` crops of ``image`` (the whole image if it is smaller)."""
    width, height = image.size
    if width <= size or height <= size:
        return [image]
    crops = []
    for _ in range(count):
        left, top = int(rng.integers(0, width - size + 1)), int(rng.integers(0, height - size + 1))
        crops.append(image.crop((left, top, left + size, top + size)))
    return crops


def write_crops(folders: list[Path], out: Path, size: int, per_photo: int, budget_bytes: int,
                seed: int) -> CropSummary:
    """Write crops of the photos under ``folders`` into ``out`` until ``budget_bytes`` would be passed."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    files = total = 0
    for index, path in enumerate(interleaved(folders)):
        with Image.open(path) as photo:
            crops = random_crops(photo.convert("RGB"), size, per_photo, rng)
        for number, crop in enumerate(crops):
            target = out / f"{index:05d}-{number}-{path.stem}.jpg"
            crop.save(target, **JPEG_OPTIONS)
            written = target.stat().st_size
            if total + written > budget_bytes:
                target.unlink()
                return CropSummary(files, total)
            files, total = files + 1, total + written
    return CropSummary(files, total)


@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder to write into.")
@click.option("--size", type=click.IntRange(min=64), default=512, show_default=True, help="Crop side in pixels.")
@click.option("--per-photo", type=click.IntRange(min=1), default=1, show_default=True, help="Crops per photo.")
@click.option("--budget-mb", type=click.FloatRange(min=0, min_open=True), default=56.0, show_default=True,
              help="Stop before the crops pass this many MiB.")
@click.option("--seed", type=int, default=0, show_default=True, help="Which random crops.")
def main(folders: tuple[Path, ...], out: Path, size: int, per_photo: int, budget_mb: float, seed: int) -> None:
    """Write random crops of the photos in FOLDERS for a GPU machine's limited carry."""
    summary = write_crops(list(folders), out, size, per_photo, int(budget_mb * 2**20), seed)
    click.echo(f"wrote {summary.files} crops, {summary.total_bytes / 2**20:.1f} MiB, to {out}")


if __name__ == "__main__":
    main()
