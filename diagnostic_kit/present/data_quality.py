"""Section 8 in words: every input row accounted for, the findings, the files, the children left
out of a measure and the parameters, from ``measures.data_quality`` and the run's
data-quality record. Each function returns sentences a notebook may edit or drop.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit import __version__
from diagnostic_kit.present import narrative as nv

#: Under the table of rows read, used and excluded per file.
ROWS_NOTE = ("Rows are data rows: the header line is not counted. A row superseded by the same "
             "record in a later year's return is excluded from the earlier file.")
#: Under the table of the children each measure counts.
COVERAGE_NOTE = ("A measure marked as resting on under half of its children is named in the "
                 "summary: read its figure with care.")
#: Under the table of standards.
STANDARDS_NOTE = ("Local-practice defaults unless the params file overrides them; the basis "
                  "says where each comes from.")
#: Before the table of date formats.
DATE_FORMATS = ("The kit reads dates written dd/mm/yyyy, yyyy-mm-dd, either with a time, "
                "dd/mm/yy (00-68 as 20xx, 69-99 as 19xx) and Excel serial numbers; the formats "
                "found are below (each file's, in `tables.xlsx`).")


def accounting_sentence(read: int, used: int, excluded: int, files: int,
                        balanced: bool) -> str:
    """Rows read, used and excluded over every file, and whether every file balances."""
    return (
        f"The kit read {nv.plural(read, 'row')} from {nv.plural(files, 'file')}. "
        f"{nv.number(used)} {nv.verb(used)} used and {nv.number(excluded)} "
        f"{nv.verb(excluded)} excluded, each for the reason given below. For every file, rows "
        "read = rows used + rows excluded"
        + (" (checked for this run)." if balanced else ": **this check failed for this run**, "
           "which is a fault in the kit to report."))


def unused_files_sentence(unused: list[str]) -> str | None:
    """The files found beside the inputs that were not read, or None."""
    if not unused:
        return None
    return "Files found but not read: " + nv.plain_list(map(nv.escape, unused)) + "."


def findings_sentence(findings: pd.DataFrame, by_rule: pd.DataFrame) -> str:
    """How many findings under how many rules, and the most frequent."""
    if findings.empty:
        return "No validation rule found a problem in the inputs."
    top = by_rule.iloc[0]
    return (f"Validation found {nv.plural(len(findings), 'finding')} under "
            f"{nv.plural(len(by_rule), 'rule')}. The most frequent was *{top['What it means']}* "
            f"({nv.number(top['Findings'])}); the kit {top['What the kit did'].lower()}. "
            "A finding never stops the run: the table says what the kit did with each.")


def findings_list_intro(not_shown: pd.DataFrame, per_rule: int) -> str:
    """What the list of findings shows, and where the rest are."""
    return ("Each finding names the file and the row as a spreadsheet shows it (the header is "
            "row 1), so the LA can correct its source data. A value is shown only for code and "
            "number columns; identifiers, dates and free text are shown as (withheld)."
            + ("" if not_shown.empty else
               f" For each rule the first {nv.number(per_rule)} findings are listed; "
               "`data_quality.csv` beside this report has every one of them."))


def findings_list_title(not_shown: pd.DataFrame, per_rule: int) -> str:
    return ("Every validation finding" if not_shown.empty else
            f"Validation findings: the first {nv.number(per_rule)} of each rule")


def findings_list_note(not_shown: pd.DataFrame) -> str | None:
    """The rules with more findings than listed, and how many more."""
    more = "; ".join(f"{r.rule}: and {nv.number(r.more)} more" for r in not_shown.itertuples())
    return f"{more}: all are in data_quality.csv." if more else None


def dropped_sentence(dropped: pd.DataFrame) -> str:
    """Why columns were dropped on reading."""
    if dropped.empty:
        return "No column was dropped: every column read is in the kit's templates."
    return (f"{nv.plural(len(dropped), 'column')} {nv.verb(len(dropped))} dropped on reading, "
            "counted below by column (every file's are in `data_quality.csv`). The kit keeps "
            "only the columns in its templates, so personal data it does not need (names, "
            "UPNs, postcodes) never enters the analysis.")


def missing_sentence(missing: pd.DataFrame, template_hint: str) -> str:
    """The optional extracts not supplied, and how to add one."""
    if missing.empty:
        return "Every optional local extract was supplied."
    return (f"{nv.plural(len(missing), 'optional local extract')} {nv.verb(len(missing))} not "
            "supplied. The sections that use them say what they could not show. To add one, "
            f"fill the template named below (its columns are described in `{template_hint}`).")


def left_out_sentence(left_out: pd.DataFrame, adopted_n: int) -> str:
    """Whether any child adopted in the period is left out of a measure, and why that can be."""
    if left_out.empty:
        return (f"Each of the {nv.number(adopted_n)} children adopted in the period is in every "
                "stage and scorecard measure.")
    return (f"A child adopted in the period ({nv.number(adopted_n)} children) is left out of a "
            "measure only when a date the measure needs is missing or out of order; a negative "
            "stage is also listed among the findings above. Each measure's count of children "
            "in the report is net of these.")


def checksums_sentence(files: int) -> str:
    """What the checksums are for, and where they are (run.json, not the page)."""
    return (f"This report was produced by adoption-diagnostic version {__version__} from "
            f"{nv.plural(files, 'input file')}. The SHA-256 checksum of each file, in "
            "`run.json` beside this report, identifies exactly which data the report rests on: "
            "rerunning the same kit version on files with the same checksums gives the same "
            "report.")
