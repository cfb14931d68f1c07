"""The machine (from :mod:`aecodec.tools.machine`) and the library versions a run used."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from aecodec.tools.evaluation.records import Environment

LIBRARIES = ("aecodec", "numpy", "pillow", "torch", "constriction", "pytorch-msssim", "bjontegaard",
             "pillow-jxl-plugin", "pillow-avif-plugin")


def describe_environment() -> Environment:
    """Processor, cores, OS, Python and torch threads, plus versions of the installed evaluation libraries."""
    from aecodec.tools.machine import describe_machine

    return Environment(describe_machine(), {name: found for name in LIBRARIES if (found := _version(name))})


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
