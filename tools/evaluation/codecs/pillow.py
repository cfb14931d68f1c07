"""Classical codecs through Pillow and its plugins: JPEG, WebP, AVIF and JPEG XL.

Each maker returns a :class:`PillowCodec` or raises :class:`CodecUnavailable` with a one-line
reason when the encoder is missing. Libraries run with their default thread counts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import PIL
from PIL import Image, features

from aecodec.tools.evaluation.codecs.base import CodecUnavailable

JPEG_QUALITIES = (5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0)
JPEG_DEFAULT_QUALITIES = tuple(float(q) for q in range(5, 100, 5))
WEBP_QUALITIES = (5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0)
AVIF_QUALITIES = (20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0)
JXL_QUALITIES = (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 95.0)


@dataclass(frozen=True)
class PillowCodec:
    """A codec that is one ``Image.save`` format with fixed options.

    ``integer_quality`` rounds the quality to an int for encoders that only take ints.
    """

    name: str
    description: str
    default_qualities: tuple[float, ...]
    format: str
    options: dict[str, Any] = field(default_factory=dict)
    integer_quality: bool = True

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Save ``image`` (RGB) in the codec's format at ``quality``; returns the whole file."""
        value = int(round(quality)) if self.integer_quality else float(quality)
        buffer = io.BytesIO()
        image.save(buffer, self.format, quality=value, **self.options)
        return buffer.getvalue()

    def decode(self, data: bytes) -> Image.Image:
        """Open the file bytes and return the decoded RGB image."""
        with Image.open(io.BytesIO(data)) as opened:
            return opened.convert("RGB")


def jpeg(name: str, subsampling: int, optimize: bool) -> PillowCodec:
    """libjpeg(-turbo) JPEG with chroma ``subsampling`` (0: 4:4:4, 2: 4:2:0) and Huffman optimisation."""
    chroma = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}[subsampling]
    description = f"{_pillow()} JPEG ({_jpeg_library()}), {chroma}, optimize={optimize}"
    options = {"subsampling": subsampling, "optimize": optimize}
    return PillowCodec(name, description, JPEG_QUALITIES, "JPEG", options)


def jpeg_default() -> PillowCodec:
    """JPEG with Pillow's defaults (4:2:0, no optimisation), as the published Pillow curve used."""
    description = f"{_pillow()} JPEG ({_jpeg_library()}), Pillow defaults (4:2:0, optimize=False)"
    return PillowCodec("jpeg-default", description, JPEG_DEFAULT_QUALITIES, "JPEG")


def webp() -> PillowCodec:
    """Lossy libwebp at its slowest, best method (6)."""
    if not features.check("webp"):
        raise CodecUnavailable("Pillow was built without WebP support")
    description = f"{_pillow()} WebP (libwebp {features.version('webp')}), lossy, method=6"
    return PillowCodec("webp", description, WEBP_QUALITIES, "WEBP", {"method": 6}, False)


def avif() -> PillowCodec:
    """AVIF through Pillow's own libavif, or pillow-avif-plugin; 4:4:4, speed 4."""
    library = _avif_library()
    description = f"{library}, 4:4:4, speed=4"
    options = {"subsampling": "4:4:4", "speed": 4}
    return PillowCodec("avif", description, AVIF_QUALITIES, "AVIF", options)


def jxl() -> PillowCodec:
    """JPEG XL through Pillow, if it has it, or pillow-jxl-plugin; lossy, effort 7."""
    library = _jxl_library()
    description = f"{library}, lossy, effort=7"
    return PillowCodec("jxl", description, JXL_QUALITIES, "JXL", {"effort": 7}, False)


def _pillow() -> str:
    return f"Pillow {PIL.__version__}"


def _jpeg_library() -> str:
    if features.check("libjpeg_turbo"):
        return f"libjpeg-turbo {features.version('libjpeg_turbo')}"
    return f"libjpeg {features.version('jpg')}"


def _avif_library() -> str:
    if features.check("avif"):
        return f"{_pillow()} AVIF (libavif {features.version('avif')}, {_avif_codecs()})"
    try:
        import pillow_avif  # noqa: F401  (registers the AVIF format with Pillow)
    except ImportError:
        raise CodecUnavailable("no AVIF encoder: Pillow lacks AVIF and pillow-avif-plugin is not installed") from None
    return f"pillow-avif-plugin {_package_version('pillow-avif-plugin')}"


def _avif_codecs() -> str:
    from PIL import _avif

    return _avif.codec_versions()


def _jxl_library() -> str:
    Image.init()
    if "JXL" in Image.SAVE:
        return f"{_pillow()} JPEG XL"
    try:
        import pillow_jxl  # noqa: F401  (registers the JXL format with Pillow)
    except ImportError:
        raise CodecUnavailable("no JPEG XL encoder: Pillow lacks JXL and pillow-jxl-plugin is not installed") from None
    return f"pillow-jxl-plugin {_package_version('pillow-jxl-plugin')}"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "(version unknown)"
