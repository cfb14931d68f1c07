"""The project's own learned codec behind the evaluation interface (``aecodec.compress``/``decompress``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aecodec.tools.evaluation.codecs import CodecUnavailable, learned_codec_name
from PIL import Image

LEARNED_QUALITIES = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0, 100.0)


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
        from aecodec.codec.registry import DEFAULT_MODEL_ID, RELEASES

        model = RELEASES[DEFAULT_MODEL_ID]
        description = f"aecodec {aecodec.__version__}, model {model.model_id} ({model.name}), effort {effort}"
        return cls(compress, decompress, learned_codec_name(effort), description, effort=effort)

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image into a whole ``.aec`` file."""
        return bytes(self.compress(image, quality=float(quality), effort=self.effort))

    def decode(self, data: bytes) -> Image.Image:
        """Decode a ``.aec`` file to RGB."""
        return self.decompress(data).convert("RGB")

