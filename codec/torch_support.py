"""Whether torch is installed, and the error that names the extra to install when it is needed.

Compressing at effort 0, decoding, ``info``, the Pillow plugin and the classical codecs' evaluation
run without torch; encoder effort 1–4, GPUs, training and export need it (``pip install
'aecodec[torch]'``).
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = ("pip install 'aecodec[torch]' (CPU-only build: pip install torch --index-url "
                "https://download.pytorch.org/whl/cpu)")


class TorchRequiredError(ModuleNotFoundError):
    """Something that needs torch was asked for where torch is not installed."""


def torch_available() -> bool:
    """Whether ``import torch`` would find a package (without importing it)."""
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def require_torch(what: str) -> None:
    """Raise :class:`TorchRequiredError` naming ``what`` and the install command if torch is missing."""
    if not torch_available():
        raise TorchRequiredError(f"{what} needs torch, which is not installed: {INSTALL_HINT}", name="torch")
