"""The weights file (no torch, no pickle): an ``.npz`` of named arrays, read and written here.

Layout (written by :mod:`aecodec.codec.model.export`): ``config`` ``[n, m]``; ``rate_scale``
``[levels, lambda_min, lambda_max]``; the float transforms ``g_a.*``, ``g_s.*``, ``h_a.*`` by the
torch modules' parameter names (float16); ``gains.log_encoder``/``gains.log_decoder`` float32
``[L, M]``; the integer layers ``h_s.<i>.*`` and ``context.<i>.*`` (``weight`` int16, ``bias``
int64, ``shift`` int8, ``geometry`` ``[upsample, pad_before, pad_after]``); the frozen tables
``z_tables.*`` and ``y_tables.*`` (``frequencies``, ``offsets``, ``lengths``);
``scale_thresholds`` int64 ``[S − 1]``; and for warm starts ``z_prior.*`` and ``training_step``.

A release's files name it by the first bytes of its weights file's SHA-256. An old release can be
kept as a smaller decoder-only file (:func:`write_decoder_only`: no ``g_a``, ``h_a`` or encoder
gains, compressed), which records that identity in ``release_identity``; :func:`decoder_digest`
is the same for both forms, so a test can tell that the decoder did not change.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecodec.bitstream.tables import TableSet
from aecodec.codec.decoder.exact import IntegerConv
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale

HASH_PREFIX_BYTES = 8
IDENTITY_ARRAY = "release_identity"
"""In a decoder-only file: the hash prefix of the full weights file it was cut from, uint8 ``[8]``."""
DECODER_PARTS = ("g_s.", "gains.log_decoder", "h_s.", "context.", "z_tables.", "y_tables.", "scale_thresholds",
                 "config", "rate_scale", IDENTITY_ARRAY)


@dataclass(frozen=True)
class WeightsFile:
    """Every array of an exported ``.npz`` by name, and the first ``HASH_PREFIX_BYTES`` of its SHA-256."""

    arrays: dict[str, np.ndarray]
    weights_hash: bytes


def read_weights(path: Path, expected_sha256: str | None = None) -> WeightsFile:
    """Read an exported ``.npz`` with ``allow_pickle=False``.

    With ``expected_sha256`` (hex), the file's SHA-256 is checked before anything in it is used;
    a mismatch is a ``ValueError`` naming both digests.
    """
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(raw)
    if expected_sha256 is not None and digest.hexdigest() != expected_sha256.lower():
        raise ValueError(f"SHA-256 of {Path(path).name} is {digest.hexdigest()}, expected {expected_sha256} "
                         "(corrupted or replaced weights; see aecodec.codec.weights.registry)")
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    identity = arrays.get(IDENTITY_ARRAY)
    return WeightsFile(arrays, identity.tobytes() if identity is not None else digest.digest()[:HASH_PREFIX_BYTES])


def decoder_arrays(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays decoding reads (``g_s``, decoder gains, exact layers, tables, shape records)."""
    return {name: array for name, array in arrays.items() if name.startswith(DECODER_PARTS)}


