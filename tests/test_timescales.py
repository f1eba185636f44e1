"""Section 2 measures on hand-built journeys; every expected value is worked by hand below.

The journeys go through the one definition: ``tests.journey_builder`` builds the facts as
``derive.journeys.adoption_facts`` outputs them and passes them through ``build_journeys``;
the measures only read its columns.

Reporting period (demo params): 1 April 2023 to 31 March 2026; reference date 31 March 2026.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from diagnostic_kit.derive import journeys
from diagnostic_kit.derive.spans import span_days
from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.present import summary as psum
from diagnostic_kit.present import timescales as pts
from tests import journey_builder


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)


def make_journeys(rows: list[dict], params) -> pd.DataFrame:
    return journey_builder.make_journeys(rows, params)


def with_threshold(params, key: str, value: int):
    """``params`` with one scorecard threshold overridden, as an LA's params file would."""
    th = params.thresholds
    return params.model_copy(update={"thresholds": th.model_copy(update={
        key: getattr(th, key).model_copy(update={"value": value})})})


# C1: all dates. entry 2023-01-01 → IRO 2023-03-02: Jan 31 + Feb 28 + 1 = 60 days.
#     IRO → ADM 2023-04-01: 30. ADM → PO 2023-10-01: Apr 30+May 31+Jun 30+Jul 31+Aug 31+Sep 30
#     = 183. PO → placement 2024-01-01: Oct 31+Nov 30+Dec 31 = 92. Placement → AO 2024-07-01:
#     Jan 31+Feb 29+Mar 31+Apr 30+May 31+Jun 30 = 182. A1 = 365. Match 2023-12-01: A2 = 61.
# C2: no IRO date; foster-carer adoption (AD1 FOSTER_CARE 1), carers began 2023-07-01.
#     entry 2023-06-01 → ADM 2023-09-01 = 92; → PO 2024-01-01 = 122; match 2023-12-15 is
#     before the PO: A2 = 0; PO → placement 2024-02-01 = 31; → AO 2024-08-01 = 182.
#     A1 = 245; A10 = 30 (June).
# C3: PO 2022-07-01 before ADM 2022-08-01: ADM → PO = -31, excluded. entry 2022-01-01 → IRO
#     2022-05-01 = 120; IRO → ADM = 92; PO → placement 2023-03-01 = 243; → AO 2023-09-01 = 184.
#     A1 = 424 (< 426: counts in A3). No match date: out of A2. PLACE A5 with no AD1 flag
#     is still a foster-carer adoption: carers began 2022-02-01, A10 = 31.
# C4: consent, no PO: out of A2 and of the two PO stages. entry 2024-01-01; A1 to placement
#     2024-06-01 = 152; placement → AO 2025-01-10 = 223. Not a foster-carer adoption (A4), so
#     the carer spell start (2024-04-01) is not the moved-in date: A10 = A1 = 152.
# C5: AO 2023-03-31, the day before the period: not adopted in the period.
# C6: A1 exactly 426 days (2023-01-01 → 2024-03-02): not under 426 for A3. PO 2023-09-01 →
#     placement = 183 (not over the 183-day standard); PO → match 2024-01-01 = 122.
#     AO 2025-06-01 (2025-26).
ADOPTED = [
    dict(child="C1", care_entry="2023-01-01", iro_date="2023-03-02", adm_date="2023-04-01",
         po_date="2023-10-01", match_date="2023-12-01", placement_date="2024-01-01",
         ao_date="2024-07-01", placement_type="A6"),
    dict(child="C2", care_entry="2023-06-01", adm_date="2023-09-01", po_date="2024-01-01",
         match_date="2023-12-15", placement_date="2024-02-01", spell_start="2023-07-01",
         ao_date="2024-08-01", placement_type="A5", foster_care_ad1="1",
         early_permanence_date="2023-07-01"),
    dict(child="C3", care_entry="2022-01-01", iro_date="2022-05-01", adm_date="2022-08-01",
         po_date="2022-07-01", placement_date="2023-03-01", spell_start="2022-02-01",
         ao_date="2023-09-01", placement_type="A5"),
    dict(child="C4", care_entry="2024-01-01", iro_date="2024-02-01", adm_date="2024-03-01",
         match_date="2024-05-15", placement_date="2024-06-01", spell_start="2024-04-01",
         ao_date="2025-01-10", placement_type="A4"),
    dict(child="C5", care_entry="2021-01-01", iro_date="2021-03-01", adm_date="2021-04-01",
         po_date="2021-09-01", match_date="2021-12-01", placement_date="2022-01-01",
         ao_date="2023-03-31", placement_type="A6"),
    dict(child="C6", care_entry="2023-01-01", iro_date="2023-05-01", adm_date="2023-06-01",
         po_date="2023-09-01", match_date="2024-01-01", placement_date="2024-03-02",
         ao_date="2025-06-01", placement_type="A6"),
]


