"""Warnings where numbers mislead: reference curves from other images, BD-rates from few points,
curves that barely overlap; and how a reference file names its images."""

from __future__ import annotations

import json
from pathlib import Path

from aecodec.tools.evaluation.anchors import load_reference_curves, shipped_curves
from aecodec.tools.evaluation.caveats import curve_caveats, flags_pair, reference_caveats
from aecodec.tools.evaluation.image_sets import KODAK_NAMES, dataset_name, set_from_about
from aecodec.tools.evaluation.records import Curve, ReferenceSet

KODAK = [f"/data/kodak/{name}.png" for name in KODAK_NAMES]
FOUR = Curve("four", (0.2, 0.4, 0.8, 1.6), (28.0, 31.0, 34.0, 37.0))


def kodak_references(about: str = "Published Kodak (24 images) curves") -> ReferenceSet:
    return ReferenceSet("refs.json", about, (FOUR,), set_from_about(about))


def test_the_about_text_names_the_kodak_set() -> None:
    named = set_from_about("Published Kodak (24 images) rate-distortion curves")
    assert named is not None and named.name == "Kodak" and named.count == 24 and named.names == KODAK_NAMES
    assert set_from_about("curves from somewhere") is None


def test_reference_file_images_come_from_about_or_an_explicit_list(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    curves = {"A": {"bpp": [0.1, 0.2], "psnr": [30, 32]}}
    path.write_text(json.dumps({"about": "Kodak (24 images)", "curves": curves}))
    assert load_reference_curves(path).images.names == KODAK_NAMES
    path.write_text(json.dumps({"about": "CLIC (2 images)", "curves": curves, "images": ["b.png", "a.png"]}))
    images = load_reference_curves(path).images
    assert (images.name, images.count, images.names) == ("CLIC", 2, ("a", "b"))


def test_no_caveat_when_the_run_measured_the_reference_images() -> None:
    assert reference_caveats(kodak_references(), KODAK, "Kodak") == []
    assert reference_caveats(None, KODAK[:2], "x") == []


def test_other_images_than_the_references_are_a_caveat() -> None:
    for images in (KODAK[:2], KODAK[:23] + ["/data/kodak/other.png"]):
        caveats = reference_caveats(kodak_references(), images, "crops")
        assert [c.kind for c in caveats] == ["reference-images"]
        assert "Kodak (24 images)" in caveats[0].message and f"{len(images)} image(s) of crops" in caveats[0].message


def test_references_that_do_not_name_their_images_are_a_caveat() -> None:
    unnamed = ReferenceSet("refs.json", "some curves", (FOUR,), None)
    assert "do not say which images" in reference_caveats(unnamed, KODAK, "Kodak")[0].message


def test_curves_with_fewer_than_four_points_are_named() -> None:
    two = Curve("two", (0.3, 0.6), (29.0, 32.0))
    caveats = curve_caveats([FOUR, two], [])
    assert [(c.kind, c.curves) for c in caveats] == [("few-points", ("two",))]
    assert "2 usable point(s)" in caveats[0].message
    assert flags_pair(caveats, "four", "two") and not flags_pair(caveats, "four", "other")


def test_barely_overlapping_curves_are_named() -> None:
    high = Curve("high", (0.7, 1.0, 1.4, 2.0), (36.5, 38.0, 40.0, 42.0))
    caveats = curve_caveats([FOUR], [high])
    assert [(c.kind, c.curves) for c in caveats] == [("overlap", ("four", "high"))]
    assert "0.50 dB" in caveats[0].message
    assert flags_pair(caveats, "high", "four")


def test_well_overlapping_curves_have_no_caveat() -> None:
    shifted = Curve("shifted", tuple(r * 0.9 for r in FOUR.bpp), tuple(p + 0.5 for p in FOUR.psnr))
    assert curve_caveats([FOUR, shifted], []) == []


def test_the_dataset_is_named_after_a_known_set_or_its_folder() -> None:
    assert dataset_name(list(reversed(KODAK))) == "Kodak"
    assert dataset_name(KODAK[:3]) == "kodak"
    assert dataset_name(["/photos/val-clean/a.png"]) == "val-clean"


def test_the_published_kodak_curves_ship_with_the_package():
    references = load_reference_curves(shipped_curves(Path("kodak")))
    names = {curve.name for curve in references.curves}
    assert "VTM (VVC intra, 4:4:4)" in names and "ELIC (paper)" in names, names
    assert references.images.names == KODAK_NAMES
    assert all(len(curve.bpp) == len(curve.psnr) >= 4 for curve in references.curves)


def test_a_file_named_like_a_shipped_set_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kodak").write_text("{}")
    assert shipped_curves(Path("kodak")) == Path("kodak")
