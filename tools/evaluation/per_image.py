"""Per-image rate–distortion curves and BD-rates: each codec's points on one image."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aecodec.tools.evaluation.bd import bd_rate
from aecodec.tools.evaluation.codecs.base import LEARNED_CODEC_NAMES
from aecodec.tools.evaluation.records import CodecResult, Curve, complete


def image_curves(results: Sequence[CodecResult]) -> dict[str, list[Curve]]:
    """``curves[image]``: one curve per codec (named after it) through its points on that image,
    images in run order (keys are the image paths as recorded)."""
    images = list(dict.fromkeys(m.image for result in results for m in result.per_image))
    return {image: [_curve(result, image) for result in results] for image in images}


def _curve(result: CodecResult, image: str) -> Curve:
    points = [m for m in result.per_image if m.image == image]
    return Curve(result.name, tuple(m.bpp for m in points), tuple(m.psnr for m in points),
                 complete([m.ms_ssim for m in points]))


def comparison_pairs(names: Sequence[str]) -> list[tuple[str, str]]:
    """(test, reference) pairs of the per-image table: each learned codec against every other
    measured codec; without a learned codec, the first codec against the others."""
    tests = [name for name in names if name in LEARNED_CODEC_NAMES] or list(names[:1])
    return [(test, other) for test in tests for other in names if other not in tests]


def per_image_bd(curves: dict[str, list[Curve]], pairs: Sequence[tuple[str, str]]) -> dict[str, list[float | None]]:
    """``table[image stem]``: the BD-rate (percent) of each pair on that image, in pair order."""
    table: dict[str, list[float | None]] = {}
    for image, image_curves_ in curves.items():
        by_name = {curve.name: curve for curve in image_curves_}
        table[Path(image).stem] = [bd_rate(by_name[reference], by_name[test]) for test, reference in pairs]
    return table
