"""The ``aecodec eval`` command (a click command object; the CLI registers it as ``eval``).

Module level imports only click and light standard-library code (numpy, torch, matplotlib and the
codec plugins load when a run needs them), so that ``aecodec --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from aecodec.codec.encoder.effort import MAX_EFFORT
from aecodec.tools.evaluation.codecs.base import CANDIDATE_CODEC, CANDIDATE_WEIGHTS_VARIABLE
from aecodec.tools.evaluation.codecs.registry import CODEC_NAMES, DEFAULT_CODECS
from aecodec.tools.evaluation.crops import CROP_SIDE
from aecodec.tools.evaluation.images import find_images
from aecodec.tools.evaluation.pipeline import evaluate as run_evaluation
from aecodec.tools.evaluation.pipeline import from_recorded, select_codecs, write_outputs
from aecodec.tools.evaluation.records import Evaluation, ReferenceSet
from aecodec.tools.evaluation.runner import MeasurementError
from aecodec.tools.evaluation.viewer import ViewerPlan


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("images", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--codec", "codec_names", multiple=True, metavar="NAME",
              help=f"Codec to evaluate, repeatable (default: {', '.join(DEFAULT_CODECS)}; also aecodec-e1 to "
                   f"aecodec-e{MAX_EFFORT}, aecodec at a higher encoder effort).")
@click.option("--quality", "qualities", multiple=True, type=float, metavar="Q",
              help="Quality to measure, repeatable (default: each codec's own list).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("rd-eval"),
              show_default=True, help="Folder for rd.json, rd.csv, the plots, report.md and report.html.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes.")
@click.option("--reference-curves", metavar="FILE|kodak", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file of published curves to plot and compare against; 'kodak': the published "
                   "Kodak curves that ship with aecodec (VTM, BPG, CompressAI's models, ELIC).")
@click.option("--dataset-name", metavar="NAME",
              help="Name of the image set in titles (default: Kodak for the 24 Kodak images, else the folder's name).")
@click.option("--save-decoded", is_flag=True,
              help="Keep every decoded image as OUT/decoded/CODEC/IMAGE_qQUALITY.png (and the viewer's files "
                   "under OUT/decoded/matched/).")
@click.option("--viewer-image", "viewer_images", multiple=True, metavar="NAME",
              help="Image (file name or stem) to show in the report's side-by-side viewer, repeatable "
                   "(default: the first image).")
@click.option("--viewer-bpp", "viewer_rates", multiple=True, type=click.FloatRange(min=0, min_open=True),
              metavar="BPP", help="Target rate of the viewer, repeatable (default: three rates across the "
                                  "range every codec covers).")
@click.option("--viewer-codec", "viewer_codecs", multiple=True, metavar="NAME",
              help="Codec shown in the viewer, repeatable (default: every evaluated codec).")
@click.option("--crop", type=click.IntRange(min=16), default=CROP_SIDE, show_default=True,
              help="Side of the viewer's square crop in pixels (the image's most detailed square).")
@click.option("--measurements", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="RD_JSON",
              help="Take the measurements of IMAGES from an earlier run's rd.json instead of measuring again: "
                   "plots, tables, BD-rates and warnings are made anew, the viewer codes its files now.")
@click.option("--candidate", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="WEIGHTS",
              help=f"Also measure weights that are not a release (a .npz from 'aecodec export') as "
                   f"{CANDIDATE_CODEC}, at effort 0, beside the others in the same run.")
def evaluate(images: tuple[Path, ...], codec_names: tuple[str, ...], qualities: tuple[float, ...], out: Path,
             jobs: int, reference_curves: Path | None, dataset_name: str | None, save_decoded: bool,
             viewer_images: tuple[str, ...], viewer_rates: tuple[float, ...], viewer_codecs: tuple[str, ...],
             crop: int, measurements: Path | None, candidate: Path | None) -> None:
    """Measure rate (bpp), PSNR, MS-SSIM and speed of codecs on IMAGES (files or folders)."""
    paths = find_images(images)
    if not paths:
        raise click.ClickException(f"no images found in {', '.join(map(str, images))}")
    references = _references(reference_curves)
    recorded = _recorded(measurements, paths, codec_names or qualities or save_decoded)
    names = tuple(r.name for r in recorded.codecs) if recorded else _with_candidate(_check_names(codec_names), candidate)
    shown = _check_viewer_codecs(viewer_codecs, names) or names
    codecs, skipped = select_codecs(shown if recorded else names)
    for name, reason in skipped.items():
        click.echo(f"skipping {name}: {reason}", err=True)
    if not codecs:
        raise click.ClickException("none of the requested codecs is available")
    decoded_dir = out / "decoded" if save_decoded else None
    plan = ViewerPlan(_viewer_paths(paths, viewer_images), viewer_rates,
                      tuple(name for name in shown if name in codecs), crop, decoded_dir)
    try:
        evaluation = (from_recorded(recorded, measurements, codecs, jobs, references, dataset_name, plan)
                      if recorded and measurements
                      else run_evaluation(paths, codecs, skipped, qualities, jobs, references, dataset_name, plan,
                                          decoded_dir))
    except MeasurementError as error:
        raise click.ClickException(str(error)) from None
    for caveat in evaluation.caveats:
        click.echo(f"warning: {caveat.message.replace('`', '')}", err=True)
    written = write_outputs(evaluation, out)
    click.echo(f"wrote {', '.join(str(path) for path in written)}")


def _with_candidate(names: tuple[str, ...], candidate: Path | None) -> tuple[str, ...]:
    """``names`` and, with ``--candidate``, the candidate codec, whose weights the worker processes
    find in the environment."""
    if candidate is None:
        return names
    os.environ[CANDIDATE_WEIGHTS_VARIABLE] = str(candidate.resolve())
    return names if CANDIDATE_CODEC in names else (*names, CANDIDATE_CODEC)


def _check_names(names: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [name for name in names if name not in CODEC_NAMES]
    if unknown:
        raise click.ClickException(f"unknown codec {unknown[0]!r} (known: {', '.join(CODEC_NAMES)})")
    return names or DEFAULT_CODECS


def _recorded(path: Path | None, paths: list[Path], measuring: object) -> Evaluation | None:
    """The earlier run in ``path`` (``None`` without one); its images must be ``paths``."""
    if path is None:
        return None
    if measuring:
        raise click.ClickException("--measurements takes the codecs and qualities of the earlier run "
                                   "(no --codec, --quality or --save-decoded)")
    from aecodec.tools.evaluation.report.rd_files import RecordedRunError, read_recorded_run

    try:
        recorded = read_recorded_run(path)
    except RecordedRunError as error:
        raise click.ClickException(str(error)) from None
    if list(recorded.images) != [str(p) for p in paths]:
        raise click.ClickException(f"{path} measured other images than IMAGES ({len(recorded.images)} recorded)")
    return recorded


def _check_viewer_codecs(names: tuple[str, ...], evaluated: tuple[str, ...]) -> tuple[str, ...]:
    missing = [name for name in names if name not in evaluated]
    if missing:
        raise click.ClickException(f"viewer codec {missing[0]!r} is not evaluated (add --codec {missing[0]})")
    return names


def _viewer_paths(paths: list[Path], wanted: tuple[str, ...]) -> tuple[Path, ...]:
    if not wanted:
        return tuple(paths[:1])
    chosen = []
    for name in wanted:
        match = next((path for path in paths if name in (path.name, path.stem)), None)
        if match is None:
            raise click.ClickException(f"viewer image {name!r} is not among the evaluated images")
        chosen.append(match)
    return tuple(chosen)


def _references(path: Path | None) -> ReferenceSet | None:
    if path is None:
        return None
    from aecodec.tools.evaluation.anchors import ReferenceFileError, load_reference_curves, shipped_curves

    try:
        return load_reference_curves(shipped_curves(path))
    except ReferenceFileError as error:
        raise click.ClickException(str(error)) from None