@pytest.fixture()
def adopted_journeys(params):
    return make_journeys(ADOPTED, params)


def test_financial_year_boundary():
    d = pd.Series(pd.to_datetime(["2024-03-31", "2024-04-01", None]))
    assert journeys.financial_year(d).tolist()[:2] == ["2023-24", "2024-25"]
    assert pd.isna(journeys.financial_year(d).iloc[2])


def test_span_days_same_day_out_of_order_and_missing():
    start = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-10", None, "2024-01-01"]))
    end = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-05", None]))
    span = span_days(start, end, "adm_date", "po_date")
    # Same day: 0, measured. End 9 days before start: NaN (never clipped), a negative span.
    assert span.days.iloc[0] == 0 and pd.isna(span.reason.iloc[0])
    assert math.isnan(span.days.iloc[1]) and span.negative.tolist() == [False, True, False, False]
    assert span.reason.iloc[1] == "dates out of order: placement order is before ADM decision"
    assert span.reason.iloc[2] == "no ADM decision date"
    assert span.reason.iloc[3] == "no placement order date"
    assert span.days.iloc[2:].isna().all()


def test_stage_spans_are_the_facts_and_the_journey_table():
    # adoption_facts' stage loop and build_journeys give the same stage columns.
    facts = journey_builder.make_facts(ADOPTED)
    assert facts.loc[0, [f"stage_{s}" for s in journeys.STAGES]].tolist() == [
        60, 30, 183, 92, 182]
    assert math.isnan(facts.loc[2, "stage_adm_to_po"])  # C3: -31, excluded


def test_stage_days_edge_rules(adopted_journeys):
    days = ts.stage_days(adopted_journeys)
    excl = journeys.measure_exclusions(adopted_journeys)
    excl = excl[excl["measure"].str.startswith("stage_")]
    days.index = adopted_journeys["child"]
    assert days.loc["C1"].tolist() == [60, 30, 183, 92, 182]
    # Missing IRO date: only the two stages that need it are lost.
    c2 = days.loc["C2"]
    assert math.isnan(c2["entry_to_iro"]) and math.isnan(c2["iro_to_adm"])
    assert c2[["adm_to_po", "po_to_placement", "placement_to_ao"]].tolist() == [122, 31, 182]
    # Negative stage: excluded, not clipped; the other stages stay.
    c3 = days.loc["C3"]
    assert math.isnan(c3["adm_to_po"])
    assert c3[["entry_to_iro", "iro_to_adm", "po_to_placement", "placement_to_ao"]].tolist() == [
        120, 92, 243, 184]
    got = set(zip(excl["measure"], excl["pseudonym"], excl["reason"], excl["rule"].fillna(""),
                  strict=True))
    assert ("stage_entry_to_iro", "P-C2", "no IRO recommendation date", "") in got
    assert ("stage_iro_to_adm", "P-C2", "no IRO recommendation date", "") in got
    assert ("stage_adm_to_po", "P-C3",
            "dates out of order: placement order is before ADM decision", "stage_negative") in got
    assert ("stage_adm_to_po", "P-C4", "no placement order date", "") in got
    assert ("stage_po_to_placement", "P-C4", "no placement order date", "") in got
    # C1, C5, C6 have every date in order: never excluded from a stage.
    assert not excl["pseudonym"].isin(["P-C1", "P-C5", "P-C6"]).any()
    assert len(excl) == 5


