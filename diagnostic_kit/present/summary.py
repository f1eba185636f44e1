"""Section 0 in words: the executive summary (what is going well, what needs attention, the
direction of travel, where to look first), the headline table, from
``measures.summary.headlines`` and ``measures.summary.trends``.

Every sentence is built from computed values with ``present.narrative``'s helpers, so small
counts are suppressed; a notebook may edit, drop or reorder any list of sentences.
"""

from __future__ import annotations

import re

import pandas as pd

from diagnostic_kit import registry
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import headline as mh
from diagnostic_kit.measures import summary
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures.headline import Headline
from diagnostic_kit.present import headlines as hl
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present import timescales as pts
from diagnostic_kit.present.timescales import STAGE_LABELS, period_label, scorecard_labels
from diagnostic_kit.registry import table_anchor

#: Section anchors of the assembled report (``section-<key>``).
#: Where "Where to look first" sends the reader: the heading of the table it names (an id the
#: report makes from the heading's text in that section's notebook; tests/test_e2e.py checks
#: every link resolves, so a reworded heading is caught).
ANCHORS = {"02_timescales": "#s02-Drift-now:-children-in-the-process-at-the-reference-date",
           "04_under_fives": "#s04-Drift-list"}


def _finding(key: str, params: Params) -> str:
    labels = scorecard_labels(params)
    if key in labels:
        return labels[key]
    if key.startswith("stage_"):
        return f"{STAGE_LABELS[key.removeprefix('stage_')]} (median days)"
    return {
        "children_adopted": "Children adopted in the period",
        "adopted_share_of_leavers": "Children leaving care who left through adoption",
        "entry_to_ao": "Care entry to adoption order (mean days)",
        "drift_now": "Children in the process now over their stage's standard",
        "po_waiting_18m": "Children with a placement order waiting 18+ months since it",
    }[key]


def when(period: str, older: bool) -> str:
    """A comparator's period as the reader sees it: "year ending 31 March 2025", or, when it
    ended before the reporting period began, "latest published: 2015-18, three-year average"."""
    text = str(period or "").strip()
    if not older:
        return text
    flat = text.replace(" (", ", ").replace(")", "")
    return f"latest published: {flat}"


def _figure(r: pd.Series) -> str:
    if r["key"] == "children_adopted":
        text = f"{nv.count(int(r['value']))} ({nv.number(r['per_year'])} a year"
        if r["compare_label"]:
            text += f"; {nv.count(int(r['compare_value']))} in {r['compare_label']}"
        return text + ")"
    if r["benchmark_kind"] == "england" and r["compare_label"]:
        # Rated like for like: the latest year's figure against England's yearly one; the whole
        # period's beside it (the figure metrics.json gives).
        if r["unit"] == "pct":
            return (f"{nv.pct_of(r['compare_value'], r['compare_within'], r['compare_children'])}"
                    f" in {r['compare_label']} ({nv.count(int(r['compare_within']))} of "
                    f"{nv.count(int(r['compare_children']))}); "
                    f"{nv.pct_of(r['value'], r['within'], r['children'])} over the period")
        return (f"{nv.days(r['compare_value'])} in {r['compare_label']}; "
                f"{nv.days(r['value'])} over the period")
    if r["unit"] == "days" and r["statistic"] == "mean" and not pd.isna(r["median"]):
        return f"mean {nv.days(r['value'])}; median {nv.days(r['median'])}"
    if r["unit"] == "days" and r["statistic"] == "median" and not pd.isna(r["mean"]):
        return f"median {nv.days(r['value'])}; mean {nv.days(r['mean'])}"
    if r["unit"] == "days":
        return nv.days(r["value"])
    if r["unit"] == "pct":
        return f"{nv.pct_of(r['value'], r['within'], r['children'])} " \
               f"({nv.count(int(r['within']))} of {nv.count(int(r['children']))})"
    return nv.count(int(r["value"]))


