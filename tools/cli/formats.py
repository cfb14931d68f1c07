"""Image formats that ``decompress`` writes: named by ``--format``, by the output's extension, or PNG."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from aecodec.codec.images.metadata import ALL
from aecodec.tools.cli.output import OutputError
from aecodec.tools.cli.saving import save_image
from aecodec.tools.cli.streams import is_stdio

DEFAULT_FORMAT = "PNG"
_CODEC_FORMAT = "AEC"


@dataclass(frozen=True)
class ImageFormat:
    """A Pillow format that can be written: its id (``"PNG"``) and a file extension (``".png"``)."""

    name: str
    extension: str


def by_name(name: str) -> ImageFormat:
    """A format from a name or an extension, any case: ``png``, ``JPEG``, ``jpg``, ``.webp``."""
    key = name.strip().lower().lstrip(".")
    extensions = Image.registered_extensions()
    found = extensions.get(f".{key}")
    if found is not None and _writable(found):
        return ImageFormat(found, f".{key}")
    if _writable(key.upper()):
        return ImageFormat(key.upper(), _first_extension(key.upper(), extensions))
    raise ValueError(f"unknown image format {name!r} (or one Pillow cannot write)")


def for_output(target: Path, requested: ImageFormat | None) -> ImageFormat:
    """``requested`` if given; PNG for standard output or a name without an extension
    (``/dev/null``); else the format of ``target``'s extension (an unknown one is an error)."""
    if requested is not None:
        return requested
    if is_stdio(target) or not target.suffix:
        return by_name(DEFAULT_FORMAT)
    found = Image.registered_extensions().get(target.suffix.lower())
    if found == _CODEC_FORMAT:
        raise OutputError(f"{target}: decompress writes an image, not an .aec file (try .png)")
    if found is None or not _writable(found):
        raise OutputError(f"cannot tell an image format from the extension of {target}")
    return ImageFormat(found, target.suffix.lower())


def encode_image(image: Image.Image, image_format: ImageFormat, keep: Iterable[str] = ALL) -> bytes:
    """The file bytes of ``image`` in ``image_format``, with its ICC profile, EXIF and XMP of the
    kinds in ``keep`` (see :func:`aecodec.tools.cli.saving.save_image`)."""
    if image_format.name == "JPEG" and image.mode in ("RGBA", "LA"):
        raise OutputError("JPEG cannot store an alpha channel; choose .png or .webp")
    return save_image(image, image_format.name, keep)


def _writable(name: str | None) -> bool:
    return name is not None and name != _CODEC_FORMAT and name in Image.SAVE


def _first_extension(name: str, extensions: dict[str, str]) -> str:
    return next((extension for extension, owner in extensions.items() if owner == name), f".{name.lower()}")
