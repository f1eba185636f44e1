"""Every section's findings (``measures.headline.Headline``) in words: one sentence each, with
the figure, the count it rests on, the benchmark and its basis, the rating, and a link to the
table in the report that shows it. Section 0 uses these for "What needs attention" and "What
is going well"; a notebook may edit any sentence it is given.
"""

from __future__ import annotations

import re

import pandas as pd

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures.headline import Headline
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.children import group_sentence, with_phrases
from diagnostic_kit.present.timescales import STAGE_LABELS

#: What a rating says against each kind of benchmark, by which way is better.
_AGAINST = {
    "threshold": ("within the threshold", "a little over the threshold", "over the threshold"),
    "standard": ("within the standard", "a little over the standard", "over the standard"),
    "england": ("better than England", "a little worse than England", "worse than England"),
    "fee": ("at or under the fee", "a little over the fee", "over the fee"),
}
_AGAINST_HIGHER = {
    "target": ("at or above the target", "a little below the target", "below the target"),
    "rule": ("not under-represented", "a little under-represented", "under-represented"),
    "england": ("better than England", "a little worse than England", "worse than England"),
}
_AGAINST_LOWER_TARGET = ("at or under the target", "a little over the target",
                         "over the target")


def against(rating: str, kind: str, better: str = "lower") -> str:
    """What a rating means against its kind of benchmark: "over the threshold", "below the
    target"; "" when not rated."""
    if rating not in ("green", "amber", "red"):
        return ""
    i = ("green", "amber", "red").index(rating)
    if better == "higher":
        words = _AGAINST_HIGHER.get(kind, _AGAINST_HIGHER["target"])
    elif kind == "target":
        words = _AGAINST_LOWER_TARGET
    else:
        words = _AGAINST.get(kind, _AGAINST["standard"])
    return words[i]


def rated(h: Headline, england: str = "not rated") -> str:
    """The rating by shape, word and colour with what it is against: "▲ Red: below the
    target"; with England's comparison where the benchmark is not England's own."""
    if h.rating not in ("green", "amber", "red"):
        return ""
    text = f"{nv.rag_badge(h.rating)}: {against(h.rating, h.benchmark_kind, h.better)}"
    if h.benchmark_kind != "england" and england in ("better", "worse"):
        text += f", {england} than England"
    elif h.benchmark_kind != "england" and england == "same":
        text += ", the same as England"
    return text


def see(anchor: str) -> str:
    """The words of a link to evidence, readable on paper too: "see section 2" for an anchor
    in section 2 (``#s02-…``), else "see the table"."""
    m = re.match(r"#s(\d\d)-", anchor)
    return f"see section {int(m.group(1))}" if m and int(m.group(1)) else "see the table"


def link(h: Headline, words: str | None = None) -> str:
    """A link to the evidence of a finding (:func:`see`), or "" when it names none."""
    return f" ([{words or see(h.evidence)}]({h.evidence}))" if h.evidence else ""


def _figure(h: Headline) -> str:
    """The figure as a sentence gives it, with the count it rests on."""
    if h.unit == "days":
        return f"{nv.days(h.value)} ({nv.plural(h.n, _one(h.noun), h.noun)})"
    if h.unit == "pct":
        k = h.detail.get("k")
        if k is not None:
            return nv.count_of(int(k), h.n, h.noun)
        return f"{nv.pct_of(h.value, h.n)} of {nv.plural(h.n, _one(h.noun), h.noun)}"
    if h.unit == "pounds":
        return f"{nv.money(h.value)} ({nv.plural(h.n, _one(h.noun), h.noun)})"
    if h.unit == "ratio":
        return nv.ratio(h.value)
    return nv.count(h.value)


def _one(noun: str) -> str:
    return {"children": "child", "households": "household", "audits": "audit"}.get(
        noun, noun.removesuffix("s"))


def _benchmark(h: Headline) -> str:
    if h.benchmark is None or nv._missing(h.benchmark):
        return ""
    note = "" if h.confirmed else " (not confirmed against the published figure, so not rated)"
    return f"against {h.benchmark_label}{note}"


