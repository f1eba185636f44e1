"""Section 7 (case quality audits) and the Word-form import, on hand-built data with
hand-worked values; and, on a demo run, that no case, worker or auditor reference and no comment
text reaches any HTML."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import docx
import pandas as pd
import pytest

from diagnostic_kit.derive import working_days as wd
from diagnostic_kit.inputs import audit_forms as af
from diagnostic_kit.inputs.schema import CASE_AUDITS
from diagnostic_kit.measures import audits as au
from diagnostic_kit.present import audits as text
from diagnostic_kit.run.cli import main as cli
from diagnostic_kit.synth import audit_forms as sf

ROOT = Path(__file__).resolve().parents[1]
T = pd.Timestamp


def _audits(rows: list[dict]) -> pd.DataFrame:
    """Audits as the loader gives them: every template column, dates as Timestamps."""
    df = pd.DataFrame(rows).reindex(columns=CASE_AUDITS.column_names)
    for c in CASE_AUDITS.columns:
        if c.kind == "date":
            df[c.name] = pd.to_datetime(df[c.name])
        elif c.kind == "int":
            df[c.name] = df[c.name].astype("Int64")
        else:
            df[c.name] = df[c.name].astype("string")
    return df


def _row(i: int, **kw) -> dict:
    base = {"audit_id": f"AUD{i}", "case_ref": f"ICS{i}", "team": "adoption support",
            "worker_role": "social worker", "audit_reason": "within_60_days",
            "date_audited": "2024-01-10", "overall_grade": "good", "score": 7}
    base.update({f"q{q}": "yes" for q in range(1, 14)})
    base.update({f"q{q}_comment": "A full explanation." for q in range(1, 14)})
    base.update(kw)
    return base


# -- working days ---------------------------------------------------------------------------

def test_working_days_across_christmas_and_easter():
    s = pd.Series([T("2023-12-22"), T("2024-03-28"), T("2023-12-23")])
    # Fri 22 Dec 2023 + 1: Christmas Day and Boxing Day are bank holidays -> Wed 27 Dec.
    # Thu 28 Mar 2024 + 1: Good Friday and Easter Monday -> Tue 2 Apr.
    # Sat 23 Dec counts from the Friday before: +1 -> Wed 27 Dec.
    assert wd.add_working_days(s, 1).tolist() == [T("2023-12-27"), T("2024-04-02"),
                                                  T("2023-12-27")]
    assert wd.add_working_days(s[:2], 5).tolist() == [T("2024-01-03"), T("2024-04-08")]
    # 22 Dec 2023 -> 2 Jan 2024: 27, 28, 29 Dec and 2 Jan (1 Jan is a bank holiday).
    assert wd.working_days_between(pd.Series([T("2023-12-22")]),
                                   pd.Series([T("2024-01-02")])).tolist() == [4]
    # The King's coronation, Monday 8 May 2023, was a one-off bank holiday.
    assert wd.add_working_days(pd.Series([T("2023-05-05")]), 1).tolist() == [T("2023-05-09")]
    assert not wd.is_working_day(pd.Series([T("2024-12-25")])).iloc[0]


def test_sixty_working_days_from_christmas():
    # From Fri 22 Dec 2023: 3 days in December, 22 in January (1 Jan off), 21 in February,
    # then 1, 4-8, 11-15, 18, 19, 20 March: the 60th working day is Wed 20 March 2024.
    assert wd.add_working_days(pd.Series([T("2023-12-22")]), 60).iloc[0] == T("2024-03-20")


# -- timeliness -----------------------------------------------------------------------------

def test_audit_and_response_timeliness():
    a = _audits([
        _row(1, case_start_date="2023-12-22", date_audited="2024-03-20"),   # on time (day 60)
        _row(2, case_start_date="2023-12-22", date_audited="2024-03-21"),   # late (day 61)
        _row(3, audit_reason="six_monthly", previous_audit_date="2023-08-31",
             date_audited="2024-02-29"),                                    # on time: 6 months
        _row(4, audit_reason="six_monthly", previous_audit_date="2023-08-31",
             date_audited="2024-03-01"),                                    # late
        _row(5, audit_reason="closure", date_audited="2024-03-28",          # not timed
             restorative_actions="Update the plan", response_date="2024-04-08",
             action_due_date="2024-04-30", actions_completed_date="2024-04-29"),
        _row(6, audit_reason="within_60_days", date_audited="2024-03-28",   # no start date
             restorative_actions="Record supervision", response_date="2024-04-09",
             action_due_date="2024-04-30"),                                  # overdue
        _row(7, case_start_date="2024-01-02", date_audited="2024-01-10",
             restorative_actions="Record the views", action_due_date="2025-01-01"),
    ])
    t = au.timeliness(a, "2024-06-30")
    assert t["audit_timing"].tolist() == ["on time", "late", "on time", "late", "not timed",
                                          "cannot tell", "on time"]
    # Response due 5 working days after Thu 28 Mar 2024 = Mon 8 Apr (Easter in between).
    # Audit 7's response (due 17 Jan 2024) was never entered: late by the reference date.
    assert t["response_timing"].tolist() == ["not required"] * 4 + ["on time", "late", "late"]
    assert t["action_overdue"].tolist() == [False] * 5 + [True, False]
    s = au.timeliness_summary(t).set_index("check")
    assert s.loc["All timed audits", ["on_time", "late", "not_measured"]].tolist() == [3, 2, 1]
    assert s.loc["All timed audits", "on_time_pct"] == 60.0
    h = au.headline(a, "2024-06-30")
    assert (h["on_time_pct"], h["timed"]) == (60.0, 5)
    assert h["response_on_time_pct"] == pytest.approx(100 / 3)
    assert h["actions_overdue"] == 1


# -- grades, scores, questions, comments -----------------------------------------------------

def test_score_band_rule():
    bands = au.score_band(pd.Series([10, 9, 8, 6, 5, 4, 3, 1, 0, 11, None]))
    assert bands.tolist()[:8] == ["outstanding", "outstanding", "good", "good",
                                  "requires_improvement", "requires_improvement",
                                  "inadequate", "inadequate"]
    assert bands[8:].isna().all()


def test_grade_counts_and_mismatches():
    a = au.prepare(_audits([
        _row(1, score=9, overall_grade="outstanding"),
        _row(2, score=8, overall_grade="outstanding"),       # band good: a mismatch
        _row(3, score=5, overall_grade="requires_improvement", worker_role="senior practitioner"),
        _row(4, score=None, overall_grade="good", date_audited="2024-04-01"),  # no score
    ]))
    assert a.set_index("audit_id")["mismatch"].to_dict() == {
        "AUD1": False, "AUD2": True, "AUD3": False, "AUD4": False}
    g = au.grade_counts(a).iloc[0]
    assert g[["outstanding", "good", "requires_improvement", "inadequate", "audits"]].tolist() \
        == [2, 1, 1, 0, 4]
    by_role = au.grade_counts(a, "worker_role")
    assert by_role.loc["senior practitioner", "requires_improvement"] == 1
    assert au.grade_counts(a, "quarter").index.tolist() == ["2023-24 Q4", "2024-25 Q1"]
    h = au.headline(a, "2024-06-30")
    assert (h["mismatches"], h["scored"]) == (1, 3)
    names = au.pseudonyms(a, "salt")
    shown = text.display_mismatches(a, names)
    assert shown["Audit"].str.match(r"^A-\d{4}$").all() and len(shown) == 1
    assert not {"AUD2", "ICS2"} & set(shown.astype(str).to_numpy().ravel())


def test_questions_ranked_and_q13_for_closure_only():
    a = _audits([
        _row(1, q9="no", q13="no"),              # q13 ignored: not a closure audit
        _row(2, q9="partly", q4="not_applicable"),
        _row(3, q9="yes", audit_reason="closure", q13="yes"),
        _row(4, q9="no", q7="no"),
        _row(5, q9="yes"),
    ])
    q = au.question_table(a).set_index("question")
    assert q.loc["q9", ["yes", "partly", "no", "applied"]].tolist() == [2, 1, 2, 5]
    assert q.loc["q9", "yes_pct"] == 40.0 and q.loc["q9", "no_pct"] == 40.0
    assert q.loc["q13", ["audits", "applied", "yes", "no"]].tolist() == [1, 1, 1, 0]
    assert q.loc["q4", ["applied", "not_applicable"]].tolist() == [4, 1]
    assert q.loc["q9", "rank"] == 1 and q.loc["q7", "rank"] == 2
    assert au.weakest(q.reset_index(), k=2)["question"].tolist() == ["q9", "q7"]
    words = text.key_findings(au.headline(a, "2024-06-30"), q.reset_index(),
                              au.comment_quality(a), 0)
    assert "identity and diversity considered (question 9: 40% yes, 40% no, of 5 audits)" in words


def test_comment_quality():
    assert au.is_bare(pd.Series(["Yes", " no. ", "N", "Partly!", "Yes - the plan is clear",
                                 None])).tolist() == [True, True, True, True, False, False]
    a = _audits([
        _row(1, q1_comment="Yes", q2_comment="no.", q3_comment=" ",
             q4="not_applicable", q4_comment=None),          # n/a needs no comment
        _row(2, q1_comment="Yes - the referral was prompt", q13="no", q13_comment=None),
    ])
    c = au.comment_quality(a).set_index("question")
    assert c.loc["q1", ["answered", "missing", "bare", "insufficient"]].tolist() == [2, 0, 1, 1]
    assert c.loc["q2", "bare"] == 1 and c.loc["q3", "missing"] == 1
    assert c.loc["q4", "answered"] == 1 and c.loc["q4", "insufficient"] == 0
    assert c.loc["q13", "answered"] == 0        # not a closure audit
    assert au.audits_with_insufficient_comments(a) == 1


def test_themes_by_keyword():
    texts = pd.Series(["Creative direct work with the children.",
                       "Strong partnership with the school and the carers.", "", None,
                       "Nothing else."])
    th = au.theme_counts(texts, au.GOOD_PRACTICE_THEMES).set_index("theme")["texts"]
    assert th.to_dict() == {"direct work with children": 1, "partnership working": 1,
                            "carers and family supported": 1, "other": 1}


# -- the Word form import ------------------------------------------------------------------

def _hand_form(path: Path, *, grade_marks: dict[str, str], score: str) -> Path:
    """A form built directly with python-docx, laid out as the seed form."""
    d = docx.Document()
    head = d.add_table(rows=0, cols=4)
    for cells in (["SERVICE AREA:", "ADOPTION", "", ""],
                  ["NATURE OF AUDIT:", "6 monthly from last audit", "ICS NUMBER:", "ICS0000042"],
                  ["CHILD'S NAME/\nFAMILY NAME:", "Zebedee Quartermaine", "DATE OF BIRTH:",
                   "03/04/2017"],
                  ["TEAM:", "ADOPTION SUPPORT", "WORKER:", "Jo Bloggs"],
                  ["WORKER ROLE:", "Senior Practitioner", "DATE AUDITED:", "02/04/2024"],
                  ["NAME & DESIGNATION OF AUDITOR:", "QA07", "CATEGORY OF CASE",
                   "ADOPTIVE SUPPORT"],
                  ["DATE OF PREVIOUS AUDIT:", "2023-10-02", "", ""]):
        r = head.add_row()
        for i, t in enumerate(cells):
            r.cells[i].text = t
    qs = d.add_table(rows=0, cols=2)
    for i in range(1, 14):
        for cells in ([f"{i}. {af.QUESTIONS[i]}", "Yes" if i != 13 else "N/A"],
                      [f"{i} COMMENT", "Yes" if i == 2 else f"Comment {i}."]):
            r = qs.add_row()
            r.cells[0].text, r.cells[1].text = cells
    end = d.add_table(rows=0, cols=2)
    rows = [["RESTORATIVE ACTIONS REQUIRED – by whom and what and when", ""],
            ["OVERALL GRADING (SEE GUIDANCE) AND PLEASE EXPLAIN YOUR JUDGEMENT", ""],
            *[[g, grade_marks.get(g, "")] for g in af.GRADE_ROWS],
            ["SCORE:", score]]
    for cells in rows:
        r = end.add_row()
        r.cells[0].text, r.cells[1].text = cells
    d.save(str(path))
    return path


def test_a_hand_built_form_is_read(tmp_path, monkeypatch):
    seen: list[str] = []
    real = af._text

    def spy(cell):
        out = real(cell)
        seen.append(out)
        return out

    monkeypatch.setattr(af, "_text", spy)
    path = _hand_form(tmp_path / "form.docx", grade_marks={"GOOD": "✓"}, score="7/10")
    row, notes = af.read_form(path)
    assert notes == []
    assert (row["audit_id"], row["case_ref"], row["audit_reason"]) == (
        "form", "ICS0000042", "six_monthly")
    assert (row["overall_grade"], row["score"]) == ("good", "7")
    assert (row["team"], row["worker_role"], row["auditor_ref"]) == (
        "adoption support", "senior practitioner", "QA07")
    assert re.fullmatch(r"W-[0-9a-f]{8}", row["worker_ref"])   # a name becomes a reference
    assert (row["date_audited"], row["previous_audit_date"]) == ("2024-04-02", "2023-10-02")
    assert row["q1"] == "yes" and row["q13"] == "not_applicable" and row["q2_comment"] == "Yes"
    assert row["good_practice"] == "Comment 12."
    # The child's name and date of birth were never read, let alone written.
    assert not any("Zebedee" in s or "03/04/2017" in s for s in seen)
    assert "Zebedee" not in str(row) and "Jo Bloggs" not in str(row)


@pytest.mark.parametrize(("marks", "score", "reason"), [
    ({}, "7", "no overall grade is marked"),
    ({"GOOD": "X", "INADEQUATE": "x"}, "7", "more than one overall grade is marked (good, "
                                            "inadequate)"),
    ({"GOOD": "☐", "OUTSTANDING": "X"}, "", "the score is blank"),
    ({"GOOD": "X"}, "seven", "the score 'seven' is not a whole number from 1 to 10"),
    ({"GOOD": "X"}, "12", "the score 12 is outside 1 to 10"),
])
def test_a_form_whose_grade_or_score_cannot_be_read_is_left_out(tmp_path, marks, score, reason):
    path = _hand_form(tmp_path / "bad.docx", grade_marks=marks, score=score)
    res = af.read_forms([path])
    assert res.read == 0 and res.not_read == [(str(path), reason)]


def test_synthetic_forms_round_trip(tmp_path):
    audits = pd.read_csv(ROOT / "data_templates" / "case_audits.csv", dtype=str,
                         keep_default_na=False)
    rows = pd.concat([audits] * 4, ignore_index=True).head(sf.N_FORMS)
    rows["audit_id"] = [f"AUD{i}" for i in range(len(rows))]
    written = sf.write_forms(rows, tmp_path)
    assert len(written) == sf.N_FORMS
    again = tmp_path / "again"
    sf.write_forms(rows, again)
    assert (tmp_path / written[0]).read_bytes() == (again / written[0]).read_bytes()
    (tmp_path / sf.FOLDER / "notes.txt").write_text("not a form")
    bad = tmp_path / sf.FOLDER / "broken.docx"
    bad.write_text("not a zip")
    res = af.read_forms([tmp_path / sf.FOLDER])
    reasons = dict((Path(f).name, r) for f, r in res.not_read)
    assert reasons == {"audit_04.docx": "no overall grade is marked",
                       "audit_05.docx": reasons["audit_05.docx"],
                       "audit_06.docx": reasons["audit_06.docx"],
                       "broken.docx": "not a Word .docx file (it cannot be opened)"}
    assert reasons["audit_05.docx"].startswith("more than one overall grade is marked")
    assert res.read == 4
    got = res.rows.set_index("audit_id")
    exp = rows.set_index("audit_id").loc[got.index]
    for col in CASE_AUDITS.column_names:
        if col in ("audit_id", "good_practice", "q12_comment", "audit_reason"):
            continue
        assert got[col].tolist() == exp[col].tolist(), col
    assert got["audit_reason"].tolist()[:3] == exp["audit_reason"].tolist()[:3]
    assert got["audit_reason"].tolist()[3] == ""       # audit_07: template text left as is
    assert [n for _, n in res.notes] == [
        "the nature of the audit (within 60 days, six-monthly or closure) is not clear: "
        "left blank"]
    assert sf.CHILD_NAME_PLACEHOLDER not in res.rows.to_csv()


def test_audits_import_command(tmp_path, capsys):
    _hand_form(tmp_path / "a.docx", grade_marks={"GOOD": "X"}, score="6")
    _hand_form(tmp_path / "b.docx", grade_marks={}, score="6")
    out = tmp_path / "case_audits.csv"
    assert cli(["audits", "import", str(tmp_path), "--out", str(out)]) == 1
    said = capsys.readouterr().out
    assert f"Read 1 of 2 forms into {out}; 1 could not be read and were left out:" in said
    assert f"{tmp_path / 'b.docx'}: no overall grade is marked" in said
    csv = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert csv.columns.tolist() == CASE_AUDITS.column_names
    assert csv["audit_id"].tolist() == ["a"] and csv["score"].tolist() == ["6"]
    assert cli(["audits", "import", str(tmp_path), "--out", str(out)]) == 2   # exists
    assert cli(["audits", "import", str(tmp_path / "a.docx"), "--out", str(out),
                "--force"]) == 0


# -- the rendered report -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    proc = subprocess.run(
        [sys.executable, "-m", "diagnostic_kit", "run", "params/demo.yaml", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out / "demo"


def test_no_audit_reference_or_comment_text_in_any_html(demo):
    from diagnostic_kit.inputs.params import load_params

    data = load_params("demo").local_dir
    audits = pd.read_csv(data / "case_audits.csv", dtype=str, keep_default_na=False)
    refs = set()
    for col in ("audit_id", "case_ref", "worker_ref", "auditor_ref"):
        refs |= {v for v in audits[col] if v}
    texts = set()
    for col in [f"q{i}_comment" for i in range(1, 14)] + ["good_practice",
                                                           "restorative_actions"]:
        texts |= {v for v in audits[col] if len(v) > 3}
    assert len(refs) > 50 and len(texts) > 20
    pages = [demo / "report.html", *sorted((demo / "sections").glob("*.html"))]
    assert (demo / "sections" / "07_case_audits.html").exists()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        words = set(re.findall(r"[A-Za-z]+\d+", html))
        assert not refs & words, (page.name, sorted(refs & words)[:5])
        leaked = [t for t in texts if t in html]
        assert not leaked, (page.name, leaked[:3])
    audit_page = (demo / "sections" / "07_case_audits.html").read_text(encoding="utf-8")
    # The form's grading key as a short reference: each grade with its score band.
    assert ("outstanding 10–9; good 8–6; requires improvement 5–4; inadequate 3–1"
            in audit_page)
    # The texts are kept only in the report's internal folder.
    assert not (demo / text.INTERNAL_FILE).exists()
    internal = pd.read_csv(demo / "internal" / text.INTERNAL_FILE, dtype=str)
    assert internal["audit"].str.match(r"^A-\d{4}$").all()
    assert not refs & set(internal.astype(str).to_numpy().ravel())


def test_resources_section_renders_on_the_demo(demo):
    page = (demo / "sections" / "06_resources.html").read_text(encoding="utf-8")
    assert "per child placed" in page and "interagency fee" in page
    assert page.count("data:image/png;base64,") >= 2


def test_audits_import_of_a_path_that_does_not_exist_writes_nothing(tmp_path, capsys):
    from diagnostic_kit.run.cli import main

    out = tmp_path / "case_audits.csv"
    assert main(["audits", "import", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]
    assert not out.exists()
