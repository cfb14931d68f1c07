"""The public encoder: ``compress(image) -> bytes`` (``decompress`` is in :mod:`aecodec.codec.decoding`).

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

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec import images
from aecodec.codec.decoding import LATENT_SECTIONS, check_padded_size
from aecodec.codec.effort import encode
from aecodec.codec.effort_levels import DEFAULT_EFFORT
from aecodec.codec.latent_coding import LatentStreams
from aecodec.codec.metadata import metadata_sections, parse_selection
from aecodec.codec.quality import DEFAULT_QUALITY, quality_to_position
from aecodec.codec.registry import DEFAULT_MODEL_ID, RELEASES, encoding_release, load_model
from aecodec.codec.weights import InferenceModel

def compress(image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY, device: str = "cpu",
             effort: int = DEFAULT_EFFORT, metadata: str | Iterable[str] = "all", model: int | None = None) -> bytes:
    """Encode an image to ``.aec`` bytes. ``quality`` in [0, 100]: higher means larger and better.

    Accepts PIL images of any common mode and uint8 (or uint16, reduced with a warning) arrays
    ``[H, W]``, ``[H, W, 3]``, ``[H, W, 4]``. Alpha is stored losslessly; ICC profile and EXIF
    travel in the file. ``effort`` 0–4 spends encode time for smaller files (see
    :mod:`aecodec.codec.effort`); decoding is the same at every effort. ``metadata`` picks what
    travels: ``"all"``, ``"none"`` or some of ``"icc,exif,xmp"`` (see :mod:`aecodec.codec.metadata`).
    ``model`` picks the release to write with (``aecodec models`` lists them); the newest by default.
    """
    release = encoding_release(model)
    return compress_with(load_model(release.model_id), image, quality, device, release.model_id, effort, metadata)


def compress_with(model: InferenceModel, image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY,
                  device: str = "cpu", model_id: int = DEFAULT_MODEL_ID, effort: int = DEFAULT_EFFORT,
                  metadata: str | Iterable[str] = "all") -> bytes:
    """:func:`compress` with ``model``, recorded in the file as ``model_id``."""
    prepared = prepare(model, image, quality, model_id, metadata)
    return prepared.pack(encode(model, prepared.color, prepared.header.quality, effort, device))


@dataclass(frozen=True)
class PreparedImage:
    """An image checked and split for coding: its header, colour ``[H, W, 3]`` uint8 and the
    sections that do not depend on the latent coding (alpha, ICC, EXIF)."""

    header: Header
    color: np.ndarray
    other_sections: dict[SectionType, bytes]

    def pack(self, streams: LatentStreams) -> bytes:
        """The whole ``.aec`` file with these latent streams."""
        sections = dict(zip(LATENT_SECTIONS, (streams.hyper, streams.latent, streams.context), strict=True))
        sections.update(self.other_sections)
        return container.pack(Container(self.header, sections))


def prepare(model: InferenceModel, image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY,
            model_id: int = DEFAULT_MODEL_ID, metadata: str | Iterable[str] = "all") -> PreparedImage:
    """Check ``image`` and ``quality`` and split the image for :meth:`PreparedImage.pack`."""
    quality_to_position(quality)
    pil = images.to_pil(image)
    parts = images.split(pil)
    height, width, _ = parts.color.shape
    header = Header(model_id, model.weights_hash, round(quality, 2), width, height, parts.mode)
    container.validate_header(header)
    check_padded_size(header)
    other: dict[SectionType, bytes] = {}
    if parts.alpha is not None:
        other[SectionType.ALPHA] = images.encode_alpha(parts.alpha)
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