def test_scorecard_days_edge_rules(adopted_journeys, params):
    sc = ts.scorecard_days(adopted_journeys, params)
    excl = journeys.measure_exclusions(adopted_journeys)
    sc.index = adopted_journeys["child"]
    assert sc["a1"].tolist() == [365, 245, 424, 152, 365, 426]  # C5: 2021-01-01 → 2022-01-01
    # A10: foster-carer clock (C2 moved in 30 days after entry; C3 A5 → 31); others = A1.
    assert sc.loc["C2", "a10"] == 30 and sc.loc["C3", "a10"] == 31
    assert sc.loc["C4", "a10"] == 152 and sc.loc["C1", "a10"] == 365
    # A2: match before PO counts 0; no PO / no match → left out.
    assert sc.loc["C2", "a2"] == 0 and sc.loc["C1", "a2"] == 61 and sc.loc["C6", "a2"] == 122
    assert math.isnan(sc.loc["C3", "a2"]) and math.isnan(sc.loc["C4", "a2"])
    # A3 on A1's dates: 424 days counts, 426 does not.
    assert sc.loc["C3", "a3"] == 1.0 and sc.loc["C6", "a3"] == 0.0
    a2_out = excl[excl["measure"].eq("a2")].set_index("pseudonym")["reason"]
    assert a2_out.to_dict() == {"P-C3": "no match date", "P-C4": "no placement order"}


def test_a10_carer_spell_after_placement_uses_placement(params):
    # The moved-in rule lives in derive.journeys (adoption_facts): a foster-carer child whose
    # carer spell (wrongly) starts after the placement date: the clock stops at the placement
    # date: 2023-01-01 → 2023-07-01 = 181 days.
    j = make_journeys([dict(child="X", care_entry="2023-01-01", placement_date="2023-07-01",
                            spell_start="2023-08-01", ao_date="2024-01-01",
                            foster_care_ad1="1", placement_type="A3")], params)
    assert j["moved_in_date"].iloc[0] == pd.Timestamp("2023-07-01")
    assert ts.scorecard_days(j, params)["a10"].iloc[0] == 181


def test_build_journeys_takes_moved_in_date_as_given(params):
    # build_journeys does not re-derive the moved-in date: A10 stops at the facts' date
    # (2023-01-01 → 2023-03-01 = 59 days), whatever the flags say.
    facts = journey_builder.make_facts([dict(child="Y", care_entry="2023-01-01",
                                             placement_date="2023-07-01", ao_date="2024-01-01",
                                             placement_type="A6")])
    facts["moved_in_date"] = pd.Timestamp("2023-03-01")
    j = journeys.build_journeys(facts, journey_builder.make_people([{"child": "Y"}]),
                                period_start=pd.Timestamp(params.period_start),
                                reference_date=pd.Timestamp(params.reference_date))
    assert j["a10_days"].iloc[0] == 59 and j["a1_days"].iloc[0] == 181


def test_a2_leaves_out_children_not_placed_before_the_ao(params):
    # Issue 8: A2 is over children placed for adoption before the AO (LG Inform's definition).
    # Z1 has PO 2023-05-01 and match 2023-07-01 (61 days) but no adoptive placement; Z2's
    # placement (2024-03-01) is after its AO (2024-02-01). Z3 placed before the AO: 61 days.
    rows = [dict(child=c, care_entry="2023-01-01", adm_date="2023-03-01", po_date="2023-05-01",
                 match_date="2023-07-01", ao_date="2024-02-01", placement_date=pl)
            for c, pl in (("Z1", None), ("Z2", "2024-03-01"), ("Z3", "2023-08-01"))]
    j = make_journeys(rows, params)
    assert j["a2_days"].tolist()[2] == 61 and j["a2_days"].iloc[:2].isna().all()
    out = journeys.measure_exclusions(j)
    a2_out = out[out["measure"].eq("a2")].set_index("pseudonym")["reason"].to_dict()
    assert a2_out == {"P-Z1": "not placed for adoption before the adoption order",
                      "P-Z2": "not placed for adoption before the adoption order"}


