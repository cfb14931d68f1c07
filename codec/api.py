"""The public API: ``compress(image) -> bytes`` and ``decompress(data) -> PIL.Image.Image``.

``compress_with``/``decompress_with`` take the model explicitly (tests, fuzzing, other weights);
``compress``/``decompress`` use the registry. Every failure a file can cause is an
:class:`~aecodec.bitstream.errors.AecError` with a one-line message.

>>> import numpy as np
>>> from aecodec import compress, decompress
>>> data = compress(np.full((20, 30, 3), 128, dtype=np.uint8), quality=50)
>>> decompress(data).size
(30, 20)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec import images, pipeline
from aecodec.codec.effort import encode
from aecodec.codec.effort_levels import DEFAULT_EFFORT
from aecodec.codec.metadata import attach_metadata, metadata_sections
from aecodec.codec.rate import DEFAULT_QUALITY, quality_to_position
from aecodec.codec.registry import DEFAULT_MODEL_ID, UnknownModelError, load_model
from aecodec.codec.weights import InferenceModel

LATENT_SECTIONS = (SectionType.HYPER_LATENT, SectionType.LATENT, SectionType.LATENT_CONTEXT)
"""The sections holding :class:`pipeline.LatentStreams`' fields, in field order."""


def compress(image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY, device: str = "cpu",
             effort: int = DEFAULT_EFFORT) -> bytes:
    """Encode an image to ``.aec`` bytes. ``quality`` in [0, 100]: higher means larger and better.

    Accepts PIL images of any common mode and uint8 (or uint16, reduced with a warning) arrays
    ``[H, W]``, ``[H, W, 3]``, ``[H, W, 4]``. Alpha is stored losslessly; ICC profile and EXIF
    travel in the file. ``effort`` 0–4 spends encode time for smaller files (see
    :mod:`aecodec.codec.effort`); decoding is the same at every effort.
    """
    return compress_with(load_model(DEFAULT_MODEL_ID), image, quality, device, DEFAULT_MODEL_ID, effort)


def compress_with(model: InferenceModel, image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY,
                  device: str = "cpu", model_id: int = DEFAULT_MODEL_ID, effort: int = DEFAULT_EFFORT) -> bytes:
    """:func:`compress` with ``model``, recorded in the file as ``model_id``."""
    prepared = prepare(model, image, quality, model_id)
    return prepared.pack(encode(model, prepared.color, prepared.header.quality, effort, device))


@dataclass(frozen=True)
class PreparedImage:
    """An image checked and split for coding: its header, colour ``[H, W, 3]`` uint8 and the
    sections that do not depend on the latent coding (alpha, ICC, EXIF)."""

    header: Header
    color: np.ndarray
    other_sections: dict[SectionType, bytes]

    def pack(self, streams: pipeline.LatentStreams) -> bytes:
        """The whole ``.aec`` file with these latent streams."""
        sections = dict(zip(LATENT_SECTIONS, (streams.hyper, streams.latent, streams.context), strict=True))
        sections.update(self.other_sections)
        return container.pack(Container(self.header, sections))


def prepare(model: InferenceModel, image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY,
            model_id: int = DEFAULT_MODEL_ID) -> PreparedImage:
    """Check ``image`` and ``quality`` and split the image for :meth:`PreparedImage.pack`."""
    quality_to_position(quality)
    pil = images.to_pil(image)
    parts = images.split(pil)
    height, width, _ = parts.color.shape
    header = Header(model_id, model.weights_hash, round(quality, 2), width, height, parts.mode)
    container.validate_header(header)
    _check_padded_size(header)
    other: dict[SectionType, bytes] = {}
    if parts.alpha is not None:
        other[SectionType.ALPHA] = images.encode_alpha(parts.alpha)
    other.update(metadata_sections(pil, parts.mode))
    return PreparedImage(header, parts.color, other)


def decompress(data: bytes, device: str = "cpu") -> Image.Image:
    """Decode ``.aec`` bytes to a PIL image of the original size and mode, with its ICC and EXIF."""
    parsed = container.unpack(bytes(data))
    return _decode(load_model(parsed.header.model_id), parsed, device)


def decompress_with(model: InferenceModel, data: bytes, device: str = "cpu") -> Image.Image:
    """:func:`decompress` with ``model`` instead of the one the registry has for the file's model id."""
    return _decode(model, container.unpack(bytes(data)), device)


def _decode(model: InferenceModel, parsed: Container, device: str) -> Image.Image:
    header = parsed.header
    if model.weights_hash != header.weights_hash:
        raise UnknownModelError(f"file was made with different weights for model {header.model_id}")
    _check_padded_size(header)
    streams = _streams(parsed)
    alpha = _alpha(parsed)
    color = pipeline.decode(model, streams, header.quality, header.height, header.width, device)
    result = images.merge(color, alpha, header.mode)
    attach_metadata(result, parsed.sections)
    return result


def _check_padded_size(header: Header) -> None:
    """The codec works on the image padded to multiples of 64 pixels; a 1 × N image is 64 × N of
    work, so the pixel limit applies to the padded size too."""
    rows, cols = pipeline.latent_size(header.height, header.width)
    padded_height, padded_width = rows * pipeline.LATENT_STRIDE, cols * pipeline.LATENT_STRIDE
    limit = container.MAX_PIXELS
    if limit is not None and padded_height * padded_width > limit:
        raise container.ContainerError(
            f"image of {header.width}x{header.height} pads to {padded_width}x{padded_height}, over the "
            f"{limit}-pixel limit (raise aecodec.bitstream.container.MAX_PIXELS to allow it)")


def _streams(parsed: Container) -> pipeline.LatentStreams:
    missing = set(LATENT_SECTIONS) - parsed.sections.keys()
    if missing:
        raise container.ContainerError(f"missing section {min(missing).name}")
    return pipeline.LatentStreams(*(parsed.sections[kind] for kind in LATENT_SECTIONS))


def _alpha(parsed: Container) -> np.ndarray | None:
    header = parsed.header
    needs_alpha = header.mode in (container.ImageMode.LA, container.ImageMode.RGBA)
    payload = parsed.sections.get(SectionType.ALPHA)
    if needs_alpha != (payload is not None):
        raise container.ContainerError("alpha section does not match the image mode")
    if payload is None:
        return None
    return images.decode_alpha(payload, header.height, header.width)
