"""Section 4 on hand-built children: the cohort rule (boundary ages and dates, a period of care
that ends and restarts), move counting, plan-change detection, the second-review deadline, the
dated events shared with section 3, and the cohorts of every entry year on a small built LA
(each year's, the pooled figure, legal status at two years, the findings for the summary)."""

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
    # E is still accommodated under s20 (V2) on the anniversary; A is on E1, F on E1.
    assert dict(kids["reasons"]) == {
        "A": "3+ placements; plan changed after 12 months",
        "E": "no permanence plan; interim care order (C1) or s20 (V2) at two years", "F": ""}
    h = uf.headline(PERIODS, HEADER, kids.reset_index(), params)
    assert (h["entrants"], h["cohort"], h["three_plus"], h["no_plan"], h["late_change"],
            h["ls_drift"], h["drift"]) == (4, 3, 1, 1, 1, 1, 2)
    assert h["entry_year"] == "2023-24"
    assert h["cohort_pct"] == pytest.approx(75.0)
    assert h["three_plus_pct"] == pytest.approx(100 / 3)


def test_the_drift_sentence_points_to_the_list_in_the_annex_unless_suppressed(params, kids):
    from diagnostic_kit.present import under_fives as text

    # A and E are on the list (3+ placements; no plan and s20 at two years), F is not.
    assert text.drift_sentence(kids) == (
        "2 children of every entry year are on the drift list; the most common reason is 3+ "
        "placements (1 child).")
    assert text.drift_list_pointer(kids, params) == (
        "The list, the latest entry year first, with why each child is on it, is in the "
        "technical annex ([the drift list](#s04-t-under_fives_drift_list_every_entry_year_"
        "children_and_why_each_is_on_it)).")
    # Suppression leaves the list out, so nothing points to it; no child on it, no pointer.
    assert text.drift_list_pointer(kids, params.model_copy(update={"suppress_below": 5})) == ""
    assert text.drift_list_pointer(kids.assign(on_drift_list=False), params) == ""


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


# -- cohorts of every entry year, on a small built LA ------------------------------------------
#
# Reference date 31/03/2026, two years: the latest entry year is 2023-24. The returns loaded
# start with 2021-22 (data from 01/04/2021), so the entry years are 2021-22, 2022-23, 2023-24.
#
#   child  entered      under 5  period                                  year     cohort  LS at 2y
#   Z      01/10/2020   yes      open (C1)                               2020-21  before the data
#   P1     01/05/2021   yes      open, V2 throughout                     2021-22  yes     V2 flag
#   P2     01/06/2021   yes      S C1, P C1, B C2: 3 placements, open    2021-22  yes     C2
#   P3     01/07/2021   yes      home 01/01/2022                         2021-22  no
#   Q1     01/04/2022   yes      open, C1 throughout                     2022-23  yes     C1 flag
#   Q2     01/05/2022   yes      S C1, P C1, B E1: 3 placements, open    2022-23  yes     E1
#   R1     31/03/2024   yes      C1 then C2 (L), open; anniversary = ref 2023-24  yes     C2
#   R2     01/05/2023   yes      home 01/09/2023                         2023-24  no
#   R3     01/06/2023   yes      V2, left care on the anniversary        2023-24  no
#   R4     01/06/2023   no: entered on the fifth birthday                2023-24  -
#   S1     01/05/2024   yes      open; anniversary 01/05/2026 > ref      2024-25  not a cohort
#
# By year: entrants 3, 2, 3; cohort 2, 2, 1; 3+ placements 1, 1, 0; C1/V2 at two years 1, 1, 0.
# Pooled: entrants 8, cohort 5 (62.5%, not the mean 66.7% of 66.7, 100, 33.3); 3+ placements
# 2 of 5 (40%, not the mean 33.3% of 50, 50, 0); C1/V2 2 of 5 (40%): one C1, one V2.

from tests.la_builder import ep, hdr, write_la  # noqa: E402

