"""Encoder effort on Kodak: per level, the Bjøntegaard rate against effort 0 and the mean encode time.

Effort 0 is timed as ``compress_with`` itself. Higher levels come from one top-effort run per
image and quality: levels nest (effort ``e`` runs exactly the steps and candidate codings the top
run has done when it reports level ``e``; the tests check the files are identical), so a level's
encode time is the time from before the image is prepared to that report, plus packing the file.
Every level's file is decoded and must show exactly the pixels the refiner predicted; effort 0's
file must equal the top run's level 0. bpp counts whole ``.aec`` files; PSNR is 8-bit RGB.

Writes ``OUT/effort.json`` and ``OUT/effort.md``; finished images are kept in
``OUT/effort.partial-<weights hash>.jsonl``, so an interrupted run continues where it
stopped, and a run with other weights starts afresh.

    python -m aecodec.tools.dev.bench.effort ../shared/data/kodak --out results/effort --jobs 2
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import click
import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.encoder.api import compress_with, prepare
from aecodec.codec.encoder.effort import EFFORT_STEPS, MAX_EFFORT
from aecodec.codec.encoder.targets import rgb_psnr
from aecodec.codec.images.files import list_images
from aecodec.codec.model.refinement import Encoding, refined_encoding
from aecodec.codec.weights.registry import load_model
from aecodec.tools.evaluation.bd import bd_rate
from aecodec.tools.evaluation.machine import describe_machine
from aecodec.tools.evaluation.records import Curve

DEFAULT_QUALITIES = (0.0, 25.0, 50.0, 75.0, 100.0)


@dataclass(frozen=True)
class LevelResult:
    """One image at one quality and effort: whole-file size, bpp, RGB PSNR (dB), encode seconds and
    the refiner's cost (``bpp + λ·255²·MSE`` of the streams alone; None for the timed effort-0 call)."""

    image: str
    quality: float
    effort: int
    bytes: int
    bpp: float
    psnr: float
    encode_seconds: float
    cost: float | None


@dataclass(frozen=True)
class LevelSummary:
    """One effort level over all images: BD-rate (%) against effort 0 and against the level below,
    mean encode seconds, and the mean bpp and PSNR at each quality."""

    effort: int
    steps: int
    bd_rate_vs_effort_0: float | None
    bd_rate_vs_previous: float | None
    encode_seconds: float
    bpp: tuple[float, ...]
    psnr: tuple[float, ...]


def measure(path: Path, quality: float, device: str = "cpu") -> list[LevelResult]:
    """Every effort level for one image at one quality (see the module notes)."""
    model = load_model()
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    start = time.perf_counter()
    single_pass = compress_with(model, image, quality, device)
    seconds = time.perf_counter() - start
    results = [_result(path.name, image, quality, 0, single_pass, seconds, None, decompress_with(model, single_pass))]
    reached = []
    start = time.perf_counter()
    prepared = prepare(model, image, quality)

    def on_level(level: int, encoding: Encoding) -> None:
        reached.append((level, encoding, time.perf_counter() - start))

    refined_encoding(model, prepared.color, prepared.header.quality, MAX_EFFORT, device, on_level)
    for level, encoding, seconds in reached:
        packing = time.perf_counter()
        data = prepared.pack(encoding.streams)
        seconds += time.perf_counter() - packing
        decoded = decompress_with(model, data, device)
        if not np.array_equal(np.asarray(decoded), encoding.predicted):
            raise RuntimeError(f"{path.name} q{quality:g} effort {level}: decoded pixels differ from the prediction")
        if level == 0:
            if data != single_pass:
                raise RuntimeError(f"{path.name} q{quality:g}: level 0 of the refiner is not the effort-0 file")
            continue
        results.append(_result(path.name, image, quality, level, data, seconds, encoding.cost, decoded))
    return results


def _result(name: str, image: Image.Image, quality: float, level: int, data: bytes, seconds: float,
            cost: float | None, decoded: Image.Image) -> LevelResult:
    return LevelResult(name, quality, level, len(data), 8 * len(data) / (image.width * image.height),
                       rgb_psnr(image, decoded), seconds, cost)


def summarize(results: list[LevelResult], qualities: tuple[float, ...]) -> list[LevelSummary]:
    """Per level: mean curves over the images and their BD-rates (pchip, PSNR)."""
    curves, seconds = {}, {}
    for level in range(MAX_EFFORT + 1):
        rows = [r for r in results if r.effort == level]
        bpp = tuple(float(np.mean([r.bpp for r in rows if r.quality == q])) for q in qualities)
        psnr = tuple(float(np.mean([r.psnr for r in rows if r.quality == q])) for q in qualities)
        curves[level] = Curve(f"effort {level}", bpp, psnr)
        seconds[level] = float(np.mean([r.encode_seconds for r in rows]))
    return [
        LevelSummary(level, EFFORT_STEPS[level],
                     bd_rate(curves[0], curves[level]) if level else 0.0,
                     bd_rate(curves[level - 1], curves[level]) if level else None,
                     seconds[level], curves[level].bpp, curves[level].psnr)
        for level in range(MAX_EFFORT + 1)
    ]


