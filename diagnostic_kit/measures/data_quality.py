"""Section 8, data quality and method: the tables, built from ``LAData.dq`` and the params.

Every input row is accounted for per file (rows read = rows used + rows excluded); every
finding is listed with what the kit did. A finding's value is shown only where it is a code or
a number: identifiers, dates (a date of birth among them) and free text are shown as
"(withheld)", and child identifiers never appear.

At scale (a million findings) the section shows the counts per rule and only the first
:data:`SHOWN_PER_RULE` findings of each rule (:func:`findings_sample`); ``data_quality.csv``
beside the report has all of them.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from diagnostic_kit.inputs.findings import RULES, WITHHELD
from diagnostic_kit.inputs.schema import TABLES

#: Findings of each rule listed in the report; all of them are in data_quality.csv.
SHOWN_PER_RULE = 20
#: Column kinds whose values are safe to show in a rendered report.
SHOWN_KINDS = frozenset({"code", "int", "number", "money", "bool"})


def file_tables(findings: pd.DataFrame, accounting: pd.DataFrame) -> pd.Series:
    """The schema table each finding's file holds: from the accounting, else the file stem."""
    by_file = dict(zip(accounting["file"], accounting["table"], strict=False))
    files = findings["file"].astype("string")
    # Per distinct file, not per finding: a million findings name a handful of files.
    table_of = {f: by_file.get(f, PurePosixPath(str(f)).stem.lower())
                for f in files.dropna().unique()}
    return files.map(table_of).fillna("").astype("string")


def column_kinds() -> pd.DataFrame:
    """Every (table, column) of the schema with its kind."""
    return pd.DataFrame(
        [(t.name, c.name, c.kind) for t in TABLES.values() for c in t.columns],
        columns=["table", "column", "kind"],
    )


def value_kinds(findings: pd.DataFrame, accounting: pd.DataFrame) -> pd.Series:
    """The schema kind (``id``, ``date``, ``code`` …) of each finding's column; NA where the
    column is not in the schema."""
    keys = pd.DataFrame({"table": file_tables(findings, accounting),
                         "column": findings["column"].astype("string")})
    kinds = keys.merge(column_kinds().astype("string"), on=["table", "column"], how="left")
    return pd.Series(kinds["kind"].to_numpy(), index=findings.index, dtype="string")


def shown_values(findings: pd.DataFrame, accounting: pd.DataFrame) -> pd.Series:
    """A finding's value as the report may show it: the value for code and number columns,
    blank when there is none, otherwise "(withheld)" (ids, dates, text, unknown columns)."""
    kinds = pd.DataFrame({"kind": value_kinds(findings, accounting)})
    value = findings["value"].astype("string").fillna("")
    show = kinds["kind"].isin(SHOWN_KINDS).fillna(False).astype(bool)
    out = value.where(show, WITHHELD)
    return out.where(value.str.strip() != "", "")


def accounting_table(accounting: pd.DataFrame) -> pd.DataFrame:
    """Rows read, used and excluded per file, with a total row."""
    cols = ["file", "table", "rows_read", "rows_used", "rows_excluded", "reasons"]
    acc = accounting[cols].copy()
    acc["reasons"] = acc["reasons"].fillna("").astype("string")
    total = pd.DataFrame([{
        "file": "All files", "table": "", "rows_read": acc["rows_read"].sum(),
        "rows_used": acc["rows_used"].sum(), "rows_excluded": acc["rows_excluded"].sum(),
        "reasons": "",
    }])
    out = pd.concat([acc, total], ignore_index=True)
    return out.rename(columns={"file": "File", "table": "Table", "rows_read": "Rows read",
                               "rows_used": "Rows used", "rows_excluded": "Rows excluded",
                               "reasons": "Reasons for exclusion"})


