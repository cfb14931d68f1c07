"""One evaluation from start to end: pick codecs, measure, summarise, compute BD-rates, write outputs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from aecodec.tools.evaluation.codecs import Codec, CodecUnavailable, make_codec
from aecodec.tools.evaluation.records import Evaluation, ReferenceSet
from aecodec.tools.evaluation.runner import Task, run_tasks

OUTPUT_FILES = ("rd.json", "rd.csv", "rd_psnr.png", "rd_msssim.png", "report.md")


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


def plan_tasks(codecs: dict[str, Codec], qualities: Sequence[float], images: Sequence[Path]) -> list[Task]:
    """Every codec × quality × image; each codec's default qualities when ``qualities`` is empty."""
    return [Task(name, float(quality), image)
            for name, codec in codecs.items()
            for quality in (qualities or codec.default_qualities)
            for image in images]


def evaluate(images: Sequence[Path], codecs: dict[str, Codec], skipped: dict[str, str],
             qualities: Sequence[float], jobs: int, references: ReferenceSet | None) -> Evaluation:
    """Measure everything and gather the results, BD-rates included."""
    from aecodec.tools.evaluation.bd import bd_rate_table
    from aecodec.tools.evaluation.machine import describe_environment
    from aecodec.tools.evaluation.summary import codec_result

    started, clock = datetime.now(timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    measurements = run_tasks(plan_tasks(codecs, qualities, images), codecs, jobs)
    results = tuple(codec_result(name, codec.description, measurements) for name, codec in codecs.items())
    measured = [result.curve() for result in results]
    published = list(references.curves) if references else []
    return Evaluation(tuple(str(image) for image in images), describe_environment(), jobs, started,
                      time.perf_counter() - clock, results, dict(skipped), references,
                      bd_rate_table(measured + published))


def write_outputs(evaluation: Evaluation, out: Path) -> list[Path]:
    """Write ``rd.json``, ``rd.csv``, both plots and ``report.md`` into ``out``; returns their paths."""
    from aecodec.tools.evaluation.plots import plot_rd
    from aecodec.tools.evaluation.rd_files import write_csv, write_json
    from aecodec.tools.evaluation.report import write_report

    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in OUTPUT_FILES]
    write_json(evaluation, paths[0])
    write_csv(evaluation, paths[1])
    measured = [result.curve() for result in evaluation.codecs]
    published = list(evaluation.references.curves) if evaluation.references else []
    title = f"{len(evaluation.images)} image(s)"
    plot_rd(measured, published, "psnr", paths[2], f"Rate vs PSNR, {title}")
    plot_rd(measured, published, "ms_ssim", paths[3], f"Rate vs MS-SSIM, {title}")
    write_report(evaluation, paths[4], [paths[2].name, paths[3].name])
    return paths
