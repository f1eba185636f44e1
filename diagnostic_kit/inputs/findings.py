"""The data-quality log: findings, excluded rows, dropped columns and row accounting.

Every input row is either used or listed as excluded with its reason, so that per file
rows read = rows used + rows excluded. Findings are non-fatal: each says what the kit did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The points at which rules run, in order: ``reading`` (in ``inputs.reading``, while a file
#: is parsed), ``inputs`` (on the tables as read), ``episodes`` (on the episode chains),
#: ``adoption`` (on the episodes in periods of care and the adoption tables, before the
#: journeys are built) and ``journeys`` (on the journey facts). ``run.prepare`` runs them.
STAGES = ("reading", "inputs", "episodes", "adoption", "journeys")


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue: its id, what a finding says and what the kit does.

    A rule is declared once: a check made while reading with :func:`declare` (in
    ``inputs.reading_rules`` or beside the reader that makes it), every other one with
    ``rules.engine.rule`` on the function that finds its rows. Findings are recorded through
    the rule itself (:meth:`record`), so that no code names a rule it has not declared.
    """

    id: str
    message: str
    action: str
    #: The tables the rule reads (for the rule list in docs and section 8).
    tables: tuple[str, ...] = ()
    #: The number of the DfE / Data to Insight 903 validator rule it matches, if any.
    validator: str | None = None
    #: The column a finding names ("" where it varies or the finding is about a file).
    column: str = ""
    #: When it runs (:data:`STAGES`).
    stage: str = "reading"

    def record(self, found: Findings, rows: pd.DataFrame, column: str | None = None, *,
               value: pd.Series | str | None = None, action: str | None = None,
               message: str | None = None) -> None:
        """One finding of this rule per row of ``rows`` (see :meth:`Findings.add`)."""
        found.add(self.id, rows, self.column if column is None else column, value=value,
                  action=action, message=message)

    def record_file(self, found: Findings, file: str, column: str | None = None, *,
                    action: str | None = None, value: str = "") -> None:
        """One finding of this rule about a whole file (no row)."""
        found.add_file_level(self.id, file, self.column if column is None else column,
                             action=action, value=value)


#: The one catalogue of rules by id: the reading checks (``inputs.reading_rules``, imported
#: with this package) and the rules of ``diagnostic_kit.rules``, which add themselves here
#: when that package is imported (``rules.engine.rule``).
RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to :data:`RULES` (the same definition twice is allowed, a clash is not)."""
    known = RULES.get(rule.id)
    if known is not None and known != rule:
        raise ValueError(f"rule id {rule.id!r} is already registered with another definition")
    RULES[rule.id] = rule
    return rule


def declare(id: str, message: str, action: str, *,  # noqa: A002 - the rule's id
            tables: tuple[str, ...] = (), column: str = "", stage: str = "reading",
            validator: str | None = None) -> Rule:
    """Declare a check made while reading (it has no function of its own: the reader finds
    its rows as it parses) and add it to :data:`RULES`; returns the rule to record with."""
    return register(Rule(id, message, action, tables=tables, validator=validator,
                         column=column, stage=stage))


#: Columns whose values identify a person: a finding never shows them.
IDENTIFIER_COLUMNS = frozenset({"CHILD", "child", "case_ref", "worker_ref", "auditor_ref",
                                "household_id"})
WITHHELD = "(withheld)"
#: Why the DfE columns dropped on purpose (UPN, the mother's details, postcodes …) were dropped.
PERSONAL_DROP_REASON = "personal data the kit does not need"

#: The message of ``code_unknown`` for a local extract, whose choices are the kit's own.
LOCAL_CODE_MESSAGE = ("not one of the values the kit's template allows for this column (see "
                      "data_templates/data_dictionary.md)")


FINDING_COLUMNS = ["file", "row", "column", "value", "rule", "message", "action"]
EXCLUSION_COLUMNS = ["file", "row", "table", "reason"]
DATE_FORMAT_COLUMNS = ["file", "column", "format", "rows"]
NOTE_COLUMNS = ["file", "topic", "detail"]


@dataclass
class DataQuality:
    """What the loader and the derivations found, ready for section 8 and data_quality.csv.

    ``date_formats`` says which date format(s) each file's date columns were written in
    (``file, column, format, rows``); ``notes`` holds facts about the data that are not row
    errors (``file, topic, detail``: a file read with another delimiter, the data window and the
    children whose care began before it).
    """

    findings: pd.DataFrame
    exclusions: pd.DataFrame
    accounting: pd.DataFrame
    dropped_columns: pd.DataFrame
    missing_extracts: pd.DataFrame
    checksums: dict[str, str]
    unused_files: list[str] = field(default_factory=list)
    date_formats: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=DATE_FORMAT_COLUMNS))
    notes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOTE_COLUMNS))



def _rows(s: pd.Series) -> pd.Series:
    """Row numbers as whole numbers (never ``15.0``)."""
    return pd.to_numeric(s, errors="coerce").round().astype("Int64")


def _file_row_keys(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each row's ``file`` and ``row`` as whole numbers in the order ``sort_values`` puts them
    in (files by name; blanks last: a blank file is numbered ``len(names)``), and the files'
    names."""
    files, names = pd.factorize(frame["file"].to_numpy(dtype=object), sort=True)
    files = files.astype(np.int64)
    files[files < 0] = len(names)
    rows = frame["row"].to_numpy(dtype="float64", na_value=np.nan)
    blank = np.isnan(rows)
    rows = np.where(blank, 0, rows).astype(np.int64)
    rows[blank] = rows.max(initial=0) + 1
    return files, rows, names.tolist()


