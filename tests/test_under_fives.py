"""Section 4 on hand-built children: the cohort rule (boundary ages and dates, a period of care
that ends and restarts), move counting, plan-change detection, the second-review deadline, and
the dated events shared with section 3."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.derive import events as ev
from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import under_fives as uf

T = pd.Timestamp


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)  # reference date 31/03/2026


def _ep(child, pid, decom, rne, ls, place="U4", dec=None, rec=None):
    return {"CHILD": child, "period_id": pid, "DECOM": T(decom), "RNE": rne, "LS": ls,
            "PLACE": place, "DEC": T(dec) if dec else pd.NaT, "REC": rec}


def _chain(rows):
    """Episodes with each DEC the next episode's DECOM within the period (X1)."""
    df = pd.DataFrame(rows)
    nxt = df.groupby("period_id")["DECOM"].shift(-1)
    df["DEC"] = df["DEC"].fillna(nxt)
    df["REC"] = df["REC"].where(df["REC"].notna() | nxt.isna(), "X1")
    return df


EPISODES = _chain([
    # A: under five by one day, entered on the window's last day; moves P, B, and P on the
    # anniversary itself; one same-carer move (U).
    _ep("A", 1, "2024-03-31", "S", "C1"), _ep("A", 1, "2024-06-01", "P", "C1"),
    _ep("A", 1, "2024-09-01", "U", "C2"), _ep("A", 1, "2025-01-01", "B", "E1"),
    _ep("A", 1, "2026-03-31", "P", "E1"),
    # B: entered care on their fifth birthday: not under five.
    _ep("B", 2, "2023-04-01", "S", "C1"),
    # C: entered the day before the window.
    _ep("C", 3, "2023-03-31", "S", "C1"),
    # D: entered on the window's first day; care ended on the second anniversary.
    _ep("D", 4, "2023-04-01", "S", "C2", dec="2025-04-01", rec="E13"),
    # E: a period that ends, then a new one in the window, still going.
    _ep("E", 5, "2023-05-01", "S", "V2", dec="2023-08-01", rec="E4A"),
    _ep("E", 6, "2023-10-01", "S", "V2"),
    # F: care ended (adopted) the day after the anniversary.
    _ep("F", 7, "2023-06-01", "S", "C1"), _ep("F", 7, "2024-01-10", "P", "E1", "A5"),
    _ep("F", 7, "2024-01-10", "L", "E1", "A5", dec="2025-06-02", rec="E11"),
])
HEADER = pd.DataFrame({"CHILD": list("ABCDEF"), "DOB": [T(d) for d in (
    "2019-04-01", "2018-04-01", "2022-01-01", "2022-01-01", "2021-06-01", "2022-01-01")]})
PERIODS = pd.DataFrame({
    "child": list("ABCDEEF"), "period_id": [1, 2, 3, 4, 5, 6, 7],
    "care_entry": [T(d) for d in ("2024-03-31", "2023-04-01", "2023-03-31", "2023-04-01",
                                  "2023-05-01", "2023-10-01", "2023-06-01")],
    "period_end": [pd.NaT, pd.NaT, pd.NaT, T("2025-04-01"), T("2023-08-01"), pd.NaT,
                   T("2025-06-02")],
    "end_reason": [None, None, None, "E13", "E4A", None, "E11"],
    "short_breaks_only": False,
})
PERIODS["first_decom"] = PERIODS["care_entry"]
PLANS = pd.DataFrame({
    "child": ["A", "A", "A", "F", "F"],
    "plan_date": [T(d) for d in ("2024-04-20", "2024-05-01", "2025-05-01", "2023-06-10",
                                 "2023-12-01")],
    "plan": ["reunification", "reunification", "adoption", "reunification", "adoption"],
    "source": ["lac_review", "iro_recommendation", "adm", "lac_review", "adm"],
})
REVIEWS = pd.DataFrame({"CHILD": ["A", "A", "A"],
                        "REVIEW": [T("2024-04-25"), T("2024-07-20"), T("2025-01-20")]})
OC2 = pd.DataFrame({"CHILD": ["A", "F"], "HEALTH_CHECK": [True, False], "_year": [2025, 2024]})
HEALTH = pd.DataFrame({"child": ["A", "A"], "date_identified": [T("2024-05-01"),
                                                                 T("2026-05-01")],
                       "need": ["neonatal_abstinence", "other"]})


@pytest.fixture(scope="module")
def kids(params):
    k = uf.children_over_two_years(PERIODS, EPISODES, HEADER, REVIEWS, OC2, PLANS, HEALTH, params)
    return k.set_index("child")


def test_the_window_is_the_12_months_ending_two_years_before_the_reference_date(params):
    assert uf.cohort_window(params) == (T("2023-04-01"), T("2024-03-31"))


def test_the_cohort_rule_at_its_boundaries(params, kids):
    entr = uf.entrants(PERIODS, HEADER, params)
    assert sorted(entr["child"]) == ["A", "D", "E", "F"]  # B is 5 on entry, C before the window
    # E is one entrant (first entry), followed in the period still going on its anniversary.
    assert entr.set_index("child").loc["E", "period_id"] == 5
    assert sorted(kids.index) == ["A", "E", "F"]          # D left care on the anniversary
    assert kids.loc["E", "period_id"] == 6
    assert kids.loc["A", "anniversary"] == T("2026-03-31")


