"""Rate–distortion plots (matplotlib, Agg backend): PSNR vs bpp and MS-SSIM (dB) vs bpp.

Measured curves are solid lines with markers; reference curves are dashed. The view spans the
measured rates (with a margin), so far-off reference points do not squash the plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from aecodec.tools.evaluation.metrics import ms_ssim_db
from aecodec.tools.evaluation.records import Curve

METRICS = {"psnr": "RGB PSNR (dB)", "ms_ssim": "MS-SSIM (dB), −10·log10(1 − MS-SSIM)"}


def curve_values(curve: Curve, metric: str) -> tuple[list[float], list[float]] | None:
    """Rates and values of ``metric`` (``"psnr"`` or ``"ms_ssim"``, the latter in dB); ``None`` if absent."""
    if metric == "psnr":
        return list(curve.bpp), list(curve.psnr)
    if curve.ms_ssim is None:
        return None
    return list(curve.bpp), [ms_ssim_db(v) for v in curve.ms_ssim]


def plot_rd(measured: Sequence[Curve], references: Sequence[Curve], metric: str, path: Path, title: str) -> None:
    """Draw every curve that has ``metric`` into a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(11, 6), dpi=120)
    visible = _draw(axes, measured, references, metric, plt.get_cmap("tab10"), plt.get_cmap("tab20b"))
    _frame(axes, visible, metric, title)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _draw(axes, measured: Sequence[Curve], references: Sequence[Curve], metric: str,
          measured_colours, reference_colours) -> list[tuple[float, float]]:
    """Plot the curves, measured and published in separate palettes; returns the measured points."""
    points: list[tuple[float, float]] = []
    for index, curve in enumerate(measured):
        values = curve_values(curve, metric)
        if values:
            order = sorted(range(len(values[0])), key=values[0].__getitem__)
            rates, scores = [values[0][i] for i in order], [values[1][i] for i in order]
            axes.plot(rates, scores, marker="o", markersize=4, linewidth=1.8, label=curve.name,
                      color=measured_colours(index % measured_colours.N))
            points.extend(zip(rates, scores, strict=True))
    for index, curve in enumerate(references):
        values = curve_values(curve, metric)
        if values:
            axes.plot(*values, linestyle="--", linewidth=1.0, label=f"{curve.name} (published)",
                      color=reference_colours((2 * index + 1) % reference_colours.N))
    return points


def _frame(axes, points: list[tuple[float, float]], metric: str, title: str) -> None:
    if points:
        right = 1.1 * max(rate for rate, _ in points)
        scores = [score for _, score in points]
        margin = 0.05 * (max(scores) - min(scores) or 1.0)
        axes.set_xlim(0.0, right)
        axes.set_ylim(min(scores) - 4 * margin, max(scores) + 2 * margin)
    axes.set_xlabel("bits per pixel (whole file)")
    axes.set_ylabel(METRICS[metric])
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    if axes.lines:
        axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