def _excluded_by_file(
    exclusions: pd.DataFrame, files: np.ndarray, file_names: list[str]
) -> tuple[dict[str, int], dict[str, list[tuple[str, int]]]]:
    """Per file, the rows excluded, and each reason with its count in the order first seen
    (what ``groupby(sort=False).size()`` gives), counted on whole-number codes (``files``, from
    :func:`_file_row_keys`; a blank file or reason is in no group)."""
    reasons, reason_names = pd.factorize(exclusions["reason"].to_numpy(dtype=object))
    named = files < len(file_names)
    counts = np.bincount(files[named], minlength=len(file_names))
    excluded = {f: n for f, n in zip(file_names, counts.tolist(), strict=True) if n}
    grouped = named & (reasons >= 0)
    pairs, per_pair = pd.factorize(files[grouped] * len(reason_names) + reasons[grouped])
    reasons_of: dict[str, list[tuple[str, int]]] = {}
    for pair, count in zip(per_pair.tolist(), np.bincount(pairs).tolist(), strict=True):
        f, r = divmod(pair, len(reason_names))
        reasons_of.setdefault(file_names[f], []).append((reason_names[r], count))
    return excluded, reasons_of


class Findings:
    """The findings and exclusions of one step (reading, a rule, a derivation).

    Each step makes its own and returns it beside its data; ``run.prepare`` gathers them with
    :meth:`extend` and :meth:`build` turns the whole into :class:`DataQuality`. No step writes
    into a log owned by the step that called it.
    """

    def __init__(self) -> None:
        self._findings: list[pd.DataFrame] = []
        self._exclusions: list[pd.DataFrame] = []
        self.rows_read: dict[str, tuple[str, int]] = {}
        self.dropped: list[dict[str, str]] = []
        self.missing: list[dict[str, str]] = []
        self.checksums: dict[str, str] = {}
        self.unused: list[str] = []
        self.date_formats: list[dict[str, object]] = []
        self.notes: list[dict[str, str]] = []

    def add(
        self,
        rule: str,
        rows: pd.DataFrame,
        column: str,
        value: pd.Series | str | None = None,
        action: str | None = None,
        message: str | None = None,
    ) -> None:
        """Record one finding per row of ``rows`` (which carries ``_file`` and ``_row``).

        A value in an identifier column (CHILD, case_ref, ...) is never shown: it reads
        ``(withheld)``.
        """
        if rows.empty:
            return
        r = RULES[rule]
        if column in IDENTIFIER_COLUMNS and not isinstance(value, str):
            value = WITHHELD
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
                    "row": _rows(rows["_row"]).to_numpy(),
                    "column": column,
                    "value": vals.fillna("").to_numpy(),
                    "rule": rule,
                    "message": message or r.message,
                    "action": action or r.action,
                }
            )
        )

    def add_file_level(self, rule: str, file: str, column: str, action: str | None = None,
                       value: str = "") -> None:
        r = RULES[rule]
        self._findings.append(
            pd.DataFrame(
                [{"file": file, "row": pd.NA, "column": column, "value": value, "rule": rule,
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
                    "row": _rows(rows["_row"]).to_numpy(),
                    "table": table,
                    "reason": reason,
                }
            )
        )

    def note(self, file: str, topic: str, detail: str) -> None:
        """A fact about the data that is not a row error, said once."""
        self.notes.append({"file": file, "topic": topic, "detail": detail})

    def extend(self, *others: Findings) -> Findings:
        """Add the findings, exclusions and file facts of other steps to this one."""
        for o in others:
            self._findings.extend(o._findings)
            self._exclusions.extend(o._exclusions)
            self.rows_read.update(o.rows_read)
            self.dropped.extend(o.dropped)
            self.missing.extend(o.missing)
            self.checksums.update(o.checksums)
            self.unused.extend(o.unused)
            self.date_formats.extend(o.date_formats)
            self.notes.extend(o.notes)
        return self

    def findings_frame(self) -> pd.DataFrame:
        """The findings so far, in file and row order."""
        findings = (
            pd.concat(self._findings, ignore_index=True)
            if self._findings
            else pd.DataFrame(columns=FINDING_COLUMNS)
        )
        findings["row"] = _rows(findings["row"])
        return findings.sort_values(["file", "row", "column", "rule"], ignore_index=True)

    def build(self) -> DataQuality:
        findings = self.findings_frame()
        exclusions = (
            pd.concat(self._exclusions, ignore_index=True)
            if self._exclusions
            else pd.DataFrame(columns=EXCLUSION_COLUMNS)
        )
        exclusions["row"] = _rows(exclusions["row"])
        files, rows, file_names = _file_row_keys(exclusions)
        # A row excluded for two reasons is one excluded row: keep its first reason (a row's
        # file and row number as one whole number).
        first = ~pd.Series(files * (int(rows.max(initial=0)) + 1) + rows).duplicated().to_numpy()
        exclusions = exclusions[first].reset_index(drop=True)
        files, rows = files[first], rows[first]
        # Per file: the rows excluded, and each reason's count, most first (ties in the order
        # first seen, as value_counts gives them).
        excluded, reasons_of = _excluded_by_file(exclusions, files, file_names)
        acc = []
        for file, (table, n) in self.rows_read.items():
            counts = sorted(reasons_of.get(file, []), key=lambda rc: -rc[1])
            reasons = "; ".join(f"{c} {r}" for r, c in counts)
            out = int(excluded.get(file, 0))
            acc.append({"file": file, "table": table, "rows_read": n,
                        "rows_used": n - out, "rows_excluded": out, "reasons": reasons})
        accounting = pd.DataFrame(
            acc, columns=["file", "table", "rows_read", "rows_used", "rows_excluded", "reasons"]
        )
        return DataQuality(
            findings=findings,
            # In file and row order (a stable sort, as ``sort_values``).
            exclusions=exclusions.take(np.lexsort((rows, files))).reset_index(drop=True),
            accounting=accounting,
            dropped_columns=pd.DataFrame(self.dropped, columns=["file", "column", "reason"]),
            missing_extracts=pd.DataFrame(
                self.missing, columns=["table", "file", "sections", "message"]
            ),
            checksums=dict(self.checksums),
            unused_files=list(self.unused),
            date_formats=pd.DataFrame(self.date_formats, columns=DATE_FORMAT_COLUMNS),
            notes=pd.DataFrame(self.notes, columns=NOTE_COLUMNS),
        )
