"""Encoder effort levels, without importing torch (the CLI reads them for its options).

Level ``e`` runs the first ``EFFORT_STEPS[e]`` refinement steps (see :mod:`aecodec.codec.model.refinement`).
"""

from __future__ import annotations

EFFORT_STEPS = (0, 10, 30, 75, 150)
"""Adam steps at each effort level; level 0 is the single pass."""
MAX_EFFORT = len(EFFORT_STEPS) - 1
DEFAULT_EFFORT = 0


class EffortError(ValueError):
    """An effort level that does not exist, or refinement asked for on too large an image."""


def check_effort(effort: int) -> int:
    """``effort`` itself if it is a level, else :class:`EffortError`."""
    if isinstance(effort, bool) or not isinstance(effort, int) or not 0 <= effort <= MAX_EFFORT:
        raise EffortError(f"effort must be an integer from 0 to {MAX_EFFORT}, got {effort!r}")
    return effort
