"""The red/amber/green (RAG) rule, in one place for every section that rates a figure.

green: at or better than the benchmark; amber: worse, but by at most 10% of the benchmark;
red: worse by more; not rated: no figure or no benchmark. Each rated measure says which way is
better and what it is rated against; the benchmark's number always comes from the params in
force (thresholds, standards, national figures), never from a literal.
"""

from __future__ import annotations

import math
from typing import Any, Literal

Direction = Literal["lower", "higher"]

TOLERANCE = 0.10

#: Every rated measure: which way is better, and the kind of benchmark it is rated against.
RATED: dict[str, tuple[Direction, str]] = {
    "a1_mean_days": ("lower", "a1_threshold"),
    "a10_mean_days": ("lower", "a1_threshold"),
    "a2_mean_days": ("lower", "a2_threshold"),
    "adopted_share_of_leavers_pct": ("higher", "england"),
    "entry_to_adoption_days": ("lower", "england"),
    "stage_median_days": ("lower", "standard"),
    "three_plus_placements_pct": ("lower", "england"),
}


def missing(value: Any) -> bool:
    """Whether a figure is absent (None or NaN)."""
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def rag(value: float | None, benchmark: float | None, better: Direction = "lower") -> str:
    """``green`` at or better than the benchmark; ``amber`` worse by at most 10% of it; ``red``
    worse by more; ``not rated`` when either figure is missing.

    >>> rag(426, 426), rag(468, 426), rag(469, 426), rag(8.1, 9, "higher"), rag(8, 9, "higher")
    ('green', 'amber', 'red', 'amber', 'red')
    """
    if missing(value) or missing(benchmark):
        return "not rated"
    if better == "lower":
        if value <= benchmark:
            return "green"
        return "amber" if value <= benchmark * (1 + TOLERANCE) + 1e-9 else "red"
    if value >= benchmark:
        return "green"
    return "amber" if value >= benchmark * (1 - TOLERANCE) - 1e-9 else "red"


def rate(measure: str, value: float | None, benchmark: float | None) -> str:
    """Rate a measure by its rule in :data:`RATED` (unknown measures are not rated)."""
    if measure not in RATED:
        return "not rated"
    return rag(value, benchmark, RATED[measure][0])
