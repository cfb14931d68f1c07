"""One evaluation from start to end: pick codecs, measure, summarise, compute BD-rates and caveats,
build the viewer, write outputs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from aecodec.tools.evaluation.codecs.base import Codec, CodecUnavailable
from aecodec.tools.evaluation.codecs.registry import make_codec
from aecodec.tools.evaluation.records import Evaluation, ReferenceSet
from aecodec.tools.evaluation.runner import Task, run_tasks
from aecodec.tools.evaluation.viewer import ViewerPlan, build_viewer
from aecodec.tools.evaluation.viewer_records import ViewerImage

PLOT_STEM = "rd"
PER_IMAGE_PLOT = "rd_per_image.png"


def select_codecs(names: Sequence[str]) -> tuple[dict[str, Codec], dict[str, str]]:
    """The codecs that could be made, by name, and the reason each other one was skipped."""
    available: dict[str, Codec] = {}
    skipped: dict[str, str] = {}
    for name in dict.fromkeys(names):
        try:
            available[name] = make_codec(name)
        except CodecUnavailable as reason:
            skipped[name] = str(reason)
    return available, skipped


def plan_tasks(codecs: dict[str, Codec], qualities: Sequence[float], images: Sequence[Path],
               decoded_dir: Path | None = None) -> list[Task]:
    """Every codec × quality × image; each codec's default qualities when ``qualities`` is empty.
    With ``decoded_dir`` each decoded image is kept as ``decoded_dir/CODEC/STEM_qQUALITY.png``."""
    return [Task(name, float(quality), image,
                 decoded_dir / name / f"{image.stem}_q{float(quality):g}.png" if decoded_dir else None)
            for name, codec in codecs.items()
            for quality in (qualities or codec.default_qualities)
            for image in images]


def evaluate(images: Sequence[Path], codecs: dict[str, Codec], skipped: dict[str, str],
             qualities: Sequence[float], jobs: int, references: ReferenceSet | None,
             dataset: str | None = None, viewer: ViewerPlan | None = None,
             decoded_dir: Path | None = None) -> Evaluation:
    """Measure everything and gather the results: BD-rates, caveats and (with ``viewer``) the viewer's crops.
    ``dataset`` names the image set (default: :func:`~aecodec.tools.evaluation.image_sets.dataset_name`)."""
    from aecodec.tools.evaluation.machine import describe_environment
    from aecodec.tools.evaluation.summary import codec_result

    started, clock = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    measurements = run_tasks(plan_tasks(codecs, qualities, images, decoded_dir), codecs, jobs)
    results = tuple(codec_result(name, codec.description, measurements) for name, codec in codecs.items())
    measured = Evaluation(tuple(str(image) for image in images), describe_environment(), jobs, started, 0.0,
                          results, dict(skipped), None, {})
    crops = build_viewer(viewer, results, codecs, jobs) if viewer and viewer.images else ()
    return replace(complete(measured, references, dataset, crops), seconds=time.perf_counter() - clock)


def from_recorded(recorded: Evaluation, source: Path, codecs: dict[str, Codec], jobs: int,
                  references: ReferenceSet | None, dataset: str | None = None,
                  viewer: ViewerPlan | None = None) -> Evaluation:
    """An earlier run's measurements (``recorded``, read from ``source``) completed as :func:`evaluate`
    completes fresh ones; ``codecs`` are made only for the viewer."""
    made = datetime.now(timezone.utc).isoformat(timespec="seconds")
    crops = build_viewer(viewer, recorded.codecs, codecs, jobs) if viewer and viewer.images else ()
    return replace(complete(recorded, references, dataset, crops), recorded=f"{source}, report made {made}")


def complete(evaluation: Evaluation, references: ReferenceSet | None, dataset: str | None,
             crops: tuple[ViewerImage, ...]) -> Evaluation:
    """``evaluation`` with the reference curves, BD-rates, data-set name, caveats and viewer filled in."""
    from aecodec.tools.evaluation.bd import bd_rate_table
    from aecodec.tools.evaluation.caveats import curve_caveats, reference_caveats
    from aecodec.tools.evaluation.image_sets import dataset_name

    measured = [result.curve() for result in evaluation.codecs]
    published = list(references.curves) if references else []
    name = dataset or dataset_name(evaluation.images)
    caveats = reference_caveats(references, evaluation.images, name) + curve_caveats(measured, published)
    return replace(evaluation, references=references, bd_rate=bd_rate_table(measured + published), dataset=name,
                   caveats=tuple(caveats), viewer=crops)


def write_outputs(evaluation: Evaluation, out: Path) -> list[Path]:
    """Write ``rd.json``, ``rd.csv``, the plots (PNG and SVG), one viewer sheet per viewed image,
    ``report.md`` and ``report.html`` into ``out``; returns their paths."""
    from aecodec.tools.evaluation.per_image import image_curves
    from aecodec.tools.evaluation.report.html import write_html_report
    from aecodec.tools.evaluation.report.markdown import write_report
    from aecodec.tools.evaluation.report.plots import plot_per_image, plot_rd
    from aecodec.tools.evaluation.report.rd_files import write_csv, write_json
    from aecodec.tools.evaluation.report.viewer_sheet import write_sheet

    out.mkdir(parents=True, exist_ok=True)
    write_json(evaluation, out / "rd.json")
    write_csv(evaluation, out / "rd.csv")
    heading = f"{evaluation.dataset}, {len(evaluation.images)} image(s)"
    published = list(evaluation.references.curves) if evaluation.references else []
    plots = plot_rd([result.curve() for result in evaluation.codecs], published, out / PLOT_STEM,
                    f"{heading}: rate–distortion, whole-file bpp")
    curves = {Path(image).stem: found for image, found in image_curves(evaluation.codecs).items()}
    plot_per_image(curves, out / PER_IMAGE_PLOT, f"{heading}: RGB PSNR per image")
    sheets = [out / f"viewer_{Path(image.image).stem}.webp" for image in evaluation.viewer]
    for image, sheet in zip(evaluation.viewer, sheets, strict=True):
        write_sheet(image, sheet)
    write_report(evaluation, out / "report.md", [plots[0].name, PER_IMAGE_PLOT, *(sheet.name for sheet in sheets)])
    write_html_report(evaluation, out / "report.html", plots[1], out / PER_IMAGE_PLOT)
    return [out / "rd.json", out / "rd.csv", *plots, out / PER_IMAGE_PLOT, *sheets, out / "report.md",
            out / "report.html"]