def test_scorecard_table(adopted_journeys, params):
    sc = ts.scorecard(adopted_journeys, params).set_index(["measure", "year"])
    # Whole period: C1, C2, C3, C4, C6 (C5 adopted before the period).
    # A1 = (365 + 245 + 424 + 152 + 426) / 5 = 1612 / 5 = 322.4.
    a1 = sc.loc[("A1", "Whole period")]
    assert a1["children"] == 5 and a1["value"] == pytest.approx(322.4)
    assert a1["threshold"] == 426 and a1["england"] == 486 and a1["rating"] == "green"
    # A10 = (365 + 30 + 31 + 152 + 426) / 5 = 200.8.
    assert sc.loc[("A10", "Whole period"), "value"] == pytest.approx(200.8)
    # A2 = (61 + 0 + 122) / 3 = 61.0 over 3 children.
    a2 = sc.loc[("A2", "Whole period")]
    assert a2["children"] == 3 and a2["value"] == pytest.approx(61.0)
    # A3: 4 of 5 under 426 days = 80%.
    a3 = sc.loc[("A3", "Whole period")]
    assert (a3["children"], a3["children_within"], a3["value"]) == (5, 4, pytest.approx(80.0))
    assert a3["rating"] == "not rated"
    # Per year of AO: 2023-24 C3 (424); 2024-25 C1, C2, C4 ((365+245+152)/3 = 254);
    # 2025-26 C6 (426, exactly at the threshold: green).
    assert sc.loc[("A1", "2023-24"), "value"] == 424
    assert sc.loc[("A1", "2024-25"), "value"] == pytest.approx(254.0)
    assert sc.loc[("A1", "2025-26"), "rating"] == "green"
    assert sc.loc[("A2", "2024-25"), "children"] == 2  # C1 61, C2 0
    assert sc.loc[("A2", "2024-25"), "value"] == pytest.approx(30.5)


def test_stage_statistics(adopted_journeys, params):
    st = ts.stage_statistics(adopted_journeys, params).set_index("stage")
    # PO → placement over C1 92, C2 31, C3 243, C6 183 (C4 has no PO): sorted 31, 92, 183, 243.
    # median (92+183)/2 = 137.5; mean 549/4 = 137.25; q25 = 31 + 0.75*(92-31) = 76.75;
    # q75 = 183 + 0.25*(243-183) = 198; over 183: only 243 (183 is at, not over) → 1 = 25%.
    r = st.loc["po_to_placement"]
    assert r["children"] == 4 and r["median"] == 137.5 and r["mean"] == 137.25
    assert r["q25"] == 76.75 and r["q75"] == 198
    assert r["over_standard"] == 1 and r["pct_over"] == 25.0
    # Entry → IRO: C1 60, C3 120, C4 31, C6 120 (C2 no IRO): median (60+120)/2 = 90;
    # none over 122.
    r = st.loc["entry_to_iro"]
    assert (r["children"], r["median"], r["over_standard"]) == (4, 90, 0)
    # ADM → PO: C1 183, C2 122, C6 92 (C3 negative, C4 no PO); over 182: C1 → 1 of 3.
    r = st.loc["adm_to_po"]
    assert (r["children"], r["median"], r["over_standard"]) == (3, 122, 1)


def test_stage_trend(adopted_journeys, params):
    tr = ts.stage_trend(adopted_journeys, params).set_index(["year", "stage"])
    # 2024-25 placement → AO: C1 182, C2 182, C4 223 → median 182, 1 of 3 over 183.
    r = tr.loc[("2024-25", "placement_to_ao")]
    assert r["children"] == 3 and r["median"] == 182
    assert r["pct_over"] == pytest.approx(100 / 3)


def test_stage_sentence_reads_plainly(adopted_journeys, params):
    sentences = pts.stage_sentences(ts.stage_statistics(adopted_journeys, params))
    assert ("Children waited a median of 138 days (4 children) from placement order to adoptive "
            "placement, 45 days within the 6-month standard; 1 of 4 children (25%) were over "
            "it.") in sentences


