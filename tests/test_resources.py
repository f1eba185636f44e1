"""Section 6: unit costs and productivity, on hand-built tables with hand-worked values."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import resources as rs
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present import resources as text


def _costs(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["financial_year", "category", "amount", "income"])
    df["amount"] = df["amount"].astype("Float64")
    df["income"] = df["income"].astype("boolean")
    return df


COSTS = _costs([
    # 2023-24: costs 300,000 (overheads 30,000), income 27,000 -> net 273,000
    ("2023-24", "staff", 240_000, False),
    ("2023-24", "legal", 30_000, False),
    ("2023-24", "overheads", 30_000, False),
    ("2023-24", "interagency_fees_received", 27_000, None),   # income by its category
    # 2024-25: costs 400,000 (no overheads), income 54,000 + 6,000 -> net 340,000
    ("2024-25", "staff", 320_000, False),
    ("2024-25", "interagency_fees_paid", 80_000, False),
    ("2024-25", "interagency_fees_received", 54_000, True),
    ("2024-25", "other", 6_000, True),                         # other income
    # 2025-26: still running at the reference date 2025-09-30
    ("2025-26", "staff", 100_000, False),
])

JOURNEYS = pd.DataFrame({
    "child": ["a", "b", "c", "d", "e", "f", "g"],
    "placement_date": pd.to_datetime(["2023-04-01", "2024-03-31", "2024-04-01", "2024-06-01",
                                      "2025-03-31", "2025-04-01", None]),
    "ao_date": pd.to_datetime(["2023-12-01", None, "2025-01-10", None, None, None, None]),
})
ADOPTERS = pd.DataFrame({"approval_date": pd.to_datetime(
    ["2023-05-01", "2024-04-01", "2024-09-09", "2025-03-31", None])})
STAFFING = pd.DataFrame({
    "financial_year": ["2023-24", "2023-24", "2023-24", "2024-25", "2024-25", "2024-25"],
    "team": ["family_finding", "recruitment_assessment", "management"] * 2,
    "role": ["family finder", "social worker", "team manager"] * 2,
    "fte": pd.array([1.0, 2.0, 1.0, 1.5, 2.5, 1.0], dtype="Float64"),
})


@pytest.fixture(scope="module")
def params():
    p = load_params("demo", check_data_dir=False)
    return p.model_copy(update={"period_end": pd.Timestamp("2025-09-30").date()})


def test_net_cost_by_year():
    c = rs.cost_by_year(COSTS)
    assert c.loc["2023-24"].tolist() == [300_000, 27_000, 273_000, 30_000]
    assert c.loc["2024-25"].tolist() == [400_000, 60_000, 340_000, 0]


def test_counts_by_financial_year():
    act = rs.activity_by_year(JOURNEYS, ADOPTERS)
    # placed: 2023-24 a, b; 2024-25 c, d, e; 2025-26 f. Orders: a (2023-24), c (2024-25).
    assert act.loc["2023-24"].tolist() == [2, 1, 1]
    assert act.loc["2024-25"].tolist() == [3, 1, 3]
    assert act.loc["2025-26"].tolist() == [1, 0, 0]


def test_unit_costs_and_sensitivity():
    uc = rs.unit_costs(COSTS, JOURNEYS, ADOPTERS)
    y = uc.loc["2023-24"]
    assert y["per_child_placed"] == 136_500            # 273,000 / 2
    assert y["per_adoption_order"] == 273_000          # 273,000 / 1
    assert y["per_household_approved"] == 273_000
    assert y["per_child_placed_no_overheads"] == 121_500   # (273,000 - 30,000) / 2
    y = uc.loc["2024-25"]
    assert y["per_child_placed"] == pytest.approx(340_000 / 3)
    assert y["per_adoption_order"] == 340_000
    assert y["per_household_approved"] == pytest.approx(340_000 / 3)
    assert pd.isna(uc.loc["2025-26", "per_adoption_order"])   # no orders: not computed


def test_productivity_whole_service_and_teams():
    p = rs.productivity(STAFFING, JOURNEYS, ADOPTERS)
    y = p.loc["2024-25"]
    assert y["fte_total"] == 5.0
    assert y["children_placed_per_fte"] == pytest.approx(3 / 5)
    assert y["households_approved_per_fte"] == pytest.approx(3 / 5)
    assert y["children_placed_per_family_finding_fte"] == 2.0      # 3 / 1.5
    assert y["households_approved_per_ra_fte"] == pytest.approx(1.2)   # 3 / 2.5
    assert p.loc["2023-24", "children_placed_per_fte"] == 0.5         # 2 / 4


def test_headline_uses_the_latest_full_year(params):
    h = rs.headline(COSTS, STAFFING, JOURNEYS, ADOPTERS, params)
    assert h["year"] == "2024-25"       # 2025-26 has not ended by 30 September 2025
    assert h["net"] == 340_000 and h["children_placed"] == 3
    assert h["children_placed_per_fte"] == pytest.approx(0.6)
    assert rs.latest_full_year(["2024-25", "2025-26"], "2026-03-31") == "2025-26"
    assert rs.latest_full_year(["2025-26"], "2026-03-30") is None


def test_interagency_comparison(params):
    cmp = rs.interagency_comparison(30_000.0, params).set_index("key")
    assert cmp.loc["interagency_fee_la", "difference"] == 3_000
    assert cmp.loc["interagency_fee_la_london", "difference"] == 300
    assert cmp.loc["interagency_fee_vaa", "difference"] == -9_245
    assert cmp.loc["interagency_fee_vaa", "period"].startswith("from 1 April 2025")
    assert cmp.loc["interagency_fee_la", "difference_pct"] == pytest.approx(100 * 3_000 / 27_000)


def test_coverage_names_what_is_left_out():
    cov = rs.coverage(COSTS, "2024-25")
    assert cov["included"] == ["staff", "interagency_fees_paid", "interagency_fees_received",
                               "other"]
    assert "overheads" in cov["left_out"] and "legal" in cov["left_out"]


def test_money_words_and_sentences(params):
    assert nv.money(27000) == "£27,000"
    assert nv.money(113333.4) == "£113,333"
    h = rs.headline(COSTS, STAFFING, JOURNEYS, ADOPTERS, params)
    words = text.key_findings(h, params)
    assert "net cost was **£340,000**" in words
    assert "**£113,333 per child placed**" in words
    assert "£86,333 more than the £27,000 interagency fee" in words
    assert text.sensitivity_sentence(h).startswith("The cost file gives no overheads")


def test_unit_cost_hidden_when_its_count_is_suppressed(params):
    nv.set_suppression(5)
    try:
        h = rs.headline(COSTS, STAFFING, JOURNEYS, ADOPTERS, params)
        words = text.key_findings(h, params)
        assert "£113,333" not in words and "<5 children placed" in words
    finally:
        nv.set_suppression(0)
