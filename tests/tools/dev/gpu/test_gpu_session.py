"""tools/dev/gpu/gpu_session.sh, tried on the CPU: machine record, one training cycle, cross-device check."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[4] / "tools" / "dev" / "gpu" / "gpu_session.sh"


def test_the_session_records_trains_and_checks_exactness(photo_folder, tiny_weights, tmp_path):
    out_dir = tmp_path / "out"
    no_wheels = tmp_path / "wheels"
    no_wheels.mkdir()
    environment = {**os.environ, "WHEELS": str(no_wheels),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([str(SCRIPT), str(photo_folder), "0.001", str(out_dir), "--resume", str(tiny_weights),
                             "--device", "cpu", "--batch-size", "2", "--crop", "64", "--no-compile", "--threads", "1"],
                            env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "torch" in (out_dir / "machine.txt").read_text()
    assert sorted(out_dir.glob("weights.npz.part-*"))
    record = json.loads((out_dir / "cross_device.json").read_text())
    assert record["devices"] == ["cpu"] and record["pairs"][0]["symbol_mismatches"] == 0
    assert "cross-device check written" in result.stdout


def test_the_session_explains_its_arguments(tmp_path):
    result = subprocess.run([str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("usage:")
