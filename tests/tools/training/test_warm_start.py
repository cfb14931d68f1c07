"""Exported weights carry everything training needs: rebuilding and re-exporting changes nothing."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import numpy as np
import pytest

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.export import export_arrays, save_weights
from aecodec.codec.quality import MODEL_2_RATE_SCALE, RateScale
from aecodec.tools.cli.main import main
from aecodec.tools.training.train import load_checkpoint, restore
from aecodec.tools.training.warm_start import model_from_weights

TINY = ["--batch-size", "2", "--crop", "64", "--device", "cpu"]


@pytest.fixture
def weights(tmp_path, tiny_trained_model):
    path = tmp_path / "tiny.npz"
    save_weights(tiny_trained_model, path, step=123)
    return path


def test_rebuilt_model_exports_the_same_arrays(weights):
    model, step = model_from_weights(weights)
    assert step == 123
    with np.load(weights, allow_pickle=False) as archive:
        original = {name: archive[name] for name in archive.files}
    again = export_arrays(model, step)
    assert original.keys() == again.keys()
    for name in original:
        assert np.array_equal(original[name], again[name]), name


def test_training_continues_from_exported_weights(runner, photo_folder, weights, tmp_path):
    checkpoint = tmp_path / "warm.ckpt"
    result = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--resume", str(weights),
                                  "--steps", "125", *TINY])
    assert result.exit_code == 0, result.output
    state = load_checkpoint(checkpoint)
    assert state["step"] == 125 and state["config"]["n"] == 16 and state["config"]["m"] == 24
    assert state["optimizer_start"] == 123, "a resume inside the warm-up must keep warming up"


def test_a_warm_start_onto_a_wider_scale_keeps_the_shared_levels(weights):
    wide = RateScale(levels=14, lambda_min=MODEL_2_RATE_SCALE.lambda_at(-3), lambda_max=MODEL_2_RATE_SCALE.lambda_at(10))
    old, _ = model_from_weights(weights)
    new, _ = model_from_weights(weights, wide)
    assert new.config.rate == wide and new.gains.log_encoder.shape[0] == 14
    for side in ("log_encoder", "log_decoder"):
        before, after = getattr(old.gains, side).detach(), getattr(new.gains, side).detach()
        assert np.allclose(after[3:11].numpy(), before.numpy(), atol=1e-6), "levels 0-7 of the old scale are 3-10 of the new"
    beyond = (new.gains.log_encoder[0] - old.gains.log_encoder[0]).detach()
    assert np.allclose(beyond.numpy(), 0.5 * np.log(wide.lambda_min / MODEL_2_RATE_SCALE.lambda_min), atol=1e-6)
    assert np.allclose((new.gains.log_decoder[-1] - old.gains.log_decoder[-1]).detach().numpy(),
                       -0.5 * np.log(wide.lambda_max / MODEL_2_RATE_SCALE.lambda_max), atol=1e-6)


def test_training_moves_exported_weights_onto_a_new_scale(runner, photo_folder, weights, tmp_path):
    checkpoint = tmp_path / "wide.ckpt"
    result = runner.invoke(main, ["train", str(photo_folder), str(photo_folder), "--out", str(checkpoint),
                                  "--resume", str(weights), "--steps", "124", "--levels", "10",
                                  "--lambda-range", "0.001", "0.2", *TINY])
    assert result.exit_code == 0, result.output
    assert load_checkpoint(checkpoint)["config"]["rate"] == {"levels": 10, "lambda_min": 0.001, "lambda_max": 0.2}
    exported = tmp_path / "wide.npz"
    assert runner.invoke(main, ["export", str(checkpoint), "-o", str(exported)]).exit_code == 0
    model, _ = model_from_weights(exported)
    assert model.config.rate == RateScale(10, 0.001, 0.2)
    again = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--resume", str(checkpoint),
                                 "--steps", "125", "--levels", "12", *TINY])
    assert again.exit_code != 0 and "keeps its quality scale" in again.output


def test_a_fresh_optimizer_warms_up_from_the_weights_step(weights):
    import torch

    state = restore(weights, ModelConfig(), torch.device("cpu"))
    assert state.step == state.optimizer_start == 123
    assert state.model.config == ModelConfig(16, 24)


def test_weights_without_prior_parameters_are_refused(weights, tmp_path):
    with np.load(weights, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if not name.startswith("z_prior.")}
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    with pytest.raises(ValueError, match="factorized-prior"):
        model_from_weights(old)


def test_weights_without_a_context_start_with_one_that_changes_nothing(weights, tmp_path):
    """A zero last layer: the exact context then leaves every table as ``h_s`` chose it (see
    ``test_new_context_starts_as_the_identity``)."""
    from aecodec.codec.model.inference import load_inference_model

    with np.load(weights, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if not name.startswith("context.")}
    hyperprior_only = tmp_path / "hyperprior-only.npz"
    np.savez(hyperprior_only, **arrays)
    model, _ = model_from_weights(hyperprior_only)
    save_weights(model, tmp_path / "converted.npz")
    last = load_inference_model(tmp_path / "converted.npz").context_layers[-1]
    assert not last.weight.any() and not last.bias.any()
    with pytest.raises(ValueError, match="no checkerboard context"):
        load_inference_model(hyperprior_only)


def test_a_checkpoint_from_before_the_context_is_refused_in_one_line(runner, photo_folder, tiny_trained_model, tmp_path):
    import torch

    state = {name: tensor for name, tensor in tiny_trained_model.state_dict().items() if not name.startswith("context.")}
    old = tmp_path / "old.ckpt"
    torch.save({"config": {"n": 16, "m": 24}, "model": state, "step": 1}, old)
    result = runner.invoke(main, ["export", str(old), "-o", str(tmp_path / "w.npz")])
    assert result.exit_code == 1 and "no context parameters (saved by an older aecodec)" in result.output
    assert result.output.count("\n") == 1 and not (tmp_path / "w.npz").exists()
