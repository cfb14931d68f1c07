"""The README comparison figure: JPEG and aecodec panels side by side, aecodec within JPEG's bytes."""

import re

from click.testing import CliRunner
from PIL import Image

from aecodec.tools.dev.bench.comparison_figure import main


def draw_figure(tmp_path, make_image, jpeg_quality: int):
    """Run the tool on a 64×64 crop of a synthetic photo; returns the CLI result and the PNG path."""
    source = tmp_path / "photo.png"
    Image.fromarray(make_image(96, 96)).save(source)
    out = tmp_path / "figure.png"
    arguments = [str(source), "-o", str(out), "--box", "8", "8", "64", "--jpeg-quality", str(jpeg_quality)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return result, out


def test_figure_has_three_labelled_panels(tmp_path, make_image):
    result, out = draw_figure(tmp_path, make_image, 40)
    assert "JPEG" in result.output and "aecodec" in result.output
    with Image.open(out) as figure:
        assert figure.size == (3 * 64 + 4, 64 + 18)


def test_aecodec_file_is_not_larger_than_the_jpeg(tmp_path, make_image):
    result, _ = draw_figure(tmp_path, make_image, 15)
    sizes = re.findall(r"(JPEG|aecodec) (\d+) B", result.output)
    jpeg_bytes, aecodec_bytes = (int(count) for _, count in sizes)
    assert aecodec_bytes <= jpeg_bytes