def sentence(h: Headline, params: Params) -> str:
    """One finding in words (see the module). The timescale findings of section 2 have their
    own sentences in ``present.summary``; this gives every other section's."""
    ref = nv.date_text(params.reference_date)
    d = h.detail
    if h.key == "early_permanence":
        who = (f"None of the {nv.children(h.n)} adopted in the period" if not d["k"] and h.n
               else f"{nv.count_of(int(d['k']), h.n)} adopted in the period")
        text = (f"{who} had an early-permanence placement (fostering for adoption or "
                f"concurrent planning) before their adoptive placement, {_benchmark(h)}")
    elif h.key == "adopter_approval_within_6_months":
        text = (f"{nv.count_of(int(d['k']), h.n, 'households')} approved in the period were "
                f"approved within 6 months of registration, {_benchmark(h)}")
    elif h.key == "approved_adopters_waiting":
        over = int(d["over_year"])
        text = (f"{nv.plural(h.n, 'approved household', 'approved households').capitalize()} "
                f"{nv.verb(h.n)} waiting to be matched at {ref}, a median of "
                f"{nv.days(h.value)} since approval ({nv.count(over)} of them over a year), "
                f"{_benchmark(h)}")
        kids, sib = int(d["children_po_waiting"]), int(d["children_po_waiting_siblings"])
        end = f": {rated(h)}" if rated(h) else ""
        tail = (f"; at the same date {nv.children(kids)} with a placement order "
                f"{nv.verb(kids)} waiting to be placed, {nv.count(sib)} of them in sibling "
                "groups" if kids else "")
        return f"{text}{end}{tail}{link(h)}."
    elif h.key == "audits_good_or_better":
        text = (f"{nv.count_of(int(d['k']), h.n, 'audits')} were graded good or outstanding, "
                f"{_benchmark(h)}; {nv.count(int(d['inadequate']))} "
                f"{'was' if int(d['inadequate']) == 1 else 'were'} inadequate")
    elif h.key == "audit_child_protected":
        text = (f"Question 10 of the audit form (children protected, interests promoted) was "
                f"answered yes in {nv.count_of(int(d['k']), h.n, 'audits')} where it applied "
                f"and no in {nv.count(int(d['no']))}, {_benchmark(h)}")
    elif h.key == "under_represented":
        row = with_phrases(pd.DataFrame([d["row"]])).iloc[0]
        text = group_sentence(row).rstrip(".")
        text += f", {_benchmark(h)}"
    elif h.key == "under5_c1_v2_at_two_years":
        years = d["entry_years"]
        span = f"entered care from {years[0]} to {years[-1]}" if len(years) > 1 else \
            f"entered care in {years[0]}" if years else "entered care"
        text = (f"{nv.count(int(h.value))} of the {nv.children(h.n)} who {span} under five "
                f"and were still looked after two years later {nv.verb(int(h.value))} still on "
                f"an interim care order ({nv.count(int(d['c1']))}) or accommodated under s20 "
                f"({nv.count(int(d['v2']))}) on that day, "
                + ("when none should be (care proceedings are to finish within 26 weeks, and "
                   "s20 is not for holding a young child's care for years)" if not h.benchmark
                   else f"against {h.benchmark_label}"))
    elif h.key == "under5_three_plus_placements":
        text = (f"{nv.count_of(int(d['within']), h.n)} still looked after two years after "
                "entering care under five had three or more placements in that time, against "
                f"{nv.pct(h.benchmark)} in {h.benchmark_label.removeprefix('England ')}")
    elif h.key == "unit_cost_per_child_placed":
        text = (f"Placing a child for adoption cost {nv.money(h.value)} a child in "
                f"{d['year']} ({nv.children(h.n)} placed; the placing share of the service's "
                f"costs with its part of the overheads), against the "
                f"{nv.money(h.benchmark)} interagency fee of that year"
                if h.benchmark else
                f"Placing a child for adoption cost {nv.money(h.value)} a child in "
                f"{d['year']} ({nv.children(h.n)} placed), with no confirmed interagency fee "
                "for that year to set it against")
    elif h.key == "placed_within_12_months_of_adm":
        text = (f"An estimated {nv.pct_of(h.value, h.n)} of the {nv.children(h.n)} with an ADM "
                "decision in the period were placed with adopters within 12 months of it, "
                f"counting the {nv.count(int(d.get('waiting', 0)))} still waiting and the "
                f"{nv.count(int(d.get('left', 0)))} who left another way, {_benchmark(h)}")
    elif h.key == "po_waiting_18m":
        k = int(h.value)
        text = (f"{nv.children(k).capitalize() if k else 'No child'} with a placement order "
                f"{nv.verb(k, 'had', 'had')} waited 18 months or more since it at {ref} "
                f"({nv.count(h.n)} with an order not yet placed), {_benchmark(h)}")
    elif h.key.startswith("stage_"):
        label = STAGE_LABELS[h.key.removeprefix("stage_")]
        text = (f"{label} took a median of {nv.days(h.value)} (mean {nv.days(d['mean'])}; "
                f"{nv.children(h.n)}), {nv.versus_standard(h.value, int(h.benchmark), None)}"
                .replace(f"the {int(h.benchmark)}-day standard", h.benchmark_label))
    else:
        text = f"{nv.lower_first(h.label).capitalize()}: {_figure(h)}"
        bench = _benchmark(h)
        if bench:
            text += f", {bench}"
    end = f": {rated(h)}" if rated(h) else ""
    return f"{text}{end}{link(h)}."


