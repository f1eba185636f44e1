"""Section 0 as an executive summary, and the words and numbers a reader sees, on hand-built
data: direction of travel, like-for-like comparisons, the RAG rule and its display, the
representation findings, section 3's largest difference, the glossary, one number format.
Every expected value is worked by hand in the comments."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from diagnostic_kit.inputs.params import load_params  # noqa: E402
from diagnostic_kit.measures import children as ch  # noqa: E402
from diagnostic_kit.measures import extremes as ex  # noqa: E402
from diagnostic_kit.measures import summary as ms  # noqa: E402
from diagnostic_kit.measures import timescales as ts  # noqa: E402
from diagnostic_kit.present import children as pch  # noqa: E402
from diagnostic_kit.present import extremes as pex  # noqa: E402
from diagnostic_kit.present import narrative as nv  # noqa: E402
from diagnostic_kit.present import summary as ps  # noqa: E402
from diagnostic_kit.present import timescales as pts  # noqa: E402
from diagnostic_kit.present.section import Section, reader_numbers  # noqa: E402
from tests import test_extremes as tex  # noqa: E402
from tests.journey_builder import make_journeys  # noqa: E402
from tests.test_timescales import ADOPTED  # noqa: E402


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)  # 1 April 2023 to 31 March 2026


@pytest.fixture()
def journeys(params):
    return make_journeys(ADOPTED, params)


# tests/test_timescales.py's journeys. Adopted in the period, by year of the AO:
#   2023-24: C3 (AO 2023-09-01; A1 424, no match: out of A2)
#   2024-25: C1 (AO 2024-07-01; A1 365, A2 61), C2 (2024-08-01; A1 245, A2 0),
#            C4 (2025-01-10; A1 152, no PO: out of A2)
#   2025-26: C6 (AO 2025-06-01; A1 426, A2 122)
PERIODS = pd.DataFrame({"child": ["C1", "X9"],
                        "period_end": pd.to_datetime(["2024-05-01", "2024-06-01"]),
                        "end_reason": ["E11", "E13"]})


def with_threshold(params, key: str, value: int):
    th = params.thresholds
    return params.model_copy(update={"thresholds": th.model_copy(update={
        key: getattr(th, key).model_copy(update={"value": value})})})


@pytest.fixture(autouse=True)
def no_suppression():
    nv.set_suppression(0)
    yield
    nv.set_suppression(0)


# -- direction of travel -----------------------------------------------------------------------

def test_trend_phrase_rise_and_turn():
    pts3 = [("2023-24", 30.434), ("2024-25", 43.75), ("2025-26", 62.5)]
    assert nv.trend_phrase(pts3, nv.pct, "higher") == (
        "rose from 30% in 2023-24 to 63% in 2025-26 (44% in 2024-25): better than in 2023-24")
    turn = [("2023-24", 152.6), ("2024-25", 111.9), ("2025-26", 150.6)]
    assert nv.trend_phrase(turn, nv.days, "lower") == (
        "fell from 153 days in 2023-24 to 112 days in 2024-25, then rose to 151 days in "
        "2025-26: better than in 2023-24")
    # Equal as shown: stayed; one point: no trend.
    assert nv.trend_phrase([("a", 10.2), ("b", 9.8)], nv.days) == "stayed at 10 days from a to b"
    assert nv.trend_phrase([("a", 1.0)], nv.days) == ""


def test_trends_and_direction_of_travel_sentences(journeys, params):
    trend = ms.trends(journeys, PERIODS, params)
    a3 = trend.loc[trend["key"].eq("a3")].set_index("year")
    # A3 within 426 days: 2023-24 C3 424 → 1 of 1; 2024-25 all 3; 2025-26 C6 426 is not under.
    assert a3.loc[["2023-24", "2024-25", "2025-26"], "value"].tolist() == [100.0, 100.0, 0.0]
    lines = ps.direction_of_travel(trend, params, keys=("children_adopted", "a3", "a2"))
    assert lines[0].startswith("Children adopted a year rose from 1 in 2023-24 to 3 in 2024-25")
    # 1 of 1 then 0 of 1 is no clear change: Wilson gives 1/1 (0.21 to 1) and 0/1 (0 to 0.79),
    # so Newcombe's interval of the difference, -1 - 0.79 to -1 + √(0.79² + 0.79²) = +0.12,
    # includes zero.
    assert lines[1] == ("A3 (children moving in within 426 days of care entry) fell from 100% "
                        "in 2023-24 to 0% in 2025-26 (100% in 2024-25): no clear change from "
                        "2023-24 (1, 3 and 1 children).")
    # A2 has no child in 2023-24 (C3 has no match): two years only, (61 + 0) / 2 = 30.5 → 31
    # days in 2024-25, 122 in 2025-26; one child in 2025-26 has no interval: no clear change.
    assert lines[2] == ("A2 (placement order to match, mean) rose from 31 days in 2024-25 to "
                        "122 days in 2025-26: no clear change from 2024-25 (2 and 1 children).")


def test_children_adopted_trend_names_the_turn(journeys, params):
    trend = ms.trends(journeys, PERIODS, params)
    line = ps.direction_of_travel(trend, params, keys=("children_adopted",))[0]
    # 1 → 3 → 1: a rise then a fall; England's figure is per year, for its year.
    assert line == ("Children adopted a year rose from 1 in 2023-24 to 3 in 2024-25, then fell "
                    "to 1 in 2025-26; England: 3,040 in the year ending 31 March 2025.")


def test_stage_trend_sentences(journeys, params):
    from diagnostic_kit.measures import timescales as ts
    lines = pts.stage_trend_sentences(ts.stage_trend(journeys, params))
    # Placement → AO: 2023-24 C3 184; 2024-25 C1 182, C2 182, C4 223 → 182; 2025-26 C6 456.
    assert ("Adoptive placement to adoption order: the median fell from 184 days in 2023-24 "
            "to 182 days in 2024-25, then rose to 456 days in 2025-26: worse than in 2023-24 "
            "(1, 3 and 1 children).") in lines


# -- like for like, latest published ---------------------------------------------------------

def test_comparator_periods(params):
    assert ms.comparator_years("2015-18 (three-year average)") == 3
    assert ms.comparator_years("first three quarters of 2017-18") == 1
    assert ms.comparator_years("year ending 31 March 2025") == 1
    assert ms.comparator_years("2013-16") == 3
    assert ms.comparator_end("2015-18 (three-year average)") == dt.date(2018, 3, 31)
    assert ms.comparator_end("years ending 31 March 2023 and 2025") == dt.date(2025, 3, 31)
    assert ms.older_than_period("2015-18 (three-year average)", params)
    assert ms.older_than_period("year ending 31 March 2022 (2 years 3 months)", params)
    assert not ms.older_than_period("year ending 31 March 2025", params)
    assert not ms.older_than_period("2024", params)
    assert ps.when("2015-18 (three-year average)", True) == (
        "latest published: 2015-18, three-year average")


def test_like_for_like_choice(journeys, params):
    h = ms.headlines(journeys, PERIODS, params).set_index("key")
    # Children adopted: 5 over three years = 1.7 a year, against England's one-year 3,040;
    # never 5 against 3,040.
    ca = h.loc["children_adopted"]
    assert ca["value"] == 5 and round(ca["per_year"], 2) == 1.67
    assert ca[["compare_label", "compare_value"]].tolist() == ["2025-26", 1.0]
    # A1: England's figure is three-year (2015-18): the whole period's A1 (322.4) is set
    # against it. A2: England's is a (part-)year figure: the latest year's A2 (2025-26, C6 122
    # days, 1 child) is set against 172.
    assert h.loc["a1", "compare_label"] == "Whole period"
    assert h.loc["a1", "england_older"]
    assert h.loc["a2", ["compare_label", "compare_value", "compare_children",
                        "england_rating"]].tolist() == ["2025-26", 122.0, 1, "better"]
    table = ps.headline_table(journeys, PERIODS, params).set_index("key")
    assert table.loc["children_adopted", "figure"] == "5 (2 a year; 1 in 2025-26)"
    assert table.loc["children_adopted", "benchmark"] == (
        "England 3,040 children a year, year ending 31 March 2025")
    assert table.loc["a2", "benchmark"] == (
        "threshold 121 days (2013-16); England 172 days, latest published: first three "
        "quarters of 2017-18 (against 122 days in 2025-26)")


# -- ratings: rule, display, threshold and England --------------------------------------------

def test_rag_badge_and_rule_stated():
    assert nv.rag_badge("red") == '<span class="rag rag-red">▲ Red</span>'
    assert nv.rag_badge("green") == '<span class="rag rag-green">● Green</span>'
    assert nv.rag_badge("not rated") == '<span class="rag rag-not-rated">○ Not rated</span>'
    note = ps.rating_note()
    assert nv.RAG_RULE in note and '<span class="rag rag-amber">◆ Amber</span>' in note
    # The finer points are said once, in the annex, where the summary's note links.
    assert f"]({ps.RATING_METHOD_ANCHOR})" in note and "latest published" not in note
    assert "latest published" in ps.rating_method() and "this LA's three years" in (
        ps.rating_method())
    from pathlib import Path

    import diagnostic_kit
    text = (Path(diagnostic_kit.__file__).parent / "report_theme" / "report.css").read_text()
    for cls in (".rag-green", ".rag-amber", ".rag-red", ".rag-not-rated"):
        assert cls in text


def test_worse_than_threshold_better_than_england(journeys, params):
    # An LA A2 threshold of 50 days: the period's A2 (61 + 0 + 122) / 3 = 61 days is 22% over:
    # red. Like for like, 2025-26's 122 days (1 child) is better than England's 172.
    own = with_threshold(params, "a2_days", 50)
    h = ms.headlines(journeys, PERIODS, own)
    found = ts.headlines(journeys, own) + ms.england_headlines(h)
    attention = ps.attention(found, h, own)
    a2 = [s for s in attention if s.startswith("A2 ")]
    # Median of 61, 0 and 122: 61.
    assert a2 == [
        "A2 (placement order to match) averaged 61 days (median 61 days) over the period "
        "(3 children), 11 days over the 50-day threshold (2013-16); 122 days in 2025-26 (1 "
        "child) against England's 172 days (latest published: first three quarters of "
        '2017-18): <span class="rag rag-red">▲ Red</span>: over the threshold, better than '
        "England ([see section 2](#s02-t-scorecard_measures_a1_a10_a2_and_a3_whole_period_and_"
        "by_year))."]
    assert ps.rating_words("green", "threshold", "worse") == (
        '<span class="rag rag-green">● Green</span>: within the threshold, worse than England')


def test_going_well_and_where_to_look(journeys, params):
    h = ms.headlines(journeys, PERIODS, params)
    table = ps.headline_table(journeys, PERIODS, params, h,
                              ts.headlines(journeys, params) + ms.england_headlines(h))
    well = ps.well(table)
    # A1 322 days (5 children) within 426 and better than England's 486: green. Leavers
    # 2024-25: 1 of 2 (50%) against England's 9%: green. Each named once with its figure (its
    # row of the headline table gives it in full), in the table's order.
    assert well.startswith(f"{well.split()[0]} findings are rated green ([each in the headline "
                           "table](#s00-t-headline_figures_against_their_benchmarks)): ")
    items = well.split("): ", 1)[1].removesuffix(".").split("; ")
    assert "A1: care entry to moving in with the adoptive family (mean 322 days)" in items
    assert "children leaving care who left through adoption (50% in 2024-25)" in items
    greens = table.loc[table["rating"].eq("green") & table["england"].ne("worse")]
    assert len(items) == len(greens) == int(well.split()[0])
    look = ps.where_to_look_first(h, params, under_fives_drift=3, po_waiting=2)
    # Each link goes to the heading of the table it names (tests/test_e2e.py: they resolve).
    assert look[0].startswith("[Section 2: children in the process over their stage's "
                              "standard](#s02-Drift-now:-children-in-the-process-at-the-"
                              "reference-date): ")
    assert look[1] == ("[Section 2: children with a placement order not yet placed]"
                       "(#s02-Drift-now:-children-in-the-process-at-the-reference-date): "
                       "2 children, none of them 18 months or more since the order.")
    assert look[2] == ("[Section 4: under-fives still looked after 2 years later, on the drift "
                       "list](#s04-Drift-list): 3 children with three or more "
                       "placements, no plan, a plan changed after 12 months, or an interim "
                       "care order or s20 at two years.")


def test_going_well_names_green_findings_not_worse_than_england():
    table = pd.DataFrame({
        "finding": ["Care entry to IRO recommendation (median days)",
                    "A2: placement order to match (mean days)",
                    "Children adopted who had an early-permanence placement (%)",
                    "Children placed within 12 months of the ADM decision (%)"],
        "figure": ["median 38 days; mean 57 days", "mean 90 days; median 80 days",
                   "0% (0 of 55)", "75% (95% interval 58% to 86%; 51 children)"],
        "rating": ["green", "green", "red", "green"],
        "england": ["not rated", "worse", "not rated", "not rated"]})
    assert ps.well(table) == (
        "2 findings are rated green ([each in the headline table](#s00-t-headline_figures_"
        "against_their_benchmarks)): care entry to IRO recommendation (median 38 days); "
        "children placed within 12 months of the ADM decision (75%).")
    assert ps.well(table.iloc[[0]]).startswith("1 finding is rated green")
    assert ps.well(table.iloc[[1, 2]]) == ""


def test_where_to_look_suppresses_small_counts(journeys, params):
    h = ms.headlines(journeys, PERIODS, params)
    nv.set_suppression(5)
    look = ps.where_to_look_first(h, params, under_fives_drift=3, po_waiting=2)
    assert "<5 children with three or more placements" in look[2]
    assert ": <5 children, none of them" in look[1]


# -- representation ------------------------------------------------------------------------

def test_representation_against_under_fives_and_named_groups(params):
    from tests.test_children import LOOKED_AFTER, _journeys
    prof = ch.profile(LOOKED_AFTER, _journeys(), params)
    # Groups this small are named only with the minimum lowered (the default is 5).
    lines = pch.key_findings_lines(prof, min_looked_after=1)
    # Entered under five: L1-L4 (4 of the 10). Adopted in the period: L1 L2 L3 L5.
    assert lines[1].startswith("4 children looked after entered care under five")
    # Ages 10-15 (L8 L9, none adopted) and UASC (L9) are explained once, never named.
    assert lines[2].startswith("Adoption is rarely the plan for children who entered care aged "
                               "10 or over (2 children looked after, 0 adopted) and "
                               "unaccompanied asylum-seeking children (1 child looked after, "
                               "0 adopted)")
    assert not any("aged 10-15 at care entry were" in s for s in lines)
    # Black children L8 L9: 20% of looked after, none adopted (none entered under five, so no
    # under-five ratio); named with figures, not folded away.
    assert ("Children of Black ethnicity were 20% of children looked after (2 children) but 0% "
            "of children adopted (0 children): a ratio of 0.00 against all children looked "
            "after.") in lines
    # Age 5-9: L5 L6 L7 = 30% of looked after; adopted L5 = 1 of 4 = 25%: ratio 0.83.
    assert ("Children aged 5-9 at care entry were 30% of children looked after (3 children) "
            "but 25% of children adopted (1 child): a ratio of 0.83 against all children "
            "looked after.") in lines
    # Sibling groups L5-L8: 40% of looked after, 0% of the under-fives; adopted L5: 25%.
    assert ("Children in sibling groups were 40% of children looked after (4 children) but "
            "25% of children adopted (1 child): a ratio of 0.63 against all children looked "
            "after.") in lines
    # Unknown age at entry: L10.
    assert lines[-1].startswith("1 of 10 children (10%) looked after have no known age at care "
                                "entry: their care began before the earliest return")


def test_group_sentence_both_bases():
    r = pd.Series({"characteristic": "ethnic_group", "category": "Black",
                   "phrase": "children of Black ethnicity", "looked_after_n": 45,
                   "looked_after_pct": 7.18, "under5_n": 11, "under5_pct": 5.26,
                   "adopted_n": 1, "adopted_pct": 1.82, "ratio_adopted": 0.2533,
                   "ratio_adopted_under5": 0.3455})
    assert pch.group_sentence(r) == (
        "Children of Black ethnicity were 7% of children looked after (45 children), 5% of "
        "those who entered care under five (11 children) but 2% of children adopted (1 child): "
        "a ratio of 0.25 against all children looked after and 0.35 against those who entered "
        "under five.")


# -- section 3 ---------------------------------------------------------------------------

def test_negative_difference_is_shorter():
    assert pex.longer(-131) == "131 days shorter"
    assert pex.longer(131.4) == "131 days longer"
    assert pex.longer(0.2) == "the same"


def test_largest_difference_and_siblings(params):
    j = tex.make(tex.TOTALS)
    # E14 and E15 (500 days each, among the longest) share a sibling group; E00 is alone.
    j["sibling_group_id"] = pd.array([None] * len(j), dtype="string")
    j.loc[j["child"].isin(["E14", "E15"]), "sibling_group_id"] = "S1"
    j.loc[j["child"].eq("E00"), "sibling_group_id"] = "S2"
    sel = ex.select(j, params)
    d = ex.characteristic_differences(sel)
    # 11 shortest (390 tie) are White boys, 11 longest (500 tie) Black girls: 100 points.
    assert d.iloc[0][["characteristic", "category", "difference_pts"]].tolist() == [
        "ethnic_group", "Black", 100.0]
    assert pex.largest_difference_sentence(sel) == (
        "Of the characteristics tested (ethnic group, sex, age at care entry, sibling group, "
        "adopted by foster carers, disability and unaccompanied asylum-seeking child), the "
        "largest difference between the groups is in ethnic group: children of Black ethnicity "
        "were 11 of the 11 longest journeys (100%) against 0 of the 11 shortest (0%), more "
        "often among the longest.")
    assert pex.sibling_sentences(sel) == [
        "2 children among the 11 longest journeys are brothers and sisters from 1 sibling group "
        "adopted together (they share a sibling group identifier), so their journeys move as "
        "one."]


def test_largest_difference_says_what_sets_the_longest_apart(params):
    # The 11 shortest are all White; of the 11 longest 4 are White, 3 Black, 2 Mixed and 2 not
    # known (every other characteristic the same in both). White differs most (4 of 11 against
    # 11 of 11, -64 points), and the point is that the longest are more often of another group:
    # 9 known - 4 White = 5 of the 11 longest, against 11 - 11 = 0 of the 11 shortest.
    groups = {14: "White", 15: "White", 16: "White", 17: "White", 18: "Black", 19: "Black",
              20: "Black", 21: "Mixed", 22: "Mixed", 23: "Not known", 24: "Not known"}

    def edit(rows):
        for i, r in enumerate(rows):
            r.update(sex="male", sibling_group=False, foster_care_ad1="0",
                     dob=r["care_entry"] - pd.Timedelta(days=183),
                     ethnic_group=groups.get(i, "White"))

    sel = ex.select(tex.make(tex.TOTALS, edit), params)
    d = ex.characteristic_differences(sel)
    assert d.iloc[0][["category", "longest_k", "longest_known", "shortest_k"]].tolist() == [
        "White", 4, 9, 11]
    assert pex.largest_difference_sentence(sel) == (
        "Of the characteristics tested (ethnic group, sex, age at care entry, sibling group, "
        "adopted by foster carers, disability and unaccompanied asylum-seeking child), the "
        "largest difference between the groups is in ethnic group: children of an ethnic group "
        "other than White were 5 of the 11 longest journeys (45%) against 0 of the 11 shortest "
        "(0%), more often among the longest.")


# -- words and numbers ---------------------------------------------------------------------

def test_glossary_terms():
    text = nv.glossary_markdown()
    for term in ("IRO", "ADM", "Placement order", "FfA", "Concurrent planning",
                 "Early permanence", "RAG", "A1", "A2", "A3", "A10", "SGO"):
        assert f"**{term}" in text


def test_one_number_format_in_tables(capsys):
    df = pd.DataFrame({"Children": [1062, 3], "England": [3040.0, 12.5],
                       "Year": [2025, 2026], "Rating": ["red", "green"]})
    shown = reader_numbers(df)
    assert shown["Children"].tolist() == ["1,062", "3"]
    assert shown["England"].tolist() == ["3,040", "12.5"]
    assert shown["Year"].tolist() == [2025, 2026]
    sec = Section("00_summary")
    from IPython.display import HTML
    seen = []
    import diagnostic_kit.present.section as section_mod
    orig = section_mod.display
    section_mod.display = lambda obj: seen.append(obj.data if isinstance(obj, HTML) else obj)
    try:
        sec.table(df, "t")
    finally:
        section_mod.display = orig
    html = seen[-1]
    assert "3,040.0" not in html and "<td>3,040</td>" in html and "<td>1,062</td>" in html
    assert '<span class="rag rag-red">▲ Red</span>' in html


def test_reader_tables_show_labels_not_code_names(journeys, params):
    from diagnostic_kit.measures import data_quality as dqs
    shown = ps.display_headlines(ps.headline_table(journeys, PERIODS, params))
    assert not shown["Finding"].str.contains(r"\b[a-z0-9]+_[a-z_]+\b").any()
    comps = dqs.comparators_table(params)
    assert not comps["Measure"].str.contains("_").any()


def test_what_else_the_sections_show_leaves_out_a_section_with_nothing_to_add():
    lines = ps.in_the_sections({"01_children": ["627 children were looked after."],
                                "05_adopters": [], "06_resources": ["", ""]})
    assert lines == ["[Section 1: Children](#section-01_children). 627 children were looked "
                     "after."]
