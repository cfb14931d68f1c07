"""The content of the reports as typed tables and lines, shared by ``report.md`` and ``report.html``.

Cells and lines are plain text in which `backticks` mark code; a BD-rate or gap marked ``†`` rests on
a curve or pair that a caveat names (see :mod:`~aecodec.tools.evaluation.caveats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from statistics import fmean
from typing import NamedTuple

from aecodec.tools.evaluation.bd import rate_gap
from aecodec.tools.evaluation.caveats import flags_pair
from aecodec.tools.evaluation.codecs.base import LEARNED_CODEC_NAMES
from aecodec.tools.evaluation.color_psnr import components_at_rate
from aecodec.tools.evaluation.per_image import comparison_pairs, image_curves, per_image_bd
from aecodec.tools.evaluation.records import CodecResult, Evaluation, complete

SANITY_TOLERANCE_PERCENT = 5.0
SANITY_PAIRS = (("jpeg-default", "JPEG"), ("webp", "WebP"))
FLAG = " †"


class Table(NamedTuple):
    """A titled table: ``intro`` says how to read it; ``rows`` are text cells under ``head``."""

    title: str
    intro: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def percent(value: float | None) -> str:
    """A signed percentage with one decimal, or ``n/a``."""
    return "n/a" if value is None else f"{value:+.1f}%"


def run_lines(evaluation: Evaluation) -> list[str]:
    """What was run: images, time, codecs with their settings and qualities, skips, reference curves."""
    lines = [f"{len(evaluation.images)} image(s) of {evaluation.dataset}: {_image_list(evaluation.images)}",
             f"started {evaluation.started}, took {evaluation.seconds:.1f} s, {evaluation.jobs} worker process(es)"]
    if evaluation.recorded:
        lines.append(f"measurements read back from the run's `rd.json` ({evaluation.recorded}): plots, tables "
                     "and BD-rates recomputed from them; the viewer's files coded when the report was made")
    lines += [f"`{r.name}`: {r.description}; qualities {', '.join(f'{p.quality:g}' for p in r.points)}"
              for r in evaluation.codecs]
    lines += [f"skipped `{name}`: {reason}" for name, reason in evaluation.skipped.items()]
    if evaluation.references:
        lines.append(f"reference curves: `{evaluation.references.source}` — {evaluation.references.about}")
    return lines


def _image_list(images: Sequence[str]) -> str:
    names = [Path(image).name for image in images]
    return ", ".join(names[:6]) + (f", … ({len(names) - 6} more)" if len(names) > 6 else "")


def machine_lines(evaluation: Evaluation) -> list[str]:
    """The processor, OS, Python, torch threads and library versions of the run."""
    machine, libraries = evaluation.environment.machine, evaluation.environment.libraries
    return [f"{machine.processor}, {machine.cores} cores, {machine.system}",
            f"Python {machine.python}, torch threads {machine.torch_threads}",
            ", ".join(f"{name} {version}" for name, version in libraries.items())]


def bd_tables(evaluation: Evaluation) -> list[Table]:
    """Every measured codec against every other, and (when given) the published curves against them."""
    names = tuple(r.name for r in evaluation.codecs)
    tables = [Table("BD-rate (Bjøntegaard, pchip, rate vs RGB PSNR)",
                    "Percent rate change of the row codec against the column codec at equal PSNR; negative is better.",
                    ("test \\ reference", *names),
                    tuple((name, *("—" if other == name else _bd_cell(evaluation, name, other) for other in names))
                          for name in names))]
    if evaluation.references:
        references = [c.name for c in evaluation.references.curves]
        tables.append(Table("BD-rate against the published curves",
                            "Rows are the published references, columns the measured codecs.",
                            ("reference \\ test", *names),
                            tuple((ref, *(_bd_cell(evaluation, name, ref) for name in names)) for ref in references)))
    return tables


def _bd_cell(evaluation: Evaluation, test: str, reference: str) -> str:
    flagged = flags_pair(evaluation.caveats, test, reference)
    return percent(evaluation.bd_rate[test].get(reference)) + (FLAG if flagged else "")


def gap_tables(evaluation: Evaluation) -> list[Table]:
    """Per learned codec, its rate gap to every other measured codec at each of its qualities."""
    learned = [r for r in evaluation.codecs if r.name in LEARNED_CODEC_NAMES]
    others = [r for r in evaluation.codecs if r.name not in LEARNED_CODEC_NAMES]
    return [_gap_table(result, others) for result in learned] if others else []


def _gap_table(result: CodecResult, others: Sequence[CodecResult]) -> Table:
    curves = [other.curve() for other in others]
    rows = tuple((f"{p.quality:g}", f"{p.psnr:.2f}", *(percent(rate_gap(curve, p.bpp, p.psnr)) for curve in curves))
                 for p in result.points)
    return Table(f"Rate gap by quality: `{result.name}`",
                 "Percent more bits (negative: fewer) than the column codec needs for the same PSNR, "
                 "its log-rate interpolated (pchip) over PSNR; n/a outside its PSNR range.",
                 ("quality", "PSNR (dB)", *(other.name for other in others)), rows)


COMPONENT_REFERENCE = "avif"
"""The codec whose luma and chroma the learned codecs are compared with at equal rate."""


def component_tables(evaluation: Evaluation) -> list[Table]:
    """Per learned codec, its luma and chroma PSNR at each quality against AVIF's at the same bpp."""
    results = {r.name: r for r in evaluation.codecs}
    reference = results.get(COMPONENT_REFERENCE)
    if reference is None or reference.points[0].psnr_y is None:
        return []
    return [_component_table(result, reference) for result in evaluation.codecs
            if result.name in LEARNED_CODEC_NAMES and result.points[0].psnr_y is not None]


