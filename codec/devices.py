"""Device names: ``cpu``, ``cuda`` (or ``cuda:N``) and ``auto``, resolved without importing torch
for the CPU."""

from __future__ import annotations

from aecodec.codec.torch_support import require_torch, torch_available

DEVICE_CHOICES = ("auto", "cpu", "cuda")


class DeviceError(ValueError):
    """A device that does not exist here (``cuda`` without a CUDA GPU or without torch)."""


def resolve_device(name: str) -> str:
    """``cpu`` as is; ``auto`` is ``cuda`` when torch sees a CUDA GPU, else ``cpu``; ``cuda`` or
    ``cuda:N`` must exist (:class:`DeviceError` otherwise, with the reason)."""
    if name == "cpu":
        return name
    if name == "auto":
        return "cuda" if torch_available() and _cuda_count() > 0 else "cpu"
    kind, _, suffix = name.partition(":")
    if kind != "cuda" or not (suffix.isdigit() or name == "cuda"):
        raise DeviceError(f"unknown device {name!r} (auto, cpu, cuda or cuda:N)")
    require_torch(f"device {name!r}")
    count = _cuda_count()
    index = int(suffix or 0)
    if count == 0:
        raise DeviceError(f"device {name!r} was asked for but no CUDA device is available (use cpu or auto)")
    if not 0 <= index < count:
        raise DeviceError(f"device {name!r} does not exist (this machine has {count} CUDA device(s))")
    return name


def _cuda_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0
