"""The local-extract templates and the data dictionary, generated from ``schema.py``.

``write_templates`` writes into ``data_templates/``:

- one CSV per local extract: the header row in schema column order and a few fictional example
  rows that are valid against the schema;
- ``data_dictionary.md``: every input table (SSDA903 and local) with its file, source, meaning,
  the report sections that use it, whether the file is required, and every column's type,
  required/optional, allowed values and meaning;
- ``data_dictionary.csv``: the same, one row per table column, for spreadsheet users;
- with ``adoption-diagnostic templates``, ``rules.csv``: every validation rule from the rule
  registry (``rules.catalogue_csv``), passed in by the command as a higher layer's file.

Headers, types, codes and meanings come from the schema only, so the templates, the dictionary
and the loader cannot drift apart; only the example rows are written here. Output is
deterministic (same bytes on every run, ``\\n`` line endings) so a test can compare the committed
files with a fresh run.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
from pathlib import Path

from diagnostic_kit import kit_files
from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.schema import (
    AUDIT_QUESTIONS,
    LOCAL_TABLES,
    SSDA903_TABLES,
    SSDA903_UNUSED,
    Column,
    Table,
)

TEMPLATES_DIR = kit_files.templates_dir()
DICTIONARY_MD = "data_dictionary.md"
DICTIONARY_CSV = "data_dictionary.csv"
DICTIONARY_CSV_COLUMNS = (
    "table", "file", "source", "column", "type", "required", "allowed_values", "meaning",
)

#: Code lists longer than this are listed below the column table instead of inside a cell.
INLINE_CODES_MAX = 8

# --- Example rows (fictional: no real child, family or worker) -----------------------------

_PLANS_EXAMPLES = [
    {"child": "CHILD001", "plan_date": "2024-02-14", "plan": "adoption",
     "source": "iro_recommendation", "sibling_group": "SIB01", "disabled": "no"},
    {"child": "CHILD001", "plan_date": "2024-04-02", "plan": "adoption", "source": "adm",
     "sibling_group": "SIB01", "disabled": "no", "match_date": "2024-11-18"},
    {"child": "CHILD002", "plan_date": "2024-02-14", "plan": "adoption",
     "source": "iro_recommendation", "sibling_group": "SIB01", "disabled": "no"},
    {"child": "CHILD003", "plan_date": "2024-07-08", "plan": "adoption",
     "source": "iro_recommendation", "disabled": "yes", "early_permanence_date": "2024-07-22"},
]

_HEALTH_EXAMPLES = [
    {"child": "CHILD001", "date_identified": "2023-11-20", "need": "developmental_delay",
     "severity": "moderate"},
    {"child": "CHILD003", "date_identified": "2024-06-03", "need": "neonatal_abstinence",
     "severity": "severe"},
    {"child": "CHILD003", "date_identified": "2024-09-16", "need": "genetic_condition"},
]

_ADOPTERS_EXAMPLES = [
    {"household_id": "HH001", "household_type": "couple", "ethnicity": "WBRI",
     "ffa_approved": "yes", "fast_track": "no", "recruited_by": "la",
     "enquiry_date": "2023-09-04", "roi_date": "2023-09-18", "stage1_start": "2023-09-25",
     "stage1_end": "2023-11-20", "stage2_start": "2023-11-27", "stage2_end": "2024-03-22",
     "approval_date": "2024-04-15", "match_date": "2024-11-18", "placement_date": "2024-12-09",
     "children_placed": "2", "ao_date": "2025-06-30"},
    # Fast track (previous adopter): no stage 1.
    {"household_id": "HH002", "household_type": "single", "ethnicity": "BCRB",
     "ffa_approved": "no", "fast_track": "yes", "recruited_by": "la",
     "enquiry_date": "2024-05-13", "roi_date": "2024-05-20", "stage2_start": "2024-05-28",
     "stage2_end": "2024-09-20", "approval_date": "2024-10-14"},
    {"household_id": "HH003", "household_type": "couple", "ethnicity": "MWBC",
     "ffa_approved": "no", "fast_track": "no", "recruited_by": "agency",
     "enquiry_date": "2024-01-08", "roi_date": "2024-01-22", "stage1_start": "2024-02-05",
     "left_date": "2024-03-11", "left_reason": "withdrew"},
]

_STAFFING_EXAMPLES = [
    {"financial_year": "2024-25", "team": "recruitment_assessment", "role": "social worker",
     "fte": "3.0"},
    {"financial_year": "2024-25", "team": "family_finding", "role": "senior practitioner",
     "fte": "1.5"},
    {"financial_year": "2024-25", "team": "management", "role": "team manager", "fte": "1.0"},
    {"financial_year": "2024-25", "team": "business_support", "role": "administrator",
     "fte": "0.6"},
]

_COSTS_EXAMPLES = [
    # Purpose blank: staff costs are split by the staffing file's FTE of each team.
    {"financial_year": "2024-25", "category": "staff", "amount": "412500", "income": "no"},
    {"financial_year": "2024-25", "category": "interagency_fees_paid", "purpose": "placing",
     "amount": "54000", "income": "no"},
    {"financial_year": "2024-25", "category": "adoption_allowances", "purpose": "support",
     "amount": "38750", "income": "no"},
    # Income: interagency fees received for a child placed with another agency's adopters.
    {"financial_year": "2024-25", "category": "interagency_fees_received", "purpose": "placing",
     "amount": "27000", "income": "yes"},
]

# Figures to copy from the publication itself (LG Inform, the ASGLB data, DfE's tables): these
# rows show the layout only.
_COMPARATORS_EXAMPLES = [
    {"measure": "a1_mean_days", "area": "statistical neighbours", "value": "455",
     "period": "2021-24 (three-year average)",
     "source": "LG Inform, adoption scorecard (example row: replace with the published figure)"},
    {"measure": "adopted_share_of_leavers_pct", "area": "South West", "value": "10",
     "period": "year ending 31 March 2025",
     "source": "DfE, Children looked after in England including adoptions (example row)"},
]

# One (answer, comment) per audit question, q1 to q13, for each example form.
_AUDIT_ANSWERS: dict[str, list[tuple[str, str]]] = {
    "AUD-2025-001": [
        ("yes", "The referral set out the support the family had received since the adoption "
                "order and attached the previous adoption support plan."),
        ("yes", "The assessment was completed within timescale; the analysis is clear and the "
                "child's views were gathered in two direct-work sessions."),
        ("partly", "The plan lists therapeutic parenting support and an application to the "
                   "Adoption Support Fund, but two actions have no target dates."),
        ("not_applicable", "No family plan has been refused or reviewed yet, as this is a new "
                           "case."),
        ("yes", "The child's wishes and feelings are recorded in their own words and shaped the "
                "choice of therapy."),
        ("yes", "Both adoptive parents contributed to the assessment and their views are "
                "reflected in the plan."),
        ("yes", "Supervision notes show the manager agreed the plan and set a date to review "
                "progress."),
        ("yes", "Case notes are up to date and clearly written; the chronology is current."),
        ("partly", "The child's heritage is noted, but the plan does not say how life-story "
                   "work will address identity."),
        ("yes", "A safety plan is in place and the school has been involved appropriately."),
        ("yes", "School attendance has improved since support started and the parents report "
                "fewer crises at home."),
        ("yes", "Direct work with the child was creative and well recorded."),
        ("not_applicable", "This is not a closure audit."),
    ],
    "AUD-2025-002": [
        ("yes", "The referral was timely and included the support plan agreed at the time of "
                "placement."),
        ("partly", "The assessment is complete but the analysis repeats the history and does "
                   "not weigh the risks."),
        ("no", "The plan has not been updated since the last audit and has no timescales."),
        ("partly", "The plan was reviewed, but later than the timescale expected for children "
                   "in need."),
        ("no", "There is no record of the child being seen alone or of their wishes and "
               "feelings since the last audit."),
        ("partly", "The adoptive parents' views are recorded, but not how they changed the "
                   "plan."),
        ("no", "There is no recorded supervision of this case in the last four months."),
        ("partly", "Recording is two months behind and several visits have no case note."),
        ("partly", "Disability is considered; faith and identity are not mentioned."),
        ("yes", "The child is safe at home and the school reports no concerns."),
        ("partly", "Family relationships have improved a little, but drift in the plan puts "
                   "this at risk."),
        ("yes", "The worker has kept in regular contact with the family during a difficult "
                "period."),
        ("not_applicable", "This is not a closure audit."),
    ],
    "AUD-2025-003": [
        ("yes", "The referral was made promptly after the family asked for help and included "
                "the placing authority's support plan."),
        ("yes", "The assessment is thorough, uses signs of safety well and the analysis leads "
                "clearly to the plan."),
        ("yes", "Each support action had an owner and a date, and the plan was reviewed on "
                "time."),
        ("yes", "The plan was reviewed at three and six months with a clear reason for "
                "continuing support."),
        ("yes", "The young person's views were sought at every review and they chose how the "
                "ending of support was managed."),
        ("yes", "The adoptive parents' views are recorded at each review and changed the "
                "timing of the therapy sessions."),
        ("yes", "Management oversight is evident at each key decision, including the decision "
                "to close."),
        ("yes", "Recording is up to date, concise and written to the young person."),
        ("yes", "The plan addressed the young person's questions about their heritage through "
                "life-story work."),
        ("yes", "Risks were reviewed at each visit and no concerns remain at closure."),
        ("yes", "The young person has settled at college and the family reports that "
                "relationships at home are much stronger."),
        ("yes", "Sensitive life-story work helped the young person understand their history."),
        ("yes", "The closure summary sets out how each need was met and confirms the adoption "
                "support plan was reviewed and updated, with the family told how to ask for "
                "help again."),
    ],
}

_AUDIT_FORMS = [
    {"audit_id": "AUD-2025-001", "case_ref": "ICS100231", "team": "adoption support",
     "worker_ref": "W014", "worker_role": "social worker", "auditor_ref": "A03",
     "category": "adoptive support", "audit_reason": "within_60_days",
     "case_start_date": "2024-11-04", "date_audited": "2025-01-20",
     "good_practice": "Creative direct work with the child, recorded in the child's own words.",
     "overall_grade": "good", "score": "8", "response_date": "2025-01-24"},
    {"audit_id": "AUD-2025-002", "case_ref": "ICS100587", "team": "adoption support",
     "worker_ref": "W022", "worker_role": "social worker", "auditor_ref": "A03",
     "category": "adoptive support", "audit_reason": "six_monthly",
     "case_start_date": "2023-05-15", "previous_audit_date": "2024-07-15",
     "date_audited": "2025-01-13",
     "good_practice": "Regular contact kept the adoptive parents engaged during a difficult "
                      "period.",
     "restorative_actions": "Social worker to see the child alone and record their wishes and "
                            "feelings by 2025-02-14; team manager to agree an updated plan with "
                            "timescales in supervision by 2025-02-14.",
     "action_due_date": "2025-02-14",
     "overall_grade": "requires_improvement", "score": "5", "response_date": "2025-01-17"},
    {"audit_id": "AUD-2025-003", "case_ref": "ICS099874", "team": "adoption support",
     "worker_ref": "W031", "worker_role": "senior practitioner", "auditor_ref": "A05",
     "category": "adoptive support", "audit_reason": "closure",
     "case_start_date": "2023-09-11", "closure_date": "2025-02-28",
     "previous_audit_date": "2024-09-02", "date_audited": "2025-03-10",
     "good_practice": "Sensitive life-story work and a well-planned ending agreed with the "
                      "young person.",
     "overall_grade": "outstanding", "score": "9", "response_date": "2025-03-12"},
]


def _audit_examples() -> list[dict[str, str]]:
    """The example audit forms with their 13 answers and comments filled in."""
    rows = []
    for form in _AUDIT_FORMS:
        answers = _AUDIT_ANSWERS[form["audit_id"]]
        assert len(answers) == AUDIT_QUESTIONS
        row = dict(form)
        for i, (answer, comment) in enumerate(answers, start=1):
            row[f"q{i}"] = answer
            row[f"q{i}_comment"] = comment
        rows.append(row)
    return rows


#: Example rows per local extract, by column name; a column left out is blank.
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "permanence_plans": _PLANS_EXAMPLES,
    "health_needs": _HEALTH_EXAMPLES,
    "adopters": _ADOPTERS_EXAMPLES,
    "staffing": _STAFFING_EXAMPLES,
    "costs": _COSTS_EXAMPLES,
    "case_audits": _audit_examples(),
    "comparators": _COMPARATORS_EXAMPLES,
}

# --- Plain-words descriptions --------------------------------------------------------------

_SOURCE_WORDS = {"903": "SSDA903", "local": "local extract"}


def kind_words(col: Column, table: Table) -> str:
    """A column's type in plain words, with the accepted formats."""
    if col.kind == "date":
        if table.source == "903":
            return "date, dd/mm/yyyy (yyyy-mm-dd also accepted)"
        return "date, yyyy-mm-dd or dd/mm/yyyy"
    if col.kind == "code":
        if table.source == "903":
            return "code (upper or lower case)"
        return "choice (case, spaces and hyphens ignored)"
    return {
        "id": "identifier (text; leading zeros kept)",
        "int": "whole number",
        "number": "number (decimals allowed)",
        "money": "amount in pounds (e.g. 12500 or £12,500)",
        "bool": "yes/no (also y/n, true/false, 1/0)",
        "text": "free text",
    }[col.kind]


