"""Exact decoding across devices: encode on one device, decode on another, count mismatches.

``python -m aecodec.tools.dev.bench.cross_device /path/to/kodak --devices cpu,cuda --out results/cross_device.json``

For every image and every ordered pair of ``--devices`` (the same device included): the encoder
runs ``g_a``/``h_a`` on the first device and codes its symbols; the decoder reads the streams as it
would on the second device and runs ``g_s`` there. A *symbol mismatch* is an image whose decoded
symbols differ from the ones the encoder coded; the design says there are none on any pair,
because every table choice comes from integer arithmetic on the CPU. Also reported, as
information: whether the encoders of different devices chose the same streams (float ``g_a`` may
round differently) and the largest pixel difference between the devices' ``g_s``.

Made for a GPU machine; on a CPU-only machine it runs the ``cpu -> cpu`` pair.
"""

from __future__ import annotations

import argparse
import itertools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from aecodec.codec.decoder.checkerboard import LatentSymbols, code, read_latent
from aecodec.codec.decoder.model import synthesise
from aecodec.codec.encoder import analysis
from aecodec.codec.images.files import list_images
from aecodec.codec.model.inference import InferenceModel

QUALITY = 75.0


@dataclass(frozen=True)
class PairResult:
    """One (encode device, decode device) pair over all images."""

    encode_device: str
    decode_device: str
    images: int
    symbol_mismatches: int
    max_pixel_difference_vs_encode_device: int


def cross_check(model: InferenceModel, images: list[np.ndarray], devices: list[str],
                quality: float = QUALITY) -> dict:
    """Results per device pair plus how many images got identical streams from every encoder."""
    coded = {device: [_encode(model, image, quality, device) for image in images] for device in devices}
    pairs = [_pair(model, images, coded[first], first, second, quality)
             for first, second in itertools.product(devices, repeat=2)]
    same_streams = sum(len({coded[device][index][1] for device in devices}) == 1 for index in range(len(images)))
    return {"quality": quality, "images": len(images), "devices": devices,
            "images_with_identical_streams_across_encoders": same_streams,
            "pairs": [asdict(pair) for pair in pairs]}


def _encode(model: InferenceModel, image: np.ndarray, quality: float, device: str):
    symbols = analysis.analyse(model, image, quality, device)
    streams = code(model, symbols)
    return symbols, streams


def _pair(model: InferenceModel, images: list[np.ndarray], coded, first: str, second: str,
          quality: float) -> PairResult:
    mismatches, difference = 0, 0
    for image, (symbols, streams) in zip(images, coded, strict=True):
        height, width, _ = image.shape
        read = read_latent(model, streams, height, width)
        mismatches += not _same_symbols(read.symbols, symbols)
        there = synthesise(model, read.y_hat, quality, height, width, second)
        here = synthesise(model, read.y_hat, quality, height, width, first)
        difference = max(difference, int(np.abs(there.astype(np.int16) - here).max()))
    return PairResult(first, second, len(images), mismatches, difference)


def _same_symbols(read: LatentSymbols, coded: LatentSymbols) -> bool:
    return all(np.array_equal(getattr(read, name), getattr(coded, name))
               for name in ("z_values", "z_tables", "y_values", "y_tables", "anchor_count"))


def load_images(folder: Path, limit: int | None = None) -> list[np.ndarray]:
    """The images under ``folder`` (PNG, JPEG, ...) as uint8 RGB arrays ``[H, W, 3]``, sorted by path."""
    paths = list_images(folder)[:limit]
    if not paths:
        raise SystemExit(f"no images in {folder}")
    return [np.asarray(Image.open(path).convert("RGB")) for path in paths]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("images", type=Path, help="Folder of images (the 24 Kodak images).")
    parser.add_argument("--devices", default="cpu,cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--quality", type=float, default=QUALITY)
    parser.add_argument("--limit", type=int, help="Use only the first N images.")
    parser.add_argument("--weights", type=Path, help="Weights file instead of the registry's default model.")
    parser.add_argument("--out", type=Path, default=Path("results/cross_device.json"))
    args = parser.parse_args(argv)
    from aecodec.codec.model.inference import load_inference_model
    from aecodec.codec.weights.registry import load_model

    model = load_inference_model(args.weights) if args.weights else load_model()
    record = cross_check(model, load_images(args.images, args.limit), args.devices.split(","), args.quality)
    record["torch"] = torch.__version__
    record["gpu"] = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
