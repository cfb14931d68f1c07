"""Averaging measurements over images into one rate–distortion point per codec and quality."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from aecodec.tools.evaluation.records import CodecResult, Measurement, RDPoint


def average_point(measurements: Sequence[Measurement]) -> RDPoint:
    """Mean bpp, PSNR, MS-SSIM and times over the images of one codec at one quality."""
    ms_ssim = [m.ms_ssim for m in measurements]
    return RDPoint(
        quality=measurements[0].quality,
        bpp=fmean(m.bpp for m in measurements),
        psnr=fmean(m.psnr for m in measurements),
        ms_ssim=None if any(v is None for v in ms_ssim) else fmean(ms_ssim),
        encode_ms=fmean(m.encode_ms for m in measurements),
        decode_ms=fmean(m.decode_ms for m in measurements),
    )


def codec_result(name: str, description: str, measurements: Sequence[Measurement]) -> CodecResult:
    """The result of codec ``name``: its measurements grouped by quality (in first-seen order) and averaged."""
    mine = [m for m in measurements if m.codec == name]
    qualities = list(dict.fromkeys(m.quality for m in mine))
    points = tuple(average_point([m for m in mine if m.quality == q]) for q in qualities)
    return CodecResult(name, description, points, tuple(mine))
