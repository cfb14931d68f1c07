"""Huge images with bounded memory: time and peak RSS of ``aecodec compress``/``decompress`` on an
8000×8000 photo-like image, and PSNR near the transforms' tile borders against elsewhere.

``python -m aecodec.tools.dev.bench.large --size 8000 --out results/large_image.json`` (and ``.md``).

The image is a mosaic of real photos (crops of the Kodak set when it is there; a synthetic texture
otherwise). Each CLI step runs in its own process; its peak
RSS comes from ``wait4``. Seams would show as a PSNR drop in the ``BAND``-pixel bands around the
``TILE × 16``-pixel tile borders of ``g_a``/``g_s``; the study also decodes a smaller image with
tiny tiles and compares it with an untiled decode of the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from aecodec.codec.engines.tiling import TILE
from aecodec.codec.geometry import STRIDE
from aecodec.tools.evaluation.machine import describe_machine

BAND = 16
"""Pixels on each side of a tile border counted as 'near the border'."""
PIECE = 500
"""Side of each photo crop in the mosaic."""
KODAK = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "kodak"


@dataclass(frozen=True)
class Step:
    """One CLI run: wall seconds and the process's peak resident memory in MB."""

    command: str
    seconds: float
    peak_rss_mb: float


@dataclass(frozen=True)
class SeamReport:
    """PSNR (dB, 8-bit RGB) within ``BAND`` pixels of a tile border and everywhere else."""

    tile_pixels: int
    near_border_psnr: float
    elsewhere_psnr: float
    near_border_pixels: int


def mosaic(size: int, photos: Path = KODAK, seed: int = 0) -> np.ndarray:
    """uint8 ``[size, size, 3]``: ``PIECE``-pixel crops of photos at random places, edge to edge
    (a period unrelated to the 1024-pixel tiles, so photo edges do not pile up on tile borders)."""
    files = sorted(photos.glob("*.png")) if photos.is_dir() else []
    if not files:
        return _texture(size, seed)
    rng = np.random.default_rng(seed)
    pictures = [np.asarray(Image.open(path).convert("RGB")) for path in files]
    canvas = np.empty((size, size, 3), dtype=np.uint8)
    for top in range(0, size, PIECE):
        for left in range(0, size, PIECE):
            picture = pictures[rng.integers(len(pictures))]
            y, x = rng.integers(picture.shape[0] - PIECE + 1), rng.integers(picture.shape[1] - PIECE + 1)
            block = canvas[top : top + PIECE, left : left + PIECE]
            block[...] = picture[y : y + block.shape[0], x : x + block.shape[1]]
    return canvas