def allowed_words(col: Column, *, markdown: bool, table: str = "") -> str:
    """All allowed values of a column, with labels where the schema has them, and the
    collection years a code is valid in where that changed (``codes.CHANGES``: "M (from
    2024-25)").

    Codes sharing a label (the ethnicity codes share their report group) are grouped under it,
    so the list stays short and complete.
    """
    def c(code: str) -> str:
        when = codes.years_words(table, col.name, code) if table else ""
        shown = f"`{code}`" if markdown else code
        return f"{shown} ({when})" if when else shown

    if col.kind == "bool":
        return "yes, no"
    if col.kind != "code":
        return ""
    if not col.allowed:
        return "any code (not checked by the kit)"
    if not col.labels:
        return ", ".join(c(v) for v in col.allowed)
    groups: dict[str, list[str]] = {}
    for code in col.allowed:
        groups.setdefault(col.labels.get(code, ""), []).append(code)
    if len(groups) < len(col.allowed):
        return "; ".join(f"{label}: {', '.join(c(v) for v in vs)}" for label, vs in groups.items())
    sep = " " if markdown else " = "
    return "; ".join(
        f"{c(v)}{sep}{col.labels[v]}" if v in col.labels else c(v) for v in col.allowed
    )


def _listed_below(col: Column) -> bool:
    """Long code lists with one label each go below the column table in the Markdown."""
    if col.kind != "code" or not col.allowed or not col.labels:
        return False
    return len(col.allowed) > INLINE_CODES_MAX and len(set(col.labels.values())) == len(col.labels)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- Writers -------------------------------------------------------------------------------


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def _check_examples(table: Table, rows: list[dict[str, str]]) -> None:
    """Stop generation if the examples no longer fit the schema (a renamed or new column)."""
    names = set(table.column_names)
    for row in rows:
        unknown = set(row) - names
        if unknown:
            raise ValueError(f"example for {table.file} has columns not in the schema: {unknown}")
        blank = [c for c in table.required_columns if not row.get(c)]
        if blank:
            raise ValueError(f"example for {table.file} leaves required columns blank: {blank}")
        for col in table.columns:
            value = row.get(col.name, "")
            if value and col.kind == "code" and col.allowed and value not in col.allowed:
                raise ValueError(f"example for {table.file}: {value!r} not allowed in {col.name}")


