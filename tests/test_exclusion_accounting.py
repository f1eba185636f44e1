"""The exclusions and row accounting of ``Findings.build``, worked by hand: a row excluded for
two reasons counts once (its first reason), reasons are listed most first with ties in the
order first seen, and the exclusions come in file and row order (a blank row number last)."""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs.findings import Findings


def _rows(file: str, *rows: int | None) -> pd.DataFrame:
    return pd.DataFrame({"_file": [file] * len(rows), "_row": pd.array(rows, dtype="Int64")})


def test_exclusions_counted_once_per_row_with_reasons_most_first():
    log = Findings()
    log.rows_read = {"b.csv": ("t", 10), "a.csv": ("t", 10), "c.csv": ("t", 3)}
    log.exclude(_rows("b.csv", 5, 3), "t", "second")
    log.exclude(_rows("a.csv", 4, None), "t", "first")
    log.exclude(_rows("b.csv", 3, 7), "t", "first")  # b.csv row 3 already excluded
    log.exclude(_rows("a.csv", 2), "t", "second")
    dq = log.build()

    ex = dq.exclusions
    assert ex["file"].tolist() == ["a.csv", "a.csv", "a.csv", "b.csv", "b.csv", "b.csv"]
    assert ex["row"].tolist() == [2, 4, pd.NA, 3, 5, 7]
    assert ex["reason"].tolist() == ["second", "first", "first", "second", "second", "first"]
    assert ex.index.equals(pd.RangeIndex(6))

    acc = dq.accounting.set_index("file")
    assert acc.loc["b.csv", "rows_excluded"] == 3 and acc.loc["b.csv", "rows_used"] == 7
    assert acc.loc["b.csv", "reasons"] == "2 second; 1 first"
    assert acc.loc["a.csv", "reasons"] == "2 first; 1 second"
    assert acc.loc["c.csv", "rows_excluded"] == 0 and acc.loc["c.csv", "reasons"] == ""


def test_tied_reasons_keep_the_order_first_seen_in_the_file():
    log = Findings()
    log.rows_read = {"a.csv": ("t", 9), "b.csv": ("t", 9)}
    log.exclude(_rows("a.csv", 2), "t", "x")
    log.exclude(_rows("b.csv", 2), "t", "y")
    log.exclude(_rows("b.csv", 3), "t", "x")
    log.exclude(_rows("a.csv", 3), "t", "y")
    acc = log.build().accounting.set_index("file")
    assert acc.loc["a.csv", "reasons"] == "1 x; 1 y"
    assert acc.loc["b.csv", "reasons"] == "1 y; 1 x"


def test_no_exclusions():
    log = Findings()
    log.rows_read = {"a.csv": ("t", 4)}
    dq = log.build()
    assert dq.exclusions.empty and list(dq.exclusions.columns) == ["file", "row", "table",
                                                                    "reason"]
    assert dq.accounting["rows_used"].tolist() == [4]
