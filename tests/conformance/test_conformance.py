"""Every release's conformance vectors decode to their pinned symbols, latent and pixels, and no
release's weights can change: see README.md here for what the vectors hold."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aecodec.bitstream import container
from aecodec.bitstream.versions import Version
from aecodec.codec.decoder.api import decompress
from aecodec.codec.decoder.checkerboard import LatentStreams, read_latent
from aecodec.codec.torch_support import torch_available
from aecodec.codec.weights import registry
from aecodec.codec.weights.file import decoder_digest, read_weights

HERE = Path(__file__).parent
FROZEN = json.loads((HERE / "releases.json").read_text(encoding="utf-8"))["releases"]
MANIFESTS = {release["model_id"]: json.loads((HERE / release["vectors"] / "vectors.json").read_text(encoding="utf-8"))
             for release in FROZEN}
VECTORS = [(model_id, vector) for model_id, manifest in MANIFESTS.items() for vector in manifest["vectors"]]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def vector_bytes(model_id: int, vector: dict) -> bytes:
    data = (HERE / f"model-{model_id}" / vector["file"]).read_bytes()
    assert sha256(data) == vector["file_sha256"], "the vector file itself was changed"
    return data


def ids(entry: tuple[int, dict]) -> str:
    return f"model-{entry[0]}/{entry[1]['file']}"


def test_every_installed_release_is_frozen_and_every_frozen_release_installed():
    assert sorted(release["model_id"] for release in FROZEN) == sorted(registry.RELEASES)
    for frozen in FROZEN:
        release = registry.RELEASES[frozen["model_id"]]
        assert (release.name, release.weights_hash, str(release.first_version)) == (
            frozen["name"], frozen["weights_hash"], frozen["first_version"])


def changes_to(release: registry.Release, frozen: dict) -> list[str]:
    """How an installed release differs from its frozen record (nothing, for a release kept intact)."""
    weights = read_weights(release.path, expected_sha256=release.file_sha256)
    changes = []
    if weights.weights_hash.hex() != frozen["weights_hash"]:
        changes.append("identity")
    if decoder_digest(weights.arrays) != frozen["decoder_sha256"]:
        changes.append("decoder weights or tables")
    if release.file_sha256 != frozen["file_sha256"] and release.encodes:
        changes.append("file (only a release kept as a decoder-only file may change its file)")
    return changes


@pytest.mark.parametrize("frozen", FROZEN, ids=lambda frozen: f"model-{frozen['model_id']}")
def test_release_weights_and_tables_never_change(frozen):
    assert changes_to(registry.RELEASES[frozen["model_id"]], frozen) == []


def test_new_weights_under_a_released_number_are_caught(tmp_path, tiny_trained_model):
    from dataclasses import replace

    from aecodec.codec.model.export import save_weights

    path = tmp_path / "retrained.npz"
    save_weights(tiny_trained_model, path)
    digest = sha256(path.read_bytes())
    swapped = replace(registry.RELEASES[2], filename=str(path), file_sha256=digest, weights_hash=digest[:16])
    assert changes_to(swapped, FROZEN[0]) == [
        "identity", "decoder weights or tables", "file (only a release kept as a decoder-only file may change its file)"]


def test_a_decoder_only_copy_keeps_the_release(tmp_path):
    from dataclasses import replace

    from aecodec.codec.weights.file import write_decoder_only

    release = registry.RELEASES[2]
    path = tmp_path / "decoder-only.npz"
    write_decoder_only(release.path, path)
    kept = replace(release, filename=str(path), file_sha256=sha256(path.read_bytes()), encodes=False)
    assert changes_to(kept, FROZEN[0]) == []
    assert path.stat().st_size < 0.6 * release.path.stat().st_size


@pytest.mark.parametrize(("model_id", "vector"), VECTORS, ids=[ids(entry) for entry in VECTORS])
def test_vector_decodes_to_its_symbols_and_latent_exactly(model_id, vector):
    parsed = container.unpack(vector_bytes(model_id, vector))
    header = parsed.header
    assert (header.model_id, header.weights_hash.hex()) == (model_id, MANIFESTS[model_id]["weights_hash"])
    streams = LatentStreams.from_sections(parsed.sections)
    decoded = read_latent(registry.load_decoder(model_id), streams, header.height, header.width)
    symbols = decoded.symbols.z_values.astype("<i4").tobytes() + decoded.symbols.y_values.astype("<i4").tobytes()
    assert (decoded.symbols.z_values.size, decoded.symbols.y_values.size) == (vector["z_count"], vector["y_count"])
    assert sha256(symbols) == vector["symbols_sha256"]
    assert sha256(decoded.y_hat.astype("<f4").tobytes()) == vector["latent_sha256"]


@pytest.mark.parametrize(("model_id", "vector"), VECTORS, ids=[ids(entry) for entry in VECTORS])
def test_vector_decodes_to_its_pixels_and_metadata(model_id, vector):
    image = decompress(vector_bytes(model_id, vector))
    with Image.open(HERE / f"model-{model_id}" / vector["pixels"]) as reference_file:
        reference = np.asarray(reference_file)
    assert sha256(reference.tobytes()) == vector["pixels_sha256"]
    assert (image.mode, image.size) == (vector["mode"], (vector["width"], vector["height"]))
    within_tolerance(np.asarray(image), reference, MANIFESTS[model_id]["tolerance"])
    for key in ("icc_profile", "exif"):
        expected = vector.get(f"{key}_sha256")
        assert (sha256(bytes(image.info[key])) if key in image.info else None) == expected


def within_tolerance(decoded: np.ndarray, reference: np.ndarray, tolerance: dict) -> None:
    """Pixels may differ from the reference only by the float synthesis' rounding."""
    difference = np.abs(decoded.astype(np.int16) - reference.astype(np.int16))
    assert difference.max(initial=0) <= tolerance["pixels_max_abs_difference"]
    assert np.count_nonzero(difference) <= tolerance["pixels_max_fraction_differing"] * difference.size


RGB_VECTORS = [entry for entry in VECTORS if entry[1]["mode"] == "RGB"][:3]


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
@pytest.mark.parametrize(("model_id", "vector"), RGB_VECTORS, ids=[ids(entry) for entry in RGB_VECTORS])
def test_the_torch_synthesis_is_within_the_tolerance(model_id, vector):
    from aecodec.codec.decoder.model import decode_pixels

    parsed = container.unpack(vector_bytes(model_id, vector))
    header = parsed.header
    streams = LatentStreams.from_sections(parsed.sections)
    pixels = decode_pixels(registry.load_model(model_id), streams, header.quality, header.height, header.width, "cpu")
    with Image.open(HERE / f"model-{model_id}" / vector["pixels"]) as reference:
        within_tolerance(pixels, np.asarray(reference), MANIFESTS[model_id]["tolerance"])


def test_model_2_files_carry_no_requires_section():
    for model_id, vector in VECTORS:
        if model_id == 2:
            assert container.required_version(container.unpack(vector_bytes(model_id, vector))) is None
    assert not registry.RELEASES[2].announces_version and registry.RELEASES[2].first_version == Version(0, 1, 0)