def files_read(accounting: pd.DataFrame) -> int:
    """How many input files the rows came from: a workbook whose lists are accounted for one
    by one (``annex_a.xlsx [List 10]``, ``[List 11]``) is one file, as in the checksums."""
    return int(accounting["file"].astype(str).str.replace(r" \[[^\]]*\]$", "", regex=True)
               .nunique())


def accounting_balances(accounting: pd.DataFrame) -> bool:
    """Whether every file's rows read equal rows used plus rows excluded."""
    return bool(
        (accounting["rows_read"] == accounting["rows_used"] + accounting["rows_excluded"]).all()
    )


def findings_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings counted by rule, most frequent first, with what the kit does for each."""
    if findings.empty:
        return pd.DataFrame(columns=["Rule", "What it means", "What the kit did", "Findings"])
    counts = (findings.groupby(["rule", "action"], as_index=False).size()
              .rename(columns={"size": "findings"}))
    counts["message"] = counts["rule"].map({k: r.message for k, r in RULES.items()})
    counts = counts.sort_values(["findings", "rule"], ascending=[False, True], ignore_index=True)
    return counts[["rule", "message", "action", "findings"]].rename(columns={
        "rule": "Rule", "message": "What it means", "action": "What the kit did",
        "findings": "Findings"})


def findings_table(findings: pd.DataFrame, accounting: pd.DataFrame) -> pd.DataFrame:
    """Every finding: file, row, column, value (withheld unless a code or number), rule and
    what the kit did."""
    out = pd.DataFrame({
        "File": findings["file"].astype("string"),
        "Row": findings["row"].astype("Int64"),
        "Column": findings["column"].astype("string"),
        "Value": shown_values(findings, accounting),
        "Rule": findings["rule"].astype("string"),
        "What the kit did": findings["action"].astype("string"),
    })
    return out.reset_index(drop=True)


def findings_sample(findings: pd.DataFrame, per_rule: int = SHOWN_PER_RULE) -> pd.DataFrame:
    """The first ``per_rule`` findings of each rule (in file and row order), rules in the order
    of :func:`findings_by_rule`: what the report lists. Bounded whatever the number of
    findings."""
    if findings.empty:
        return findings
    order = findings_by_rule(findings)["Rule"].drop_duplicates().tolist()
    head = findings.groupby("rule", sort=False, observed=True).head(per_rule)
    rank = head["rule"].map({r: i for i, r in enumerate(order)})
    return head.assign(_rank=rank.to_numpy()).sort_values(
        "_rank", kind="stable").drop(columns="_rank")


def findings_not_shown(findings: pd.DataFrame, per_rule: int = SHOWN_PER_RULE) -> pd.DataFrame:
    """Rules with more than ``per_rule`` findings: how many the report does not list."""
    counts = findings["rule"].value_counts()
    more = (counts - per_rule)[counts > per_rule]
    return pd.DataFrame({"rule": more.index.astype(str), "more": more.to_numpy(dtype="int64")})


def missing_extracts_table(missing: pd.DataFrame) -> pd.DataFrame:
    """Optional extracts not supplied: what is missing, what it affects, the template to fill."""
    return pd.DataFrame({
        "Missing extract": missing["file"].astype("string"),
        "Sections affected": missing["sections"].astype("string"),
        "Template to fill": "data_templates/" + missing["table"].astype("string") + ".csv",
    }).reset_index(drop=True)


def _field(item: Any, name: str) -> Any:
    """A field of a params item: a model's attribute, or a mapping's key."""
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


#: Thresholds and national figures in words (never their code names).
COMPARATOR_LABELS = {
    "a1_days": "A1 threshold (days)", "a2_days": "A2 threshold (days)",
    "a3_days": "A3 threshold (days)", "a1_mean_days": "A1, England average (days)",
    "a2_mean_days": "A2, England average (days)", "a10_mean_days": "A10, England average (days)",
    "children_adopted": "Children adopted in England in a year",
    "adopted_share_of_leavers_pct": "Children leaving care who left through adoption (%)",
    "mean_age_at_adoption_years": "Average age at adoption (years)",
    "entry_to_adoption_days": "Care entry to adoption, England average (days)",
    "three_plus_placements_pct": "Looked after two years with 3+ placements (%)",
    "interagency_fee_la": "Interagency fee, LA or RAA placement (£)",
    "interagency_fee_la_london": "Interagency fee, LA or RAA placement, London (£)",
    "interagency_fee_vaa": "Interagency fee, voluntary adoption agency placement (£)",
    "selwyn_cost_of_placing": "Cost of placing a child, Selwyn et al. (£)",
}


def comparators_table(params: Any) -> pd.DataFrame:
    """Scorecard thresholds and national comparators used, with period and source."""
    rows = []
    for group, items in (("Threshold", params.thresholds), ("National figure",
                                                            params.comparators)):
        for k, v in items.items():
            rows.append({"Kind": group, "Measure": COMPARATOR_LABELS.get(k, k.replace("_", " ")),
                         "Value": _field(v, "value"), "Period": _field(v, "period"),
                         "Source": _field(v, "source")})
    return pd.DataFrame(rows, columns=["Kind", "Measure", "Value", "Period", "Source"])


def run_parameters_table(params: Any, data_dir: str) -> pd.DataFrame:
    """The run's own parameters (the LA, the period, the data folder, suppression)."""
    synthetic = params.synthetic
    raa = hasattr(params, "members")  # an RAA's params: its name and code stand where an LA's do
    rows = [
        ("Regional adoption agency" if raa else "Local authority", params.la_name),
        ("RAA code" if raa else "LA code", params.la_code),
        ("Reporting period start", params.period_start.isoformat()),
        ("Reporting period end (reference date)", params.period_end.isoformat()),
        ("Data folder", data_dir),
        ("Counts suppressed below", str(params.suppress_below) if params.suppress_below
         else "no suppression"),
        ("Synthetic data", synthetic.describe() if synthetic else "no"),
    ]
    return pd.DataFrame(rows, columns=["Parameter", "Value"])


