"""Rate-aware rounding against plain rounding on a set of images, with the same weights.

For each image and quality the latents come from one pass of ``g_a``; they are then rounded both
ways (plain rounding is rate-aware rounding with a distortion weight of 1e12), coded into whole
``.aec`` files and decoded with the CPU decoder. bpp counts whole files; PSNR is 8-bit RGB.
Writes ``OUT/rounding.json`` and ``OUT/rounding.md``.

    python -m aecodec.tools.dev.bench.rounding ../shared/data/kodak --out results/rounding --jobs 2
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.decoder.checkerboard import code
from aecodec.codec.encoder import analysis
from aecodec.codec.encoder.api import prepare
from aecodec.codec.encoder.rounding import DISTORTION_WEIGHT
from aecodec.codec.encoder.targets import rgb_psnr
from aecodec.codec.images.files import list_images
from aecodec.codec.weights.registry import load_model
from aecodec.tools.evaluation.bd import bd_rate
from aecodec.tools.evaluation.machine import describe_machine
from aecodec.tools.evaluation.records import Curve

QUALITIES = (0.0, 25.0, 50.0, 75.0, 100.0)
PLAIN_WEIGHT = 1e12
"""A distortion weight so large that every element goes to its nearest integer."""
ROUNDINGS = {"plain": PLAIN_WEIGHT, "rate-aware": DISTORTION_WEIGHT}


@dataclass(frozen=True)
class RoundingResult:
    """One image at one quality with one rounding: whole-file bytes, bpp and RGB PSNR (dB)."""

    image: str
    quality: float
    rounding: str
    bytes: int
    bpp: float
    psnr: float


def measure(path: Path) -> list[RoundingResult]:
    """Both roundings of one image at every quality in ``QUALITIES``."""
    torch.set_num_threads(1)
    model = load_model()
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    results = []
    for quality in QUALITIES:
        prepared = prepare(model, image, quality)
        latents = analysis.analysis_latents(model, prepared.color, quality)
        for name, weight in ROUNDINGS.items():
            data = prepared.pack(code(model, analysis.quantize(model, latents, distortion_weight=weight).symbols))
            decoded = decompress_with(model, data)
            results.append(RoundingResult(path.name, quality, name, len(data),
                                          8 * len(data) / (image.width * image.height), rgb_psnr(image, decoded)))
    return results


def mean_curve(results: list[RoundingResult], rounding: str) -> Curve:
    """The mean bpp and PSNR over the images at each quality, for one rounding."""
    rows = [r for r in results if r.rounding == rounding]
    bpp = tuple(float(np.mean([r.bpp for r in rows if r.quality == q])) for q in QUALITIES)
    psnr = tuple(float(np.mean([r.psnr for r in rows if r.quality == q])) for q in QUALITIES)
    return Curve(rounding, bpp, psnr)


def write_report(out: Path, results: list[RoundingResult], jobs: int) -> None:
    """Write ``rounding.json`` and ``rounding.md`` under ``out``."""
    plain, aware = mean_curve(results, "plain"), mean_curve(results, "rate-aware")
    machine = describe_machine().as_dict()
    saving = bd_rate(plain, aware)
    payload = {"machine": machine, "distortion_weight": DISTORTION_WEIGHT, "bd_rate": saving,
               "curves": [asdict(plain), asdict(aware)], "per_image": [asdict(r) for r in results]}
    (out / "rounding.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        "# Rate-aware rounding against plain rounding",
        "",
        f"{len({r.image for r in results})} images, qualities {', '.join(f'{q:g}' for q in QUALITIES)}, the same "
        f"weights and latents; whole-file bpp, RGB PSNR of the decoded files averaged per image; distortion "
        f"weight {DISTORTION_WEIGHT:g}. Machine: {machine['processor']}, {machine['cores']} cores, {jobs} job(s).",
        "",
        f"BD-rate (pchip) of rate-aware rounding against plain rounding: **{_percent(saving)}**.",
        "",
        "| quality | plain bpp | plain PSNR (dB) | rate-aware bpp | rate-aware PSNR (dB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {q:g} | {plain.bpp[i]:.4f} | {plain.psnr[i]:.3f} | {aware.bpp[i]:.4f} | {aware.psnr[i]:.3f} |"
              for i, q in enumerate(QUALITIES)]
    (out / "rounding.md").write_text("\n".join(lines) + "\n")


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}%"


@click.command()
@click.argument("images", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for rounding.json and .md.")
@click.option("--jobs", type=click.IntRange(1), default=1, show_default=True, help="Images coded at a time.")
@click.option("--limit", type=click.IntRange(1), default=None, help="Only the first N images.")
def main(images: Path, out: Path, jobs: int, limit: int | None) -> None:
    """Measure rate-aware against plain rounding on the images in the folder IMAGES."""
    paths = list_images(images)[:limit]
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=min(jobs, os.cpu_count() or 1)) as pool:
        results = [r for rows in tqdm(pool.map(measure, paths), total=len(paths), unit="image") for r in rows]
    write_report(out, results, jobs)
    click.echo(f"wrote {out / 'rounding.json'} and {out / 'rounding.md'}")


if __name__ == "__main__":
    main()