IN_PROCESS = [
    # placed 2025-12-01: 120 days so far (Dec 31 + Jan 31 + Feb 28 + 30), standard 183: not over.
    dict(child="D1", status="placed", care_entry="2024-06-01", adm_date="2025-01-01",
         po_date="2025-05-01", placement_date="2025-12-01"),
    # PO 2025-09-01, not placed: 211 days (Sep 30+Oct 31+Nov 30+Dec 31+Jan 31+Feb 28+30),
    # 28 over 183; entry 2024-09-01: 365 + 211 = 576 days since entry.
    dict(child="D2", status="po_not_placed", care_entry="2024-09-01", adm_date="2025-03-01",
         po_date="2025-09-01"),
    # ADM 2025-12-01, no PO: 120 days against 182: not over.
    dict(child="D3", status="waiting", care_entry="2025-01-01", adm_date="2025-12-01"),
    dict(child="D4", status="adopted", care_entry="2020-01-01", adm_date="2020-06-01",
         po_date="2020-09-01", placement_date="2021-01-01", ao_date="2021-06-01"),
    dict(child="D5", status="decision_reversed", care_entry="2024-01-01", adm_date="2024-06-01",
         reversed_date="2025-01-01"),
    # ADM 2025-06-01: 303 days (Jun 30+Jul 31+Aug 31+Sep 30+Oct 31+Nov 30+Dec 31+Jan 31+Feb 28
    # +30), 121 over 182.
    dict(child="D6", status="waiting", care_entry="2025-01-01", adm_date="2025-06-01"),
]


def test_in_process_and_drift(params):
    j = make_journeys(IN_PROCESS, params)
    # Status comes from the dates (build_journeys), not from the rows.
    assert j.set_index("child")["status"].to_dict() == {r["child"]: r["status"]
                                                        for r in IN_PROCESS}
    cur = ts.in_process(j, params).set_index("pseudonym")
    assert sorted(cur.index) == ["P-D1", "P-D2", "P-D3", "P-D6"]
    assert cur.loc["P-D1", ["stage", "days_so_far"]].tolist() == ["placement_to_ao", 120]
    assert cur.loc["P-D2", ["stage", "days_so_far", "days_over"]].tolist() == [
        "po_to_placement", 211, 28]
    assert cur.loc["P-D2", "days_since_entry"] == 576
    drift = ts.drift_now(j, params)
    assert drift["pseudonym"].tolist() == ["P-D6", "P-D2"]
    assert drift["days_over"].tolist() == [121, 28]
    summ = ts.in_process_summary(j, params).set_index("stage")
    assert summ.loc["adm_to_po", ["children", "over_standard"]].tolist() == [2, 1]
    shown = pts.display_in_process(summ.reset_index()).set_index("Open stage")
    assert shown.loc["ADM decision to placement order", ["Children", "Over standard"]].tolist() \
        == [2, 1]


def test_po_waiting_month_boundaries(params):
    # Reference date 2026-03-31: 12 months back is 2025-03-31, 18 months back 2024-09-30.
    # Each has its ADM decision before the PO (days since the PO are of children in the
    # process); P5 is placed, so not waiting.
    j = make_journeys([
        dict(child="P1", care_entry="2024-10-01", adm_date="2024-12-01", po_date="2025-03-31"),
        dict(child="P2", care_entry="2024-10-01", adm_date="2024-12-01", po_date="2025-04-01"),
        dict(child="P3", care_entry="2024-01-01", adm_date="2024-06-01", po_date="2024-09-30"),
        dict(child="P4", care_entry="2024-01-01", adm_date="2024-06-01", po_date="2024-10-01"),
        dict(child="P5", care_entry="2020-01-01", adm_date="2020-06-01", po_date="2021-01-01",
             placement_date="2025-01-01"),
    ], params)
    assert j.set_index("child")["status"].to_dict() == {
        "P1": "po_not_placed", "P2": "po_not_placed", "P3": "po_not_placed",
        "P4": "po_not_placed", "P5": "placed"}
    w = ts.po_waiting(j, params).set_index("pseudonym")
    assert sorted(w.index) == ["P-P1", "P-P2", "P-P3", "P-P4"]
    assert w["po_12m_plus"].to_dict() == {"P-P3": True, "P-P4": True, "P-P1": True,
                                          "P-P2": False}
    assert w["po_18m_plus"].to_dict() == {"P-P3": True, "P-P4": False, "P-P1": False,
                                          "P-P2": False}
    assert w["entry_18m_plus"].to_dict() == {"P-P3": True, "P-P4": True, "P-P1": False,
                                             "P-P2": False}
    assert w.loc["P-P1", "days_since_po"] == 365
    assert ts.po_waiting_counts(ts.po_waiting(j, params)) == {
        "waiting": 4, "po_12m_plus": 3, "po_18m_plus": 1, "entry_18m_plus": 2}
    summary = pts.display_po_waiting_summary(ts.po_waiting(j, params))
    assert summary["Children"].tolist() == [4, 3, 1, 2]