def decoder_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 (hex) of :func:`decoder_arrays` but the identity: each name, dtype, shape and
    bytes, in name order."""
    digest = hashlib.sha256()
    for name, array in sorted(decoder_arrays(arrays).items()):
        if name == IDENTITY_ARRAY:
            continue
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def write_decoder_only(source: Path, target: Path) -> bytes:
    """Write ``source``'s decoder part to ``target`` (a compressed ``.npz`` that records the
    source's identity); returns that identity (the hash prefix the release's files carry)."""
    weights = read_weights(source)
    arrays = decoder_arrays(weights.arrays)
    arrays[IDENTITY_ARRAY] = np.frombuffer(weights.weights_hash, dtype=np.uint8)
    with open(target, "xb") as handle:
        handle.write(weights_bytes(arrays, compressed=True))
    return weights.weights_hash


def weights_bytes(arrays: dict[str, np.ndarray], compressed: bool = False) -> bytes:
    """The ``.npz`` bytes of ``arrays``: every weights file is written through here (uncompressed
    when exported, compressed for a decoder-only file)."""
    buffer = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stubs would match allow_pickle in **arrays
    return buffer.getvalue()


def integer_layers_from(arrays: dict[str, np.ndarray], prefix: str) -> list[IntegerConv]:
    """The integer layers stored under ``prefix`` (``h_s`` or ``context``) in an exported file's arrays."""
    layers = []
    index = 0
    while f"{prefix}.{index}.weight" in arrays:
        upsample, before, after = (int(v) for v in arrays[f"{prefix}.{index}.geometry"])
        layers.append(
            IntegerConv(
                weight=arrays[f"{prefix}.{index}.weight"].astype(np.int64),
                bias=arrays[f"{prefix}.{index}.bias"].astype(np.int64),
                shift=arrays[f"{prefix}.{index}.shift"].astype(np.int64),
                upsample=upsample,
                pad_before=before,
                pad_after=after,
            )
        )
        index += 1
    return layers


def put_integer_layers(arrays: dict[str, np.ndarray], prefix: str, layers: list[IntegerConv]) -> None:
    """Store ``layers`` under ``prefix`` in ``arrays``, as :func:`integer_layers_from` reads them."""
    for index, layer in enumerate(layers):
        arrays[f"{prefix}.{index}.weight"] = layer.weight.astype(np.int16)
        arrays[f"{prefix}.{index}.bias"] = layer.bias
        arrays[f"{prefix}.{index}.shift"] = layer.shift.astype(np.int8)
        arrays[f"{prefix}.{index}.geometry"] = np.array([layer.upsample, layer.pad_before, layer.pad_after])


def context_layers_from(arrays: dict[str, np.ndarray]) -> list[IntegerConv]:
    """The integer checkerboard context; ``ValueError`` for a file without one."""
    layers = integer_layers_from(arrays, "context")
    if not layers:
        raise ValueError("weights file has no checkerboard context (exported by an older aecodec)")
    return layers


def tables_from(arrays: dict[str, np.ndarray], prefix: str) -> TableSet:
    """The frozen tables stored under ``prefix`` (``z_tables`` or ``y_tables``)."""
    return TableSet(
        frequencies=arrays[f"{prefix}.frequencies"].astype(np.int32),
        offsets=arrays[f"{prefix}.offsets"].astype(np.int32),
        lengths=arrays[f"{prefix}.lengths"].astype(np.int32),
    )


def put_tables(arrays: dict[str, np.ndarray], prefix: str, tables: TableSet) -> None:
    """Store ``tables`` under ``prefix`` in ``arrays``, as :func:`tables_from` reads them."""
    arrays[f"{prefix}.frequencies"] = tables.frequencies
    arrays[f"{prefix}.offsets"] = tables.offsets
    arrays[f"{prefix}.lengths"] = tables.lengths


def float_arrays(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    """The float32 parameters stored under ``prefix`` (``g_s``, ``g_a``, ...), keyed by the name
    after the prefix; ``ValueError`` when there are none."""
    found = {name[len(prefix) + 1 :]: array.astype(np.float32)
             for name, array in arrays.items() if name.startswith(prefix + ".")}
    if not found:
        raise ValueError(f"weights file has no {prefix} parameters (exported by an older aecodec)")
    return found


def rate_scale_from(arrays: dict[str, np.ndarray]) -> RateScale:
    """The quality scale stored as ``rate_scale`` float64 ``[levels, lambda_min, lambda_max]``;
    model 2's for files exported before scales were recorded."""
    if "rate_scale" not in arrays:
        return MODEL_2_RATE_SCALE
    levels, lambda_min, lambda_max = (float(v) for v in arrays["rate_scale"])
    return RateScale(int(levels), lambda_min, lambda_max)


def rate_scale_array(scale: RateScale) -> np.ndarray:
    """``scale`` as the float64 ``[3]`` array :func:`rate_scale_from` reads."""
    return np.array([scale.levels, scale.lambda_min, scale.lambda_max], dtype=np.float64)