def test_moves_and_placements_over_the_two_years(kids):
    assert kids.loc["A", "moves"] == 3                    # P, B and the P on the anniversary
    assert kids.loc["A", "placements"] == 4
    assert kids.loc["A", "same_carer_moves"] == 1
    assert kids.loc["E", "placements"] == 1
    assert kids.loc["F", "placements"] == 2               # the L episode is not a move
    assert list(kids["three_plus_placements"]) == [True, False, False]


def test_legal_status_on_the_anniversary(kids):
    assert kids.loc["A", "ls_at_two_years"] == "E1"       # the episode starting that day
    assert kids.loc["E", "ls_group"] == "V2"
    assert kids.loc["F", "ls_group"] == "E1"


def test_plans_and_changes_of_plan(kids):
    a = kids.loc["A"]
    assert (a["first_plan"], a["plan_at_two_years"], a["plan_changes"]) == (
        "reunification", "adoption", 1)
    assert a["days_to_first_plan"] == 20
    assert a["plan_changed_after_12_months"]              # 01/05/2025 > 31/03/2025
    assert a["plan_path"] == "reunification → adoption (01/05/2025)"
    f = kids.loc["F"]
    assert f["plan_changes"] == 1 and not f["plan_changed_after_12_months"]
    assert kids.loc["E", "no_plan"] and kids.loc["E", "plan_at_two_years"] == "none"


def test_the_second_review_deadline():
    # Entry Monday 2 December 2024: the first review is due 20 working days later (25, 26
    # December and 1 January are bank holidays): Thursday 2 January 2025; the second 3 months
    # after it. A recorded second review is its own date.
    entry = pd.Series([T("2024-12-02"), T("2024-03-31")])
    got = uf.second_review_deadline(entry, REVIEWS, pd.Series(["Z", "A"]))
    assert list(got) == [T("2025-04-02"), T("2024-07-20")]


def test_plan_by_second_review_health_and_position(kids):
    assert kids.loc["A", "plan_by_second_review"]
    assert not kids.loc["E", "plan_by_second_review"]
    assert kids.loc["A", "health_needs"] == 1             # the later need is after two years
    assert kids.loc["A", "health_check"] and not kids.loc["F", "health_check"]
    assert pd.isna(kids.loc["E", "health_check"])
    assert dict(kids["position"]) == {"A": "po_not_placed", "E": "other_looked_after",
                                      "F": "adopted"}


def test_drift_list_and_headline(params, kids):
    assert dict(kids["reasons"]) == {
        "A": "3+ placements; plan changed after 12 months", "E": "no permanence plan", "F": ""}
    h = uf.headline(PERIODS, HEADER, kids.reset_index(), params)
    assert (h["entrants"], h["cohort"], h["three_plus"], h["no_plan"], h["late_change"],
            h["drift"]) == (4, 3, 1, 1, 1, 2)
    assert h["cohort_pct"] == pytest.approx(75.0)
    assert h["three_plus_pct"] == pytest.approx(100 / 3)


def test_events_are_dated_per_child():
    e = ev.child_events(EPISODES, PERIODS, PLANS)
    a = e[e["child"].eq("A")]
    assert list(a.loc[a["kind"].eq("change_of_carer"), "date"]) == [
        T("2024-06-01"), T("2025-01-01"), T("2026-03-31")]
    assert list(a.loc[a["kind"].eq("same_carer_move"), "date"]) == [T("2024-09-01")]
    ls = a[a["kind"].eq("legal_status")]
    assert list(zip(ls["previous"].fillna(""), ls["code"], strict=True)) == [
        ("", "C1"), ("C1", "C2"), ("C2", "E1")]
    ch = e[e["kind"].eq("plan_change")]
    assert list(zip(ch["child"], ch["previous"], ch["code"], strict=True)) == [
        ("A", "reunification", "adoption"), ("F", "reunification", "adoption")]


def test_no_child_in_the_cohort_gives_empty_measures_not_an_error(params):
    """A small LA may have no under-five still looked after two years on (D's care ended on
    the anniversary, B entered at five): every measure is empty and the headline says 0."""
    keep = PERIODS["child"].isin(["B", "D"])
    ids = PERIODS.loc[keep, "period_id"]
    k = uf.children_over_two_years(PERIODS[keep], EPISODES[EPISODES["period_id"].isin(ids)],
                                   HEADER, REVIEWS, OC2, PLANS, HEALTH, params)
    assert k.empty
    h = uf.headline(PERIODS[keep], HEADER, k, params)
    assert (h["entrants"], h["cohort"], h["three_plus"], h["drift"]) == (1, 0, 0, 0)
    assert int(uf.placements_distribution(k)["children"].sum()) == 0
    from diagnostic_kit.present import under_fives as text

    assert "the tables and charts below are empty" in text.key_findings(h, params)


def test_events_and_moves_of_no_periods():
    none = ev.child_events(EPISODES.iloc[:0], PERIODS.iloc[:0], PLANS)
    assert none.empty and str(none["date"].dtype).startswith("datetime64")
    start = pd.Series([], dtype="datetime64[ns]", index=pd.Index([], dtype="int64"))
    assert ev.moves_between(none, start, start).empty