Z = [ep("Z", "01/10/2020", "S", "C1", "U6")]
LA_EPISODES = Z + [
    ep("P1", "01/05/2021", "S", "V2", "U6"),
    ep("P2", "01/06/2021", "S", "C1", "U6", "01/09/2021", "X1"),
    ep("P2", "01/09/2021", "P", "C1", "U4", "01/01/2022", "X1"),
    ep("P2", "01/01/2022", "B", "C2", "U6"),
    ep("P3", "01/07/2021", "S", "V2", "U6", "01/01/2022", "E4A"),
    ep("Q1", "01/04/2022", "S", "C1", "U6"),
    ep("Q2", "01/05/2022", "S", "C1", "U6", "01/08/2022", "X1"),
    ep("Q2", "01/08/2022", "P", "C1", "U4", "01/06/2023", "X1"),
    ep("Q2", "01/06/2023", "B", "E1", "U6"),
    ep("R1", "31/03/2024", "S", "C1", "U6", "01/01/2025", "X1"),
    ep("R1", "01/01/2025", "L", "C2", "U6"),
    ep("R2", "01/05/2023", "S", "V2", "U6", "01/09/2023", "E4A"),
    ep("R3", "01/06/2023", "S", "V2", "U6", "01/06/2025", "E13"),
    ep("R4", "01/06/2023", "S", "C1", "U6"),
    ep("S1", "01/05/2024", "S", "C1", "U6"),
]
LA_HEADER = [hdr("Z", "01/01/2018")] + [hdr(c, "01/01/2020") for c in ("P1", "P2", "P3")] + [
    hdr(c, "01/01/2021") for c in ("Q1", "Q2")] + [
    hdr(c, "01/01/2022") for c in ("R1", "R2", "R3")] + [
    hdr("R4", "01/06/2018"), hdr("S1", "01/01/2023")]


def _built_la(root, first: int):
    """The LA above with returns from collection year ``first``-``first+1`` to 2025-26: Z's
    open episode in every return, everyone's episodes in the last."""
    from diagnostic_kit.run.prepare import prepare_la

    years = {f"{y}-{(y + 1) % 100:02d}": {"header": [hdr("Z", "01/01/2018")], "episodes": Z}
             for y in range(first, 2025)}
    years["2025-26"] = {"header": LA_HEADER, "episodes": LA_EPISODES}
    return prepare_la(write_la(root, years))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    la = _built_la(tmp_path_factory.mktemp("u5"), 2021)
    windows = uf.entry_years(la.params, la.years, la.episodes)
    t = la.tables
    kids = uf.children_over_two_years(la.periods, la.episodes, t["header"], t["reviews"],
                                      t["oc2"], t["permanence_plans"], t["health_needs"],
                                      la.params, windows)
    return la, windows, kids


def _table(la, windows, kids, plans_given=True):
    return uf.by_entry_year(la.periods, la.tables["header"], kids, la.params, windows,
                            plans_given).set_index("entry_year")


def test_entry_years_run_from_the_start_of_the_data_to_two_years_before_the_reference(built):
    la, windows, _ = built
    assert la.years == ["2022", "2023", "2024", "2025", "2026"]
    assert list(windows["entry_year"]) == ["2021-22", "2022-23", "2023-24"]
    assert list(windows["start"]) == [T("2021-04-01"), T("2022-04-01"), T("2023-04-01")]
    assert list(windows["end"]) == [T("2022-03-31"), T("2023-03-31"), T("2024-03-31")]
    # The latest is the window the section always had.
    assert tuple(windows.iloc[-1][["start", "end"]]) == uf.cohort_window(la.params)


def test_each_entry_year_has_its_own_cohort(built):
    la, windows, kids = built
    k = kids.set_index("child")
    assert dict(k["entry_year"]) == {"P1": "2021-22", "P2": "2021-22", "Q1": "2022-23",
                                     "Q2": "2022-23", "R1": "2023-24"}
    t = _table(la, windows, kids)
    assert list(t.index) == ["2021-22", "2022-23", "2023-24", uf.POOLED]
    assert list(t["entrants"]) == [3, 2, 3, 8]
    assert list(t["cohort"]) == [2, 2, 1, 5]
    assert list(t["three_plus"]) == [1, 1, 0, 2]
    assert list(t["ls_drift"]) == [1, 1, 0, 2]
    assert list(t["drift"]) == [2, 2, 0, 4]
    assert (k.loc["P2", "placements"], k.loc["Q2", "placements"], k.loc["R1", "placements"]) == (
        3, 3, 1)


