"""The project's own learned codec behind the evaluation interface (``aecodec.compress``/``decompress``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from aecodec.tools.evaluation.codecs.base import CodecUnavailable, learned_codec_name

LEARNED_QUALITIES = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0, 100.0)
CANDIDATE_MODEL_ID = 0
"""The model id a candidate's files carry: no release has it."""


@dataclass(frozen=True)
class LearnedCodec:
    """``aecodec.compress(image, quality=q, effort=e) -> bytes`` and ``aecodec.decompress(data) -> Image``;
    quality 0–100, encoder effort 0–4 (named ``aecodec`` at effort 0, ``aecodec-e<effort>`` above)."""

    compress: Callable[..., bytes]
    decompress: Callable[[bytes], Any]
    name: str = "aecodec"
    description: str = ""
    default_qualities: tuple[float, ...] = LEARNED_QUALITIES
    effort: int = 0

    @classmethod
    def from_package(cls, effort: int = 0) -> LearnedCodec:
        """Bind to the installed ``aecodec`` API at an encoder ``effort``; :class:`CodecUnavailable`
        if it is not there yet."""
        import aecodec

        compress, decompress = getattr(aecodec, "compress", None), getattr(aecodec, "decompress", None)
        if compress is None or decompress is None:
            raise CodecUnavailable("aecodec.compress/decompress are not available in this build")
        from aecodec.codec.weights.registry import DEFAULT_MODEL_ID, RELEASES

        model = RELEASES[DEFAULT_MODEL_ID]
        description = f"aecodec {aecodec.__version__}, model {model.model_id} ({model.name}), effort {effort}"
        return cls(compress, decompress, learned_codec_name(effort), description, effort=effort)

    @classmethod
    def from_weights(cls, path: Path, name: str) -> LearnedCodec:
        """Weights that are not a release (a candidate) at effort 0: its files name model 0, which
        no release uses, and decode only with these weights."""
        from aecodec.codec.decoder.api import decompress_with
        from aecodec.codec.decoder.model import load_decoder_model
        from aecodec.codec.encoder.api import compress_with
        from aecodec.codec.encoder.model import load_encoder_model

        encoder, decoder = load_encoder_model(path), load_decoder_model(path)
        with np.load(path, allow_pickle=False) as archive:
            step = int(archive["training_step"]) if "training_step" in archive.files else 0
        description = f"candidate weights {path.name} ({step:,} training steps, sha256 {encoder.weights_hash.hex()}), effort 0"
        return cls(partial(compress_with, encoder, model_id=CANDIDATE_MODEL_ID), partial(decompress_with, decoder),
                   name, description)

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image into a whole ``.aec`` file."""
        return bytes(self.compress(image, quality=float(quality), effort=self.effort))

    def decode(self, data: bytes) -> Image.Image:
        """Decode a ``.aec`` file to RGB."""
        return self.decompress(data).convert("RGB")

