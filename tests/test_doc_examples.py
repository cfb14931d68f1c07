"""The runnable examples in docstrings (``>>>``) and the README's Python snippet run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import aecodec

ROOT = Path(__file__).parents[1]


def modules_with_examples() -> list[str]:
    """Every ``aecodec`` module whose source holds a ``>>>`` example."""
    names = []
    for info in pkgutil.walk_packages(aecodec.__path__, "aecodec."):
        spec = importlib.util.find_spec(info.name)
        if spec and spec.origin and spec.origin.endswith(".py") and ">>>" in Path(spec.origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return sorted(names)


EXAMPLES = modules_with_examples()


def test_examples_are_found():
    assert "aecodec.codec.encoder.api" in EXAMPLES and "aecodec.bitstream.entropy_coder" in EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def readme_python_blocks() -> list[str]:
    """The README's ```python blocks."""
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("index", range(len(readme_python_blocks())))
def test_readme_python_snippets_run(index, tmp_path, monkeypatch):
    """Each block runs as written, on a 64×64 photo, with the effort levels cut to a step each."""
    pytest.importorskip("torch", reason="the README's examples include encoder effort 4 (pip install 'aecodec[torch]')")
    from PIL import Image

    from aecodec.codec.model import refinement

    monkeypatch.setattr(refinement, "EFFORT_STEPS", (0, 1, 2, 3, 4))
    monkeypatch.chdir(tmp_path)
    photo = Image.open(ROOT / "tests" / "data" / "parrots.png").crop((96, 40, 160, 104))
    photo.save(tmp_path / "photo.png")
    photo.save(tmp_path / "photo.aec", quality=50)
    exec(compile(readme_python_blocks()[index], f"README.md python block {index}", "exec"), {})
