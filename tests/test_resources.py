"""Section 6: costs by purpose, unit costs, each year's fees and productivity, on hand-built
tables with hand-worked values."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_rgba

from diagnostic_kit.inputs.params import FeeByYear, ParamsError, load_params
from diagnostic_kit.measures import resources as rs
from diagnostic_kit.measures.adopters import DATES
from diagnostic_kit.present import charts
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present import resources as text
from tests.la_builder import ep, hdr, write_csv, write_la

ROOT = Path(__file__).resolve().parents[1]
REF = "2025-09-30"   # 2024-25 is the latest full year; 2025-26 is still running


def _costs(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["financial_year", "category", "purpose", "amount", "income"])
    df["amount"] = df["amount"].astype("Float64")
    df["income"] = df["income"].astype("boolean")
    df["purpose"] = df["purpose"].astype("object")
    return df


# 2024-25, worked by hand (purpose blank = None):
#   staff 150,000, blank: split by FTE (family finding 2, recruitment 1, support 1, business
#     support 1 of 5): placing 60,000, recruiting 30,000, support 30,000, overheads 30,000
#   interagency fees paid 27,000 and received 27,000 (income): placing +27,000 - 27,000
#   legal 25,000 (default placing); other 10,000 given as placing
#   panel/ADM 9,000, blank: 5 children placed, 4 households approved -> placing 5,000,
#     recruiting 4,000
#   recruitment/marketing 16,000 (default recruiting); allowances 20,000 (given support)
#   overheads 6,000; other 4,000 blank (no single purpose: unassigned)
# placing 60,000 + 25,000 + 10,000 + 5,000 = 100,000; recruiting 30,000 + 4,000 + 16,000 =
# 50,000; support 30,000 + 20,000 = 50,000; overheads 36,000; unassigned 4,000; net 240,000.
COSTS = _costs([
    ("2024-25", "staff", None, 150_000, False),
    ("2024-25", "interagency_fees_paid", None, 27_000, False),
    ("2024-25", "interagency_fees_received", None, 27_000, None),   # income by its category
    ("2024-25", "legal", None, 25_000, False),
    ("2024-25", "other", "placing", 10_000, False),
    ("2024-25", "panel_adm", None, 9_000, False),
    ("2024-25", "recruitment_marketing", None, 16_000, False),
    ("2024-25", "adoption_allowances", "support", 20_000, False),
    ("2024-25", "overheads", None, 6_000, False),
    ("2024-25", "other", None, 4_000, False),
    # 2023-24: no staffing figures, so staff is unassigned; 1 child placed, 0 approved.
    ("2023-24", "staff", None, 50_000, False),
    ("2023-24", "interagency_fees_paid", None, 30_000, False),
    ("2023-24", "panel_adm", None, 3_000, False),
    # 2025-26: still running at the reference date.
    ("2025-26", "staff", "placing", 40_000, False),
])

STAFFING = pd.DataFrame({
    "financial_year": ["2024-25"] * 4,
    "team": ["family_finding", "recruitment_assessment", "adoption_support", "business_support"],
    "role": ["family finder", "social worker", "support worker", "administrator"],
    "fte": pd.array([2.0, 1.0, 1.0, 1.0], dtype="Float64"),
})


def _episodes(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["period_id", "CHILD", "DECOM", "RNE", "PLACE"])
    df["DECOM"] = pd.to_datetime(df["DECOM"])
    return df


# Adoptive placements (PLACE A3-A6) by period of care:
EPISODES = _episodes([
    # b: placed 2024-06-01; a change of legal status only (RNE L) continues the placement.
    (2, "b", "2023-11-01", "S", "U1"),
    (2, "b", "2024-06-01", "P", "A4"),
    (2, "b", "2024-09-01", "L", "A4"),
    # c: placed 2024-07-01 with no PlacedAdoption row and no order: not a journey at all.
    (3, "c", "2024-07-01", "S", "A5"),
    # d: placed, the placement broke down, placed again: two placements, one child in 2024-25.
    (4, "d", "2024-04-10", "P", "A4"),
    (4, "d", "2024-08-01", "P", "U4"),
    (4, "d", "2025-01-10", "P", "A4"),
    # e: placed 2024-12-01; the period has an adoption order but no ADM decision recorded.
    (5, "e", "2024-12-01", "S", "A6"),
    # f: placed 2024-03-31 (2023-24), then with new adopters (RNE P) 2024-04-02: counted in
    # both years.
    (6, "f", "2024-03-31", "S", "A4"),
    (6, "f", "2024-04-02", "P", "A4"),
    # h: placed 2025-06-01, before the reference date (2025-26).
    (8, "h", "2025-06-01", "S", "A4"),
    # g: placed 2025-10-01, after the reference date: not yet happened.
    (7, "g", "2025-10-01", "S", "A4"),
])
JOURNEYS = pd.DataFrame({
    "period_id": [2, 4, 5, 6, 8, 7, 9, 10, 11],
    "child": ["b", "d", "e", "f", "h", "g", "x", "y", "z"],
    "adm_date": pd.to_datetime(["2024-01-10", "2024-02-01", None, "2023-12-01", "2025-01-01",
                                "2025-05-01", "2022-01-01", "2022-02-01", "2023-01-01"]),
    # Orders in 2024-25: e, x, y; z's order is after the reference date.
    "ao_date": pd.to_datetime([None, None, "2025-02-01", None, None, None, "2024-05-01",
                               "2025-03-31", "2025-11-01"]),
})


def _adopters(approvals) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series(pd.NaT, index=range(len(approvals)), dtype="datetime64[ns]")
                       for c in DATES})
    df["approval_date"] = pd.to_datetime(approvals)
    df["fast_track"] = "no"
    return df


# Approved in 2024-25: 4; in 2025-26: 1 by the reference date, and 1 after it (not yet).
ADOPTERS = _adopters(["2024-04-01", "2024-09-09", "2025-01-20", "2025-03-31", "2025-05-01",
                      "2025-10-15", None])


@pytest.fixture(scope="module")
def params():
    p = load_params("demo", check_data_dir=False)
    return p.model_copy(update={"period_end": pd.Timestamp(REF).date()})


def _with_fee(params, key: str, **fee):
    costs = params.costs.model_copy(update={key: FeeByYear(**fee)})
    return params.model_copy(update={"costs": costs})


# -- counting -----------------------------------------------------------------------------

def test_children_placed_are_counted_from_the_placements(params):
    pl = rs.placements(EPISODES, JOURNEYS, REF).set_index(["child", "financial_year"])
    # c (no PlacedAdoption row, not a journey) and e (no decision) are placed all the same.
    assert sorted(pl.xs("2024-25", level="financial_year").index) == ["b", "c", "d", "e", "f"]
    assert pl.loc[("d", "2024-25"), "placement_date"] == pd.Timestamp("2024-04-10")
    assert not pl.loc[("c", "2024-25"), "adm_decision"]
    assert not pl.loc[("e", "2024-25"), "adm_decision"]
    assert pl.loc[("b", "2024-25"), "adm_decision"]
    assert ("f", "2023-24") in pl.index           # f's first adopters, and its second
    assert ("g", "2025-26") not in pl.index       # after the reference date


def test_counts_by_financial_year(params):
    act = rs.activity_by_year(EPISODES, JOURNEYS, ADOPTERS, params)
    cols = ["children_placed", "placed_no_adm_decision", "adoption_orders",
            "households_approved"]
    assert act.loc["2024-25", cols].tolist() == [5, 2, 3, 4]
    assert act.loc["2023-24", cols].tolist() == [1, 0, 0, 0]
    # 2025-26: h placed, one household approved; g, z's order and the approval of 15 October
    # 2025 are after the reference date and have not yet happened.
    assert act.loc["2025-26", cols].tolist() == [1, 0, 0, 1]


# -- costs by purpose ---------------------------------------------------------------------

def test_costs_are_assigned_by_purpose_and_split(params):
    act = rs.activity_by_year(EPISODES, JOURNEYS, ADOPTERS, params)
    lines = rs.cost_lines(COSTS, STAFFING, act)
    y = lines[lines["financial_year"].eq("2024-25")]
    staff = y[y["category"].eq("staff")].set_index("purpose")["amount"]
    assert staff.to_dict() == {"placing": 60_000, "recruiting": 30_000, "support": 30_000,
                               "overheads": 30_000}
    panel = y[y["category"].eq("panel_adm")].set_index("purpose")["amount"]
    assert panel.to_dict() == {"placing": 5_000, "recruiting": 4_000}
    received = y[y["category"].eq("interagency_fees_received")]
    assert received[["purpose", "amount", "basis"]].values.tolist() == [
        ["placing", -27_000, "category"]]
    other = y[y["category"].eq("other")].set_index("purpose")["basis"]
    assert other.to_dict() == {"placing": "given", "unassigned": "none"}
    # 2023-24: no FTE for the year, no household approved to split the panel by.
    old = lines[lines["financial_year"].eq("2023-24")].set_index("category")
    assert old.loc["staff", ["purpose", "basis"]].tolist() == ["unassigned", "no_fte"]
    assert old.loc["panel_adm", ["purpose", "amount"]].tolist() == ["placing", 3_000]


def test_apportioned_unit_costs(params):
    uc = rs.unit_costs(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    y = uc.loc["2024-25"]
    assert [y[p] for p in ("placing", "recruiting", "support", "overheads", "unassigned")] == [
        100_000, 50_000, 50_000, 36_000, 4_000]
    assert y["net"] == 240_000 and y["gross"] == 267_000 and y["income"] == 27_000
    # Shares of the direct costs: 100/200, 50/200, 50/200. Overheads 36,000 and unassigned
    # 4,000 shared alike: placing 18,000 + 2,000 -> 120,000; recruiting and support 9,000 +
    # 1,000 -> 60,000 each.
    assert (y["placing_share"], y["recruiting_share"]) == (0.5, 0.25)
    assert (y["placing_overheads"], y["placing_unassigned"]) == (18_000, 2_000)
    assert (y["placing_total"], y["recruiting_total"], y["support_total"]) == (
        120_000, 60_000, 60_000)
    assert y["placing_total"] + y["recruiting_total"] + y["support_total"] == y["net"]
    assert y["per_child_placed"] == 24_000                  # 120,000 / 5 children placed
    assert y["per_child_placed_no_overheads"] == 20_400     # (120,000 - 18,000) / 5
    assert y["per_household_approved"] == 15_000            # 60,000 / 4 households
    assert y["per_adoption_order"] == 60_000                # (120,000 + 60,000) / 3 orders
    assert y["support_per_adoption_order"] == 20_000        # 60,000 / 3 orders
    # 2023-24: placing 30,000 + panel 3,000 (1 placed, 0 approved) = 33,000 is the only direct
    # cost, so the unassigned staff 50,000 all falls to it: 83,000 / 1 child.
    assert uc.loc["2023-24", "per_child_placed"] == 83_000
    assert pd.isna(uc.loc["2023-24", "per_household_approved"])   # none approved


def test_a_cost_file_without_purpose_reads_with_the_defaults(tmp_path):
    # An LA's own files, as they were before the purpose column: a child placed (A4) with no
    # PlacedAdoption row, and a costs.csv with no purpose.
    params = write_la(tmp_path, {"2024-25": {
        "header": [hdr("K1", "22/05/2022")],
        "episodes": [ep("K1", "01/06/2023", "S", "C2", "U1", "01/06/2024", "X1"),
                     ep("K1", "01/06/2024", "P", "C2", "A4")],
    }}, period_start="2022-04-01", period_end="2025-03-31")
    write_csv(params.local_dir / "costs.csv", ["financial_year", "category", "amount", "income"],
              [{"financial_year": "2024-25", "category": "interagency_fees_paid",
                "amount": "27000", "income": "no"},
               {"financial_year": "2024-25", "category": "adoption_allowances",
                "amount": "90000", "income": "no"},
               {"financial_year": "2024-25", "category": "overheads", "amount": "11700"}])
    from diagnostic_kit.run.prepare import prepare_la

    la = prepare_la(params)
    # The cost file reads without a finding; the placement's one finding is DfE 551 (placed for
    # adoption with no PlacedAdoption row), on the episode.
    from diagnostic_kit.inputs.findings import RULES

    (file, rule), = la.dq.findings[["file", "rule"]].itertuples(index=False, name=None)
    assert file == "903/2024-25/episodes.csv" and RULES[rule].validator == "551"
    h = rs.headline(la.tables["costs"], None, la.episodes, la.journeys, None, la.params)
    assert (h["year"], h["children_placed"], h["placed_no_adm_decision"]) == ("2024-25", 1, 1)
    # placing 27,000 (fees paid) + 11,700 x 27,000 / (27,000 + 90,000) = 2,700 -> 29,700
    assert h["placing_total"] == pytest.approx(29_700)
    assert h["per_child_placed"] == pytest.approx(29_700)
    assert h["support_total"] == pytest.approx(99_000)


# -- fees by year -------------------------------------------------------------------------

def test_each_year_has_its_own_fee(params):
    fees = rs.fees_by_year(["2019-20", "2022-23", "2024-25", "2025-26", "2026-27"], params)
    assert fees["interagency_fee_la"].tolist() == [27_000] * 5          # unchanged since 2011
    assert fees["interagency_fee_la_london"].tolist() == [29_700] * 5
    vaa = fees["interagency_fee_vaa"]
    assert vaa["2019-20"] == 31_620 and vaa["2025-26"] == 39_245
    # Uprated every year: the years between, and after, are not confirmed, never the 2025 fee.
    assert vaa[["2022-23", "2024-25", "2026-27"]].isna().all()
    assert fees.loc["2022-23", "interagency_fee_vaa_basis"] == "not confirmed"
    assert fees.loc["2025-26", "interagency_fee_vaa_basis"] == "confirmed for 2025-26"
    assert fees.loc["2024-25", "interagency_fee_la_basis"] == "unchanged since 2011-12"
    assert pd.isna(rs.fees_by_year(["2010-11"], params).loc["2010-11", "interagency_fee_la"])


def test_the_comparison_uses_the_same_years_fee(params):
    uc = pd.DataFrame({"per_child_placed": [30_000.0, 40_000.0], "children_placed": [5, 5]},
                      index=["2024-25", "2025-26"])
    cmp = rs.interagency_comparison(uc, params).set_index(["financial_year", "key"])
    assert cmp.loc[("2024-25", "interagency_fee_la"), "difference"] == 3_000
    assert cmp.loc[("2024-25", "interagency_fee_la"), "difference_pct"] == pytest.approx(
        100 * 3_000 / 27_000)
    assert cmp.loc[("2024-25", "interagency_fee_la_london"), "difference"] == 300
    # 2024-25's voluntary-agency fee is not confirmed: nothing is compared with it.
    assert pd.isna(cmp.loc[("2024-25", "interagency_fee_vaa"), "fee"])
    assert pd.isna(cmp.loc[("2024-25", "interagency_fee_vaa"), "difference"])
    assert cmp.loc[("2025-26", "interagency_fee_vaa"), "difference"] == 755   # 40,000 - 39,245
    table = text.display_interagency(rs.interagency_comparison(uc, params), uc)
    row = table.set_index("Financial year").loc["2024-25"]
    assert row["Fee: voluntary adoption agency"] == "not confirmed"
    assert row["Difference: voluntary adoption agency"] == "–"
    assert row["Difference: LA or RAA placement"] == "£3,000 (11%)"


def test_fee_chart_draws_no_fee_in_a_year_it_is_not_confirmed(params):
    uc = rs.unit_costs(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    fig = text.unit_cost_chart(uc, params, "source")
    vermillion = to_rgba(charts.OKABE_ITO["vermillion"])
    vaa = [c for c in fig.axes[0].collections
           if tuple(c.get_color()[0]) == pytest.approx(vermillion)]
    # The voluntary-agency fee is confirmed for 2025-26 only of 2023-24..2025-26: one step,
    # over the third year, never drawn back over the earlier years.
    segments = [s for c in vaa for s in c.get_segments()]
    assert [(s[0][1], s[0][0], s[1][0]) for s in segments] == [
        (39.245, pytest.approx(1.6), pytest.approx(2.4))]
    note = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert "Not drawn (not confirmed): Voluntary agency fee in 2023-24, 2024-25." in note


def test_la_params_add_a_confirmed_year_and_bad_fees_are_refused(tmp_path):
    def load(extra: str):
        f = tmp_path / "la.yaml"
        f.write_text("la_name: T\nla_code: T1\nperiod_start: 2023-04-01\n"
                     "period_end: 2025-03-31\ndata_dir: .\n" + extra, encoding="utf-8")
        return load_params(f)

    p = load("costs:\n  interagency_fee_vaa:\n    by_year:\n      2024-25: 38000\n")
    vaa = p.costs.interagency_fee_vaa
    # Added to the defaults, not in place of them.
    assert vaa.by_year == {"2019-20": 31_620, "2024-25": 38_000, "2025-26": 39_245}
    assert p.costs.interagency_fee_la.value_for("2024-25") == 27_000
    with pytest.raises(ParamsError, match="by_year"):
        load("costs:\n  interagency_fee_la:\n    value: 28000\n")
    with pytest.raises(ParamsError, match="not a financial year"):
        load("costs:\n  interagency_fee_la:\n    by_year:\n      2024-26: 28000\n")
    with pytest.raises(ParamsError, match="unknown key 'costs.interagency_fee_la.by_years'"):
        load("costs:\n  interagency_fee_la:\n    by_years:\n      2024-25: 28000\n")


# -- headlines ----------------------------------------------------------------------------

def test_headlines_rate_the_cost_per_child_placed_against_that_years_fee(params):
    found = rs.headlines(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    placed, approved = found
    assert placed.key == "unit_cost_per_child_placed" and placed.section == "06_resources"
    assert (placed.value, placed.n, placed.reach, placed.benchmark) == (24_000, 5, 5, 27_000)
    assert (placed.unit, placed.statistic, placed.noun, placed.benchmark_kind,
            placed.better) == ("pounds", "per", "children", "fee", "lower")
    assert placed.rating == "green" and placed.impact == 0
    assert placed.detail["placed_no_adm_decision"] == 2
    assert (approved.value, approved.n, approved.noun) == (15_000, 4, "households")
    assert approved.benchmark is None and approved.rating == "not rated"
    # A fee of 20,000 that year: 24,000 is 20% over (red); impact 5 children x 0.2.
    dear = _with_fee(params, "interagency_fee_la", by_year={"2024-25": 20_000})
    placed = rs.headlines(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, dear)[0]
    assert placed.benchmark == 20_000 and placed.rating == "red"
    assert placed.impact == pytest.approx(1.0)
    # No fee confirmed for 2024-25 (uprated yearly, only 2023-24 listed): not rated.
    unknown = _with_fee(params, "interagency_fee_la", by_year={"2023-24": 20_000})
    placed = rs.headlines(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, unknown)[0]
    assert placed.benchmark is None and not placed.confirmed and placed.rating == "not rated"
    # An LA in London is compared with London's fee.
    london = params.model_copy(update={"region": "London"})
    assert rs.headlines(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS,
                        london)[0].benchmark == 29_700
    assert rs.headlines(None, None, EPISODES, JOURNEYS, None, params) == []


def test_the_evidence_anchor_is_a_table_of_the_notebook():
    cells = json.loads((ROOT / "notebooks" / "06_resources.ipynb").read_text("utf-8"))["cells"]
    code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    # The table is titled in the notebook, and its anchor is "s06-t-" + the title in snake case.
    assert f'"{rs.UNIT_COSTS_TABLE}"' in code
    assert rs.EVIDENCE == "#s06-t-unit_costs_by_financial_year"


# -- productivity, the year measured, words -------------------------------------------------

def test_productivity_whole_service_and_teams(params):
    p = rs.productivity(STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    y = p.loc["2024-25"]
    assert y["fte_total"] == 5.0
    assert y["children_placed_per_fte"] == 1.0                     # 5 / 5
    assert y["households_approved_per_fte"] == pytest.approx(0.8)  # 4 / 5
    assert y["children_placed_per_family_finding_fte"] == 2.5      # 5 / 2
    assert y["households_approved_per_ra_fte"] == 4.0              # 4 / 1


def test_headline_uses_the_latest_full_year(params):
    h = rs.headline(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    assert h["year"] == "2024-25"       # 2025-26 has not ended by 30 September 2025
    assert h["net"] == 240_000 and h["children_placed"] == 5
    assert (h["fee"], h["fee_key"]) == (27_000, "interagency_fee_la")
    assert rs.latest_full_year(["2024-25", "2025-26"], "2026-03-31") == "2025-26"
    assert rs.latest_full_year(["2025-26"], "2026-03-30") is None


def test_coverage_names_what_is_left_out():
    cov = rs.coverage(COSTS, "2023-24")
    assert cov["included"] == ["staff", "interagency_fees_paid", "panel_adm"]
    assert "overheads" in cov["left_out"] and "legal" in cov["left_out"]


def test_money_words_and_sentences(params):
    assert nv.money(27000) == "£27,000"
    assert nv.money(113333.4) == "£113,333"
    h = rs.headline(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
    words = text.key_findings(h, params)
    assert "net cost was **£240,000**" in words
    assert "placing children £120,000" in words
    assert "**£24,000 per child placed**" in words
    assert "£15,000 per adopter household approved" in words
    assert "2 of 5 children (40%) placed in 2024-25 have no ADM decision recorded" in words
    assert "£3,000 less than the £27,000 interagency fee an LA or RAA charged" in words
    # Placing: £100,000 direct, £18,000 of overheads and £2,000 of costs with no single
    # purpose (the table below); without the overheads, (£120,000 − £18,000) ÷ 5 = £20,400.
    assert text.sensitivity_sentence(h) == (
        "Unit costs depend on what is counted: without its part of the overheads (£18,000; its "
        "£2,000 share of the costs with no single purpose stays in) the cost per child placed "
        "would be £20,400 instead of £24,000.")
    split = text.display_apportionment(rs.unit_costs(
        COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)).set_index(
        ["Financial year", "Purpose"])
    assert split.loc[("2024-25", "Placing children")].tolist() == [
        "£100,000", "50.0%", "£18,000", "£2,000", "£120,000"]


def test_unit_cost_hidden_when_its_count_is_suppressed(params):
    nv.set_suppression(6)
    try:
        h = rs.headline(COSTS, STAFFING, EPISODES, JOURNEYS, ADOPTERS, params)
        words = text.key_findings(h, params)
        assert "£24,000" not in words and "<6 children placed" in words
    finally:
        nv.set_suppression(0)