def template_csv(table: Table) -> str:
    """The template of one local extract: header row and example rows."""
    rows = EXAMPLES[table.name]
    _check_examples(table, rows)
    return _csv_text(
        [table.column_names, *([row.get(c, "") for c in table.column_names] for row in rows)]
    )


_INTRO = """\
# Data dictionary

Generated from `diagnostic_kit/schema.py` by `adoption-diagnostic templates`: do not edit by
hand. Step-by-step guidance is in `docs/bringing-your-own-data.md`.

## How to use the templates

- **SSDA903 files** go in as the LA already holds them: one folder per collection year, named
  `2023-24` (or `2023_24`, or the ending year `2024`), with the lower-case file names the
  open-source 903 tools use (`header.csv`, `episodes.csv`, ...). Files already combined across
  years may sit directly in `903/`. The kit combines the years, drops exact duplicates, and keeps
  the later year's copy of a record reported twice.
- **Local extracts** go in `local/`, one CSV per template in this folder: copy the template, keep
  its header row, replace the example rows with the LA's data. Every local extract is optional:
  the report section that needs a missing one says which template to fill.
- Layout, under the `data_dir` named in the LA's params file:

  ```
  <data_dir>/903/2023-24/header.csv, episodes.csv, ...
  <data_dir>/903/2024-25/header.csv, episodes.csv, ...
  <data_dir>/local/permanence_plans.csv, health_needs.csv, adopters.csv, staffing.csv,
                   costs.csv, case_audits.csv
  ```

- Files are CSV, encoded as UTF-8 (with or without BOM) or Windows-1252 (what Excel writes).
- **Required** column: must be in the file (the run stops with a message naming the file and
  column otherwise); a blank value is reported as a data-quality finding, and a row without its
  identifier or a required date is left out. **Optional** column: may be left blank or left
  out. A required *file* missing stops the run; any other file missing is named in the report.
- Choices in local extracts ignore case, spaces and hyphens: `IRO recommendation` reads as
  `iro_recommendation`. 903 codes ignore case.
- Column names ignore case. Columns not listed here are dropped when the file is read, and
  reported in the data-quality section; 903 columns that hold personal data the kit does not
  need (UPN, the mother's details, postcodes, URN) are dropped on purpose.
- Identifiers (child, case, worker, auditor, household) are the LA's own; the kit pseudonymises
  them in every rendered output. **Never add names** (of children, family members, adopters or
  staff) to any file: the templates have no column for them.
"""


