"""Warnings where a report's numbers can mislead.

- ``reference-images``: published curves measured on other images than the run's (or on images
  the file does not name);
- ``few-points``: a BD-rate resting on a curve with fewer than four usable points (Bjøntegaard's
  method fits four or more);
- ``overlap``: two curves whose PSNR ranges overlap over less than half of the narrower one, so
  their BD-rate averages over a sliver.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from aecodec.tools.evaluation.bd import usable_points
from aecodec.tools.evaluation.image_sets import same_images
from aecodec.tools.evaluation.records import Caveat, Curve, ReferenceSet

MIN_BD_POINTS = 4
MIN_OVERLAP_FRACTION = 0.5


def reference_caveats(references: ReferenceSet | None, images: Sequence[str], dataset: str) -> list[Caveat]:
    """A caveat when ``references`` were measured on other images than ``images`` (named ``dataset``)."""
    if references is None:
        return []
    measured_on = references.images
    if measured_on is None:
        return [Caveat("reference-images", f"The reference curves in {references.source} do not say which images "
                       "they were measured on; BD-rates against them assume the same images as this run.")]
    if same_images(measured_on, images):
        return []
    return [Caveat("reference-images",
                   f"The reference curves were measured on {measured_on.name} ({measured_on.count} images); this "
                   f"run measured {len(images)} image(s) of {dataset}. BD-rates and gaps against them compare "
                   "different images and say little about the codecs.")]


def curve_caveats(measured: Sequence[Curve], published: Sequence[Curve]) -> list[Caveat]:
    """Few-point and overlap caveats for the BD-rates between ``measured`` curves and all curves."""
    caveats = [_few_points(curve) for curve in [*measured, *published]]
    pairs = [(a, b) for a, b in combinations([*measured, *published], 2) if a in measured or b in measured]
    caveats += [_overlap(a, b) for a, b in pairs]
    return [caveat for caveat in caveats if caveat is not None]


def flags_pair(caveats: Sequence[Caveat], first: str, second: str) -> bool:
    """Whether a caveat concerns the BD-rate between curves ``first`` and ``second``."""
    return any((c.kind == "few-points" and (first in c.curves or second in c.curves))
               or (c.kind == "overlap" and {first, second} == set(c.curves)) for c in caveats)


def _few_points(curve: Curve) -> Caveat | None:
    count = len(usable_points(curve)[0])
    if count >= MIN_BD_POINTS:
        return None
    return Caveat("few-points", f"`{curve.name}` has {count} usable point(s), fewer than {MIN_BD_POINTS}: "
                  "its BD-rates interpolate between too few points to be reliable.", (curve.name,))


def _overlap(first: Curve, second: Curve) -> Caveat | None:
    a, b = usable_points(first)[1], usable_points(second)[1]
    if len(a) < 2 or len(b) < 2:
        return None
    overlap = min(a[-1], b[-1]) - max(a[0], b[0])
    narrower = min(a[-1] - a[0], b[-1] - b[0])
    if overlap <= 0 or overlap >= MIN_OVERLAP_FRACTION * narrower:
        return None
    return Caveat("overlap", f"`{first.name}` and `{second.name}` overlap over {overlap:.2f} dB of PSNR, "
                  f"{100 * overlap / narrower:.0f}% of the narrower curve: their BD-rate averages over a sliver.",
                  (first.name, second.name))
