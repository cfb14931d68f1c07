"""The README's side-by-side picture: a Kodak crop as the original, as JPEG and as aecodec at the
same file size (aecodec's file is the one a size search finds closest to JPEG's byte count without
going over it), labelled with bytes and PSNR.

    python -m aecodec.tools.dev.bench.comparison_figure ../shared/data/kodak/kodim23.png -o results/comparison.png
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import click
from PIL import Image, ImageDraw, ImageFont

from aecodec.codec.decoder.api import decompress
from aecodec.codec.encoder.targets import compress_to_target, rgb_psnr

LABEL_HEIGHT = 18
BUDGET_TOLERANCE = 0.005
"""Relative tolerance of the size search: tight, so the file lands just under JPEG's size."""


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
    """The crop through aecodec in the file closest to ``size`` bytes without going over it (quality 0's
    file when even that is larger)."""
    data = compress_to_target(crop, size=size, tolerance=BUDGET_TOLERANCE, not_above=True).data
    decoded = decompress(data).convert("RGB")
    return Panel(decoded, f"aecodec {len(data)} B, {rgb_psnr(crop, decoded):.2f} dB")


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
