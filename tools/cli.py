"""The ``aecodec`` command line (click). Heavy imports happen inside commands, not at start-up."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from aecodec import __version__

DEFAULT_QUALITY = 75.0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aecodec")
def main() -> None:
    """aecodec: a learned image codec with exact decoding on every machine."""


def _device_option(function):
    return click.option(
        "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="cpu", show_default=True,
        help="Where the float transforms run; the exact entropy path always runs on the CPU.",
    )(function)


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: INPUT with .aec.")
@click.option("-q", "--quality", type=click.FloatRange(0, 100), default=DEFAULT_QUALITY, show_default=True,
              help="0-100, higher is larger and better.")
@_device_option
@click.option("-f", "--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("-v", "--verbose", is_flag=True, help="Print bpp, PSNR and times.")
def compress(input_path: Path, output: Path | None, quality: float, device: str, force: bool, verbose: bool) -> None:
    """Compress an image file to .aec."""
    from aecodec.tools import commands

    with commands.user_errors():
        report = commands.compress_file(input_path, output or input_path.with_suffix(".aec"), quality,
                                        commands.resolve_device(device), force, verbose)
    if verbose:
        click.echo(report, err=True)


@main.command()
@click.argument("input_path", metavar="INPUT.aec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Default: INPUT with .png; the extension picks the format.")
@_device_option
@click.option("-f", "--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("-v", "--verbose", is_flag=True, help="Print size and time.")
def decompress(input_path: Path, output: Path | None, device: str, force: bool, verbose: bool) -> None:
    """Decompress an .aec file to an image (PNG unless OUTPUT says otherwise)."""
    from aecodec.tools import commands

    with commands.user_errors():
        report = commands.decompress_file(input_path, output or input_path.with_suffix(".png"),
                                          commands.resolve_device(device), force)
    if verbose:
        click.echo(report, err=True)


@main.command()
@click.argument("input_path", metavar="INPUT.aec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the header as JSON.")
def info(input_path: Path, as_json: bool) -> None:
    """Print the header and sections of an .aec file (no model needed)."""
    from aecodec.tools import commands

    with commands.user_errors():
        summary = commands.describe_file(input_path)
    click.echo(json.dumps(summary, indent=2) if as_json else commands.format_summary(summary))


@main.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Checkpoint to write.")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Checkpoint to continue from.")
@click.option("--steps", default=40000, show_default=True, help="Total steps to reach, counted across resumes.")
@click.option("--batch-size", default=8, show_default=True)
@click.option("--crop", default=128, show_default=True, help="Square crop side in pixels (a multiple of 64).")
@click.option("--lr", "learning_rate", default=3e-4, show_default=True, help="Peak learning rate.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--fp32", is_flag=True, help="Disable bfloat16 mixed precision.")
@click.option("--channels", type=(int, int), default=(128, 192), show_default=True,
              help="Transform and latent widths N M of a new model (a resumed run keeps its own).")
def train(data_dir: Path, out: Path, resume: Path | None, steps: int, batch_size: int, crop: int,
          learning_rate: float, device: str, fp32: bool, channels: tuple[int, int]) -> None:
    """Train the model on the photos in DATA_DIR, writing resumable checkpoints to --out."""
    from aecodec.codec.model import ModelConfig
    from aecodec.tools.train import TrainConfig, pick_device, train as run_training

    if crop % 64:
        raise click.BadParameter("must be a multiple of 64", param_hint="--crop")
    config = TrainConfig(steps=steps, batch_size=batch_size, crop=crop, learning_rate=learning_rate,
                         mixed_precision=not fp32, model=ModelConfig(*channels))
    try:
        run_training(data_dir, out, resume, config, pick_device(device))
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file (.npz) to write.")
@click.option("-f", "--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def export(checkpoint: Path, output: Path, force: bool) -> None:
    """Freeze a training checkpoint into inference weights with integer tables (the update step)."""
    from aecodec.tools import commands

    with commands.user_errors():
        commands.export_checkpoint(checkpoint, output, force)
    click.echo(f"wrote {output}")
