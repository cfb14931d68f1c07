"""The README's side-by-side picture: a Kodak crop as the original, as JPEG and as aecodec at the
same file size (aecodec's file is searched to just under JPEG's byte count), labelled with bytes and
PSNR.

    python -m aecodec.tools.comparison_figure ../shared/data/kodak/kodim23.png -o results/comparison.png
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import click
from PIL import Image, ImageDraw, ImageFont

from aecodec.codec.api import decompress
from aecodec.codec.quality_search import QUALITY_MIN
from aecodec.codec.targets import compress_to_target, rgb_psnr

LABEL_HEIGHT = 18
BUDGET_SEARCHES = 4
"""Size searches before settling for the last file, even if it is still over the byte budget."""
BUDGET_TOLERANCE = 0.005
"""Relative tolerance of each size search: tight, so the file lands just under JPEG's size."""


@dataclass(frozen=True)
class Panel:
    """One tile of the figure: the pixels and the caption under them."""

    image: Image.Image
    caption: str


def jpeg_panel(crop: Image.Image, quality: int) -> tuple[Panel, int]:
    """The crop through Pillow's JPEG (4:2:0, optimize); returns the panel and the file's bytes."""
    buffer = io.BytesIO()
    crop.save(buffer, format="JPEG", quality=quality, optimize=True)
    size = buffer.tell()
    decoded = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return Panel(decoded, f"JPEG {size} B, {rgb_psnr(crop, decoded):.2f} dB"), size


def aecodec_panel(crop: Image.Image, size: int) -> Panel:
    """The crop through aecodec in a file of at most ``size`` bytes (see :func:`within_budget`)."""
    data = within_budget(crop, size)
    decoded = decompress(data).convert("RGB")
    return Panel(decoded, f"aecodec {len(data)} B, {rgb_psnr(crop, decoded):.2f} dB")


def within_budget(crop: Image.Image, budget: int) -> bytes:
    """The file of a size search aimed at ``budget`` bytes, re-aimed lower by each overshoot.

    The first file at or under ``budget`` wins (within about ``BUDGET_TOLERANCE`` of it when the
    search meets its goal); quality 0's file is returned at once when even that is over the budget.
    """
    goal = budget
    for _ in range(BUDGET_SEARCHES):
        result = compress_to_target(crop, size=goal, tolerance=BUDGET_TOLERANCE)
        if len(result.data) <= budget or result.quality == QUALITY_MIN:
            break
        goal -= len(result.data) - budget
    return result.data


def compose(panels: list[Panel]) -> Image.Image:
    """Panels side by side with captions below, 2 px apart."""
    width, height = panels[0].image.size
    sheet = Image.new("RGB", (len(panels) * (width + 2) - 2, height + LABEL_HEIGHT), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    for index, panel in enumerate(panels):
        left = index * (width + 2)
        sheet.paste(panel.image, (left, 0))
        draw.text((left + 4, height + 3), panel.caption, fill="black", font=font)
    return sheet


@click.command()
@click.argument("image_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--box", type=(int, int, int), default=(480, 80, 256), show_default=True, help="Crop LEFT TOP SIDE.")
@click.option("--jpeg-quality", default=15, show_default=True)
def main(image_path: Path, output: Path, box: tuple[int, int, int], jpeg_quality: int) -> None:
    """Write the comparison figure for IMAGE_PATH to OUTPUT (PNG)."""
    left, top, side = box
    with Image.open(image_path) as image:
        crop = image.convert("RGB").crop((left, top, left + side, top + side))
    jpeg, size = jpeg_panel(crop, jpeg_quality)
    panels = [Panel(crop, "original"), jpeg, aecodec_panel(crop, size)]
    compose(panels).save(output, optimize=True)
    click.echo(f"wrote {output}: {', '.join(panel.caption for panel in panels[1:])}")


if __name__ == "__main__":
    main()
