"""The viewer's markup in ``report.html``: per image, the original crop and each codec's crop at each
target rate, with bytes, bpp and PSNR under each (behaviour in :mod:`~aecodec.tools.evaluation.report.html_assets`)."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from aecodec.tools.evaluation.viewer_records import ViewerImage, ViewerPanel, ViewerRate

ZOOMS = (1, 2, 4, 8)


def data_uri(data: bytes, mime: str) -> str:
    """``data`` inlined as a ``data:`` URI."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def viewer_html(image: ViewerImage) -> str:
    """One image's viewer: rate and zoom buttons, then the crops."""
    box, name = image.box, Path(image.image).name
    rate_buttons = "".join(f'<button type="button" data-rate="{index}">{rate.target_bpp:g} bpp (≤ {rate.budget:,} B)'
                           "</button>" for index, rate in enumerate(image.rates))
    zoom_buttons = "".join(f'<button type="button" data-zoom="{zoom}">{zoom}×</button>' for zoom in ZOOMS)
    original = _figure(image.original_webp, "<b>original</b>",
                       f"{image.width}×{image.height}, crop {box.side}×{box.side} at ({box.left}, {box.top})")
    rates = "".join(_rate(index, rate) for index, rate in enumerate(image.rates))
    return (f'<section class="viewer" data-side="{box.side}" style="--side: {box.side}px">'
            f"<h3>{escape(name)}</h3>"
            f'<div class="controls"><span>rate:</span>{rate_buttons}<span>zoom:</span>{zoom_buttons}'
            "<span>drag a crop to pan</span></div>"
            f'<div class="panels">{original}{rates}</div></section>')


def _rate(index: int, rate: ViewerRate) -> str:
    title = f"{rate.target_bpp:g} bpp: every file at most {rate.budget:,} bytes"
    panels = "".join(_panel(panel) for panel in rate.panels)
    return f'<div class="rate" data-rate="{index}"><div class="rate-title">{escape(title)}</div>{panels}</div>'


def _panel(panel: ViewerPanel) -> str:
    over = "" if panel.within else '<br><span class="over">over budget: even the lowest quality is larger</span>'
    return _figure(panel.crop_webp, f"<b>{escape(panel.codec)}</b> q {panel.quality:.4g}",
                   f"{panel.bpp:.3f} bpp ({panel.file_bytes:,} B)<br>PSNR {panel.psnr:.2f} dB, "
                   f"crop {panel.crop_psnr:.2f} dB{over}")


def _figure(webp: bytes, title: str, details: str) -> str:
    return (f'<figure class="panel"><div class="frame"><img alt="" draggable="false" src="{data_uri(webp, "image/webp")}">'
            f"</div><figcaption>{title}<br>{details}</figcaption></figure>")
