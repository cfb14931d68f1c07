"""``report.html``: one self-contained page (inline SVG plot, inline images, style and script) with
the warnings, the plots, the BD-rate, gap and per-image tables, the side-by-side viewer, points,
times and the machine. It loads nothing from the network or from other files."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from pathlib import Path

from aecodec.tools.evaluation.records import Evaluation
from aecodec.tools.evaluation.report import tables
from aecodec.tools.evaluation.report.html_assets import SCRIPT, STYLE
from aecodec.tools.evaluation.report.html_viewer import data_uri, viewer_html


def write_html_report(evaluation: Evaluation, path: Path, plot_svg: Path, per_image_png: Path | None) -> None:
    """Write ``report.html`` with the plot ``plot_svg`` inlined and ``per_image_png`` embedded."""
    title = f"Rate–distortion report: {evaluation.dataset}, {len(evaluation.images)} image(s)"
    per_image = tables.per_image_table(evaluation)
    body = [f"<h1>{escape(title)}</h1>", _contents(evaluation), _warnings(evaluation),
            '<h2 id="plots">Rate–distortion curves</h2>', _svg_figure(plot_svg),
            '<div id="bd-rates"></div>', *(_table(table) for table in tables.bd_tables(evaluation)),
            *(_table(table) for table in tables.gap_tables(evaluation)),
            *(_table(table) for table in tables.component_tables(evaluation)),
            _viewer(evaluation), _per_image(per_image, per_image_png),
            "<h2>Rate–distortion points (means over the images)</h2>",
            *(_table(table, "h3") for table in tables.point_tables(evaluation)), _table(tables.times_table(evaluation)),
            _list("What was run", tables.run_lines(evaluation)), _list("Machine", tables.machine_lines(evaluation)),
            _list("Sanity check", tables.sanity_lines(evaluation), tables.SANITY_INTRO), _list("Notes", tables.NOTES)]
    page = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{''.join(body)}<script>{SCRIPT}</script></body></html>\n")
    Path(path).write_text(page, encoding="utf-8")


def inline(text: str) -> str:
    """Escape ``text`` and turn its `backtick` spans into ``<code>``."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text, quote=False))


def _contents(evaluation: Evaluation) -> str:
    """Links to the page's parts."""
    parts = [("plots", "curves"), ("bd-rates", "BD-rates"), ("viewer", "side by side"), ("per-image", "per image")]
    if evaluation.caveats:
        parts.insert(0, ("warnings", "warnings"))
    if not evaluation.viewer:
        parts.remove(("viewer", "side by side"))
    return "<p>" + " · ".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in parts) + "</p>"


def _warnings(evaluation: Evaluation) -> str:
    if not evaluation.caveats:
        return ""
    items = "".join(f"<li><b>{escape(c.kind)}</b>: {inline(c.message)}</li>" for c in evaluation.caveats)
    return f'<div class="warnings" id="warnings"><h2>Warnings</h2><ul>{items}</ul></div>'


def _svg_figure(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    return f'<figure class="plot" id="rd-plot">{svg[svg.index("<svg"):]}</figure>'


def _table(table: tables.Table, level: str = "h2") -> str:
    head = "".join(f"<th>{inline(cell)}</th>" for cell in table.head)
    rows = "".join("<tr>" + "".join(f"<td>{inline(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    intro = f"<p>{inline(table.intro)}</p>" if table.intro else ""
    return (f"<{level}>{inline(table.title)}</{level}>{intro}"
            f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>')


def _viewer(evaluation: Evaluation) -> str:
    if not evaluation.viewer:
        return ""
    intro = ("Each codec coded the whole image into its largest file within the budget (a size search over its "
             "quality); the crops show the decoded image. bpp counts the whole file; PSNR is over the whole "
             "image and over the crop.")
    return (f'<h2 id="viewer">Side by side at the same file size</h2><p>{escape(intro)}</p>'
            + "".join(viewer_html(image) for image in evaluation.viewer))


def _per_image(table: tables.Table | None, png: Path | None) -> str:
    parts = ['<h2 id="per-image">Per image</h2>']
    if png is not None:
        parts.append(f'<figure class="plot"><img alt="PSNR vs bpp per image" '
                     f'src="{data_uri(png.read_bytes(), "image/png")}"></figure>')
    if table is not None:
        parts.append(_table(table, "h3"))
    return "".join(parts) if len(parts) > 1 else ""


def _list(title: str, lines: Iterable[str], intro: str = "") -> str:
    items = "".join(f"<li>{inline(line)}</li>" for line in lines)
    return f"<h2>{escape(title)}</h2>{f'<p>{inline(intro)}</p>' if intro else ''}<ul>{items}</ul>"
