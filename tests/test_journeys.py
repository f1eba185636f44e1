"""The journey table on a hand-built LA: each date rule pinned with worked values."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.run.prepare import prepare_la
from tests.la_builder import ep, hdr, write_la

# Child A: a foster-carer adoption. Carers began at episode 3 (RNE P, 15/09/2022); the child
# stayed with them (RNE L, L, T) until the A5 placement on 01/09/2023.
A_EPISODES = [
    ep("A", "10/06/2022", "S", "V2", "U6", "01/08/2022", "X1"),
    ep("A", "01/08/2022", "L", "C1", "U6", "15/09/2022", "X1"),
    ep("A", "15/09/2022", "P", "C1", "U4", "01/03/2023", "X1"),
    ep("A", "01/03/2023", "L", "C2", "U4", "20/06/2023", "X1"),
    ep("A", "20/06/2023", "L", "E1", "U4", "01/09/2023", "X1"),
    ep("A", "01/09/2023", "T", "E1", "A5", "15/02/2024", "E12"),
]
# Child B: adopted by strangers; matched (01/05/2023) before the PO (10/05/2023); no IRO row.
# Episode 2 is open in the 2022-23 return and closed in the 2023-24 one.
B_2223 = [
    ep("B", "01/02/2022", "S", "C1", "U6", "01/07/2022", "X1"),
    ep("B", "01/07/2022", "L", "C2", "U6"),
]
B_2324 = [
    ep("B", "01/07/2022", "L", "C2", "U6", "10/05/2023", "X1"),
    ep("B", "10/05/2023", "L", "E1", "U6", "01/06/2023", "X1"),
    ep("B", "01/06/2023", "P", "E1", "A6", "20/12/2023", "E11"),
]
# Child C: placement order, not placed at the reference date (31/03/2026).
C_EPISODES = [
    ep("C", "01/02/2023", "S", "C1", "U6", "01/06/2024", "X1"),
    ep("C", "01/06/2024", "L", "E1", "U6"),
]
# Child D: decision reversed (RD1), then a special guardianship order.
D_EPISODES = [ep("D", "01/04/2023", "S", "V2", "U6", "01/03/2025", "E45")]

PFA_B = {"CHILD": "B", "DATE_PLACED": "01/03/2023"}


@pytest.fixture(scope="module")
def la(tmp_path_factory):
    root = tmp_path_factory.mktemp("la")
    params = write_la(
        root,
        {
            "2022-23": {
                "header": [hdr("A", "01/06/2022"), hdr("B", "15/01/2021", "2", "MWBC")],
                "episodes": [*A_EPISODES[:4], *B_2223, C_EPISODES[0]],
                "placed_for_adoption": [PFA_B],
            },
            "2023-24": {
                "header": [hdr("A", "01/06/2022"), hdr("B", "15/01/2021", "2", "MWBC"),
                           hdr("C", "01/01/2023"), hdr("D", "01/05/2020", "2", "BAFR")],
                "episodes": [*A_EPISODES[3:], *B_2324, *C_EPISODES, *D_EPISODES],
                "placed_for_adoption": [
                    {"CHILD": "A", "DATE_PLACED": "01/05/2023"}, PFA_B,
                    {"CHILD": "C", "DATE_PLACED": "01/03/2024"},
                ],
                "ad1": [
                    {"CHILD": "A", "DATE_INT": "01/05/2023", "DATE_MATCH": "15/08/2023",
                     "FOSTER_CARE": "1", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF",
                     "LS_ADOPTR": "L11"},
                    {"CHILD": "B", "DATE_INT": "01/03/2023", "DATE_MATCH": "01/05/2023",
                     "FOSTER_CARE": "0", "NB_ADOPTR": "1", "SEX_ADOPTR": "F1",
                     "LS_ADOPTR": "L0"},
                ],
            },
            "2024-25": {
                "header": [hdr("C", "01/01/2023"), hdr("D", "01/05/2020", "F", "BAFR")],
                "episodes": [*C_EPISODES, *D_EPISODES],
                "placed_for_adoption": [
                    {"CHILD": "C", "DATE_PLACED": "01/03/2024"},
                    {"CHILD": "D", "DATE_PLACED": "01/09/2024",
                     "DATE_PLACED_CEASED": "01/02/2025", "REASON_PLACED_CEASED": "RD1"},
                ],
            },
        },
        local={
            "permanence_plans": [
                {"child": "A", "plan_date": "2022-12-01", "plan": "reunification",
                 "source": "lac_review"},
                {"child": "A", "plan_date": "2023-03-20", "plan": "adoption",
                 "source": "IRO recommendation"},
            ]
        },
    )
    return prepare_la(params)


def _row(la, child: str) -> pd.Series:
    rows = la.journeys[la.journeys["child"] == child]
    assert len(rows) == 1
    return rows.iloc[0]


def test_foster_carer_adoption_dates_and_stages(la):
    a = _row(la, "A")
    assert a["care_entry"] == pd.Timestamp("2022-06-10")
    assert a["iro_date"] == pd.Timestamp("2023-03-20")
    assert a["adm_date"] == pd.Timestamp("2023-05-01")
    assert a["po_date"] == pd.Timestamp("2023-06-20")
    assert a["placement_date"] == pd.Timestamp("2023-09-01")
    assert a["ao_date"] == pd.Timestamp("2024-02-15")
    # Walk back from the A5 episode (RNE T) through L, L to the RNE P episode.
    assert a["moved_in_date"] == pd.Timestamp("2022-09-15")
    assert bool(a["foster_carer"])
    # 10/06/2022 → 20/03/2023 = 283; → 01/05/2023 = 42; → 20/06/2023 = 50; → 01/09/2023 = 73;
    # → 15/02/2024 = 167.
    stages = [a[f"stage_{s}"] for s in
              ("entry_to_iro", "iro_to_adm", "adm_to_po", "po_to_placement", "placement_to_ao")]
    assert stages == [283, 42, 50, 73, 167]
    assert a["a1_days"] == 448  # entry → adoptive placement
    assert a["a10_days"] == 97  # entry → moved in with the foster carers, 15/09/2022
    assert a["a2_days"] == 56  # PO 20/06/2023 → match 15/08/2023
    assert a["placement_moves"] == 1  # the move to the U4 carers
    assert a["plan_changes"] == 1  # reunification → adoption
    assert a["status"] == "adopted" and bool(a["adopted_in_period"])
    assert a["ao_year"] == "2023-24"
    assert a["pseudonym"].startswith("C-") and a["pseudonym"] != "A"


def test_match_before_po_and_missing_iro(la):
    b = _row(la, "B")
    # Episode 2 comes from the later return, which carries its end date.
    assert b["po_date"] == pd.Timestamp("2023-05-10")
    assert b["a2_days"] == 0  # matched before the PO counts 0
    assert pd.isna(b["iro_date"])
    assert pd.isna(b["stage_entry_to_iro"]) and pd.isna(b["stage_iro_to_adm"])
    assert [b["stage_adm_to_po"], b["stage_po_to_placement"], b["stage_placement_to_ao"]] == [
        70, 22, 202]
    assert b["a1_days"] == 485 and b["a10_days"] == 485  # not a foster-carer adoption
    assert not bool(b["foster_carer"])
    assert b["placement_moves"] == 0
    assert b["sex"] == "female" and b["ethnic_group"] == "Mixed"


def test_children_in_process_and_reversed(la):
    c = _row(la, "C")
    assert c["status"] == "po_not_placed"
    assert c["current_stage"] == "po_to_placement"
    assert c["current_stage_days"] == 668  # 01/06/2024 → 31/03/2026
    assert c["days_since_po"] == 668
    assert c["days_since_entry"] == 1154
    d = _row(la, "D")
    assert d["status"] == "decision_reversed"
    assert d["reversed_reason"] == "RD1"
    assert d["decisions_reversed"] == 1
    assert pd.isna(d["current_stage"])


def test_periods_and_row_accounting(la):
    periods = la.periods.set_index("child")
    assert periods.loc["B", "care_entry"] == pd.Timestamp("2022-02-01")
    assert periods.loc["D", "end_reason"] == "E45"
    assert pd.isna(periods.loc["C", "period_end"])
    # Every row read is used or excluded.
    acc = la.dq.accounting
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_excluded"]).all()
    ex = la.dq.exclusions
    # B's open episode in 2022-23 is superseded by the closed one in 2023-24.
    # 2022-23 lines 5 (A, exact copy in 2023-24), 7 (B, superseded: the later return carries its
    # end date) and 8 (C, exact copy) are excluded; line 6 (B's first episode) is used.
    sup = ex[(ex["file"] == "903/2022-23/episodes.csv")]
    assert list(sup["row"]) == [5, 7, 8]
    assert list(sup["reason"]) == [
        "exact duplicate of a row in a later year's return",
        "superseded by the same record in a later year's return",
        "exact duplicate of a row in a later year's return",
    ]
    assert la.dq.findings.empty, la.dq.findings.to_string()


def test_moved_in_rule_of_adoption_facts():
    """The moved-in rule (``adoption_facts``) on its own: the carer spell start for a
    foster-carer adoption (AD1 FOSTER_CARE 1 or PLACE A3/A5), never after the placement; the
    placement date otherwise."""
    from diagnostic_kit.derive import journeys

    d = lambda *s: pd.Series(pd.to_datetime(list(s)))  # noqa: E731
    flag = journeys.foster_carer_adoption(pd.Series(["1", "0", None, None, "0"]),
                                          pd.Series(["A6", "A6", "A5", "A3", "A4"]))
    assert flag.tolist() == [True, False, True, True, False]
    moved = journeys.moved_in_date(
        d("2023-01-01", "2023-01-01", "2023-08-01", None, "2023-01-01"),
        d("2023-07-01", "2023-07-01", "2023-07-01", "2023-07-01", "2023-07-01"), flag)
    # Spell start; not a foster-carer adoption (stray spell ignored); spell after the
    # placement → the placement; spell unknown → the placement; A4 → the placement.
    assert moved.dt.strftime("%Y-%m-%d").tolist() == [
        "2023-01-01", "2023-07-01", "2023-07-01", "2023-07-01", "2023-07-01"]


# -- real-data shapes (issue 8): a child adopted twice; DATE_INT outside the period ---------------


def _adopted_twice(root):
    """Child T: adopted in 2022-23 (period 1), returns to care, adopted again in 2024-25."""
    from diagnostic_kit.run.prepare import prepare_la
    from tests.la_builder import write_la

    params = write_la(root, {
        "2022-23": {
            "header": [hdr("T", "01/01/2018")],
            "episodes": [ep("T", "01/04/2020", "S", "C2", "U6", "01/06/2021", "X1"),
                         ep("T", "01/06/2021", "P", "E1", "A6", "01/12/2022", "E11")],
            "ad1": [{"CHILD": "T", "DATE_INT": "01/02/2021", "DATE_MATCH": "01/05/2021",
                     "FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF",
                     "LS_ADOPTR": "L11"}],
        },
        "2024-25": {
            "header": [hdr("T", "01/01/2018")],
            "episodes": [ep("T", "01/03/2023", "S", "C2", "U6", "01/09/2024", "X1"),
                         ep("T", "01/09/2024", "P", "E1", "A6", "01/03/2025", "E12")],
            "ad1": [{"CHILD": "T", "DATE_INT": "01/05/2024", "DATE_MATCH": "01/08/2024",
                     "FOSTER_CARE": "0", "NB_ADOPTR": "1", "SEX_ADOPTR": "F1",
                     "LS_ADOPTR": "L0"}],
        },
    })
    return prepare_la(params)


def test_a_child_adopted_twice_has_two_journeys_each_with_its_own_ad1(tmp_path):
    la = _adopted_twice(tmp_path)
    j = la.journeys.sort_values("ao_date").set_index("ao_date")
    assert list(j.index) == [pd.Timestamp("2022-12-01"), pd.Timestamp("2025-03-01")]
    # Each adoption takes the AD1 row of its own collection year.
    assert list(j["adm_date"]) == [pd.Timestamp("2021-02-01"), pd.Timestamp("2024-05-01")]
    assert list(j["match_date"]) == [pd.Timestamp("2021-05-01"), pd.Timestamp("2024-08-01")]
    assert list(j["adopter_household"]) == ["L11", "L0"]
    # Second adoption: entry 01/03/2023 → placement 01/09/2024 = 550 days (A1);
    # PO 01/09/2024 → match 01/08/2024 is before the PO: A2 = 0.
    assert j["a1_days"].iloc[1] == 550
    assert j["a2_days"].iloc[1] == 0
    # Only the second adoption is in the reporting period (2023-04-01 to 2026-03-31).
    assert j["adopted_in_period"].tolist() == [False, True]
    acc = la.dq.accounting.set_index("file")
    assert acc["rows_excluded"].sum() == acc["rows_read"].sum() - acc["rows_used"].sum()
    assert "ad1_without_adoption" not in set(la.dq.findings["rule"])


def test_date_int_outside_the_period_is_not_the_adm_date(tmp_path):
    from diagnostic_kit.run.prepare import prepare_la
    from tests.la_builder import write_la

    # Care began 01/06/2023; AD1's DATE_INT (01/01/2017) is years before it and there is no
    # PlacedAdoption row: the journey has no ADM date, and the finding says why.
    params = write_la(tmp_path, {"2024-25": {
        "header": [hdr("U", "01/01/2022")],
        "episodes": [ep("U", "01/06/2023", "S", "C2", "U6", "01/03/2024", "X1"),
                     ep("U", "01/03/2024", "P", "E1", "A6", "01/12/2024", "E11")],
        "ad1": [{"CHILD": "U", "DATE_INT": "01/01/2017", "DATE_MATCH": "01/02/2024",
                 "FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}],
    }})
    la = prepare_la(params)
    (row,) = la.journeys.itertuples()
    assert pd.isna(row.adm_date) and pd.isna(row.stage_adm_to_po)
    f = la.dq.findings
    assert f.loc[f["rule"].eq("date_int_outside_period"), "column"].tolist() == ["DATE_INT"]
    assert "date_int_differs" not in set(f["rule"])


def test_a_period_whose_first_episode_has_no_rne_has_an_unknown_entry(tmp_path):
    from diagnostic_kit.run.prepare import prepare_la
    from tests.la_builder import write_la

    # Child V's first episode has RNE blank: the period is not known to start with a care
    # entry, so (as for a history that began before the data) it contains any date up to its
    # end, and the journey has no care entry and no A1.
    params = write_la(tmp_path, {"2024-25": {
        "header": [hdr("V", "01/01/2022")],
        "episodes": [ep("V", "01/06/2023", "", "C2", "U6", "01/03/2024", "X1"),
                     ep("V", "01/03/2024", "P", "E1", "A6", "01/12/2024", "E11")],
        "placed_for_adoption": [{"CHILD": "V", "DATE_PLACED": "01/05/2023",
                                 "DATE_PLACED_CEASED": "", "REASON_PLACED_CEASED": ""}],
    }})
    la = prepare_la(params)
    (period,) = la.tables["periods"].itertuples()
    assert period.entry_known is False and pd.isna(period.care_entry)
    (row,) = la.journeys.itertuples()
    # The decision (01/05/2023) is before the first episode but inside the unknown-entry period.
    assert row.adm_date == pd.Timestamp("2023-05-01")
    assert pd.isna(row.care_entry) and pd.isna(row.a1_days)
    f = la.dq.findings
    assert f.loc[f["rule"].eq("required_missing"), "column"].tolist() == ["RNE"]


def test_plans_of_a_period_are_one_definition_for_journeys_and_under_fives():
    """Section 3's plan changes and section 4's are the same events (derive/events): plans
    dated within the period (any before its end when its start is before the data), same-day
    plans in file order."""
    from diagnostic_kit.derive import events, journeys

    T = pd.Timestamp
    periods = pd.DataFrame({"child": ["A", "B"], "period_id": [1, 2],
                            "care_entry": [T("2023-01-10"), pd.NaT],
                            "period_end": [T("2024-06-30"), pd.NaT]})
    plans = pd.DataFrame({
        "child": ["A", "A", "A", "A", "A", "B", "B"],
        "plan_date": [T("2023-01-09"), T("2023-02-01"), T("2023-05-05"), T("2023-05-05"),
                      T("2024-07-01"), T("2021-03-01"), T("2022-03-01")],
        # A: one before entry and one after the end (both outside); on 05/05 adoption is
        # recorded first, then reunification. B's period began before the data: both count.
        "plan": ["long_term_fostering", "adoption", "adoption", "reunification", "sgo",
                 "reunification", "adoption"],
        "source": ["lac_review", "iro_recommendation", "lac_review", "lac_review",
                   "lac_review", "lac_review", "iro_recommendation"],
        "match_date": pd.NaT, "early_permanence_date": pd.NaT})
    inside = events.plans_in_periods(plans, periods)
    assert list(inside["plan_date"].dt.strftime("%d/%m/%Y")) == [
        "01/02/2023", "05/05/2023", "05/05/2023", "01/03/2021", "01/03/2022"]
    ch = events.plan_events(plans, periods)
    ch = ch[ch["kind"].eq("plan_change")]
    # A: adoption → adoption is no change; adoption → reunification is one. B: one.
    assert list(zip(ch["period_id"], ch["previous"], ch["code"], strict=True)) == [
        (1, "adoption", "reunification"), (2, "reunification", "adoption")]
    j = periods.set_index("period_id").assign(adm_date=pd.NaT, match_date=pd.NaT,
                                              ao_date=pd.NaT, early_permanence_date=pd.NaT)
    out = journeys._add_plans(j, plans)
    assert list(out["plan_changes"]) == [1, 1]
    assert list(out["iro_date"]) == [T("2023-02-01"), T("2022-03-01")]


def test_an_la_with_no_adoption_decision_has_no_journeys(tmp_path):
    params = write_la(tmp_path, {"2024-25": {
        "header": [hdr("Z", "01/06/2015")],
        "episodes": [ep("Z", "01/05/2024", "S", "C2", "U4"),
                     ep("Z", "01/09/2024", "P", "C2", "U5")]}})
    la = prepare_la(params)
    assert la.journeys.empty
    assert len(la.periods) == 1 and int(la.periods["n_episodes"].iloc[0]) == 2


def test_chain_order_and_period_numbers_by_hand(tmp_path):
    """Worked by hand: episodes given out of order come back in chain order (child, DECOM, the
    zero-day episode first among those starting the same day); each child's periods are
    numbered from 1 (period_seq) and every period has its own period_id. P has two periods
    (adopted E11, then back in care with RNE S); Q's zero-day episode sorts before the episode
    starting that day; R's open episode (no DEC) is its only period."""
    years = {"2024-25": {
        "header": [hdr("P", "01/01/2020"), hdr("Q", "01/01/2021"), hdr("R", "01/01/2019")],
        "episodes": [
            ep("R", "10/05/2024", "S", "C2", "U4"),
            ep("P", "01/06/2024", "P", "E1", "A4", "01/09/2024", "E11"),
            ep("Q", "02/04/2024", "P", "C2", "U4", "30/06/2024", "E8"),
            ep("P", "01/10/2024", "S", "C2", "U4", "01/12/2024", "E8"),
            ep("Q", "02/04/2024", "S", "C2", "U6", "02/04/2024", "X1"),
            ep("P", "01/04/2024", "S", "C2", "U4", "01/06/2024", "X1"),
        ]}}
    la = prepare_la(write_la(tmp_path, years))
    e = la.episodes
    assert list(zip(e["CHILD"], e["DECOM"].dt.strftime("%d/%m"), e["RNE"], strict=True)) == [
        ("P", "01/04", "S"), ("P", "01/06", "P"), ("P", "01/10", "S"),
        ("Q", "02/04", "S"), ("Q", "02/04", "P"), ("R", "10/05", "S")]
    assert list(e["period_seq"]) == [1, 1, 2, 1, 1, 1]
    assert list(e["new_period"]) == [True, False, True, True, False, True]
    assert list(e["period_id"]) == [1, 1, 2, 3, 3, 4]
    assert list(zip(la.periods["child"], la.periods["period_seq"], strict=True)) == [
        ("P", 1), ("P", 2), ("Q", 1), ("R", 1)]


