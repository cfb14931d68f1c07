"""Rate–distortion plots (matplotlib, Agg): RGB PSNR and MS-SSIM (dB) against whole-file bpp, side
by side, as PNG and SVG; and one small PSNR panel per image.

The rate axis spans our curves (aecodec's, or every measured curve when aecodec was not run) with
a margin; other curves are drawn where they pass through that window (clipped, not squashing
it), and the value axis spans what is visible. Styles come from
:mod:`~aecodec.tools.evaluation.report.plot_styles`; the legend groups curves by family.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from aecodec.tools.evaluation.metrics import ms_ssim_db
from aecodec.tools.evaluation.records import Curve

if TYPE_CHECKING:
    from matplotlib.artist import Artist

from aecodec.tools.evaluation.report.plot_styles import FAMILIES, FAMILY_TITLES, CurveStyle, assign_styles, legend_label

METRICS = {"psnr": "RGB PSNR (dB)", "ms_ssim": "MS-SSIM (dB), −10·log10(1 − MS-SSIM)"}
RATE_LABEL = "bits per pixel (whole file)"
RATE_MARGIN = (0.85, 1.08)
"""The rate window runs from 0.85× the lowest to 1.08× the highest rate of our curves."""


@dataclass(frozen=True)
class Line:
    """One curve ready to draw: legend label, style, and its points by increasing rate."""

    label: str
    style: CurveStyle
    curve: Curve
    published: bool


def curve_values(curve: Curve, metric: str) -> tuple[list[float], list[float]] | None:
    """Rates and values of ``metric`` (``"psnr"``, or ``"ms_ssim"`` in dB) by increasing rate; ``None`` if absent."""
    if metric == "psnr":
        values = list(curve.psnr)
    elif curve.ms_ssim is None:
        return None
    else:
        values = [ms_ssim_db(v) for v in curve.ms_ssim]
    pairs = sorted(zip(curve.bpp, values, strict=True))
    return [rate for rate, _ in pairs], [value for _, value in pairs]


def make_lines(measured: Sequence[Curve], published: Sequence[Curve]) -> list[Line]:
    """Measured then published curves with their styles."""
    styles = assign_styles([c.name for c in measured], [c.name for c in published])
    return [Line(legend_label(c.name, flag), styles[legend_label(c.name, flag)], c, flag)
            for curves, flag in ((measured, False), (published, True)) for c in curves]


def rate_window(lines: Sequence[Line]) -> tuple[float, float]:
    """The bpp range to show: around our curves, or around all measured curves without ours."""
    focus = [line for line in lines if line.style.family == "ours"] or [line for line in lines if not line.published]
    rates = [rate for line in focus for rate in line.curve.bpp] or [rate for line in lines for rate in line.curve.bpp]
    return RATE_MARGIN[0] * min(rates), RATE_MARGIN[1] * max(rates)


def clipped(rates: list[float], values: list[float], window: tuple[float, float]) -> tuple[list[float], list[float]]:
    """The points inside ``window`` plus the nearest outside on each side, so a line reaches the edge."""
    inside = [i for i, rate in enumerate(rates) if window[0] <= rate <= window[1]]
    if not inside:
        left = [i for i, rate in enumerate(rates) if rate < window[0]]
        inside = [left[-1]] if left and left[-1] + 1 < len(rates) else []
    if not inside:
        return [], []
    first, last = max(inside[0] - 1, 0), min(inside[-1] + 1, len(rates) - 1)
    return rates[first:last + 1], values[first:last + 1]


def value_window(lines: Sequence[Line], metric: str, window: tuple[float, float]) -> tuple[float, float] | None:
    """The value range of everything drawn inside the rate window (edges interpolated), with margins."""
    seen: list[float] = []
    for line in lines:
        values = curve_values(line.curve, metric)
        if values:
            seen += _visible_values(*values, window)
    if not seen:
        return None
    low, high = min(seen), max(seen)
    margin = 0.04 * (high - low or 1.0)
    return low - margin, high + margin


def _visible_values(rates: list[float], values: list[float], window: tuple[float, float]) -> list[float]:
    seen = [value for rate, value in zip(rates, values, strict=True) if window[0] <= rate <= window[1]]
    for edge in window:
        for (r0, v0), (r1, v1) in pairwise(zip(rates, values, strict=True)):
            if r0 < edge < r1:
                seen.append(v0 + (v1 - v0) * (edge - r0) / (r1 - r0))
    return seen


def draw_panel(axes, lines: Sequence[Line], metric: str, window: tuple[float, float], small: bool = False) -> bool:
    """Draw every line that has ``metric`` into ``axes`` within the rate window; False if none had it."""
    drawn = False
    for line in lines:
        values = curve_values(line.curve, metric)
        if not values:
            continue
        rates, scores = clipped(*values, window)
        style = line.style
        axes.plot(rates, scores, color=style.color, linestyle=style.linestyle, marker=style.marker,
                  linewidth=style.linewidth * (0.7 if small else 1.0), markersize=3 if small else 5,
                  markerfacecolor=style.color if style.filled else "white", zorder=style.zorder, label=line.label)
        drawn = True
    axes.set_xlim(*window)
    limits = value_window(lines, metric, window)
    if limits:
        axes.set_ylim(*limits)
    axes.grid(True, alpha=0.3)
    return drawn


def plot_rd(measured: Sequence[Curve], published: Sequence[Curve], stem: Path, title: str) -> list[Path]:
    """Write ``stem``.png and ``stem``.svg: PSNR and MS-SSIM (dB) panels and one grouped legend."""
    plt = _pyplot()
    lines = make_lines(measured, published)
    window = rate_window(lines)
    figure, panels = plt.subplots(1, 2, figsize=(15, 6.2), layout="constrained")
    for axes, metric in zip(panels, METRICS, strict=True):
        axes.set_title({"psnr": "PSNR", "ms_ssim": "MS-SSIM"}[metric])
        if not draw_panel(axes, lines, metric, window):
            axes.text(0.5, 0.5, "no MS-SSIM (images under 161 pixels)", ha="center", transform=axes.transAxes)
        axes.set_xlabel(RATE_LABEL)
        axes.set_ylabel(METRICS[metric])
    figure.suptitle(title)
    _grouped_legend(figure, panels[0], lines)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    _save_png(figure, paths[0], dpi=130)
    figure.savefig(paths[1], metadata={"Date": None})
    plt.close(figure)
    return paths


def plot_per_image(curves: dict[str, list[Curve]], path: Path, title: str, columns: int = 6) -> None:
    """One small PSNR panel per image (``curves[image]`` are the codecs' curves on it) into a PNG."""
    plt = _pyplot()
    names = list(curves)
    rows = math.ceil(len(names) / columns)
    width = min(columns, len(names))
    figure, grid = plt.subplots(rows, width, figsize=(3.0 * width, 2.4 * rows + 0.8), squeeze=False,
                                layout="constrained")
    for axes, name in zip(grid.flat, names, strict=False):
        lines = make_lines(curves[name], [])
        draw_panel(axes, lines, "psnr", rate_window(lines), small=True)
        axes.set_title(name, fontsize=9)
        axes.tick_params(labelsize=7)
    for axes in list(grid.flat)[len(names):]:
        axes.set_visible(False)
    handles, labels = grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside upper center", ncol=min(len(labels), 9), fontsize=8,
                  title=title, title_fontsize=10, frameon=False)
    figure.supxlabel(RATE_LABEL, fontsize=9)
    figure.supylabel(METRICS["psnr"], fontsize=9)
    _save_png(figure, path, dpi=90)
    plt.close(figure)


def _grouped_legend(figure, axes, lines: Sequence[Line]) -> None:
    """One legend right of the panels, a bold heading over each family's curves."""
    from matplotlib.lines import Line2D

    by_label = dict(zip(*reversed(axes.get_legend_handles_labels()), strict=True))
    handles: list[Artist] = []
    labels: list[str] = []
    headings: list[int] = []
    for family in FAMILIES:
        members = [line.label for line in lines if line.style.family == family and line.label in by_label]
        if members:
            headings.append(len(labels))
            handles.append(Line2D([], [], linestyle="none"))
            labels.append(FAMILY_TITLES[family])
            handles += [by_label[label] for label in members]
            labels += members
    legend = figure.legend(handles, labels, loc="outside right upper", fontsize=8, handlelength=3.2)
    for index in headings:
        legend.get_texts()[index].set_fontweight("bold")


def _save_png(figure, path: Path, dpi: int) -> None:
    """Save ``figure`` as a 256-colour PNG (a plot's few colours and their anti-aliasing fit; a
    quarter of the bytes of full colour)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, optimize=True)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
