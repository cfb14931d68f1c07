"""The Markdown report of an evaluation: warnings, what ran where, BD-rates, gaps, per-image
BD-rates, points, times, plots, sanity check (content from :mod:`~aecodec.tools.evaluation.report.tables`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from aecodec.tools.evaluation.records import Evaluation
from aecodec.tools.evaluation.report import tables


def write_report(evaluation: Evaluation, path: Path, plots: Sequence[str]) -> None:
    """Write ``report.md``; ``plots`` are the image file names beside it."""
    per_image = tables.per_image_table(evaluation)
    sections = [f"# Rate–distortion report: {evaluation.dataset}, {len(evaluation.images)} image(s)",
                *_warnings(evaluation), _bullets("What was run", tables.run_lines(evaluation)),
                _bullets("Machine", tables.machine_lines(evaluation)), *map(_table, tables.bd_tables(evaluation)),
                *map(_table, tables.gap_tables(evaluation)), *map(_table, tables.component_tables(evaluation)),
                *([_table(per_image)] if per_image else []),
                "## Rate–distortion points (means over the images)",
                *(_table(table, level=3) for table in tables.point_tables(evaluation)), _table(tables.times_table(evaluation)),
                "\n\n".join(["## Plots", *(f"![{name}]({name})" for name in plots)]),
                _bullets("Sanity check", tables.sanity_lines(evaluation), tables.SANITY_INTRO), _bullets("Notes", tables.NOTES)]
    Path(path).write_text("\n\n".join(sections) + "\n", encoding="utf-8")


def _warnings(evaluation: Evaluation) -> list[str]:
    if not evaluation.caveats:
        return []
    return [_bullets("Warnings", [f"**{c.kind}**: {c.message}" for c in evaluation.caveats])]


def _bullets(title: str, lines: Iterable[str], intro: str = "") -> str:
    return "\n".join([f"## {title}", *([intro] if intro else []), *(f"- {line}" for line in lines)])


def _table(table: tables.Table, level: int = 2) -> str:
    lines = ["| " + " | ".join(table.head) + " |", "|" + "---|" * len(table.head)]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    parts = [f"{'#' * level} {table.title}", *([table.intro] if table.intro else []), "\n".join(lines)]
    return "\n\n".join(parts)
