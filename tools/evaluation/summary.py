"""Averaging measurements over images into one rate–distortion point per codec and quality."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from aecodec.tools.evaluation.records import CodecResult, Measurement, RDPoint, complete


def average_point(measurements: Sequence[Measurement]) -> RDPoint:
    """Mean bpp, PSNR, MS-SSIM, component PSNRs and times over the images of one codec at one quality."""
    return RDPoint(
        quality=measurements[0].quality,
        bpp=fmean(m.bpp for m in measurements),
        psnr=fmean(m.psnr for m in measurements),
        ms_ssim=_mean_of_all([m.ms_ssim for m in measurements]),
        encode_ms=fmean(m.encode_ms for m in measurements),
        decode_ms=fmean(m.decode_ms for m in measurements),
        psnr_y=_mean_of_all([m.psnr_y for m in measurements]),
        psnr_cb=_mean_of_all([m.psnr_cb for m in measurements]),
        psnr_cr=_mean_of_all([m.psnr_cr for m in measurements]),
    )


def _mean_of_all(values: Sequence[float | None]) -> float | None:
    """The mean, or ``None`` when any image lacks the value."""
    present = complete(values)
    return None if present is None else fmean(present)


def codec_result(name: str, description: str, measurements: Sequence[Measurement]) -> CodecResult:
    """The result of codec ``name``: its measurements grouped by quality (in first-seen order) and averaged."""
    mine = [m for m in measurements if m.codec == name]
    qualities = list(dict.fromkeys(m.quality for m in mine))
    points = tuple(average_point([m for m in mine if m.quality == q]) for q in qualities)
    return CodecResult(name, description, points, tuple(mine))
