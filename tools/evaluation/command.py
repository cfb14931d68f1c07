"""The ``aecodec eval`` command (a click command object; the CLI registers it as ``eval``).

Module level imports only click and light standard-library code (numpy, torch, matplotlib and the
codec plugins load when a run needs them), so that ``aecodec --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

import click
from aecodec.codec.effort_levels import MAX_EFFORT
from aecodec.tools.evaluation.codecs import CODEC_NAMES, DEFAULT_CODECS
from aecodec.tools.evaluation.images import find_images
from aecodec.tools.evaluation.pipeline import evaluate as run_evaluation
from aecodec.tools.evaluation.pipeline import select_codecs, write_outputs
from aecodec.tools.evaluation.records import ReferenceSet
from aecodec.tools.evaluation.runner import MeasurementError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("images", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--codec", "codec_names", multiple=True, metavar="NAME",
              help=f"Codec to evaluate, repeatable (default: {', '.join(DEFAULT_CODECS)}; also aecodec-e1 to "
                   f"aecodec-e{MAX_EFFORT}, aecodec at a higher encoder effort).")
@click.option("--quality", "qualities", multiple=True, type=float, metavar="Q",
              help="Quality to measure, repeatable (default: each codec's own list).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("rd-eval"),
              show_default=True, help="Folder for rd.json, rd.csv, the plots and report.md.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes.")
@click.option("--reference-curves", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON file of published curves to plot and compare against (e.g. kodak_published.json).")
def evaluate(images: tuple[Path, ...], codec_names: tuple[str, ...], qualities: tuple[float, ...], out: Path,
             jobs: int, reference_curves: Path | None) -> None:
    """Measure rate (bpp), PSNR, MS-SSIM and speed of codecs on IMAGES (files or folders)."""
    paths = find_images(images)
    if not paths:
        raise click.ClickException(f"no images found in {', '.join(map(str, images))}")
    references = _references(reference_curves)
    codecs, skipped = select_codecs(_check_names(codec_names))
    for name, reason in skipped.items():
        click.echo(f"skipping {name}: {reason}", err=True)
    if not codecs:
        raise click.ClickException("none of the requested codecs is available")
    try:
        evaluation = run_evaluation(paths, codecs, skipped, qualities, jobs, references)
    except MeasurementError as error:
        raise click.ClickException(str(error)) from None
    written = write_outputs(evaluation, out)
    click.echo(f"wrote {', '.join(str(path) for path in written)}")


def _check_names(names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in CODEC_NAMES]
    if unknown:
        raise click.ClickException(f"unknown codec {unknown[0]!r} (known: {', '.join(CODEC_NAMES)})")
    return names or DEFAULT_CODECS


def _references(path: Path | None) -> ReferenceSet | None:
    if path is None:
        return None
    from aecodec.tools.evaluation.anchors import ReferenceFileError, load_reference_curves

    try:
        return load_reference_curves(path)
    except ReferenceFileError as error:
        raise click.ClickException(str(error)) from None
