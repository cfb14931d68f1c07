"""The wall-clock plan: time the probe steps, then end where the budget runs out."""

import pytest

from aecodec.tools.training.time_budget import PROBE_STEPS, SAFETY, SKIPPED_STEPS, TimeBudget, planned_end_step


def test_planned_end_keeps_the_safety_margin_and_never_goes_back():
    assert planned_end_step(100, steps_per_second=10.0, seconds_left=60.0) == 100 + int(600 * SAFETY)
    assert planned_end_step(100, steps_per_second=10.0, seconds_left=-5.0) == 100


def test_the_probe_times_only_its_own_steps():
    budget = TimeBudget(seconds=600.0, first_step=1000, started=0.0)
    timed = [step for step in range(1000, 1000 + PROBE_STEPS + 20) if budget.wants_time(step)]
    assert timed == [1000 + SKIPPED_STEPS, 1000 + PROBE_STEPS]
    assert budget.observe(1000 + SKIPPED_STEPS, now=30.0) is None
    end = budget.observe(1000 + PROBE_STEPS, now=30.0 + (PROBE_STEPS - SKIPPED_STEPS) / 5.0)
    assert budget.steps_per_second == pytest.approx(5.0)
    seconds_left = 600.0 - (30.0 + (PROBE_STEPS - SKIPPED_STEPS) / 5.0)
    assert end == planned_end_step(1000 + PROBE_STEPS, 5.0, seconds_left)


def test_a_spent_budget_ends_the_run_at_the_probe():
    budget = TimeBudget(seconds=1.0, first_step=0, started=0.0)
    budget.observe(SKIPPED_STEPS, now=2.0)
    assert budget.observe(PROBE_STEPS, now=3.0) == PROBE_STEPS
