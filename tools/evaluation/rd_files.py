"""Writing an evaluation as ``rd.json`` (everything) and ``rd.csv`` (one row per codec × quality × image)."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, fields
from pathlib import Path

from aecodec.tools.evaluation.records import CodecResult, Evaluation, Measurement


def evaluation_document(evaluation: Evaluation) -> dict:
    """The JSON-ready form of ``evaluation``."""
    references = evaluation.references
    return {
        "images": list(evaluation.images),
        "machine": {**evaluation.environment.machine.as_dict(), "libraries": evaluation.environment.libraries},
        "run": {"jobs": evaluation.jobs, "started": evaluation.started, "seconds": round(evaluation.seconds, 3),
                "skipped_codecs": evaluation.skipped,
                "reference_curves": references.source if references else None},
        "codecs": {result.name: _codec_document(result) for result in evaluation.codecs},
        "bd_rate": evaluation.bd_rate,
    }


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
