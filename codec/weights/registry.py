"""The model releases: frozen decoder weights under fixed numbers, so every ``.aec`` file stays readable.

A release is a model id plus one exact set of weights, named in every file it writes by the
id and the first bytes of the weights' SHA-256 (:attr:`Release.weights_hash`). Once shipped, a
release never changes and its number is never reused: better weights become a new release with a
new id, and the package keeps every release's decoder, so a file written by any version decodes
with every later one. The encoder writes with the newest release (:data:`DEFAULT_MODEL_ID`)
unless asked for another. ``tests/conformance/`` pins each release's files, symbols and pixels.

Each weights file is checked against the SHA-256 recorded here before anything in it is used.
The records import nothing heavy (no torch, no entropy coder), so training and export can read them.
Files of releases first read by a version newer than 0.1.0 carry a ``REQUIRES`` section with
that version, so that an older aecodec can say which version reads them (:func:`release_of`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from aecodec.bitstream.errors import AecError
from aecodec.bitstream.versions import Version, installed_version

if TYPE_CHECKING:
    from aecodec.codec.decoder.model import DecoderModel
    from aecodec.codec.encoder.model import EncoderModel
    from aecodec.codec.model.inference import InferenceModel



class _Identified(Protocol):
    """A loaded model, which names the weights it was read from."""

    @property
    def weights_hash(self) -> bytes: ...


T = TypeVar("T", bound=_Identified)

WEIGHTS_DIR = Path(__file__).parent
"""This folder: the shipped weights files sit beside the registry."""


class UnknownModelError(AecError):
    """A file made with weights this installation does not have."""


class WeightsIntegrityError(AecError):
    """An installed weights file whose SHA-256 differs from the one recorded for its release."""


@dataclass(frozen=True)
class KodakFigures:
    """A release's measured Kodak curve at effort 0 (24 images, whole-file bpp, RGB PSNR in dB
    averaged per image) and its Bjøntegaard rate against AVIF in the same run (%, pchip)."""

    bpp_at_0: float
    psnr_at_0: float
    bpp_at_100: float
    psnr_at_100: float
    bd_rate_vs_avif: float
    source: str

    def __str__(self) -> str:
        return (f"Kodak: quality 0 {self.bpp_at_0:.3f} bpp / {self.psnr_at_0:.2f} dB, quality 100 "
                f"{self.bpp_at_100:.3f} bpp / {self.psnr_at_100:.2f} dB, {self.bd_rate_vs_avif:+.1f}% vs AVIF")


@dataclass(frozen=True)
class Release:
    """A frozen model: its number, name, the hash prefix its files carry, its weights file in the
    package and that file's SHA-256, whether the file holds the encoder (old releases may keep only
    the decoder), the first aecodec version that reads its files, and its Kodak figures."""

    model_id: int
    name: str
    weights_hash: str
    filename: str
    file_sha256: str
    encodes: bool
    first_version: Version
    kodak: KodakFigures

    @property
    def path(self) -> Path:
        return WEIGHTS_DIR / self.filename

    @property
    def announces_version(self) -> bool:
        """Whether its files carry a ``REQUIRES`` section (every release after model 2)."""
        return self.first_version > Version(0, 1, 0)

    def __str__(self) -> str:
        return f"model {self.model_id} ({self.name}, weights {self.weights_hash})"


@dataclass(frozen=True)
class RetiredModel:
    """A number once shipped whose files no current version reads, and the last version that did."""

    model_id: int
    name: str
    last_reader: str


@dataclass(frozen=True)
class Snapshot:
    """Weights shipped under a model id before releases were frozen (replaced in place, so no
    release reads their files): the training step they had reached and the commit that shipped them."""

    model_id: int
    steps: int
    commit: str


RELEASES = {
    2: Release(
        model_id=2,
        name="checkerboard-gain-128x192-v1",
        weights_hash="10c064ca4d9c5f10",
        filename="checkerboard-gain-128x192-v1.npz",
        file_sha256="10c064ca4d9c5f10f8656675ecbfb3df6a7793645c2fd8e2e13a0776bdbdb8e6",
        encodes=True,
        first_version=Version(0, 1, 0),
        kodak=KodakFigures(0.2081, 29.14, 0.9260, 35.43, +2.0, "results/kodak/rd.json of 2026-12-04"),
    ),
}
DEFAULT_MODEL_ID = 2
"""The release the encoder writes with unless asked otherwise: the newest."""

RETIRED_MODELS = {1: RetiredModel(1, "hyperprior-gain-128x192-v1", "aecodec 0.1.0 before git commit 4510964")}

SNAPSHOTS = {
    "3afd52ed76b5962f": Snapshot(2, 351_561, "c180cb5"), "5845ed0cf54adbaf": Snapshot(2, 336_601, "bc0f985"),
    "6bed6f732240915c": Snapshot(2, 331_635, "b41ca84"), "e93af70e0ea154e0": Snapshot(2, 323_064, "8b9569e"),
    "eba52449a3cc54bd": Snapshot(2, 308_612, "b39a0a2"), "3fb3be535ec3ca2f": Snapshot(2, 292_881, "b5f56ad"),
    "edcd0efc617d67df": Snapshot(2, 279_915, "6f531e8"), "52d50eedf5a586f0": Snapshot(2, 268_500, "e86004f"),
    "7deede220c9aa6c9": Snapshot(2, 262_500, "471aa81"), "b3970ea522fad3de": Snapshot(2, 258_500, "425d6e5"),
    "d64585e4fab38fb3": Snapshot(2, 254_000, "535dfed"), "379660d94e33cfde": Snapshot(2, 250_000, "1fdfa4d"),
    "aebd8b1dcd5c86cb": Snapshot(2, 222_000, "3354d4b"), "8185d5f31c0eb335": Snapshot(2, 194_000, "ce519fe"),
    "bf2c2b6accbaa53a": Snapshot(2, 166_000, "f7de5f2"), "0b6b232d97c4cdde": Snapshot(2, 138_000, "91834a1"),
    "5ee5fe8de179bd40": Snapshot(2, 110_000, "8316403"), "3bd294a5f103c975": Snapshot(2, 82_000, "0130d0c"),
    "6e15897ef71887b2": Snapshot(2, 60_000, "4510964"),
}
"""Every set of model-2 weights shipped before 10c064ca4d9c5f10 became its frozen release, by the
hash prefix their files carry (from the repository's history)."""


def release_of(model_id: int, weights_hash: bytes, requires: Version | None = None) -> Release:
    """The installed release that reads a file naming ``model_id`` and ``weights_hash``;
    :class:`UnknownModelError` saying which release the file needs and which version reads it.
    ``requires`` is the file's ``REQUIRES`` section, if any."""
    release = RELEASES.get(model_id)
    if release is not None and release.weights_hash == weights_hash.hex():
        return release
    raise UnknownModelError(unreadable_reason(model_id, weights_hash, requires))


def unreadable_reason(model_id: int, weights_hash: bytes, requires: Version | None) -> str:
    """Why this installation cannot decode a file of ``model_id``/``weights_hash`` (one line)."""
    named = f"model {model_id} (weights {weights_hash.hex()})"
    snapshot = SNAPSHOTS.get(weights_hash.hex())
    if snapshot is not None and snapshot.model_id == model_id:
        return (f"file was made with a development snapshot of model {model_id} (weights {weights_hash.hex()}, "
                f"{snapshot.steps:,} training steps) that no release has; aecodec at git commit "
                f"{snapshot.commit} reads it")
    if model_id in RETIRED_MODELS:
        retired = RETIRED_MODELS[model_id]
        return f"file was made with {named}, {retired.name}, which is retired; {retired.last_reader} reads it"
    if requires is not None and requires > installed_version():
        return (f"file was made with {named}, first read by aecodec {requires}; this is aecodec "
                f"{installed_version()} (upgrade: pip install -U aecodec)")
    if model_id in RELEASES:
        return (f"file was made with weights {weights_hash.hex()} for model {model_id}, which no release has "
                f"(release {RELEASES[model_id]} is; a development build may have written it)")
    return (f"file was made with {named}, which this aecodec {installed_version()} does not have (it reads "
            f"models {', '.join(str(i) for i in sorted(RELEASES))}); a newer aecodec may read it")


def encoding_release(model_id: int | None = None) -> Release:
    """The release to write with: ``model_id``, or the newest; :class:`UnknownModelError` if that
    release is unknown or keeps only its decoder in this installation."""
    chosen = DEFAULT_MODEL_ID if model_id is None else model_id
    release = RELEASES.get(chosen)
    if release is None:
        known = ", ".join(str(i) for i in sorted(RELEASES))
        raise UnknownModelError(f"no model {chosen} to encode with (this aecodec has models {known}; "
                                "see 'aecodec models')")
    if not release.encodes:
        raise UnknownModelError(f"{release} is kept for decoding only; encode with a newer model")
    return release


@functools.lru_cache(maxsize=4)
def load_model(model_id: int = DEFAULT_MODEL_ID) -> InferenceModel:
    """The inference model of release ``model_id`` (torch: encoder and decoder), checked and
    loaded once per process; :class:`~aecodec.codec.torch_support.TorchRequiredError` without torch."""
    from aecodec.codec.torch_support import require_torch

    require_torch("the torch model (encoder effort 1-4, GPUs)")
    from aecodec.codec.model.inference import load_inference_model

    release = installed(encoding_release(model_id))
    return _checked(release, lambda: load_inference_model(release.path, expected_sha256=release.file_sha256))


@functools.lru_cache(maxsize=4)
def load_encoder(model_id: int = DEFAULT_MODEL_ID) -> EncoderModel:
    """The effort-0 encoder of release ``model_id`` (NumPy and onnxruntime, no torch), checked and
    loaded once per process."""
    from aecodec.codec.encoder.model import load_encoder_model

    release = installed(encoding_release(model_id))
    return _checked(release, lambda: load_encoder_model(release.path, expected_sha256=release.file_sha256))


@functools.lru_cache(maxsize=4)
def load_decoder(model_id: int = DEFAULT_MODEL_ID) -> DecoderModel:
    """The decoder of release ``model_id`` (NumPy only, no torch), checked and loaded once per process."""
    from aecodec.codec.decoder.model import load_decoder_model

    release = RELEASES.get(model_id)
    if release is None:
        known = ", ".join(str(i) for i in sorted(RELEASES))
        raise UnknownModelError(f"unknown model id {model_id} (this aecodec has models {known})")
    installed(release)
    return _checked(release, lambda: load_decoder_model(release.path, expected_sha256=release.file_sha256))


def installed(release: Release) -> Release:
    """``release``, if its weights file is in the package; :class:`UnknownModelError` if not."""
    if not release.path.is_file():
        raise UnknownModelError(f"weights for {release} are not installed ({release.path})")
    return release


def _checked(release: Release, load: Callable[[], T]) -> T:
    """``load()``, with a SHA-256 mismatch or a file of other weights turned into
    :class:`WeightsIntegrityError`."""
    try:
        loaded = load()
    except ValueError as error:
        raise WeightsIntegrityError(f"weights for model {release.model_id}: {error}") from None
    if loaded.weights_hash.hex() != release.weights_hash:
        raise WeightsIntegrityError(f"{release.path.name} holds weights {loaded.weights_hash.hex()}, "
                                    f"not release {release}")
    return loaded
