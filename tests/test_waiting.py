"""Children still waiting (``measures.waiting``): the estimators on a hand-worked cohort, the
risk set, decisions reversed, the waiting and flow counts, the findings. Every expected value
is worked by hand in the comments.

Reporting period (demo params): 1 April 2023 to 31 March 2026; reference date 31 March 2026.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import waiting as wt
from diagnostic_kit.present import improvement
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.section import Section
from tests.journey_builder import make_journeys

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)


@pytest.fixture(autouse=True)
def no_suppression():
    nv.set_suppression(0)
    yield
    nv.set_suppression(0)


# -- the hand-worked cohort ----------------------------------------------------------------------
#
# Days from the ADM decision (A, B, C, E, F decided 2024-04-01; D 2025-10-01):
#   A placed at day 100 (2024-07-10)              event: placed
#   C decision reversed at day 150 (2024-08-29)   competing: plan changed
#   D still waiting at 31 March 2026: day 181     censored
#   B placed at day 200 (2024-10-18)              event: placed
#   F special guardianship order at day 250 (2024-12-07, REC E45)   competing: SGO
#   E placed at day 300 (2025-01-26)              event: placed
#
# Kaplan–Meier of leaving the waiting any way (n at risk, exits):
#   day 100: 6 at risk, 1 exit → S = 5/6;  day 150: 5, 1 → 5/6 × 4/5 = 2/3;
#   day 181: D censored (3 left);  day 200: 3, 1 → 2/3 × 2/3 = 4/9;
#   day 250: 2, 1 → 4/9 × 1/2 = 2/9;  day 300: 1, 1 → 0.
# Aalen–Johansen cumulative incidence of placement, Σ S(t−) × placed / at risk:
#   day 100: 1 × 1/6 = 1/6;  day 200: + 2/3 × 1/3 = 2/9 → 7/18;  day 300: + 2/9 × 1/1 → 11/18.
# Of a plan changed: day 150: 5/6 × 1/5 = 1/6.  Of an SGO: day 250: 4/9 × 1/2 = 2/9.
# At the end 11/18 + 3/18 + 4/18 = 1: every child has left the waiting one way.
# Kaplan–Meier with the other ways out censored (placement only): day 100: 5/6; C censored at
# 150, D at 181; day 200: 3 at risk → 5/6 × 2/3 = 5/9, so 1 − KM = 4/9 > 7/18 (it overstates);
# F censored at 250; day 300: 1 at risk → 0: 1 − KM = 100% against 11/18.
COHORT = [
    dict(child="A", care_entry="2024-01-01", adm_date="2024-04-01", po_date="2024-06-01",
         placement_date="2024-07-10", period_end=None, placement_type="A6"),
    dict(child="B", care_entry="2024-01-01", adm_date="2024-04-01", po_date="2024-05-01",
         placement_date="2024-10-18", period_end=None, placement_type="A6"),
    dict(child="C", care_entry="2024-01-01", adm_date="2024-04-01", reversed_date="2024-08-29",
         period_end=None),
    dict(child="D", care_entry="2025-06-01", adm_date="2025-10-01", period_end=None),
    dict(child="E", care_entry="2023-12-01", adm_date="2024-04-01", po_date="2024-09-01",
         placement_date="2025-01-26", period_end=None, placement_type="A6"),
    dict(child="F", care_entry="2024-01-01", adm_date="2024-04-01", po_date="2024-07-01",
         period_end="2024-12-07", end_reason="E45"),
]


@pytest.fixture()
def journeys(params):
    return make_journeys(COHORT, params)


def test_cohort_outcomes_and_days(journeys, params):
    c = wt.cohort(journeys, params).set_index("child")
    assert c["days"].to_dict() == {"A": 100, "B": 200, "C": 150, "D": 181, "E": 300, "F": 250}
    assert c["outcome"].to_dict() == {"A": "placed", "B": "placed", "C": "plan_changed",
                                      "D": "waiting", "E": "placed", "F": "sgo"}
    assert c["event"].to_dict() == {"A": 1, "B": 1, "C": 2, "D": 0, "E": 1, "F": 3}
    assert c.loc["D", "cohort"] == "2025-26" and c.loc["A", "cohort"] == "2024-25"
    assert c["excluded"].isna().all()


def test_estimators_against_the_hand_worked_cohort(journeys, params):
    e = wt.estimate(wt.cohort(journeys, params))
    cur = e.curves.set_index("day")
    assert e.children == 6 and e.counts == {"placed": 3, "plan_changed": 1, "sgo": 1,
                                            "home": 0, "left_care": 0, "waiting": 1}
    assert cur.loc[99, "cif_placed"] == 0
    assert cur.loc[100, "cif_placed"] == pytest.approx(1 / 6)
    assert cur.loc[199, "cif_placed"] == pytest.approx(1 / 6)
    assert cur.loc[200, "cif_placed"] == pytest.approx(7 / 18)
    assert cur.loc[300, "cif_placed"] == pytest.approx(11 / 18)
    assert cur.loc[150, "cif_plan_changed"] == pytest.approx(1 / 6)
    assert cur.loc[250, "cif_sgo"] == pytest.approx(2 / 9)
    assert cur.loc[150, "waiting"] == pytest.approx(2 / 3)
    assert cur.loc[200, "waiting"] == pytest.approx(4 / 9)
    assert cur.loc[250, "waiting"] == pytest.approx(2 / 9)
    # Each day, still waiting and every way out add up to every child.
    parts = cur[["waiting", *[f"cif_{o}" for o in wt.OUTCOMES]]].sum(axis=1)
    assert np.allclose(parts, 1.0)
    # Kaplan–Meier with the other ways censored overstates the placements.
    assert cur.loc[200, "km_placed"] == pytest.approx(4 / 9)
    assert cur.loc[300, "km_placed"] == pytest.approx(1.0)
    # The risk set: six children at day 0; on day 181 B, D, E and F (A and C have left); D
    # is gone after it.
    assert cur.loc[0, "at_risk"] == 6 and cur.loc[181, "at_risk"] == 4
    assert cur.loc[182, "at_risk"] == 3
    # The interval holds the estimate.
    assert cur.loc[200, "low"] < 7 / 18 < cur.loc[200, "high"]


def test_shares_within_and_median(journeys, params):
    e = wt.estimate(wt.cohort(journeys, params))
    # 6 months = 183 days: only A placed by then, 1/6. 12 months = 365: 11/18. The last child
    # followed (E, day 300) was placed: every child had left the waiting, so 18 months is
    # known too.
    assert wt.month_days(6) == 183 and wt.month_days(12) == 365 and wt.month_days(18) == 548
    assert e.at(183) == pytest.approx(1 / 6)
    assert e.at(365) == pytest.approx(11 / 18) and e.followed(548)
    med, low, high = e.median()
    assert med == 300  # 7/18 < 0.5 before day 300, 11/18 from it
    assert low <= med and (math.isnan(high) or high >= med)


def test_a_censored_child_leaves_a_later_share_unknown(params):
    # D alone: still waiting after 181 days; nothing is known about 12 months.
    e = wt.estimate(wt.cohort(make_journeys([COHORT[3]], params), params))
    assert not e.followed(365) and e.followed(181)
    assert wt.median_reason(e).startswith("not reached")


def test_ties_on_a_day_as_the_textbook_estimator(params):
    # Four children decided 2024-04-01: two placed on day 10, one left care (REC E8) on day
    # 10, and one returned home (E4A) on day 20.
    # Day 10: 4 at risk, 3 exits (two placements, one left care): placed 2/4, left care 1/4,
    # S = 1/4. Day 20: 1 at risk, 1 home: 1/4 × 1 = 1/4. Ties on a day are taken together, as
    # the textbook estimator takes them.
    rows = [dict(child=k, care_entry="2024-01-01", adm_date="2024-04-01",
                 placement_date="2024-04-11", period_end=None, placement_type="A6")
            for k in ("P", "Q")]
    rows += [dict(child="R", care_entry="2024-01-01", adm_date="2024-04-01",
                  period_end="2024-04-11", end_reason="E8"),
             dict(child="S", care_entry="2024-01-01", adm_date="2024-04-01",
                  period_end="2024-04-21", end_reason="E4A")]
    e = wt.estimate(wt.cohort(make_journeys(rows, params), params))
    cur = e.curves.set_index("day")
    assert cur.loc[10, "cif_placed"] == pytest.approx(0.5)
    assert cur.loc[10, "cif_left_care"] == pytest.approx(0.25)
    assert cur.loc[20, "cif_home"] == pytest.approx(0.25)


def test_numpy_global_generator_is_left_alone(journeys, params):
    # An estimate draws nothing at random: numpy's global generator is left as it was.
    before = np.random.get_state()[1].copy()
    wt.estimate(wt.cohort(journeys, params))
    assert np.array_equal(before, np.random.get_state()[1])


def test_every_child_with_a_decision_is_once_in_the_risk_set(params):
    # G: a decision 2023-05-01 reversed, then a new one on 2023-07-01 (the journey holds the
    # latest); H: two periods of care, each with a decision in the period: the later counts.
    rows = [*COHORT,
            dict(child="G", care_entry="2023-01-01", adm_date="2023-07-01", period_end=None,
                 decisions=2, decisions_reversed=1),
            dict(child="H", period_id=90, care_entry="2023-01-01", adm_date="2023-05-01",
                 period_end="2023-09-01", end_reason="E4A"),
            dict(child="H", period_id=91, care_entry="2024-02-01", adm_date="2024-06-01",
                 period_end=None)]
    j = make_journeys(rows, params)
    c = wt.cohort(j, params)
    assert sorted(c["child"]) == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert c["child"].is_unique
    assert c.set_index("child").loc["H", "period_id"] == 91
    e = wt.estimate(c)
    assert e.curves.loc[0, "at_risk"] == 8 == e.children
    for origin in ("po", "entry"):
        assert wt.cohort(j, params, origin)["child"].is_unique


def test_placement_order_and_care_entry_clocks(journeys, params):
    po = wt.cohort(journeys, params, "po").set_index("child")
    # Children with an order: A (2024-06-01 → placed 2024-07-10: 39 days), B (2024-05-01 →
    # 2024-10-18: 170), E (2024-09-01 → 2025-01-26: 147), F (2024-07-01 → SGO 2024-12-07: 159).
    assert po["days"].to_dict() == {"A": 39, "B": 170, "E": 147, "F": 159}
    entry = wt.cohort(journeys, params, "entry").set_index("child")
    # A: 2024-01-01 → 2024-07-10 = 191 days (Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 +
    # Jun 30 + 9).
    assert entry.loc["A", "days"] == 191


def test_local_plan_changed_away_is_a_competing_exit(journeys, params):
    # D's local plan changed to special guardianship on 2025-12-01 (61 days after the decision)
    # with no reversal in the 903 return: plan changed, not still waiting.
    plans = pd.DataFrame({"child": ["D", "D"], "plan_date": pd.to_datetime(
        ["2025-10-01", "2025-12-01"]), "plan": ["adoption", "special_guardianship"],
        "source": ["adm", "lac_review"]})
    c = wt.cohort(journeys, params, plans=plans).set_index("child")
    assert (c.loc["D", "outcome"], c.loc["D", "days"]) == ("plan_changed", 61)


def test_censored_at_the_end_of_the_data(journeys, params):
    # D's decision is 1 October 2025. Returns whose latest date is 31 December 2025 cover the
    # collection year 2025-26, to 31 March 2026: with a reference date after that (30 June
    # 2026), D is followed to 31 March 2026, 181 days, not to the reference date.
    later = params.model_copy(update={"period_end": dt.date(2026, 6, 30)})
    periods = pd.DataFrame({"first_decom": pd.to_datetime(["2025-12-31"]),
                            "period_end": pd.to_datetime([None])})
    assert wt.data_end(periods) == pd.Timestamp("2026-03-31")
    c = wt.cohort(journeys, later, periods=periods).set_index("child")
    assert c.loc["D", "days"] == 181 and c.loc["D", "outcome"] == "waiting"
    # A quiet last week is still followed: the latest date 29 March 2026 is in the same year.
    quiet = periods.assign(first_decom=pd.to_datetime(["2026-03-29"]))
    assert wt.censor_date(params, quiet) == pd.Timestamp("2026-03-31")
    # Returns to 2024-25 only: followed to 31 March 2025.
    assert wt.data_end(periods.assign(first_decom=pd.to_datetime(["2024-04-01"]))) == \
        pd.Timestamp("2025-03-31")


# -- decisions reversed, flows and waiting now ------------------------------------------------

def pfa_rows(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED",
                                       "REASON_PLACED_CEASED"]).assign(
        DATE_PLACED=lambda d: pd.to_datetime(d["DATE_PLACED"]),
        DATE_PLACED_CEASED=lambda d: pd.to_datetime(d["DATE_PLACED_CEASED"]))


PFA = pfa_rows([
    # G: reversed (RD1) in 2023-24, reported in two returns (open in the first), then a new
    # decision reported in two returns: one decision reversed, two decisions.
    ("G", "2023-05-01", None, None),
    ("G", "2023-05-01", "2023-06-01", "RD1"),
    ("G", "2023-07-01", None, None),
    ("G", "2023-07-01", None, None),
    # C: reversed 2024-08-29 (RD2), reported twice with its reversal: once.
    ("C", "2024-04-01", "2024-08-29", "RD2"),
    ("C", "2024-04-01", "2024-08-29", "RD2"),
    # K: reversed before the period (2023-03-01): not in it.
    ("K", "2022-10-01", "2023-03-01", "RD3"),
])


def test_a_reversed_decision_then_a_new_one_counts_once(params):
    rev = wt.reversed_decisions(PFA, params)
    assert sorted(zip(rev["CHILD"], rev["reason"], strict=True)) == [("C", "RD2"),
                                                                       ("G", "RD1")]
    sec = Section("02_timescales")
    j = make_journeys(COHORT, params)
    w = wt.analyse(j, params)
    wt.record_metrics(sec, w, j, PFA, None, params)
    assert sec.metrics["decisions_reversed"] == 2 and sec.metrics["decisions_reversed_n"] == 2


def test_metrics_of_the_hand_worked_cohort(journeys, params):
    sec = Section("02_timescales")
    w = wt.analyse(journeys, params)
    wt.record_metrics(sec, w, journeys, PFA, None, params)
    m = sec.metrics
    assert m["placed_within_12_months_of_adm_pct"] == round(100 * 11 / 18, 2)
    assert m["placed_within_12_months_of_adm_pct_n"] == 6
    # D is the one child still waiting, followed 181 days: fewer than 12 months.
    assert m["placed_within_12_months_of_adm_censored"] == 1
    assert m["median_days_adm_to_placement"] == 300
    assert m["median_days_adm_to_placement_reason"] is None
    # Waiting at 31 March 2026: D (decided 2025-10-01, no order). C's decision was reversed.
    assert m["children_adm_not_placed"] == 1 and m["children_po_not_placed"] == 0
    # New decisions in the period: G's two and C's (PlacedAdoption; K's was before it), each
    # once however many returns report it: 3 decisions, 2 children.
    assert (m["new_adm_decisions"], m["new_adm_decisions_n"]) == (3, 2)
    assert m["new_placement_orders"] == 4
    assert m["plan_changed_away_from_adoption"] == 1  # C (G is not a journey here)


def test_waiting_now_and_legacy_cases(params):
    # L: decided 2024-06-01, order 2024-08-01, not placed at 31 March 2026: 668 days since the
    # decision (Jun 30 + ... : 2024-06-01 → 2026-03-31), 607 since the order: 18+ months since
    # both. M: decided 2025-09-01, no order: 211 days, under 12 months: not a legacy case.
    rows = [dict(child="L", care_entry="2024-01-01", adm_date="2024-06-01",
                 po_date="2024-08-01", period_end=None),
            dict(child="M", care_entry="2025-05-01", adm_date="2025-09-01", period_end=None)]
    j = make_journeys(rows, params)
    now = wt.waiting_now(j, params).set_index("pseudonym")
    assert now.loc["P-L", "days_since_adm"] == 668 and now.loc["P-L", "days_since_po"] == 607
    assert now.loc["P-L", "stage"] == "po_to_placement" and now.loc["P-M", "stage"] == "adm_to_po"
    assert bool(now.loc["P-L", "po_18m_plus"]) and not bool(now.loc["P-M", "adm_18m_plus"])
    legacy = wt.legacy_cases(j, params)
    assert legacy["pseudonym"].tolist() == ["P-L"]
    c = wt.waiting_counts(j, params)
    assert (c["adm_not_placed"], c["po_not_placed"], c["po_18m"], c["adm_18m"]) == (2, 1, 1, 1)


def test_flows_by_year(journeys, params):
    f = wt.flows(journeys, PFA, params).set_index("year")
    # Placement orders: A 2024-06-01, B 2024-05-01, E 2024-09-01, F 2024-07-01, all 2024-25.
    assert f.loc["2024-25", "placement_orders"] == 4 and f.loc["2023-24", "placement_orders"] == 0
    # Placements: A, B (2024-25), E (2025-01-26: 2024-25).
    assert f.loc["2024-25", "placed"] == 3
    # Reversed: G's in 2023-24, C's in 2024-25.
    assert f.loc["2023-24", "reversed"] == 1 and f.loc["2024-25", "reversed"] == 1
    # At 31 March 2025: D not yet decided; everyone else had left: 0 waiting. At 31 March
    # 2026: D.
    assert f.loc["2024-25", "waiting_end"] == 0 and f.loc["2025-26", "waiting_end"] == 1


# -- findings --------------------------------------------------------------------------------

def test_findings_against_the_kit_targets(journeys, params):
    w = wt.analyse(journeys, params)
    h = {x.key: x for x in wt.headlines(w, journeys, params)}
    placed = h["placed_within_12_months_of_adm"]
    # 11/18 = 61% against the kit default of 50%: green.
    assert placed.value == pytest.approx(100 * 11 / 18) and placed.rating == "green"
    assert "kit default" in placed.benchmark_label
    # No child with a placement order is waiting: nothing to rate.
    assert h["po_waiting_18m"].rating == "not rated"
    # L has waited 607 days since the order (see below): 1 child against the kit's 0: red.
    j = make_journeys([dict(child="L", care_entry="2024-01-01", adm_date="2024-06-01",
                            po_date="2024-08-01", period_end=None)], params)
    long = {x.key: x for x in wt.headlines(wt.analyse(j, params), j, params)}["po_waiting_18m"]
    assert (long.value, long.n, long.reach, long.rating) == (1, 1, 1, "red")


@pytest.mark.parametrize("area_id,key", [("placements_after_decision",
                                          "placed_within_12_months_of_adm"),
                                         ("longest_waits", "po_waiting_18m")])
def test_waiting_areas_fire_on_their_finding(area_id, key, params):
    from diagnostic_kit.measures.headline import Headline

    bad = Headline(key=key, section="02_timescales", label=key, value=30.0, unit="pct",
                   n=20, benchmark=50.0, better="higher", reach=4, evidence="#ev",
                   detail={"waiting": 6, "left": 2, "po_not_placed": 5, "po_12m": 3,
                           "median_days": 400.0})
    if key == "po_waiting_18m":
        bad = bad.with_(value=3.0, unit="count", benchmark=0.0, better="lower")
    area = improvement.AREAS[area_id]
    assert bad.rating == "red" and area.fires(bad)
    words = area.words(bad, params)
    assert "?" in words and "#ev" in words
    good = bad.with_(value=60.0) if key != "po_waiting_18m" else bad.with_(value=0.0)
    assert not area.fires(good)


def test_the_estimators_are_not_imported_with_the_kit():
    """Every kernel imports the measures and present modules: statsmodels (about a second) only
    when an estimate is made."""
    code = ("import sys, pkgutil, importlib, diagnostic_kit.measures as m, "
            "diagnostic_kit.present as p\n"
            "for pkg in (m, p):\n"
            "    for i in pkgutil.iter_modules(pkg.__path__):\n"
            "        importlib.import_module(pkg.__name__ + '.' + i.name)\n"
            "print('statsmodels' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr


# -- in words --------------------------------------------------------------------------------

def test_sentences_of_the_hand_worked_cohort(journeys, params):
    from diagnostic_kit.present import waiting as text

    w = wt.analyse(journeys, params)
    # No child of the six was adopted in the period (none has an adoption order); D is still
    # waiting, 181 days after the decision; C, F left the route another way.
    assert text.left_out_sentence(w, journeys, params) == (
        "A1, A10, A2 and the stage statistics count only finished journeys: A1 counts the 0 "
        "children adopted in the period. 1 more with an ADM decision in the same years is "
        "still waiting at 31 March 2026, none of them yet 18 months since the decision, and 2 "
        "left the adoption route another way.")
    lines = text.curve_sentences(w, params)
    # 1/6 = 17% within 6 months, 11/18 = 61% within 12 and 18 (every child had left by 300).
    assert lines[0].startswith("Of the 6 children with an ADM decision in the period, an "
                               "estimated 17% within 6 months, 61% within 12 months and 61% "
                               "within 18 months of the decision were placed with adopters")
    assert lines[1].startswith("Half the children had been placed 300 days (9.9 months)")
    # Kaplan–Meier: 100% at 12 months against 61%.
    assert "would give 100% within 12 months" in lines[2]
    assert text.outcome_sentence(w) == (
        "12 months after the decision, an estimated 61% of the children had been placed with "
        "adopters, 17% had their decision reversed or plan changed, 22% had a special "
        "guardianship order, 0% had returned home, 0% had left care another way and 0% were "
        "still waiting (together, every child).")


def test_small_counts_are_suppressed_in_the_sentences(journeys, params):
    from diagnostic_kit.present import waiting as text

    nv.set_suppression(5)
    w = wt.analyse(journeys, params)
    line = text.curve_sentences(w, params)[0]
    # The shares rest on 3 children placed (under 5): not shown, nor the counts under 5.
    assert line.startswith("Of the 6 children with an ADM decision in the period, an "
                           "estimated –% within 6 months, –% within 12 months")
    assert "the <5 still waiting" in line and "17%" not in line


def test_children_with_an_order_waiting_are_counted_in_words(params):
    from diagnostic_kit.present import waiting as pw

    flows = pd.DataFrame({"year": ["Whole period"], "adm_decisions": [5], "children_decided": [5],
                          "placement_orders": [4], "reversed": [0]})
    none = pd.DataFrame({"instead": pd.Series(dtype="string")})
    counts = {"adm_not_placed": 6, "po_not_placed": 4, "po_median_days": 109, "po_12m": 0,
              "po_18m": 0}
    assert pw.flow_sentences(flows, counts, none, params)[1].endswith(
        "4 of them with a placement order (a median of 109 days since it; none of them 12 "
        "months or more).")
    # A reversal counts when it falls in the period, whatever the date of its decision.
    assert pw.flow_sentences(flows.assign(reversed=2), counts, none, params)[0] == (
        "5 new ADM decisions (5 children) and 4 new placement orders in the period; 2 decisions "
        "reversed in the period, whenever made (the curves above follow only the decisions of "
        "the period).")
    counts.update(po_12m=3, po_18m=1)
    assert pw.flow_sentences(flows, counts, none, params)[1].endswith(
        "(a median of 109 days since it; 3 of them 12 months or more, **1 of those 18 months "
        "or more**).")
