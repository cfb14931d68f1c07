"""The public API: ``compress(image) -> bytes`` and ``decompress(data) -> PIL.Image.Image``.

>>> import numpy as np
>>> from aecodec import compress, decompress
>>> data = compress(np.full((20, 30, 3), 128, dtype=np.uint8), quality=50)
>>> decompress(data).size
(30, 20)
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.container import Container, Header, SectionType
from aecodec.codec import images, pipeline
from aecodec.codec.rate import DEFAULT_QUALITY, quality_to_position
from aecodec.codec.registry import DEFAULT_MODEL_ID, UnknownModelError, load_model


def compress(image: Image.Image | np.ndarray, quality: float = DEFAULT_QUALITY, device: str = "cpu") -> bytes:
    """Encode an image to ``.aec`` bytes. ``quality`` in [0, 100]: higher means larger and better.

    Accepts PIL images of any common mode and uint8 arrays ``[H, W]``, ``[H, W, 3]``,
    ``[H, W, 4]``. Alpha is stored losslessly; ICC profile and EXIF travel in the file.
    """
    quality_to_position(quality)
    pil = images.to_pil(image)
    parts = images.split(pil)
    height, width, _ = parts.color.shape
    model = load_model(DEFAULT_MODEL_ID)
    header = Header(DEFAULT_MODEL_ID, model.weights_hash, round(quality, 2), width, height, parts.mode)
    container.validate_header(header)
    x = images.to_tensor(parts.color, pipeline.PAD_MULTIPLE).to(device)
    streams = pipeline.encode(model, x, header.quality)
    sections = {SectionType.HYPER_LATENT: streams.hyper, SectionType.LATENT: streams.latent}
    if parts.alpha is not None:
        sections[SectionType.ALPHA] = images.encode_alpha(parts.alpha)
    sections.update(_metadata_sections(pil))
    return container.pack(Container(header, sections))


def decompress(data: bytes, device: str = "cpu") -> Image.Image:
    """Decode ``.aec`` bytes to a PIL image of the original size and mode."""
    parsed = container.unpack(bytes(data))
    header = parsed.header
    model = load_model(header.model_id)
    if model.weights_hash != header.weights_hash:
        raise UnknownModelError(f"file was made with different weights for model {header.model_id}")
    streams = _streams(parsed)
    padded_h = -(-header.height // pipeline.PAD_MULTIPLE) * pipeline.PAD_MULTIPLE
    padded_w = -(-header.width // pipeline.PAD_MULTIPLE) * pipeline.PAD_MULTIPLE
    x_hat = pipeline.decode(model, streams, header.quality, padded_h, padded_w, torch.device(device))
    color = images.from_tensor(x_hat, header.height, header.width)
    alpha = _alpha(parsed)
    result = images.merge(color, alpha, header.mode)
    _attach_metadata(result, parsed)
    return result


def _streams(parsed: Container) -> pipeline.LatentStreams:
    missing = {SectionType.HYPER_LATENT, SectionType.LATENT} - parsed.sections.keys()
    if missing:
        raise container.ContainerError(f"missing section {min(missing).name}")
    return pipeline.LatentStreams(parsed.sections[SectionType.HYPER_LATENT], parsed.sections[SectionType.LATENT])


def _alpha(parsed: Container) -> np.ndarray | None:
    header = parsed.header
    needs_alpha = header.mode in (container.ImageMode.LA, container.ImageMode.RGBA)
    payload = parsed.sections.get(SectionType.ALPHA)
    if needs_alpha != (payload is not None):
        raise container.ContainerError("alpha section does not match the image mode")
    if payload is None:
        return None
    try:
        return images.decode_alpha(payload, header.height, header.width)
    except (OSError, ValueError) as error:
        raise container.ContainerError(f"bad alpha section: {error}") from None


def _metadata_sections(image: Image.Image) -> dict[SectionType, bytes]:
    sections = {}
    if image.info.get("icc_profile"):
        sections[SectionType.ICC_PROFILE] = bytes(image.info["icc_profile"])
    exif = image.info.get("exif")
    if exif:
        sections[SectionType.EXIF] = bytes(exif)
    return sections


def _attach_metadata(image: Image.Image, parsed: Container) -> None:
    if SectionType.ICC_PROFILE in parsed.sections:
        image.info["icc_profile"] = parsed.sections[SectionType.ICC_PROFILE]
    if SectionType.EXIF in parsed.sections:
        image.info["exif"] = parsed.sections[SectionType.EXIF]
