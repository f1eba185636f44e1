"""The one form in which every section declares its findings for the summary.

A **headline** is one measure of one section as the summary weighs it: its value and the count
it rests on, the benchmark it is rated against (with the benchmark's period and whether the
benchmark is confirmed), its rating (``measures.ratings``), and its **reach**: how many children,
households or audits it touches (those over the standard, those not approved in time, every
child placed at a cost over the fee). Each section's measures module has a ``headlines(...)``
function returning a list of them; section 0 ranks them all with :func:`rank` and shows the
red and amber ones, most important first.

**Reach** is how many the finding touches: for a measure of days, the children over the
benchmark; for a share, the shortfall in people against the benchmark (a 50% target met by 3 of
49 households: 50% × 49 − 3 = 21.5, so 22 households); for a unit cost, the children placed at
that cost.

**Impact** (the rank): reach × gap, where the gap is how far the figure is from its benchmark
in the worse direction, as a share of the benchmark, capped at 1 (a figure twice as bad as its
benchmark or worse counts as wholly off). So 30 children with a mean 10% over a threshold
(impact 3) rank below 10 households short of a target the LA missed by half (impact 5). Where a
section knows each person's own distance (each child's days over a stage's standard), it gives
the sum of those gaps (each capped at 1) as ``weight``, which is used instead. Red findings
always come before amber ones; ties keep the sections' order.

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
    #: The sum of each person's own gap (capped at 1 each) where the section knows it, e.g.
    #: each child's days over a stage's standard as a share of it; used for impact in place
    #: of reach × gap.
    weight: float | None = None
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
        if missing(self.value) or missing(self.benchmark):
            return 0.0
        worse = (self.value - self.benchmark) if self.better == "lower" else (
            self.benchmark - self.value)
        if not self.benchmark:  # a benchmark of 0: any shortfall is wholly off
            return 1.0 if worse > 0 else 0.0
        return min(max(worse / abs(self.benchmark), 0.0), 1.0)

    @property
    def impact(self) -> float:
        """Reach × gap, or the section's ``weight`` where it gives one (see the module): the
        rank among findings needing attention."""
        return self.weight if self.weight is not None else self.reach * self.gap

    def with_(self, **changes) -> Headline:
        """A copy with ``changes``."""
        return replace(self, **changes)


def shortfall(k: float, n: int, target_pct: float, better: str = "higher") -> int:
    """People short of a target share: ``target_pct`` % of ``n`` less the ``k`` who met it
    (rounded up; 0 when the target is met). For a share where lower is better, those over it.

    >>> shortfall(3, 49, 50), shortfall(40, 49, 50), shortfall(20, 100, 10, "lower")
    (22, 0, 10)
    """
    need = (target_pct * n / 100 - k) if better == "higher" else (k - target_pct * n / 100)
    return max(0, math.ceil(need - 1e-9))


def needs_attention(headlines: Iterable[Headline]) -> list[Headline]:
    """The red and amber findings."""
    return [h for h in headlines if h.rating in ("red", "amber")]


def rank(headlines: Iterable[Headline]) -> list[Headline]:
    """Findings in order of importance: red before amber before green before not rated, then
    by impact (largest first); ties keep their given order."""
    items = list(headlines)
    return sorted(items, key=lambda h: (RATING_ORDER.get(h.rating, 3),
                                        -(0.0 if math.isnan(h.impact) else h.impact)))
