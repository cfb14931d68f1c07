"""The report's rate-gap sections (a learned codec's rate against each measured codec, point by
point), its per-image BD-rates and its warnings."""

from __future__ import annotations

from pathlib import Path

from aecodec.tools.evaluation.bd import bd_rate_table
from aecodec.tools.evaluation.caveats import curve_caveats
from aecodec.tools.evaluation.machine import describe_environment
from aecodec.tools.evaluation.records import CodecResult, Evaluation, Measurement, RDPoint
from aecodec.tools.evaluation.report.markdown import write_report

QUALITIES = (0.0, 50.0, 100.0)


def codec_result(name: str, rates: tuple[float, ...], psnrs: tuple[float, ...]) -> CodecResult:
    points = tuple(RDPoint(q, bpp, psnr, None, 1.0, 1.0) for q, bpp, psnr in zip(QUALITIES, rates, psnrs, strict=True))
    measured = tuple(Measurement(name, q, "a.png", 64, 48, int(bpp * 64 * 48 / 8), bpp, psnr, None, 1.0, 1.0)
                     for q, bpp, psnr in zip(QUALITIES, rates, psnrs, strict=True))
    return CodecResult(name, "test", points, measured)


def report(tmp_path: Path, *results: CodecResult) -> str:
    curves = [result.curve() for result in results]
    evaluation = Evaluation(("a.png",), describe_environment(), 1, "now", 1.0, results, {}, None,
                            bd_rate_table(curves), "test set", tuple(curve_caveats(curves, [])))
    write_report(evaluation, tmp_path / "report.md", [])
    return (tmp_path / "report.md").read_text()


AVIF = codec_result("avif", (0.25, 0.5, 1.0), (28.0, 31.0, 34.5))


def test_each_learned_codec_gets_its_gap_to_each_measured_codec(tmp_path: Path) -> None:
    learned = codec_result("aecodec", (0.225, 0.55, 2.0), (28.0, 31.0, 40.0))
    effort = codec_result("aecodec-e3", (0.2, 0.5, 1.0), (28.0, 31.0, 34.5))
    text = report(tmp_path, learned, effort, AVIF)
    assert "## Rate gap by quality: `aecodec`" in text and "## Rate gap by quality: `aecodec-e3`" in text
    assert "| quality | PSNR (dB) | avif |" in text
    assert "| 0 | 28.00 | -10.0% |" in text
    assert "| 50 | 31.00 | +10.0% |" in text
    assert "| 100 | 40.00 | n/a |" in text
    assert "| 0 | 28.00 | -20.0% |" in text and "| 100 | 34.50 | +0.0% |" in text


def test_no_gap_section_without_a_learned_and_another_codec(tmp_path: Path) -> None:
    assert "Rate gap" not in report(tmp_path, AVIF)
    assert "Rate gap" not in report(tmp_path, codec_result("aecodec", (0.2, 0.5, 1.0), (28.0, 31.0, 34.5)))


def test_per_image_bd_rates_and_flagged_cells(tmp_path: Path) -> None:
    learned = codec_result("aecodec", (0.225, 0.45, 0.9), (28.0, 31.0, 34.5))
    text = report(tmp_path, learned, AVIF)
    assert text.startswith("# Rate–distortion report: test set, 1 image(s)")
    assert "| image | aecodec vs avif |" in text and "| a | -10.0% |" in text
    assert "## Warnings" in text and "`avif` has 3 usable point(s), fewer than 4" in text
    assert "| aecodec | — | -10.0% † |" in text


def with_components(result: CodecResult, luma: tuple[float, ...], chroma: tuple[float, ...]) -> CodecResult:
    """``result`` with Y PSNRs ``luma`` and both chroma PSNRs ``chroma`` at its points."""
    from dataclasses import replace

    points = tuple(replace(p, psnr_y=y, psnr_cb=c, psnr_cr=c + 1) for p, y, c in zip(result.points, luma, chroma, strict=True))
    return replace(result, points=points)


def test_luma_and_chroma_against_avif_at_equal_rate(tmp_path: Path) -> None:
    avif = with_components(codec_result("avif", (0.25, 0.5, 1.0), (28.0, 31.0, 34.5)), (30.0, 33.0, 36.0), (38.0, 40.0, 42.0))
    learned = with_components(codec_result("aecodec", (0.25, 0.5, 2.0), (28.5, 31.5, 38.0)), (31.0, 33.5, 40.0), (36.0, 38.0, 41.0))
    text = report(tmp_path, learned, avif)
    assert "## Luma and chroma at equal rate: `aecodec` against `avif`" in text
    assert "| 0 | 0.2500 | 31.00 | 36.00 | 37.00 | +1.00 | -2.00 | -2.00 |" in text
    assert "| 50 | 0.5000 | 33.50 | 38.00 | 39.00 | +0.50 | -2.00 | -2.00 |" in text
    assert "| 100 | 2.0000 | 40.00 | 41.00 | 42.00 | n/a | n/a | n/a |" in text


def test_no_component_table_for_runs_recorded_without_components(tmp_path: Path) -> None:
    assert "Luma and chroma" not in report(tmp_path, codec_result("aecodec", (0.2, 0.5, 1.0), (28.0, 31.0, 34.5)), AVIF)
