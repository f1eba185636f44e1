"""Section 1 profile on hand-built tables; expected values worked by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import children as ch
from diagnostic_kit.present import children as text


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)  # period 2023-04-01 to 2026-03-31


# Ten children looked after. Age bands: under 1 L1 L2; 1-4 L3 L4; 5-9 L5 L6 L7; 10-15 L8 L9;
# not known L10. Boys L1-L6, girls L7-L10. Sibling groups L5-L8. Disabled and UASC: L9 only.
# Ethnic group: White L1-L7, Black L8 L9, Mixed L10. CIN N1, except L9 N2.
LOOKED_AFTER = pd.DataFrame({
    "child": [f"L{i}" for i in range(1, 11)],
    "age_at_entry": [0.5, 0.2, 2, 3, 6, 7, 8, 11, 12, None],
    "sex": ["male"] * 6 + ["female"] * 4,
    "sibling_group": [False] * 4 + [True] * 4 + [False] * 2,
    "disabled": [False] * 8 + [True, False],
    "uasc": [False] * 8 + [True, False],
    "ethnic_group": ["White"] * 7 + ["Black", "Black", "Mixed"],
    "cin": ["N1"] * 8 + ["N2", "N1"],
})


def _journeys() -> pd.DataFrame:
    la = LOOKED_AFTER.set_index("child")
    rows = [
        # child, adm_date, ao_date, age_at_adm
        ("L1", "2023-01-01", "2024-01-01", 0.9),   # decision before the period; adopted in it
        ("L2", "2023-05-01", "2024-05-01", 0.4),
        ("L3", "2023-06-01", "2024-09-01", 2.5),
        ("L4", "2024-06-01", None, 3.5),           # decision, not adopted
        ("L5", "2023-07-01", "2025-01-01", 6.5),
        ("L6", "2025-01-01", None, 7.5),
        ("L7", "2021-01-01", "2023-01-01", 8.5),   # adopted before the period: in neither
    ]
    j = pd.DataFrame(rows, columns=["child", "adm_date", "ao_date", "age_at_adm"])
    j["adm_date"] = pd.to_datetime(j["adm_date"])
    j["ao_date"] = pd.to_datetime(j["ao_date"])
    return j.join(la, on="child")


@pytest.fixture()
def prof(params):
    return ch.profile(LOOKED_AFTER, _journeys(), params)


def row(prof, characteristic, category):
    return prof.loc[prof["characteristic"].eq(characteristic)
                    & prof["category"].eq(category)].iloc[0]


def test_age_bands_edges():
    got = ch.age_band(pd.Series([0.99, 1.0, 4.99, 5.0, 15.99, 16.0, None])).tolist()
    assert got == ["under 1", "1-4", "1-4", "5-9", "10-15", "16+", "not known"]


def test_profile_counts_and_ratios(prof):
    # Adopted in the period: L1, L2, L3, L5 (4). Decision in the period: L2 L3 L4 L5 L6 (5).
    under1 = row(prof, "age_band_entry", "under 1")
    # Looked after 2 of 10 = 20%; adopted L1 L2 = 2 of 4 = 50%; ratio 50 / 20 = 2.5.
    # Decision: L2 = 1 of 5 = 20%; ratio 1.0.
    assert (under1["looked_after_n"], under1["adopted_n"], under1["decision_n"]) == (2, 2, 1)
    assert under1["adopted_pct"] == 50 and under1["ratio_adopted"] == pytest.approx(2.5)
    assert under1["ratio_decision"] == pytest.approx(1.0)
    # 5-9: looked after 3 of 10 = 30%; adopted L5 = 25%; ratio 25 / 30 = 0.8333.
    assert row(prof, "age_band_entry", "5-9")["ratio_adopted"] == pytest.approx(25 / 30)
    # Sibling groups: 4 of 10 = 40% against L5 = 1 of 4 = 25%: ratio 0.625.
    assert row(prof, "sibling_group", "yes")["ratio_adopted"] == pytest.approx(0.625)
    # Girls: 40% looked after, none adopted: ratio 0.
    assert row(prof, "sex", "female")["ratio_adopted"] == 0
    # CIN codes carry their meaning.
    assert row(prof, "cin", "N2 child's disability")["looked_after_n"] == 1
    # Age at ADM decision: no looked-after share, so no ratio. Decision group: L2 0.4 → under 1;
    # L3 2.5, L4 3.5 → 1-4; L5 6.5, L6 7.5 → 5-9.
    adm = prof.loc[prof["characteristic"].eq("age_band_adm")].set_index("category")
    assert adm["decision_n"].to_dict() == {"under 1": 1, "1-4": 2, "5-9": 2}
    assert adm["ratio_adopted"].isna().all()


def test_percentages_sum_to_100_per_group(prof):
    for char in ("age_band_entry", "sex", "ethnic_group", "cin", "disabled"):
        t = prof.loc[prof["characteristic"].eq(char)]
        for g in ("looked_after", "decision", "adopted"):
            assert t[f"{g}_pct"].sum() == pytest.approx(100)


def test_under_represented_names_groups_with_figures(prof):
    # With at least 2 looked after and ratio under 0.8: 10-15 (0), girls (0), Black (0), sibling
    # groups (0.625). 5-9 (0.83) is not under 0.8; disabled / UASC / N2 have 1 child only.
    under = text.with_phrases(ch.under_represented(prof, min_looked_after=2))
    assert under["phrase"].tolist() == [
        "children aged 10-15 at care entry", "girls", "children of Black ethnicity",
        "children in sibling groups"]
    # Default minimum of 5 looked after: every group here is smaller, so nothing is named.
    assert ch.under_represented(prof).empty
    sentences = text.findings(prof, min_looked_after=2)
    assert ("Children in sibling groups were 40% of children looked after (4 children) but 25% "
            "of children adopted (1 child): a representation ratio of 0.63.") in sentences
    assert sentences[0] == ("Children aged 10-15 at care entry were 20% of children looked "
                            "after (2 children) but 0% of children adopted (0 children): a "
                            "representation ratio of 0.00.")
    assert text.findings(prof)[0].startswith("No group of at least 5 children looked after")


def test_counts_sentence(prof):
    assert text.counts_sentence(prof) == (
        "10 children were looked after at some time in the period; 5 children had an ADM "
        "decision that they should be placed for adoption, and 4 children were adopted.")


def test_display_table_formats_ratios(prof):
    t = text.display_table(prof, "sibling_group").set_index("Group")
    assert t.loc["Yes", "Ratio, adopted"] == "0.63"
    assert t.loc["Yes", "Adopted %"] == "25%"
    assert t.loc["Yes", "Looked after"] == 4 and t.loc["No", "Adopted"] == 3


def test_findings_limit_counts_the_rest(prof):
    # Four groups qualify with a minimum of 2 (see above); name two, count the other two.
    sentences = text.findings(prof, min_looked_after=2, limit=2)
    assert len(sentences) == 3
    assert sentences[1].startswith("Girls were 40% of children looked after (4 children)")
    assert sentences[2] == "2 further groups had a ratio under 0.8 (see the tables)."


def test_decisions_dated_in_the_period_left_out_of_the_count_with_the_reason(params):
    """D1: counted (its journey's ADM date is in the period). D2: its decision (01/06/2024)
    falls in no period of care in the data (care 01/01/2025 to open): outside, DfE 1003. D3:
    two decisions in one period of care (from 01/05/2023, open); its journey is dated by the
    later one (01/05/2026, after the period), so the one in the period (01/06/2023) is left out:
    another decision dates the journey. D4: a decision before the period: not in question."""
    journeys = pd.DataFrame({
        "child": ["D1", "D2", "D3"],
        "adm_date": pd.to_datetime(["2024-01-01", None, "2026-05-01"]),
        "period_id": [1, 2, 3],
        "first_decom": pd.to_datetime(["2023-06-01", "2025-01-01", "2023-05-01"]),
        "entry_known": [True, True, True],
        "period_end": pd.to_datetime([None, None, None]),
    })
    pfa = pd.DataFrame({"CHILD": ["D1", "D2", "D3", "D3", "D4"],
                        "DATE_PLACED": pd.to_datetime(["2024-01-01", "2024-06-01", "2023-06-01",
                                                       "2026-05-01", "2022-01-01"])})
    out = ch.decisions_left_out(pfa, journeys, params)
    assert out.values.tolist() == [["D2", ch.OUTSIDE_CARE], ["D3", ch.OTHER_DECISION]]
    assert text.decisions_left_out_sentence(out) == (
        "A further 2 children have a PlacedAdoption decision dated in the period but are not "
        f"counted among the children with an ADM decision: {ch.OUTSIDE_CARE} (1); "
        f"{ch.OTHER_DECISION} (1). Section 8 lists each decision outside the periods of care "
        "among its findings (rule adm_outside_period).")
    assert text.decisions_left_out_sentence(out.iloc[0:0]) == ""
