"""The public decoder: ``decompress(data or path) -> PIL.Image.Image``; on the CPU it never imports torch.

``decompress`` uses the release the file names (see :mod:`aecodec.codec.weights.registry`; a file of a
release this installation does not have is refused with a message naming the release and the
version that reads it); ``decompress_with`` takes the model
explicitly (a :class:`~aecodec.codec.decoder.model.DecoderModel`, an
:class:`~aecodec.codec.encoder.model.EncoderModel` or an :class:`~aecodec.codec.model.inference.InferenceModel`,
whose decoder half is used). The symbols are always read on the CPU with integer arithmetic;
``g_s`` runs on onnxruntime on the CPU (:mod:`aecodec.codec.engines`), on torch with another
``device`` (``"cuda"``). The symbols, and so the probability tables, are the same either way.
Every failure a file can cause is an :class:`~aecodec.bitstream.errors.AecError` with a one-line
message.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec.decoder.checkerboard import LatentStreams
from aecodec.codec.decoder.model import DecoderModel, decode_pixels, decoder_of
from aecodec.codec.devices import resolve_device
from aecodec.codec.geometry import padded_size
from aecodec.codec.images import planes
from aecodec.codec.images.arrays import from_pil
from aecodec.codec.images.metadata import attach_metadata
from aecodec.codec.weights.registry import UnknownModelError, load_decoder, release_of

if TYPE_CHECKING:
    from aecodec.codec.encoder.model import EncoderModel
    from aecodec.codec.model.inference import InferenceModel

Source = bytes | bytearray | memoryview | str | os.PathLike
"""An ``.aec`` file's bytes, or the path of one (``str`` or ``os.PathLike``)."""

def decompress(source: Source, device: str = "cpu", output: str = "pil") -> Any:
    """Decode an ``.aec`` file (its bytes or its path) to an image of the original size and mode,
    with its ICC profile and EXIF in ``info``.

    ``device`` ``"cpu"`` decodes without torch; ``"cuda"`` runs ``g_s`` there with torch;
    ``"auto"`` picks CUDA when there is one. ``output`` is ``"pil"`` (a ``PIL.Image.Image``),
    ``"uint8"`` (NumPy ``[H, W, C]``, or ``[H, W]`` for greyscale), ``"float"`` (float32 in [0, 1],
    same shapes) or ``"torch"`` (float32 tensor ``[C, H, W]`` in [0, 1]).
    """
    parsed = container.unpack(_read(source))
    header = parsed.header
    release = release_of(header.model_id, header.weights_hash, container.required_version(parsed))
    return from_pil(_decode(load_decoder(release.model_id), parsed, resolve_device(device)), output)


def decompress_batch(sources: Iterable[Source], device: str = "cpu", output: str = "pil") -> list[Any]:
    """:func:`decompress` for each file of ``sources``, in order (each model is loaded once)."""
    return [decompress(source, device, output) for source in sources]


def decompress_with(model: DecoderModel | EncoderModel | InferenceModel, data: Source, device: str = "cpu") -> Image.Image:
    """:func:`decompress` with ``model`` instead of the one the registry has for the file's model id."""
    return _decode(model, container.unpack(_read(data)), resolve_device(device))


def _read(source: Source) -> bytes:
    """The bytes of ``source``: itself, or the file a path names."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    raise TypeError(f"expected .aec bytes or a path, got {type(source).__name__}")


def _decode(model: DecoderModel | EncoderModel | InferenceModel, parsed: Container, device: str) -> Image.Image:
    header = parsed.header
    if model.weights_hash != header.weights_hash:
        raise UnknownModelError(f"file was made with weights {header.weights_hash.hex()} for model {header.model_id}, "
                                f"not with these weights ({model.weights_hash.hex()})")
    check_padded_size(header)
    streams = LatentStreams.from_sections(parsed.sections)
    alpha = _alpha(parsed)
    result = planes.merge(_pixels(model, streams, header, device), alpha, header.mode)
    attach_metadata(result, parsed.sections)
    return result


def _pixels(model: DecoderModel | EncoderModel | InferenceModel, streams: LatentStreams, header: Header,
            device: str) -> np.ndarray:
    """uint8 ``[height, width, 3]``: symbols on the CPU, ``g_s`` on the engine ``device`` uses."""
    return decode_pixels(decoder_of(model), streams, header.quality, header.height, header.width, device)


def check_padded_size(header: Header) -> None:
    """The codec works on the image padded to multiples of 64 pixels; a 1 × N image is 64 × N of
    work, so the pixel limit applies to the padded size too."""
    padded_height, padded_width = padded_size(header.height, header.width)
    limit = container.MAX_PIXELS
    if limit is not None and padded_height * padded_width > limit:
        raise container.ContainerError(
            f"image of {header.width}x{header.height} pads to {padded_width}x{padded_height}, over the "
            f"{limit}-pixel limit (raise aecodec.bitstream.container.MAX_PIXELS to allow it)")


def _alpha(parsed: Container) -> np.ndarray | None:
    header = parsed.header
    needs_alpha = header.mode in (container.ImageMode.LA, container.ImageMode.RGBA)
    payload = parsed.sections.get(SectionType.ALPHA)
    if needs_alpha != (payload is not None):
        raise container.ContainerError("alpha section does not match the image mode")
    if payload is None:
        return None
    return planes.decode_alpha(payload, header.height, header.width)