def _england(r: pd.Series) -> str:
    """England's figure with its period, like for like ("England 172 days, latest published:
    first three quarters of 2017-18")."""
    if pd.isna(r["england"]):
        return ""
    if r["key"] == "children_adopted":
        value = f"{nv.number(r['england'])} children a year"
    elif r["unit"] == "pct":
        value = f"{nv.number(r['england'])}%"
    else:
        value = nv.days(r["england"])
    return f"England {value}, {when(r['england_period'], r['england_older'])}"


def _benchmark(r: pd.Series, params: Params | None = None) -> str:
    kind = r["benchmark_kind"]
    if r["key"] == "children_adopted":
        return _england(r) or "no national figure"
    if kind == "threshold":
        text = f"threshold {nv.days(r['benchmark'])} ({r['benchmark_period']})"
        if not pd.isna(r["england"]):
            text += f"; {_england(r)}"
            if r["compare_label"] and r["compare_label"] != summary.WHOLE:
                text += f" (against {nv.days(r['compare_value'])} in {r['compare_label']})"
        return text
    if kind == "standard":
        return f"standard {r['benchmark_period']} ({nv.days(r['benchmark'])})"
    if kind == "england":
        return _england(r) or "no national figure"
    if kind == "target":
        whose = "kit default" if params is None or _default_target(r["key"], params) \
            else f"this {nv.unit(params)}'s"
        return f"local target: {r['benchmark_period']} ({whose})"
    return "no published target" if r["key"] == "a3" else "–"


#: The local targets behind the headline rows rated against one.
_ROW_TARGETS = {"po_waiting_18m": "po_waiting_18m_children"}


def _default_target(key: str, params: Params) -> bool:
    """Whether a row's local target is the kit's default."""
    from diagnostic_kit.inputs.params import default_values

    target = _ROW_TARGETS[key]
    return float(params.targets[target].value) == float(
        default_values()["targets"][target]["value"])


def _others(key: str, unit: str, comparators: pd.DataFrame | None) -> str:
    """The LA's own comparators for a row, as the benchmark cell adds them."""
    rows = summary.other_comparators(comparators, key)
    fmt = nv.pct if unit == "pct" else nv.days
    return "".join(f"; {r['area']} {fmt(float(r['value']))} ({r['period']})"
                   for _, r in rows.iterrows())


