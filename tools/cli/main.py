"""The ``aecodec`` command line (click). Heavy imports happen inside commands, not at start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aecodec import __version__
from aecodec.codec.devices import DEVICE_CHOICES
from aecodec.codec.encoder.effort import DEFAULT_EFFORT, MAX_EFFORT
from aecodec.codec.geometry import PAD_MULTIPLE
from aecodec.codec.model.config import ModelConfig
from aecodec.codec.quality import DEFAULT_QUALITY, RateScale
from aecodec.tools.cli.failures import GuardedGroup
from aecodec.tools.evaluation.command import evaluate
from aecodec.tools.training.config import TrainConfig

if TYPE_CHECKING:
    from aecodec.codec.encoder.targets import Target
    from aecodec.tools.cli.formats import ImageFormat


def _print_version(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    """``--version``: the package, the ``.aec`` format version it writes and the model releases it reads."""
    if not value or context.resilient_parsing:
        return
    from aecodec.tools.cli import commands

    click.echo(commands.version_text(__version__))
    context.exit()


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version, the file format version and the model releases, and exit.")
def main() -> None:
    """aecodec: a learned image codec with exact decoding on every machine.

    '-' stands for standard input or output; status messages always go to stderr.
    Run 'aecodec COMMAND --help' for each command's options and examples. Errors are one line
    (status 1); an internal error says so (status 70; AECODEC_TRACEBACK=1 shows its traceback).

    \b
    Examples:
      aecodec compress photo.png -q 60 -v           # photo.aec
      aecodec compress photos/ -o coded/ --jobs 2   # a whole folder
      aecodec compress photo.png --target-bpp 0.4
      cat photo.png | aecodec compress - | aecodec decompress - > round-trip.png
      aecodec decompress photo.aec -o photo.webp
      aecodec info photo.aec --json
      aecodec models                                # the model releases this version has
    """


def _device_option(function):
    return click.option(
        "--device", type=click.Choice(DEVICE_CHOICES), default="cpu", show_default=True,
        help="Where the float transforms run; the exact entropy path always runs on the CPU.",
    )(function)


_INPUTS = click.Path(path_type=Path, allow_dash=True)


def _parse_metadata(context: click.Context, parameter: click.Parameter, value: str) -> frozenset[str]:
    from aecodec.codec.images.metadata import parse_selection

    try:
        return parse_selection(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _metadata_option(help_text: str):
    return click.option("--metadata", default="all", show_default=True, metavar="all|none|icc,exif,xmp",
                        callback=_parse_metadata, help=help_text)


def _batch_options(function):
    """--jobs and --force, shared by compress and decompress."""
    function = click.option("-f", "--force", is_flag=True, help="Overwrite outputs that exist.")(function)
    function = click.option(
        "-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
        help="Files coded at once, each in its own process (several inputs or a folder).",
    )(function)
    return function


@main.command()
@click.argument("inputs", metavar="INPUT...", nargs=-1, required=True, type=_INPUTS)
@click.option("-o", "--output", type=_INPUTS,
              help="The .aec file for one INPUT ('-': stdout), or a directory for several or a folder.  "
                   "[default: INPUT with .aec beside it; stdout when INPUT is '-']")
@click.option("-q", "--quality", type=click.FloatRange(0, 100),
              help=f"0-100, continuous; higher is larger and better.  [default: {DEFAULT_QUALITY:g}]")
@click.option("--target-bpp", type=click.FloatRange(min=0, min_open=True), metavar="BPP",
              help="Pick the quality whose file has this many bits per pixel (header included).")
@click.option("--target-size", type=click.IntRange(min=1), metavar="BYTES",
              help="Pick the quality whose file has this many bytes.")
@click.option("--target-psnr", type=click.FloatRange(min=0, min_open=True), metavar="DB",
              help="Pick the quality whose decoded image has this PSNR (8-bit RGB).")
@click.option("-e", "--effort", type=click.IntRange(0, MAX_EFFORT), default=DEFAULT_EFFORT, show_default=True,
              help=f"Encoder effort 0-{MAX_EFFORT}: higher refines the latents for this image, for smaller "
                   "files at the same quality. 0 is one pass; 4 took 33 s for a 768x512 image on 2 CPU "
                   "cores. Decoding is the same at every effort.")
@click.option("-m", "--model", type=click.IntRange(0, 0xFFFF), default=None, metavar="ID",
              help="Model release to write with ('aecodec models' lists them).  [default: the newest]")
@_metadata_option("Metadata to store, like cwebp -metadata: all, none, or some of icc, exif and xmp "
                  "(comma-separated).")
@_device_option
@_batch_options
@click.option("-v", "--verbose", is_flag=True, help="Print bpp, quality, PSNR and time per file (stderr).")
def compress(inputs: tuple[Path, ...], output: Path | None, quality: float | None, target_bpp: float | None,
             target_size: int | None, target_psnr: float | None, effort: int, model: int | None,
             metadata: frozenset[str], device: str, jobs: int, force: bool, verbose: bool) -> None:
    """Compress images to .aec files.

    INPUT is an image file, a folder (searched recursively for images), or '-' for standard input.
    The file size follows -q, or one target: --target-bpp, --target-size or --target-psnr, met
    within 3% by a short search over the quality (or the closest reachable, with a warning).
    Status messages go to stderr, so stdout can carry the file.

    \b
    Examples:
      aecodec compress photo.png                      # writes photo.aec, quality 75
      aecodec compress photo.png -q 40 -o small.aec -v
      aecodec compress photo.png --target-bpp 0.5     # or --target-size 20000, --target-psnr 32
      aecodec compress photo.png -q 60 --effort 4     # slower encode, smaller file
      aecodec compress photo.jpg --metadata icc       # keep the colour profile only
      cat photo.png | aecodec compress - > photo.aec
      aecodec compress photos/ extra.png -o coded/ --jobs 2
    """
    from aecodec.tools.cli import commands, runs

    target = _target(quality, target_bpp, target_size, target_psnr)
    with commands.user_errors():
        commands.check_encoding_model(model)
        settings = commands.CompressSettings(DEFAULT_QUALITY if quality is None else quality, target,
                                             commands.resolve_device(device), force, verbose, effort,
                                             model=model, metadata=metadata)
        runs.compress_inputs(inputs, output, settings, jobs)


def _target(quality: float | None, bpp: float | None, size: int | None, psnr: float | None) -> Target | None:
    """The --target-* option given, if any; at most one of them and -q."""
    given = [name for name, value in (("-q", quality), ("--target-bpp", bpp), ("--target-size", size),
                                      ("--target-psnr", psnr)) if value is not None]
    if len(given) > 1:
        raise click.UsageError(f"{' and '.join(given)} cannot be combined; give a quality or one target")
    from aecodec.codec.encoder.targets import Target

    return Target.from_options(bpp, size, psnr)


def _parse_format(context: click.Context, parameter: click.Parameter, value: str | None) -> ImageFormat | None:
    if value is None:
        return None
    from aecodec.tools.cli.formats import by_name

    try:
        return by_name(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("inputs", metavar="INPUT.aec...", nargs=-1, required=True, type=_INPUTS)
@click.option("-o", "--output", type=_INPUTS,
              help="The image for one INPUT ('-': stdout), or a directory for several or a folder.  "
                   "[default: INPUT with .png (or the --format's extension); stdout when INPUT is '-']")
@click.option("--format", "image_format", metavar="FORMAT", callback=_parse_format,
              help="png, jpeg, webp, tiff, ... (any format Pillow writes).  [default: from the output's "
                   "extension; png for stdout, new names and names without one]")
@_metadata_option("Stored metadata to write into the image: all, none, or some of icc, exif and xmp "
                  "(comma-separated); a kind the format cannot hold is dropped with a warning.")
@_device_option
@_batch_options
@click.option("-v", "--verbose", is_flag=True, help="Print size, bpp and time per file (stderr).")
def decompress(inputs: tuple[Path, ...], output: Path | None, image_format: ImageFormat | None,
               metadata: frozenset[str], device: str, jobs: int, force: bool, verbose: bool) -> None:
    """Decompress .aec files to images.

    INPUT.aec is an .aec file, a folder (searched recursively for .aec files), or '-' for standard
    input. The image format is --format if given, else the output's extension, else PNG.

    \b
    Examples:
      aecodec decompress photo.aec                    # writes photo.png
      aecodec decompress photo.aec -o photo.webp
      aecodec decompress photo.aec -o - --format jpeg > photo.jpg
      cat photo.aec | aecodec decompress - | display
      aecodec decompress coded/ -o images/ --jobs 2
    """
    from aecodec.tools.cli import commands, runs

    with commands.user_errors():
        settings = commands.DecompressSettings(image_format, commands.resolve_device(device), force, verbose,
                                               metadata)
        runs.decompress_inputs(inputs, output, settings, jobs)


@main.command()
@click.argument("input_path", metavar="INPUT.aec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the header as JSON.")
def info(input_path: Path, as_json: bool) -> None:
    """Print the header and sections of an .aec file (no model needed).

    bpp counts the whole file, header included.

    \b
    Examples:
      aecodec info photo.aec
      aecodec info photo.aec --json
    """
    from aecodec.tools.cli import commands

    with commands.user_errors():
        summary = commands.describe_file(input_path)
    click.echo(json.dumps(summary, indent=2) if as_json else commands.format_summary(summary))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the releases as JSON.")
def models(as_json: bool) -> None:
    """List the model releases this aecodec reads and writes, with their Kodak figures.

    Every release stays readable by every later version; the encoder writes with the newest
    unless 'compress --model ID' picks another.

    \b
    Examples:
      aecodec models
      aecodec compress photo.png --model 2
    """
    from aecodec.tools.cli import commands

    releases = commands.list_releases()
    click.echo(json.dumps(releases, indent=2) if as_json else commands.format_releases(releases))


@main.command()
@click.argument("data_dirs", metavar="DATA_DIR...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Checkpoint to write.")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Checkpoint to continue from, or exported weights (.npz, e.g. the shipped ones) to warm-start from.")
@click.option("--steps", type=click.IntRange(min=1), default=None,
              help=f"Total steps to reach, counted across resumes  [default: {TrainConfig.steps}].")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Train for this much wall-clock time instead of --steps: the first steps are timed and "
                   "fix the last step (printed); the learning rate then decays over the whole run.")
@click.option("--batch-size", default=TrainConfig.batch_size, show_default=True,
              help="Global batch, split evenly across torchrun processes.")
@click.option("--crop", default=TrainConfig.crop, show_default=True,
              help="Square crop side in pixels (a multiple of 64); the hyper-latent is crop/64 wide.")
@click.option("--lr", "learning_rate", default=TrainConfig.learning_rate, show_default=True, help="Peak learning rate.")
@click.option("--final-lr", "final_learning_rate", default=TrainConfig.final_learning_rate, show_default=True,
              help="Learning rate at the last step, where the cosine decay ends.")
@click.option("--decay-steps", type=click.IntRange(min=1), default=None,
              help="Cosine-decay the learning rate over the last N steps  [default: the last quarter of the steps since Adam started: 0, or the step of --resume x.npz].")
@click.option("--device", type=click.Choice(DEVICE_CHOICES), default="auto", show_default=True,
              help="Under torchrun, cuda means GPU LOCAL_RANK of each machine.")
@click.option("--fp32", is_flag=True, help="Disable bfloat16 mixed precision (off anyway where the device lacks native bfloat16).")
@click.option("--compile/--no-compile", "compile_step", default=False, show_default=True,
              help="Compile the training step with torch.compile (for GPUs).")
@click.option("--threads", type=click.IntRange(min=0), default=0, show_default=True,
              help="CPU threads per process; 0 keeps OMP_NUM_THREADS or shares the cores among local processes.")
@click.option("--channels", type=(int, int), default=(ModelConfig.n, ModelConfig.m), show_default=True,
              help="Transform and latent widths N M of a new model (a resumed run keeps its own).")
@click.option("--latent-channels", type=click.IntRange(min=1), default=None, metavar="M",
              help="Widen a warm start's latent to M channels; it starts computing what it did (new channels silent).")
@click.option("--checkpoint-every", type=click.IntRange(min=1), default=TrainConfig.checkpoint_every, show_default=True,
              help="Steps between checkpoints (the last step always writes one).")
@click.option("--levels", type=click.IntRange(min=2), default=None,
              help=f"Gain levels of the quality scale of a new model or a warm start  [default: the "
                   f"weights' own; {RateScale.levels} for a new model].")
@click.option("--lambda-range", type=(click.FloatRange(min=0, min_open=True),) * 2, default=None, metavar="MIN MAX",
              help=f"λ at quality 0 and 100 (loss λ·255²·MSE + bpp) of a new model or a warm start  "
                   f"[default: the weights' own; {RateScale.lambda_min:g} {RateScale.lambda_max:g} for a new model].")
def train(data_dirs: tuple[Path, ...], out: Path, resume: Path | None, steps: int | None, minutes: float | None,
          batch_size: int, crop: int, learning_rate: float, final_learning_rate: float, decay_steps: int | None,
          device: str, fp32: bool, compile_step: bool, threads: int, channels: tuple[int, int], checkpoint_every: int,
          levels: int | None, lambda_range: tuple[float, float] | None, latent_channels: int | None) -> None:
    """Train the model on the photos in each DATA_DIR, writing resumable checkpoints to --out.

    Every photo of every folder is drawn from alike. A warm start from exported weights (--resume
    x.npz) with --levels or --lambda-range moves the gains onto the new quality scale.

    Runs as one process, or as each of several under torchrun (DistributedDataParallel):

    \b
    torchrun --standalone --nproc_per_node 2 -m aecodec.tools.cli train DATA_DIR --out run.ckpt
    """
    from aecodec.tools.training.launch import launch
    from aecodec.tools.training.train import train as run_training

    if crop % PAD_MULTIPLE:
        raise click.BadParameter(f"must be a multiple of {PAD_MULTIPLE}", param_hint="--crop")
    if steps is not None and minutes is not None:
        raise click.BadParameter("give --steps or --minutes, not both", param_hint="--minutes")
    if steps is None and minutes is None:
        steps = TrainConfig.steps
    if final_learning_rate > learning_rate:
        raise click.BadParameter("must not exceed --lr", param_hint="--final-lr")
    try:
        rate = _rate_scale(resume, levels, lambda_range)
        config = TrainConfig(steps=steps, minutes=minutes, batch_size=batch_size, crop=crop,
                             learning_rate=learning_rate, final_learning_rate=final_learning_rate,
                             decay_steps=decay_steps, checkpoint_every=checkpoint_every, mixed_precision=not fp32,
                             compile=compile_step, model=ModelConfig(*channels), rate=rate,
                             latent_channels=latent_channels)
        with launch(device, threads) as current:
            run_training(data_dirs, out, resume, config, current)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@click.argument("checkpoint", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Weights file (.npz) to write.")
@click.option("-f", "--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def export(checkpoint: Path, output: Path, force: bool) -> None:
    """Freeze a training checkpoint into inference weights with integer tables (the update step).

    Also writes OUTPUT's SHA-256 beside it (NAME.sha256). A released model's weights file is never
    written over: new weights are a candidate, and become a new release (docs/releases.md).

    \b
    Example:
      aecodec export runs/main.ckpt -o runs/candidate.npz
    """
    from aecodec.tools.cli import commands

    with commands.user_errors():
        commands.export_checkpoint(checkpoint, output, force)
    click.echo(f"wrote {output} and {output.with_suffix('.sha256').name}")


@main.command("export-onnx")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for g_a.onnx, h_a.onnx, g_s.onnx and gains.json (created if missing).")
@click.option("-m", "--model", type=click.IntRange(0, 0xFFFF), default=None, metavar="ID",
              help="Model release to export.  [default: the newest]")
def export_onnx(output: Path, model: int | None) -> None:
    """Write a release's float transforms as ONNX files, to deploy with any ONNX runtime (no torch).

    \b
    Example:
      aecodec export-onnx -o onnx/
    """
    from aecodec.codec.engines.onnx_export import export_onnx as write
    from aecodec.codec.weights.registry import encoding_release, load_encoder
    from aecodec.tools.cli import commands

    with commands.user_errors():
        files = write(load_encoder(encoding_release(model).model_id), output)
    click.echo("wrote " + ", ".join(str(path) for path in files.paths))


def _rate_scale(resume: Path | None, levels: int | None, lambda_range: tuple[float, float] | None) -> RateScale | None:
    """The quality scale asked for by --levels and --lambda-range (the rest from the warm start's
    weights, or a new model's defaults); None when neither is given."""
    if levels is None and lambda_range is None:
        return None
    base = RateScale()
    if resume is not None and resume.suffix == ".npz":
        from aecodec.codec.weights.file import rate_scale_from, read_weights

        base = rate_scale_from(read_weights(resume).arrays)
    low, high = lambda_range or (base.lambda_min, base.lambda_max)
    return RateScale(levels or base.levels, low, high)


main.add_command(evaluate, "eval")

