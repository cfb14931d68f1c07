"""What the CLI commands do, apart from argument parsing: file I/O, reports and error mapping."""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np
from PIL import Image, UnidentifiedImageError

from aecodec.bitstream import container
from aecodec.bitstream.entropy_coder import StreamError
from aecodec.tools.output import OutputError, check_target, write_atomically

USER_ERRORS = (OutputError, container.ContainerError, StreamError, OSError, ValueError,
               UnidentifiedImageError, Image.DecompressionBombError)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into a one-line ``click`` error (exit status 1, no traceback)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except FileNotFoundError as error:
        raise click.ClickException(f"{error.filename}: no such file") from None
    except Image.DecompressionBombWarning as error:
        raise click.ClickException(str(error)) from None
    except USER_ERRORS as error:
        raise click.ClickException(str(error) or type(error).__name__) from None


def resolve_device(name: str) -> str:
    """``auto`` is CUDA when available; asking for CUDA without one is an error."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise click.ClickException("--device cuda was asked for but no CUDA device is available")
    return name


@dataclass(frozen=True)
class CodingReport:
    """What ``-v`` prints. Times in seconds; PSNR in dB on 8-bit RGB (None when not measured)."""

    path: Path
    size_bytes: int
    width: int
    height: int
    seconds: float
    psnr: float | None = None

    def __str__(self) -> str:
        bpp = 8 * self.size_bytes / (self.width * self.height)
        text = f"{self.path}: {self.width}x{self.height}, {self.size_bytes} bytes, {bpp:.4f} bpp"
        if self.psnr is not None:
            text += f", PSNR {self.psnr:.2f} dB"
        return text + f", {self.seconds:.2f} s"


def compress_file(source: Path, target: Path, quality: float, device: str, force: bool, verbose: bool) -> CodingReport:
    """Read an image, write its ``.aec`` file; with ``verbose`` also decode to measure PSNR."""
    from aecodec.codec.api import compress, decompress

    with Image.open(source) as image:
        image.load()
        check_target(target, force, source)
        start = time.perf_counter()
        data = compress(image, quality=quality, device=device)
        seconds = time.perf_counter() - start
        psnr = _psnr(image, decompress(data, device=device)) if verbose else None
        width, height = image.size
    write_atomically(target, lambda handle: handle.write(data))
    return CodingReport(target, len(data), width, height, seconds, psnr)


def decompress_file(source: Path, target: Path, device: str, force: bool) -> CodingReport:
    """Read an ``.aec`` file and write the image in the format named by ``target``'s extension."""
    from aecodec.codec.api import decompress

    data = source.read_bytes()
    check_target(target, force, source)
    image_format = Image.registered_extensions().get(target.suffix.lower())
    if image_format is None:
        raise OutputError(f"cannot tell an image format from the extension of {target}")
    start = time.perf_counter()
    image = decompress(data, device=device)
    seconds = time.perf_counter() - start
    write_atomically(target, lambda handle: _save(image, handle, image_format))
    return CodingReport(source, len(data), image.width, image.height, seconds)


def _save(image: Image.Image, handle, image_format: str) -> None:
    extra = {key: image.info[key] for key in ("icc_profile", "exif") if key in image.info}
    if image_format == "JPEG" and image.mode in ("RGBA", "LA"):
        raise OutputError("JPEG cannot store an alpha channel; choose .png or .webp")
    image.save(handle, format=image_format, **extra)


def _psnr(original: Image.Image, decoded: Image.Image) -> float:
    reference = np.asarray(original.convert("RGB"), dtype=np.float64)
    test = np.asarray(decoded.convert("RGB"), dtype=np.float64)
    mse = np.mean((reference - test) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def describe_file(path: Path) -> dict:
    """Header fields and section sizes of an ``.aec`` file, as JSON-ready values."""
    data = path.read_bytes()
    parsed = container.unpack(data)
    header = parsed.header
    return {
        "file": str(path),
        "bytes": len(data),
        "format_version": container.FORMAT_VERSION,
        "model_id": header.model_id,
        "weights_hash": header.weights_hash.hex(),
        "quality": header.quality,
        "width": header.width,
        "height": header.height,
        "mode": header.mode.name,
        "bit_depth": header.bit_depth,
        "bpp": 8 * len(data) / (header.width * header.height),
        "sections": {kind.name.lower(): len(payload) for kind, payload in sorted(parsed.sections.items())},
    }


def format_summary(summary: dict) -> str:
    """Human-readable lines for :func:`describe_file`'s result."""
    lines = [f"{key}: {value}" for key, value in summary.items() if key != "sections"]
    lines += [f"section {name}: {size} bytes" for name, size in summary["sections"].items()]
    return "\n".join(lines)


def export_checkpoint(checkpoint: Path, target: Path, force: bool) -> None:
    """Load a training checkpoint and write its frozen inference weights."""
    import io

    import numpy as np_module

    from aecodec.codec.export import export_arrays
    from aecodec.codec.model import HyperpriorModel, ModelConfig
    from aecodec.tools.train import load_checkpoint

    check_target(target, force)
    state = load_checkpoint(checkpoint)
    model = HyperpriorModel(ModelConfig(**state["config"]))
    model.load_state_dict(state["model"])
    buffer = io.BytesIO()
    np_module.savez(buffer, **export_arrays(model))
    write_atomically(target, lambda handle: handle.write(buffer.getvalue()))