def _texture(size: int, seed: int) -> np.ndarray:
    """A synthetic stand-in: smooth colour fields, edges and grain, built in row bands."""
    rng = np.random.default_rng(seed)
    canvas = np.empty((size, size, 3), dtype=np.uint8)
    coarse = np.asarray(Image.fromarray(rng.integers(0, 256, (size // 200 + 2, size // 200 + 2, 3), dtype=np.uint8))
                        .resize((size, size), Image.Resampling.BICUBIC))
    for top in range(0, size, 512):
        rows = np.arange(top, min(top + 512, size))[:, None]
        cols = np.arange(size)[None, :]
        stripes = 40 * np.sign(np.sin(rows / 37.0 + cols / 53.0))[:, :, None]
        grain = rng.normal(0, 6, (rows.shape[0], size, 3))
        canvas[top : top + rows.shape[0]] = np.clip(coarse[top : top + rows.shape[0]] + stripes + grain, 0, 255)
    return canvas


def run_cli(arguments: list[str]) -> Step:
    """Run ``aecodec ARGUMENTS`` in a fresh process; measure wall time and that process's peak RSS."""
    command = [sys.executable, "-m", "aecodec.tools.cli", *arguments]
    start = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments)} failed with status {process.returncode}")
    return Step(" ".join(["aecodec", *arguments]), round(seconds, 1), round(usage.ru_maxrss / 1024))


def seam_report(original: np.ndarray, decoded: np.ndarray, tile_pixels: int) -> SeamReport:
    """PSNR near the tile borders (multiples of ``tile_pixels``) and elsewhere, row band by row band."""
    near_error = far_error = 0.0
    near_count = far_count = 0
    columns = _near_border(original.shape[1], tile_pixels)
    for top in range(0, original.shape[0], 256):
        rows = _near_border(original.shape[0], tile_pixels)[top : top + 256, None]
        mask = rows | columns[None, :]
        error = (original[top : top + 256].astype(np.float64) - decoded[top : top + 256]) ** 2
        error = error.sum(axis=2)
        near_error += error[mask].sum()
        far_error += error[~mask].sum()
        near_count += int(mask.sum())
        far_count += int((~mask).sum())
    return SeamReport(tile_pixels, _psnr(near_error, 3 * near_count), _psnr(far_error, 3 * far_count), near_count)


def _near_border(length: int, tile_pixels: int) -> np.ndarray:
    """True for positions within ``BAND`` of an interior multiple of ``tile_pixels``."""
    positions = np.arange(length)
    offset = positions % tile_pixels
    distance = np.minimum(offset, tile_pixels - offset)
    interior = (positions >= BAND) & (positions < length - BAND)
    return (distance < BAND) & interior & (length > tile_pixels)


def _psnr(squared_error: float, count: int) -> float:
    return round(float(10 * np.log10(255.0**2 * max(count, 1) / max(squared_error, 1e-12))), 3)


def tiling_study(image: np.ndarray, tile: int, quality: float) -> dict:
    """Decode one file with ``tile``-latent tiles and untiled; how far apart they are and the seams."""
    from aecodec.codec.decoder.model import decode_pixels
    from aecodec.codec.encoder import analysis
    from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, load_model

    model = load_model(DEFAULT_MODEL_ID)
    height, width, _ = image.shape
    streams = analysis.encode(model, image, quality)
    whole = decode_pixels(model, streams, quality, height, width, tile=max(height, width) // STRIDE + 1)
    tiled = decode_pixels(model, streams, quality, height, width, tile=tile)
    difference = np.abs(whole.astype(np.int16) - tiled)
    return {
        "size": f"{width}x{height}",
        "tile_pixels": tile * STRIDE,
        "max_abs_difference_tiled_vs_untiled": int(difference.max()),
        "samples_that_differ": int(np.count_nonzero(difference)),
        "seams_tiled": asdict(seam_report(image, tiled, tile * STRIDE)),
        "seams_untiled_same_bands": asdict(seam_report(image, whole, tile * STRIDE)),
    }


def benchmark(size: int, work: Path, quality: float) -> dict:
    """Compress and decompress a ``size``² mosaic through the CLI; measure; check the seams."""
    work.mkdir(parents=True, exist_ok=True)
    source, coded, decoded_path = work / "large.png", work / "large.aec", work / "large-decoded.png"
    image = mosaic(size)
    Image.fromarray(image).save(source, compress_level=1)
    compress = run_cli(["compress", str(source), "-o", str(coded), "-q", f"{quality:g}", "-f"])
    decompress = run_cli(["decompress", str(coded), "-o", str(decoded_path), "-f"])
    with Image.open(decoded_path) as decoded:
        seams = seam_report(image, np.asarray(decoded.convert("RGB")), TILE * STRIDE)
    return {
        "size": f"{size}x{size}",
        "quality": quality,
        "aec_bytes": coded.stat().st_size,
        "bpp": round(8 * coded.stat().st_size / size**2, 4),
        "compress": asdict(compress),
        "decompress": asdict(decompress),
        "seams": asdict(seams),
        "threads": os.environ.get("OMP_NUM_THREADS", "default"),
    }


def markdown(record: dict) -> str:
    """The report's Markdown version."""
    large, study = record["large"], record["tiling_study"]
    lines = [
        f"# {large['size']} through the CLI with bounded memory",
        "",
        f"Mosaic of Kodak photos, quality {large['quality']:g}: {large['aec_bytes']} bytes, {large['bpp']} bpp; "
        f"OMP_NUM_THREADS={large['threads']}.",
        *([f"Machine: {record['machine']['processor']}, {record['machine']['cores']} cores, "
           f"{record['machine']['system']}, Python {record['machine']['python']}."] if "machine" in record else []),
        "",
        "| step | seconds | peak RSS (MB) |",
        "| --- | ---: | ---: |",
        *(f"| `{large[name]['command']}` | {large[name]['seconds']} | {large[name]['peak_rss_mb']} |"
          for name in ("compress", "decompress")),
        "",
        f"Seams ({large['seams']['tile_pixels']}-pixel tiles, {BAND} pixels either side of a border): PSNR "
        f"{large['seams']['near_border_psnr']} dB near the borders, {large['seams']['elsewhere_psnr']} dB elsewhere.",
        "",
        f"Tiling study on {study['size']} with {study['tile_pixels']}-pixel tiles: tiled and untiled decodes of "
        f"one file differ by at most {study['max_abs_difference_tiled_vs_untiled']} level(s) in "
        f"{study['samples_that_differ']} samples; PSNR near the borders {study['seams_tiled']['near_border_psnr']} dB "
        f"(untiled, same bands: {study['seams_untiled_same_bands']['near_border_psnr']} dB), elsewhere "
        f"{study['seams_tiled']['elsewhere_psnr']} dB.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=8000)
    parser.add_argument("--quality", type=float, default=75.0)
    parser.add_argument("--study-size", type=int, default=1536)
    parser.add_argument("--study-tile", type=int, default=8, help="Latents per tile in the tiling study.")
    parser.add_argument("--work", type=Path, default=Path("/tmp/aecodec-large"))
    parser.add_argument("--out", type=Path, default=Path("results/large_image.json"))
    args = parser.parse_args(argv)
    record = {"large": benchmark(args.size, args.work, args.quality),
              "tiling_study": tiling_study(mosaic(args.study_size, seed=1), args.study_tile, args.quality),
              "machine": describe_machine().as_dict()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(record))
    print(markdown(record))


if __name__ == "__main__":
    main()
