"""BD-rate through the bjontegaard package, pchip."""

from __future__ import annotations

import pytest

from aecodec.tools.evaluation.bd import bd_rate, bd_rate_table, rate_gap
from aecodec.tools.evaluation.records import Curve

ANCHOR = Curve("anchor", (0.2, 0.45, 0.9, 1.6, 2.8), (26.0, 29.5, 33.0, 36.4, 40.1))


def scaled(curve: Curve, factor: float, name: str) -> Curve:
    return Curve(name, tuple(rate * factor for rate in curve.bpp), curve.psnr)


def test_a_curve_against_itself_is_zero() -> None:
    assert bd_rate(ANCHOR, ANCHOR) == pytest.approx(0.0, abs=1e-9)


def test_ten_percent_fewer_bits_is_minus_ten_percent() -> None:
    assert bd_rate(ANCHOR, scaled(ANCHOR, 0.9, "test")) == pytest.approx(-10.0, abs=1e-6)
    assert bd_rate(scaled(ANCHOR, 0.9, "test"), ANCHOR) == pytest.approx(100 / 9, abs=1e-6)


def test_undefined_cases_give_none() -> None:
    far = Curve("far", (0.1, 0.2), (50.0, 55.0))
    assert bd_rate(ANCHOR, far) is None
    assert bd_rate(ANCHOR, Curve("one", (0.5,), (30.0,))) is None


def test_points_that_do_not_raise_psnr_are_left_out() -> None:
    wobbly = Curve("wobbly", ANCHOR.bpp + (3.0,), ANCHOR.psnr + (39.0,))
    assert bd_rate(ANCHOR, wobbly) == pytest.approx(0.0, abs=1e-9)


def test_table_covers_every_pair() -> None:
    curves = [ANCHOR, scaled(ANCHOR, 0.9, "better"), scaled(ANCHOR, 1.2, "worse")]
    table = bd_rate_table(curves)
    assert set(table) == {"anchor", "better", "worse"}
    assert set(table["anchor"]) == {"better", "worse"}
    assert table["worse"]["anchor"] == pytest.approx(20.0, abs=1e-6)


def test_rate_gap_reads_the_reference_at_equal_psnr() -> None:
    assert rate_gap(ANCHOR, 0.45, 29.5) == pytest.approx(0.0, abs=1e-9)
    assert rate_gap(ANCHOR, 0.9 * 0.9, 33.0) == pytest.approx(-10.0, abs=1e-9)
    between = rate_gap(ANCHOR, 0.6, 31.0)
    assert between is not None and -25.0 < between < 33.4


def test_rate_gap_is_undefined_outside_the_reference_range() -> None:
    assert rate_gap(ANCHOR, 3.0, 41.0) is None
    assert rate_gap(ANCHOR, 0.1, 25.0) is None
    assert rate_gap(Curve("one", (0.5,), (30.0,)), 0.5, 30.0) is None