# -- the journey's dates as the DfE validator accepts them (issue 22) -----------------------------


def _validator_cases(root):
    """R: first adoptive placement disrupted, adopted from a second. N: adopted from foster care
    (DfE 390). P: placed A6 under legal status C2, no E1 (DfE 408). F: a freeing order (D1,
    DfE 445) and no E1. Each has a PlacedAdoption decision and AD1."""
    from diagnostic_kit.run.prepare import prepare_la
    from tests.la_builder import write_la

    def ad1(child, date_int, match, fc="0"):
        return {"CHILD": child, "DATE_INT": date_int, "DATE_MATCH": match, "FOSTER_CARE": fc,
                "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}

    params = write_la(root, {"2024-25": {
        "header": [hdr(c, "01/01/2022") for c in "FNPR"],
        "episodes": [
            ep("R", "01/05/2023", "S", "C1", "U6", "01/09/2023", "X1"),
            ep("R", "01/09/2023", "L", "E1", "U6", "29/09/2023", "X1"),
            ep("R", "29/09/2023", "P", "E1", "A6", "15/01/2024", "X1"),  # disrupted
            ep("R", "15/01/2024", "P", "E1", "U4", "29/06/2024", "X1"),
            ep("R", "29/06/2024", "P", "E1", "A6", "30/12/2024", "E11"),
            ep("N", "01/05/2023", "S", "C2", "U6", "01/08/2023", "X1"),
            ep("N", "01/08/2023", "B", "E1", "A6", "01/09/2023", "X1"),
            ep("N", "01/09/2023", "P", "E1", "U4", "01/03/2025", "E12"),  # adopted from U4
            ep("P", "01/05/2023", "S", "C2", "U6", "01/09/2023", "X1"),
            ep("P", "01/09/2023", "P", "C2", "A6", "01/03/2025", "E11"),
            ep("F", "01/05/2023", "S", "C2", "U6", "01/09/2023", "X1"),
            ep("F", "01/09/2023", "L", "D1", "U6", "01/12/2023", "X1"),
            ep("F", "01/12/2023", "P", "D1", "A4", "01/03/2025", "E11"),
        ],
        "placed_for_adoption": [{"CHILD": c, "DATE_PLACED": "01/07/2023"} for c in "FNPR"],
        "ad1": [ad1("R", "01/07/2023", "01/06/2024"), ad1("N", "01/07/2023", "01/08/2023"),
                ad1("P", "01/07/2023", "01/08/2023"), ad1("F", "01/07/2023", "01/11/2023")],
    }})
    return prepare_la(params)


@pytest.fixture(scope="module")
def validator_cases(tmp_path_factory):
    return _validator_cases(tmp_path_factory.mktemp("validator"))


def test_adopted_from_a_second_adoptive_placement_after_a_disruption(validator_cases):
    r = _row(validator_cases, "R")
    # The run of A3-A6 ending in the order starts 29/06/2024, not the disrupted 29/09/2023:
    # 01/05/2023 → 29/06/2024 = 366 (to 01/05/2024, 2024 a leap year) + 59 = 425 days (was
    # 151); 29/06/2024 → 30/12/2024 = 184 days (was 458).
    assert r["placement_date"] == pd.Timestamp("2024-06-29")
    assert r["a1_days"] == 425 and r["a10_days"] == 425
    assert r["stage_placement_to_ao"] == 184
    assert r["stage_po_to_placement"] == 302  # PO 01/09/2023 → 29/06/2024
    assert r["placement_moves"] == 2  # U6 → A6 → U4: the changes of carer before it


def test_adopted_from_a_placement_that_is_not_adoptive_is_left_out_with_the_reason(
        validator_cases):
    la = validator_cases
    n = _row(la, "N")
    assert pd.isna(n["placement_date"]) and pd.isna(n["a1_days"]) and bool(n["adopted_in_period"])
    f = la.dq.findings
    assert f.loc[f["rule"].eq("adopted_from_non_adoptive_placement"),
                 ["row", "value"]].values.tolist() == [[9, "U4"]]
    ex = journeys_exclusions(la)
    reason = "adopted from a placement that is not an adoptive one"
    assert ex.loc[ex["child"].eq("N")].set_index("measure")["reason"].to_dict() == {
        "stage_po_to_placement": reason, "stage_placement_to_ao": reason, "a1": reason,
        "a3": reason, "a10": reason, "a2": "not placed for adoption before the adoption order",
        "stage_entry_to_iro": "no IRO recommendation date",
        "stage_iro_to_adm": "no IRO recommendation date"}


def test_no_placement_order_without_e1_and_a_freeing_order_is_not_one(validator_cases):
    la = validator_cases
    p, fr = _row(la, "P"), _row(la, "F")
    assert pd.isna(p["po_date"]) and pd.isna(fr["po_date"])
    assert p["a1_days"] == 123 and fr["a1_days"] == 214  # the placements still count
    ex = journeys_exclusions(la).set_index(["child", "measure"])["reason"]
    assert ex[("P", "stage_adm_to_po")] == ex[("P", "a2")] == (
        "placed under a placement order (A5/A6) but no placement order (LS E1) is recorded")
    assert ex[("F", "stage_po_to_placement")] == (
        "the only order recorded is a freeing order (LS D1), not a placement order")
    f = la.dq.findings
    got = sorted(f[["rule", "row"]].itertuples(index=False, name=None))
    assert got == [("adopted_from_non_adoptive_placement", 9),
                   ("freeing_order_after_2005", 13), ("freeing_order_after_2005", 14),
                   ("placed_under_order_without_e1", 11)]


def journeys_exclusions(la) -> pd.DataFrame:
    from diagnostic_kit.derive.journeys import measure_exclusions

    return measure_exclusions(la.journeys)
