"""Fuzz the image inputs of ``compress``: ``python -m aecodec.tools.dev.fuzz.images --inputs N --out results/fuzz-images.json``.

Every input must end in a coded file or a one-line user error (what the CLI prints as ``Error:``).
Seeds are small images Pillow writes in many forms (PNG 8/16-bit with and without tRNS, palette
with alpha, grey+alpha, APNG, GIF, TIFF with EXIF and ICC, JPEG with EXIF and XMP, WebP, BMP); input
``i`` is a seed changed by 1-3 byte operators of :mod:`aecodec.tools.dev.fuzz.mutations`, or a PNG with a
chunk changed and its CRC recomputed, drawn from ``random.Random(f"{seed}:{i}")`` alone. Each goes
through what ``compress`` does with a file: :func:`~aecodec.tools.cli.reading.read_image` (Pillow open
and load, transparency, depth, frames, metadata), the split into planes and metadata sections,
and for a ``--deep`` fraction the whole encode with the tiny random-weight model and a decode
saved back through :func:`~aecodec.tools.cli.saving.save_image` to a format drawn at random.
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from aecodec.tools.dev.fuzz.mutations import _png_chunk, _png_chunks, pick
from aecodec.tools.dev.fuzz.report import Finding, Tally

SAVE_FORMATS = ("PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF", "AVIF")
_XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class ImageInput:
    """Input ``index``: its bytes, how it was made, and whether it is coded in full."""

    index: int
    data: bytes
    origin: str
    deep: bool


def seed_images() -> list[bytes]:
    """Small valid files in the forms ``compress`` must take."""
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (9, 13, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    seeds = [
        _save(Image.fromarray(rgb), "PNG"),
        _save(Image.fromarray(rgb[:, :, 0]), "PNG", transparency=int(rgb[0, 0, 0])),
        _save(Image.fromarray(rgb), "PNG", transparency=tuple(int(v) for v in rgb[1, 1])),
        _save(Image.fromarray((rng.integers(0, 65536, (7, 5))).astype(np.uint16)), "PNG", transparency=7),
        _save(Image.fromarray(rgb).convert("P"), "PNG", transparency=bytes(range(0, 256, 8))),
        _save(Image.fromarray(rgb).convert("LA"), "PNG"),
        _save(Image.fromarray(rgb), "PNG", save_all=True, append_images=[Image.fromarray(rgb[::-1].copy())]),
        _save(Image.fromarray(rgb).convert("P"), "GIF", save_all=True, append_images=[Image.fromarray(rgb[::-1].copy()).convert("P")]),
        _save(Image.fromarray(rgb), "TIFF", exif=exif.tobytes(), icc_profile=icc),
        _save(Image.fromarray(rgb), "JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=_XMP),
        _save(Image.fromarray(rgb), "JPEG", exif=b"Exif\0\0not tiff"),
        _save(Image.fromarray(rgb), "WEBP", exif=exif.tobytes(), xmp=_XMP, lossless=True),
        _save(Image.fromarray(rgb), "BMP"),
    ]
    return seeds


def _save(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def make_image_input(seeds: list[bytes], chooser: random.Random) -> tuple[bytes, list[str]]:
    """One mutated image file and the names of the operators applied."""
    from aecodec.tools.dev.fuzz.mutations import BYTE_OPERATORS

    data = pick(chooser, seeds)
    names = []
    if data.startswith(_PNG_SIGNATURE) and chooser.random() < 0.4:
        data = _mutate_png_chunk(data, chooser)
        names.append("png_chunk")
    for _ in range(chooser.randint(0 if names else 1, 3)):
        operator = pick(chooser, [op for op in BYTE_OPERATORS if op.__name__ != "splice_bytes"])
        data = operator(data, chooser, [])
        names.append(operator.__name__)
    return data, names


def _mutate_png_chunk(data: bytes, chooser: random.Random) -> bytes:
    """A PNG with one chunk's bytes or declared numbers changed, every CRC recomputed."""
    from aecodec.tools.dev.fuzz.mutations import flip_bits, overwrite, truncate

    chunks = _png_chunks(data)
    if not chunks:
        return data
    index = chooser.randint(0, len(chunks) - 1)
    kind, body = chunks[index]
    if len(body) >= 4 and chooser.random() < 0.5:
        offset = chooser.randint(0, len(body) - 4)
        value = pick(chooser, [0, 1, 0xFFFF, 0xFFFF_FFFF, 1 << 31, chooser.randint(0, 1 << 20)])
        body = body[:offset] + struct.pack(">I", value) + body[offset + 4 :]
    else:
        body = pick(chooser, [truncate, flip_bits, overwrite])(body, chooser, [])
    chunks[index] = (kind, body)
    return _PNG_SIGNATURE + b"".join(_png_chunk(name, payload) for name, payload in chunks)


