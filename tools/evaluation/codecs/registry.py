"""The codecs an evaluation can name, and making one by its name (each behind
:class:`~aecodec.tools.evaluation.codecs.base.Codec`; a missing library is
:class:`~aecodec.tools.evaluation.codecs.base.CodecUnavailable`).

>>> from PIL import Image
>>> codec = make_codec("jpeg")
>>> data = codec.encode(Image.new("RGB", (16, 8), (200, 30, 40)), 75)
>>> codec.decode(data).size
(16, 8)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aecodec.codec.encoder.effort import MAX_EFFORT
from aecodec.tools.evaluation.codecs.base import (
    CANDIDATE_CODEC,
    CANDIDATE_WEIGHTS_VARIABLE,
    Codec,
    CodecUnavailable,
    learned_codec_name,
)


def _jpeg() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import jpeg

    return jpeg("jpeg", subsampling=2, optimize=True)


def _jpeg444() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import jpeg

    return jpeg("jpeg444", subsampling=0, optimize=True)


def _jpeg_default() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import jpeg_default

    return jpeg_default()


def _webp() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import webp

    return webp()


def _avif() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import avif

    return avif()


def _jxl() -> Codec:
    from aecodec.tools.evaluation.codecs.pillow import jxl

    return jxl()


def _pca() -> Codec:
    from aecodec.tools.evaluation.codecs.pca import PcaCodec

    return PcaCodec.from_package()


def _aecodec(effort: int = 0) -> Codec:
    from aecodec.tools.evaluation.codecs.learned import LearnedCodec

    return LearnedCodec.from_package(effort)


def _candidate() -> Codec:
    import os
    from pathlib import Path

    from aecodec.tools.evaluation.codecs.learned import LearnedCodec

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


FACTORIES.update({learned_codec_name(effort): partial(_aecodec, effort) for effort in range(1, MAX_EFFORT + 1)})
FACTORIES[CANDIDATE_CODEC] = _candidate
CODEC_NAMES: tuple[str, ...] = tuple(FACTORIES)
"""Every codec a run can name: the defaults, aecodec above its default effort (``aecodec-e3``),
measured only when named because each level refines every image's latents for seconds to a minute,
and candidate weights (``aecodec-candidate``, with ``--candidate``)."""


def make_codec(name: str) -> Codec:
    """The codec registered as ``name``; ``KeyError`` if unknown, :class:`CodecUnavailable` if missing."""
    return FACTORIES[name]()