def test_the_pooled_figure_is_over_every_cohort_child_not_the_mean_of_the_years(built):
    la, windows, kids = built
    t = _table(la, windows, kids)
    years = t.drop(index=uf.POOLED)
    pooled = t.loc[uf.POOLED]
    assert pooled["three_plus_pct"] == pytest.approx(40.0)               # 2 of 5
    assert years["three_plus_pct"].mean() == pytest.approx(100 / 3)       # (50 + 50 + 0) / 3
    assert pooled["cohort_pct"] == pytest.approx(62.5)                    # 5 of 8
    assert years["cohort_pct"].mean() == pytest.approx(200 / 3)
    assert (pooled["ls_drift"], pooled["c1"], pooled["v2"]) == (2, 1, 1)
    assert pooled["ls_drift_pct"] == pytest.approx(40.0)
    assert uf.pooled(_table(la, windows, kids).reset_index())["cohort"] == 5


def test_c1_and_v2_on_the_anniversary_are_drift_c2_and_e1_are_not(built):
    _, _, kids = built
    k = kids.set_index("child")
    assert dict(k["ls_at_two_years"]) == {"P1": "V2", "P2": "C2", "Q1": "C1", "Q2": "E1",
                                          "R1": "C2"}
    assert dict(k["c1_or_v2_at_two_years"]) == {"P1": True, "P2": False, "Q1": True,
                                                "Q2": False, "R1": False}
    reason = uf.REASONS["c1_or_v2_at_two_years"]
    assert k.loc["P1", "reasons"] == reason and k.loc["Q1", "reasons"] == reason
    assert k.loc["P2", "reasons"] == "3+ placements"
    assert uf.drift_reasons(kids).set_index("reason")["children"][reason] == 2


def test_an_entry_year_whose_anniversary_is_after_the_reference_date_is_not_a_cohort(built):
    la, windows, kids = built
    # S1 entered in 2024-25: its second anniversary (01/05/2026) is after 31/03/2026.
    assert "2024-25" not in set(windows["entry_year"])
    assert (windows["end"] + pd.DateOffset(years=2)).max() == T("2026-03-31")
    entr = uf.entrants(la.periods, la.tables["header"], la.params, windows)
    assert "S1" not in set(entr["child"]) and "S1" not in set(kids["child"])
    # R1 entered on the latest year's last day: its anniversary is the reference date itself.
    assert kids.set_index("child").loc["R1", "anniversary"] == T("2026-03-31")
    # R3 left care on its anniversary, R4 entered on its fifth birthday.
    assert {"R3", "R4"}.isdisjoint(kids["child"])
    assert "R4" not in set(entr["child"])


def test_an_entry_year_before_the_data_is_not_a_cohort(built, tmp_path):
    la, windows, kids = built
    # Z's care entry is in the returns (its S episode was still open), but 2020-21 began
    # before the data, whose entrants who had left by then are not in it: not a cohort.
    z = la.periods.set_index("child").loc["Z"]
    assert z["entry_known"] and z["care_entry"] == T("2020-10-01")
    assert "2020-21" not in set(windows["entry_year"]) and "Z" not in set(kids["child"])
    # With the 2020-21 return loaded as well, 2020-21 is a cohort and Z in it (C1 at two years).
    la2 = _built_la(tmp_path, 2020)
    w2 = uf.entry_years(la2.params, la2.years, la2.episodes)
    assert list(w2["entry_year"]) == ["2020-21", "2021-22", "2022-23", "2023-24"]
    t = la2.tables
    k2 = uf.children_over_two_years(la2.periods, la2.episodes, t["header"], t["reviews"],
                                    t["oc2"], t["permanence_plans"], t["health_needs"],
                                    la2.params, w2)
    z2 = k2.set_index("child").loc["Z"]
    assert (z2["entry_year"], z2["ls_at_two_years"], z2["c1_or_v2_at_two_years"]) == (
        "2020-21", "C1", True)
    assert uf.pooled(uf.by_entry_year(la2.periods, t["header"], k2, la2.params, w2))[
        "ls_drift"] == 3