def headline_table(journeys: pd.DataFrame, periods: pd.DataFrame, params: Params,
                   head: pd.DataFrame | None = None,
                   found: list[Headline] | None = None,
                   comparators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Section 0's headline figures in words: finding, figure (a mean with its median beside
    it, a median with its mean), the count it rests on, benchmark (with its period), rating
    and the comparison with England. ``head`` is ``measures.summary.headlines`` when the
    caller has it already; ``found`` (``measures.summary.findings``) adds the other sections'
    findings (early permanence, adopters, costs, audits, who is adopted) after section 2's.
    ``comparators`` (the LA's ``local/comparators.csv``) adds its statistical neighbours' or
    region's figures beside England's."""
    h = summary.headlines(journeys, periods, params) if head is None else head
    children = h["children"].where(~(h["benchmark_kind"].eq("england")
                                     & h["compare_label"].ne("")), h["compare_children"])
    out = pd.DataFrame({
        "key": h["key"],
        "finding": h["key"].map(lambda k: _finding(k, params)),
        "figure": h.apply(_figure, axis=1),
        "children": children.astype("int64"),
        "benchmark": h.apply(lambda r: _benchmark(r, params), axis=1)
        + h.apply(lambda r: _others(r["key"], r["unit"], comparators), axis=1),
        "rating": h["rating"],
        "england": h["england_rating"],
    })
    extra = [f for f in (found or []) if f.key not in set(h["key"])]
    if not extra:
        return out
    more = pd.DataFrame({
        "key": [f.key for f in extra],
        "finding": [hl.table_label(f) for f in extra],
        "figure": [hl.table_figure(f) for f in extra],
        "children": [int(f.n) for f in extra],
        "benchmark": [hl.table_benchmark(f) for f in extra],
        "rating": [f.rating for f in extra],
        "england": "not rated",
    })
    return pd.concat([out, more], ignore_index=True)


# -- the executive summary --------------------------------------------------------------------

def _against(rating: str, kind: str) -> str:
    if kind == "england":
        return {"green": "better than England", "amber": "a little worse than England",
                "red": "worse than England"}.get(rating, "")
    word = "standard" if kind == "standard" else "threshold"
    return {"green": f"within the {word}", "amber": f"a little over the {word}",
            "red": f"over the {word}"}.get(rating, "")


def rating_words(rating: str, kind: str | None, england: str = "not rated") -> str:
    """A rating by shape, word and colour, with what it is against, and England's comparison
    where there is one: "▲ Red: over the threshold, better than England"."""
    if rating not in ("green", "amber", "red"):
        return ""
    text = f"{nv.rag_badge(rating)}: {_against(rating, kind or '')}"
    if kind != "england" and england in ("better", "worse"):
        text += f", {england} than England"
    elif kind != "england" and england == "same":
        text += ", the same as England"
    return text


def _sentence(r: pd.Series, params: Params) -> str | None:
    """One finding, one sentence: figure, count, comparator and its year, rating."""
    key, kind = r["key"], r["benchmark_kind"]
    n = int(r["children"])
    if key in ("a1", "a10", "a2"):
        name = key.upper()
        what = {"a1": "care entry to moving in with the adoptive family",
                "a10": "as A1, counted to moving in with foster carers who adopt",
                "a2": "placement order to match"}[key]
        versus = nv.versus_standard(r["value"], int(r["benchmark"]), noun="threshold")
        median = "" if pd.isna(r["median"]) else f" (median {nv.days(r['median'])})"
        text = (f"{name} ({what}) averaged {nv.days(r['value'])}{median} over the period "
                f"({nv.children(n)}), {versus} ({r['benchmark_period']})")
        if not pd.isna(r["england"]):
            la = nv.days(r["compare_value"])
            span = ("over the period" if r["compare_label"] == summary.WHOLE
                    else f"in {r['compare_label']} ({nv.children(int(r['compare_children']))})")
            eng = (f"England's {nv.days(r['england'])} "
                   f"({when(r['england_period'], r['england_older'])})")
            if r["compare_label"] == summary.WHOLE:
                text += f", against {eng}"
            else:
                text += f"; {la} {span} against {eng}"
        return f"{text}: {rating_words(r['rating'], kind, r['england_rating'])}."
    if key == "adopted_share_of_leavers":
        if not r["compare_label"]:
            return None
        return (f"{nv.count_of(int(r['compare_within']), int(r['compare_children']))} leaving "
                f"care in {r['compare_label']} left through adoption, against England's "
                f"{nv.number(r['england'])}% ({when(r['england_period'], r['england_older'])})"
                f": {rating_words(r['rating'], kind)}.")
    if key == "entry_to_ao":
        if not r["compare_label"]:
            return None
        return (f"Children adopted in {r['compare_label']} took a mean of "
                f"{nv.days(r['compare_value'])} from care entry to adoption order "
                f"({nv.children(int(r['compare_children']))}), against England's "
                f"{nv.days(r['england'])} ({when(r['england_period'], r['england_older'])}): "
                f"{rating_words(r['rating'], kind)}.")
    if key.startswith("stage_"):
        if not n:
            return None
        label = STAGE_LABELS[key.removeprefix("stage_")]
        versus = nv.versus_standard(r["value"], int(r["benchmark"]), r["benchmark_period"])
        return (f"{label} took a median of {nv.days(r['value'])} ({nv.children(n)}), "
                f"{versus}: {rating_words(r['rating'], kind)}.")
    return None


#: Findings of section 2 whose sentences (with England's comparison, like for like) are built
#: from ``measures.summary.headlines``' rows by :func:`_sentence`.
_FROM_ROWS = ("a1", "a10", "a2", "adopted_share_of_leavers", "entry_to_ao")
#: At most this many findings in "What needs attention".
ATTENTION_LIMIT = 7


def finding_sentence(h: Headline, head: pd.DataFrame, params: Params) -> str | None:
    """One finding in words, with a link to the table that shows it."""
    if h.key in _FROM_ROWS:
        rows = head.loc[head["key"].eq(h.key)]
        text = _sentence(rows.iloc[0], params) if len(rows) else None
        return None if text is None else text.removesuffix(".") + f"{hl.link(h)}."
    return hl.sentence(h, params)


def attention(found: list[Headline], head: pd.DataFrame, params: Params,
              limit: int = ATTENTION_LIMIT) -> list[str]:
    """The red and amber findings of every section, most important first
    (``measures.headline.rank``: red before amber, then by impact), at most ``limit``; then
    one sentence per measure that counts under half of its children (:func:`thin_coverage`)."""
    out = [finding_sentence(h, head, params) for h in mh.rank(mh.needs_attention(found))]
    return [s for s in out if s][:limit] + thin_coverage(found)


def thin_coverage(found: list[Headline]) -> list[str]:
    """One sentence per finding whose measure counts under half of the children it could have
    counted (``detail["coverage"]["thin"]``, ``measures.timescales.coverage``), with the most
    common reason the rest were left out."""
    out = []
    for h in found:
        c = h.detail.get("coverage") if h.detail else None
        if not c or not c["thin"]:
            continue
        reason, k = c["reasons"][0] if c["reasons"] else ("", 0)
        out.append(
            f"{pts.coverage_name(h.key)} rests on {nv.count(c['measured'])} of the "
            f"{nv.children(c['eligible'])} adopted: {nv.count(c['left_out'])} "
            f"{nv.verb(c['left_out'])} left out"
            + (f" (most often: {reason}, {nv.count(k)})" if reason else "")
            + ". Read it with care; section 8 says why each child was left out.")
    return out


def attention_more(found: list[Headline], limit: int = ATTENTION_LIMIT) -> str:
    """A line saying how many more findings need attention than are listed, or ""."""
    more = len(mh.needs_attention(found)) - limit
    if more <= 0:
        return ""
    return (f"{nv.plural(more, 'further finding', 'further findings').capitalize()} rated red "
            f"or amber {nv.verb(more, 'is', 'are')} in the headline table below.")


#: The summary's table of every finding, where "What is going well" sends a reader.
HEADLINE_TABLE = "Headline figures against their benchmarks"


def _short_label(finding: str) -> str:
    """A headline table's finding without its unit: "Care entry to IRO recommendation (median
    days)" -> "care entry to IRO recommendation"."""
    return nv.lower_first(re.sub(r"\s*\((?:mean |median )?days\)$|\s*\(%[^)]*\)$", "", finding))


