"""Weights are checked against the SHA-256 recorded beside them before anything in them is used."""

import hashlib

import pytest

from aecodec.codec import registry
from aecodec.codec.export import record_sha256, save_weights
from aecodec.codec.registry import DEFAULT_MODEL_ID, MODELS, UnknownModelError, WeightsIntegrityError, load_model
from aecodec.codec.weights import load_inference_model


def test_shipped_weights_match_their_recorded_hash():
    for entry in MODELS.values():
        assert hashlib.sha256(entry.path.read_bytes()).hexdigest() == entry.expected_sha256()


@pytest.fixture
def weights_dir(tmp_path, monkeypatch, tiny_trained_model):
    save_weights(tiny_trained_model, tmp_path / f"{MODELS[DEFAULT_MODEL_ID].name}.npz")
    monkeypatch.setattr(registry, "WEIGHTS_DIR", tmp_path)
    load_model.cache_clear()
    yield tmp_path
    load_model.cache_clear()


def test_recorded_hash_lets_the_weights_load(weights_dir):
    written = record_sha256(weights_dir / MODELS[DEFAULT_MODEL_ID].filename)
    assert written.name == f"{MODELS[DEFAULT_MODEL_ID].name}.sha256"
    assert written.read_text().split() == [hashlib.sha256((weights_dir / MODELS[DEFAULT_MODEL_ID].filename).read_bytes()).hexdigest(),
                                            MODELS[DEFAULT_MODEL_ID].filename]
    assert load_model(DEFAULT_MODEL_ID).z_tables.count == 16


def test_changed_weights_are_refused_with_both_hashes(weights_dir):
    record_sha256(weights_dir / MODELS[DEFAULT_MODEL_ID].filename)
    with open(weights_dir / MODELS[DEFAULT_MODEL_ID].filename, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(WeightsIntegrityError, match="SHA-256 of .* is [0-9a-f]{64}, expected [0-9a-f]{64}"):
        load_model(DEFAULT_MODEL_ID)


def test_missing_hash_is_refused(weights_dir):
    with pytest.raises(WeightsIntegrityError, match="no SHA-256 recorded"):
        load_model(DEFAULT_MODEL_ID)


def test_garbled_hash_file_is_refused(weights_dir):
    (weights_dir / f"{MODELS[DEFAULT_MODEL_ID].name}.sha256").write_text("not a digest\n")
    with pytest.raises(WeightsIntegrityError, match="does not hold"):
        load_model(DEFAULT_MODEL_ID)


def test_unknown_and_missing_models(weights_dir):
    with pytest.raises(UnknownModelError, match="unknown model id 7"):
        load_model(7)
    with pytest.raises(UnknownModelError, match=r"model 1 \(hyperprior-gain-128x192-v1\) is retired"):
        load_model(1)
    (weights_dir / MODELS[DEFAULT_MODEL_ID].filename).unlink()
    with pytest.raises(UnknownModelError, match="not installed"):
        load_model(DEFAULT_MODEL_ID)


def test_loader_checks_before_parsing(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(b"not even a zip file")
    with pytest.raises(ValueError, match="expected 0{64}"):
        load_inference_model(path, expected_sha256="0" * 64)


def test_export_records_the_hash_beside_the_weights(tmp_path, tiny_trained_model):
    import torch
    from click.testing import CliRunner

    from aecodec.tools.cli import main

    checkpoint = tmp_path / "run.ckpt"
    torch.save({"config": {"n": 16, "m": 24}, "model": tiny_trained_model.state_dict()}, checkpoint)
    weights = tmp_path / "tiny-v9.npz"
    result = CliRunner().invoke(main, ["export", str(checkpoint), "-o", str(weights)])
    assert result.exit_code == 0, result.output
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    assert (tmp_path / "tiny-v9.sha256").read_text() == f"{digest}  tiny-v9.npz\n"
    assert load_inference_model(weights, expected_sha256=digest).z_tables.count == 16
