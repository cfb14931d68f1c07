"""How each curve looks in the plots: its family (ours, learned, classical), colour, marker, line.

Ours are the aecodec curves (thick, warm colours; each encoder effort its own colour, marker and
dash, so effort 3 does not hide effort 0). Measured classical codecs are solid, published curves
dashed (classical) or dash-dotted (learned), with hollow markers. No two curves of a plot share a
colour while the palettes last.

>>> style_for("aecodec-e3", published=False).family
'ours'
>>> style_for("ELIC (paper)", published=True).family
'learned'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aecodec.tools.evaluation.codecs.base import LEARNED_CODEC_NAMES

FAMILIES = ("ours", "learned", "classical")
FAMILY_TITLES = {"ours": "ours (aecodec)", "learned": "learned (published)", "classical": "classical"}
LEARNED_KEYWORDS = ("bmshj", "mbt20", "cheng20", "elic", "balle", "minnen", "hyperprior", "factorized", "learned")
"""Words that mark a published curve as a learned codec (CompressAI's model names and the like)."""

OURS = {0: ("#d62728", "-", "o"), 1: ("#f781bf", (0, (5, 1)), "v"), 2: ("#ff7f0e", "-.", "^"),
        3: ("#67000d", (0, (4, 1.5)), "D"), 4: ("#fb9a99", ":", "s"), 5: ("#6a3d9a", (0, (2, 1)), "*")}
MEASURED_COLOURS = ("#1f77b4", "#2ca02c", "#17becf", "#9467bd", "#bcbd22", "#7f7f7f", "#aec7e8", "#98df8a")
PUBLISHED_CLASSICAL_COLOURS = ("#000000", "#8c564b", "#393b79", "#637939", "#e377c2", "#c49c94")
PUBLISHED_LEARNED_COLOURS = ("#ff7f0e", "#e7ba52", "#a55194", "#008080", "#6b6ecf", "#b5cf6b", "#7b4173")
MARKERS = ("s", "^", "v", "<", ">", "P", "X", "h", "p", "*")


@dataclass(frozen=True)
class CurveStyle:
    """Matplotlib line properties of one curve and the family its legend entry sits under."""

    family: str
    color: str
    linestyle: object
    marker: str
    linewidth: float
    filled: bool
    zorder: float


def family_of(name: str, published: bool) -> str:
    """``"ours"`` for aecodec's measured curves, ``"learned"`` for published learned codecs, else ``"classical"``."""
    if not published and name in LEARNED_CODEC_NAMES:
        return "ours"
    if published and any(word in name.lower() for word in LEARNED_KEYWORDS):
        return "learned"
    return "classical"


def style_for(name: str, published: bool, index: int = 0) -> CurveStyle:
    """The style of curve ``name``; ``index`` is its rank within its family and kind (for colours)."""
    family = family_of(name, published)
    if family == "ours":
        color, dashes, marker = OURS[LEARNED_CODEC_NAMES.index(name)]
        return CurveStyle(family, color, dashes, marker, 2.4, True, 5 - 0.1 * LEARNED_CODEC_NAMES.index(name))
    marker = MARKERS[index % len(MARKERS)]
    if not published:
        return CurveStyle(family, MEASURED_COLOURS[index % len(MEASURED_COLOURS)], "-", marker, 1.5, True, 3)
    colours = PUBLISHED_LEARNED_COLOURS if family == "learned" else PUBLISHED_CLASSICAL_COLOURS
    dashes = "-." if family == "learned" else "--"
    return CurveStyle(family, colours[index % len(colours)], dashes, marker, 1.2, False, 2)


def assign_styles(measured: Sequence[str], published: Sequence[str]) -> dict[str, CurveStyle]:
    """Styles for every curve, keyed by legend label (published curves get " (published)")."""
    styles: dict[str, CurveStyle] = {}
    counts: dict[tuple[str, bool], int] = {}
    for names, is_published in ((measured, False), (published, True)):
        for name in names:
            key = (family_of(name, is_published), is_published)
            counts[key] = counts.get(key, 0) + 1
            styles[legend_label(name, is_published)] = style_for(name, is_published, counts[key] - 1)
    return styles


def legend_label(name: str, published: bool) -> str:
    """The legend text of a curve."""
    return f"{name} (published)" if published else name
