"""The model registry: fixed numbers for shipped weights. A number, once shipped, is never reused.

A file names its model by number plus a hash prefix of the weights, so a decoder can tell a file
made with other weights from a corrupted one.

Each shipped weights file has its expected SHA-256 recorded beside it, in
``weights/<name>.sha256`` (``sha256sum`` format), and is checked against it before use. After
replacing a weights file, record the new hash with ``aecodec export ... -o weights/<name>.npz``
(which writes it) or ``cd codec/weights && sha256sum <name>.npz > <name>.sha256``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from aecodec.bitstream.errors import AecError
from aecodec.codec.decoder import DecoderModel, load_decoder_model

if TYPE_CHECKING:
    from aecodec.codec.weights import InferenceModel

T = TypeVar("T")

WEIGHTS_DIR = Path(__file__).parent / "weights"


class UnknownModelError(AecError):
    """A file made with weights this installation does not have."""


class WeightsIntegrityError(AecError):
    """An installed weights file whose SHA-256 differs from the one recorded for it."""


@dataclass(frozen=True)
class RegisteredModel:
    """A shipped model: its number, a short name and its weights file inside the package."""

    model_id: int
    name: str
    filename: str

    @property
    def path(self) -> Path:
        return WEIGHTS_DIR / self.filename

    @property
    def checksum_path(self) -> Path:
        """The ``sha256sum``-format file holding the expected SHA-256 of :attr:`path`."""
        return WEIGHTS_DIR / f"{self.name}.sha256"

    def expected_sha256(self) -> str:
        """The recorded hex digest; :class:`WeightsIntegrityError` if none is recorded."""
        try:
            text = self.checksum_path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            message = f"no SHA-256 recorded for model {self.model_id} ({self.checksum_path})"
            raise WeightsIntegrityError(message) from None
        digest = text.split()[0].lower() if text.split() else ""
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise WeightsIntegrityError(f"{self.checksum_path} does not hold a SHA-256 hex digest")
        return digest


MODELS = {2: RegisteredModel(2, "checkerboard-gain-128x192-v1", "checkerboard-gain-128x192-v1.npz")}
DEFAULT_MODEL_ID = 2
RETIRED_MODELS = {1: "hyperprior-gain-128x192-v1"}
"""Numbers once shipped and no longer installed (never reused): 1 was the hyperprior-only model."""


@functools.lru_cache(maxsize=4)
def load_model(model_id: int = DEFAULT_MODEL_ID) -> InferenceModel:
    """The inference model registered under ``model_id`` (torch: encoder and decoder), checked and
    loaded once per process."""
    from aecodec.codec.weights import load_inference_model

    entry = installed_model(model_id)
    expected = entry.expected_sha256()
    return _checked(model_id, lambda: load_inference_model(entry.path, expected_sha256=expected))


@functools.lru_cache(maxsize=4)
def load_decoder(model_id: int = DEFAULT_MODEL_ID) -> DecoderModel:
    """The decoder registered under ``model_id`` (NumPy only, no torch), checked and loaded once per process."""
    entry = installed_model(model_id)
    expected = entry.expected_sha256()
    return _checked(model_id, lambda: load_decoder_model(entry.path, expected_sha256=expected))


def installed_model(model_id: int) -> RegisteredModel:
    """The registry entry for ``model_id``; :class:`UnknownModelError` if it is retired, unknown or
    not installed."""
    entry = MODELS.get(model_id)
    if model_id in RETIRED_MODELS:
        raise UnknownModelError(f"model {model_id} ({RETIRED_MODELS[model_id]}) is retired; "
                                f"this installation ships {sorted(MODELS)}")
    if entry is None:
        raise UnknownModelError(f"unknown model id {model_id} (this installation knows {sorted(MODELS)})")
    if not entry.path.is_file():
        raise UnknownModelError(f"weights for model {model_id} are not installed ({entry.path})")
    return entry


def _checked(model_id: int, load: Callable[[], T]) -> T:
    """``load()``, with a SHA-256 mismatch turned into :class:`WeightsIntegrityError`."""
    try:
        return load()
    except ValueError as error:
        raise WeightsIntegrityError(f"weights for model {model_id}: {error}") from None
