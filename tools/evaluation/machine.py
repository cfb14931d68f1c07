"""The machine a measurement ran on and the library versions it used, for results files (every
result file records its machine: evaluations, benchmarks, fuzzing)."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version

from aecodec.tools.evaluation.records import Environment

LIBRARIES = ("aecodec", "numpy", "pillow", "torch", "constriction", "pytorch-msssim", "bjontegaard",
             "pillow-jxl-plugin", "pillow-avif-plugin")


@dataclass(frozen=True)
class MachineInfo:
    """Processor, core count, OS and the versions that change numbers."""

    processor: str
    cores: int
    system: str
    python: str
    torch: str
    torch_threads: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def describe_machine() -> MachineInfo:
    """This machine; ``torch`` is ``"not installed"`` (and its threads 0) where torch is absent."""
    from aecodec.codec.torch_support import torch_available

    version, threads = "not installed", 0
    if torch_available():
        import torch

        version, threads = torch.__version__, torch.get_num_threads()
    return MachineInfo(
        processor=_processor_name(),
        cores=os.cpu_count() or 0,
        system=f"{platform.system()} {platform.release()} {platform.machine()}",
        python=platform.python_version(),
        torch=version,
        torch_threads=threads,
    )


def _processor_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_environment() -> Environment:
    """Processor, cores, OS, Python and torch threads, plus versions of the installed evaluation libraries."""
    return Environment(describe_machine(), {name: found for name in LIBRARIES if (found := _version(name))})


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None
