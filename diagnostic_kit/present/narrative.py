"""Plain-English formatting of computed values, and the red/amber/green rule.

Every sentence in a report is built from computed values with these helpers, so that figures
read the same way everywhere: "212 days", "30%", "12 of 40 children (30%)", "29 days over the
6-month standard", "a median of 212 days (40 children)", "older children, sibling groups and
disabled children".

The red/amber/green (RAG) rule lives here, in one place, for every section that rates a figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

Direction = Literal["lower", "higher"]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def half_up(value: float, digits: int = 0) -> float:
    """Round half up, as readers expect (Python's ``round`` and format round half to even)."""
    scale = 10 ** digits
    return math.floor(value * scale + 0.5) / scale


def whole(value: float) -> int:
    """Round half up to a whole number (Python's ``round`` rounds half to even)."""
    return int(math.floor(value + 0.5))


def number(value: float | int | None, digits: int = 0) -> str:
    """A number with thousands separators; "–" when missing. ``number(1234.5) == "1,234"``."""
    if _missing(value):
        return "–"
    return f"{half_up(value, digits):,.{digits}f}"


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``plural(1, "child", "children") == "1 child"``; ``plural(3, "day") == "3 days"``."""
    word = noun if n == 1 else (plural_form or noun + "s")
    return f"{number(n)} {word}"


def children(n: int) -> str:
    """``children(1) == "1 child"``, ``children(40) == "40 children"``."""
    return plural(n, "child", "children")


def days(value: float | int | None) -> str:
    """Days rounded to whole days: ``days(211.6) == "212 days"``, ``days(1) == "1 day"``."""
    if _missing(value):
        return "– days"
    return plural(whole(value), "day")


def pct(value: float | None, digits: int = 0) -> str:
    """A percentage already on the 0–100 scale: ``pct(29.4) == "29%"``."""
    if _missing(value):
        return "–%"
    return f"{half_up(value, digits):.{digits}f}%"


def share(k: int, n: int) -> float:
    """``k`` as a percentage of ``n`` (NaN when ``n`` is 0)."""
    return 100.0 * k / n if n else float("nan")


def count_of(k: int, n: int, noun: str = "children", digits: int = 0) -> str:
    """``count_of(12, 40) == "12 of 40 children (30%)"``."""
    return f"{number(k)} of {number(n)} {noun} ({pct(share(k, n), digits)})"


def average(value: float | None, n: int, kind: str = "median", unit: str = "days") -> str:
    """An average with its count beside it: ``"a median of 212 days (40 children)"``."""
    amount = days(value) if unit == "days" else f"{number(value, 1)} {unit}"
    article = "an" if kind[:1] in "aeiou" else "a"
    return f"{article} {kind} of {amount} ({children(n)})"


def versus_standard(value: float | None, standard_days: int, label: str | None = None,
                    noun: str = "standard") -> str:
    """How far a number of days is from a standard, in words.

    ``versus_standard(212, 183, "6 months") == "29 days over the 6-month standard"``;
    under: ``"12 days within the 6-month standard"``; equal: ``"exactly at the ... standard"``;
    without a label the days name it: ``"the 426-day threshold"`` (``noun="threshold"``).
    Values are rounded to whole days before comparing, as they are shown.
    """
    size = standard_label(label) if label else f"{int(standard_days)}-day"
    name = f"the {size} {noun}"
    if _missing(value):
        return f"not measurable against {name}"
    diff = whole(value) - int(standard_days)
    if diff > 0:
        return f"{days(diff)} over {name}"
    if diff < 0:
        return f"{days(-diff)} within {name}"
    return f"exactly at {name}"


def standard_label(label: str) -> str:
    """A standard's label used as an adjective: "6 months" → "6-month", "26 weeks" → "26-week"."""
    parts = label.split()
    if len(parts) == 2 and parts[0].isdigit():
        unit = parts[1].rstrip("s")
        return f"{parts[0]}-{unit}"
    return label


def plain_list(items: Iterable[str], conjunction: str = "and") -> str:
    """``plain_list(["a", "b", "c"]) == "a, b and c"``; one item alone; empty → ""."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def date_text(d) -> str:
    """A date in words without a leading zero: "1 April 2023"."""
    return f"{d.day} {d:%B %Y}"


def lower_first(text: str) -> str:
    """Lower-case the first letter unless it starts an acronym: "Care entry" → "care entry",
    "IRO recommendation" stays."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def ratio(value: float | None) -> str:
    """A representation ratio to two decimals, half up: ``ratio(0.625) == "0.63"``."""
    return "–" if _missing(value) else f"{half_up(value, 2):.2f}"


def bullets(lines: Sequence[str]) -> str:
    """Markdown bullet list."""
    return "\n".join(f"- {line}" for line in lines)


# -- red / amber / green ------------------------------------------------------------------

#: The rule, stated once for the report.
RAG_RULE = (
    "Ratings: green when the figure is at or better than its benchmark (the scorecard "
    "threshold where there is one, else the local standard or the national figure); amber "
    "when it is worse but within 10% of the benchmark; red when it is more than 10% worse. "
    "Figures with no published benchmark are not rated."
)
RAG_TOLERANCE = 0.10

#: Every rated measure: which way is better, and what it is rated against.
RAG_RULES: dict[str, tuple[Direction, str]] = {
    "a1_mean_days": ("lower", "A1 scorecard threshold (426 days)"),
    "a10_mean_days": ("lower", "A1 scorecard threshold (426 days): A10 has none of its own"),
    "a2_mean_days": ("lower", "A2 scorecard threshold (121 days)"),
    "adopted_share_of_leavers_pct": ("higher", "England figure"),
    "entry_to_adoption_days": ("lower", "England figure"),
    "stage_median_days": ("lower", "the stage's standard"),
}


def rate(measure: str, value: float | None, benchmark: float | None) -> str:
    """Rate a measure by its rule in :data:`RAG_RULES` (unknown measures are not rated)."""
    if measure not in RAG_RULES:
        return "not rated"
    return rag(value, benchmark, RAG_RULES[measure][0])


def rag(value: float | None, benchmark: float | None, better: Direction = "lower") -> str:
    """``green`` at or better than the benchmark; ``amber`` worse by at most 10% of it; ``red``
    worse by more; ``not rated`` when either figure is missing.

    >>> rag(426, 426), rag(468, 426), rag(469, 426), rag(8.1, 9, "higher"), rag(8, 9, "higher")
    ('green', 'amber', 'red', 'amber', 'red')
    """
    if _missing(value) or _missing(benchmark):
        return "not rated"
    if better == "lower":
        if value <= benchmark:
            return "green"
        return "amber" if value <= benchmark * (1 + RAG_TOLERANCE) + 1e-9 else "red"
    if value >= benchmark:
        return "green"
    return "amber" if value >= benchmark * (1 - RAG_TOLERANCE) - 1e-9 else "red"


RAG_SYMBOL = {"green": "Green", "amber": "Amber", "red": "Red", "not rated": "Not rated"}


# -- table columns worded as the narrative words them ----------------------------------------

def whole_col(values) -> pd.Series:
    """Numbers rounded half up to whole numbers (nullable integers), for day columns."""
    s = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    return pd.Series(np.floor(s + 0.5), index=s.index).astype("Int64")


def pct_col(values, digits: int = 0) -> pd.Series:
    """Percentages as the narrative words them ("29%"); "–" when missing."""
    s = pd.Series(values)
    return s.map(lambda v: "–" if _missing(v) else pct(v, digits)).astype("string")
