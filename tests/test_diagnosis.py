"""The diagnosis: where the days are lost, every section's findings in one form and ranked by
impact, the areas for improvement that each finding triggers, and "no clear change" when a move
between years is within chance. Every expected value is worked by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import adopters as ad
from diagnostic_kit.measures import audits as au
from diagnostic_kit.measures import change
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures.headline import Headline, needs_attention, rank, shortfall
from diagnostic_kit.present import improvement
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present import summary as ps
from tests.journey_builder import make_journeys


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)  # 1 April 2023 to 31 March 2026


@pytest.fixture(autouse=True)
def no_suppression():
    nv.set_suppression(0)
    yield
    nv.set_suppression(0)


# -- where the days are lost -------------------------------------------------------------------

# Standards (defaults): entry → IRO 122, IRO → ADM 61, ADM → PO 182, PO → placement 183,
# placement → AO 183. Reference date 31 March 2026.
DAYS_LOST = [
    # Adopted 2024-25. Entry → IRO 2023-01-01 → 2023-06-01: 151 days (Jan 31 + Feb 28 + Mar 31
    # + Apr 30 + May 31), 29 over. IRO → ADM 2023-06-01 → 2023-07-01: 30, within. ADM → PO
    # 2023-07-01 → 2024-03-01: 244 (Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + Dec 31 + Jan
    # 31 + Feb 29), 62 over. PO → placement 2024-03-01 → 2024-05-01: 61, within. Placement →
    # AO 2024-05-01 → 2024-12-01: 214 (May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 + Oct 31 +
    # Nov 30), 31 over.
    dict(child="A", care_entry="2023-01-01", iro_date="2023-06-01", adm_date="2023-07-01",
         po_date="2024-03-01", match_date="2024-04-01",
         placement_date="2024-05-01", ao_date="2024-12-01", placement_type="A6"),
    # Adopted 2025-26, every stage within: entry → IRO 100, IRO → ADM 31, ADM → PO 30,
    # PO → placement 31, placement → AO 92 (2025-01-01 → 04-11 → 05-12 → 06-11 → 07-12 →
    # 10-12).
    dict(child="B", care_entry="2025-01-01", iro_date="2025-04-11", adm_date="2025-05-12",
         po_date="2025-06-11", match_date="2025-06-20", placement_date="2025-07-12",
         ao_date="2025-10-12", placement_type="A6"),
    # In the process: PO 2025-01-01, not placed. Completed: entry → IRO 2024-01-01 →
    # 2024-07-01: 182, 60 over; IRO → ADM 2024-07-01 → 2024-08-01: 31; ADM → PO 2024-08-01 →
    # 2025-01-01: 153, within. Open PO → placement: 2025-01-01 → 2026-03-31: 454 days so far,
    # 271 over.
    dict(child="C", care_entry="2024-01-01", iro_date="2024-07-01", adm_date="2024-08-01",
         po_date="2025-01-01", period_end=None),
]


@pytest.fixture()
def lost_journeys(params):
    return make_journeys(DAYS_LOST, params)


def test_days_over_per_child_and_stage(lost_journeys, params):
    d = ts.stage_days_over(lost_journeys, params).set_index(["pseudonym", "stage"])
    assert d.loc[("P-A", "entry_to_iro"), "days_over"] == 29
    assert d.loc[("P-A", "adm_to_po"), "days_over"] == 62
    assert d.loc[("P-A", "placement_to_ao"), "days_over"] == 31
    assert d.loc[("P-B", "placement_to_ao"), "days_over"] == 0
    assert d.loc[("P-C", "entry_to_iro"), "days_over"] == 60
    open_stage = d.loc[("P-C", "po_to_placement")]
    assert (open_stage["days"], open_stage["days_over"], open_stage["open"]) == (454, 271, True)
    # A child in the process has no adoption order stage yet.
    assert ("P-C", "placement_to_ao") not in d.index


def test_days_lost_ranked(lost_journeys, params):
    lost = ts.days_lost(lost_journeys, params).set_index("stage")
    # PO → placement: C's 271 days so far over (A and B within): the most, rank 1.
    # Entry → IRO: A 29 + C 60 = 89; ADM → PO: A 62; placement → AO: A 31; IRO → ADM: none.
    assert lost["days_over"].to_dict() == {"po_to_placement": 271, "entry_to_iro": 89,
                                           "adm_to_po": 62, "placement_to_ao": 31,
                                           "iro_to_adm": 0}
    assert lost["rank"].to_dict() == {"po_to_placement": 1, "entry_to_iro": 2, "adm_to_po": 3,
                                      "placement_to_ao": 4, "iro_to_adm": 5}
    e = lost.loc["entry_to_iro"]
    assert (e["adopted_over"], e["adopted_days_over"], e["in_process_over"],
            e["in_process_days_over"], e["adopted_children"], e["in_process_children"]) == (
        1, 29, 1, 60, 2, 1)
    # 89 of 271 + 89 + 62 + 31 = 453 child-days: 19.6%.
    assert round(e["share"], 1) == 19.6
    # Weight: each child's days over as a share of the standard, capped at 1: C's 271 / 183
    # counts 1; A's 29/122 + C's 60/122 = 0.73.
    assert lost.loc["po_to_placement", "weight"] == 1.0
    assert round(lost.loc["entry_to_iro", "weight"], 2) == 0.73


def test_days_lost_by_year(lost_journeys, params):
    y = ts.days_lost_by_year(lost_journeys, params).set_index(["year", "stage"])
    assert y.loc[("2024-25", "adm_to_po"), "days_over"] == 62
    assert y.loc[("2025-26", "entry_to_iro"), "over"] == 0
    assert y.loc[("In the process now", "po_to_placement"), "days_over"] == 271


def test_metrics_per_stage(lost_journeys, params):
    class Rec:
        def __init__(self):
            self.m = {}

        def metric(self, name, value, n=None):
            self.m[name] = value
            if n is not None:
                self.m[f"{name}_n"] = n

    rec = Rec()
    ts.record_metrics(rec, lost_journeys, params)
    assert rec.m["stage_po_to_placement_days_over_standard"] == 271
    assert rec.m["stage_po_to_placement_children_over_standard"] == 1
    # Measured in that stage: A, B (adopted) and C (in the process).
    assert rec.m["stage_po_to_placement_days_over_standard_n"] == 3
    assert rec.m["stage_entry_to_iro_children_over_standard"] == 2


def test_standards_against_a1(params):
    a = ts.standards_against_a1(params)
    # 122 + 61 + 182 + 183 = 548 to the placement, + 183 = 731 to the order; A1 426.
    assert a == {"to_placement": 548, "to_order": 731, "a1": 426, "difference": 122}
    assert "548 days, 122 days more than A1's 426-day threshold" in ps.standards_sum_sentence(
        params)


# -- no clear change ---------------------------------------------------------------------------

def test_a_two_day_change_on_14_children_is_no_clear_change():
    # A2: 153 days (23 children, spread 60) one year, 151 (14 children, spread 60) the next.
    diff = change.welch(153, 60, 23, 151, 60, 14)
    assert diff[0] == -2 and diff[1] < 0 < diff[2]
    assert change.direction(diff) == 0
    assert nv.trend_phrase([("2023-24", 153), ("2025-26", 151)], nv.days, "lower",
                           change.direction(diff)) == (
        "fell from 153 days in 2023-24 to 151 days in 2025-26: no clear change from 2023-24")


def test_a_large_change_is_clear():
    # 500 (spread 50, 30 children) to 350 (spread 50, 30): standard error √(2 × 50²/30) = 12.9,
    # t(58) ≈ 2.00: 150 ± 25.9 leaves out zero: a clear fall.
    diff = change.welch(500, 50, 30, 350, 50, 30)
    assert diff[0] == -150 and round(diff[2] - diff[0], 1) == 25.8
    assert change.direction(diff) == -1
    assert nv.trend_phrase([("a", 500), ("b", 350)], nv.days, "lower", -1).endswith(
        ": better than in a")


def test_intervals_by_hand():
    # Wilson (Newcombe 1998): 81 of 263 → 0.2553 to 0.3662.
    assert [round(x, 4) for x in change.wilson(81, 263)] == [0.2553, 0.3662]
    # Newcombe's hybrid score interval, 56/70 against 48/80: +20 points, 5.24 to 33.39.
    assert [round(x, 2) for x in change.share_difference(48, 80, 56, 70)] == [20.0, 5.24, 33.39]
    # Mean of 10, 12, 14: sd 2, t(2) = 4.303, ± 4.303 × 2/√3 = 4.97.
    m, lo, hi = change.mean_interval([10, 12, 14])
    assert (m, round(lo, 2), round(hi, 2)) == (12.0, 7.03, 16.97)
    # One value: no interval; never a clear change.
    assert math.isnan(change.mean_interval([5])[1])
    assert change.direction(change.mean_difference([5], [500])) == 0


def test_median_difference_is_repeatable():
    a, b = np.arange(20, 40), np.arange(60, 80)
    assert change.median_difference(a, b) == change.median_difference(a, b)
    assert change.direction(change.median_difference(a, b)) == 1


# -- findings, ranked --------------------------------------------------------------------------

def _h(key="a1", value=500.0, benchmark=426.0, better="lower", reach=10, n=40, **kw):
    return Headline(key=key, section="02_timescales", label=key, value=value, unit="days",
                    n=n, benchmark=benchmark, better=better, reach=reach, **kw)


def test_gap_reach_and_impact():
    # 500 against 426: 74/426 = 0.174 worse; reach 10 → impact 1.74.
    h = _h()
    assert round(h.gap, 3) == 0.174 and round(h.impact, 2) == 1.74 and h.rating == "red"
    # Twice as bad or worse counts as wholly off.
    assert _h(value=2000).gap == 1.0
    # Better than the benchmark: no gap.
    assert _h(value=400).gap == 0.0 and _h(value=400).rating == "green"
    # A share: 6% against a 50% target (higher is better): 44/50 = 0.88.
    s = _h(value=6.0, benchmark=50.0, better="higher")
    assert round(s.gap, 2) == 0.88
    # A weight given by the section is the impact.
    assert _h(weight=3.5).impact == 3.5
    # Shortfall: 50% of 49 households is 24.5, less the 3 who met it: 21.5 → 22.
    assert shortfall(3, 49, 50) == 22 and shortfall(30, 49, 50) == 0


def test_unconfirmed_benchmark_never_rates():
    h = _h(value=900, confirmed=False)
    assert h.rating == "not rated"
    assert needs_attention([h]) == []


def test_rank_red_before_amber_then_impact():
    amber_big = _h(key="amber_big", value=460, reach=100)        # 8% over: amber, impact 8
    red_small = _h(key="red_small", value=500, reach=1)           # red, impact 0.17
    red_big = _h(key="red_big", value=600, reach=20)              # red, impact 8.2
    green = _h(key="green", value=400)
    assert [h.key for h in rank([green, amber_big, red_small, red_big])] == [
        "red_big", "red_small", "amber_big", "green"]


def test_attention_is_at_most_seven_from_any_section(params):
    found = [_h(key=f"x{i}", value=500 + i, reach=i) for i in range(10)]
    # Sentences for unknown keys are generic; only seven are listed, worst first.
    lines = ps.attention(found, pd.DataFrame(columns=["key"]), params)
    assert len(lines) == 7 and lines[0].startswith("X9:")
    assert ps.attention_more(found) == "3 further findings rated red or amber are in the " \
                                       "headline table below."


# -- section findings on hand data -------------------------------------------------------------

def test_adopter_findings(params):
    # Registered 2024-04-01: approved 2024-09-01 (5 months, within 6) and 2025-01-01 (9
    # months, late); 1 of 2 = 50% against a 50% target: green. Waiting: approved 2025-01-01,
    # not matched: 454 days at 31/03/2026, over the 6 months (182 days back from 31 March:
    # 30 September 2025).
    h = pd.DataFrame({
        "household_id": ["H1", "H2"], "enquiry_date": pd.to_datetime(["2024-03-01"] * 2),
        "roi_date": pd.NaT, "stage1_start": pd.to_datetime(["2024-04-01", "2024-04-01"]),
        "stage1_end": pd.NaT, "stage2_start": pd.NaT, "stage2_end": pd.NaT,
        "approval_date": pd.to_datetime(["2024-09-01", "2025-01-01"]),
        "match_date": pd.to_datetime(["2024-10-01", None]), "placement_date": pd.NaT,
        "ao_date": pd.NaT, "left_date": pd.NaT, "left_reason": pd.NA, "fast_track": False,
        "roi_decided": pd.NaT})
    j = make_journeys([dict(child="K", care_entry="2024-01-01", adm_date="2024-05-01",
                            po_date="2025-01-01", period_end=None, sibling_group=True)], params)
    found = {f.key: f for f in ad.headlines(h, j, params)}
    a = found["adopter_approval_within_6_months"]
    assert (a.value, a.n, a.rating, a.reach) == (50.0, 2, "green", 0)
    w = found["approved_adopters_waiting"]
    assert (w.value, w.n, w.benchmark, w.reach, w.rating) == (454.0, 1, 182, 1, "red")
    assert (w.detail["children_po_waiting"], w.detail["children_po_waiting_siblings"]) == (1, 1)


def test_audit_findings(params):
    # 5 audits: 1 outstanding, 2 good, 1 requires improvement, 1 inadequate: 3 of 5 = 60%
    # good or better against 80%: 25% short, red; shortfall 80% × 5 − 3 = 1 audit.
    # Question 10: yes 3, no 1, partly 1 → 60% yes against 100%: red, 2 short.
    grades = ["outstanding", "good", "good", "requires_improvement", "inadequate"]
    a = pd.DataFrame({"audit_id": [f"A{i}" for i in range(5)], "overall_grade": grades,
                      "score": [10, 7, 6, 4, 2], "date_audited": pd.to_datetime(["2025-06-01"] * 5),
                      "audit_reason": "within_60_days",
                      **{f"q{i}": "yes" for i in range(1, 14)}})
    a["q10"] = ["yes", "yes", "yes", "no", "partly"]
    found = {f.key: f for f in au.headlines(a, params)}
    g = found["audits_good_or_better"]
    assert (g.value, g.n, g.rating, g.reach, g.detail["inadequate"]) == (60.0, 5, "red", 1, 1)
    q = found["audit_child_protected"]
    assert (q.value, q.n, q.rating, q.reach, q.detail["no"]) == (60.0, 5, "red", 2, 1)


# -- areas for improvement ---------------------------------------------------------------------

TRIGGERS = {
    "permanence_planning": ("stage_entry_to_iro", {"over": 3, "days_over": 90}),
    "adm_decision": ("stage_iro_to_adm", {"over": 3, "days_over": 90}),
    "care_proceedings": ("stage_adm_to_po", {"over": 3, "days_over": 90}),
    "family_finding": ("stage_po_to_placement", {"over": 3, "days_over": 90}),
    "adoption_orders": ("stage_placement_to_ao", {"over": 3, "days_over": 90}),
    "matching": ("a2", {}),
    "overall_timeliness": ("a1", {"median": 480, "worst_stage": "entry_to_iro"}),
    "early_permanence": ("early_permanence", {"k": 0}),
    "adopter_assessment": ("adopter_approval_within_6_months", {"k": 3}),
    "sufficiency": ("approved_adopters_waiting", {
        "children_po_waiting": 4, "children_po_waiting_siblings": 2, "sufficiency": "#x"}),
    "adopters_waiting": ("approved_adopters_waiting", {
        "children_po_waiting": 0, "children_po_waiting_siblings": 0, "sufficiency": "#x"}),
    "audit_quality": ("audits_good_or_better", {"k": 3, "inadequate": 1,
                                                "requires_improvement": 1}),
    "audit_safeguarding": ("audit_child_protected", {"k": 3, "no": 1}),
    "representation": ("under_represented", {"row": {"heading": "Ethnic group",
                                                     "category": "Black"}}),
    "unit_cost": ("unit_cost_per_child_placed", {"year": "2025-26"}),
    "placements_after_decision": ("placed_within_12_months_of_adm", {"waiting": 6,
                                                                     "left": 2}),
    "longest_waits": ("po_waiting_18m", {"po_not_placed": 5}),
    "young_children_legal_drift": ("under5_c1_v2_at_two_years", {"c1": 2, "v2": 1}),
}


def test_every_area_has_a_trigger_here():
    assert set(TRIGGERS) == set(improvement.AREAS)


@pytest.mark.parametrize("area_id", sorted(TRIGGERS))
def test_area_fires_on_its_trigger_and_not_otherwise(area_id, params):
    key, detail = TRIGGERS[area_id]
    area = improvement.AREAS[area_id]
    red = Headline(key=key, section="x", label=key, value=500.0, unit="days", n=10,
                   benchmark=100.0, reach=5, evidence="#evidence", detail=detail)
    assert red.rating == "red" and area.fires(red)
    words = area.words(red, params)
    assert "?" in words and "#evidence" in words  # questions, and the way to the evidence
    # The finding's own figure is said once, in "What needs attention" above the areas.
    assert "500" not in words
    # Green, not rated or another finding: no paragraph.
    assert not area.fires(red.with_(value=90.0))
    assert not area.fires(red.with_(confirmed=False))
    assert not area.fires(red.with_(key="something_else"))
    assert improvement.paragraphs([red.with_(value=90.0)], params) == []


def test_sufficiency_against_adopters_waiting(params):
    # The two areas on approved households waiting split on whether children wait too.
    h = Headline(key="approved_adopters_waiting", section="05_adopters", label="x", value=400,
                 unit="days", n=5, benchmark=182, reach=5, evidence="#e",
                 detail={"children_po_waiting": 3, "children_po_waiting_siblings": 2,
                         "sufficiency": "#s"})
    assert [a.id for a, _ in improvement.areas_for([h], params)] == ["sufficiency"]
    none_waiting = h.with_(detail={**h.detail, "children_po_waiting": 0})
    assert [a.id for a, _ in improvement.areas_for([none_waiting], params)] == [
        "adopters_waiting"]


def test_a_benchmark_in_the_headline_table_gives_its_value_once():
    from diagnostic_kit.present import headlines as hl

    def h(**kw):
        return Headline(key="x", section="04_under_fives", label="x", n=40, reach=1, **kw)

    # Days: the label and the value in days.
    assert hl.table_benchmark(h(value=200.0, unit="days", benchmark=182.0,
                                benchmark_label="the 6-month standard")) == (
        "the 6-month standard (182 days)")
    # A ratio its words already give, and a count of none expected: no "(0.80)" or "(0.00)".
    assert hl.table_benchmark(h(value=0.35, unit="ratio", benchmark=0.8, better="higher",
                                benchmark_label="the kit's rule (a ratio under 0.8)")) == (
        "the kit's rule (a ratio under 0.8)")
    assert hl.table_benchmark(h(value=7.0, unit="count", benchmark=0.0,
                                benchmark_label="none expected")) == "none expected"
    assert hl.table_benchmark(h(value=7.0, unit="count", benchmark=3.0,
                                benchmark_label="a local limit")) == "a local limit (3)"