def _short_figure(figure: str) -> str:
    """A headline table's figure up to its first ";" or bracket outside brackets: "median 38
    days; mean 57 days" -> "median 38 days"; "75% (95% interval 58% to 86%; 51 children)" ->
    "75%"."""
    depth = 0
    for i, ch in enumerate(figure):
        if depth == 0 and (ch == ";" or figure.startswith(" (", i)):
            return figure[:i]
        depth += {"(": 1, ")": -1}.get(ch, 0)
    return figure


def well(table: pd.DataFrame) -> str:
    """The green findings of every section (not worse than England where compared), named in
    one sentence with their figures, in the order of the headline table (:func:`headline_table`)
    that gives each in full just below; "" when none is green."""
    rows = table.loc[table["rating"].eq("green") & table["england"].ne("worse")]
    if rows.empty:
        return ""
    items = [f"{_short_label(f)} ({_short_figure(v)})"
             for f, v in zip(rows["finding"], rows["figure"], strict=True)]
    n = len(items)  # findings, not children: never suppressed
    href = table_anchor("00_summary", HEADLINE_TABLE)
    return (f"{n} {'finding is' if n == 1 else 'findings are'} rated green ([each in the "
            f"headline table]({href})): {'; '.join(items)}.")


def days_lost_sentences(lost: pd.DataFrame, params: Params) -> list[str]:
    """Where the days are lost, from ``measures.timescales.days_lost``: the stage that costs
    the most child-days over its standard, then the next two, and how the stage standards add
    up against A1's threshold."""
    t = lost.loc[lost["days_over"].gt(0)]
    out = []
    if t.empty:
        out.append("No child adopted in the period or in the process now went over a stage's "
                   "standard.")
    else:
        r = t.iloc[0]
        link = table_anchor(ts.KEY, ts.EVIDENCE["stages"])
        text = (f"Most days are lost in **{nv.lower_first(STAGE_LABELS[r['stage']])}**: "
                f"{nv.number(r['days_over'])} child-days over its "
                f"{params.standards[r['stage']].adjective} standard "
                f"({nv.pct(r['share'])} of all the days over the standards), across "
                f"{nv.children(int(r['adopted_over']))} adopted in the period and "
                f"{nv.count(int(r['in_process_over']))} still in the process")
        rest = [f"{nv.lower_first(STAGE_LABELS[x['stage']])} ({nv.number(x['days_over'])} "
                f"child-days, {nv.pct(x['share'])})" for _, x in t.iloc[1:3].iterrows()]
        if rest:
            text += f"; then {nv.plain_list(rest)}"
        out.append(f"{text} ([{hl.see(link)}]({link})).")
    out.append(standards_sum_sentence(params))
    return out


