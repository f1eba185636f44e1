"""Plain-English formatting of computed values, and the red/amber/green rule.

Every sentence in a report is built from computed values with these helpers, so that figures
read the same way everywhere: "212 days", "30%", "12 of 40 children (30%)", "29 days over the
6-month standard", "a median of 212 days (40 children)", "older children, sibling groups and
disabled children".

The red/amber/green (RAG) rule lives here, in one place, for every section that rates a figure.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from diagnostic_kit.measures.cohorts import share
from diagnostic_kit.measures.ratings import missing as _missing
from diagnostic_kit.measures.ratings import rag, rate  # noqa: F401  (the one RAG rule)


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


def money(value: float | int | None, digits: int = 0) -> str:
    """Pounds, rounded half up, with thousands separators: ``money(27000) == "£27,000"``,
    ``money(-1234.5) == "-£1,235"``; "–" when missing. Money is never suppressed."""
    if _missing(value):
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}£{half_up(abs(value), digits):,.{digits}f}"


# -- small-number suppression ---------------------------------------------------------------
#
# With ``suppress_below`` set (DfE's convention: 5), every count of children or households under
# it is shown as "<5" in sentences, tables and chart labels, and a percentage built on such a
# count is hidden. ``Section`` sets it for the notebook it serves; every count in a sentence goes
# through :func:`count`, so no count escapes it.

_SUPPRESS_BELOW = 0


def set_suppression(below: int) -> None:
    """Counts from 1 to ``below - 1`` are shown as ``<below`` from now on (0: off)."""
    global _SUPPRESS_BELOW
    _SUPPRESS_BELOW = int(below or 0)


def suppression() -> int:
    return _SUPPRESS_BELOW


def suppressed(n: float | int | None) -> bool:
    """Whether a count is under the suppression threshold (zero is never suppressed)."""
    return bool(_SUPPRESS_BELOW) and not _missing(n) and 0 < n < _SUPPRESS_BELOW


def count(n: float | int | None) -> str:
    """A count as shown: ``"1,234"``, or ``"<5"`` under suppression."""
    return f"<{_SUPPRESS_BELOW}" if suppressed(n) else number(n)


def median_count(value: float | None) -> str:
    """A median of counts (moves, plan changes): a whole number, or a half where the median
    falls between two: ``median_count(1.0) == "1"``, ``median_count(0.5) == "0.5"``."""
    if _missing(value):
        return "–"
    return number(value) if float(value).is_integer() else number(value, 1)


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """A count with its noun: ``plural(1, "child", "children") == "1 child"``;
    ``plural(3, "group") == "3 groups"``; under suppression ``"<5 groups"``."""
    word = noun if n == 1 and not suppressed(n) else (plural_form or noun + "s")
    return f"{count(n)} {word}"


def verb(n: int, one: str = "was", many: str = "were") -> str:
    """The verb that agrees with a count as shown: ``verb(1) == "was"``, ``verb(3) == "were"``;
    a suppressed count reads "<5", so it takes the plural."""
    return one if n == 1 and not suppressed(n) else many


def children(n: int) -> str:
    """``children(1) == "1 child"``, ``children(40) == "40 children"``."""
    return plural(n, "child", "children")


def days(value: float | int | None) -> str:
    """Days rounded to whole days: ``days(211.6) == "212 days"``, ``days(1) == "1 day"``.
    Days are not counts of people: never suppressed."""
    if _missing(value):
        return "– days"
    n = whole(value)
    return f"{number(n)} {'day' if n == 1 else 'days'}"


def pct(value: float | None, digits: int = 0) -> str:
    """A percentage already on the 0–100 scale: ``pct(29.4) == "29%"``."""
    if _missing(value):
        return "–%"
    return f"{half_up(value, digits):.{digits}f}%"


def pct_of(value: float | None, *counts: float | int | None, digits: int = 0) -> str:
    """A percentage built on ``counts``: hidden ("–%") when any of them is suppressed."""
    return "–%" if any(suppressed(c) for c in counts) else pct(value, digits)


def count_of(k: int, n: int, noun: str = "children", digits: int = 0) -> str:
    """``count_of(12, 40) == "12 of 40 children (30%)"``; under suppression
    ``count_of(3, 40) == "<5 of 40 children"`` (the % would give the count away)."""
    if suppressed(k) or suppressed(n):
        return f"{count(k)} of {count(n)} {noun}"
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


_MD_PUNCT = re.compile(r"([\\`*_\[\]{}()#+!|~:])")


def unit(params: Any) -> str:
    """Whose report it is, as the text names it: "RAA" for a regional adoption agency's
    params (they name its members), else "LA"."""
    return "RAA" if getattr(params, "members", None) else "LA"


def escape(text: Any) -> str:
    """A value from params or data made safe to put in Markdown (or HTML) built by the kit:
    HTML's ``& < >`` escaped and Markdown punctuation backslash-escaped, so it shows as written
    and can neither add markup nor a link (``:`` too: no autolink).
    ``escape("<b>A*B</b>") == "&lt;b&gt;A\\*B&lt;/b&gt;"``.
    """
    return _MD_PUNCT.sub(r"\\\1", html.escape(str(text), quote=False))


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

#: The rule, stated once for the report (the rule itself is ``measures.ratings``).
RAG_RULE = (
    "Ratings: green when the figure is at or better than its benchmark (the scorecard "
    "threshold where there is one, else the local standard or the national figure); amber "
    "when it is worse but within 10% of the benchmark; red when it is more than 10% worse. "
    "Figures with no published benchmark are not rated."
)


RAG_SYMBOL = {"green": "Green", "amber": "Amber", "red": "Red", "not rated": "Not rated"}
#: A shape per rating, so that a rating never rests on colour alone.
RAG_SHAPE = {"green": "●", "amber": "◆", "red": "▲", "not rated": "○"}


def rag_badge(rating: str) -> str:
    """A rating shown by shape, word and colour (CSS ``rag rag-<rating>``), never colour alone:
    ``rag_badge("red") == '<span class="rag rag-red">▲ Red</span>'``."""
    key = str(rating).lower()
    if key not in RAG_SYMBOL:
        return escape(rating)
    css = key.replace(" ", "-")
    return f'<span class="rag rag-{css}">{RAG_SHAPE[key]} {RAG_SYMBOL[key]}</span>'


# -- direction of travel ------------------------------------------------------------------

def trend_phrase(points: Sequence[tuple[str, float]], fmt, better: str | None = None,
                 clear: int | None = None) -> str:
    """How a figure moved over the years, in words, from ``(year, value)`` points in order
    (missing values dropped): "rose from 30% in 2023-24 to 63% in 2025-26"; a change of
    direction is said: "fell from 153 days in 2023-24 to 112 days in 2024-25, then rose to
    151 days in 2025-26". ``better`` ("lower"/"higher") adds whether the move is an
    improvement. Values are compared as shown (``fmt``), so a change too small to show is
    "stayed at"."""
    pts = [(y, v) for y, v in points if not _missing(v)]
    if len(pts) < 2:
        return ""
    shown = [fmt(v) for _, v in pts]

    def move(a: int, b: int) -> str:
        if shown[a] == shown[b]:
            return "stayed at"
        return "rose" if pts[b][1] > pts[a][1] else "fell"

    first, last = 0, len(pts) - 1
    # A turn: the middle point is beyond both ends in the same direction.
    turn = None
    for i in range(1, last):
        if (move(i - 1, i), move(i, i + 1)) in (("rose", "fell"), ("fell", "rose")):
            turn = i
            break
    if turn is not None:
        text = (f"{move(first, turn)} from {shown[first]} in {pts[first][0]} to {shown[turn]} "
                f"in {pts[turn][0]}, then {move(turn, last)} to {shown[last]} in "
                f"{pts[last][0]}")
    elif move(first, last) == "stayed at":
        text = f"stayed at {shown[first]} from {pts[first][0]} to {pts[last][0]}"
    else:
        middle = "".join(f" ({shown[i]} in {pts[i][0]})" for i in range(1, last))
        text = (f"{move(first, last)} from {shown[first]} in {pts[first][0]} to "
                f"{shown[last]} in {pts[last][0]}{middle}")
    if better and shown[first] != shown[last] and clear == 0:
        text += f": no clear change from {pts[first][0]}"
    elif better and shown[first] != shown[last]:
        up = pts[last][1] > pts[first][1] if not clear else clear > 0
        good = up if better == "higher" else not up
        text += (f": better than in {pts[first][0]}" if good
                 else f": worse than in {pts[first][0]}")
    return text


# -- words a reader knows -----------------------------------------------------------------

#: The report's terms, in words (rendered as the glossary at the end of section 0).
GLOSSARY: dict[str, str] = {
    "A1": "Scorecard measure: average days from entering care to moving in with the adoptive "
          "family, for children adopted in the period (threshold 14 months).",
    "A2": "Scorecard measure: average days from the placement order to the decision that a "
          "child and an adoptive family are a match (threshold 4 months).",
    "A3": "Scorecard measure: the share of children adopted who moved in with their adoptive "
          "family less than 14 months after entering care.",
    "A10": "As A1, but for a child adopted by their foster carers the clock stops on the day "
           "the child moved in with those carers; reported in place of A1 since 2021-22.",
    "ADM": "Agency decision maker: the senior manager who decides, on the adoption panel's "
           "advice, that a child should be placed for adoption (the ADM decision).",
    "AO": "Adoption order: the court order that makes the adoption legal; the end of the "
          "child's journey.",
    "ASGLB": "Adoption and Special Guardianship Leadership Board, which publishes national "
             "adoption data.",
    "Concurrent planning": "A child is placed with approved foster carers who will adopt the "
                           "child if the court agrees, while work to return the child home "
                           "continues.",
    "Drift": "A child whose current stage has already run longer than its standard.",
    "Early permanence": "Fostering for adoption or concurrent planning: the child lives with "
                        "the family who may adopt them before the placement order.",
    "FfA": "Fostering for adoption: a child in care is placed with approved adopters, as foster "
           "carers, before the court has decided on adoption.",
    "IRO": "Independent reviewing officer: chairs the child's looked-after reviews; the IRO's "
           "recommendation of adoption starts the second stage of the journey.",
    "Looked after": "A child in the care of the local authority (a child in care).",
    "Match": "The decision that a particular adoptive family is right for a child.",
    "Placement order (PO)": "The court's authority for the local authority to place a child "
                            "for adoption.",
    "RAG": "Red, amber, green: the rating of a figure against its benchmark (the rule is stated "
           "under the headline figures).",
    "Representation ratio": "A group's share among children adopted (or with an ADM decision) "
                            "divided by its share among children looked after; under 1 means "
                            "fewer than its share.",
    "SGO": "Special guardianship order: a court order placing a child long term with a carer, "
           "often a relative, without ending the legal tie to the birth parents.",
    "Sibling group": "Brothers and sisters to be placed together, who share a sibling group "
                     "identifier in the local data.",
    "UASC": "Unaccompanied asylum-seeking child.",
}


def glossary_markdown(terms: dict[str, str] | None = None) -> str:
    """The glossary as a Markdown definition list (bold term, then its meaning)."""
    terms = GLOSSARY if terms is None else terms
    return "\n".join(f"- **{escape(k)}**: {v}" for k, v in sorted(
        terms.items(), key=lambda kv: kv[0].lower()))


# -- table columns worded as the narrative words them ----------------------------------------

def whole_col(values) -> pd.Series:
    """Numbers rounded half up to whole numbers (nullable integers), for day columns."""
    s = pd.to_numeric(pd.Series(values), errors="coerce").astype("float64")
    return pd.Series(np.floor(s + 0.5), index=s.index).astype("Int64")


def pct_col(values, digits: int = 0) -> pd.Series:
    """Percentages as the narrative words them ("29%"); "–" when missing."""
    s = pd.Series(values)
    return s.map(lambda v: "–" if _missing(v) else pct(v, digits)).astype("string")


def methodology_markdown() -> str:
    """docs/methodology.md for the report: its title dropped and headings moved down a level,
    so it sits under a section's own heading."""
    from diagnostic_kit import kit_files

    text = kit_files.methodology_file().read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + ln if ln.startswith("## ") else ln for ln in lines).strip()
