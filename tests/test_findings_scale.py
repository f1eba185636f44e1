"""Issue 8, item 10: section 8 and data_quality.csv at scale.

Section 8 lists counts per rule and only the first findings of each rule; data_quality.csv has
every one of them, written in chunks. Timing targets are in bench/bench.py, not here.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from diagnostic_kit.measures import data_quality as dqs
from diagnostic_kit.run import assemble

N = 200_000
RULES = ["duplicate_record", "date_unparseable", "code_unknown"]


def big_findings(n: int = N) -> pd.DataFrame:
    """``n`` findings over three rules and two files, as the loader builds them."""
    rng = np.random.default_rng(8)
    rule = np.array(RULES)[rng.integers(0, len(RULES), n)]
    column = np.where(rule == "date_unparseable", "DATE_OF_REVIEW",
                      np.where(rule == "code_unknown", "REVIEW_CODE", "CHILD"))
    value = np.where(rule == "date_unparseable", "32/13/2024",
                     np.where(rule == "code_unknown", "=HYPERLINK(\"x\")", "CH0001"))
    return pd.DataFrame({
        "file": pd.array(np.where(np.arange(n) % 2, "903/2024-25/reviews.csv",
                                  "903/2023-24/reviews.csv"), dtype="string"),
        "row": pd.array(np.arange(n) + 2, dtype="Int64"),
        "column": column,
        "value": value,
        "rule": rule,
        "message": "m",
        "action": "kept",
    })


ACCOUNTING = pd.DataFrame({
    "file": ["903/2023-24/reviews.csv", "903/2024-25/reviews.csv"], "table": ["reviews"] * 2,
    "rows_read": [N, N], "rows_used": [N, N], "rows_excluded": [0, 0], "reasons": ["", ""]})


def test_section_8_lists_at_most_20_findings_per_rule():
    f = big_findings()
    sample = dqs.findings_sample(f)
    assert len(sample) == len(RULES) * dqs.SHOWN_PER_RULE
    assert sample.groupby("rule").size().max() == dqs.SHOWN_PER_RULE
    # In the order of the counts table, the first rows of each rule in file/row order.
    assert list(dict.fromkeys(sample["rule"])) == list(dqs.findings_by_rule(f)["Rule"])
    first = f[f["rule"] == RULES[0]].head(dqs.SHOWN_PER_RULE)
    assert sample[sample["rule"] == RULES[0]]["row"].tolist() == first["row"].tolist()
    shown = dqs.findings_table(sample, ACCOUNTING)
    assert len(shown) == len(sample)
    more = dqs.findings_not_shown(f)
    counts = f["rule"].value_counts()
    assert dict(zip(more["rule"], more["more"], strict=True)) == {
        r: int(counts[r]) - dqs.SHOWN_PER_RULE for r in RULES}
    # The counts table has every finding.
    assert dqs.findings_by_rule(f)["Findings"].sum() == N


def test_few_findings_are_all_listed():
    f = big_findings(30)
    assert len(dqs.findings_sample(f)) == 30
    assert dqs.findings_not_shown(f).empty


def test_data_quality_csv_has_every_finding_in_chunks(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(assemble, "DQ_CHUNK", 50_000)  # several chunks
    f = big_findings()
    dq = SimpleNamespace(findings=f, accounting=ACCOUNTING,
                         dropped_columns=pd.DataFrame(columns=["file", "column", "reason"]))
    pseudonyms = pd.Series({"CH0001": "C-0001"})
    path = tmp_path / "data_quality.csv"
    assert assemble.write_data_quality_csv(dq, pseudonyms, path) == N
    out = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(out) == N
    assert list(out.columns) == assemble.DQ_COLUMNS
    assert out["row"].tolist()[:3] == ["2", "3", "4"]  # whole numbers, never "2.0"
    assert "CH0001" not in set(out["value"])  # the child id: its pseudonym instead
    assert set(out.loc[out["column"] == "CHILD", "value"]) == {"C-0001"}
    assert set(out.loc[out["rule"] == "code_unknown", "value"]) == {"'=HYPERLINK(\"x\")"}
    assert set(out.loc[out["rule"] == "date_unparseable", "value"]) == {"32/13/2024"}


def test_section_8_notebook_stays_small_with_200000_findings(tmp_path: Path, tiny_la):
    from diagnostic_kit import kit_files
    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run import kernels, private
    from diagnostic_kit.run.prepare import prepare_la

    la = prepare_la(load_params(tiny_la()))
    la.dq.findings = pd.concat([la.dq.findings, big_findings()], ignore_index=True)
    n = len(la.dq.findings)
    prepared = tmp_path / "la.pkl"
    private.save_private(la, prepared)
    work = tmp_path / "work"
    executed = tmp_path / "08_data_quality.ipynb"
    res = kernels.execute_section(
        kit_files.notebooks_dir() / "08_data_quality.ipynb", executed,
        {"params_file": "x", "prepared": str(prepared), "output_dir": str(work)}, timeout=300)
    assert res.status == "ok", res
    shown = pd.read_pickle(work / "tables" / "08_data_quality__findings.pkl")
    rules = la.dq.findings["rule"].nunique()
    assert len(shown) <= rules * dqs.SHOWN_PER_RULE
    by_rule = pd.read_pickle(work / "tables" / "08_data_quality__findings_by_rule.pkl")
    assert by_rule["Findings"].sum() == n
    text = executed.read_text(encoding="utf-8")
    assert "more: all are in data_quality.csv" in text
    assert executed.stat().st_size < 2_000_000  # not hundreds of MB