def test_where_the_data_starts():
    from diagnostic_kit.derive.periods import data_start

    assert data_start(["2022", "2026"]) == T("2021-04-01")
    # Combined files: the collection year of the earliest end date (15/02/2022 is in 2021-22).
    eps = pd.DataFrame({"DECOM": [T("2019-05-01"), T("2022-02-15")],
                        "DEC": [T("2022-02-15"), pd.NaT]})
    assert data_start([], eps) == T("2021-04-01")
    assert data_start([], eps.assign(DEC=pd.NaT)) == T("2019-04-01")
    assert data_start([]) is None


def test_no_data_start_known_gives_the_latest_window_and_none_covered_gives_no_cohort(params):
    w = uf.entry_years(params)
    assert list(w["entry_year"]) == ["2023-24"]
    assert uf.entry_years(params, ["2025", "2026"]).empty     # data from 01/04/2024
    h = uf.headline(PERIODS, HEADER, uf.children_over_two_years(
        PERIODS, EPISODES, HEADER, REVIEWS, OC2, PLANS, HEALTH, params,
        uf.entry_years(params, ["2025", "2026"])), params,
        windows=uf.entry_years(params, ["2025", "2026"]))
    assert (h["entry_year"], h["entrants"], h["cohort"]) == (None, 0, 0)
    from diagnostic_kit.present import under_fives as text

    assert "starts before the SSDA903 returns loaded" in text.key_findings(h, params)


def test_entry_years_step_back_a_year_from_a_reference_date_that_is_not_31_march(params):
    p = params.model_copy(update={"period_end": pd.Timestamp("2025-09-30").date()})
    w = uf.entry_years(p, ["2022", "2023", "2024", "2025", "2026"])
    assert list(w["entry_year"]) == ["01/10/2021 to 30/09/2022", "01/10/2022 to 30/09/2023"]


def test_the_latest_cohort_keeps_its_metrics(built):
    la, windows, kids = built
    h = uf.headline(la.periods, la.tables["header"], kids, la.params, True, windows)
    assert (h["entry_year"], h["entrants"], h["cohort"], h["three_plus"], h["ls_drift"]) == (
        "2023-24", 3, 1, 0, 0)
    assert list(uf.latest_cohort(kids, windows)["child"]) == ["R1"]


class _Metrics:
    def __init__(self):
        self.got = {}

    def metric(self, name, value, n=None):
        self.got[name] = (value, n)


def test_metrics_of_the_latest_cohort_and_pooled(built):
    la, windows, kids = built
    h = uf.headline(la.periods, la.tables["header"], kids, la.params, True, windows)
    sec = _Metrics()
    uf.record_metrics(sec, h, uf.pooled(_table(la, windows, kids).reset_index()))
    assert sec.got["under5_cohort_size"] == (1, None)
    assert sec.got["under5_cohort_c1_v2_at_two_years"] == (0.0, 1)
    assert sec.got["under5_pooled_entrants"] == (8, None)
    assert sec.got["under5_pooled_cohort_size"] == (5, None)
    assert sec.got["under5_pooled_3plus_moves"] == (pytest.approx(40.0), 5)
    assert sec.got["under5_pooled_c1_v2_at_two_years"] == (pytest.approx(40.0), 5)
    from diagnostic_kit import registry

    assert set(sec.got) == set(registry.section("04_under_fives").metrics)