def test_early_permanence(adopted_journeys, params):
    ep = ts.early_permanence(adopted_journeys, params).set_index("year")
    # Adopted C1, C2, C3, C4, C6; foster carers C2 (flag) and C3 (A5) = 2 of 5; FFA C2 = 1.
    assert ep.loc["Whole period", ["adopted", "foster_carer", "early_permanence"]].tolist() == [
        5, 2, 1]
    assert ep.loc["Whole period", "pct_foster_carer"] == 40.0
    # 2024-25: C1, C2, C4 → foster carer 1 (C2).
    assert ep.loc["2024-25", ["adopted", "foster_carer"]].tolist() == [3, 1]


def test_reversals_count_every_reversed_decision(params):
    # PlacedAdoption rows: R1 had two decisions reversed in the period (RD2, then RD3) and a
    # third decision that stands; R3's reversal was before the period; R4's has no reason.
    pfa = pd.DataFrame({
        "CHILD": ["R1", "R1", "R1", "R2", "R3", "R4", "R5"],
        "DATE_PLACED": pd.to_datetime(["2024-01-01", "2024-07-01", "2025-02-01", "2024-03-01",
                                       "2022-06-01", "2025-01-01", "2024-04-01"]),
        "DATE_PLACED_CEASED": pd.to_datetime(["2024-05-01", "2024-12-01", None, "2025-01-01",
                                              "2023-01-01", "2025-06-01", None]),
        "REASON_PLACED_CEASED": ["RD2", "RD3", None, "rd2", "RD1", None, None],
    })
    rev = ts.reversals(pfa, params).set_index("reason")
    # In the period: R1 ×2 (RD2, RD3), R2 (RD2), R4 (not recorded) = 4 decisions.
    assert rev["decisions"].to_dict() == {"RD1": 0, "RD2": 2, "RD3": 1, "RD4": 0,
                                          "not recorded": 1, "Total": 4}
    assert rev.loc["RD2", "pct"] == pytest.approx(50.0)


LEAVERS = pd.DataFrame({
    "child": ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"],
    "period_end": pd.to_datetime(["2023-05-01", "2023-06-01", "2024-05-01", "2024-06-01",
                                  "2024-07-01", "2022-01-01", None, "2024-08-01"]),
    "end_reason": ["E11", "E4A", "E12", "E13", "E46", "E11", None, "E8"],
    "short_breaks_only": [False] * 7 + [True],
})


def test_leavers(params):
    lv = ts.leavers(LEAVERS, params).set_index("year")
    # 2023-24: 2 left, 1 adopted; 2024-25: 3 left (short breaks left out), 1 adopted.
    assert lv.loc["2023-24", ["left_care", "adopted"]].tolist() == [2, 1]
    assert lv.loc["2024-25", ["left_care", "adopted"]].tolist() == [3, 1]
    assert lv.loc["Whole period", ["left_care", "adopted", "pct_adopted"]].tolist() == [5, 2, 40.0]


def test_leavers_counts_children_not_periods(params):
    # Issue 8: L4 leaves care again in 2024-25 (2025-02-01) and L2, who left in 2023-24, leaves
    # again in 2024-25 (2024-09-01). 2024-25: L2, L3, L4, L5 = 4 children (L4 once); the whole
    # period: L1-L5 = 5 children, as before, 2 adopted.
    again = pd.DataFrame({"child": ["L4", "L2"],
                          "period_end": pd.to_datetime(["2025-02-01", "2024-09-01"]),
                          "end_reason": ["E4A", "E13"], "short_breaks_only": [False, False]})
    lv = ts.leavers(pd.concat([LEAVERS, again], ignore_index=True), params).set_index("year")
    assert lv.loc["2024-25", ["left_care", "adopted"]].tolist() == [4, 1]
    assert lv.loc["Whole period", ["left_care", "adopted", "pct_adopted"]].tolist() == [5, 2, 40.0]


