"""Releases: weights checked before use, files of releases this version lacks refused with a
message naming the release and the version that reads it, candidates written as decoder-only."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from aecodec.bitstream import container
from aecodec.bitstream.container import SectionType
from aecodec.bitstream.versions import Version, installed_version
from aecodec.codec.decoder.api import decompress, decompress_with
from aecodec.codec.decoder.model import load_decoder_model
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.model.export import save_weights
from aecodec.codec.model.inference import load_inference_model
from aecodec.codec.weights import registry
from aecodec.codec.weights.file import decoder_digest, read_weights, write_decoder_only
from aecodec.codec.weights.registry import (
    DEFAULT_MODEL_ID,
    RELEASES,
    UnknownModelError,
    WeightsIntegrityError,
    encoding_release,
    load_decoder,
    load_model,
    release_of,
)


def test_shipped_weights_match_their_release():
    for release in RELEASES.values():
        data = release.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == release.file_sha256
        assert load_decoder(release.model_id).weights_hash.hex() == release.weights_hash


def test_the_default_release_is_the_newest_and_encodes():
    assert max(RELEASES) == DEFAULT_MODEL_ID and RELEASES[DEFAULT_MODEL_ID].encodes


@pytest.fixture
def tiny_release(tmp_path, monkeypatch, tiny_trained_model):
    """Release 2 pointed at the tiny model's weights (its own hashes), caches cleared around the test."""
    path = tmp_path / "tiny.npz"
    save_weights(tiny_trained_model, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    release = replace(RELEASES[2], filename=str(path), file_sha256=digest, weights_hash=digest[:16])
    monkeypatch.setitem(registry.RELEASES, 2, release)
    load_model.cache_clear()
    load_decoder.cache_clear()
    yield release
    load_model.cache_clear()
    load_decoder.cache_clear()


def test_changed_weights_are_refused_with_both_hashes(tiny_release):
    with open(tiny_release.path, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(WeightsIntegrityError, match="SHA-256 of .* is [0-9a-f]{64}, expected [0-9a-f]{64}"):
        load_model(2)


def test_missing_weights_are_named(tiny_release):
    tiny_release.path.unlink()
    with pytest.raises(UnknownModelError, match="not installed"):
        load_decoder(2)


def test_unknown_ids_cannot_encode_or_decode():
    with pytest.raises(UnknownModelError, match="no model 7 to encode with"):
        encoding_release(7)
    with pytest.raises(UnknownModelError, match="unknown model id 7"):
        load_decoder(7)


def test_a_decode_only_release_refuses_to_encode(monkeypatch):
    monkeypatch.setitem(registry.RELEASES, 2, replace(RELEASES[2], encodes=False))
    with pytest.raises(UnknownModelError, match="decoding only"):
        encoding_release(2)


def test_release_of_a_file_of_the_release():
    release = RELEASES[2]
    assert release_of(2, bytes.fromhex(release.weights_hash)) is release


def test_a_development_snapshot_names_the_commit_that_reads_it():
    with pytest.raises(UnknownModelError, match=r"development snapshot of model 2 .*351,561 .*git commit c180cb5 reads it"):
        release_of(2, bytes.fromhex("3afd52ed76b5962f"))


def test_other_weights_under_a_released_number_are_named():
    with pytest.raises(UnknownModelError, match="weights 0102030405060708 for model 2, which no release has"):
        release_of(2, bytes(range(1, 9)))


def test_a_retired_model_names_the_last_version_that_read_it():
    with pytest.raises(UnknownModelError, match="hyperprior-gain-128x192-v1, which is retired; aecodec 0.1.0"):
        release_of(1, bytes(8))


def test_a_future_release_names_the_version_that_reads_it():
    newer = Version(installed_version().major, installed_version().minor + 1, 0)
    with pytest.raises(UnknownModelError, match=fr"model 9 \(weights 0000000000000000\), first read by aecodec {newer}; "
                                                fr"this is aecodec {installed_version()}"):
        release_of(9, bytes(8), newer)
    with pytest.raises(UnknownModelError, match="model 9 .* does not have .*reads models 2.*a newer aecodec may read it"):
        release_of(9, bytes(8))


def test_decompress_refuses_a_future_release_in_one_line(tiny_model, make_image):
    data = compress_with(tiny_model, make_image(20, 24), 50, model_id=9)
    parsed = container.unpack(data)
    newer = Version(installed_version().major + 1, 0, 0)
    future = container.pack(container.Container(parsed.header, {**parsed.sections,
                                                                 SectionType.REQUIRES: newer.to_bytes()}))
    with pytest.raises(UnknownModelError, match=f"first read by aecodec {newer}") as caught:
        decompress(future)
    assert "\n" not in str(caught.value)


def test_files_of_a_release_after_model_2_carry_its_first_version(tiny_model, make_image, monkeypatch):
    later = replace(RELEASES[2], model_id=3, first_version=Version(0, 3, 0))
    monkeypatch.setitem(registry.RELEASES, 3, later)
    parsed = container.unpack(compress_with(tiny_model, make_image(20, 24), 50, model_id=3))
    assert container.required_version(parsed) == Version(0, 3, 0)
    assert container.required_version(container.unpack(compress_with(tiny_model, make_image(20, 24), 50))) is None


@pytest.mark.parametrize("payload", [b"", b"\x00\x02", b"\x00\x02\x00\x00"])
def test_a_malformed_requires_section_is_refused(tiny_model, make_image, payload):
    parsed = container.unpack(compress_with(tiny_model, make_image(20, 24), 50))
    broken = container.pack(container.Container(parsed.header, {**parsed.sections, SectionType.REQUIRES: payload}))
    with pytest.raises(container.ContainerError, match="REQUIRES section"):
        container.unpack(broken)


def test_a_decoder_only_file_decodes_exactly_as_the_full_one(tiny_weights, tiny_model, make_image, tmp_path):
    path = tmp_path / "decoder.npz"
    identity = write_decoder_only(tiny_weights, path)
    decoder = load_decoder_model(path)
    assert identity == decoder.weights_hash == tiny_model.weights_hash
    assert decoder_digest(read_weights(path).arrays) == decoder_digest(read_weights(tiny_weights).arrays)
    data = compress_with(tiny_model, make_image(40, 56), 60)
    assert np.array_equal(np.asarray(decompress_with(decoder, data)), np.asarray(decompress_with(tiny_model, data)))
    assert path.stat().st_size < tiny_weights.stat().st_size
    with pytest.raises(ValueError, match="no g_a parameters"):
        load_inference_model(path)
    with pytest.raises(FileExistsError):
        write_decoder_only(tiny_weights, path)


def test_loader_checks_before_parsing(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"not even a zip file")
    with pytest.raises(ValueError, match="expected 0{64}"):
        load_inference_model(path, expected_sha256="0" * 64)


def test_export_records_the_hash_beside_the_weights(tmp_path, tiny_trained_model):
    import torch
    from click.testing import CliRunner

    from aecodec.tools.cli.main import main

    checkpoint = tmp_path / "run.ckpt"
    torch.save({"config": {"n": 16, "m": 24}, "model": tiny_trained_model.state_dict()}, checkpoint)
    weights = tmp_path / "tiny-v9.npz"
    result = CliRunner().invoke(main, ["export", str(checkpoint), "-o", str(weights)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    assert (tmp_path / "tiny-v9.sha256").read_text() == f"{digest}  tiny-v9.npz\n"
    assert load_inference_model(weights, expected_sha256=digest).z_tables.count == 16


def test_export_never_writes_over_a_release(tmp_path, tiny_trained_model):
    import torch
    from click.testing import CliRunner

    from aecodec.tools.cli.main import main

    checkpoint = tmp_path / "run.ckpt"
    torch.save({"config": {"n": 16, "m": 24}, "model": tiny_trained_model.state_dict()}, checkpoint)
    release = RELEASES[DEFAULT_MODEL_ID]
    before = hashlib.sha256(release.path.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["export", str(checkpoint), "-o", str(release.path), "-f"])
    assert result.exit_code == 1 and "never change" in result.output
    assert hashlib.sha256(release.path.read_bytes()).hexdigest() == before == release.file_sha256