def standards_sum_sentence(params: Params) -> str:
    """How the stage standards up to the adoptive placement add up against A1's threshold,
    and why they may differ."""
    a = ts.standards_against_a1(params)
    if a["difference"] == 0:
        return (f"The stage standards up to the adoptive placement add up to "
                f"{nv.days(a['to_placement'])}, A1's threshold: a child who meets every one "
                "meets A1.")
    if a["difference"] < 0:
        return (f"The stage standards up to the adoptive placement add up to "
                f"{nv.days(a['to_placement'])}, within A1's {nv.number(a['a1'])}-day "
                "threshold.")
    return (f"The stage standards up to the adoptive placement add up to "
            f"{nv.days(a['to_placement'])}, {nv.days(a['difference'])} more than A1's "
            f"{nv.number(a['a1'])}-day threshold: each is the most its own step should take (care "
            "proceedings 26 weeks, for example), not a share of A1, so a child whose every "
            "stage is within its standard can still miss A1. Meeting A1 needs most stages "
            f"well inside their standards; an {nv.unit(params)} can set stage standards that "
            "add up to A1 in its parameters.")


def direction_of_travel(trend: pd.DataFrame, params: Params, keys: tuple[str, ...] = (
        "children_adopted", "a1", "a10", "a2", "a3", "adopted_share_of_leavers", "entry_to_ao")
        ) -> list[str]:
    """How each yearly headline moved over the years of the period (section 2's
    ``trend_sentences``), one sentence each."""
    return pts.trend_sentences(trend, params, keys)


def scorecard_trends_pointer() -> str:
    """Where the scorecard measures' direction of travel is (section 2), said once there."""
    return ("How A1, A10, A2 and A3 moved year by year is in [section 2](#section-02_timescales), "
            "with the 95% interval of each year's A1, A10 and A2.")


def in_the_sections(lines: dict[str, list[str]]) -> list[str]:
    """One bullet per section that adds something to the findings above (its sentences that
    no finding says): a link to it, then those sentences. A section with nothing to add (its
    extracts not supplied, say) is left out: a link over nothing tells a reader nothing."""
    out = []
    for key, sentences in lines.items():
        text = " ".join(s for s in sentences if s)
        if text:
            spec = registry.section(key)
            out.append(f"[Section {spec.number}: {spec.short}](#section-{key}). {text}")
    return out