def test_exclusions_cover_adopted_only(adopted_journeys, params):
    excl = ts.exclusions(adopted_journeys, params)
    assert "P-C5" not in set(excl["pseudonym"])
    summary = ts.exclusion_summary(excl).set_index(["measure", "reason"])["children"]
    assert summary[("a2", "no placement order")] == 1
    assert summary[("stage_adm_to_po", "dates out of order: placement order is before ADM "
                    "decision")] == 1


def test_headline_table_ratings(adopted_journeys, params):
    periods = pd.DataFrame({"child": ["C1", "X9"],
                            "period_end": pd.to_datetime(["2024-05-01", "2024-06-01"]),
                            "end_reason": ["E11", "E13"]})
    head = psum.headline_table(adopted_journeys, periods, params).set_index("finding")
    a1 = head.loc[pts.scorecard_labels(params)["a1"]]
    # The mean with the median beside it (152, 245, 365, 424, 426: 365).
    assert a1["figure"] == "mean 322 days; median 365 days" and a1["rating"] == "green"
    # England's A1 is a three-year figure from before the period: the latest published.
    assert "England 486 days, latest published: 2015-18, three-year average" in a1["benchmark"]
    # Like for like: England's leavers share and entry → AO are one-year figures, so they are
    # set against this LA's latest year with children measured. Leavers: 2024-25, 1 of 2 =
    # 50%, England 9%: green. Entry → AO in 2025-26: C6 only, 2023-01-01 → 2025-06-01 = 882
    # days against 821 (year ending March 2022, before the period): 7.4% worse, amber.
    leav = head.loc["Children leaving care who left through adoption"]
    # The whole period's beside it: C1's adoption is the one leaving through adoption of the
    # two children leaving in the period.
    assert leav[["figure", "children", "rating", "england"]].tolist() == [
        "50% in 2024-25 (1 of 2); 50% over the period", 2, "green", "better"]
    ao = head.loc["Care entry to adoption order (mean days)"]
    assert ao[["figure", "children", "rating", "england"]].tolist()[1:] == [1, "amber", "worse"]
    assert ao["figure"].startswith("882 days in 2025-26; ")
    assert "England 821 days, latest published: year ending 31 March 2022" in ao["benchmark"]
    # ADM → PO median 122 against 182: green; placement → AO median: C1 182, C2 182, C3 184,
    # C4 223, C6 (2024-03-02 → 2025-06-01 = 456) → 184 against 183: amber (within 10%).
    assert head.loc["Adoptive placement to adoption order (median days)", "rating"] == "amber"


def test_standards_note_says_defaults(params):
    assert "defaults" in pts.standards_note(params)
    assert set(pts.display_standards(params)["Set by"]) == {"kit default"}
    assert ts.standards_table(params)["is_default"].all()
    std = params.standards["adm_to_po"].model_copy(update={"days": 200, "label": "x"})
    own = params.model_copy(update={"standards": params.standards.model_copy(
        update={"adm_to_po": std})})
    assert "This LA set its own standards for ADM decision to placement order" in (
        pts.standards_note(own))
    assert pts.display_standards(own).set_index("Stage").loc[
        "ADM decision to placement order", ["Days", "Set by"]].tolist() == [200, "this LA"]


def test_a1_threshold_override_changes_the_sentence_and_rating(adopted_journeys, params):
    # A1 = 322.4 days. Against the default 426: green. An LA threshold of 300: 322.4 is 7.5%
    # over, within 10%: amber; the sentence names the 300-day threshold.
    sc = ts.scorecard(adopted_journeys, params)
    a1 = [t for t in pts.scorecard_sentences(sc, params) if t.startswith("A1 ")][0]
    assert "426" in a1 and "(rated green)" in a1
    own = with_threshold(params, "a1_days", 300)
    sc_own = ts.scorecard(adopted_journeys, own).set_index(["measure", "year"])
    assert sc_own.loc[("A1", "Whole period"), ["threshold", "rating"]].tolist() == [300, "amber"]
    a1_own = [t for t in pts.scorecard_sentences(sc_own.reset_index(), own)
              if t.startswith("A1 ")][0]
    assert "300" in a1_own and "426" not in a1_own and "(rated amber)" in a1_own
    assert "A1's 300 days applies" in pts.scorecard_note(own)


