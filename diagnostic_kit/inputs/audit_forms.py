"""Completed adoption-support audit forms (Word ``.docx``) read into ``case_audits.csv`` rows.

The form is the LA's quality audit form (the seed form): tables of label cells, each followed by
the cell the auditor fills in. The reader walks every table row left to right; a cell whose text
is a known label takes the next cell as its value:

- header fields: NATURE OF AUDIT, AUDIT REFERENCE (else the file's name is the audit_id), ICS
  NUMBER, TEAM, WORKER, WORKER ROLE, DATE AUDITED, NAME & DESIGNATION OF AUDITOR, CATEGORY OF
  CASE, and the dates the kit needs that the paper form leaves to the case system (DATE CASE
  MOVED TO SERVICE, DATE OF CLOSURE, DATE OF PREVIOUS AUDIT);
- each question ``N. ...`` with its answer (yes, partly, no, n/a) and ``N COMMENT`` with its
  comment; question 12's comment is also the good practice observed;
- RESTORATIVE ACTIONS REQUIRED, ACTIONS DUE BY, DATE ACTIONS COMPLETED;
- the overall grade: after OVERALL GRADING, the grade row whose mark cell is filled (an X, a
  tick, any text; an empty box ☐ is not a mark); SCORE: a whole number from 1 to 10;
- DATE AUDIT RESPONSE ENTERED.

It never guesses. A form whose overall grade or score cannot be read (no grade marked, two
marked, no score, a score that is not a whole number from 1 to 10) is not read: it is listed
with the reason and left out. Any other field that cannot be read is left blank and noted. The
child's name and date of birth are never read: the cell after such a label is skipped unread.
Worker and auditor fields are kept when they are identifiers (``W012``, ``QA03``); a name is
replaced by a reference derived from it (``ref-3f2a91c0``), so no name reaches the CSV.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from diagnostic_kit.inputs import archives
from diagnostic_kit.inputs.schema import AUDIT_QUESTIONS, CASE_AUDITS

#: Labels whose value is never read.
FORBIDDEN_LABELS = ("CHILD'S NAME", "CHILDS NAME", "CHILD NAME", "FAMILY NAME", "DATE OF BIRTH",
                    "DOB")
#: Field labels (normalised: upper case, single spaces, no trailing colon) → column.
FIELD_LABELS: dict[str, str] = {
    "AUDIT REFERENCE": "audit_id",
    "AUDIT ID": "audit_id",
    "ICS NUMBER": "case_ref",
    "CASE REFERENCE": "case_ref",
    "NATURE OF AUDIT": "audit_reason",
    "TEAM": "team",
    "WORKER": "worker_ref",
    "WORKER ROLE": "worker_role",
    "DATE AUDITED": "date_audited",
    "NAME & DESIGNATION OF AUDITOR": "auditor_ref",
    "AUDITOR": "auditor_ref",
    "CATEGORY OF CASE": "category",
    "DATE CASE MOVED TO SERVICE": "case_start_date",
    "DATE OF CLOSURE": "closure_date",
    "DATE OF PREVIOUS AUDIT": "previous_audit_date",
    "ACTIONS DUE BY": "action_due_date",
    "DATE ACTIONS COMPLETED": "actions_completed_date",
    "SCORE": "score",
    "SCORE (1-10)": "score",
    "JUDGEMENT SCORE": "score",
    "DATE AUDIT RESPONSE ENTERED": "response_date",
    "DATE AUDIT RESPONSE ENTERED ON ICS": "response_date",
}
#: Labels matched by their start (the form's long labels carry guidance after them).
PREFIX_LABELS: dict[str, str] = {"RESTORATIVE ACTIONS REQUIRED": "restorative_actions"}
GRADING_LABEL = "OVERALL GRADING"
GRADE_ROWS = {"OUTSTANDING": "outstanding", "GOOD": "good",
              "REQUIRES IMPROVEMENT": "requires_improvement", "INADEQUATE": "inadequate"}
NOT_A_MARK = {"", "☐", "□", "[ ]", "[]", "-", "–", "NO"}
DATE_FIELDS = ("date_audited", "case_start_date", "closure_date", "previous_audit_date",
               "action_due_date", "actions_completed_date", "response_date")
PEOPLE_FIELDS = ("worker_ref", "auditor_ref")

#: The form's own question texts (the seed form), for writing forms (synth, tests).
QUESTIONS: dict[int, str] = {
    1: "Has the referral request for assessment been made in a timely and appropriate manner "
       "with all relevant information provided?",
    2: "Has assessment been completed with expected standard?",
    3: "Is the plan for the family clear with specified timescales?",
    4: "Where relevant has a family plan been refused/reviewed N.B. same timescales as CIN and "
       "to expected standard?",
    5: "Have the wishes and feelings of any child/children within the household been sought, "
       "recorded and acted upon where possible?",
    6: "Have the views of the involved cares and wider family been sought, recorded and used to "
       "influence the plan or refresh of plan?",
    7: "Is management oversight/supervision of staff/decision making evident within the "
       "record?",
    8: "Is the recording up to date, succinct and clear?",
    9: "Is there evidence of consideration and impact of age/disability/faith/belief/gender/"
       "identity/language/race and sexual orientation?",
    10: "Is the child/are the children of the household being protected and their interests "
        "promoted?",
    11: "In reviewing the record do you consider that the life chances of any child or children "
        "are being improved?",
    12: "Please describe good practice you have observed",
    13: "FOR CLOSURE: Is there a closure summary? Does it identify how needs were met? Has "
        "support been passed elsewhere? Is there a clear rationale for closure, is adoption "
        "support plan still in place (reviewed and updated?)",
}
REASON_TEXT = {"within_60_days": "Within 60 working days of case moving to service",
               "closure": "At closure", "six_monthly": "6 monthly from last audit"}
TEMPLATE_REASON = ("Within 60 working days of case moving to service/at closure/and 6 monthly "
                   "from last audit.")

_QUESTION = re.compile(r"^(\d{1,2})\.\s")
_COMMENT = re.compile(r"^(\d{1,2}) COMMENT$")
_SCORE = re.compile(r"^(\d{1,2})(?:\s*/\s*10)?$")
_IDENT = re.compile(r"^[A-Za-z]{0,5}[-_]?\d{1,8}$")


@dataclass
class ImportResult:
    """What :func:`read_forms` found."""

    #: One row per form read, columns as ``case_audits.csv``.
    rows: pd.DataFrame
    #: ``(file, reason)`` for each form left out.
    not_read: list[tuple[str, str]] = field(default_factory=list)
    #: ``(file, note)``: fields left blank in forms that were read.
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def read(self) -> int:
        return len(self.rows)


class FormNotRead(ValueError):
    """The form's grade or score cannot be read; the message is the reason."""


