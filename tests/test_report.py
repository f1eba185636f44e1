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
