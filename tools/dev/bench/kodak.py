"""Kodak benchmark through the real command line: files on disk, process start-up included.

For each image and quality: ``aecodec compress`` to a real ``.aec`` file, ``aecodec decompress`` to
a PNG, then bpp from the file's size and RGB PSNR against the original. Writes
``OUT/benchmark.json`` (per image and mean per quality, with the machine) and ``OUT/benchmark.md``.

    python -m aecodec.tools.dev.bench.kodak ../shared/data/kodak --out results/kodak
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np
from PIL import Image
from tqdm import tqdm

from aecodec.codec.encoder.targets import rgb_psnr
from aecodec.codec.images.files import list_images
from aecodec.tools.evaluation.machine import describe_machine

DEFAULT_QUALITIES = (10.0, 30.0, 50.0, 70.0, 90.0)


@dataclass(frozen=True)
class ImageResult:
    """One image at one quality: whole-file bpp, RGB PSNR (dB), CLI wall times (s)."""

    image: str
    quality: float
    bytes: int
    bpp: float
    psnr: float
    encode_seconds: float
    decode_seconds: float


@dataclass(frozen=True)
class MeanResult:
    """Means over the images at one quality."""

    quality: float
    bpp: float
    psnr: float
    encode_seconds: float
    decode_seconds: float


def run_cli(arguments: list[str]) -> float:
    """Run ``aecodec ARGUMENTS`` as a new process; returns its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aecodec.tools.cli", *arguments], check=True, capture_output=True)
    return time.perf_counter() - start


def measure(image_path: Path, quality: float, workdir: Path) -> ImageResult:
    """Compress and decompress one image through the CLI and measure the result."""
    coded = workdir / f"{image_path.stem}-q{quality:g}.aec"
    decoded = workdir / f"{image_path.stem}-q{quality:g}.png"
    encode_seconds = run_cli(["compress", str(image_path), "-o", str(coded), "-q", str(quality), "-f"])
    decode_seconds = run_cli(["decompress", str(coded), "-o", str(decoded), "-f"])
    with Image.open(image_path) as original, Image.open(decoded) as result:
        psnr = rgb_psnr(original, result)
        width, height = original.size
    size = coded.stat().st_size
    return ImageResult(
        image=image_path.name,
        quality=quality,
        bytes=size,
        bpp=8 * size / (width * height),
        psnr=psnr,
        encode_seconds=encode_seconds,
        decode_seconds=decode_seconds,
    )


def summarize(results: list[ImageResult], qualities: tuple[float, ...]) -> list[MeanResult]:
    """Means over images at each quality."""
    means = []
    for quality in qualities:
        rows = [r for r in results if r.quality == quality]
        means.append(MeanResult(
            quality=quality,
            bpp=float(np.mean([r.bpp for r in rows])),
            psnr=float(np.mean([r.psnr for r in rows])),
            encode_seconds=float(np.mean([r.encode_seconds for r in rows])),
            decode_seconds=float(np.mean([r.decode_seconds for r in rows])),
        ))
    return means


def write_report(out: Path, results: list[ImageResult], means: list[MeanResult]) -> None:
    """Write ``benchmark.json`` and ``benchmark.md`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    machine = describe_machine().as_dict()
    payload = {"machine": machine, "means": [asdict(m) for m in means], "per_image": [asdict(r) for r in results]}
    (out / "benchmark.json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        "# Kodak through the command line",
        "",
        f"{len({r.image for r in results})} images; every figure from real `.aec` files written and read by "
        "`aecodec compress` / `aecodec decompress` as new processes (start-up included).",
        f"Machine: {machine['processor']}, {machine['cores']} cores, torch {machine['torch']}.",
        "",
        "| quality | mean bpp | mean PSNR (dB) | compress (s) | decompress (s) |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {m.quality:g} | {m.bpp:.4f} | {m.psnr:.2f} | {m.encode_seconds:.2f} | {m.decode_seconds:.2f} |" for m in means]
    (out / "benchmark.md").write_text("\n".join(lines) + "\n")


@click.command()
@click.argument("kodak_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", default=Path("results/kodak"), type=click.Path(file_okay=False, path_type=Path), show_default=True)
@click.option("-q", "--quality", "qualities", multiple=True, type=float, default=DEFAULT_QUALITIES, show_default=True)
def main(kodak_dir: Path, out: Path, qualities: tuple[float, ...]) -> None:
    """Benchmark the shipped model on the images in KODAK_DIR through the CLI."""
    images = list_images(kodak_dir)
    if not images:
        raise click.ClickException(f"no images found under {kodak_dir}")
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        jobs = [(path, quality) for quality in qualities for path in images]
        for path, quality in tqdm(jobs, unit="image"):
            results.append(measure(path, quality, Path(workdir)))
    write_report(out, results, summarize(results, qualities))


if __name__ == "__main__":
    main()
