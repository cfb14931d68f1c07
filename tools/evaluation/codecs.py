"""The one interface every evaluated codec implements, and the registry of codecs by name.

A codec turns an RGB :class:`PIL.Image.Image` into real file bytes at a quality and back. Quality
is a float whose meaning is the codec's own (higher is better for every codec here). Codecs whose
library is missing raise :class:`CodecUnavailable` when made, so a run can skip them.

>>> from PIL import Image
>>> codec = make_codec("jpeg")
>>> data = codec.encode(Image.new("RGB", (16, 8), (200, 30, 40)), 75)
>>> codec.decode(data).size
(16, 8)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aecodec.codec.effort_levels import MAX_EFFORT

if TYPE_CHECKING:
    from PIL import Image


class CodecUnavailable(RuntimeError):
    """The codec's library is not installed or lacks an encoder; the message says which."""


@runtime_checkable
class Codec(Protocol):
    """An image codec under evaluation.

    ``name`` is the registry name, ``description`` names the library and its version and the
    settings used, ``default_qualities`` the qualities a run uses when none are given.
    """

    name: str
    description: str
    default_qualities: tuple[float, ...]

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image into the bytes of a complete file."""
        ...

    def decode(self, data: bytes) -> Image.Image:
        """Rebuild the RGB image from the bytes that :meth:`encode` returned."""
        ...


def _jpeg() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import jpeg

    return jpeg("jpeg", subsampling=2, optimize=True)


def _jpeg444() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import jpeg

    return jpeg("jpeg444", subsampling=0, optimize=True)


def _jpeg_default() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import jpeg_default

    return jpeg_default()


def _webp() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import webp

    return webp()


def _avif() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import avif

    return avif()


def _jxl() -> Codec:
    from aecodec.tools.evaluation.pillow_codecs import jxl

    return jxl()


def _pca() -> Codec:
    from aecodec.tools.evaluation.pca_codec import PcaCodec

    return PcaCodec.from_package()


def _aecodec(effort: int = 0) -> Codec:
    from aecodec.tools.evaluation.learned_codec import LearnedCodec

    return LearnedCodec.from_package(effort)


CANDIDATE_CODEC = "aecodec-candidate"
"""Weights that are not a release (a model in training), measured beside the releases at effort 0."""
CANDIDATE_WEIGHTS_VARIABLE = "AECODEC_CANDIDATE_WEIGHTS"
"""Where :data:`CANDIDATE_CODEC` finds its weights file; ``aecodec eval --candidate PATH`` sets it,
so that every worker process sees it."""


def _candidate() -> Codec:
    import os
    from pathlib import Path

    from aecodec.tools.evaluation.learned_codec import LearnedCodec

    path = os.environ.get(CANDIDATE_WEIGHTS_VARIABLE)
    if not path:
        raise CodecUnavailable(f"{CANDIDATE_CODEC} needs a weights file (aecodec eval --candidate PATH)")
    return LearnedCodec.from_weights(Path(path), CANDIDATE_CODEC)


FACTORIES: dict[str, Callable[[], Codec]] = {
    "aecodec": _aecodec,
    "jpeg": _jpeg,
    "jpeg444": _jpeg444,
    "jpeg-default": _jpeg_default,
    "webp": _webp,
    "avif": _avif,
    "jxl": _jxl,
    "pca": _pca,
}
DEFAULT_CODECS: tuple[str, ...] = tuple(FACTORIES)
"""The codecs a run measures when none are named."""


def learned_codec_name(effort: int) -> str:
    """The evaluation's name for aecodec at an encoder effort: ``aecodec``, ``aecodec-e1``, ..."""
    return "aecodec" if effort == 0 else f"aecodec-e{effort}"


FACTORIES.update({learned_codec_name(effort): partial(_aecodec, effort) for effort in range(1, MAX_EFFORT + 1)})
FACTORIES[CANDIDATE_CODEC] = _candidate
CODEC_NAMES: tuple[str, ...] = tuple(FACTORIES)
"""Every codec a run can name: the defaults, aecodec above its default effort (``aecodec-e3``),
measured only when named because each level refines every image's latents for seconds to a minute,
and candidate weights (``aecodec-candidate``, with ``--candidate``)."""
LEARNED_CODEC_NAMES: tuple[str, ...] = (*(learned_codec_name(effort) for effort in range(MAX_EFFORT + 1)), CANDIDATE_CODEC)
"""The names under which aecodec itself is measured: one per encoder effort, and a candidate."""


def make_codec(name: str) -> Codec:
    """The codec registered as ``name``; ``KeyError`` if unknown, :class:`CodecUnavailable` if missing."""
    return FACTORIES[name]()
