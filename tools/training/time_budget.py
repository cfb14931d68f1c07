"""Training for a wall-clock budget (``aecodec train --minutes``): time the run's first steps, then
fix the step it ends at so that it ends inside the budget.

The rate is timed from step ``SKIPPED_STEPS`` to step ``PROBE_STEPS`` of the run (the first steps
compile the step function and warm the allocator), and the plan spends ``SAFETY`` of the time then
left, keeping the rest for checkpoints and the final write. The budget counts from the start of
the run, loading the weights and photos included; an export after it is not counted. Under
torchrun every process plans and rank 0's plan is the one all of them follow, so they stop at the
same step.
"""

from __future__ import annotations

from dataclasses import dataclass

SKIPPED_STEPS = 10
PROBE_STEPS = 60
SAFETY = 0.95


def planned_end_step(step: int, steps_per_second: float, seconds_left: float) -> int:
    """The step a run now at ``step``, making ``steps_per_second``, ends at to stay inside
    ``seconds_left`` (with the ``SAFETY`` margin); never before ``step``."""
    return step + max(0, int(steps_per_second * seconds_left * SAFETY))


@dataclass
class TimeBudget:
    """``seconds`` of wall clock for a run whose first step is ``first_step``; times are
    ``time.monotonic()`` seconds, the budget counting from ``started`` (the run's start)."""

    seconds: float
    first_step: int
    started: float
    probe_started: float | None = None
    steps_per_second: float | None = None

    def wants_time(self, step: int) -> bool:
        """Whether the clock must be read (the device waited for) after ``step``."""
        return step - self.first_step in (SKIPPED_STEPS, PROBE_STEPS)

    def observe(self, step: int, now: float) -> int | None:
        """Note that ``step`` finished at ``now``; the planned end step once the probe is over
        (exactly once, after step ``first_step + PROBE_STEPS``), else ``None``."""
        done = step - self.first_step
        if done == SKIPPED_STEPS:
            self.probe_started = now
        if done != PROBE_STEPS or self.probe_started is None:
            return None
        self.steps_per_second = (PROBE_STEPS - SKIPPED_STEPS) / max(now - self.probe_started, 1e-9)
        return planned_end_step(step, self.steps_per_second, self.seconds - (now - self.started))
