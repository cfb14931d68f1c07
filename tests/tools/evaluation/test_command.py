"""The ``eval`` command end to end on two tiny images, and its one-line errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from aecodec.codec.torch_support import torch_available
from aecodec.tools.evaluation.command import evaluate

OUTPUTS = ("rd.json", "rd.csv", "rd.png", "rd.svg", "rd_per_image.png", "viewer_image0.webp", "report.md", "report.html")


def write_images(folder: Path, make_image, size: tuple[int, int] = (168, 176)) -> list[Path]:
    """Two images as PNG files, by default large enough for five-scale MS-SSIM."""
    folder.mkdir()
    paths = [folder / f"image{seed}.png" for seed in range(2)]
    for seed, path in enumerate(paths):
        Image.fromarray(make_image(*size, seed)).save(path)
    return paths


def write_references(path: Path, about: str = "synthetic (2 images)") -> Path:
    curves = {"JPEG (Pillow test)": {"bpp": [0.5, 1.0, 2.0, 4.0], "psnr": [24.0, 28.0, 32.0, 37.0],
                                     "ms_ssim": [0.9, 0.95, 0.98, 0.99]},
              "VTM (test)": {"bpp": [0.2, 0.5, 1.0, 2.0], "psnr": [27.0, 31.0, 35.0, 39.0]}}
    path.write_text(json.dumps({"about": about, "curves": curves}))
    return path


def run(*arguments: str):
    return CliRunner().invoke(evaluate, list(arguments), catch_exceptions=False)


@pytest.mark.skipif(not torch_available(), reason="needs torch (pip install 'aecodec[torch]')")
def test_writes_all_outputs(tmp_path: Path, make_image) -> None:
    images = write_images(tmp_path / "images", make_image)
    out = tmp_path / "out"
    references = write_references(tmp_path / "refs.json")
    result = run(str(tmp_path / "images"), "--codec", "jpeg", "--codec", "pca", "--quality", "30",
                 "--quality", "60", "--quality", "85", "--out", str(out), "--reference-curves", str(references))
    assert result.exit_code == 0, result.output
    assert all((out / name).stat().st_size > 0 for name in OUTPUTS)
    document = json.loads((out / "rd.json").read_text())
    assert document["images"] == [str(p) for p in images]
    assert set(document["codecs"]) == {"jpeg", "pca"}
    points = document["codecs"]["pca"]["points"]
    assert [p["quality"] for p in points] == [30.0, 60.0, 85.0]
    assert all(p["bpp"] > 0 and p["psnr"] > 0 and 0 < p["ms_ssim"] <= 1 for p in points)
    assert len(document["codecs"]["jpeg"]["per_image"]) == 6
    assert document["bd_rate"]["pca"]["jpeg"] is not None
    assert "VTM (test)" in document["bd_rate"]["jpeg"]
    with (out / "rd.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 2 * 3 * 2
    report = (out / "report.md").read_text()
    assert "Sanity check" in report and "![rd.png](rd.png)" in report and "| pca |" in report
    assert "## BD-rate per image" in report and "| image0 |" in report
    html = (out / "report.html").read_text()
    assert html.count('class="viewer"') == 1 and html.count('class="rate"') == 3
    assert "<svg" in html and not any(fetch in html for fetch in ('src="http', 'href="http', "<link", "@import"))


def test_misleading_numbers_are_warned_about(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image, (40, 48))
    references = write_references(tmp_path / "refs.json", "Published Kodak (24 images) curves")
    out = tmp_path / "out"
    result = run(str(tmp_path / "images"), "--codec", "jpeg", "--quality", "50", "--quality", "80",
                 "--reference-curves", str(references), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "warning: The reference curves were measured on Kodak (24 images); this run measured 2 image(s)" \
        in result.stderr
    assert "warning: jpeg has 2 usable point(s), fewer than 4" in result.stderr
    kinds = [w["kind"] for w in json.loads((out / "rd.json").read_text())["warnings"]]
    assert kinds == ["reference-images", "few-points"]
    report = (out / "report.md").read_text()
    assert "## Warnings" in report and "| VTM (test) | +" in report and "% †" in report
    assert 'id="warnings"' in (out / "report.html").read_text()


def test_save_decoded_keeps_every_decoded_image(tmp_path: Path, make_image) -> None:
    import numpy as np

    from aecodec.tools.evaluation.metrics import psnr

    images = write_images(tmp_path / "images", make_image, (40, 48))
    out = tmp_path / "out"
    result = run(str(tmp_path / "images"), "--codec", "jpeg", "--quality", "40", "--quality", "70",
                 "--save-decoded", "--viewer-bpp", "1.5", "--out", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads((out / "rd.json").read_text())
    for measurement in document["codecs"]["jpeg"]["per_image"]:
        stem = Path(measurement["image"]).stem
        decoded = np.asarray(Image.open(out / "decoded" / "jpeg" / f"{stem}_q{measurement['quality']:g}.png"))
        original = np.asarray(Image.open(measurement["image"]).convert("RGB"))
        assert psnr(original, decoded) == measurement["psnr"]
    matched = out / "decoded" / "matched" / "1.5bpp" / "jpeg" / f"{images[0].stem}.png"
    assert Image.open(matched).size == (48, 40)
    assert document["viewer"][0]["rates"][0]["files"][0]["codec"] == "jpeg"


def test_unknown_viewer_image_is_a_one_line_error(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image, (40, 48))
    result = run(str(tmp_path / "images"), "--codec", "jpeg", "--viewer-image", "nope.png", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: viewer image 'nope.png' is not among the evaluated images"


def test_parallel_jobs_give_the_same_rates(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image, (40, 48))
    for jobs in ("1", "2"):
        result = run(str(tmp_path / "images"), "--codec", "pca", "--quality", "50", "--jobs", jobs,
                     "--out", str(tmp_path / jobs))
        assert result.exit_code == 0, result.output
    one, two = (json.loads((tmp_path / j / "rd.json").read_text()) for j in ("1", "2"))
    assert one["codecs"]["pca"]["points"][0]["bpp"] == two["codecs"]["pca"]["points"][0]["bpp"]


def test_unknown_codec_is_a_one_line_error(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image)
    result = run(str(tmp_path / "images"), "--codec", "nope", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: unknown codec 'nope' (known: aecodec, jpeg, jpeg444, "
                                                  "jpeg-default, webp, avif, jxl, pca, aecodec-e1, aecodec-e2, "
                                                  "aecodec-e3, aecodec-e4, aecodec-candidate)"]


def test_folder_without_images_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no images found" in result.output and len(result.output.strip().splitlines()) == 1


def test_bad_reference_file_is_a_one_line_error(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image)
    bad = tmp_path / "bad.json"
    bad.write_text('{"curves": {"x": {"bpp": [1, 2]}}}')
    result = run(str(tmp_path / "images"), "--reference-curves", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "psnr" in result.output


@pytest.mark.parametrize("missing", ["avif", "jxl"])
def test_missing_codecs_are_skipped_not_fatal(tmp_path: Path, make_image, monkeypatch, missing: str) -> None:
    from aecodec.tools.evaluation.codecs import registry as codecs

    def unavailable():
        raise codecs.CodecUnavailable("plugin not installed")

    monkeypatch.setitem(codecs.FACTORIES, missing, unavailable)
    write_images(tmp_path / "images", make_image)
    result = run(str(tmp_path / "images"), "--codec", missing, "--codec", "jpeg", "--quality", "50",
                 "--quality", "80", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert f"skipping {missing}: plugin not installed" in result.output
    assert missing not in json.loads((tmp_path / "out" / "rd.json").read_text())["codecs"]


def test_an_earlier_runs_measurements_make_the_same_report(tmp_path: Path, make_image) -> None:
    write_images(tmp_path / "images", make_image, (40, 48))
    first, second = tmp_path / "first", tmp_path / "second"
    result = run(str(tmp_path / "images"), "--codec", "jpeg", "--codec", "pca", "--quality", "30", "--quality", "60",
                 "--quality", "85", "--out", str(first))
    assert result.exit_code == 0, result.output
    result = run(str(tmp_path / "images"), "--measurements", str(first / "rd.json"), "--viewer-codec", "pca",
                 "--out", str(second))
    assert result.exit_code == 0, result.output
    before, after = (json.loads((folder / "rd.json").read_text()) for folder in (first, second))
    assert after["codecs"] == before["codecs"] and after["bd_rate"] == before["bd_rate"]
    assert after["run"]["started"] == before["run"]["started"]
    assert after["run"]["measurements_from"].startswith(str(first / "rd.json"))
    assert [f["codec"] for f in after["viewer"][0]["rates"][0]["files"]] == ["pca"]
    assert "measurements read back from the run's `rd.json`" in (second / "report.md").read_text()


@pytest.mark.parametrize("extra", [("--codec", "jpeg"), ("--quality", "50")])
def test_measurements_take_no_codecs_or_qualities(tmp_path: Path, make_image, extra: tuple[str, str]) -> None:
    write_images(tmp_path / "images", make_image, (40, 48))
    (tmp_path / "rd.json").write_text("{}")
    result = run(str(tmp_path / "images"), "--measurements", str(tmp_path / "rd.json"), *extra,
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "--measurements takes the codecs and qualities" in result.output


def test_measurements_of_other_images_are_refused(tmp_path: Path, make_image) -> None:
    images = write_images(tmp_path / "images", make_image, (40, 48))
    result = run(str(images[0]), "--codec", "jpeg", "--quality", "50", "--out", str(tmp_path / "one"))
    assert result.exit_code == 0, result.output
    result = run(str(tmp_path / "images"), "--measurements", str(tmp_path / "one" / "rd.json"),
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "measured other images than IMAGES (1 recorded)" in result.output


def test_a_candidate_is_measured_beside_the_release(runner, tmp_path, tiny_weights, make_image, monkeypatch):
    import json

    from PIL import Image

    from aecodec.tools.cli.main import main
    from aecodec.tools.evaluation.codecs.base import CANDIDATE_WEIGHTS_VARIABLE

    monkeypatch.delenv(CANDIDATE_WEIGHTS_VARIABLE, raising=False)
    folder = tmp_path / "images"
    folder.mkdir()
    Image.fromarray(make_image(32, 48)).save(folder / "a.png")
    out = tmp_path / "out"
    result = runner.invoke(main, ["eval", str(folder), "--codec", "jpeg", "--quality", "30", "--quality", "80",
                                  "--candidate", str(tiny_weights), "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "rd.json").read_text())
    candidate = document["codecs"]["aecodec-candidate"]
    assert candidate["description"].startswith(f"candidate weights {tiny_weights.name}")
    assert [point["quality"] for point in candidate["points"]] == [30.0, 80.0]
    assert all(point["bpp"] > 0 and point["psnr"] > 0 for point in candidate["points"])
