"""``report.html`` in a real headless Chromium: the page's script runs (one rate shown, the others
hidden) and the screenshot shows the plot and the viewer's crops, pixel for pixel.

Skipped only where no Chromium is installed (``apt-get install chromium``; CI installs it).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from aecodec.tools.evaluation.command import evaluate
from aecodec.tools.evaluation.report.plot_styles import MEASURED_COLOURS

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
WINDOW = (1280, 4200)
CROP = 40


def photo(height: int, width: int, seed: int) -> Image.Image:
    """A smooth colour ramp with noise, so that every crop of it is unique."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(40, 200, width)[None, :, None] + np.linspace(0, 40, height)[:, None, None]
    pixels = ramp + np.array([0, 20, -20]) + rng.normal(0, 12, (height, width, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``aecodec eval`` on two small synthetic photos with JPEG and PCA, a 40-pixel crop at two rates."""
    folder = tmp_path_factory.mktemp("photos")
    for seed in range(2):
        photo(72, 88, seed).save(folder / f"photo{seed}.png")
    out = folder / "report"
    arguments = [str(folder), "--codec", "jpeg", "--codec", "pca", "--quality", "30", "--quality", "50",
                 "--quality", "70", "--quality", "90", "--viewer-bpp", "1", "--viewer-bpp", "3",
                 "--crop", str(CROP), "--out", str(out)]
    result = CliRunner().invoke(evaluate, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_the_page_script_sets_up_the_viewer(report: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
    assert re.search(r'<html[^>]*class="js"', dom) and 'data-viewer-ready="1"' in dom
    assert 'class="viewer" data-side="40"' in dom and 'data-ready="true"' in dom
    rates = re.findall(r'<div class="rate" data-rate="(\d)"( hidden="")?>', dom)
    assert rates == [("0", ""), ("1", ' hidden=""')]
    assert re.search(r'<button type="button" data-zoom="1" aria-pressed="true">', dom)


def test_the_screenshot_shows_the_plot_and_the_crops_of_the_chosen_rate(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "page.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", report.as_uri())
    screen = np.asarray(Image.open(shot).convert("RGB"))
    assert screen.shape[:2] == (WINDOW[1], WINDOW[0])
    original, *crops = embedded_webp(report.read_text())
    shown, hidden = crops[:2], crops[2:]
    assert len(hidden) == 2 and all(crop.shape == (CROP, CROP, 3) for crop in crops)
    viewer_top = find(screen, original)
    assert viewer_top is not None and all(find(screen, crop) == viewer_top for crop in shown)
    assert all(find(screen, crop) is None for crop in hidden)
    jpeg_blue = np.all(screen == np.array(Image.new("RGB", (1, 1), MEASURED_COLOURS[0]))[0, 0], axis=2)
    plot_rows = np.nonzero(jpeg_blue[:viewer_top])[0]
    assert len(plot_rows) > 100 and plot_rows.min() < viewer_top / 2


def chromium(profile: Path, *arguments: str) -> str:
    """Run headless Chromium on its own new profile, closed to the network; returns its standard output
    after checking that the page's script raised no error (console messages go to standard error)."""
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--hide-scrollbars", "--force-device-scale-factor=1",
               "--force-color-profile=srgb", "--enable-logging=stderr", f"--window-size={WINDOW[0]},{WINDOW[1]}",
               *arguments]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert "Uncaught" not in finished.stderr, finished.stderr
    return finished.stdout


def embedded_webp(html: str) -> list[np.ndarray]:
    """The viewer's crops in page order (original, then each rate's codecs) as RGB arrays."""
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
            for data in re.findall(r'src="data:image/webp;base64,([^"]+)"', html)]


def find(screen: np.ndarray, patch: np.ndarray) -> int | None:
    """The top row where ``patch`` appears in ``screen`` exactly, pixel for pixel; ``None`` if nowhere."""
    height, width = patch.shape[:2]
    rows, columns = np.nonzero(np.all(screen == patch[0, 0], axis=2))
    return next((int(y) for y, x in zip(rows, columns, strict=True)
                 if np.array_equal(screen[y:y + height, x:x + width], patch)), None)
