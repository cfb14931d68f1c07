"""The one interface every evaluated codec implements, and the names aecodec itself is measured under.

A codec turns an RGB :class:`PIL.Image.Image` into real file bytes at a quality and back. Quality
is a float whose meaning is the codec's own (higher is better for every codec here). Codecs whose
library is missing raise :class:`CodecUnavailable` when made, so a run can skip them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aecodec.codec.encoder.effort import MAX_EFFORT

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

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def default_qualities(self) -> tuple[float, ...]: ...

    def encode(self, image: Image.Image, quality: float) -> bytes:
        """Compress an RGB image into the bytes of a complete file."""
        ...

    def decode(self, data: bytes) -> Image.Image:
        """Rebuild the RGB image from the bytes that :meth:`encode` returned."""
        ...


CANDIDATE_CODEC = "aecodec-candidate"
"""Weights that are not a release (a model in training), measured beside the releases at effort 0."""
CANDIDATE_WEIGHTS_VARIABLE = "AECODEC_CANDIDATE_WEIGHTS"
"""Where :data:`CANDIDATE_CODEC` finds its weights file; ``aecodec eval --candidate PATH`` sets it,
so that every worker process sees it."""


def learned_codec_name(effort: int) -> str:
    """The evaluation's name for aecodec at an encoder effort: ``aecodec``, ``aecodec-e1``, ..."""
    return "aecodec" if effort == 0 else f"aecodec-e{effort}"


LEARNED_CODEC_NAMES: tuple[str, ...] = (*(learned_codec_name(effort) for effort in range(MAX_EFFORT + 1)), CANDIDATE_CODEC)
"""The names under which aecodec itself is measured: one per encoder effort, and a candidate."""
