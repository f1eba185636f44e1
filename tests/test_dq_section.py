"""Section 8 tables on hand-made data-quality records."""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.measures import data_quality as dqs
from diagnostic_kit.present import timescales as pts

ACCOUNTING = pd.DataFrame({
    "file": ["903/2024-25/header.csv", "903/2024-25/episodes.csv"],
    "table": ["header", "episodes"],
    "rows_read": [10, 25],
    "rows_used": [10, 22],
    "rows_excluded": [0, 3],
    "reasons": ["", "3 the same record appears twice in one file"],
})


def findings(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["file", "row", "column", "value", "rule"])
    df["row"] = df["row"].astype("Int64")
    df["message"] = "m"
    df["action"] = "kept"
    return df


def test_values_shown_only_for_codes_and_numbers():
    f = findings([
        ("903/2024-25/header.csv", 3, "DOB", "31/02/2019", "date_unparseable"),
        ("903/2024-25/header.csv", 4, "SEX", "7", "code_unknown"),
        ("903/2024-25/header.csv", 5, "CHILD", "C123", "required_missing"),
        ("903/2024-25/episodes.csv", 6, "RNE", "", "required_missing"),
        ("903/2024-25/episodes.csv", None, "CARER_NAME", "", "column_not_in_template"),
        ("903/2024-25/episodes.csv", 7, "CARER_NAME", "Ann", "code_unknown"),
        # Not in the accounting: the table is taken from the file name.
        ("local/costs.csv", 2, "amount", "12k", "number_unparseable"),
        ("local/adopters.csv", 9, "household_id", "H9", "duplicate_record"),
    ])
    shown = dqs.shown_values(f, ACCOUNTING)
    assert shown.tolist() == ["(withheld)", "7", "(withheld)", "", "", "(withheld)", "12k",
                              "(withheld)"]
    table = dqs.findings_table(f, ACCOUNTING)
    assert list(table.columns) == ["File", "Row", "Column", "Value", "Rule", "What the kit did"]
    assert "C123" not in table.to_string() and "31/02/2019" not in table.to_string()


def test_accounting_table_adds_a_total_that_balances():
    t = dqs.accounting_table(ACCOUNTING)
    total = t.iloc[-1]
    assert total["File"] == "All files"
    assert (total["Rows read"], total["Rows used"], total["Rows excluded"]) == (35, 32, 3)
    assert dqs.accounting_balances(ACCOUNTING)
    broken = ACCOUNTING.assign(rows_used=[10, 23])
    assert not dqs.accounting_balances(broken)


def test_findings_by_rule_counts_most_frequent_first():
    f = findings([
        ("903/2024-25/header.csv", 3, "DOB", "x", "date_unparseable"),
        ("903/2024-25/header.csv", 4, "DOB", "y", "date_unparseable"),
        ("903/2024-25/header.csv", 5, "SEX", "7", "code_unknown"),
    ])
    t = dqs.findings_by_rule(f)
    assert t["Rule"].tolist() == ["date_unparseable", "code_unknown"]
    assert t["Findings"].tolist() == [2, 1]
    assert t["What it means"].tolist() == ["not a valid date",
                                           "code not valid in any collection year since 2015-16"]
    assert dqs.findings_by_rule(f.iloc[0:0]).empty


def test_missing_extracts_name_the_template():
    missing = pd.DataFrame({"table": ["costs"], "file": ["local/costs.csv"],
                            "sections": ["06 Resources"], "message": ["..."]})
    t = dqs.missing_extracts_table(missing)
    assert t.to_dict("records") == [{"Missing extract": "local/costs.csv",
                                     "Sections affected": "06 Resources",
                                     "Template to fill": "data_templates/costs.csv"}]


def test_parameter_tables_from_the_demo_params():
    p = load_params("demo", check_data_dir=False)
    run = dict(dqs.run_parameters_table(p, "data/demo").values.tolist())
    assert run["LA code"] == "999"
    assert run["Reporting period end (reference date)"] == "2026-03-31"
    assert run["Synthetic data"] == "yes (seed 2026, 400 children, 6 years)"
    # One standards table for sections 2 and 8 (present.timescales.display_standards).
    standards = pts.display_standards(p).set_index("Stage")
    assert standards.loc["ADM decision to placement order", "Days"] == 182
    assert standards.loc["ADM decision to placement order", "Set by"] == "kit default"
    comps = dqs.comparators_table(p)
    # Labels, never code names ("a1 days").
    assert comps.loc[comps["Measure"] == "A1 threshold (days)", "Value"].item() == 426
    assert not comps["Measure"].str.contains("_").any()
    assert "a1 days" not in set(comps["Measure"])
    assert dqs.checksums_table({"b.csv": "2", "a.csv": "1"})["File"].tolist() == ["a.csv",
                                                                                 "b.csv"]


def test_children_left_out_of_measures_in_words():
    summary = pd.DataFrame({
        "measure": ["a2", "stage_adm_to_po", "entry_to_ao"],
        "reason": ["no placement order", "no placement order date", "care entry unknown"],
        "children": [2, 2, 1],
    })
    table = pts.display_exclusions(summary, load_params("demo", check_data_dir=False))
    assert table.to_dict("list") == {
        "Measure": ["A2: placement order to match (mean days)",
                    "Stage: ADM decision to placement order",
                    "Care entry to adoption order"],
        "Why left out": ["no placement order", "no placement order date", "care entry unknown"],
        "Children": [2, 2, 1],
    }


def test_a_workbook_accounted_list_by_list_is_one_file():
    acc = pd.DataFrame({"file": ["903/2024-25/episodes.csv", "local/annex_a.xlsx [List 10]",
                                 "local/annex_a.xlsx [List 11]", "local/costs.csv"]})
    assert dqs.files_read(acc) == 3
