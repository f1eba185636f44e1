"""Section 3: shortest and longest journeys on hand-built journeys (values worked by hand)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from diagnostic_kit.derive.journeys import STAGES  # noqa: E402
from diagnostic_kit.inputs.params import load_params  # noqa: E402
from diagnostic_kit.measures import extremes as ex  # noqa: E402
from diagnostic_kit.present import charts  # noqa: E402
from diagnostic_kit.present import extremes as pex  # noqa: E402
from tests.journey_builder import make_journeys  # noqa: E402

ENTRY = pd.Timestamp("2023-04-01")

# 25 adopted children, days from care entry to AO. The 10th shortest is 390 and the 11th ties
# with it; the 10th longest is 500 and the 11th ties with it.
TOTALS = [300, 310, 320, 330, 340, 350, 360, 370, 380, 390, 390,
          400, 410, 420,
          500, 500, 500, 600, 610, 620, 630, 640, 650, 660, 670]


def make(totals: list[int], edit=None, **extra) -> pd.DataFrame:
    """Each journey: entry → IRO 60, → ADM 30, → PO 100, → placement 50 (short journeys, under
    400 days), 100 (middle) or 300 (500 days or more), placement → AO the rest. Built through
    ``derive.journeys.build_journeys`` (``tests.journey_builder``) at the demo params' dates;
    ``edit(rows)`` changes the rows' dates first. Ages at entry 0.5 and 4.0 years come from
    dates of birth 183 and 1461 days before care entry (365.25-day years)."""
    rows = []
    for i, total in enumerate(totals):
        p2p = 50 if total < 400 else (100 if total < 500 else 300)
        days = [0, 60, 90, 190, 190 + p2p, total]
        dates = [ENTRY + pd.Timedelta(days=d) for d in days]
        rows.append({
            "child": f"E{i:02d}", "pseudonym": f"C-{i:04d}", "period_id": i,
            **dict(zip(["care_entry", "iro_date", "adm_date", "po_date", "placement_date",
                        "ao_date"], dates, strict=True)),
            "dob": ENTRY - pd.Timedelta(days=183 if total < 400 else 1461),
            "sex": "male" if total < 500 else "female",
            "ethnic_group": "White" if total < 500 else "Black",
            "sibling_group": total >= 500, "placement_moves": 1 if total < 500 else 3,
            "plan_changes": 0 if total < 500 else 2,
            # Adopted by foster carers (AD1 FOSTER_CARE 1) in the journeys under 350 days.
            "foster_care_ad1": "1" if total < 350 else "0",
            "placement_type": "A6",
        })
    if edit is not None:
        edit(rows)
    return make_journeys(rows, load_params("demo", check_data_dir=False)).assign(**extra)


@pytest.fixture(scope="module")
def params():
    return load_params("demo", check_data_dir=False)


def test_ties_at_cut_off_are_shown(params):
    sel = ex.select(make(TOTALS), params)
    assert (sel.n_measured, sel.few) == (25, False)
    # Shortest: 300 … 390 and the tied 390 = 11 children; longest: 670 … 600 and 500 × 3 = 11.
    assert sel.shortest["total_days"].tolist() == [300, 310, 320, 330, 340, 350, 360, 370,
                                                   380, 390, 390]
    assert sel.longest["total_days"].tolist() == [670, 660, 650, 640, 630, 620, 610, 600,
                                                  500, 500, 500]
    assert (sel.tied_short, sel.tied_long, sel.overlap) == (1, 1, 0)
    text = pex.findings(sel)
    assert ("11 children are shown among the shortest, not 10: 2 children tie at the cut-off "
            "of 390 days.") in text
    assert ("11 children are shown among the longest, not 10: 2 children tie at the cut-off "
            "of 500 days.") in text


def test_child_table_columns_and_no_identifiers(params):
    sel = ex.select(make(TOTALS), params)
    row = sel.shortest.iloc[0]
    assert row["pseudonym"] == "C-0000"
    assert row[["entry_to_iro", "iro_to_adm", "adm_to_po", "po_to_placement",
                "placement_to_ao"]].tolist() == [60, 30, 100, 50, 60]
    assert row["foster_carer"] == "yes" and row["sibling_group"] == "no"
    assert "child" not in sel.shortest and "care_entry" not in sel.shortest
    assert "dob" not in sel.shortest


def test_stage_comparison(params):
    raw = ex.stage_comparison(ex.select(make(TOTALS), params))
    assert raw["stage"].tolist() == [*STAGES, "total"]
    cmp_ = raw.assign(stage=raw["stage"].map(pex.stage_label)).set_index("stage")
    # Placement → AO = total − 240 for the shortest (60 … 150, 150: median 110) and total − 490
    # for the longest (10, 10, 10, 110 … 180: median 130). PO → placement 50 against 300.
    # Differences 0, 0, 0, 250, 20: sum 270 → 250/270 = 92.6%, 20/270 = 7.4%.
    p2p = cmp_.loc["Placement order to adoptive placement"]
    assert (p2p["shortest_median"], p2p["longest_median"], p2p["difference"]) == (50, 300, 250)
    assert p2p["share_of_difference_pct"] == pytest.approx(100 * 250 / 270)
    pl = cmp_.loc["Adoptive placement to adoption order"]
    assert (pl["shortest_median"], pl["longest_median"]) == (110, 130)
    # Totals: shortest median (6th of 11) 350; longest 620: difference 270.
    total = cmp_.loc["Total: care entry to adoption order"]
    assert (total["shortest_median"], total["longest_median"], total["difference"]) == (
        350, 620, 270)
    assert cmp_["shortest_n"].iloc[0] == 11


def test_findings_name_the_stage_that_differs(params):
    text = pex.findings(ex.select(make(TOTALS), params))
    assert ("The largest difference is in placement order to adoptive placement: a median of "
            "300 days in the longest journeys against 50 days in the shortest (250 days longer, "
            "93% of the stage differences), then adoptive placement to adoption order "
            "(20 days longer, 7%).") in text
    assert text[0] == ("The 11 shortest journeys from care entry to adoption order took a median "
                       "of 350 days (11 children; range 300 to 390 days); the 11 longest took "
                       "a median of 620 days (11 children; range 500 to 670 days).")


def test_characteristic_comparison(params):
    cc = pex.characteristic_comparison(ex.select(make(TOTALS), params)).set_index(
        "characteristic")
    assert cc.loc["Boys"].tolist() == ["11 of 11 (100%)", "0 of 11 (0%)"]
    assert cc.loc["In a sibling group"].tolist() == ["0 of 11 (0%)", "11 of 11 (100%)"]
    # Foster carers: totals under 350 = 300, 310, 320, 330, 340 → 5 of 11 (45%).
    assert cc.loc["Adopted by foster carers", "shortest"] == "5 of 11 (45%)"
    assert cc.loc["Median placement moves"].tolist() == ["1", "3"]


def test_fewer_than_20_adoptions(params):
    sel = ex.select(make([300, 310, 320, 330, 340]), params)
    # 5 measured: the 2 shortest and the 3 longest, no child in both.
    assert sel.few and (sel.k_short, sel.k_long) == (2, 3)
    assert sel.shortest["total_days"].tolist() == [300, 310]
    assert sel.longest["total_days"].tolist() == [340, 330, 320]
    assert pex.findings(sel)[0].startswith("Only 5 children adopted in the period could be "
                                          "measured, fewer than 20")


def test_few_with_tie_across_the_split(params):
    # 4 measured: k = 2 each; cut-offs 200 (shortest) and 200 (longest): both 200s in both.
    sel = ex.select(make([100, 200, 200, 300]), params)
    assert sel.shortest["total_days"].tolist() == [100, 200, 200]
    assert sel.longest["total_days"].tolist() == [300, 200, 200]
    assert sel.overlap == 2
    assert any("appear in both groups" in s for s in pex.findings(sel))


def test_unmeasurable_and_out_of_period_left_out(params):
    def edit(rows):
        rows[0]["care_entry"] = pd.NaT  # no care entry date: left out, with the reason
        rows[1]["ao_date"] = pd.Timestamp("2023-03-31")  # adopted before the period

    sel = ex.select(make([300, 310, 320], edit=edit), params)
    assert (sel.n_adopted, sel.n_measured) == (2, 1)
    assert sel.excluded["reason"].tolist() == ["no care entry date"]
    assert sel.longest["pseudonym"].tolist() == ["C-0002"] and sel.shortest.empty


def test_timeline_offsets_and_segments(params):
    def edit(rows):
        rows[0]["iro_date"] = pd.NaT

    sel = ex.select(make([300], edit=edit), params)
    t = sel.timeline
    assert t.loc[0, list(ex.TIMELINE_DATES)].tolist()[0] == 0
    seg = pex._segments(t, ex.TIMELINE_DATES)
    # No IRO date: care entry → ADM (0 → 90) is one unsplit span; then the three later stages.
    assert seg[["stage", "left", "width"]].values.tolist() == [
        ["unsplit", 0, 90], ["adm_to_po", 90, 100], ["po_to_placement", 190, 50],
        ["placement_to_ao", 240, 60]]


def test_timeline_chart_renders(params, tmp_path):
    sel = ex.select(make(TOTALS), params)
    fig = pex.timeline_chart(sel.timeline, ex.TIMELINE_DATES, charts.source_note("Demo"))
    fig.savefig(tmp_path / "timeline.png")
    assert fig.texts[-1].get_text().startswith("Each bar is one child")
    assert (tmp_path / "timeline.png").stat().st_size > 10_000
    assert fig._suptitle.get_text() == (
        "The shortest and longest journeys from care entry to adoption order")
    # An analyst retitles a chart from the notebook.
    own = pex.timeline_chart(sel.timeline, ex.TIMELINE_DATES, charts.source_note("Demo"),
                                title="Our longest waits")
    assert own._suptitle.get_text() == "Our longest waits"


def test_findings_name_characteristics_that_differ(params):
    text = pex.findings(ex.select(make(TOTALS), params))
    # Ages at entry: 0.5 in the shortest group, 4.0 in the longest (all of the 500+ journeys).
    assert ("Children with the longest journeys were older at care entry: a median age of 4.0 "
            "years against 0.5.") in text
    assert ("11 of the 11 longest journeys (100%) were of children in a sibling group, "
            "against 0 of the 11 shortest (0%).") in text
    assert ("0 of the 11 longest journeys (0%) were of children adopted by their foster "
            "carers, against 5 of the 11 shortest (45%).") in text
