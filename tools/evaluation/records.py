"""Typed records of an evaluation: single measurements, averaged points, curves, the whole run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aecodec.tools.evaluation.image_sets import ImageSet
    from aecodec.tools.evaluation.machine import MachineInfo
    from aecodec.tools.evaluation.viewer_records import ViewerImage


@dataclass(frozen=True)
class Measurement:
    """One codec at one quality on one image. Rate in bits per pixel of the whole file, PSNR in dB,
    MS-SSIM in 0…1 (``None`` when the image is too small), times in milliseconds; the PSNR of luma
    and chroma (full-range BT.601 Y, Cb, Cr, dB; ``None`` in runs recorded before they were measured)."""

    codec: str
    quality: float
    image: str
    width: int
    height: int
    file_bytes: int
    bpp: float
    psnr: float
    ms_ssim: float | None
    encode_ms: float
    decode_ms: float
    psnr_y: float | None = None
    psnr_cb: float | None = None
    psnr_cr: float | None = None


@dataclass(frozen=True)
class RDPoint:
    """Means over the images of one codec at one quality (``ms_ssim`` and the component PSNRs
    ``None`` if any image lacks them)."""

    quality: float
    bpp: float
    psnr: float
    ms_ssim: float | None
    encode_ms: float
    decode_ms: float
    psnr_y: float | None = None
    psnr_cb: float | None = None
    psnr_cr: float | None = None


@dataclass(frozen=True)
class Curve:
    """A rate–distortion curve: ``bpp``, ``psnr`` (dB) and optionally ``ms_ssim``, point by point."""

    name: str
    bpp: tuple[float, ...]
    psnr: tuple[float, ...]
    ms_ssim: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.bpp) != len(self.psnr) or (self.ms_ssim is not None and len(self.ms_ssim) != len(self.bpp)):
            raise ValueError(f"curve {self.name!r}: bpp, psnr and ms_ssim need the same number of points")


@dataclass(frozen=True)
class CodecResult:
    """Everything measured for one codec: averaged ``points`` by quality and the ``per_image`` measurements."""

    name: str
    description: str
    points: tuple[RDPoint, ...]
    per_image: tuple[Measurement, ...]

    def curve(self) -> Curve:
        """The averaged points as a :class:`Curve` named after the codec."""
        return Curve(self.name, tuple(p.bpp for p in self.points), tuple(p.psnr for p in self.points),
                     complete([p.ms_ssim for p in self.points]))


@dataclass(frozen=True)
class ReferenceSet:
    """Published curves loaded from a file, with the file's own description (``about``)."""

    source: str
    about: str
    curves: tuple[Curve, ...]
    images: ImageSet | None = None
    """The images the curves were measured on, as the file names them; ``None`` when it does not."""


@dataclass(frozen=True)
class Caveat:
    """A reason a number in the report can mislead: ``kind`` is ``"reference-images"``,
    ``"few-points"`` or ``"overlap"``; ``curves`` names the curves it concerns."""

    kind: str
    message: str
    curves: tuple[str, ...] = ()


@dataclass(frozen=True)
class Environment:
    """Where a run happened: the machine record of :mod:`aecodec.tools.evaluation.machine` and library versions."""

    machine: MachineInfo
    libraries: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """A finished run. ``bd_rate[test][reference]`` is the BD-rate in percent, ``None`` where undefined;
    ``dataset`` names the image set in titles; ``caveats`` warn where numbers can mislead."""

    images: tuple[str, ...]
    environment: Environment
    jobs: int
    started: str
    seconds: float
    codecs: tuple[CodecResult, ...]
    skipped: dict[str, str]
    references: ReferenceSet | None
    bd_rate: dict[str, dict[str, float | None]]
    dataset: str = "images"
    caveats: tuple[Caveat, ...] = ()
    viewer: tuple[ViewerImage, ...] = ()
    """Crops of chosen images at matched file sizes (:mod:`~aecodec.tools.evaluation.viewer`)."""
    recorded: str | None = None
    """The ``rd.json`` the measurements were read from when they come from an earlier run, with
    when this report was made: ``"PATH, report made TIME"``."""


def complete(values: Sequence[float | None]) -> tuple[float, ...] | None:
    """``values`` as a tuple, or ``None`` when any of them is missing."""
    present = tuple(v for v in values if v is not None)
    return present if len(present) == len(values) else None
