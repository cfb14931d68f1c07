"""The layout keeps its rules: the torch-free folders import without torch, training and export
import neither constriction nor onnxruntime, and every package folder but ``tools/dev`` is installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

ROOT = Path(__file__).parents[1]
TORCH_FREE = ("bitstream", "codec", "tools/cli", "tools/evaluation")
"""Folders whose every module imports without torch (``codec/model`` aside, see :data:`TORCH_ONLY`)."""
TORCH_ONLY = ("codec/model",)
"""The one torch folder of the codec; of it, only ``config`` is read by the command line."""
TRAINING = ("codec/model", "tools/training")
"""What a bare GPU machine runs: torch, NumPy, Pillow, click and tqdm, and nothing else."""
NOT_INSTALLED = ("tools/dev",)


def modules(folders: tuple[str, ...], leave_out: tuple[str, ...] = ()) -> list[str]:
    """The dotted names of every module under ``folders``, but those under ``leave_out``."""
    names = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).with_suffix("")
            if any(relative.is_relative_to(other) for other in leave_out) or relative.name == "__main__":
                continue
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            names.append(".".join(("aecodec", *parts)))
    return names


def import_refusing(refused: tuple[str, ...], names: list[str]) -> dict[str, list[str]]:
    """Import ``names`` in a fresh process where ``refused`` are not installed (``None`` in
    ``sys.modules``, which makes ``import`` fail and ``find_spec`` find nothing); what was loaded of
    ``refused`` anyway and what failed to import."""
    script = f"""
import importlib, json, sys
sys.modules.update(dict.fromkeys({refused!r}))
failed = []
for name in {names!r}:
    try:
        importlib.import_module(name)
    except ImportError as error:
        failed.append(f'{{name}}: {{error}}')
print(json.dumps({{'loaded': sorted(n for n, m in sys.modules.items() if m and n.split('.')[0] in {refused!r}),
                  'failed': failed}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout)


def test_the_torch_free_folders_import_without_torch():
    names = ["aecodec", *modules(TORCH_FREE, leave_out=TORCH_ONLY), "aecodec.codec.model.config"]
    assert len(names) > 100
    assert import_refusing(("torch",), names) == {"loaded": [], "failed": []}


def test_training_and_export_import_neither_constriction_nor_onnxruntime():
    pytest.importorskip("torch", reason="training needs torch (pip install 'aecodec[torch]')")
    found = import_refusing(("constriction", "onnxruntime"), modules(TRAINING))
    assert found == {"loaded": [], "failed": []}


@pytest.mark.parametrize("folder", ["bitstream", "codec", "tools"])
def test_every_package_folder_but_the_developer_tools_is_installed(folder):
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    packages = set(settings["packages"])
    for init in sorted((ROOT / folder).rglob("__init__.py")):
        relative = init.parent.relative_to(ROOT)
        name = ".".join(("aecodec", *relative.parts))
        if any(relative.is_relative_to(other) for other in NOT_INSTALLED):
            assert name not in packages
        else:
            assert name in packages, f"{name} is missing from pyproject.toml's packages"
