"""The project's own learned codec behind the evaluation interface (``aecodec.compress``/``decompress``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aecodec.tools.evaluation.codecs import CodecUnavailable
from PIL import Image

LEARNED_QUALITIES = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0, 100.0)


@dataclass(frozen=True)
class LearnedCodec:
    """``aecodec.compress(image, quality=q) -> bytes`` and ``aecodec.decompress(data) -> Image``; quality 0–100."""

    compress: Callable[..., bytes]
    decompress: Callable[[bytes], Any]
    name: str = "aecodec"
    description: str = ""
    default_qualities: tuple[float, ...] = LEARNED_QUALITIES

    @classmethod
    def from_package(cls) -> LearnedCodec:
        """Bind to the installed ``aecodec`` API; :class:`CodecUnavailable` if it is not there yet."""
        import aecodec

        compress, decompress = getattr(aecodec, "compress", None), getattr(aecodec, "decompress", None)
        if compress is None or decompress is None:
            raise CodecUnavailable("aecodec.compress/decompress are not available in this build")
        from aecodec.codec.registry import DEFAULT_MODEL_ID, MODELS

        model = MODELS[DEFAULT_MODEL_ID]
        description = f"aecodec {aecodec.__version__}, model {model.model_id} ({model.name})"
        return cls(compress, decompress, description=description)

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image into a whole ``.aec`` file."""
        return bytes(self.compress(image, quality=float(quality)))

    def decode(self, data: bytes) -> Image.Image:
        """Decode a ``.aec`` file to RGB."""
        return self.decompress(data).convert("RGB")
