"""Compressing to a target: the quality search on model-free curves, then on real encodes."""

import math

import pytest
from PIL import Image

import aecodec
from aecodec.codec.encoder.quality_search import Trial, find_quality
from aecodec.codec.encoder.targets import Target, TargetKind, rgb_psnr


def _curve(function):
    calls = []

    def measure(quality):
        calls.append(quality)
        return Trial(quality, function(quality))

    return measure, calls


@pytest.mark.parametrize("function", [
    lambda q: 100 + 9 * q,
    lambda q: 50 * math.exp(q / 25),
    lambda q: 200 + 3000 * (q / 100) ** 3,
])
@pytest.mark.parametrize("goal_quality", [3.0, 37.0, 81.0])
def test_smooth_curves_take_a_handful_of_encodes(function, goal_quality):
    measure, calls = _curve(function)
    goal = function(goal_quality)
    search = find_quality(measure, goal)
    assert search.met and abs(search.best.value - goal) <= 0.03 * goal
    assert search.trials == len(calls) <= 8
    assert all(round(quality, 2) == quality for quality in calls)


def test_goal_below_the_range_returns_quality_zero():
    measure, calls = _curve(lambda q: 100 + q)
    search = find_quality(measure, 10.0)
    assert not search.met and search.best.quality == 0 and calls == [0.0]


def test_goal_above_the_range_returns_quality_hundred():
    search = find_quality(_curve(lambda q: 100 + q)[0], 1000.0)
    assert not search.met and search.best.quality == 100


def test_goal_just_outside_the_range_but_within_tolerance_is_met():
    assert find_quality(_curve(lambda q: 100 + q)[0], 98.0).met


def test_a_gap_in_the_curve_gives_the_closest_value():
    search = find_quality(_curve(lambda q: 100.0 if q < 50 else 200.0)[0], 150.0)
    assert not search.met and search.best.value in (100.0, 200.0)
    assert search.trials <= 12


def test_not_above_takes_the_closest_trial_under_the_goal():
    measure = _curve(lambda q: 100.0 if q < 50 else 200.0)[0]
    assert find_quality(measure, 190.0).best.value == 200.0
    search = find_quality(measure, 190.0, not_above=True)
    assert search.best.value == 100.0 and search.best.quality < 50 and not search.met


@pytest.mark.parametrize("goal_quality", [3.0, 37.0, 81.0])
def test_not_above_meets_a_smooth_goal_from_below(goal_quality):
    goal = 50 * math.exp(goal_quality / 25)
    search = find_quality(_curve(lambda q: 50 * math.exp(q / 25))[0], goal, tolerance=0.005, not_above=True)
    assert search.met and goal * 0.995 <= search.best.value <= goal


def test_not_above_returns_quality_zero_when_even_that_is_above():
    search = find_quality(_curve(lambda q: 100 + q)[0], 10.0, not_above=True)
    assert not search.met and search.best.quality == 0


def test_goal_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        find_quality(_curve(lambda q: q)[0], 0.0)


def test_target_record():
    assert Target.from_options() is None
    assert Target.from_options(bpp=0.5) == Target(TargetKind.BPP, 0.5)
    assert str(Target(TargetKind.SIZE, 1000)) == "1000 bytes"
    with pytest.raises(ValueError, match="one target"):
        Target.from_options(bpp=0.5, psnr=30)
    with pytest.raises(ValueError, match="positive"):
        Target(TargetKind.PSNR, -1)


def test_reachable_bpp_target_is_met_within_three_percent(make_image):
    image = make_image(48, 64, seed=1)
    goal = 8 * len(aecodec.compress(image, quality=40)) / (48 * 64)
    result = aecodec.compress_to_target(image, bpp=goal)
    bpp = 8 * len(result.data) / (48 * 64)
    assert result.met and abs(bpp - goal) <= 0.03 * goal
    assert result.achieved == pytest.approx(bpp)
    assert 0 <= result.quality <= 100 and 2 <= result.encodes <= 12
    assert aecodec.decompress(result.data).size == (64, 48)


def test_size_target_below_the_smallest_file_is_reported(make_image):
    image = make_image(32, 32)
    smallest = len(aecodec.compress(image, quality=0))
    result = aecodec.compress_to_target(image, size=smallest // 4)
    assert not result.met and result.quality == 0 and len(result.data) == smallest
    assert "cannot be met" in result.shortfall()


def test_size_budget_is_never_exceeded(make_image):
    image = make_image(48, 64, seed=2)
    budget = len(aecodec.compress(image, quality=37.5)) - 1
    result = aecodec.compress_to_target(image, size=budget, tolerance=0.005, not_above=True)
    assert len(result.data) <= budget and result.achieved == len(result.data)
    assert aecodec.decompress(result.data).size == (64, 48)


def test_psnr_target(make_image):
    image = make_image(40, 48, seed=5)
    goal = rgb_psnr(Image.fromarray(image), aecodec.decompress(aecodec.compress(image, quality=60)))
    result = aecodec.compress_to_target(image, psnr=goal)
    assert result.met
    assert result.achieved == pytest.approx(rgb_psnr(Image.fromarray(image), aecodec.decompress(result.data)))


def test_exactly_one_target_is_required(make_image):
    with pytest.raises(ValueError, match="give a target"):
        aecodec.compress_to_target(make_image(8, 8))