def test_a3_threshold_override_changes_the_label_and_sentence(adopted_journeys, params):
    # A1 days of the 5 adopted in the period: 365, 245, 424, 152, 426. Within 426: 4 of 5.
    # An LA A3 threshold of 400 days: 365, 245, 152 = 3 of 5.
    own = with_threshold(params, "a3_days", 400)
    assert pts.scorecard_labels(own)["a3"] == (
        "A3: children moving in within 400 days of care entry (%)")
    sc = ts.scorecard(adopted_journeys, own)
    a3 = sc.set_index(["measure", "year"]).loc[("A3", "Whole period")]
    assert (a3["children_within"], a3["value"]) == (3, pytest.approx(60.0))
    text = [t for t in pts.scorecard_sentences(sc, own) if t.startswith("A3")][0]
    assert "within 400 days" in text and "426" not in text
    assert "within 426 days" in [t for t in pts.scorecard_sentences(
        ts.scorecard(adopted_journeys, params), params) if t.startswith("A3")][0]


def test_coverage_of_every_stage_and_scorecard_measure(adopted_journeys, params):
    """Of the 5 children adopted in the period (C5's order is the day before it): A1 counts
    all 5; A2 leaves out C3 (no match) and C4 (no PO); care entry → IRO leaves out C2 (no IRO);
    ADM → PO leaves out C3 (out of order) and C4 (no PO). Nothing rests on under half."""
    cov = ts.coverage(adopted_journeys, params).set_index("measure")
    assert list(cov.index) == list(ts.COVERAGE_METRICS)
    assert (cov["eligible"] == 5).all()
    assert (cov["measured"] + cov["left_out"] == cov["eligible"]).all()
    assert cov["measured"].to_dict() == {
        "a1": 5, "a10": 5, "a2": 3, "a3": 5, "stage_entry_to_iro": 4, "stage_iro_to_adm": 4,
        "stage_adm_to_po": 3, "stage_po_to_placement": 4, "stage_placement_to_ao": 5}
    assert cov.loc["stage_adm_to_po", "reasons"] == [
        ("dates out of order: placement order is before ADM decision", 1),
        ("no placement order date", 1)]
    assert cov.loc["a2", "reasons"] == [("no match date", 1), ("no placement order", 1)]
    assert not cov["thin"].any()
    assert pts.coverage_sentences(cov.reset_index()) == []


def test_a_measure_resting_on_under_half_of_its_children_is_said_beside_it_and_flagged(
        params):
    # Two of three children adopted from a placement that is not an adoptive one (DfE 390):
    # no adoptive placement date. A1 rests on 1 of 3 (under half): said in section 2, in the
    # headline's detail, and in the summary.
    why = "adopted from a placement that is not an adoptive one"
    rows = [dict(child=c, care_entry="2023-06-01", iro_date="2023-07-01",
                 adm_date="2023-09-01", po_date="2023-12-01", match_date="2024-01-15",
                 ao_date="2024-12-01", placement_date=pl,
                 placement_reason=None if pl else why, placement_type="A6" if pl else None)
            for c, pl in (("N1", None), ("N2", None), ("N3", "2024-03-01"))]
    j = make_journeys(rows, params)
    cov = ts.coverage(j, params)
    assert cov.set_index("measure").loc["a1", ["measured", "left_out", "thin"]].tolist() == [
        1, 2, True]
    lines = pts.coverage_sentences(cov, ("a1",))
    assert lines == [f"A1 measured for 1 of 3 children adopted; 2 left out: {why} (2)."]
    thin = sorted(cov.loc[cov["thin"], "measure"])
    # A2 too: a child not placed before the order is out of A2 (LG Inform's definition).
    assert thin == ["a1", "a10", "a2", "a3", "stage_placement_to_ao", "stage_po_to_placement"]
    found = ts.headlines(j, params)
    a1 = next(h for h in found if h.key == "a1")
    assert a1.detail["coverage"] == {"eligible": 3, "measured": 1, "left_out": 2,
                                     "reasons": [(why, 2)], "thin": True}
    said = psum.thin_coverage(found)
    assert len(said) == len(thin)
    assert said[0] == (f"A10 rests on 1 of the 3 children adopted: 2 were left out (most "
                       f"often: {why}, 2). Read it with care; section 8 says why each child "
                       "was left out.")
