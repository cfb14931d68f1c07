"""A wider latent starts where the narrow model was: same image, same coding parameters, and its
weights export and code like any others."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import numpy as np
import torch
from PIL import Image

from aecodec.codec.decoder.api import decompress_with
from aecodec.codec.encoder.api import compress_with
from aecodec.codec.model.context import coding_parameters
from aecodec.codec.model.export import save_weights
from aecodec.codec.model.fixed_point import round_ste
from aecodec.codec.model.inference import load_inference_model
from aecodec.tools.cli.main import main
from aecodec.tools.training.train import load_checkpoint
from aecodec.tools.training.widen import widen_latent

WIDER = 40


def image_tensor(seed: int) -> torch.Tensor:
    """A smooth random image ``[1, 3, 64, 64]`` in [0, 1]."""
    coarse = torch.rand(1, 3, 8, 8, generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.interpolate(coarse, size=(64, 64), mode="bilinear", align_corners=False)


def top_level_pass(model, x, position):
    """Latent, coding mean and log-scale, and reconstruction of ``x`` at ``position``."""
    y = model.g_a(x) * model.gains.encoder_gain(position)
    mean, log_scale = model.h_s(round_ste(model.h_a(y)))
    mean, log_scale = coding_parameters(model.context, y, mean, log_scale, round_ste)
    x_hat = model.g_s((round_ste(y - mean) + mean) * model.gains.decoder_gain(position))
    return y, mean, log_scale, x_hat


@pytest.mark.parametrize("position", [0.0, 3.5, 7.0])
def test_the_widened_model_reconstructs_and_codes_the_old_channels_as_before(tiny_trained_model, position):
    wide = widen_latent(tiny_trained_model, WIDER).eval()
    x = image_tensor(3)
    at = torch.tensor([position])
    with torch.no_grad():
        y, mean, log_scale, x_hat = top_level_pass(tiny_trained_model, x, at)
        wide_y, wide_mean, wide_log_scale, wide_x_hat = top_level_pass(wide, x, at)
    old = tiny_trained_model.config.m
    assert wide_y.shape[1] == WIDER
    assert torch.equal(wide_y[:, :old], y)
    assert torch.equal(wide_mean[:, :old], mean) and torch.equal(wide_log_scale[:, :old], log_scale)
    assert torch.all(torch.round(wide_y[:, old:] - wide_mean[:, old:]) == 0), "new channels start at zero"
    torch.testing.assert_close(wide_x_hat, x_hat, rtol=0, atol=1e-5)


def test_new_channels_can_learn_from_the_first_step(tiny_trained_model):
    wide = widen_latent(tiny_trained_model, WIDER).train()
    x = image_tensor(4)
    result = wide(x, torch.tensor([7.0]))
    ((result.x_hat - x) ** 2).mean().backward()
    old = tiny_trained_model.config.m
    assert wide.g_a[-1].weight.grad[old:].abs().sum() > 0, "the encoder's new channels get a gradient"


def test_narrowing_is_refused(tiny_trained_model):
    with pytest.raises(ValueError, match="cannot narrow"):
        widen_latent(tiny_trained_model, tiny_trained_model.config.m - 1)


def test_widened_weights_export_and_round_trip(tiny_trained_model, tmp_path):
    path = tmp_path / "wide.npz"
    save_weights(widen_latent(tiny_trained_model, WIDER).eval(), path)
    model = load_inference_model(path)
    image = Image.fromarray((image_tensor(5)[0, :, :40, :56].permute(1, 2, 0).numpy() * 255).astype(np.uint8))
    data = compress_with(model, image, quality=80)
    assert decompress_with(model, data).size == image.size


def test_train_widens_a_warm_start(runner, photo_folder, tiny_trained_model, tmp_path):
    weights, checkpoint = tmp_path / "tiny.npz", tmp_path / "wide.ckpt"
    save_weights(tiny_trained_model, weights, step=10)
    result = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--resume", str(weights),
                                  "--latent-channels", str(WIDER), "--steps", "12", "--batch-size", "2",
                                  "--crop", "64", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    assert load_checkpoint(checkpoint)["config"]["m"] == WIDER


def test_only_a_warm_start_widens(runner, photo_folder, tmp_path):
    result = runner.invoke(main, ["train", str(photo_folder), "--out", str(tmp_path / "new.ckpt"),
                                  "--latent-channels", "40", "--steps", "1", "--device", "cpu"])
    assert result.exit_code != 0 and "only a warm start" in result.output
