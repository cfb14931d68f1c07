"""Writing an evaluation as ``rd.json`` (everything) and ``rd.csv`` (one row per codec × quality × image),
and reading an earlier run's measurements back from ``rd.json``."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, fields
from pathlib import Path

from aecodec.tools.evaluation.records import CodecResult, Environment, Evaluation, Measurement, RDPoint
from aecodec.tools.evaluation.viewer_records import ViewerImage


def evaluation_document(evaluation: Evaluation) -> dict:
    """The JSON-ready form of ``evaluation``."""
    references = evaluation.references
    return {
        "dataset": evaluation.dataset,
        "images": list(evaluation.images),
        "machine": {**evaluation.environment.machine.as_dict(), "libraries": evaluation.environment.libraries},
        "run": {"jobs": evaluation.jobs, "started": evaluation.started, "seconds": round(evaluation.seconds, 3),
                "skipped_codecs": evaluation.skipped,
                "reference_curves": references.source if references else None,
                "measurements_from": evaluation.recorded},
        "codecs": {result.name: _codec_document(result) for result in evaluation.codecs},
        "bd_rate": evaluation.bd_rate,
        "warnings": [asdict(caveat) for caveat in evaluation.caveats],
        "viewer": [_viewer_document(image) for image in evaluation.viewer],
    }


def _viewer_document(image: ViewerImage) -> dict:
    """The viewer's numbers for one image (the crops themselves are in ``report.html``)."""
    return {"image": image.image, "width": image.width, "height": image.height, "crop": asdict(image.box),
            "rates": [{"target_bpp": rate.target_bpp, "budget_bytes": rate.budget,
                       "files": [{key: value for key, value in asdict(panel).items() if key != "crop_webp"}
                                 for panel in rate.panels]}
                      for rate in image.rates]}


def _codec_document(result: CodecResult) -> dict:
    return {"description": result.description,
            "points": [asdict(point) for point in result.points],
            "per_image": [asdict(measurement) for measurement in result.per_image]}


def write_json(evaluation: Evaluation, path: Path) -> None:
    """Write ``rd.json``."""
    text = json.dumps(evaluation_document(evaluation), indent=1, allow_nan=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


def write_csv(evaluation: Evaluation, path: Path) -> None:
    """Write ``rd.csv``: the fields of :class:`Measurement` as columns, an empty cell for a missing MS-SSIM."""
    columns = [field.name for field in fields(Measurement)]
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for result in evaluation.codecs:
            writer.writerows(asdict(measurement) for measurement in result.per_image)


class RecordedRunError(ValueError):
    """An ``rd.json`` that cannot be read back as a run."""


def read_recorded_run(path: Path) -> Evaluation:
    """The measurements, machine and run facts of an earlier ``rd.json`` as an :class:`Evaluation`
    (BD-rates, caveats and viewer empty: the caller computes them again)."""
    from aecodec.tools.evaluation.machine import MachineInfo

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        machine = dict(document["machine"])
        libraries = machine.pop("libraries")
        results = tuple(CodecResult(name, entry["description"], tuple(RDPoint(**point) for point in entry["points"]),
                                    tuple(Measurement(**measurement) for measurement in entry["per_image"]))
                        for name, entry in document["codecs"].items())
        run = document["run"]
        return Evaluation(tuple(document["images"]), Environment(MachineInfo(**machine), libraries), run["jobs"],
                          run["started"], run["seconds"], results, dict(run["skipped_codecs"]), None, {})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RecordedRunError(f"cannot read the measurements in {path}: {error}") from None
