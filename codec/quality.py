"""Quality values (no torch): the range of the quality scale and its map to a level position.

A quality in ``[0, 100]`` maps linearly to a position ``t`` in ``[0, NUM_LEVELS - 1]``; the
Lagrangian λ and the gain vectors that ``t`` selects are in :mod:`aecodec.codec.rate`.
"""

from __future__ import annotations

NUM_LEVELS = 8
LAMBDA_MIN = 0.002
LAMBDA_MAX = 0.05
QUALITY_MIN = 0.0
QUALITY_MAX = 100.0
DEFAULT_QUALITY = 75.0


def quality_to_position(quality: float) -> float:
    """Position ``t`` in ``[0, NUM_LEVELS - 1]`` for a quality in ``[0, 100]``."""
    if not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise ValueError(f"quality must be between {QUALITY_MIN:g} and {QUALITY_MAX:g}, got {quality:g}")
    return quality / QUALITY_MAX * (NUM_LEVELS - 1)