# -- the headline table's cells ---------------------------------------------------------------

_TABLE_LABELS = {
    "early_permanence": "Children adopted who had an early-permanence placement (%)",
    "adopter_approval_within_6_months": "Households approved within 6 months of registration "
                                        "(%)",
    "approved_adopters_waiting": "Approved households waiting to be matched (median days "
                                 "since approval)",
    "audits_good_or_better": "Case audits graded good or outstanding (%)",
    "audit_child_protected": "Audits showing children protected (question 10 answered yes, %)",
    "unit_cost_per_child_placed": "Cost per child placed for adoption (latest full year)",
    "under5_three_plus_placements": "Under-fives looked after two years with three or more "
                                    "placements (%, every entry year)",
    "under5_c1_v2_at_two_years": "Under-fives on an interim care order or s20 two years after "
                                 "entering care (every entry year)",
    "under5_drift_list": "Under-fives on the drift list (every entry year)",
    "unit_cost_per_adopter_approved": "Cost per adopter household approved (latest full "
                                      "year)",
    "placed_within_12_months_of_adm": "Children placed within 12 months of the ADM decision, "
                                      "counting those still waiting (%)",
}


def table_label(h: Headline) -> str:
    """A finding's name in the headline table."""
    if h.key == "under_represented":
        row = h.detail["row"]
        base = "those who entered care under five" if h.detail.get("under5") else \
            "children looked after"
        return (f"Representation of {row['heading'].lower()} {row['category']} among children "
                f"adopted (ratio to {base})")
    return _TABLE_LABELS.get(h.key, nv.lower_first(h.label).capitalize())


def table_figure(h: Headline) -> str:
    """A finding's figure in the headline table, with its other average where it has one."""
    if h.unit == "days" and h.statistic == "median" and "mean" in h.detail:
        return f"median {nv.days(h.value)}; mean {nv.days(h.detail['mean'])}"
    if h.key == "placed_within_12_months_of_adm" and h.n:
        return (f"{nv.pct_of(h.value, h.n)} (95% interval {nv.pct_of(h.detail['low'], h.n)} "
                f"to {nv.pct_of(h.detail['high'], h.n)}; {nv.children(h.n)})")
    if h.unit == "pct" and h.detail.get("k") is not None:
        return f"{nv.pct_of(h.value, h.n, h.detail['k'])} ({nv.count(int(h.detail['k']))} " \
               f"of {nv.count(h.n)})"
    return _figure(h)


def table_benchmark(h: Headline) -> str:
    """A finding's benchmark in the headline table ("–" when it has none)."""
    if h.benchmark is None or nv._missing(h.benchmark):
        return "–"
    note = "" if h.confirmed else " (not confirmed: not rated)"
    if h.unit == "days":
        value = nv.days(h.benchmark)
    elif h.unit == "pct":
        value = nv.pct(h.benchmark)
    elif h.unit == "pounds":
        value = nv.money(h.benchmark)
    elif h.benchmark == 0 or re.search(rf"(?<![\d.]){re.escape(f'{h.benchmark:g}')}(?![\d])",
                                       h.benchmark_label):
        # "none expected", "a ratio under 0.8": the words give the value already.
        return f"{h.benchmark_label}{note}"
    else:
        value = nv.ratio(h.benchmark) if h.unit == "ratio" else nv.number(h.benchmark)
    return f"{h.benchmark_label} ({value}){note}"