def test_headlines_for_the_summary(built):
    la, windows, kids = built
    hs = {h.key: h for h in uf.headlines(la.periods, la.tables["header"], kids, la.params,
                                         windows)}
    assert list(hs) == ["under5_three_plus_placements", "under5_c1_v2_at_two_years",
                        "under5_drift_list"]
    three = hs["under5_three_plus_placements"]
    # Pooled 2 of 5 (40%) against England's 23%, which is not confirmed: shown, never rated.
    # Reach: the children over 23% of 5 (1.15): 2 - 1.15 = 0.85, so 1 child.
    assert (three.value, three.n, three.benchmark, three.confirmed) == (
        pytest.approx(40.0), 5, 23.0, False)
    assert three.rating == "not rated" and three.reach == 1
    assert three.evidence == ("#s04-t-under_fives_by_year_of_entry_still_looked_after_at_two_"
                              "years_and_drift")
    assert three.detail["by_year"] == {"2021-22": 1, "2022-23": 1, "2023-24": 0}
    legal = hs["under5_c1_v2_at_two_years"]
    # Two children (Q1 on C1, P1 on V2) against a standard of none: red, wholly off (gap 1),
    # so its impact is the two children.
    assert (legal.value, legal.benchmark, legal.unit, legal.better) == (2.0, 0.0, "count",
                                                                         "lower")
    assert legal.rating == "red" and legal.reach == 2 and legal.gap == 1.0
    assert legal.impact == 2.0
    assert (legal.detail["c1"], legal.detail["v2"]) == (1, 1)
    assert legal.evidence == "#s04-Drift-list"
    drift = hs["under5_drift_list"]
    assert (drift.value, drift.reach, drift.rating) == (4.0, 4, "not rated")
    assert {h.section for h in hs.values()} == {"04_under_fives"}
    # Were England's figure confirmed, the share would be rated: 40% against 23%, red.
    confirmed = la.params.comparators.three_plus_placements_pct.model_copy(
        update={"confirmed": True})
    params = la.params.model_copy(update={"comparators": la.params.comparators.model_copy(
        update={"three_plus_placements_pct": confirmed})})
    assert uf.headlines(la.periods, la.tables["header"], kids, params, windows)[0].rating == \
        "red"
    # Only the latest year (R1, on C2): no child on C1 or V2, so green.
    last = windows.iloc[[-1]]
    k = kids[kids["entry_year"].eq("2023-24")]
    legal_latest = uf.headlines(la.periods, la.tables["header"], k, la.params, last)[1]
    assert (legal_latest.value, legal_latest.n, legal_latest.rating) == (0.0, 1, "green")


def test_the_evidence_links_are_the_notebook_s_own_table_and_heading():
    """The report makes ``#s04-t-<name>`` from a table title and ``#s04-<heading>`` from a
    Markdown heading of section 4's notebook (tests/test_e2e.py checks they resolve)."""
    import json
    from pathlib import Path

    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks"
                     / "04_under_fives.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"]]
    headings = {line[3:].strip().replace(" ", "-") for s in sources
                for line in s.splitlines() if line.startswith("## ")}
    assert uf.DRIFT_LIST_ANCHOR.removeprefix("#s04-") in headings
    assert any('under_fives.EVIDENCE["by_entry_year"]' in s and "sec.table(" in s for s in sources)

def test_the_words_say_each_year_and_the_pooled_figure(built):
    from diagnostic_kit.present import narrative as nv
    from diagnostic_kit.present import under_fives as text

    nv.set_suppression(0)
    la, windows, kids = built
    table = uf.by_entry_year(la.periods, la.tables["header"], kids, la.params, windows)
    words = text.by_year_findings(table, la.params)
    assert ("3 or more placements in their first 2 years: 1 of 2 (50%) who entered in 2021-22, "
            "1 of 2 (50%) in 2022-23 and 0 of 1 (0%) in 2023-24; over the 3 entry years "
            "together, 2 of 5 children (40%).") in words
    assert ("over the 3 entry years together, 2 of 5 children (40%), 1 on an interim care "
            "order and 1 under s20.") in words
    assert "Together, 5 of 8 children (62.5%)" not in words and "5 of 8 children (63%)" in words
    shown = text.display_by_entry_year(table)
    assert list(shown.iloc[-1]) == ["All entry years", 8, "5 of 8 (63%)", "2 of 5 (40%)",
                                    "0 of 5 (0%)", "0 of 5 (0%)", "2 of 5 (40%)",
                                    "4 of 5 (80%)"]
    drift = text.display_children(kids, pd.Series({c: f"P-{c}" for c in kids["child"]}),
                                  drift_only=True)
    assert list(drift["Entry year"]) == ["2022-23", "2022-23", "2021-22", "2021-22"]
    assert list(drift.columns[:4]) == ["Child", "Why on the list", "Entry year", "Entered care"]
    assert "Same-carer moves" not in drift.columns
