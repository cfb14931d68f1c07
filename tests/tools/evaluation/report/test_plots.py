"""Publishable plots: families and distinct styles, axes fitted to our curves, PNG and SVG with both panels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from aecodec.tools.evaluation.records import Curve
from aecodec.tools.evaluation.report.plot_styles import assign_styles, family_of
from aecodec.tools.evaluation.report.plots import clipped, make_lines, plot_per_image, plot_rd, rate_window, value_window

MEASURED = ("aecodec", "aecodec-e3", "jpeg", "jpeg444", "jpeg-default", "webp", "avif", "jxl", "pca")
PUBLISHED = ("VTM (VVC intra, 4:4:4)", "BPG 4:4:4 (HEVC intra)", "JPEG (Pillow 7.1.2)", "WebP (Pillow 7.1.2)",
             "AV1 (aomenc, 4:4:4)", "bmshj2018-factorized (Balle 2017)", "bmshj2018-hyperprior (Balle 2018)",
             "mbt2018-mean (Minnen 2018, no context)", "mbt2018 (Minnen 2018, autoregressive)", "cheng2020-anchor",
             "ELIC (paper)")


def curve(name: str, low: float, high: float, offset: float = 0.0) -> Curve:
    rates = tuple(low * (high / low) ** (i / 4) for i in range(5))
    return Curve(name, rates, tuple(30.0 + offset + 4 * i for i in range(5)),
                 tuple(0.9 + 0.02 * i for i in range(5)))


def test_families_split_ours_learned_and_classical() -> None:
    assert [family_of(name, False) for name in ("aecodec", "aecodec-e3", "jpeg", "pca")] == \
        ["ours", "ours", "classical", "classical"]
    assert family_of("ELIC (paper)", True) == "learned" and family_of("cheng2020-anchor", True) == "learned"
    assert family_of("VTM (VVC intra, 4:4:4)", True) == "classical"
    assert family_of("aecodec", True) == "classical"


def test_every_curve_of_the_kodak_plot_has_its_own_colour_and_efforts_differ() -> None:
    styles = assign_styles(MEASURED, PUBLISHED)
    assert len(styles) == len(MEASURED) + len(PUBLISHED)
    assert len({style.color for style in styles.values()}) == len(styles)
    effort0, effort3 = styles["aecodec"], styles["aecodec-e3"]
    assert effort0.linestyle != effort3.linestyle and effort0.marker != effort3.marker
    assert effort0.zorder > effort3.zorder > styles["jpeg"].zorder > styles["ELIC (paper) (published)"].zorder
    assert not styles["VTM (VVC intra, 4:4:4) (published)"].filled


def test_the_rate_axis_spans_our_curves_and_clips_the_others() -> None:
    lines = make_lines([curve("aecodec", 0.2, 0.9), curve("jpeg", 0.15, 4.0, -3)], [curve("VTM", 0.05, 3.6, 2)])
    low, high = rate_window(lines)
    assert low == pytest.approx(0.85 * 0.2) and high == pytest.approx(1.08 * 0.9)
    rates, _ = clipped(list(lines[1].curve.bpp), list(lines[1].curve.psnr), (low, high))
    inside = [rate for rate in rates if low <= rate <= high]
    assert rates[0] < low and rates[-1] > high and len(rates) == len(inside) + 2
    bottom, top = value_window(lines, "psnr", (low, high))
    jpeg_at_edge = 27.0 + 4.0 * (low - 0.15) / (0.15 * (4.0 / 0.15) ** 0.25 - 0.15)
    margin = 0.04 * (46.0 - jpeg_at_edge)
    assert (bottom, top) == pytest.approx((jpeg_at_edge - margin, 46.0 + margin))


def test_without_our_codec_the_axis_spans_the_measured_curves() -> None:
    lines = make_lines([curve("jpeg", 0.2, 2.0)], [curve("VTM", 0.05, 4.0)])
    assert rate_window(lines) == pytest.approx((0.85 * 0.2, 1.08 * 2.0))


def test_plot_writes_png_and_svg_with_both_panels_and_the_title(tmp_path: Path) -> None:
    paths = plot_rd([curve("aecodec", 0.2, 0.9), curve("jpeg", 0.15, 4.0, -3)], [curve("ELIC (paper)", 0.1, 0.9, 2)],
                    tmp_path / "rd", "Kodak, 24 images")
    assert [p.name for p in paths] == ["rd.png", "rd.svg"]
    svg = paths[1].read_text()
    for text in ("Kodak, 24 images", "PSNR", "MS-SSIM", "ours (aecodec)", "learned (published)", "classical"):
        assert text in svg
    with Image.open(paths[0]) as png:
        assert png.width > 1.5 * png.height


def test_per_image_panels(tmp_path: Path) -> None:
    curves = {f"image{i}": [curve("aecodec", 0.2 + i / 10, 0.9), curve("jpeg", 0.2, 3.0, -3)] for i in range(7)}
    plot_per_image(curves, tmp_path / "per.png", "set, 7 images", columns=3)
    with Image.open(tmp_path / "per.png") as png:
        assert png.height > png.width / 3 * 1.5
