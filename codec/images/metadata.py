"""Metadata that travels with the pixels: the ICC profile, EXIF (orientation included) and XMP.

Each is stored verbatim in its own section and put back in the decoded image's ``info``
(``image.getexif()`` reads the orientation from there; ``PIL.ImageOps.exif_transpose`` applies
it). Which of them travel is a selection like cwebp's ``-metadata``: ``"all"`` (the default),
``"none"``, or some of ``icc``, ``exif`` and ``xmp`` (:func:`parse_selection`).

- EXIF comes only from real EXIF: the EXIF block of a JPEG, PNG, WebP or AVIF file as read, the
  tags set on an image in memory (``image.getexif()``), and for a TIFF only the EXIF and GPS
  directories and the descriptive tags (orientation, camera, date, ...), never the TIFF's own
  structure (strip offsets, its ICC profile, ...).
- A profile that describes another colour space than the one stored (a CMYK profile on an image
  converted to RGB) would make viewers show wrong colours, so it is dropped with a warning.
- XMP is stored in a section of type 8 (:data:`~aecodec.bitstream.container.SectionType.XMP`),
  which aecodec 0.1.0 does not read; files without XMP are as before.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from PIL import ExifTags, Image

from aecodec.bitstream.container import ImageMode, SectionType

_ICC_SIGNATURE = b"acsp"
_GREY_MODES = (ImageMode.L, ImageMode.LA)
KINDS = {"icc": ("icc_profile", SectionType.ICC_PROFILE), "exif": ("exif", SectionType.EXIF),
         "xmp": ("xmp", SectionType.XMP)}
"""Each kind's name in a selection: its key in Pillow's ``image.info`` and its section."""
ALL = frozenset(KINDS)
_TIFF_EXIF_TAGS = (0x010E, 0x010F, 0x0110, 0x0112, 0x011A, 0x011B, 0x0128, 0x0131, 0x0132, 0x013B, 0x013E,
                   0x013F, 0x0211, 0x0213, 0x0214, 0x8298)
"""IFD0 tags EXIF describes an image with (description, make, model, orientation, resolution,
software, date, artist, chromaticities, YCbCr, copyright): what a TIFF's EXIF keeps of its tags."""
_EXIF_DIRECTORIES = (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo)


def parse_selection(value: str | Iterable[str]) -> frozenset[str]:
    """``"all"``, ``"none"``, ``"icc,exif"`` (or an iterable of kinds, empty for none) as a set of kinds.

    >>> sorted(parse_selection("exif, ICC"))
    ['exif', 'icc']
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [name.strip().lower() for name in names if name.strip()]
    if names in (["all"], ["none"]):
        return ALL if names == ["all"] else frozenset()
    unknown = sorted(set(names) - ALL)
    if unknown or (isinstance(value, str) and not names):
        raise ValueError(f"metadata must be all, none or some of icc,exif,xmp (comma-separated), not {value!r}")
    return frozenset(names)


def source_metadata(image: Image.Image) -> dict[str, bytes]:
    """The ICC profile, EXIF and XMP of ``image`` as bytes, by their ``info`` key (absent ones left
    out); EXIF only from real EXIF (see the module). Call before converting the image."""
    found = {"icc_profile": image.info.get("icc_profile"), "exif": _exif(image), "xmp": image.info.get("xmp")}
    return {key: _as_bytes(value) for key, value in found.items() if value}


def metadata_sections(image: Image.Image, mode: ImageMode, keep: Iterable[str] = ALL) -> dict[SectionType, bytes]:
    """The ICC, EXIF and XMP sections for ``image`` stored as ``mode``, of the kinds in ``keep``."""
    found = source_metadata(image)
    sections = {section: found[key] for name, (key, section) in KINDS.items() if name in keep and key in found}
    if SectionType.ICC_PROFILE in sections and not _profile_fits(sections[SectionType.ICC_PROFILE], mode):
        del sections[SectionType.ICC_PROFILE]
    return sections


def attach_metadata(image: Image.Image, sections: dict[SectionType, bytes]) -> None:
    """Put the stored ICC profile, EXIF and XMP into ``image.info``."""
    for key, section in KINDS.values():
        if section in sections:
            image.info[key] = sections[section]


def colour_space(profile: bytes) -> bytes | None:
    """The data colour space of an ICC profile (``b"RGB "``, ``b"GRAY"``, ``b"CMYK"`` ...), or None
    when the bytes do not carry an ICC header."""
    if len(profile) < 128 or profile[36:40] != _ICC_SIGNATURE:
        return None
    return bytes(profile[16:20])


def _profile_fits(profile: bytes, mode: ImageMode) -> bool:
    space = colour_space(profile)
    expected = b"GRAY" if mode in _GREY_MODES else b"RGB "
    if space is not None and space != expected:
        warnings.warn(f"ICC profile for {space.decode('ascii', 'replace').strip()} data dropped: "
                      f"the image is stored as {mode.name}", stacklevel=5)
        return False
    return True


def _exif(image: Image.Image) -> bytes | None:
    """Real EXIF: as read from the file, from a TIFF's EXIF tags, else the image's ``getexif()``."""
    raw = image.info.get("exif")
    if raw:
        return _as_bytes(raw)
    if image.format == "TIFF":
        return _tiff_exif(image)
    tags = image.getexif()
    return tags.tobytes() if len(tags) else None


def _tiff_exif(image: Image.Image) -> bytes | None:
    """A TIFF's descriptive tags and EXIF and GPS directories as an EXIF block; None if none."""
    tags = image.getexif()
    exif = Image.Exif()
    for tag in _TIFF_EXIF_TAGS:
        if tag in tags:
            exif[tag] = tags[tag]
    for directory in _EXIF_DIRECTORIES:
        entries = tags.get_ifd(directory)
        if entries:
            exif[directory] = dict(entries)
    return exif.tobytes() if len(exif) else None


def _as_bytes(value: bytes | str | Image.Exif) -> bytes:
    if isinstance(value, Image.Exif):
        return value.tobytes()
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)