def _component_table(result: CodecResult, reference: CodecResult) -> Table:
    rows = []
    for p in result.points:
        theirs = components_at_rate(reference.points, p.bpp)
        ours = complete([p.psnr_y, p.psnr_cb, p.psnr_cr])
        if ours is None:
            continue
        differences = ("n/a",) * 3 if theirs is None else tuple(
            f"{mine - other:+.2f}" for mine, other in zip(ours, (theirs.y, theirs.cb, theirs.cr), strict=True))
        rows.append((f"{p.quality:g}", f"{p.bpp:.4f}", *(f"{value:.2f}" for value in ours), *differences))
    return Table(f"Luma and chroma at equal rate: `{result.name}` against `{reference.name}`",
                 "PSNR (dB) of full-range BT.601 Y, Cb and Cr, means over the images; Δ is this codec minus "
                 f"`{reference.name}` at the same bpp (its curve interpolated, pchip over log-rate; n/a outside "
                 "its rate range). Negative Δ: this codec loses more there.",
                 ("quality", "bpp", "Y", "Cb", "Cr", "ΔY", "ΔCb", "ΔCr"), tuple(rows))


def per_image_table(evaluation: Evaluation) -> Table | None:
    """Per image, the BD-rate of each learned codec against each other codec on that image alone."""
    pairs = comparison_pairs([r.name for r in evaluation.codecs])
    if not pairs:
        return None
    table = per_image_bd(image_curves(evaluation.codecs), pairs)
    rows = tuple((image, *(percent(value) for value in values)) for image, values in table.items())
    return Table("BD-rate per image", "BD-rate (pchip) of the first codec against the second on each image alone; "
                 "negative is better.", ("image", *(f"{test} vs {reference}" for test, reference in pairs)), rows)


def point_tables(evaluation: Evaluation) -> list[Table]:
    """Each codec's mean points over the images."""
    return [Table(f"`{result.name}`", "", ("quality", "bpp", "PSNR (dB)", "MS-SSIM", "encode ms", "decode ms"),
                  tuple((f"{p.quality:g}", f"{p.bpp:.4f}", f"{p.psnr:.3f}",
                         "n/a" if p.ms_ssim is None else f"{p.ms_ssim:.5f}", f"{p.encode_ms:.1f}", f"{p.decode_ms:.1f}")
                        for p in result.points))
            for result in evaluation.codecs]


def times_table(evaluation: Evaluation) -> Table:
    """Mean encode and decode milliseconds per codec."""
    rows = tuple((r.name, f"{fmean(p.encode_ms for p in r.points):.1f}", f"{fmean(p.decode_ms for p in r.points):.1f}",
                  f"{fmean(m.width * m.height for m in r.per_image) / 1e6:.3f}") for r in evaluation.codecs)
    return Table("Encode and decode time", "Wall-clock milliseconds per image, mean over all qualities and images, "
                 "one measurement each, libraries at their default thread counts.",
                 ("codec", "encode ms", "decode ms", "mean megapixels"), rows)


def sanity_lines(evaluation: Evaluation) -> list[str]:
    """Our Pillow codecs against the published Pillow curves, and what Huffman optimisation saves."""
    lines = [_sanity_line(evaluation, codec, prefix) for codec, prefix in SANITY_PAIRS]
    saved = evaluation.bd_rate.get("jpeg", {}).get("jpeg-default")
    lines.append(f"`jpeg` (optimize=True) vs `jpeg-default`: {percent(saved)}"
                 if "jpeg" in evaluation.bd_rate and "jpeg-default" in evaluation.bd_rate
                 else "`jpeg` vs `jpeg-default`: not measured (run both codecs)")
    return lines


SANITY_INTRO = ("Our Pillow codecs against the published Pillow curves (meaningful on the 24 Kodak images only; "
                f"expected within ±{SANITY_TOLERANCE_PERCENT:g}%), and the rate that Huffman optimisation saves "
                "(`jpeg` against `jpeg-default`).")


def _sanity_line(evaluation: Evaluation, codec: str, prefix: str) -> str:
    reference = _published(evaluation, prefix)
    if codec not in evaluation.bd_rate or reference is None:
        return f"`{codec}` vs published {prefix}: not available (needs `--codec {codec}` and reference curves)"
    value = evaluation.bd_rate[codec].get(reference)
    verdict = "n/a" if value is None else ("consistent" if abs(value) <= SANITY_TOLERANCE_PERCENT else "DIFFERS")
    return f"`{codec}` vs published “{reference}”: {percent(value)} ({verdict})"


def _published(evaluation: Evaluation, prefix: str) -> str | None:
    if evaluation.references is None:
        return None
    return next((c.name for c in evaluation.references.curves if c.name.startswith(prefix)), None)


NOTES = ("bpp = 8 × whole file bytes / (width × height), headers included.",
         "PSNR is computed per image on 8-bit RGB, then averaged; identical images count as 100 dB.",
         "MS-SSIM: pytorch-msssim, 5 scales; n/a when an image's shorter side is under 161 pixels.",
         "Published curves count only the coded strings (no file header).",
         f"A BD-rate marked{FLAG} rests on a curve or pair named under Warnings.")