def _table_summary_rows() -> list[str]:
    lines = ["| file | source | required file | used by | what it is |",
             "| --- | --- | --- | --- | --- |"]
    for t in (*SSDA903_TABLES, *LOCAL_TABLES):
        lines.append(
            f"| `{t.file}` | {_SOURCE_WORDS[t.source]} | {'yes' if t.required_file else 'no'} "
            f"| {', '.join(t.used_by) or 'none'} | {_md_cell(t.meaning)} |"
        )
    return lines


def _table_section(t: Table) -> list[str]:
    where = f"`903/<year>/{t.file}`" if t.source == "903" else f"`local/{t.file}`"
    if t.source == "903":
        source = "SSDA903 return (DfE column names and codes, as the LA already holds them)"
    else:
        source = f"local extract: fill `data_templates/{t.file}` from the LA's own systems"
    if t.required_file:
        required = "yes: the run stops with a message if it is missing"
    else:
        required = "no: the sections that use it say what is missing"
    used_by = ", ".join(t.used_by) or "none (section 8 accounts for every table)"
    lines = [
        f"### {t.name}",
        "",
        f"- File: {where}",
        f"- Source: {source}",
        f"- What it is: {t.meaning}",
        f"- Used by report sections: {used_by}",
        f"- File required: {required}",
    ]
    if t.key:
        repeat = "a repeat in one file is reported as a duplicate and left out"
        if t.source == "903":
            repeat += "; across collection years the later return's copy is used"
        lines.append(f"- One record per: {', '.join(t.key)} ({repeat})")
    if t.source == "903":
        dropped = ", ".join(f"`{c}`" for c in t.drop) if t.drop else "none"
        lines.append(
            f"- Dropped on purpose (personal data the kit does not need): {dropped}. Any other "
            "column not listed below is dropped too and reported."
        )
    lines += [
        "",
        "| column | type | required | allowed values | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    below = []
    for col in t.columns:
        if _listed_below(col):
            allowed = f"{len(col.allowed or ())} codes, listed below"
            below.append(col)
        else:
            allowed = allowed_words(col, markdown=True, table=t.name)
        lines.append(
            f"| `{col.name}` | {kind_words(col, t)} | "
            f"{'required' if col.required else 'optional'} | {_md_cell(allowed)} | "
            f"{_md_cell(col.meaning)} |"
        )
    for col in below:
        lines += ["", f"`{col.name}` codes:", ""]
        lines += [f"- `{code}` {(col.labels or {})[code]}"
                  + (f" ({when})" if (when := codes.years_words(t.name, col.name, code)) else "")
                  for code in col.allowed or ()]
    lines.append("")
    return lines


def dictionary_md() -> str:
    """The data dictionary as Markdown: every table and every column."""
    lines = [_INTRO, "## Tables", "", *_table_summary_rows(), ""]
    unused = ", ".join(f"`{n}.csv`" for n in SSDA903_UNUSED)
    lines += [
        "Other 903 files (" + unused + ") may be left in the folders: they are listed as present "
        "but not used.",
        "",
        "## SSDA903 tables",
        "",
    ]
    for t in SSDA903_TABLES:
        lines += _table_section(t)
    lines += ["## Local extracts", ""]
    for t in LOCAL_TABLES:
        lines += _table_section(t)
    return "\n".join(lines).rstrip("\n") + "\n"


def dictionary_csv() -> str:
    """The data dictionary as CSV, one row per column of every table."""
    rows = [list(DICTIONARY_CSV_COLUMNS)]
    for t in (*SSDA903_TABLES, *LOCAL_TABLES):
        for col in t.columns:
            rows.append([
                t.name, t.file, _SOURCE_WORDS[t.source], col.name, kind_words(col, t),
                "required" if col.required else "optional",
                allowed_words(col, markdown=False, table=t.name), col.meaning,
            ])
    return _csv_text(rows)


def generated_files(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Every generated file's name and text, in writing order. ``extra``: files generated by a
    higher layer, written beside them (``run.cli`` passes the rule catalogue,
    ``rules.CATALOGUE_FILE``, which this layer cannot build: the rules sit above it)."""
    files = {t.file: template_csv(t) for t in LOCAL_TABLES}
    files[DICTIONARY_MD] = dictionary_md()
    files[DICTIONARY_CSV] = dictionary_csv()
    files.update(extra or {})
    return files


def write_templates(out_dir: Path, extra: dict[str, str] | None = None) -> list[Path]:
    """Write the local-extract templates and the data dictionary (and ``extra``, see
    :func:`generated_files`) into ``out_dir``.

    Files are UTF-8 with ``\\n`` line endings, identical on every run. The dictionary CSV
    starts with a BOM so that Excel shows its £ signs correctly; the templates are plain ASCII.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in generated_files(extra).items():
        path = out_dir / name
        path.write_bytes(text.encode("utf-8-sig" if name == DICTIONARY_CSV else "utf-8"))
        written.append(path)
    return written


def main(argv: list[str] | None = None, extra: dict[str, str] | None = None) -> int:
    """``adoption-diagnostic templates [--out DIR] [--check]`` (``extra``: see
    :func:`generated_files`)."""
    parser = argparse.ArgumentParser(
        prog="adoption-diagnostic templates",
        description="Write the local-extract templates and the data dictionary.",
    )
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR,
                        help="folder to write into (default: the project's data_templates/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the folder differs from a fresh run")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            stale = [
                p.name for p in write_templates(Path(tmp), extra)
                if not (args.out / p.name).is_file()
                or (args.out / p.name).read_bytes() != p.read_bytes()
            ]
        if stale:
            print(f"Out of date in {args.out}: {', '.join(stale)}; run "
                  "`adoption-diagnostic templates` to regenerate.", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date.")
        return 0
    for path in write_templates(args.out, extra):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

