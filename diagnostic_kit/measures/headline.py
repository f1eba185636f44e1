"""The one form in which every section declares its findings for the summary.

A **headline** is one measure of one section as the summary weighs it: its value and the count
it rests on, the benchmark it is rated against (with the benchmark's period and whether the
benchmark is confirmed), its rating (``measures.ratings``), and its **reach**: how many children,
households or audits it touches (those over the standard, those not approved in time, every
child placed at a cost over the fee). Each section's measures module has a ``headlines(...)``
function returning a list of them; section 0 ranks them all with :func:`rank` and shows the
red and amber ones, most important first.

**Impact** (the rank): reach × gap, where the gap is how far the figure is from its benchmark
in the worse direction, as a share of the benchmark, capped at 1 (a figure twice as bad as its
benchmark or worse counts as wholly off). So 30 children 10% over a standard (impact 3) rank
below 10 households of whom none met a 50% target (impact 10). Red findings always come before
amber ones; ties keep the sections' order.

A figure whose benchmark is not confirmed (``confirmed`` false) may be shown with the benchmark
beside it, but it is never rated: its rating is ``not rated`` whatever the figures say.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from diagnostic_kit.measures.ratings import missing, rag

Unit = Literal["days", "pct", "count", "pounds", "ratio"]
#: Red before amber before green; not rated last.
RATING_ORDER = {"red": 0, "amber": 1, "green": 2, "not rated": 3}


@dataclass(frozen=True)
class Headline:
    """One section's finding in the form the summary reads (see the module).

    ``key`` is stable and snake_case (an improvement rule names it); ``label`` names the measure
    for a reader; ``statistic`` says what ``value`` is (``mean``, ``median``, ``share``,
    ``count``, ``per``: a unit cost or rate); ``noun`` what ``n`` and ``reach`` count
    (``children``, ``households``, ``audits``); ``evidence`` the anchor of the table or list
    in the report that shows it (``#s05-...``)."""

    key: str
    section: str
    label: str
    value: float | None
    unit: Unit
    n: int
    statistic: str = "mean"
    noun: str = "children"
    benchmark: float | None = None
    benchmark_label: str = ""
    benchmark_kind: str = ""
    better: Literal["lower", "higher"] = "lower"
    confirmed: bool = True
    reach: int = 0
    evidence: str = ""
    #: Extra figures an improvement rule or sentence may use (e.g. days over, households).
    detail: dict = field(default_factory=dict)

    @property
    def rating(self) -> str:
        """``green``/``amber``/``red`` by the one RAG rule against the benchmark; ``not rated``
        with no figure, no benchmark, nothing measured or an unconfirmed benchmark."""
        if not self.confirmed or not self.n:
            return "not rated"
        return rag(self.value, self.benchmark, self.better)

    @property
    def gap(self) -> float:
        """How far the figure is from its benchmark in the worse direction, as a share of the
        benchmark, from 0 (at or better) to 1 (twice as bad or worse)."""
        if missing(self.value) or missing(self.benchmark) or not self.benchmark:
            return 0.0
        worse = (self.value - self.benchmark) if self.better == "lower" else (
            self.benchmark - self.value)
        return min(max(worse / abs(self.benchmark), 0.0), 1.0)

    @property
    def impact(self) -> float:
        """Reach × gap (see the module): the rank among findings needing attention."""
        return self.reach * self.gap

    def with_(self, **changes) -> Headline:
        """A copy with ``changes``."""
        return replace(self, **changes)


def needs_attention(headlines: Iterable[Headline]) -> list[Headline]:
    """The red and amber findings."""
    return [h for h in headlines if h.rating in ("red", "amber")]


def rank(headlines: Iterable[Headline]) -> list[Headline]:
    """Findings in order of importance: red before amber before green before not rated, then
    by impact (largest first); ties keep their given order."""
    items = list(headlines)
    return sorted(items, key=lambda h: (RATING_ORDER.get(h.rating, 3),
                                        -(0.0 if math.isnan(h.impact) else h.impact)))
