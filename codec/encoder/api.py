"""The public encoder: ``compress(image) -> bytes`` (``decompress`` is in :mod:`aecodec.codec.decoder.api`).

``compress_with``/``decompress_with`` take the model explicitly (tests, fuzzing, other weights);
``compress``/``decompress`` use the registry. At effort 0 on the CPU the encoder needs no torch
(``g_a`` and ``h_a`` run on onnxruntime); effort 1–4 and GPUs load the torch model. Every failure a
file can cause is an :class:`~aecodec.bitstream.errors.AecError` with a one-line message.

>>> import numpy as np
>>> from aecodec import compress, decompress
>>> data = compress(np.full((20, 30, 3), 128, dtype=np.uint8), quality=50)
>>> decompress(data).size
(30, 20)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec.decoder.api import check_padded_size
from aecodec.codec.decoder.checkerboard import LatentStreams
from aecodec.codec.devices import resolve_device
from aecodec.codec.encoder.effort import DEFAULT_EFFORT, check_effort
from aecodec.codec.encoder.model import EncoderModel
from aecodec.codec.images import planes
from aecodec.codec.images.arrays import batch_items, to_uint8_array
from aecodec.codec.images.metadata import metadata_sections, parse_selection
from aecodec.codec.quality import DEFAULT_QUALITY, quality_to_position
from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, RELEASES, encoding_release, load_encoder, load_model

if TYPE_CHECKING:
    from aecodec.codec.model.inference import InferenceModel

ImageInput = Any
"""A PIL image; a uint8 (or uint16) array ``[H, W]``, ``[H, W, 1|3|4]``; a float array of the same
shapes in [0, 1]; or a torch tensor ``[C, H, W]`` or ``[1, C, H, W]`` (float in [0, 1] or uint8)."""

def compress(image: ImageInput, quality: float = DEFAULT_QUALITY, device: str = "cpu",
             effort: int = DEFAULT_EFFORT, metadata: str | Iterable[str] = "all", model: int | None = None) -> bytes:
    """Encode an image to ``.aec`` bytes. ``quality`` in [0, 100]: higher means larger and better.

    Accepts PIL images of any common mode, uint8 (or uint16, reduced with a warning) arrays
    ``[H, W]``, ``[H, W, 3]``, ``[H, W, 4]``, float arrays of those shapes in [0, 1], and torch
    tensors ``[C, H, W]`` or ``[1, C, H, W]``. Alpha is stored losslessly; ICC profile and EXIF
    travel in the file. ``effort`` 0–4 spends encode time for smaller files (see
    :mod:`aecodec.codec.encoder.effort`; 1–4 need torch); decoding is the same at every effort. ``device``
    is ``cpu``, ``cuda`` (torch) or ``auto`` (CUDA when there is one). ``metadata`` picks what
    travels: ``"all"``, ``"none"`` or some of ``"icc,exif,xmp"`` (see :mod:`aecodec.codec.images.metadata`).
    ``model`` picks the release to write with (``aecodec models`` lists them); the newest by default.
    """
    release = encoding_release(model)
    device = resolve_device(device)
    return compress_with(_encoding_model(release.model_id, effort, device), image, quality, device,
                         release.model_id, effort, metadata)


def compress_batch(images_in: Iterable[ImageInput] | np.ndarray, quality: float = DEFAULT_QUALITY,
                   device: str = "cpu", effort: int = DEFAULT_EFFORT, metadata: str | Iterable[str] = "all",
                   model: int | None = None) -> list[bytes]:
    """:func:`compress` for each image of a sequence, an array ``[N, H, W(, C)]`` or a tensor
    ``[N, C, H, W]``, with the model loaded once; one ``bytes`` per image, in order."""
    release = encoding_release(model)
    device = resolve_device(device)
    coder = _encoding_model(release.model_id, effort, device)
    return [compress_with(coder, item, quality, device, release.model_id, effort, metadata)
            for item in batch_items(images_in)]


def _encoding_model(model_id: int, effort: int, device: str) -> EncoderModel | InferenceModel:
    """The torch-free encoder for effort 0 on the CPU; the torch model otherwise."""
    if check_effort(effort) == 0 and device == "cpu":
        return load_encoder(model_id)
    return load_model(model_id)


def compress_with(model: EncoderModel | InferenceModel, image: ImageInput, quality: float = DEFAULT_QUALITY,
                  device: str = "cpu", model_id: int = DEFAULT_MODEL_ID, effort: int = DEFAULT_EFFORT,
                  metadata: str | Iterable[str] = "all") -> bytes:
    """:func:`compress` with ``model``, recorded in the file as ``model_id`` (effort 1–4 need the
    torch :class:`~aecodec.codec.model.inference.InferenceModel`)."""
    prepared = prepare(model, image, quality, model_id, metadata)
    return prepared.pack(encode_latents(model, prepared.color, prepared.header.quality, effort, device))


def encode_latents(model: EncoderModel | InferenceModel, color: np.ndarray, quality: float,
                   effort: int = DEFAULT_EFFORT, device: str = "cpu") -> LatentStreams:
    """The latent streams of uint8 ``color`` ``[H, W, 3]``: one pass at effort 0 (no torch on the
    CPU), the refining encoder of :mod:`aecodec.codec.model.refinement` above."""
    if check_effort(effort) == 0:
        from aecodec.codec.encoder import analysis

        return analysis.encode(model, color, quality, device)
    if isinstance(model, EncoderModel):
        raise ValueError(f"effort {effort} refines with the torch model; this is the effort-0 encoder")
    from aecodec.codec.model.refinement import encode

    return encode(model, color, quality, effort, device)


@dataclass(frozen=True)
class PreparedImage:
    """An image checked and split for coding: its header, colour ``[H, W, 3]`` uint8 and the
    sections that do not depend on the latent coding (alpha, ICC, EXIF)."""

    header: Header
    color: np.ndarray
    other_sections: dict[SectionType, bytes]

    def pack(self, streams: LatentStreams) -> bytes:
        """The whole ``.aec`` file with these latent streams."""
        sections = streams.sections()
        sections.update(self.other_sections)
        return container.pack(Container(self.header, sections))


def prepare(model: EncoderModel | InferenceModel, image: ImageInput, quality: float = DEFAULT_QUALITY,
            model_id: int = DEFAULT_MODEL_ID, metadata: str | Iterable[str] = "all") -> PreparedImage:
    """Check ``image`` and ``quality`` and split the image for :meth:`PreparedImage.pack`."""
    quality_to_position(quality)
    pil = planes.to_pil(to_uint8_array(image))
    parts = planes.split(pil)
    height, width, _ = parts.color.shape
    header = Header(model_id, model.weights_hash, round(quality, 2), width, height, parts.mode)
    container.validate_header(header)
    check_padded_size(header)
    other: dict[SectionType, bytes] = {}
    if parts.alpha is not None:
        other[SectionType.ALPHA] = planes.encode_alpha(parts.alpha)
    other.update(release_sections(model_id))
    other.update(metadata_sections(pil, parts.mode, parse_selection(metadata)))
    return PreparedImage(header, parts.color, other)


def release_sections(model_id: int) -> dict[SectionType, bytes]:
    """The ``REQUIRES`` section naming the first version that reads ``model_id``'s release, for
    releases after model 2 (none for model 2 or an unregistered id)."""
    release = RELEASES.get(model_id)
    if release is None or not release.announces_version:
        return {}
    return {SectionType.REQUIRES: release.first_version.to_bytes()}
