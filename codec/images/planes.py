"""Pixel plumbing: accepted inputs to a colour plane plus optional alpha, and the lossless alpha plane."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from aecodec.bitstream.container import ContainerError, ImageMode
from aecodec.codec.images.source import load_source

_PNG_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, Image.DecompressionBombError)
"""What Pillow raises for a malformed PNG."""


@dataclass(frozen=True)
class SplitImage:
    """``color`` uint8 ``[H, W, 3]`` (grey repeated for L/LA), ``alpha`` uint8 ``[H, W]`` or None."""

    color: np.ndarray
    alpha: np.ndarray | None
    mode: ImageMode


def to_pil(image: Image.Image | np.ndarray) -> Image.Image:
    """Accept a PIL image or a uint8 array ``[H, W]``, ``[H, W, 1]``, ``[H, W, 3]`` or ``[H, W, 4]``.

    uint16 arrays are reduced to 8 bits with a warning.
    """
    if isinstance(image, Image.Image):
        return image
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a PIL image or a numpy array, got {type(image).__name__}")
    image = _array_to_8bit(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    modes = {2: "L", 3: "RGB", 4: "RGBA"}
    channels = 2 if image.ndim == 2 else image.shape[2] if image.ndim == 3 else 0
    if channels not in modes:
        raise ValueError(f"unsupported array shape {image.shape}")
    return Image.fromarray(np.ascontiguousarray(image), modes[channels])


def _array_to_8bit(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint16:
        warnings.warn("uint16 image reduced to 8 bits per sample", stacklevel=4)
        return np.round(image / 257.0).astype(np.uint8)
    if image.dtype != np.uint8:
        raise ValueError(f"numpy images must be uint8 (or uint16), got {image.dtype}")
    return image


def split(image: Image.Image) -> SplitImage:
    """Any Pillow image as L, LA, RGB or RGBA (see :func:`aecodec.codec.images.source.load_source`,
    which warns about what is lost) with its alpha plane apart."""
    image = load_source(image)
    mode = ImageMode[image.mode]
    array = np.asarray(image)
    if mode in (ImageMode.L, ImageMode.LA):
        grey = array if mode is ImageMode.L else array[:, :, 0]
        color = np.repeat(grey[:, :, None], 3, axis=2)
    else:
        color = array[:, :, :3]
    alpha = array[:, :, -1] if mode in (ImageMode.LA, ImageMode.RGBA) else None
    return SplitImage(np.ascontiguousarray(color), alpha, mode)


def merge(color: np.ndarray, alpha: np.ndarray | None, mode: ImageMode) -> Image.Image:
    """Inverse of :func:`split`: ``color`` uint8 ``[H, W, 3]`` to a PIL image of ``mode``."""
    rgb = Image.fromarray(color, "RGB")
    base = rgb.convert("L") if mode in (ImageMode.L, ImageMode.LA) else rgb
    if alpha is None:
        return base
    base.putalpha(Image.fromarray(alpha, "L"))
    return base


def encode_alpha(alpha: np.ndarray) -> bytes:
    """Lossless alpha plane as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(alpha, "L").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def decode_alpha(data: bytes, height: int, width: int) -> np.ndarray:
    """Inverse of :func:`encode_alpha`; any fault is a :class:`ContainerError` with one line.

    The plane's size is checked against the header before its pixels are decoded.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG"]) as plane:
                if plane.size != (width, height) or plane.mode != "L":
                    raise ContainerError("alpha plane does not match the image")
                return np.asarray(plane).copy()
    except UnidentifiedImageError:
        raise ContainerError("bad alpha section: not a PNG image") from None
    except _PNG_ERRORS as error:
        raise ContainerError(f"bad alpha section: {' '.join(str(error).split())}") from None
