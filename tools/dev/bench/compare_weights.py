"""Two or more weights files on the same images: rate–distortion, Bjøntegaard rate, the context's share.

For what training buys (the same images, qualities and machine for every file): each file codes
every image at each quality through ``compress_with`` and decodes it through ``decompress_with``.
bpp counts whole ``.aec`` files; PSNR is 8-bit RGB. Besides the curves it reports how the latent's
bytes split between the anchor half and the context-coded half, and the mean in-process decode
time per image (this process: the CPU decoder, NumPy with its BLAS's default threads; the encoder
runs with ``--threads`` torch threads).

Weights exported before the checkerboard context existed are converted on the fly with an
identity context (:mod:`aecodec.tools.training.warm_start`), which codes every latent with the
hyperprior's own tables: the same symbols and probabilities the old format coded.

    python -m aecodec.tools.dev.bench.compare_weights ../shared/data/kodak --weights old.npz --weights new.npz \\
        --out results/context
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import click
import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from aecodec.bitstream import container
from aecodec.bitstream.container import SectionType
from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.encoder.targets import rgb_psnr
from aecodec.codec.images.files import list_images
from aecodec.codec.model.export import save_weights
from aecodec.codec.model.inference import InferenceModel, load_inference_model
from aecodec.tools.evaluation.bd import bd_rate
from aecodec.tools.evaluation.machine import describe_machine
from aecodec.tools.evaluation.records import Curve
from aecodec.tools.training.warm_start import model_from_weights

QUALITIES = (0.0, 25.0, 50.0, 75.0, 100.0)


@dataclass(frozen=True)
class QualityPoint:
    """Means over the images at one quality: bpp, PSNR (dB), the anchor and context streams' bpp
    and the decode time (s)."""

    quality: float
    bpp: float
    psnr: float
    anchor_bpp: float
    context_bpp: float
    decode_seconds: float


@dataclass(frozen=True)
class WeightsResult:
    """One weights file: its name, training step, points and BD-rate (%) against the first file."""

    name: str
    training_step: int
    points: list[QualityPoint]
    bd_rate_vs_first: float | None


def loadable(path: Path, scratch: Path) -> tuple[InferenceModel, int]:
    """The inference model of ``path`` and the training step it records, converting weights
    without a context (see module notes)."""
    with np.load(path, allow_pickle=False) as archive:
        has_context = "context.0.weight" in archive.files
        step = int(archive["training_step"]) if "training_step" in archive.files else 0
    if has_context:
        return load_inference_model(path), step
    model, step = model_from_weights(path)
    converted = scratch / f"{path.stem}-identity-context.npz"
    save_weights(model, converted, step)
    return load_inference_model(converted), step


def measure(model: InferenceModel, images: list[Path], qualities: tuple[float, ...]) -> list[QualityPoint]:
    """Code and decode every image at every quality; means per quality."""
    points = []
    for quality in qualities:
        rows = [_one(model, Image.open(path).convert("RGB"), quality) for path in tqdm(images, desc=f"q{quality:g}", leave=False)]
        points.append(QualityPoint(quality, *(float(np.mean(column)) for column in zip(*rows, strict=True))))
    return points


def _one(model: InferenceModel, image: Image.Image, quality: float) -> tuple[float, float, float, float, float]:
    data = compress_with(model, image, quality)
    start = time.perf_counter()
    decoded = decompress_with(model, data)
    seconds = time.perf_counter() - start
    pixels = image.width * image.height
    sections = container.unpack(data).sections
    return (8 * len(data) / pixels, rgb_psnr(image, decoded), 8 * len(sections[SectionType.LATENT]) / pixels,
            8 * len(sections[SectionType.LATENT_CONTEXT]) / pixels, seconds)


def _curve(result: WeightsResult) -> Curve:
    return Curve(result.name, tuple(p.bpp for p in result.points), tuple(p.psnr for p in result.points))


def _markdown(results: list[WeightsResult], machine: dict, threads: int, count: int) -> str:
    lines = [
        "# Weights compared on the same images",
        "",
        f"{count} images; whole-file bpp; 8-bit RGB PSNR; decode time in process (the NumPy CPU decoder); "
        f"encoding with {threads} torch thread(s).",
        f"Machine: {machine['processor']}, {machine['cores']} cores, torch {machine['torch']}.",
        "",
        "| weights | step | BD-rate vs first |",
        "| --- | ---: | ---: |",
    ]
    for result in results:
        bd = "—" if result.bd_rate_vs_first is None else f"{result.bd_rate_vs_first:+.2f}%"
        lines.append(f"| {result.name} | {result.training_step} | {bd} |")
    lines += ["", "| weights | quality | bpp | PSNR | anchor half bpp | context half bpp | decode s |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for result in results:
        lines += [f"| {result.name} | {p.quality:g} | {p.bpp:.4f} | {p.psnr:.2f} | {p.anchor_bpp:.4f} | "
                  f"{p.context_bpp:.4f} | {p.decode_seconds:.2f} |" for p in result.points]
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("images_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--weights", "weights", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Weights file (.npz); repeat. The first is the reference.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--quality", "qualities", type=float, multiple=True, default=QUALITIES, show_default=True)
@click.option("--limit", type=int, help="Use only the first N images.")
@click.option("--threads", type=click.IntRange(min=1), default=2, show_default=True, help="Torch threads (the encoder).")
def main(images_dir: Path, weights: tuple[Path, ...], out: Path, qualities: tuple[float, ...], limit: int | None,
         threads: int) -> None:
    """Compare weights files on the images in IMAGES_DIR; writes OUT/compare.json and OUT/compare.md."""
    torch.set_num_threads(threads)
    images = list_images(images_dir)[:limit]
    results: list[WeightsResult] = []
    with tempfile.TemporaryDirectory() as scratch:
        for path in weights:
            model, step = loadable(path, Path(scratch))
            points = measure(model, images, qualities)
            result = WeightsResult(path.stem, step, points, None)
            if results:
                result = replace(result, bd_rate_vs_first=bd_rate(_curve(results[0]), _curve(result)))
            results.append(result)
    machine = describe_machine().as_dict()
    out.mkdir(parents=True, exist_ok=True)
    record = {"machine": machine, "images": [p.name for p in images], "results": [asdict(r) for r in results]}
    (out / "compare.json").write_text(json.dumps(record, indent=2) + "\n")
    (out / "compare.md").write_text(_markdown(results, machine, threads, len(images)))
    click.echo((out / "compare.md").read_text())


if __name__ == "__main__":
    main()
