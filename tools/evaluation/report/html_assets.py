"""The style sheet and script inlined into ``report.html`` (no network, no external files).

The script runs the viewer: rate buttons show one target rate at a time (without the script every
rate shows, one titled row after another), zoom buttons scale all crops of an image alike (nearest
neighbour), and dragging any crop pans all of them together. When it has set up every viewer it
marks ``<html data-viewer-ready="N">`` with the number of images it set up.
"""

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 24px 48px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.4em; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; } thead th { background: #f6f6f6; position: sticky; top: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
.warnings { background: #fff4e5; border: 1px solid #f0a33a; padding: 2px 16px; border-radius: 6px; margin-top: 12px; } .warnings h2 { margin-top: 0.5em; border: 0; }
figure.plot { margin: 0; } figure.plot svg, figure.plot img { max-width: 100%; height: auto; }
.controls { margin: 6px 0 10px; display: flex; gap: 6px; flex-wrap: wrap; align-items: center; }
.controls button { font: inherit; padding: 2px 10px; border: 1px solid #999; background: #fff; border-radius: 4px; cursor: pointer; }
.controls button[aria-pressed="true"] { background: #222; color: #fff; border-color: #222; }
.panels { display: flex; flex-wrap: wrap; gap: 10px; }
.rate { display: contents; } .rate[hidden] { display: none; }
.rate-title { flex-basis: 100%; font-weight: 600; margin-top: 6px; } .js .rate-title { display: none; }
.panel { margin: 0; width: var(--side); }
.frame { width: var(--side); height: var(--side); overflow: hidden; position: relative; cursor: grab; background: #888; }
.frame img { position: absolute; left: 0; top: 0; width: var(--side); height: var(--side); image-rendering: pixelated;
             transform-origin: 0 0; user-select: none; -webkit-user-drag: none; }
.panel figcaption { font-size: 12px; line-height: 1.35; margin-top: 3px; }
.panel figcaption b { font-size: 13px; } .over { color: #b00; }
"""

SCRIPT = """
(function () {
  function setUp(viewer) {
    var rates = viewer.querySelectorAll('.rate');
    var rateButtons = viewer.querySelectorAll('button[data-rate]');
    var zoomButtons = viewer.querySelectorAll('button[data-zoom]');
    var images = viewer.querySelectorAll('.frame img');
    var side = parseFloat(viewer.dataset.side);
    var state = { zoom: 1, x: 0, y: 0 };
    function clamp() {
      var limit = side * (state.zoom - 1);
      state.x = Math.min(Math.max(state.x, 0), limit);
      state.y = Math.min(Math.max(state.y, 0), limit);
    }
    function draw() {
      clamp();
      images.forEach(function (img) {
        img.style.transform = 'translate(' + (-state.x) + 'px,' + (-state.y) + 'px) scale(' + state.zoom + ')';
      });
      zoomButtons.forEach(function (b) { b.setAttribute('aria-pressed', String(parseFloat(b.dataset.zoom) === state.zoom)); });
    }
    function showRate(index) {
      rates.forEach(function (rate, i) { rate.hidden = i !== index; });
      rateButtons.forEach(function (b, i) { b.setAttribute('aria-pressed', String(i === index)); });
    }
    rateButtons.forEach(function (b, i) { b.addEventListener('click', function () { showRate(i); }); });
    zoomButtons.forEach(function (b) {
      b.addEventListener('click', function () {
        var centre = { x: (state.x + side / 2) / state.zoom, y: (state.y + side / 2) / state.zoom };
        state.zoom = parseFloat(b.dataset.zoom);
        state.x = centre.x * state.zoom - side / 2;
        state.y = centre.y * state.zoom - side / 2;
        draw();
      });
    });
    var drag = null;
    viewer.addEventListener('pointerdown', function (event) {
      if (!event.target.closest('.frame')) { return; }
      drag = { x: event.clientX, y: event.clientY };
      event.preventDefault();
    });
    window.addEventListener('pointermove', function (event) {
      if (!drag) { return; }
      state.x -= event.clientX - drag.x;
      state.y -= event.clientY - drag.y;
      drag = { x: event.clientX, y: event.clientY };
      draw();
    });
    window.addEventListener('pointerup', function () { drag = null; });
    showRate(0);
    draw();
    viewer.dataset.ready = 'true';
  }
  document.documentElement.classList.add('js');
  var viewers = document.querySelectorAll('.viewer');
  viewers.forEach(setUp);
  document.documentElement.dataset.viewerReady = String(viewers.length);
})();
"""
