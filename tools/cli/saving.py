"""Saving a decoded image with its metadata, whatever Pillow's writer for the format makes of it.

Each writer takes the ICC profile, EXIF and XMP its own way (PNG's XMP is an ``iTXt`` chunk,
TIFF's tag 700), and some take none. A kind the format cannot store, or that its writer refuses
(a TIFF writer parses the EXIF it is given and fails on a block that is no TIFF), is dropped with
a warning and the image still written; any other failure of the writer is one :class:`SaveError`
line. Which kinds fail is found by saving a 1 x 1 image with each, so the image is encoded only
once more.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterable

from PIL import Image, PngImagePlugin

from aecodec.codec.images.metadata import ALL, KINDS

SAVE_ERRORS = (OSError, ValueError, SyntaxError, TypeError, KeyError, IndexError, EOFError, OverflowError,
               NotImplementedError, ArithmeticError, struct.error, zlib.error)
"""What Pillow's writers raise."""
STORES_ALL = frozenset({"PNG", "JPEG", "MPO", "WEBP", "TIFF", "AVIF"})
STORES_NONE = frozenset({"BMP", "DIB", "DDS", "EPS", "GIF", "ICNS", "ICO", "IM", "JPEG2000", "PCX", "PPM", "QOI",
                         "SGI", "SPIDER", "TGA"})
"""Pillow 13's writers that store the ICC profile, EXIF and XMP, and those that store none of
them (measured by saving and reading back); another format is given all and trusted."""
_NAMES = {"icc": "ICC profile", "exif": "EXIF", "xmp": "XMP"}


class SaveError(ValueError):
    """An image that Pillow's writer for the format cannot write."""


def save_image(image: Image.Image, image_format: str, keep: Iterable[str] = ALL) -> bytes:
    """The bytes of ``image`` as ``image_format`` with the metadata in its ``info`` of the kinds
    in ``keep`` that the format stores (the others dropped with a warning)."""
    present = [name for name, (key, _) in KINDS.items() if name in keep and image.info.get(key)]
    stored = frozenset() if image_format in STORES_NONE else ALL
    _warn_dropped(image_format, [name for name in present if name not in stored], "files cannot store")
    kinds = [name for name in present if name in stored]
    try:
        return _save(image, image_format, kinds)
    except SAVE_ERRORS as error:
        refused = [name for name in kinds if not _accepts(image, image_format, name)]
        if not refused:
            raise SaveError(f"cannot write the image as {image_format}: {_one_line(error)}") from None
    _warn_dropped(image_format, refused, "writer refused")
    try:
        return _save(image, image_format, [name for name in kinds if name not in refused])
    except SAVE_ERRORS as error:
        raise SaveError(f"cannot write the image as {image_format}: {_one_line(error)}") from None


def _save(image: Image.Image, image_format: str, kinds: list[str]) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **_options(image, image_format, kinds))
    return buffer.getvalue()


def _options(image: Image.Image, image_format: str, kinds: list[str]) -> dict:
    """Pillow save options carrying ``kinds`` of ``image.info`` in ``image_format``."""
    options = {KINDS[name][0]: image.info[KINDS[name][0]] for name in kinds if name != "xmp"}
    if "xmp" in kinds:
        xmp = image.info["xmp"]
        if image_format == "PNG":
            chunks = PngImagePlugin.PngInfo()
            chunks.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8", "replace"))
            options["pnginfo"] = chunks
        elif image_format == "TIFF":
            options["tiffinfo"] = {700: xmp}
        else:
            options["xmp"] = xmp
    return options


def _accepts(image: Image.Image, image_format: str, name: str) -> bool:
    """Whether the writer saves a 1 x 1 image of ``image``'s mode with this one kind of metadata."""
    probe = Image.new(image.mode, (1, 1))
    probe.info = {KINDS[name][0]: image.info[KINDS[name][0]]}
    try:
        _save(probe, image_format, [name])
    except SAVE_ERRORS:
        return False
    return True


def _warn_dropped(image_format: str, names: list[str], why: str) -> None:
    if names:
        listed = " and ".join(_NAMES[name] for name in names)
        them = "it" if len(names) == 1 else "them"
        warnings.warn(f"{listed} not written: {image_format} {why} {them}", stacklevel=3)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
