"""Write the conformance vectors of one model release (run once, when the release is made).

    python tests/conformance/generate.py --model 2 --made-by "aecodec 0.1.0 (git cbf6501)"

It compresses a fixed set of small images (crops of ``tests/data/parrots.png`` and shapes drawn
here) with the installed aecodec and the release's weights, decodes each file with the NumPy
decoder, and writes into ``tests/conformance/model-<id>/``: the ``.aec`` files, the decoded images
as PNG, and ``vectors.json`` with the SHA-256 of each file, of its decoded symbols and latent and
of its decoded pixels. ``README.md`` beside this script defines those hashes.

A release's vectors are frozen: the script refuses to write into a folder that exists. It uses
only functions every aecodec since 0.1.0 has, so the vectors of a release can be made by the
version that shipped it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms

from aecodec.bitstream import container
from aecodec.codec.decoder.api import decompress
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.weights.registry import load_decoder, load_model

HERE = Path(__file__).parent
PARROTS = HERE.parent / "data" / "parrots.png"


@dataclass(frozen=True)
class VectorSpec:
    """One vector: a name, how its source image is made, and how it is coded."""

    name: str
    describe: str
    source: Callable[[], Image.Image]
    quality: float
    effort: int = 0


def parrots(box: tuple[int, int, int, int], mode: str = "RGB") -> Callable[[], Image.Image]:
    """A crop ``(left, top, right, bottom)`` of the test photo, converted to ``mode``."""
    return lambda: Image.open(PARROTS).convert("RGB").crop(box).convert(mode)


def with_alpha(box: tuple[int, int, int, int], mode: str) -> Callable[[], Image.Image]:
    """A crop with a diagonal alpha ramp and a fully transparent corner (``LA`` or ``RGBA``)."""
    def make() -> Image.Image:
        image = parrots(box, mode[:-1])()
        width, height = image.size
        ramp = np.add.outer(np.arange(height) * 3, np.arange(width) * 2) % 256
        ramp[: height // 4, : width // 4] = 0
        image.putalpha(Image.fromarray(ramp.astype(np.uint8)))
        return image
    return make


def wide_strip() -> Image.Image:
    """1100 × 72 pixels: two tiles of the float transforms side by side (a tile is 1024 pixels)."""
    photo = np.asarray(Image.open(PARROTS).convert("RGB"))[40:112]
    row = np.concatenate([photo, photo[:, ::-1]] * 3, axis=1)[:, :1100]
    return Image.fromarray(np.ascontiguousarray(row))


def one_pixel() -> Image.Image:
    return Image.new("RGB", (1, 1), (200, 40, 90))


def with_metadata() -> Image.Image:
    """A crop carrying an sRGB ICC profile and EXIF (orientation 6, a camera make)."""
    image = parrots((100, 40, 164, 104))()
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "aecodec conformance"
    image.info["icc_profile"] = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.info["exif"] = exif.tobytes()
    return image


VECTORS = (
    VectorSpec("rgb-q75", "RGB 96x64 crop, the default quality", parrots((80, 30, 176, 94)), 75.0),
    VectorSpec("rgb-q0", "RGB 96x64 crop, the lowest quality", parrots((80, 30, 176, 94)), 0.0),
    VectorSpec("rgb-q100", "RGB 96x64 crop, the highest quality", parrots((80, 30, 176, 94)), 100.0),
    VectorSpec("rgb-whole-q33.33", "RGB 256x170 (not a multiple of 64), a fractional quality",
               parrots((0, 0, 256, 170)), 33.33),
    VectorSpec("gray-q50", "L (greyscale) 80x72 crop", parrots((20, 60, 100, 132), "L"), 50.0),
    VectorSpec("gray-alpha-q60", "LA 40x40 crop with an alpha ramp", with_alpha((150, 90, 190, 130), "LA"), 60.0),
    VectorSpec("rgba-q60", "RGBA 72x56 crop with an alpha ramp", with_alpha((10, 10, 82, 66), "RGBA"), 60.0),
    VectorSpec("one-pixel-q75", "RGB 1x1", one_pixel, 75.0),
    VectorSpec("two-tiles-q20", "RGB 1100x72, two tiles of the synthesis", wide_strip, 20.0),
    VectorSpec("effort2-q50", "RGB 96x64 crop coded at encoder effort 2", parrots((80, 30, 176, 94)), 50.0, effort=2),
    VectorSpec("metadata-q75", "RGB 64x64 crop with an sRGB ICC profile and EXIF", with_metadata, 75.0),
)


TOLERANCE = {
    "symbols": "exact", "latent": "exact",
    "pixels_max_abs_difference": 1, "pixels_max_fraction_differing": 0.01,
    "pixels_note": "the NumPy decoder gave the pixels on the machine that wrote the vectors; another "
                   "engine or BLAS (torch on a CPU or GPU, onnxruntime) may round g_s's float sums "
                   "differently, by at most 1 level in at most 1% of the samples",
}
"""What a decoder must match: symbols and latent bit for bit; pixels within the float synthesis' rounding."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def symbol_digests(data: bytes) -> dict[str, object]:
    """The SHA-256 of a file's decoded symbols (int32 little-endian, ``z`` then ``y``, in coding
    order) and of its latent ``ŷ`` (float32 little-endian ``[M, h, w]``, before the gains)."""
    parsed = container.unpack(data)
    header = parsed.header
    streams = LatentStreams.from_sections(parsed.sections)
    decoded = read_latent(load_decoder(header.model_id), streams, header.height, header.width)
    symbols = decoded.symbols
    stream = symbols.z_values.astype("<i4").tobytes() + symbols.y_values.astype("<i4").tobytes()
    return {"z_count": int(symbols.z_values.size), "y_count": int(symbols.y_values.size),
            "symbols_sha256": sha256(stream), "latent_sha256": sha256(decoded.y_hat.astype("<f4").tobytes())}


def write_vector(spec: VectorSpec, model_id: int, folder: Path) -> dict[str, object]:
    """Code ``spec``'s image, write the ``.aec`` file and its decoded PNG, return its record."""
    data = compress_with(load_model(model_id), spec.source(), spec.quality, model_id=model_id, effort=spec.effort)
    (folder / f"{spec.name}.aec").write_bytes(data)
    image = decompress(data)
    image.save(folder / f"{spec.name}.png")
    header = container.unpack(data).header
    record: dict[str, object] = {
        "file": f"{spec.name}.aec", "describe": spec.describe, "bytes": len(data), "file_sha256": sha256(data),
        "quality": header.quality, "effort": spec.effort, "width": header.width, "height": header.height,
        "mode": header.mode.name, **symbol_digests(data), "pixels": f"{spec.name}.png",
        "pixels_sha256": sha256(np.asarray(image).tobytes()),
    }
    for key in ("icc_profile", "exif"):
        if key in image.info:
            record[f"{key}_sha256"] = sha256(bytes(image.info[key]))
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=int, required=True, help="release (model id) to write vectors for")
    parser.add_argument("--made-by", required=True, help='the aecodec that writes them, e.g. "aecodec 0.2.0"')
    arguments = parser.parse_args()
    folder = HERE / f"model-{arguments.model}"
    folder.mkdir()
    model = load_decoder(arguments.model)
    records = [write_vector(spec, arguments.model, folder) for spec in VECTORS]
    manifest = {"model_id": arguments.model, "weights_hash": model.weights_hash.hex(),
                "made_by": arguments.made_by, "tolerance": TOLERANCE, "vectors": records}
    (folder / "vectors.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} vectors to {folder}")


if __name__ == "__main__":
    main()
