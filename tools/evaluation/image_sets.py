"""Which images a run measured, by name: the data set's display name and known sets such as Kodak.

Published curves belong to one image set; comparing them with a run on other images misleads.
A reference-curves file names its set either with an ``"images"`` list of file names (stems) or in
its ``about`` text as ``NAME (N images)`` (``kodak_published.json`` says "Kodak (24 images)").

>>> known_set("Kodak", 24).names[:2]
('kodim01', 'kodim02')
>>> dataset_name(["/data/kodak/kodim01.png"])
'kodak'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

KODAK_NAMES = tuple(f"kodim{index:02d}" for index in range(1, 25))
KNOWN_SETS = {"kodak": ("Kodak", KODAK_NAMES)}
"""Sets recognised by name (lower case) in an ``about`` text: display name and image stems."""

_COUNTED_SET = re.compile(r"([A-Za-z][\w.-]*)\s*\((\d+)\s+images?\)")


@dataclass(frozen=True)
class ImageSet:
    """A named set of images; ``names`` are file stems (lower case), empty when only ``count`` is known."""

    name: str
    count: int
    names: tuple[str, ...] = ()


def known_set(name: str, count: int) -> ImageSet:
    """The set called ``name`` with ``count`` images, with its file names when the set is known."""
    display, names = KNOWN_SETS.get(name.lower(), (name, ()))
    return ImageSet(display, count, names if len(names) == count else ())


def set_from_about(about: str) -> ImageSet | None:
    """The set an ``about`` text names as ``NAME (N images)``; ``None`` when it names none."""
    match = _COUNTED_SET.search(about)
    return known_set(match.group(1), int(match.group(2))) if match else None


def set_from_names(names: Sequence[str], about: str) -> ImageSet:
    """The set given by an explicit list of file names, named as the ``about`` text names it."""
    named = set_from_about(about)
    return ImageSet(named.name if named else "reference images", len(names),
                    tuple(sorted(Path(name).stem.lower() for name in names)))


def image_stems(images: Sequence[str]) -> tuple[str, ...]:
    """The evaluated images' file stems, lower case and sorted."""
    return tuple(sorted(Path(image).stem.lower() for image in images))


def same_images(reference: ImageSet, images: Sequence[str]) -> bool:
    """Whether ``images`` are the reference set's images (by stem when it lists them, else by count)."""
    if reference.names:
        return image_stems(images) == tuple(sorted(reference.names))
    return len(images) == reference.count


def dataset_name(images: Sequence[str]) -> str:
    """The display name of the evaluated set: a known set's name when the images are exactly it,
    else the name of the folder holding the first image."""
    stems = image_stems(images)
    for display, names in KNOWN_SETS.values():
        if stems == tuple(sorted(names)):
            return display
    return Path(images[0]).resolve().parent.name or "images"
