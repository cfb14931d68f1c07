"""The viewer as one picture for documents (lossless WebP, two thirds of the PNG's bytes): a row per
target rate, the original crop then each codec's, captioned with codec, whole-file bpp and PSNR
(whole image)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from aecodec.tools.evaluation.viewer_records import ViewerImage

GAP = 6
CAPTION = 34
HEADING = 22


def write_sheet(image: ViewerImage, path: Path, scale: int = 1) -> None:
    """Draw ``image``'s crops (each ``scale`` times enlarged, nearest neighbour) into a lossless WebP at ``path``."""
    side = image.box.side * scale
    columns = 1 + max(len(rate.panels) for rate in image.rates)
    row_height = HEADING + side + CAPTION
    sheet = Image.new("RGB", (columns * (side + GAP) - GAP, len(image.rates) * row_height), "white")
    draw = ImageDraw.Draw(sheet)
    font, bold = _font(12), _font(14)
    original = _crop(image.original_webp, scale)
    for row, rate in enumerate(image.rates):
        top = row * row_height
        draw.text((0, top + 3), f"{Path(image.image).name}, every file at most {rate.budget:,} bytes "
                  f"({rate.target_bpp:g} bpp)", fill="black", font=bold)
        cells = [(original, "original", f"{image.box.side}x{image.box.side} crop")]
        cells += [(_crop(p.crop_webp, scale), p.codec + ("" if p.within else " (over)"),
                   f"{p.bpp:.3f} bpp, {p.psnr:.2f} dB") for p in rate.panels]
        for column, (pixels, name, details) in enumerate(cells):
            left = column * (side + GAP)
            sheet.paste(pixels, (left, top + HEADING))
            draw.text((left + 2, top + HEADING + side + 2), name, fill="black", font=bold)
            draw.text((left + 2, top + HEADING + side + 18), details, fill="black", font=font)
    sheet.save(path, "WEBP", lossless=True, quality=80, method=4)


def _crop(webp: bytes, scale: int) -> Image.Image:
    with Image.open(io.BytesIO(webp)) as opened:
        crop = opened.convert("RGB")
    return crop.resize((crop.width * scale, crop.height * scale), Image.Resampling.NEAREST) if scale > 1 else crop


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size)
    except (TypeError, OSError):
        return ImageFont.load_default()
