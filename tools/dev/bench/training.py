"""Training-speed benchmark: steps/s and pixels/s of the training step, beside the peers' figures.

Times the step exactly as ``aecodec train`` runs it (crops drawn on the device, channels-last,
bfloat16 autocast, Adam, gradient clipping; DDP when started by torchrun) after a few warm-up steps,
on synthetic photos unless ``--data`` names a folder. Merges the result into
``OUT/training_benchmark.json`` (one entry per device and setting) and rewrites
``OUT/training_benchmark.md``.

    python -m aecodec.tools.dev.bench.training --device cuda --steps 50
    python -m aecodec.tools.dev.bench.training --device cpu --warmup 3 --steps 5 --note "..."
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import click
import torch

from aecodec.codec.devices import DEVICE_CHOICES
from aecodec.codec.model.config import ModelConfig
from aecodec.codec.model.hyperprior import HyperpriorModel
from aecodec.tools.evaluation.machine import describe_machine
from aecodec.tools.training.dataset import CropSampler
from aecodec.tools.training.launch import Launch, launch
from aecodec.tools.training.step import build_objective, optimize_step, random_positions
from aecodec.tools.training.train import local_batch_size, to_channels_last

SYNTHETIC_PHOTOS = 8
SYNTHETIC_SIDE = 512


@dataclass(frozen=True)
class BenchmarkSetting:
    """What is measured: global batch of ``crop``² crops, model widths, precision, compilation."""

    batch_size: int = 16
    crop: int = 256
    channels: tuple[int, int] = (128, 192)
    mixed_precision: bool = True
    compile: bool = False
    warmup: int = 3
    steps: int = 20


@dataclass(frozen=True)
class BenchmarkResult:
    """One measurement: ``seconds_per_step`` is the mean wall time of the timed steps."""

    label: str
    device: str
    world_size: int
    parameters: int
    setting: BenchmarkSetting
    seconds_per_step: float
    steps_per_second: float
    megapixels_per_second: float
    peak_memory_gib: float | None
    load_average: float
    note: str
    date: str
    machine: dict[str, object]


@dataclass(frozen=True)
class PeerFigure:
    """A published step time from ``../shared/anchors/README.md``."""

    label: str
    batch_size: int
    crop: int
    seconds_per_step: float

    @property
    def steps_per_second(self) -> float:
        return 1.0 / self.seconds_per_step

    @property
    def megapixels_per_second(self) -> float:
        return self.batch_size * self.crop**2 / self.seconds_per_step / 1e6


PEERS = (
    PeerFigure("peer: CompressAI mbt2018-mean, one H200", 16, 256, 0.0226),
    PeerFigure("peer: 7M mean-scale hyperprior, 2-core CPU", 8, 256, 2.4),
)


def synthetic_photos(count: int = SYNTHETIC_PHOTOS, side: int = SYNTHETIC_SIDE, seed: int = 0) -> list[torch.Tensor]:
    """``count`` uint8 ``[3, side, side]`` noise images; step time does not depend on content."""
    generator = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (3, side, side), dtype=torch.uint8, generator=generator) for _ in range(count)]


def measure(setting: BenchmarkSetting, sampler: CropSampler, current: Launch) -> float:
    """Mean seconds per training step over ``setting.steps`` steps after ``setting.warmup``."""
    torch.manual_seed(current.rank)
    model = to_channels_last(HyperpriorModel(ModelConfig(*setting.channels)), current.device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
    objective = build_objective(model, setting.mixed_precision, setting.compile, current)
    batch = local_batch_size(setting.batch_size, current.world_size)
    for index in range(setting.warmup + setting.steps):
        if index == setting.warmup:
            _synchronize(current.device)
            start = time.perf_counter()
        optimize_step(objective, optimizer, sampler.batch(batch), random_positions(batch, model.config.rate.levels, current.device))
    _synchronize(current.device)
    return (time.perf_counter() - start) / setting.steps


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def describe_result(setting: BenchmarkSetting, seconds: float, current: Launch, note: str) -> BenchmarkResult:
    """The record of one measurement, with the device and machine it ran on."""
    device = _device_name(current.device)
    parameters = sum(p.numel() for p in HyperpriorModel(ModelConfig(*setting.channels)).parameters())
    steps_per_second = 1.0 / seconds
    peak = torch.cuda.max_memory_allocated(current.device) / 2**30 if current.device.type == "cuda" else None
    return BenchmarkResult(
        label=_label(setting, device, current.world_size),
        device=device,
        world_size=current.world_size,
        parameters=parameters,
        setting=setting,
        seconds_per_step=seconds,
        steps_per_second=steps_per_second,
        megapixels_per_second=steps_per_second * setting.batch_size * setting.crop**2 / 1e6,
        peak_memory_gib=peak,
        load_average=os.getloadavg()[0],
        note=note,
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=describe_machine().as_dict(),
    )


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU ({describe_machine().processor}, {torch.get_num_threads()} threads)"


def _label(setting: BenchmarkSetting, device: str, world_size: int) -> str:
    processes = f"{world_size}× " if world_size > 1 else ""
    precision = "bf16" if setting.mixed_precision else "fp32"
    compiled = ", compiled" if setting.compile else ""
    width = "×".join(map(str, setting.channels))
    return f"{processes}{device}, {width}, batch {setting.batch_size} × {setting.crop}², {precision}{compiled}"


def merge_results(path: Path, result: BenchmarkResult) -> list[dict]:
    """Add ``result`` to the JSON list in ``path``, replacing an entry with the same label."""
    entries = json.loads(path.read_text(encoding="utf-8"))["runs"] if path.exists() else []
    entries = [entry for entry in entries if entry["label"] != result.label] + [asdict(result)]
    path.parent.mkdir(parents=True, exist_ok=True)
    peers = [{**asdict(peer), "steps_per_second": peer.steps_per_second} for peer in PEERS]
    path.write_text(json.dumps({"runs": entries, "peers": peers}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return entries


def markdown_table(entries: list[dict]) -> str:
    """The measured runs and the peers' figures as one Markdown table, then the runs' notes."""
    lines = [
        "# Training speed",
        "",
        "One training step as `aecodec train` runs it (crops on the device, channels-last, Adam, "
        "gradient clipping), written by `python -m aecodec.tools.dev.bench.training`.",
        "",
        "| run | ms/step | steps/s | Mpixel/s | load avg | date |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for entry in entries:
        lines.append(
            f"| {entry['label']} | {1000 * entry['seconds_per_step']:.1f} | {entry['steps_per_second']:.3f} "
            f"| {entry['megapixels_per_second']:.3f} | {entry['load_average']:.2f} | {entry['date']} |"
        )
    for peer in PEERS:
        label = f"{peer.label}, batch {peer.batch_size} × {peer.crop}²"
        lines.append(
            f"| {label} | {1000 * peer.seconds_per_step:.1f} | {peer.steps_per_second:.3f} "
            f"| {peer.megapixels_per_second:.3f} | | anchors |"
        )
    notes = [f"- {entry['label']}: {entry['note']}" for entry in entries if entry["note"]]
    return "\n".join(lines + (["", "Notes:", *notes] if notes else [])) + "\n"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--device", type=click.Choice(DEVICE_CHOICES), default="auto", show_default=True)
@click.option("--batch-size", default=16, show_default=True, help="Global batch (split across torchrun processes).")
@click.option("--crop", default=256, show_default=True)
@click.option("--channels", type=(int, int), default=(128, 192), show_default=True)
@click.option("--warmup", type=click.IntRange(min=0), default=3, show_default=True, help="Untimed steps first (compilation happens here).")
@click.option("--steps", type=click.IntRange(min=1), default=20, show_default=True, help="Timed steps.")
@click.option("--fp32", is_flag=True, help="Disable bfloat16 autocast.")
@click.option("--compile", "compile_step", is_flag=True, help="torch.compile the step.")
@click.option("--threads", type=click.IntRange(min=0), default=0, show_default=True, help="CPU threads; 0: as in training.")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Crop real photos from here.")
@click.option("--note", default="", help="Stored with the result, e.g. what else ran on the machine.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("results"), show_default=True)
def main(device: str, batch_size: int, crop: int, channels: tuple[int, int], warmup: int, steps: int, fp32: bool,
         compile_step: bool, threads: int, data: Path | None, note: str, out: Path) -> None:
    """Measure training steps/s and pixels/s on this machine and merge them into OUT."""
    setting = BenchmarkSetting(batch_size, crop, channels, not fp32, compile_step, warmup, steps)
    with launch(device, threads) as current:
        sampler = (CropSampler.from_folder(data, crop, current.rank, current.device) if data
                   else CropSampler(synthetic_photos(), crop, current.rank, current.device))
        result = describe_result(setting, measure(setting, sampler, current), current, note)
    if current.is_main:
        entries = merge_results(out / "training_benchmark.json", result)
        (out / "training_benchmark.md").write_text(markdown_table(entries), encoding="utf-8")
        click.echo(f"{result.label}: {1000 * result.seconds_per_step:.1f} ms/step, "
                   f"{result.steps_per_second:.3f} steps/s, {result.megapixels_per_second:.3f} Mpixel/s")


if __name__ == "__main__":
    main()