def checksums_table(checksums: dict[str, str]) -> pd.DataFrame:
    """Input files and their SHA-256 checksums, so a run can be matched to its inputs."""
    return pd.DataFrame(sorted(checksums.items()), columns=["File", "SHA-256"])


def date_formats_summary(date_formats: pd.DataFrame) -> pd.DataFrame:
    """Each date format found, the files that used it and the dates read in it (the
    file-by-file list is :func:`date_formats_table`)."""
    if date_formats.empty:
        return pd.DataFrame(columns=["Date format", "Files", "Dates read"])
    g = date_formats.groupby("format", sort=True).agg(
        files=("file", "nunique"), rows=("rows", "sum")).reset_index()
    return g.rename(columns={"format": "Date format", "files": "Files", "rows": "Dates read"})


def dropped_summary(dropped: pd.DataFrame) -> pd.DataFrame:
    """The columns dropped on reading, by column and why, with the files each was in (the
    file-by-file list is in data_quality.csv)."""
    if dropped.empty:
        return pd.DataFrame(columns=["Column", "Why", "Files"])
    g = dropped.groupby(["column", "reason"], sort=True)["file"].nunique().reset_index()
    return g.rename(columns={"column": "Column", "reason": "Why", "file": "Files"})


def date_formats_table(date_formats: pd.DataFrame) -> pd.DataFrame:
    """Which date format(s) each file used, with the dates read in each (one row per file)."""
    if date_formats.empty:
        return pd.DataFrame(columns=["File", "Date formats used", "Dates read"])
    g = date_formats.groupby(["file", "format"], sort=True)["rows"].sum().reset_index()
    out = g.groupby("file", sort=True).agg(
        formats=("format", lambda f: ", ".join(f)), rows=("rows", "sum")).reset_index()
    return out.rename(columns={"file": "File", "formats": "Date formats used",
                               "rows": "Dates read"})