def norm_label(text: str) -> str:
    """``"  Date audited: "`` → ``"DATE AUDITED"``; whitespace collapsed, a trailing colon
    dropped, curly apostrophes straightened."""
    t = re.sub(r"\s+", " ", text.replace("’", "'")).strip().upper()
    return t.rstrip(":").strip()


def _forbidden(label: str) -> bool:
    return any(label.startswith(f) or f"/{f}" in label for f in FORBIDDEN_LABELS) or \
        "DATE OF BIRTH" in label


def _cells(row) -> list:
    """A row's distinct cells (a merged cell appears once)."""
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        out.append(cell)
    return out


def _text(cell) -> str:
    """A cell's text, leaving out struck-through runs (an auditor may strike out the options
    that do not apply)."""
    parts = []
    for p in cell.paragraphs:
        runs = [r.text for r in p.runs if not r.font.strike]
        parts.append("".join(runs) if p.runs else p.text)
    return "\n".join(parts).strip()


def _pairs(doc) -> Iterator[tuple[int, int, str, str]]:
    """``(table number, cell number, label, value)`` for every label cell and the cell after
    it. The cell after a forbidden label (the child's name, date of birth) is skipped without
    being read."""
    for t_no, table in enumerate(doc.tables):
        for row in table.rows:
            cells = _cells(row)
            i = 0
            while i < len(cells):
                label = norm_label(_text(cells[i]).split("\n")[0]) if cells[i] else ""
                if _forbidden(label):
                    i += 2
                    continue
                value = _text(cells[i + 1]) if i + 1 < len(cells) else ""
                yield t_no, i, label, value
                i += 1


def _answer(text: str) -> str | None:
    t = re.sub(r"[^a-z/]", "", text.lower())
    if t in ("yes", "y", "✓"):
        return "yes"
    if t in ("partly", "partially", "part", "inpart"):
        return "partly"
    if t in ("no", "n"):
        return "no"
    if t in ("na", "n/a", "notapplicable"):
        return "not_applicable"
    return None


def _reason(text: str) -> str | None:
    t = text.lower()
    found = set()
    if "closure" in t:
        found.add("closure")
    if re.search(r"\b(6|six)[ -]?month", t):
        found.add("six_monthly")
    if "60" in t or "sixty" in t:
        found.add("within_60_days")
    return found.pop() if len(found) == 1 else None


def _date(text: str) -> str | None:
    t = text.strip()
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y",
                "%d %b %Y"):
        try:
            return pd.to_datetime(t, format=fmt).date().isoformat()
        except (ValueError, TypeError):
            continue
    return None


def reference(text: str, prefix: str = "ref") -> str:
    """A worker or auditor field as kept: an identifier as written, a name as a reference
    derived from it (the same name gives the same reference)."""
    t = re.sub(r"\s+", " ", text).strip()
    if _IDENT.match(t):
        return t
    return f"{prefix}-{hashlib.sha256(t.lower().encode()).hexdigest()[:8]}"