def run_image_input(item: ImageInput, directory: Path, model) -> tuple[str, str]:
    """``(outcome, message)``: ``coded``/``read`` or the user error's class; other exceptions escape."""
    from aecodec.codec.decoder.api import decompress_with
    from aecodec.codec.encoder.api import compress_with
    from aecodec.codec.images import planes
    from aecodec.codec.images.metadata import metadata_sections
    from aecodec.tools.cli.commands import error_message
    from aecodec.tools.cli.reading import read_image
    from aecodec.tools.cli.saving import save_image

    path = directory / "input"
    path.write_bytes(item.data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with read_image(path) as read:
                parts = planes.split(read.image)
                metadata_sections(read.image, parts.mode)
                if not item.deep:
                    return "read", ""
                decoded = decompress_with(model, compress_with(model, read.image, 50.0))
            save_image(decoded, pick(random.Random(item.index), SAVE_FORMATS))
        return "coded", ""
    except Exception as error:
        message = error_message(error)
        if message is None:
            raise
        return type(error).__name__, message.replace(str(path), "INPUT")


def check_image(item: ImageInput, directory: Path, model, tally: Tally) -> None:
    """Run one input and record its outcome, or a finding when the contract is broken."""
    start = time.perf_counter()
    try:
        outcome, message = run_image_input(item, directory, model)
    except Exception as error:
        tally.record_finding(Finding.escaped(item, error))
        return
    finally:
        tally.record_time(item.index, time.perf_counter() - start, item.deep)
    if outcome not in ("coded", "read") and (not message or "\n" in message):
        tally.record_finding(Finding.of(item, f"{outcome} (not one line)", message))
    tally.record(outcome, message)


def fuzz_images(inputs: int, seed: int, deep: float) -> Tally:
    """Run ``inputs`` mutated images (the seeds themselves first) and return the totals."""
    from aecodec.tools.dev.fuzz.decoder import tiny_model

    tally = Tally()
    seeds = seed_images()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        model = tiny_model(directory)
        for index in range(inputs):
            if index < len(seeds):
                item = ImageInput(index, seeds[index], f"seed {index}", deep=True)
            else:
                chooser = random.Random(f"{seed}:{index}")
                is_deep = chooser.random() < deep
                data, operators = make_image_input(seeds, chooser)
                item = ImageInput(index, data, "+".join(operators), is_deep)
            check_image(item, directory, model, tally)
    tally.seconds = time.perf_counter() - started
    return tally


def main(argv: list[str] | None = None) -> None:
    from aecodec.tools.dev.fuzz.report import write_io_report

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path("results/fuzz-images.json"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--deep", type=float, default=0.05, help="Fraction coded in full with the tiny model.")
    args = parser.parse_args(argv)
    tally = fuzz_images(args.inputs, args.seed, args.deep)
    command = (f"python -m aecodec.tools.dev.fuzz.images --inputs {args.inputs} --seed {args.seed} "
               f"--deep {args.deep}")
    write_io_report("Fuzzing the image inputs of compress", command, tally, args.out)
    print(tally.summary())


if __name__ == "__main__":
    main()