def write_report(out: Path, results: list[LevelResult], summaries: list[LevelSummary], qualities: tuple[float, ...],
                 jobs: int) -> None:
    """Write ``effort.json`` and ``effort.md`` under ``out``."""
    machine = describe_machine().as_dict()
    payload = {"machine": machine, "jobs": jobs, "qualities": qualities,
               "levels": [asdict(s) for s in summaries], "per_image": [asdict(r) for r in results]}
    (out / "effort.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "effort.md").write_text(_markdown(results, summaries, qualities, machine, jobs))


def _markdown(results, summaries, qualities, machine, jobs) -> str:
    images = len({r.image for r in results})
    threads = max(1, machine["cores"] // jobs) if jobs > 1 else machine["torch_threads"]
    lines = [
        "# Encoder effort on Kodak",
        "",
        f"{images} images × qualities {', '.join(f'{q:g}' for q in qualities)}; whole-file bpp, RGB PSNR averaged "
        "per image; BD-rate is pchip over the mean curves (negative: fewer bits at equal PSNR).",
        f"Machine: {machine['processor']}, {machine['cores']} cores, torch {machine['torch']}; {jobs} images "
        f"coded at a time with {threads} torch thread(s) each. Encode time is in-process (model loaded).",
        "",
        "| effort | steps | BD-rate vs effort 0 | vs level below | mean encode (s) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for s in summaries:
        lines.append(f"| {s.effort} | {s.steps} | {_percent(s.bd_rate_vs_effort_0)} | "
                     f"{_percent(s.bd_rate_vs_previous)} | {s.encode_seconds:.2f} |")
    lines += ["", "Mean bpp / PSNR (dB) per quality:", "",
              "| effort | " + " | ".join(f"q{q:g}" for q in qualities) + " |",
              "|---:|" + "---:|" * len(qualities)]
    for s in summaries:
        cells = " | ".join(f"{b:.4f} / {p:.2f}" for b, p in zip(s.bpp, s.psnr, strict=True))
        lines.append(f"| {s.effort} | {cells} |")
    lines += ["", "Every level's file was decoded and matched the refiner's predicted pixels exactly.", ""]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.2f}%"


def weights_tag() -> str:
    """The shipped weights' hash as the files record it, in hex: finished images are kept per weights."""
    return load_model().weights_hash.hex()


def _load_partial(path: Path) -> list[LevelResult]:
    if not path.is_file():
        return []
    return [LevelResult(**json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def _measured(todo: list[tuple[Path, float]], jobs: int, device: str) -> Iterator[list[LevelResult]]:
    """Results per image and quality as they finish: in this process for one job, else in a pool
    whose workers share the cores."""
    if jobs == 1:
        yield from (measure(path, quality, device) for path, quality in todo)
        return
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with ProcessPoolExecutor(jobs, initializer=torch.set_num_threads, initargs=(threads,)) as pool:
        futures = [pool.submit(measure, path, quality, device) for path, quality in todo]
        yield from (future.result() for future in as_completed(futures))


@click.command()
@click.argument("kodak_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", default=Path("results/effort"), type=click.Path(file_okay=False, path_type=Path),
              show_default=True)
@click.option("-q", "--quality", "qualities", multiple=True, type=float, default=DEFAULT_QUALITIES, show_default=True)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Images coded at once, each with an equal share of the cores.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the first N images (quick runs).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True)
def main(kodak_dir: Path, out: Path, qualities: tuple[float, ...], jobs: int, limit: int | None, device: str) -> None:
    """Benchmark every encoder effort level on the images in KODAK_DIR."""
    images = list_images(kodak_dir)[:limit]
    if not images:
        raise click.ClickException(f"no images found under {kodak_dir}")
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f"effort.partial-{weights_tag()}.jsonl"
    results = _load_partial(partial)
    done = {(r.image, r.quality) for r in results}
    todo = [(path, q) for q in qualities for path in images if (path.name, q) not in done]
    with partial.open("a") as log:
        for rows in tqdm(_measured(todo, jobs, device), total=len(todo), unit="image"):
            results.extend(rows)
            log.write("".join(json.dumps(asdict(r)) + "\n" for r in rows))
            log.flush()
    results = [r for r in results if r.quality in qualities and r.image in {p.name for p in images}]
    write_report(out, results, summarize(results, qualities), qualities, jobs)


if __name__ == "__main__":
    main()
