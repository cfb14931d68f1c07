"""A source image as the codec stores it: 8-bit L, LA, RGB or RGBA, nothing lost without a word.

:func:`load_source` loads any image Pillow opens and makes explicit what the stored file cannot
hold as it was:

- transparency in every form Pillow reads becomes the alpha plane: an alpha channel (RGBA, LA,
  PA, premultiplied modes), a palette's alpha, and a transparent colour (PNG ``tRNS``) on
  1-bit, L, RGB, 16-bit grey and 16-bit RGB images, compared at the full 16 bits;
- samples deeper than 8 bits (16-bit grey, RGB and RGBA, 32-bit integer or float) are reduced
  to 8 bits with a warning (Pillow itself reads 16-bit RGB as 8-bit, silently);
- an image of several frames (animated GIF, PNG or WebP, a multi-page TIFF) warns that only the
  first frame is coded.

The metadata that travels (:func:`aecodec.codec.images.metadata.source_metadata`) is resolved from the
loaded original (after loading: a PNG may hold EXIF after its pixels, and Pillow turns a TIFF
by its orientation tag and drops the tag) and kept in the result's ``info``. An image already in that form comes back as it is, so
calling it twice warns once.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from PIL import Image

from aecodec.bitstream.container import ImageMode
from aecodec.codec.images.metadata import source_metadata

_ALPHA_MODES = ("RGBA", "LA", "PA", "La", "RGBa")
_GREY_MODES = ("1", "L", "LA", "La", "I", "F")
_DEEP_GREY = ("I", "F")
_BITS_PER_SAMPLE = 258
"""The TIFF tag that tells the file's sample depth."""


def load_source(image: Image.Image) -> Image.Image:
    """``image`` loaded and converted to one of :class:`~aecodec.bitstream.container.ImageMode`'s
    modes (8-bit), transparency as alpha, with a warning for each loss (see the module)."""
    if _is_final(image):
        return image
    several_frames = _warn_frames(image)
    deeper = _deeper_samples(image)
    key_alpha = _sixteen_bit_key_alpha(image)
    image.load()
    metadata = source_metadata(image)
    if deeper is not None:
        warnings.warn(f"{deeper} image reduced to 8 bits per sample", stacklevel=3)
    converted = _to_eight_bits(image)
    if key_alpha is not None:
        result = _with_alpha(converted, key_alpha)
    elif converted.mode == target_mode(converted).name and not several_frames:
        result = converted
    else:
        result = converted.convert(target_mode(converted).name)
    if result is not image:
        result.info.clear()
        result.info.update(metadata)
    return result


def target_mode(image: Image.Image) -> ImageMode:
    """The stored mode for ``image``: grey or colour, with alpha where it has any transparency."""
    has_alpha = image.mode in _ALPHA_MODES or image.info.get("transparency") is not None
    if _is_grey(image):
        return ImageMode.LA if has_alpha else ImageMode.L
    return ImageMode.RGBA if has_alpha else ImageMode.RGB


def _is_final(image: Image.Image) -> bool:
    loaded = not getattr(image, "tile", None)
    return (loaded and image.mode in ImageMode.__members__ and "transparency" not in image.info
            and getattr(image, "n_frames", 1) == 1)


def _is_grey(image: Image.Image) -> bool:
    return image.mode in _GREY_MODES or image.mode.startswith("I;")


def _warn_frames(image: Image.Image) -> bool:
    """Warn when ``image`` has several frames; whether it has."""
    frames = getattr(image, "n_frames", 1)
    several = getattr(image, "is_animated", False) or frames > 1
    if several:
        warnings.warn(f"image has {frames} frames; only the first is coded", stacklevel=4)
    return several


def _deeper_samples(image: Image.Image) -> str | None:
    """How a sample deeper than 8 bits is described in the warning (``"I;16"``, ``"16-bit RGB"``),
    or None for 8-bit samples. Read before loading: Pillow forgets the file's depth after."""
    if image.mode in _DEEP_GREY or image.mode.startswith("I;16"):
        return image.mode
    if any(";16" in _rawmode(tile) for tile in getattr(image, "tile", None) or []):
        return f"16-bit {image.mode}"
    bits = getattr(image, "tag_v2", {}).get(_BITS_PER_SAMPLE)
    depth = max(bits) if isinstance(bits, tuple) and bits else bits
    if isinstance(depth, int) and depth > 8:
        return f"{depth}-bit {image.mode}"
    return None


def _rawmode(tile) -> str:
    args = tile.args
    return args if isinstance(args, str) else str(args[0]) if isinstance(args, tuple) and args else ""


def _sixteen_bit_key_alpha(image: Image.Image) -> np.ndarray | None:
    """uint8 ``[H, W]`` alpha (0 where the pixel is the transparent colour, else 255) for a 16-bit
    image with a transparent colour, compared at 16 bits; None for any other image (Pillow's own
    conversion handles 8-bit keys)."""
    key = image.info.get("transparency")
    if key is None or isinstance(key, bytes):
        return None
    if image.mode.startswith("I;16") and isinstance(key, int):
        return np.where(np.asarray(image) == key, 0, 255).astype(np.uint8)
    tiles = getattr(image, "tile", None) or []
    if image.mode == "RGB" and isinstance(key, tuple) and len(tiles) == 1 and _rawmode(tiles[0]) == "RGB;16B":
        return np.where(np.all(_rgb16(image) == np.array(key), axis=2), 0, 255).astype(np.uint8)
    return None


def _rgb16(image: Image.Image) -> np.ndarray:
    """uint16 ``[H, W, 3]`` samples of a 16-bit RGB PNG, which Pillow reads as their high bytes:
    the same data decoded once more as little-endian gives the low bytes."""
    high = np.asarray(_twin(image, "RGB;16B"), dtype=np.uint16)
    low = np.asarray(_twin(image, "RGB;16L"), dtype=np.uint16)
    return high << 8 | low


def _twin(image: Image.Image, rawmode: str) -> Image.Image:
    """``image``'s file opened again, its pixels decoded with ``rawmode``."""
    opened: Any = image
    if getattr(opened, "filename", None):
        twin = Image.open(opened.filename)
    else:
        opened.fp.seek(0)
        twin = Image.open(opened.fp)
    with twin:
        twin.tile = [tile._replace(args=rawmode) for tile in twin.tile]
        twin.load()
        return twin.copy()


def _to_eight_bits(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit grey to 8-bit L (divided by 257 when any sample is over 255)."""
    if image.mode not in _DEEP_GREY and not image.mode.startswith("I;16"):
        return image
    array = np.asarray(image).astype(np.float64)
    scale = 257.0 if array.max(initial=0) > 255 else 1.0
    return Image.fromarray(np.clip(np.round(array / scale), 0, 255).astype(np.uint8), "L")


def _with_alpha(image: Image.Image, alpha: np.ndarray) -> Image.Image:
    """LA or RGBA: ``image`` as grey or colour with ``alpha`` uint8 ``[H, W]``."""
    base = image.convert("L" if _is_grey(image) else "RGB")
    base.putalpha(Image.fromarray(alpha, "L"))
    return base
