"""Training on a tiny folder of synthetic photos: checkpoints, resume, export, time budgets."""

import pytest

pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")

import subprocess
import sys
from dataclasses import replace

import pytest
from click.testing import CliRunner

from aecodec.codec.model.inference import load_inference_model
from aecodec.tools.cli.main import main
from aecodec.tools.training.launch import Launch
from aecodec.tools.training.time_budget import PROBE_STEPS
from aecodec.tools.training.train import TrainConfig, budgeted, decay_start_step, learning_rate, load_checkpoint, use_bfloat16


def test_train_resume_and_export(photo_folder, tmp_path):
    runner = CliRunner()
    checkpoint = tmp_path / "run.ckpt"
    first = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--steps", "2", "--batch-size", "2", "--crop", "64", "--device", "cpu", "--channels", "16", "24"])
    assert first.exit_code == 0, first.output
    assert load_checkpoint(checkpoint)["step"] == 2
    second = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--resume", str(checkpoint), "--steps", "3", "--batch-size", "2", "--crop", "64", "--device", "cpu", "--fp32"])
    assert second.exit_code == 0, second.output
    state = load_checkpoint(checkpoint)
    assert state["step"] == 3 and state["config"] == {"n": 16, "m": 24, "rate": {"levels": 8, "lambda_min": 0.002, "lambda_max": 0.05}}
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
    rising = runner.invoke(main, ["train", str(empty), "--out", str(tmp_path / "c"), "--lr", "1e-4", "--final-lr", "2e-4"])
    assert rising.exit_code == 2 and "must not exceed --lr" in rising.output
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
    config = TrainConfig(steps=1000, warmup_steps=100, learning_rate=1e-3, final_learning_rate=1e-5, decay_steps=500)
    assert learning_rate(600, config, optimizer_start=600) == pytest.approx(learning_rate(600, config) / 100)
    assert learning_rate(649, config, optimizer_start=600) == pytest.approx(learning_rate(649, config) / 2)
    assert learning_rate(700, config, optimizer_start=600) == learning_rate(700, config)


def test_default_decay_is_the_last_quarter_of_the_steps_since_a_warm_start():
    config = TrainConfig(steps=396000, warmup_steps=500, learning_rate=1e-4, final_learning_rate=2e-6)
    assert decay_start_step(config, optimizer_start=392000) == 395000
    assert learning_rate(394999, config, optimizer_start=392000) == pytest.approx(1e-4)
    assert learning_rate(395500, config, optimizer_start=392000) == pytest.approx((1e-4 + 2e-6) / 2)
    assert decay_start_step(TrainConfig(steps=40000)) == 30000


@pytest.mark.parametrize("native", [True, False])
def test_mixed_precision_only_where_bfloat16_is_native(monkeypatch, capsys, native):
    import torch

    from aecodec.tools.training import train as train_module

    monkeypatch.setattr(train_module, "native_bfloat16", lambda device: native)
    cpu = Launch(rank=0, world_size=1, local_rank=0, local_world_size=1, device=torch.device("cpu"))
    assert use_bfloat16(TrainConfig(mixed_precision=True), cpu) is native
    assert use_bfloat16(TrainConfig(mixed_precision=False), cpu) is False
    captured = capsys.readouterr()
    assert ("no native bfloat16" in captured.out + captured.err) is not native


def test_a_time_budget_fixes_the_last_step_after_the_probe(photo_folder, tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    arguments = ["train", str(photo_folder), "--out", str(checkpoint), "--batch-size", "2", "--crop", "64",
                 "--device", "cpu", "--channels", "16", "24", "--checkpoint-every", "1000"]
    result = CliRunner().invoke(main, [*arguments, "--minutes", "0.001"])
    assert result.exit_code == 0, result.output
    assert f"budget ends this run at step {PROBE_STEPS}" in result.output
    assert load_checkpoint(checkpoint)["step"] == PROBE_STEPS
    both = CliRunner().invoke(main, [*arguments, "--minutes", "1", "--steps", "10"])
    assert both.exit_code == 2 and "not both" in both.output


def test_a_budgeted_run_decays_over_all_of_itself_unless_told():
    waiting = TrainConfig(steps=None, minutes=5.0, warmup_steps=100, learning_rate=1e-3, final_learning_rate=1e-5)
    assert learning_rate(1050, waiting, optimizer_start=1000) == pytest.approx(1e-3 * 51 / 100)
    assert learning_rate(5000, waiting, optimizer_start=1000) == pytest.approx(1e-3)
    planned = budgeted(waiting, first_step=1000, end_step=3000)
    assert (planned.steps, planned.decay_steps, planned.minutes) == (3000, 2000, None)
    assert learning_rate(2000, planned, optimizer_start=1000) == pytest.approx((1e-3 + 1e-5) / 2)
    assert budgeted(replace(waiting, decay_steps=500), 1000, 3000).decay_steps == 500
    with pytest.raises(ValueError, match="exactly one"):
        TrainConfig(steps=10, minutes=1.0)
    with pytest.raises(ValueError, match="exactly one"):
        TrainConfig(steps=None)


def test_training_and_export_need_neither_entropy_coder_nor_onnxruntime(photo_folder, tmp_path):
    """A GPU machine without constriction or onnxruntime can train and export: importing them is refused."""
    script = (
        "import sys\n"
        "sys.modules.update(constriction=None, onnxruntime=None)\n"
        "from aecodec.tools.cli.main import main\n"
        "main(sys.argv[1:])\n"
    )
    checkpoint, weights = tmp_path / "run.ckpt", tmp_path / "w.npz"
    run = [sys.executable, "-c", script]
    subprocess.run([*run, "train", str(photo_folder), "--out", str(checkpoint), "--steps", "2", "--batch-size", "2",
                    "--crop", "64", "--device", "cpu", "--channels", "16", "24"], check=True, capture_output=True)
    subprocess.run([*run, "export", str(checkpoint), "-o", str(weights)], check=True, capture_output=True)
    subprocess.run([*run, "train", str(photo_folder), "--out", str(checkpoint), "--resume", str(weights),
                    "--steps", "3", "--batch-size", "2", "--crop", "64", "--device", "cpu"], check=True, capture_output=True)
    assert load_checkpoint(checkpoint)["step"] == 3
