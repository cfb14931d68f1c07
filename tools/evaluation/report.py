"""The Markdown report of an evaluation: what ran where, BD-rates, points, times, plots, sanity check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from statistics import fmean

from aecodec.tools.evaluation.bd import rate_gap
from aecodec.tools.evaluation.codecs import LEARNED_CODEC_NAMES
from aecodec.tools.evaluation.records import CodecResult, Evaluation

SANITY_TOLERANCE_PERCENT = 5.0
SANITY_PAIRS = (("jpeg-default", "JPEG"), ("webp", "WebP"))


def write_report(evaluation: Evaluation, path: Path, plots: Sequence[str]) -> None:
    """Write ``report.md``; ``plots`` are the plot file names beside it."""
    sections = [_header(evaluation), _machine(evaluation), _bd_rates(evaluation), *_rate_gaps(evaluation),
                _points(evaluation), _times(evaluation), _plots(plots), _sanity(evaluation), _notes()]
    Path(path).write_text("\n\n".join(sections) + "\n", encoding="utf-8")


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _header(evaluation: Evaluation) -> str:
    lines = ["# Rate–distortion report", "", "## What was run",
             f"- {len(evaluation.images)} image(s): {_image_list(evaluation.images)}",
             f"- started {evaluation.started}, took {evaluation.seconds:.1f} s, "
             f"{evaluation.jobs} worker process(es)"]
    lines += [f"- `{r.name}`: {r.description}; qualities {', '.join(f'{p.quality:g}' for p in r.points)}"
              for r in evaluation.codecs]
    lines += [f"- skipped `{name}`: {reason}" for name, reason in evaluation.skipped.items()]
    if evaluation.references:
        lines.append(f"- reference curves: `{evaluation.references.source}` — {evaluation.references.about}")
    return "\n".join(lines)


def _image_list(images: Sequence[str]) -> str:
    names = [Path(image).name for image in images]
    shown = ", ".join(names[:6])
    return shown + (f", … ({len(names) - 6} more)" if len(names) > 6 else "")


def _machine(evaluation: Evaluation) -> str:
    machine, libraries = evaluation.environment.machine, evaluation.environment.libraries
    versions = ", ".join(f"{name} {version}" for name, version in libraries.items())
    return "\n".join(["## Machine", f"- {machine.processor}, {machine.cores} cores, {machine.system}",
                      f"- Python {machine.python}, torch threads {machine.torch_threads}", f"- {versions}"])


def _bd_rates(evaluation: Evaluation) -> str:
    names = [r.name for r in evaluation.codecs]
    table = evaluation.bd_rate
    parts = ["## BD-rate (Bjøntegaard, pchip, rate vs RGB PSNR)",
             "Percent rate change of the row codec against the column codec at equal PSNR; negative is better.",
             _table(["test \\ reference", *names],
                    ([name, *("—" if n == name else _percent(table[name].get(n)) for n in names)] for name in names))]
    if evaluation.references:
        references = [c.name for c in evaluation.references.curves]
        parts += ["Against the published curves (rows are references, columns the measured codecs):",
                  _table(["reference \\ test", *names],
                         ([ref, *(_percent(table[n].get(ref)) for n in names)] for ref in references))]
    return "\n\n".join(parts)


def _rate_gaps(evaluation: Evaluation) -> list[str]:
    """A section per learned codec: its rate gap to every other measured codec, point by point
    (none when only learned codecs, or none, were measured)."""
    learned = [r for r in evaluation.codecs if r.name in LEARNED_CODEC_NAMES]
    others = [r for r in evaluation.codecs if r.name not in LEARNED_CODEC_NAMES]
    if not others:
        return []
    return [_rate_gap_table(result, others) for result in learned]


def _rate_gap_table(result: CodecResult, others: Sequence[CodecResult]) -> str:
    curves = [other.curve() for other in others]
    rows = ([f"{p.quality:g}", f"{p.psnr:.2f}", *(_percent(rate_gap(curve, p.bpp, p.psnr)) for curve in curves)]
            for p in result.points)
    return "\n\n".join([f"## Rate gap by quality: `{result.name}`",
                         "Percent more bits (negative: fewer) than the column codec needs for the same PSNR, "
                         "its log-rate interpolated (pchip) over PSNR; n/a outside its PSNR range.",
                         _table(["quality", "PSNR (dB)", *(other.name for other in others)], rows)])


def _points(evaluation: Evaluation) -> str:
    parts = ["## Rate–distortion points (means over the images)"]
    for result in evaluation.codecs:
        rows = ([f"{p.quality:g}", f"{p.bpp:.4f}", f"{p.psnr:.3f}", _ms_ssim(p.ms_ssim),
                 f"{p.encode_ms:.1f}", f"{p.decode_ms:.1f}"] for p in result.points)
        parts += [f"### {result.name}",
                  _table(["quality", "bpp", "PSNR (dB)", "MS-SSIM", "encode ms", "decode ms"], rows)]
    return "\n\n".join(parts)


def _ms_ssim(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.5f}"


def _times(evaluation: Evaluation) -> str:
    rows = ([r.name, f"{fmean(p.encode_ms for p in r.points):.1f}", f"{fmean(p.decode_ms for p in r.points):.1f}",
             f"{_megapixels(r):.3f}"] for r in evaluation.codecs)
    return "\n\n".join(["## Encode and decode time",
                        "Wall-clock milliseconds per image, mean over all qualities and images, one "
                        "measurement each, libraries at their default thread counts.",
                        _table(["codec", "encode ms", "decode ms", "mean megapixels"], rows)])


def _megapixels(result: CodecResult) -> float:
    return fmean(m.width * m.height for m in result.per_image) / 1e6


def _plots(plots: Sequence[str]) -> str:
    return "\n\n".join(["## Plots", *(f"![{name}]({name})" for name in plots)])


def _sanity(evaluation: Evaluation) -> str:
    lines = ["## Sanity check",
             "Our Pillow codecs against the published Pillow curves (meaningful on the 24 Kodak images "
             f"only; expected within ±{SANITY_TOLERANCE_PERCENT:g}%), and the rate that Huffman "
             "optimisation saves (`jpeg` against `jpeg-default`)."]
    lines += [_sanity_line(evaluation, codec, prefix) for codec, prefix in SANITY_PAIRS]
    saved = evaluation.bd_rate.get("jpeg", {}).get("jpeg-default")
    lines.append(f"- `jpeg` (optimize=True) vs `jpeg-default`: {_percent(saved)}"
                 if "jpeg" in evaluation.bd_rate and "jpeg-default" in evaluation.bd_rate
                 else "- `jpeg` vs `jpeg-default`: not measured (run both codecs)")
    return "\n".join(lines)


def _sanity_line(evaluation: Evaluation, codec: str, prefix: str) -> str:
    reference = _published(evaluation, prefix)
    if codec not in evaluation.bd_rate or reference is None:
        return f"- `{codec}` vs published {prefix}: not available (needs `--codec {codec}` and reference curves)"
    value = evaluation.bd_rate[codec].get(reference)
    verdict = "n/a" if value is None else ("consistent" if abs(value) <= SANITY_TOLERANCE_PERCENT else "DIFFERS")
    return f"- `{codec}` vs published “{reference}”: {_percent(value)} ({verdict})"


def _published(evaluation: Evaluation, prefix: str) -> str | None:
    if evaluation.references is None:
        return None
    return next((c.name for c in evaluation.references.curves if c.name.startswith(prefix)), None)


def _notes() -> str:
    return "\n".join(["## Notes",
                      "- bpp = 8 × whole file bytes / (width × height), headers included.",
                      "- PSNR is computed per image on 8-bit RGB, then averaged; identical images count as 100 dB.",
                      "- MS-SSIM: pytorch-msssim, 5 scales; n/a when an image's shorter side is under 161 pixels.",
                      "- Published curves count only the coded strings (no file header)."])
