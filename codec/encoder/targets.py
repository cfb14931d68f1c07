"""Compress to a target instead of a quality: a bits-per-pixel rate, a file size or a PSNR.

``compress_to_target`` searches the continuous quality (see :mod:`aecodec.codec.encoder.quality_search`)
for the file that measures within 3 % of the target, or the closest one the quality range allows,
and says which in its result. bpp and size count the whole file, header included; PSNR is
measured on 8-bit RGB, as ``aecodec compress -v`` prints it.

>>> import numpy as np
>>> from aecodec import compress_to_target
>>> result = compress_to_target(np.full((16, 16, 3), 90, dtype=np.uint8), size=10**6)
>>> result.met, result.quality
(False, 100.0)
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from aecodec.codec.decoder.api import decompress
from aecodec.codec.encoder.api import compress
from aecodec.codec.encoder.effort import DEFAULT_EFFORT
from aecodec.codec.encoder.quality_search import DEFAULT_TOLERANCE, Search, Trial, find_quality
from aecodec.codec.images import planes
from aecodec.codec.images.distortion import psnr_db


class TargetKind(enum.Enum):
    """What a target measures; the value is the unit printed after a number."""

    BPP = "bpp"
    SIZE = "bytes"
    PSNR = "dB"


@dataclass(frozen=True)
class Target:
    """A goal for the whole file: ``value`` bits per pixel, bytes, or dB of PSNR; positive."""

    kind: TargetKind
    value: float

    def __post_init__(self) -> None:
        if not self.value > 0:
            raise ValueError(f"a target must be positive, got {self.value:g} {self.kind.value}")

    def __str__(self) -> str:
        return f"{self.value:g} {self.kind.value}"

    @classmethod
    def from_options(cls, bpp: float | None = None, size: int | None = None,
                     psnr: float | None = None) -> Target | None:
        """The one target given, None when none is; several at once are a ValueError."""
        given = [(kind, value) for kind, value in
                 ((TargetKind.BPP, bpp), (TargetKind.SIZE, size), (TargetKind.PSNR, psnr)) if value is not None]
        if len(given) > 1:
            raise ValueError("give one target only: bpp, size or psnr")
        return cls(*given[0]) if given else None


@dataclass(frozen=True)
class TargetResult:
    """The chosen file. ``achieved`` is in the target's unit; ``met`` when within the tolerance."""

    data: bytes
    quality: float
    achieved: float
    target: Target
    met: bool
    encodes: int

    def shortfall(self) -> str:
        """One line for a target that could not be met."""
        return (f"target {self.target} cannot be met; the closest is "
                f"{self.achieved:.4g} {self.target.kind.value} at quality {self.quality:g}")


def compress_to_target(image: Image.Image | np.ndarray, *, bpp: float | None = None, size: int | None = None,
                       psnr: float | None = None, device: str = "cpu",
                       tolerance: float = DEFAULT_TOLERANCE, effort: int = DEFAULT_EFFORT,
                       not_above: bool = False, metadata: str | Iterable[str] = "all",
                       model: int | None = None) -> TargetResult:
    """Encode ``image`` to the quality that meets exactly one of ``bpp``, ``size`` (bytes) or ``psnr`` (dB).

    Takes the same images (and ``model``) as :func:`aecodec.compress`; ``tolerance`` is relative (0.03 = 3 %).
    Every trial encode runs at ``effort``, so the search costs a few encodes at that effort.
    With ``not_above`` the target is a budget: the file closest to it whose size, bpp or PSNR is not
    above it (quality 0's file when even that is above).
    """
    target = Target.from_options(bpp, size, psnr)
    if target is None:
        raise ValueError("give a target: bpp, size or psnr")
    return encode_for_target(image, target, device, tolerance, effort, not_above, metadata, model)


def encode_for_target(image: Image.Image | np.ndarray, target: Target, device: str = "cpu",
                      tolerance: float = DEFAULT_TOLERANCE, effort: int = DEFAULT_EFFORT,
                      not_above: bool = False, metadata: str | Iterable[str] = "all",
                      model: int | None = None) -> TargetResult:
    """:func:`compress_to_target` with a :class:`Target` record; ``metadata`` and ``model`` as for
    :func:`aecodec.compress` (metadata bytes count toward a size or bpp target)."""
    pil = planes.to_pil(image)
    width, height = pil.size
    if target.kind is TargetKind.PSNR:
        search = find_quality(_psnr_measure(pil, device, effort, metadata, model), target.value, tolerance, not_above=not_above)
        achieved = search.best.value
    else:
        bytes_per_unit = width * height / 8 if target.kind is TargetKind.BPP else 1.0
        search = find_quality(_size_measure(pil, device, effort, metadata, model), target.value * bytes_per_unit, tolerance,
                              not_above=not_above)
        achieved = search.best.value / bytes_per_unit
    return _result(search, achieved, target)


def rgb_psnr(reference: Image.Image, decoded: Image.Image) -> float:
    """PSNR in dB between two same-size images compared as 8-bit RGB (inf when identical)."""
    return psnr_db(_rgb(reference), _rgb(decoded))


def _size_measure(pil: Image.Image, device: str, effort: int, metadata: str | Iterable[str], model: int | None):
    def measure(quality: float) -> Trial:
        data = compress(pil, quality=quality, device=device, effort=effort, metadata=metadata, model=model)
        return Trial(quality, float(len(data)), data)

    return measure


def _psnr_measure(pil: Image.Image, device: str, effort: int, metadata: str | Iterable[str], model: int | None):
    reference = _rgb(pil)

    def measure(quality: float) -> Trial:
        data = compress(pil, quality=quality, device=device, effort=effort, metadata=metadata, model=model)
        return Trial(quality, psnr_db(reference, _rgb(decompress(data, device=device))), data)

    return measure


def _result(search: Search, achieved: float, target: Target) -> TargetResult:
    best = search.best
    return TargetResult(best.payload, best.quality, achieved, target, search.met, search.trials)


def _rgb(image: Image.Image) -> np.ndarray:
    """``[H, W, 3]`` float64 samples in 0-255."""
    return np.asarray(image.convert("RGB"), dtype=np.float64)

