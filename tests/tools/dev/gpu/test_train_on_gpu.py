"""tools/dev/gpu/train_on_gpu.sh, tried on the CPU as its header says: train for a budget, export, split."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from aecodec.tools.training.time_budget import PROBE_STEPS

SCRIPT = Path(__file__).parents[4] / "tools" / "dev" / "gpu" / "train_on_gpu.sh"


def test_the_gpu_script_trains_exports_and_splits(photo_folder, tiny_weights, tmp_path):
    out_dir = tmp_path / "out"
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([str(SCRIPT), str(photo_folder), "0.001", str(out_dir), "--resume", str(tiny_weights),
                    "--device", "cpu", "--batch-size", "2", "--crop", "64", "--no-compile", "--threads", "1"],
                   env=environment, check=True, capture_output=True, timeout=300)
    parts = sorted(out_dir.glob("weights.npz.part-*"))
    assert parts and not (out_dir / "weights.npz").exists()
    joined = tmp_path / "joined.npz"
    joined.write_bytes(b"".join(part.read_bytes() for part in parts))
    assert (out_dir / "weights.sha256").read_text().split()[0] == hashlib.sha256(joined.read_bytes()).hexdigest()
    with np.load(joined, allow_pickle=False) as archive:
        assert int(archive["training_step"]) == PROBE_STEPS
    assert f"ends this run at step {PROBE_STEPS}" in (out_dir / "train.log").read_text()


def test_the_gpu_script_explains_its_arguments(tmp_path):
    result = subprocess.run([str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("usage:")
