"""Loading published reference curves, such as ``kodak_published.json``.

The file is JSON: ``{"about": str, "curves": {NAME: {"bpp": [...], "psnr": [...], "ms_ssim":
[...]}}}`` with mean bpp, mean RGB PSNR (dB) and optionally mean MS-SSIM per point. The images the
curves were measured on come from an optional ``"images"`` list of file names, else from the
``about`` text's ``NAME (N images)`` (:mod:`~aecodec.tools.evaluation.image_sets`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aecodec.tools.evaluation.image_sets import ImageSet, set_from_about, set_from_names
from aecodec.tools.evaluation.records import Curve, ReferenceSet

SHIPPED_CURVES = {"kodak": Path(__file__).parent / "data" / "kodak_published.json"}
"""Reference files that ship with aecodec, by the name ``--reference-curves`` knows them by. The
Kodak curves are CompressAI's published results (InterDigitalInc/CompressAI, ``results/image/kodak``)."""


class ReferenceFileError(ValueError):
    """A reference-curves file that does not have the expected shape."""


def shipped_curves(path: Path) -> Path:
    """``path``, or the shipped file it names (``kodak``) when no such file exists."""
    return SHIPPED_CURVES.get(str(path), path) if not Path(path).exists() else path


def load_reference_curves(path: Path) -> ReferenceSet:
    """Read and check the curves in ``path``; raises :class:`ReferenceFileError`."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReferenceFileError(f"cannot read reference curves {path}: {error}") from None
    curves = document.get("curves") if isinstance(document, dict) else None
    if not isinstance(curves, dict) or not curves:
        raise ReferenceFileError(f"{path}: expected an object with a non-empty \"curves\" object")
    about = str(document.get("about", ""))
    return ReferenceSet(str(path), about, tuple(_curve(name, entry, path) for name, entry in curves.items()),
                        _images(document.get("images"), about, path))


def _images(names: Any, about: str, path: Path) -> ImageSet | None:
    if names is None:
        return set_from_about(about)
    if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
        raise ReferenceFileError(f"{path}: \"images\" must be a non-empty list of file names")
    return set_from_names(names, about)


def _curve(name: str, entry: Any, path: Path) -> Curve:
    if not isinstance(entry, dict):
        raise ReferenceFileError(f"{path}: curve {name!r} is not an object")
    bpp, psnr = _numbers(entry, "bpp", name, path), _numbers(entry, "psnr", name, path)
    ms_ssim = _numbers(entry, "ms_ssim", name, path) if "ms_ssim" in entry else None
    try:
        return Curve(name, bpp, psnr, ms_ssim)
    except ValueError as error:
        raise ReferenceFileError(f"{path}: {error}") from None


def _numbers(entry: dict, key: str, name: str, path: Path) -> tuple[float, ...]:
    values = entry.get(key)
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ReferenceFileError(f"{path}: curve {name!r} needs a list of numbers under {key!r}")
    return tuple(float(v) for v in values)
