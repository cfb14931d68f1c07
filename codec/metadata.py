"""Metadata that travels with the pixels: the ICC profile and EXIF (orientation included).

Both are stored verbatim in their own sections and put back in the decoded image's ``info``
(``image.getexif()`` reads the orientation from there; ``PIL.ImageOps.exif_transpose`` applies it).
A profile that describes another colour space than the one stored (a CMYK profile on an image
converted to RGB) would make viewers show wrong colours, so it is dropped with a warning.
"""

from __future__ import annotations

import warnings

from PIL import Image

from aecodec.bitstream.container import ImageMode, SectionType

_ICC_SIGNATURE = b"acsp"
_GREY_MODES = (ImageMode.L, ImageMode.LA)


def metadata_sections(image: Image.Image, mode: ImageMode) -> dict[SectionType, bytes]:
    """The ICC and EXIF sections for ``image`` stored as ``mode`` (absent ones left out)."""
    sections = {}
    profile = _profile(image, mode)
    if profile:
        sections[SectionType.ICC_PROFILE] = profile
    exif = _exif(image)
    if exif:
        sections[SectionType.EXIF] = exif
    return sections


def attach_metadata(image: Image.Image, sections: dict[SectionType, bytes]) -> None:
    """Put the stored ICC profile and EXIF into ``image.info``."""
    if SectionType.ICC_PROFILE in sections:
        image.info["icc_profile"] = sections[SectionType.ICC_PROFILE]
    if SectionType.EXIF in sections:
        image.info["exif"] = sections[SectionType.EXIF]


def colour_space(profile: bytes) -> bytes | None:
    """The data colour space of an ICC profile (``b"RGB "``, ``b"GRAY"``, ``b"CMYK"`` ...), or None
    when the bytes do not carry an ICC header."""
    if len(profile) < 128 or profile[36:40] != _ICC_SIGNATURE:
        return None
    return bytes(profile[16:20])


def _profile(image: Image.Image, mode: ImageMode) -> bytes | None:
    profile = image.info.get("icc_profile")
    if not profile:
        return None
    profile = bytes(profile)
    space = colour_space(profile)
    expected = b"GRAY" if mode in _GREY_MODES else b"RGB "
    if space is not None and space != expected:
        warnings.warn(f"ICC profile for {space.decode('ascii', 'replace').strip()} data dropped: "
                      f"the image is stored as {mode.name}", stacklevel=4)
        return None
    return profile


def _exif(image: Image.Image) -> bytes | None:
    """The image's EXIF bytes as read from its file, else its ``getexif()`` tags serialized."""
    raw = image.info.get("exif")
    if raw:
        return raw.tobytes() if isinstance(raw, Image.Exif) else bytes(raw)
    tags = image.getexif()
    return tags.tobytes() if len(tags) else None
