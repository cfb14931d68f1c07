"""The public decoder: ``decompress(data) -> PIL.Image.Image``; on the CPU it never imports torch.

``decompress`` uses the release the file names (see :mod:`aecodec.codec.registry`; a file of a
release this installation does not have is refused with a message naming the release and the
version that reads it); ``decompress_with`` takes the model
explicitly (a :class:`~aecodec.codec.decoder.DecoderModel`, or an
:class:`~aecodec.codec.weights.InferenceModel`, whose decoder half is used on the CPU). On the CPU
the symbols are read with integer arithmetic and ``g_s`` runs in NumPy
(:mod:`aecodec.codec.decoder`); with another ``device`` (``"cuda"``) torch's ``g_s`` runs there.
The symbols, and so the probability tables, are the same either way. Every failure a file can
cause is an :class:`~aecodec.bitstream.errors.AecError` with a one-line message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec import images
from aecodec.codec.decoder import DecoderModel, decode_pixels
from aecodec.codec.latent_coding import LATENT_STRIDE, LatentStreams, latent_size
from aecodec.codec.metadata import attach_metadata
from aecodec.codec.registry import UnknownModelError, load_decoder, load_model, release_of

if TYPE_CHECKING:
    from aecodec.codec.weights import InferenceModel

LATENT_SECTIONS = (SectionType.HYPER_LATENT, SectionType.LATENT, SectionType.LATENT_CONTEXT)
"""The sections holding :class:`~aecodec.codec.latent_coding.LatentStreams`' fields, in field order."""


def decompress(data: bytes, device: str = "cpu") -> Image.Image:
    """Decode ``.aec`` bytes to a PIL image of the original size and mode, with its ICC and EXIF.

    ``device`` ``"cpu"`` decodes without torch; another device loads the torch model and runs
    ``g_s`` there.
    """
    parsed = container.unpack(bytes(data))
    header = parsed.header
    release = release_of(header.model_id, header.weights_hash, container.required_version(parsed))
    if device != "cpu" and not release.encodes:
        raise ValueError(f"{release} keeps only its NumPy decoder in this installation; decode on the CPU")
    model = load_decoder(release.model_id) if device == "cpu" else load_model(release.model_id)
    return _decode(model, parsed, device)


def decompress_with(model: DecoderModel | InferenceModel, data: bytes, device: str = "cpu") -> Image.Image:
    """:func:`decompress` with ``model`` instead of the one the registry has for the file's model id."""
    return _decode(model, container.unpack(bytes(data)), device)


def _decode(model: DecoderModel | InferenceModel, parsed: Container, device: str) -> Image.Image:
    header = parsed.header
    if model.weights_hash != header.weights_hash:
        raise UnknownModelError(f"file was made with weights {header.weights_hash.hex()} for model {header.model_id}, "
                                f"not with these weights ({model.weights_hash.hex()})")
    check_padded_size(header)
    streams = _streams(parsed)
    alpha = _alpha(parsed)
    result = images.merge(_pixels(model, streams, header, device), alpha, header.mode)
    attach_metadata(result, parsed.sections)
    return result


def _pixels(model: DecoderModel | InferenceModel, streams: LatentStreams, header: Header, device: str) -> np.ndarray:
    """uint8 ``[height, width, 3]``: the NumPy decoder on the CPU, torch's ``g_s`` on another device."""
    if device == "cpu":
        decoder = model if isinstance(model, DecoderModel) else model.decoder
        return decode_pixels(decoder, streams, header.quality, header.height, header.width)
    if isinstance(model, DecoderModel):
        raise ValueError(f"a DecoderModel decodes on the CPU only, not on {device!r}")
    from aecodec.codec import pipeline

    return pipeline.decode(model, streams, header.quality, header.height, header.width, device)


def check_padded_size(header: Header) -> None:
    """The codec works on the image padded to multiples of 64 pixels; a 1 × N image is 64 × N of
    work, so the pixel limit applies to the padded size too."""
    rows, cols = latent_size(header.height, header.width)
    padded_height, padded_width = rows * LATENT_STRIDE, cols * LATENT_STRIDE
    limit = container.MAX_PIXELS
    if limit is not None and padded_height * padded_width > limit:
        raise container.ContainerError(
            f"image of {header.width}x{header.height} pads to {padded_width}x{padded_height}, over the "
            f"{limit}-pixel limit (raise aecodec.bitstream.container.MAX_PIXELS to allow it)")


def _streams(parsed: Container) -> LatentStreams:
    missing = set(LATENT_SECTIONS) - parsed.sections.keys()
    if missing:
        raise container.ContainerError(f"missing section {min(missing).name}")
    return LatentStreams(*(parsed.sections[kind] for kind in LATENT_SECTIONS))


def _alpha(parsed: Container) -> np.ndarray | None:
    header = parsed.header
    needs_alpha = header.mode in (container.ImageMode.LA, container.ImageMode.RGBA)
    payload = parsed.sections.get(SectionType.ALPHA)
    if needs_alpha != (payload is not None):
        raise container.ContainerError("alpha section does not match the image mode")
    if payload is None:
        return None
    return images.decode_alpha(payload, header.height, header.width)
