"""What the CLI commands do, apart from argument parsing: file I/O, reports and error mapping."""

from __future__ import annotations

import contextlib
import dataclasses
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click
from PIL import Image, UnidentifiedImageError

from aecodec.bitstream import container
from aecodec.bitstream.aec_reader import read_aec
from aecodec.bitstream.errors import AecError
from aecodec.bitstream.versions import Version
from aecodec.codec.images.metadata import ALL as ALL_METADATA
from aecodec.codec.torch_support import TorchRequiredError
from aecodec.tools.cli import formats
from aecodec.tools.cli.formats import ImageFormat
from aecodec.tools.cli.output import OutputError, check_target, write_atomically
from aecodec.tools.cli.reading import ImageReadError, read_image
from aecodec.tools.cli.streams import check_output, display_name, read_coded, write_output

if TYPE_CHECKING:
    from aecodec.codec.encoder.targets import Target

USER_ERRORS = (OutputError, AecError, OSError, ValueError, UnidentifiedImageError, ImageReadError,
               Image.DecompressionBombError, Image.DecompressionBombWarning, TorchRequiredError)


def error_message(error: BaseException) -> str | None:
    """The one-line message for an expected failure; None for anything else (a bug)."""
    if isinstance(error, FileNotFoundError) and error.filename is not None:
        return f"{error.filename}: no such file"
    if isinstance(error, MemoryError):
        return "not enough memory for this image"
    if isinstance(error, USER_ERRORS):
        return str(error) or type(error).__name__
    return None


@contextlib.contextmanager
def command_warnings() -> Iterator[None]:
    """Treat Pillow's decompression-bomb warning as an error; show any other warning as one
    ``warning: MESSAGE`` line on stderr, like the command's own warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        warnings.showwarning = _show_one_line
        yield


def _show_one_line(message: Warning | str, *_where: object, **_keywords: object) -> None:
    click.echo(f"warning: {' '.join(str(message).split())}", err=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into a one-line ``click`` error (exit status 1, no traceback)."""
    try:
        with command_warnings():
            yield
    except Exception as error:
        message = error_message(error)
        if message is None:
            raise
        raise click.ClickException(message) from None


def resolve_device(name: str) -> str:
    """``auto`` is CUDA when available; asking for CUDA without one (or without torch) is an
    error. ``cpu`` is answered without importing torch."""
    from aecodec.codec.devices import DeviceError
    from aecodec.codec.devices import resolve_device as resolve

    try:
        return resolve(name)
    except (DeviceError, TorchRequiredError) as error:
        raise click.ClickException(f"--device {name}: {error}") from None


@dataclass(frozen=True)
class CompressSettings:
    """How ``compress`` codes each file: at ``quality``, or at the quality that meets ``target``,
    with the release ``model`` (None: the newest)."""

    quality: float
    target: Target | None = None
    device: str = "cpu"
    force: bool = False
    verbose: bool = False
    effort: int = 0
    model: int | None = None
    metadata: frozenset[str] = ALL_METADATA


@dataclass(frozen=True)
class DecompressSettings:
    """How ``decompress`` writes each image; ``image_format`` None means from the output's name."""

    image_format: ImageFormat | None = None
    device: str = "cpu"
    force: bool = False
    verbose: bool = False
    metadata: frozenset[str] = ALL_METADATA


@dataclass(frozen=True)
class CodingReport:
    """One coded file. ``label`` names the ``.aec`` side; sizes in bytes; seconds; PSNR in dB on 8-bit RGB.

    ``aec_bytes`` is the whole ``.aec`` file (bpp counts it all); ``input_bytes`` and
    ``output_bytes`` are the files read and written. ``note`` is a warning, such as a target
    that could not be met.
    """

    label: str
    aec_bytes: int
    width: int
    height: int
    seconds: float
    input_bytes: int
    output_bytes: int
    quality: float | None = None
    psnr: float | None = None
    note: str | None = None

    @property
    def bpp(self) -> float:
        return 8 * self.aec_bytes / (self.width * self.height)

    def __str__(self) -> str:
        text = f"{self.label}: {self.width}x{self.height}, {self.aec_bytes} bytes, {self.bpp:.4f} bpp"
        if self.quality is not None:
            text += f", quality {self.quality:g}"
        if self.psnr is not None:
            text += f", PSNR {self.psnr:.2f} dB"
        return text + f", {self.seconds:.2f} s"


class _Encoded(NamedTuple):
    data: bytes
    quality: float
    note: str | None


def compress_file(source: Path, target: Path, settings: CompressSettings) -> CodingReport:
    """Read an image, write its ``.aec`` file (``-`` is stdin/stdout); ``verbose`` also measures PSNR."""
    from aecodec.codec.decoder.api import decompress
    from aecodec.codec.encoder.targets import rgb_psnr

    with read_image(source) as read:
        image = read.image
        check_output(target, settings.force, source)
        start = time.perf_counter()
        encoded = _encode(image, settings)
        seconds = time.perf_counter() - start
        psnr = rgb_psnr(image, decompress(encoded.data, device=settings.device)) if settings.verbose else None
        width, height = image.size
    write_output(target, encoded.data, settings.force)
    size = len(encoded.data)
    return CodingReport(display_name(target, "stdout"), size, width, height, seconds, read.input_bytes, size,
                        encoded.quality, psnr, encoded.note)