def where_to_look_first(head: pd.DataFrame, params: Params,
                        under_fives_drift: int | None = None,
                        po_waiting: int | None = None) -> list[str]:
    """Links to the lists of children a manager should look at first: section 2's drift list
    (children in the process over their stage's standard), children with a placement order
    not yet placed, and section 4's drift list of under-fives."""
    h = head.set_index("key")
    out = []
    drift = int(h.loc["drift_now", "children"]) if "drift_now" in h.index else 0
    ref = nv.date_text(params.reference_date)
    out.append(f"[Section 2: children in the process over their stage's standard]"
               f"({ANCHORS['02_timescales']}): {nv.children(drift)} at {ref}, "
               "longest over first.")
    if po_waiting is not None:
        wait18 = int(h.loc["po_waiting_18m", "children"]) if "po_waiting_18m" in h.index else 0
        out.append(f"[Section 2: children with a placement order not yet placed]"
                   f"({ANCHORS['02_timescales']}): {nv.children(po_waiting)}, "
                   f"{nv.count(wait18) if wait18 else 'none'} of them 18 months or more since "
                   "the order.")
    if under_fives_drift is not None:
        years = params.under_fives.years_looked_after
        out.append(f"[Section 4: under-fives still looked after {years} years later, on the "
                   f"drift list]({ANCHORS['04_under_fives']}): {nv.children(under_fives_drift)}"
                   " with three or more placements, no plan, a plan changed after 12 months, "
                   "or an interim care order or s20 at two years.")
    return out


def display_headlines(head: pd.DataFrame) -> pd.DataFrame:
    """The headline table as shown: the rating beside its finding, so a phone shows both
    before the table scrolls sideways to the figures and benchmarks."""
    return pd.DataFrame({"Finding": head["finding"],
                         "Rating": head["rating"].map(nv.RAG_SYMBOL),
                         "Figure": head["figure"],
                         "Count": head["children"], "Benchmark (period)": head["benchmark"],
                         "Against England": head["england"].map(
                             {"better": "better", "worse": "worse", "same": "same"}
                         ).fillna("–")})


#: The technical annex's account of how each kind of finding is rated (:func:`rating_method`).
RATING_METHOD_ANCHOR = "#s00-How-findings-are-rated"


def summary_intro(params: Params) -> str:
    """Section 0's first paragraph: whose report, what period, how to read the ratings."""
    return (f"This report looks at how well **{nv.escape(params.la_name)}** finds adoptive "
            f"families for children, from {period_label(params)}. \"Children adopted\" are "
            "children whose adoption order was made in that period. Each finding below gives "
            "its figure, the number of children it rests on and the benchmark it is rated "
            "against, with that benchmark's year.\n\n" + rating_note()
            + _suppression_note(params))


def rating_note() -> str:
    """The RAG rule and how a rating is shown, for the summary; the finer points of rating
    (:func:`rating_method`) are said once, in the technical annex."""
    badges = ", ".join(nv.rag_badge(r) for r in ("green", "amber", "red", "not rated"))
    return (f"{nv.RAG_RULE} Each rating shows its word, a shape and a colour ({badges}). "
            f"[How each kind of finding is rated]({RATING_METHOD_ANCHOR}) and the words used "
            "are in the technical annex.")


def rating_method(unit: str = "LA") -> str:
    """Which statistic each kind of finding is rated on, where local targets apply, and how
    England is compared like for like. ``unit`` is "LA" or "RAA"."""
    return ("The scorecard measures (A1, A10, A2) are rated on their mean, as DfE defines them, "
            "each stage on its median (the typical child); both are shown. Early permanence, "
            "adopter approvals and case audits are rated against local targets (the kit's "
            f"defaults unless this {unit} set its own). A national figure not confirmed against "
            "its publication never rates; England is compared like for like (a three-year "
            f"figure with this {unit}'s three years, a one-year figure with its latest year), "
            "and one from before the period is marked \"latest published\".")


def _suppression_note(params: Params) -> str:
    k = params.suppress_below
    if not k:
        # Said where a reader starts, as the lists of children and small counts are there.
        return ("\n\n**Small numbers are not suppressed in this report**: it shows counts "
                "of one or two children and lists individual children (by pseudonym), so it is "
                "for people entitled to see those children's records. To share it more widely, "
                f"build it again with `suppress_below` set (5 is usual) in the {nv.unit(params)}'s "
                "params file.")
    return (f"\n\n**Small numbers are suppressed in this report**: every count under {k} is "
            f"shown as \"<{k}\", a percentage built on such a count is not shown, and lists of "
            "individual children are left out.")


def glossary() -> str:
    """The glossary, for the end of section 0."""
    return nv.glossary_markdown()
