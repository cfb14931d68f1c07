"""Training under torchrun: two gloo processes keep identical weights; checkpoints resume on any world size."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="needs torch (pip install 'aecodec[torch]')")
from click.testing import CliRunner

from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.tools.cli.main import main
from aecodec.tools.training.dataset import CropSampler
from aecodec.tools.training.launch import check_replicas, single_process, state_digest
from aecodec.tools.training.train import load_checkpoint, local_batch_size, rank_seeds

TINY = ["--batch-size", "2", "--crop", "64", "--device", "cpu", "--channels", "16", "24"]


def torchrun_train(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``aecodec train ARGUMENTS`` as two CPU processes under torchrun (gloo)."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               "-m", "aecodec.tools.cli", "train", *arguments]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=180)


def test_two_processes_hold_identical_weights_and_resume_on_any_world_size(photo_folder, tmp_path):
    checkpoint = tmp_path / "run.ckpt"
    runner = CliRunner()
    single = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), "--steps", "1", *TINY])
    assert single.exit_code == 0, single.output

    pair = torchrun_train([str(photo_folder), "--out", str(checkpoint), "--resume", str(checkpoint), "--steps", "3", *TINY], tmp_path)
    assert pair.returncode == 0, pair.stderr[-3000:]
    digests = re.findall(r"weights identical on 2 processes \(sha256 ([0-9a-f]{64})\)", pair.stdout + pair.stderr)
    assert len(digests) == 1
    state = load_checkpoint(checkpoint)
    assert state["step"] == 3 and (state["config"]["n"], state["config"]["m"]) == (16, 24)
    assert not any(name.startswith(("module.", "_orig_mod.")) for name in state["model"])
    assert state_digest(state["model"]) == digests[0]

    resume = ["--resume", str(checkpoint)]
    again = runner.invoke(main, ["train", str(photo_folder), "--out", str(checkpoint), *resume, "--steps", "4", *TINY])
    assert again.exit_code == 0, again.output
    assert load_checkpoint(checkpoint)["step"] == 4


def test_batch_must_split_evenly_across_processes():
    assert local_batch_size(16, 1) == 16 and local_batch_size(16, 4) == 4
    with pytest.raises(ValueError, match="split evenly"):
        local_batch_size(6, 4)


def test_each_rank_and_resume_draws_its_own_crops_and_noise(make_image):
    photo = torch.from_numpy(make_image(96, 128).transpose(2, 0, 1).copy())

    def first_batch(rank: int, step: int) -> torch.Tensor:
        return CropSampler([photo], 64, rank_seeds(0, rank, step)[0]).batch(4)

    assert torch.equal(first_batch(0, 0), first_batch(0, 0))
    assert not torch.equal(first_batch(0, 0), first_batch(1, 0))
    assert not torch.equal(first_batch(0, 0), first_batch(0, 250))
    assert rank_seeds(0, 0, 0)[1] != rank_seeds(0, 1, 0)[1]


def test_state_digest_follows_values_not_memory_layout():
    model = HyperpriorModel(ModelConfig(16, 24))
    digest = check_replicas(model, single_process(torch.device("cpu")), step=0)
    assert state_digest(model.to(memory_format=torch.channels_last).state_dict()) == digest
    with torch.no_grad():
        model.g_s[0].bias[0] += 1e-6
    assert state_digest(model.state_dict()) != digest
