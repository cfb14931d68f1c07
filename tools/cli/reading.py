"""Reading the image to compress: a file in place, a pipe or device through a bounded spool, and
every failure of Pillow's readers as one line.

Pillow's format plugins raise many kinds of exception on hostile files (``SyntaxError``,
``struct.error``, ``zlib.error``, ``EOFError``, ``IndexError`` ...); inside :func:`read_image`
each becomes an :class:`ImageReadError` naming the input.
"""

from __future__ import annotations

import contextlib
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from PIL import Image, UnidentifiedImageError

from aecodec.codec.images.source import load_source
from aecodec.tools.cli.spool import InputTooLarge
from aecodec.tools.cli.streams import display_name, open_spooled

IMAGE_READ_ERRORS = (OSError, ValueError, SyntaxError, EOFError, struct.error, zlib.error, TypeError, KeyError,
                     IndexError, OverflowError, NotImplementedError, MemoryError, Image.DecompressionBombError,
                     Image.DecompressionBombWarning)
"""What Pillow's readers raise on files they cannot read (a bomb warning is an error here)."""


class ImageReadError(ValueError):
    """An input that is no image Pillow can read, or that cannot be read whole."""


@dataclass(frozen=True)
class SourceImage:
    """The loaded image (8-bit L, LA, RGB or RGBA, see :func:`~aecodec.codec.images.source.load_source`)
    and how many bytes its file had."""

    image: Image.Image
    input_bytes: int


@contextlib.contextmanager
def read_image(source: Path) -> Iterator[SourceImage]:
    """Open and load the image at ``source`` (``-``: standard input); its files stay open inside."""
    name = display_name(source, "standard input")
    spool = open_spooled(source)
    try:
        with _read_errors(name):
            opened = Image.open(source if spool is None else cast(IO[bytes], spool))
        with opened:
            with _read_errors(name):
                image = load_source(opened)
            yield SourceImage(image, source.stat().st_size if spool is None else spool.size)
    finally:
        if spool is not None:
            spool.close()


@contextlib.contextmanager
def _read_errors(name: str) -> Iterator[None]:
    try:
        yield
    except InputTooLarge:
        raise
    except UnidentifiedImageError:
        raise ImageReadError(f"{name} is not an image Pillow can read") from None
    except MemoryError:
        raise ImageReadError(f"{name}: not enough memory to read the image") from None
    except FileNotFoundError:
        raise
    except IMAGE_READ_ERRORS as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise ImageReadError(f"cannot read {name}: {message}") from None