def decompress_file(source: Path, target: Path, settings: DecompressSettings) -> CodingReport:
    """Read an ``.aec`` file and write the image (``-`` is stdin/stdout; see :func:`formats.for_output`)."""
    from aecodec.codec.decoder.api import decompress

    data = read_coded(source)
    check_output(target, settings.force, source)
    image_format = formats.for_output(target, settings.image_format)
    start = time.perf_counter()
    image = decompress(data, device=settings.device)
    seconds = time.perf_counter() - start
    encoded = formats.encode_image(image, image_format, settings.metadata)
    write_output(target, encoded, settings.force)
    return CodingReport(display_name(source, "stdin"), len(data), image.width, image.height, seconds,
                        len(data), len(encoded))


def _encode(image: Image.Image, settings: CompressSettings) -> _Encoded:
    from aecodec.codec.encoder.api import compress
    from aecodec.codec.encoder.targets import encode_for_target

    if settings.target is None:
        data = compress(image, quality=settings.quality, device=settings.device, effort=settings.effort,
                        metadata=settings.metadata, model=settings.model)
        return _Encoded(data, settings.quality, None)
    result = encode_for_target(image, settings.target, settings.device, effort=settings.effort,
                               metadata=settings.metadata, model=settings.model)
    return _Encoded(result.data, result.quality, None if result.met else result.shortfall())


def describe_file(path: Path) -> dict:
    """Header fields, the release that reads the file and section sizes of an ``.aec`` file, as JSON-ready values."""
    with path.open("rb") as handle:
        data = read_aec(handle, str(path))
    parsed = container.unpack(data)
    header = parsed.header
    requires = container.required_version(parsed)
    return {
        "file": str(path),
        "bytes": len(data),
        "format_version": container.FORMAT_VERSION,
        "model_id": header.model_id,
        "weights_hash": header.weights_hash.hex(),
        "release": _release_line(header, requires),
        "requires": None if requires is None else str(requires),
        "quality": header.quality,
        "width": header.width,
        "height": header.height,
        "mode": header.mode.name,
        "bit_depth": header.bit_depth,
        "bpp": 8 * len(data) / (header.width * header.height),
        "sections": {kind.name.lower(): len(payload) for kind, payload in sorted(parsed.sections.items())},
    }


def _release_line(header: container.Header, requires: Version | None) -> str:
    """The release that reads a file (its name, whether this installation has it) or why none does."""
    from aecodec.codec.weights.registry import UnknownModelError, release_of

    try:
        release = release_of(header.model_id, header.weights_hash, requires)
    except UnknownModelError as error:
        return f"not readable here: {error}"
    return f"{release.name} (model {release.model_id}, read since aecodec {release.first_version})"


def format_summary(summary: dict) -> str:
    """Human-readable lines for :func:`describe_file`'s result."""
    lines = [f"{key}: {value}" for key, value in summary.items() if key != "sections" and value is not None]
    lines += [f"section {name}: {size} bytes" for name, size in summary["sections"].items()]
    return "\n".join(lines)


def version_text(package_version: str) -> str:
    """What ``aecodec --version`` prints: the package, the ``.aec`` format and the releases."""
    from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, RELEASES

    releases = ", ".join(f"{release.model_id} ({release.name}{', default' if release.model_id == DEFAULT_MODEL_ID else ''})"
                         for release in RELEASES.values())
    return f"aecodec {package_version}\n.aec format version {container.FORMAT_VERSION}\nmodel releases: {releases}"


def check_encoding_model(model_id: int | None) -> None:
    """Refuse, before any file is read, a ``--model`` this installation cannot encode with."""
    from aecodec.codec.weights.registry import encoding_release, installed

    installed(encoding_release(model_id))


def list_releases() -> list[dict]:
    """Every release this installation has, as JSON-ready values, oldest first."""
    from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, RELEASES

    return [{"model_id": release.model_id, "name": release.name, "weights_hash": release.weights_hash,
             "read_since": str(release.first_version), "encodes": release.encodes,
             "default": release.model_id == DEFAULT_MODEL_ID, "kodak": dataclasses.asdict(release.kodak)}
            for release in RELEASES.values()]


def format_releases(releases: list[dict]) -> str:
    """One line per release for ``aecodec models``."""
    from aecodec.codec.weights.registry import KodakFigures

    lines = []
    for entry in releases:
        marks = ", ".join(mark for mark, on in (("default", entry["default"]), ("decodes only", not entry["encodes"])) if on)
        lines.append(f"model {entry['model_id']}: {entry['name']} (weights {entry['weights_hash']}, read since "
                     f"aecodec {entry['read_since']}{', ' + marks if marks else ''})")
        lines.append(f"  {KodakFigures(**entry['kodak'])}")
    return "\n".join(lines)


def check_not_a_release(target: Path) -> None:
    """Refuse to write weights over a released model's file (releases never change)."""
    from aecodec.codec.weights.registry import RELEASES

    for release in RELEASES.values():
        if target.resolve() == release.path.resolve():
            raise OutputError(f"{target} holds the weights of release {release}, which never change; "
                              "export to another file (a candidate) and ship it as a new release")


def export_checkpoint(checkpoint: Path, target: Path, force: bool) -> None:
    """Load a training checkpoint and write its frozen inference weights, with ``<stem>.sha256`` beside."""
    from aecodec.codec.model.export import export_arrays, record_sha256
    from aecodec.codec.weights.file import weights_bytes
    from aecodec.tools.training.train import load_checkpoint, model_from_checkpoint

    check_not_a_release(target)
    check_target(target, force)
    state = load_checkpoint(checkpoint)
    data = weights_bytes(export_arrays(model_from_checkpoint(state, checkpoint), int(state.get("step", 0))))
    write_atomically(target, lambda handle: handle.write(data), replace=force)
    record_sha256(target)
