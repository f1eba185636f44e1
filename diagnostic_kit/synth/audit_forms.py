"""A handful of the synthetic LA's audits as filled-in Word forms (``local/audit_forms/``).

The forms are laid out like the LA's adoption-support audit form (the seed form), filled in from
the first rows of the synthetic ``case_audits.csv``, so that ``adoption-diagnostic audits
import`` has real ``.docx`` files to read. Some are imperfect on purpose, as real forms are:

| file | what is wrong | what the import does |
| --- | --- | --- |
| ``audit_01.docx`` … ``audit_03.docx`` | nothing | read |
| ``audit_04.docx`` | no overall grade marked | left out, with the reason |
| ``audit_05.docx`` | two grades marked | left out, with the reason |
| ``audit_06.docx`` | the score not a plain number ("about 6") | left out, with the reason |
| ``audit_07.docx`` | the nature of audit left as the template's text | read, reason left blank |

The child's name and date of birth boxes hold an obviously fictional placeholder, which the
import must never read. The files are byte-identical for the same seed (fixed zip timestamps and
document properties).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd

from diagnostic_kit.inputs import audit_forms as af
from diagnostic_kit.inputs.schema import AUDIT_QUESTIONS

FOLDER = "local/audit_forms"
#: Placeholders in the child's name and date of birth boxes (never read by the import).
CHILD_NAME_PLACEHOLDER = "FICTIONAL-CHILD-NAME"
CHILD_DOB_PLACEHOLDER = "29/02/2016"
_FIXED = dt.datetime(2026, 1, 1)
_ANSWER_TEXT = {"yes": "Yes", "partly": "Partly", "no": "No", "not_applicable": "N/A"}
_GRADE_TEXT = {v: k for k, v in af.GRADE_ROWS.items()}
#: Per form (1-based), what is done to it: see the module docstring.
DEFECTS = {4: "no_grade", 5: "two_grades", 6: "score_word", 7: "template_reason"}
N_FORMS = 7


def _d(iso: str) -> str:
    """An ISO date as the form shows it (dd/mm/yyyy); blank stays blank."""
    return "" if not iso else dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _add_rows(table, rows: list[list[str]]) -> None:
    for cells in rows:
        r = table.add_row()
        for i, text in enumerate(cells):
            r.cells[i].text = text


def write_form(path: Path, row: dict[str, str], *, defect: str | None = None,
               child_name: str = CHILD_NAME_PLACEHOLDER,
               child_dob: str = CHILD_DOB_PLACEHOLDER) -> Path:
    """Write one filled-in form for a ``case_audits.csv`` row (text values, ISO dates)."""
    import docx

    doc = docx.Document()
    doc.add_paragraph("ADOPTION SUPPORT CASE QUALITY AUDIT")
    head = doc.add_table(rows=0, cols=4)
    reason = af.TEMPLATE_REASON if defect == "template_reason" else \
        af.REASON_TEXT.get(row.get("audit_reason", ""), "")
    _add_rows(head, [
        ["SERVICE AREA:", "ADOPTION", "AUDIT REFERENCE:", row.get("audit_id", "")],
        ["NATURE OF AUDIT:", reason, "ICS NUMBER:", row.get("case_ref", "")],
        ["CHILD'S NAME/\nFAMILY NAME:", child_name, "DATE OF BIRTH:", child_dob],
        ["TEAM:", row.get("team", "").upper(), "WORKER:", row.get("worker_ref", "")],
        ["WORKER ROLE:", row.get("worker_role", ""), "DATE AUDITED:",
         _d(row.get("date_audited", ""))],
        ["NAME & DESIGNATION OF AUDITOR:", row.get("auditor_ref", ""), "CATEGORY OF CASE",
         row.get("category", "").upper()],
        ["DATE CASE MOVED TO SERVICE:", _d(row.get("case_start_date", "")),
         "DATE OF CLOSURE:", _d(row.get("closure_date", ""))],
        ["DATE OF PREVIOUS AUDIT:", _d(row.get("previous_audit_date", "")), "", ""],
    ])
    doc.add_paragraph("IN THE COMMENTS SECTIONS PLEASE EXPLAIN YOUR JUDGEMENT")
    qs = doc.add_table(rows=0, cols=2)
    _add_rows(qs, [["QUESTION", "ANSWER"]])
    for i in range(1, AUDIT_QUESTIONS + 1):
        comment = row.get(f"q{i}_comment", "")
        if i == 12 and row.get("good_practice"):
            comment = row["good_practice"]
        _add_rows(qs, [[f"{i}. {af.QUESTIONS[i]}", _ANSWER_TEXT.get(row.get(f"q{i}", ""), "")],
                       [f"{i} COMMENT", comment]])
    end = doc.add_table(rows=0, cols=2)
    grade = row.get("overall_grade", "")
    marks = {g: ("X" if g == grade else "") for g in af.GRADE_ROWS.values()}
    if defect == "no_grade":
        marks = dict.fromkeys(marks, "")
    if defect == "two_grades":
        other = "requires_improvement" if grade != "requires_improvement" else "good"
        marks[other] = "X"
    score = row.get("score", "")
    if defect == "score_word":
        score = {"7": "seven"}.get(score, "about " + score)
    _add_rows(end, [
        ["RESTORATIVE ACTIONS REQUIRED – by whom and what and when\nWhere there are no "
         "'Restorative Actions Required', a full audit response is not required, instead a "
         "case note under 'Quality Audit Response' should be made.",
         row.get("restorative_actions", "")],
        ["ACTIONS DUE BY:", _d(row.get("action_due_date", ""))],
        ["DATE ACTIONS COMPLETED:", _d(row.get("actions_completed_date", ""))],
        ["OVERALL GRADING (SEE GUIDANCE) AND PLEASE EXPLAIN YOUR JUDGEMENT", ""],
        *[[label, marks[g]] for label, g in af.GRADE_ROWS.items()],
        ["SCORE (1-10):", score],
        ["DATE AUDIT RESPONSE ENTERED ON ICS:", _d(row.get("response_date", ""))],
    ])
    doc.add_paragraph("Grading Key for all Quality Audits")
    key = doc.add_table(rows=0, cols=2)
    _add_rows(key, [["Outstanding", "Direct work ... of the highest quality."],
                    ["Good", "Children and young people are protected."],
                    ["Requires Improvement", "No serious failures on the case."],
                    ["Inadequate", "Serious failures are in the case."]])
    doc.add_paragraph("Answering with only 'Yes' or 'No' to a question is not sufficient, "
                      "please justify your answer")
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "adoption-diagnostic synth"
    cp.created = cp.modified = _FIXED
    cp.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(buf.getvalue()))
    return path


def _fixed_zip(data: bytes) -> bytes:
    """The same .docx with fixed timestamps, so the same form is the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_forms(audits: pd.DataFrame, out_dir: Path) -> list[str]:
    """Write :data:`N_FORMS` forms from the first audits (see the module docstring); returns
    their paths relative to ``out_dir``."""
    written = []
    for i, (_, r) in enumerate(audits.head(N_FORMS).iterrows(), start=1):
        row = {k: ("" if pd.isna(v) else str(v)) for k, v in r.items()}
        rel = f"{FOLDER}/audit_{i:02d}.docx"
        write_form(Path(out_dir) / rel, row, defect=DEFECTS.get(i))
        written.append(rel)
    return written


def clear(out_dir: Path) -> None:
    """Remove forms an earlier run wrote."""
    folder = Path(out_dir) / FOLDER
    if folder.is_dir():
        for f in folder.glob("audit_*.docx"):
            f.unlink()
