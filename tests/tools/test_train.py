"""Training on a tiny folder of synthetic photos: checkpoints, resume, export."""


import pytest
from click.testing import CliRunner

from aecodec.codec.weights import load_inference_model
from aecodec.tools.cli import main
from aecodec.tools.launch import Launch
from aecodec.tools.train import TrainConfig, learning_rate, load_checkpoint, use_bfloat16


def test_train_resume_and_export(photo_folder, tmp_path):
    runner = CliRunner()
    checkpoint = tmp_path / "run.ckpt"
    first = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--steps", "2", "--batch-size", "2", "--crop", "64", "--device", "cpu", "--channels", "16", "24"])
    assert first.exit_code == 0, first.output
    assert load_checkpoint(checkpoint)["step"] == 2
    second = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--resume", str(checkpoint), "--steps", "3", "--batch-size", "2", "--crop", "64", "--device", "cpu", "--fp32"])
    assert second.exit_code == 0, second.output
    state = load_checkpoint(checkpoint)
    assert state["step"] == 3 and state["config"] == {"n": 16, "m": 24}
    weights = tmp_path / "w.npz"
    assert runner.invoke(main, ["export", str(checkpoint), "-o", str(weights)]).exit_code == 0
    assert load_inference_model(weights).z_tables.count == 16
    assert runner.invoke(main, ["export", str(checkpoint), "-o", str(weights)]).exit_code == 1


def test_train_rejects_bad_crop_and_empty_folder(tmp_path):
    runner = CliRunner()
    empty = tmp_path / "empty"
    empty.mkdir()
    bad_crop = runner.invoke(main, ["train", str(empty), "--out", str(tmp_path / "c"), "--crop", "100"])
    assert bad_crop.exit_code == 2 and "multiple of 64" in bad_crop.output
    no_images = runner.invoke(main, ["train", str(empty), "--out", str(tmp_path / "c"), "--device", "cpu"])
    assert no_images.exit_code == 1 and "no images" in no_images.output


def test_learning_rate_schedule():
    config = TrainConfig(steps=1000, warmup_steps=100, learning_rate=1e-3, final_learning_rate=1e-5, decay_fraction=0.5)
    assert learning_rate(0, config) == pytest.approx(1e-5)
    assert learning_rate(300, config) == pytest.approx(1e-3)
    assert learning_rate(999, config) == pytest.approx(1e-5, rel=0.01)
    assert learning_rate(750, config) < learning_rate(600, config)


def test_decay_steps_set_where_the_cosine_starts():
    short = TrainConfig(steps=1000, warmup_steps=10, learning_rate=1e-3, final_learning_rate=1e-5, decay_steps=100)
    assert learning_rate(899, short) == pytest.approx(1e-3)
    assert learning_rate(950, short) == pytest.approx((1e-3 + 1e-5) / 2)
    assert learning_rate(1000, short) == pytest.approx(1e-5)


def test_learning_rate_warms_up_again_after_a_fresh_optimizer():
    config = TrainConfig(steps=1000, warmup_steps=100, learning_rate=1e-3, final_learning_rate=1e-5, decay_fraction=0.5)
    assert learning_rate(600, config, optimizer_start=600) == pytest.approx(learning_rate(600, config) / 100)
    assert learning_rate(649, config, optimizer_start=600) == pytest.approx(learning_rate(649, config) / 2)
    assert learning_rate(700, config, optimizer_start=600) == learning_rate(700, config)


@pytest.mark.parametrize("native", [True, False])
def test_mixed_precision_only_where_bfloat16_is_native(monkeypatch, capsys, native):
    import torch

    from aecodec.tools import train as train_module

    monkeypatch.setattr(train_module, "native_bfloat16", lambda device: native)
    cpu = Launch(rank=0, world_size=1, local_rank=0, local_world_size=1, device=torch.device("cpu"))
    assert use_bfloat16(TrainConfig(mixed_precision=True), cpu) is native
    assert use_bfloat16(TrainConfig(mixed_precision=False), cpu) is False
    captured = capsys.readouterr()
    assert ("no native bfloat16" in captured.out + captured.err) is not native
