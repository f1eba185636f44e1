"""The data-quality log: findings, excluded rows, dropped columns and row accounting.

Every input row is either used or listed as excluded with its reason, so that per file
rows read = rows used + rows excluded. Findings are non-fatal: each says what the kit did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Rule:
    id: str
    message: str
    action: str


_RULES = [
    # Column-level, on every file as read.
    Rule("column_not_in_template", "column is not in the kit's template", "column dropped"),
    Rule("date_unparseable", "not a valid date", "value treated as blank"),
    Rule("code_unknown", "code not valid in any collection year since 2015-16", "kept"),
    Rule("required_missing", "a required value is blank", "kept"),
    Rule("number_unparseable", "not a valid number", "value treated as blank"),
    Rule("duplicate_record", "the same record appears twice in one file", "row excluded"),
    # Episodes.
    Rule("episode_ends_before_start", "episode ceases (DEC) before it starts (DECOM)",
         "DEC treated as blank"),
    Rule("episode_overlap", "episode starts before the previous episode of the same child ended",
         "kept"),
    Rule("episode_gap", "episode starts after the previous episode ended with X1 (a gap in the "
         "period of care)", "kept"),
    Rule("period_without_start", "a period of care begins with an episode whose RNE is not S",
         "kept: treated as the start of a period"),
    Rule("episode_child_not_in_header", "child has episodes but no header row",
         "kept: characteristics unknown"),
    # Adoption tables.
    Rule("ad1_without_adoption", "child in AD1 has no episode ending in adoption (E11/E12)",
         "row excluded"),
    Rule("adoption_without_ad1", "child adopted (E11/E12) has no AD1 row",
         "kept: match date and foster-carer flag unknown"),
    Rule("date_int_differs", "AD1 DATE_INT differs from PlacedAdoption DATE_PLACED",
         "kept: DATE_PLACED used"),
    Rule("match_out_of_order", "AD1 DATE_MATCH is before the ADM decision or after the "
         "adoptive placement", "kept"),
    Rule("foster_care_inconsistent", "AD1 FOSTER_CARE disagrees with the adoptive placement "
         "type (A3/A5 with current foster carer, A4/A6 not)", "kept: treated as foster-carer "
         "adoption if either says so"),
    Rule("adm_outside_period", "ADM decision date falls outside every period of care of the "
         "child", "row excluded"),
    # Journeys.
    Rule("stage_negative", "a stage of the adoption journey ends before it starts",
         "excluded from that stage"),
]

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


FINDING_COLUMNS = ["file", "row", "column", "value", "rule", "message", "action"]
EXCLUSION_COLUMNS = ["file", "row", "table", "reason"]


@dataclass
class DataQuality:
    """What the loader and the derivations found, ready for section 8 and data_quality.csv."""

    findings: pd.DataFrame
    exclusions: pd.DataFrame
    accounting: pd.DataFrame
    dropped_columns: pd.DataFrame
    missing_extracts: pd.DataFrame
    checksums: dict[str, str]
    unused_files: list[str] = field(default_factory=list)

    def summary_by_rule(self) -> pd.DataFrame:
        """Findings counted by rule, with the rule's message."""
        if self.findings.empty:
            return pd.DataFrame(columns=["rule", "message", "findings"])
        return (
            self.findings.groupby(["rule", "message"], as_index=False)
            .size()
            .rename(columns={"size": "findings"})
            .sort_values("findings", ascending=False, ignore_index=True)
        )


class QualityLog:
    """Collects findings and exclusions while inputs are read and derived."""

    def __init__(self) -> None:
        self._findings: list[pd.DataFrame] = []
        self._exclusions: list[pd.DataFrame] = []
        self.rows_read: dict[str, tuple[str, int]] = {}
        self.dropped: list[dict[str, str]] = []
        self.missing: list[dict[str, str]] = []
        self.checksums: dict[str, str] = {}
        self.unused: list[str] = []

    def add(
        self,
        rule: str,
        rows: pd.DataFrame,
        column: str,
        value: pd.Series | str | None = None,
        action: str | None = None,
    ) -> None:
        """Record one finding per row of ``rows`` (which carries ``_file`` and ``_row``)."""
        if rows.empty:
            return
        r = RULES[rule]
        if value is None:
            vals = rows[column].astype("string") if column in rows else pd.Series("", rows.index)
        elif isinstance(value, str):
            vals = pd.Series(value, index=rows.index)
        else:
            vals = value.loc[rows.index].astype("string")
        self._findings.append(
            pd.DataFrame(
                {
                    "file": rows["_file"].astype("string").to_numpy(),
                    "row": rows["_row"].astype("Int64").to_numpy(),
                    "column": column,
                    "value": vals.fillna("").to_numpy(),
                    "rule": rule,
                    "message": r.message,
                    "action": action or r.action,
                }
            )
        )

    def add_file_level(self, rule: str, file: str, column: str, action: str | None = None) -> None:
        r = RULES[rule]
        self._findings.append(
            pd.DataFrame(
                [{"file": file, "row": pd.NA, "column": column, "value": "", "rule": rule,
                  "message": r.message, "action": action or r.action}]
            ).astype({"row": "Int64"})
        )

    def exclude(self, rows: pd.DataFrame, table: str, reason: str) -> None:
        """List rows as excluded from use, with the reason."""
        if rows.empty:
            return
        self._exclusions.append(
            pd.DataFrame(
                {
                    "file": rows["_file"].astype("string").to_numpy(),
                    "row": rows["_row"].astype("Int64").to_numpy(),
                    "table": table,
                    "reason": reason,
                }
            )
        )

    def build(self) -> DataQuality:
        findings = (
            pd.concat(self._findings, ignore_index=True)
            if self._findings
            else pd.DataFrame(columns=FINDING_COLUMNS).astype({"row": "Int64"})
        )
        findings = findings.sort_values(["file", "row", "column", "rule"], ignore_index=True)
        exclusions = (
            pd.concat(self._exclusions, ignore_index=True)
            if self._exclusions
            else pd.DataFrame(columns=EXCLUSION_COLUMNS).astype({"row": "Int64"})
        )
        # A row excluded for two reasons is one excluded row: keep its first reason.
        exclusions = exclusions.drop_duplicates(["file", "row"], ignore_index=True)
        acc = []
        for file, (table, n) in self.rows_read.items():
            ex = exclusions[exclusions["file"] == file]
            reasons = "; ".join(f"{c} {r}" for r, c in ex["reason"].value_counts().items())
            acc.append({"file": file, "table": table, "rows_read": n,
                        "rows_used": n - len(ex), "rows_excluded": len(ex), "reasons": reasons})
        accounting = pd.DataFrame(
            acc, columns=["file", "table", "rows_read", "rows_used", "rows_excluded", "reasons"]
        )
        return DataQuality(
            findings=findings,
            exclusions=exclusions.sort_values(["file", "row"], ignore_index=True),
            accounting=accounting,
            dropped_columns=pd.DataFrame(self.dropped, columns=["file", "column", "reason"]),
            missing_extracts=pd.DataFrame(
                self.missing, columns=["table", "file", "sections", "message"]
            ),
            checksums=dict(self.checksums),
            unused_files=list(self.unused),
        )