def read_form(path: Path) -> tuple[dict[str, str], list[str]]:
    """One form's row (column → text, ISO dates) and its notes; raises :class:`FormNotRead`
    when the grade or score cannot be read, or the file is not a Word form."""
    import docx  # python-docx; imported here so that the kit imports fast

    refused = archives.too_large(path, archives.FORM_LIMIT)
    if refused == archives.NOT_ZIP:
        raise FormNotRead("not a Word .docx file (it cannot be opened)")
    if refused:
        raise FormNotRead(f"not read: {refused}")
    try:
        doc = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - any failure to open is the same finding
        raise FormNotRead("not a Word .docx file (it cannot be opened)") from exc
    row: dict[str, str] = {}
    notes: list[str] = []
    raw: dict[str, str] = {}
    grading_table: int | None = None
    marks: dict[str, str] = {}
    for t_no, pos, label, value in _pairs(doc):
        if label.startswith(GRADING_LABEL):
            grading_table = t_no
            continue
        if grading_table == t_no and pos == 0 and label in GRADE_ROWS:
            marks[GRADE_ROWS[label]] = value
            continue
        m = _QUESTION.match(label) if pos == 0 else None
        if m and 1 <= int(m.group(1)) <= AUDIT_QUESTIONS:
            raw.setdefault(f"q{int(m.group(1))}", value)
            continue
        m = _COMMENT.match(label) if pos == 0 else None
        if m and 1 <= int(m.group(1)) <= AUDIT_QUESTIONS:
            raw.setdefault(f"q{int(m.group(1))}_comment", value)
            continue
        col = FIELD_LABELS.get(label) or next(
            (c for p, c in PREFIX_LABELS.items() if label.startswith(p)), None)
        if col:
            raw.setdefault(col, value)

    # The overall grade and the score: read exactly, or the form is not read.
    if grading_table is None:
        raise FormNotRead("the form has no OVERALL GRADING section")
    marked = [g for g in GRADE_ROWS.values()
              if norm_label(marks.get(g, "")) not in NOT_A_MARK]
    if not marked:
        raise FormNotRead("no overall grade is marked")
    if len(marked) > 1:
        names = ", ".join(g.replace("_", " ") for g in marked)
        raise FormNotRead(f"more than one overall grade is marked ({names})")
    if "score" not in raw:
        raise FormNotRead("the form has no SCORE field")
    score_text = raw["score"].strip()
    m = _SCORE.match(score_text)
    if not score_text:
        raise FormNotRead("the score is blank")
    if not m:
        raise FormNotRead(f"the score '{score_text[:20]}' is not a whole number from 1 to 10")
    if not 1 <= int(m.group(1)) <= 10:
        raise FormNotRead(f"the score {int(m.group(1))} is outside 1 to 10")
    row["overall_grade"] = marked[0]
    row["score"] = str(int(m.group(1)))

    row["audit_id"] = raw.get("audit_id", "").strip() or path.stem
    row["case_ref"] = raw.get("case_ref", "").strip()
    if not row["case_ref"]:
        notes.append("no ICS number")
    reason = _reason(raw.get("audit_reason", ""))
    if reason is None:
        notes.append("the nature of the audit (within 60 days, six-monthly or closure) is not "
                      "clear: left blank")
    row["audit_reason"] = reason or ""
    for col in ("team", "worker_role", "category"):
        row[col] = re.sub(r"\s+", " ", raw.get(col, "")).strip().lower()
    for col, prefix in zip(PEOPLE_FIELDS, ("W", "A"), strict=True):
        row[col] = reference(raw[col], prefix) if raw.get(col, "").strip() else ""
    for col in DATE_FIELDS:
        text = raw.get(col, "").strip()
        iso = _date(text) if text else None
        if text and iso is None:
            notes.append(f"{col.replace('_', ' ')} '{text[:20]}' is not a date: left blank")
        row[col] = iso or ""
    for i in range(1, AUDIT_QUESTIONS + 1):
        text = raw.get(f"q{i}", "").strip()
        ans = _answer(text) if text else None
        if text and ans is None:
            notes.append(f"the answer to question {i} ('{text[:20]}') is not yes, partly, no "
                         "or n/a: left blank")
        row[f"q{i}"] = ans or ""
        row[f"q{i}_comment"] = raw.get(f"q{i}_comment", "").strip()
    row["good_practice"] = row["q12_comment"]
    row["restorative_actions"] = raw.get("restorative_actions", "").strip()
    return row, notes


def form_files(paths: Iterable[str | Path]) -> list[Path]:
    """The ``.docx`` files named, and those directly inside each folder named (sorted; Word's
    ``~$`` lock files left out)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() == ".docx"
                          and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


def read_forms(paths: Iterable[str | Path]) -> ImportResult:
    """Read every form; the rows in ``case_audits.csv`` column order."""
    rows, not_read, notes = [], [], []
    for path in form_files(paths):
        if not path.is_file():
            not_read.append((str(path), "no such file"))
            continue
        try:
            row, form_notes = read_form(path)
        except FormNotRead as exc:
            not_read.append((str(path), str(exc)))
            continue
        rows.append(row)
        notes += [(str(path), n) for n in form_notes]
    df = pd.DataFrame(rows, columns=CASE_AUDITS.column_names).fillna("")
    dup = df["audit_id"].duplicated(keep=False)
    for aid in sorted(set(df.loc[dup, "audit_id"])):
        notes.append(("", f"audit reference {aid} appears on more than one form"))
    return ImportResult(df, not_read, notes)
