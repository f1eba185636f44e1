"""What a section notebook shows: missing values, small-number suppression, metrics."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from diagnostic_kit.present.section import Section, _plain_missing


def test_every_kind_of_missing_value_shows_as_a_dash():
    df = pd.DataFrame({
        "n": pd.array([3, None], dtype="Int64"),
        "days": pd.array([12.34, None], dtype="Float64"),
        "who": pd.array(["C-0001", None], dtype="string"),
        "flag": pd.array([True, None], dtype="boolean"),
    })
    html = _plain_missing(df).to_html(index=False, na_rep="–", float_format=lambda x: f"{x:.1f}")
    cells = [c.split("</td>")[0] for c in html.split("<td>")[1:]]
    assert cells == ["3", "12.3", "C-0001", "True", "–", "–", "–", "–"]


def test_small_counts_suppressed_only_in_the_named_columns():
    sec = Section("01_children", suppress_below=5)
    df = pd.DataFrame({"group": ["a", "b", "c"], "children": [0, 3, 12], "days": [1, 2, 3]})
    out = sec.suppress(df, ["children"])
    assert out["children"].tolist() == [0, "<5", 12]
    assert out["days"].tolist() == [1, 2, 3]


def test_metrics_written_for_the_runner(tmp_path):
    sec = Section("02_timescales", tmp_path)
    sec.metric("a1_mean_days", 502.1636, n=55)
    sec.metric("a3_pct_under_426_days", float("nan"), n=0)
    written = json.loads((tmp_path / "metrics" / "02_timescales.json").read_text())
    assert written == {"a1_mean_days": 502.16, "a1_mean_days_n": 55,
                       "a3_pct_under_426_days": None, "a3_pct_under_426_days_n": 0}
    with pytest.raises(ValueError, match="snake_case"):
        sec.metric("A1 mean", 1)


def test_a_table_with_no_rows_is_one_line_and_keeps_its_headings_for_the_workbook(
        tmp_path, monkeypatch):
    """An empty table shows its title and one line (the notebook's words, else "None to
    show."), never a row of headings over nothing; tables.xlsx still gets its headings."""
    from IPython.display import HTML

    from diagnostic_kit.present import section as section_mod

    shown: list[str] = []
    monkeypatch.setattr(section_mod, "display",
                        lambda obj: shown.append(obj.data if isinstance(obj, HTML) else obj))
    sec = Section("04_under_fives", tmp_path)
    empty = pd.DataFrame(columns=["Child", "Why on the list"])
    sec.table(empty, "Drift list", empty="No child is on the drift list.")
    sec.table(empty, "Another list")
    sec.table(pd.DataFrame({"Child": ["C-0001"], "Why on the list": ["3 placements"]}),
              "A list with a child")
    assert "<table" not in shown[0] and "<th" not in shown[0]
    assert '<p class="kit-table-title" id="t-drift_list">Drift list</p>' in shown[0]
    assert '<p class="kit-table-empty">No child is on the drift list.</p>' in shown[0]
    assert '<p class="kit-table-empty">None to show.</p>' in shown[1]
    assert "<table" in shown[2] and "C-0001" in shown[2]
    kept = pd.read_pickle(tmp_path / "tables" / "04_under_fives__drift_list.pkl")
    assert list(kept.columns) == ["Child", "Why on the list"] and kept.empty
