"""Section 7 in words, tables and charts, from ``measures.audits``.

Nothing here shows a case, worker or auditor reference or any comment text: audits appear by
pseudonym (``A-0001``) only where a list of forms is needed (grade/score mismatches), everything
else is aggregated by team, role or quarter, and themes are counts. The texts themselves go only
to the internal file written by :func:`internal_texts` (never into a notebook's output).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from diagnostic_kit import kit_files
from diagnostic_kit.measures import audits as au
from diagnostic_kit.present import charts
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.spreadsheets import formula_safe_frame

GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good",
                "requires_improvement": "Requires improvement", "inadequate": "Inadequate"}
GRADE_COLOURS = {"outstanding": charts.OKABE_ITO["bluish_green"],
                 "good": charts.OKABE_ITO["sky_blue"],
                 "requires_improvement": charts.OKABE_ITO["orange"],
                 "inadequate": charts.OKABE_ITO["vermillion"]}
ANSWER_COLOURS = {"yes": charts.OKABE_ITO["bluish_green"], "partly": charts.OKABE_ITO["yellow"],
                  "no": charts.OKABE_ITO["vermillion"]}

#: The form's grading key, as printed on it ("Grading Key for all Quality Audits").
GRADING_KEY: dict[str, str] = {
    "outstanding": (
        "Direct work with children, young people and families is of the highest quality and is "
        "delivering measurably improved outcomes, for some children progress exceeds "
        "expectations. Early help is in place and has been as effective as possible. "
        "Professional challenge and leadership inspires high quality work with the family that "
        "helps protect and promotes the welfare of children and young people. The views and "
        "experiences of children, young people and their families are at the centre of "
        "thinking and planning."),
    "good": (
        "Children and young people are protected, the risks to them are identified and managed "
        "through timely decisions and the help provided reduces the risk of or actual, harm to "
        "them. The Local Authority works with partners (including commissioned services) to "
        "plan and deliver early help, to protect the child/young person to improve educational "
        "attainment and narrow the gap for the most disadvantaged children."),
    "requires_improvement": (
        "No serious failures on the case, and child is safeguarded but the child and family "
        "are not yet supported through delivery of good protection, help and care, with more "
        "needing to be done to promote change, avoid drift and so on. (Plans are "
        "insufficiently developed, lack timeframes and focus)."),
    "inadequate": (
        "Serious failures are in the case and the child has been left in a harmful situation "
        "at risk of harm. Management oversight/supervision has not identified or rectified "
        "this. There is a lack of authoritative practice."),
}
#: The form's judgement score table.
SCORE_DESCRIPTIONS: dict[int, str] = {
    10: "Exceptionally strong with essentially no weaknesses",
    9: "Extremely strong with negligible weaknesses",
    8: "Very strong with only some minor weaknesses",
    7: "Strong but with numerous minor weaknesses",
    6: "Strong but with at least one moderate weakness",
    5: "Some strengths but also some moderate weaknesses",
    4: "Some strengths but with at least one major weakness",
    3: "A few strengths and a few major weaknesses",
    2: "Very few strengths and numerous major weaknesses",
    1: "No strengths and significant weaknesses",
}

NEEDS = {"case_audits": "the results of case quality audits (grades, scores, questions, "
                        "comment quality, timeliness and themes)"}


def _audits(n: int) -> str:
    return nv.plural(n, "audit")


# -- sentences ----------------------------------------------------------------------------

def key_findings(h: dict[str, Any], questions: pd.DataFrame, comments: pd.DataFrame,
                 insufficient_audits: int) -> str:
    """The section's findings: grades, mismatches, the weakest questions with their figures,
    comment quality and timeliness."""
    n = h["audits"]
    if not n:
        return "No completed audit forms were supplied."
    good_or_better = h["outstanding"] + h["good"]
    lines = [
        f"**{_audits(n)}** were completed. "
        f"{nv.count_of(good_or_better, h['graded'], 'audits')} were graded good or outstanding; "
        f"{nv.count(h['requires_improvement'])} requires improvement and "
        f"{nv.count(h['inadequate'])} inadequate."
        + (f" The mean score was {nv.number(h['mean_score'], 1)} out of 10."
           if h.get("mean_score") is not None else ""),
    ]
    if h["mismatches"]:
        lines.append(f"{nv.count_of(h['mismatches'], h['scored'], 'scored audits')} have an "
                     "overall grade that is not the band of their score (listed below).")
    else:
        lines.append("Every scored audit's overall grade is the band of its score.")
    weak = au.weakest(questions, k=3, min_applied=5)
    if len(weak):
        parts = [f"{nv.lower_first(r['label'])} (question {r['question'][1:]}: "
                 f"{nv.pct_of(r['yes_pct'], r['applied'])} yes, "
                 f"{nv.pct_of(r['no_pct'], r['applied'])} no, of "
                 f"{_audits(int(r['applied']))})" for _, r in weak.iterrows()]
        lines.append(f"The weakest practice areas are {nv.plain_list(parts)}.")
    answered = int(comments["answered"].sum())
    bad = int(comments["insufficient"].sum())
    lines.append(
        f"{nv.count_of(bad, answered, 'answers')} have no comment or only \"yes\" or \"no\", "
        "which the form says is not sufficient; "
        f"{nv.count_of(insufficient_audits, n, 'audits')} have at least one such answer.")
    if h["timed"]:
        lines.append(f"{nv.pct_of(h['on_time_pct'], h['timed'])} of audits with a deadline were "
                     f"done on time ({_audits(h['timed'])} timed).")
    if h["responses"]:
        lines.append(f"Where restorative actions were required, "
                     f"{nv.pct_of(h['response_on_time_pct'], h['responses'])} of responses were "
                     f"on the case system within 5 working days ({_audits(h['responses'])}); "
                     f"{nv.plural(h['actions_overdue'], 'audit')}' actions were overdue at the "
                     "reference date.")
    return nv.bullets(lines)


def method_note() -> str:
    return (
        "Working days are Monday to Friday less the bank holidays of England and Wales. An "
        "audit is due within 60 working days of the case moving to the "
        "service, and six months after the previous audit; the form sets no deadline for a "
        "closure audit, so those are not timed. The response is due on the case system within "
        "5 working days where restorative actions are required. Actions are overdue when their "
        "due date has passed and no completion date is recorded by the reference date.")


# -- tables -------------------------------------------------------------------------------

def display_grades(counts: pd.DataFrame, by_label: str | None = None) -> pd.DataFrame:
    """Audits per grade (with % of the row's audits)."""
    out = pd.DataFrame(index=counts.index)
    for g in au.GRADES:
        out[GRADE_LABELS[g]] = counts[g].astype("int64")
    out["Audits"] = counts["audits"].astype("int64")
    for g in au.GRADES:
        out[f"% {GRADE_LABELS[g].lower()}"] = [
            nv.pct_of(100 * k / t if t else np.nan, k, t)
            for k, t in zip(counts[g], counts["audits"], strict=True)]
    out = out.reset_index()
    first = out.columns[0]
    if by_label is None:
        return out.drop(columns=[first])
    return out.rename(columns={first: by_label})


def display_scores(dist: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Score": dist["score"],
                         "Band": dist["band"].map(GRADE_LABELS),
                         "Audits": dist["audits"]})


def key_reference() -> str:
    """The form's grading key in one line, with the score band of each grade (the form's own
    wording of each grade and score is in the methodology)."""
    bands = "; ".join(f"{GRADE_LABELS[g].lower()} {max(au.GRADE_BANDS[g])}–{min(au.GRADE_BANDS[g])}"
                      for g in au.GRADES)
    return (f"Each audit is graded as the form grades it, by its judgement score (1–10): "
            f"{bands}.")


def display_key() -> pd.DataFrame:
    """The form's grading key."""
    return pd.DataFrame({"Grade": [GRADE_LABELS[g] for g in au.GRADES],
                         "Scores": ["10–9", "8–6", "5–4", "3–1"],
                         "What the grade means (the form's grading key)":
                             [GRADING_KEY[g] for g in au.GRADES]})


def display_score_table() -> pd.DataFrame:
    """The form's judgement score table."""
    return pd.DataFrame({"Judgement": [GRADE_LABELS[au.grade_for(s)] for s in range(10, 0, -1)],
                         "Score": list(range(10, 0, -1)),
                         "Description": [SCORE_DESCRIPTIONS[s] for s in range(10, 0, -1)]})


def display_mismatches(a: pd.DataFrame, pseudonyms: pd.Series) -> pd.DataFrame:
    """Forms whose grade is not the band of their score, by pseudonym (no references)."""
    m = a.loc[a["mismatch"]]
    return pd.DataFrame({
        "Audit": m["audit_id"].astype(str).map(pseudonyms).to_numpy(),
        "Quarter audited": m["quarter"].to_numpy(),
        "Team": m["team"].astype("string").fillna("not recorded").to_numpy(),
        "Score": pd.to_numeric(m["score"]).astype("Int64").to_numpy(),
        "Grade given": m["overall_grade"].map(GRADE_LABELS).to_numpy(),
        "Band of the score": m["band"].map(GRADE_LABELS).to_numpy(),
    })


def display_questions(q: pd.DataFrame) -> pd.DataFrame:
    """The 13 questions ranked, weakest first."""
    q = q.sort_values("rank")
    return pd.DataFrame({
        "Rank": q["rank"].to_numpy(),
        "Question": [f"{r['question'][1:]}. {r['label']}" for _, r in q.iterrows()],
        "Audits answering": q["applied"].to_numpy(),
        "% yes": [nv.pct_of(v, n) for v, n in zip(q["yes_pct"], q["applied"], strict=True)],
        "% partly": [nv.pct_of(v, n) for v, n in zip(q["partly_pct"], q["applied"],
                                                     strict=True)],
        "% no": [nv.pct_of(v, n) for v, n in zip(q["no_pct"], q["applied"], strict=True)],
        "Not applicable": q["not_applicable"].to_numpy(),
    })


def display_comments(c: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Question": [f"{r['question'][1:]}. {r['label']}" for _, r in c.iterrows()],
        "Answers": c["answered"], "No comment": c["missing"],
        "Only yes/no": c["bare"],
        "% not sufficient": [nv.pct_of(100 * k / n if n else np.nan, k, n)
                             for k, n in zip(c["insufficient"], c["answered"], strict=True)],
    })


def display_timeliness(s: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Check": s["check"], "Audits": s["audits"], "On time": s["on_time"],
        "Late": s["late"], "Not measured (date missing, or response not yet due)":
            s["not_measured"],
        "% on time": [nv.pct_of(v, o + late) for v, o, late in
                      zip(s["on_time_pct"], s["on_time"], s["late"], strict=True)],
    })


def display_themes(counts: pd.DataFrame, total: int) -> pd.DataFrame:
    return pd.DataFrame({
        "Theme": [t.capitalize() for t in counts["theme"]],
        "Audits": counts["texts"],
        "% of audits with a text": [nv.pct_of(100 * k / total if total else np.nan, k, total)
                                    for k in counts["texts"]],
    })


def internal_texts(a: pd.DataFrame, pseudonyms: pd.Series) -> pd.DataFrame:
    """Internal only (never shown): each good-practice and restorative-actions text with its
    themes and the audit's pseudonym, for the quality-assurance manager."""
    parts = []
    for kind, texts, groups in (
            ("good practice", au.good_practice_texts(a), au.GOOD_PRACTICE_THEMES),
            ("restorative actions", a["restorative_actions"], au.ACTION_THEMES)):
        th = au.themes(texts, groups)
        if th.empty:
            continue
        th = th.groupby("row", sort=False).agg(text=("text", "first"),
                                               themes=("theme", "; ".join))
        parts.append(pd.DataFrame({
            "audit": a.loc[th.index, "audit_id"].astype(str).map(pseudonyms).to_numpy(),
            "kind": kind, "themes": th["themes"].to_numpy(), "text": th["text"].to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["audit", "kind", "themes", "text"])
    return pd.concat(parts, ignore_index=True)


#: The internal file of audit texts, in the report's internal folder (beside
#: ``pseudonym_key.csv``).
INTERNAL_FILE = "case_audit_texts.csv"


def write_internal(df: pd.DataFrame, output_dir: str | Path | None) -> Path | None:
    """Write :func:`internal_texts` as ``internal/case_audit_texts.csv`` in the report's folder
    (internal to the LA, never embedded in any HTML). Under the runner ``output_dir`` is the
    build's work folder, whose parent becomes ``reports/<la>/``; run by hand (no
    ``output_dir``) nothing is written. Text beginning with ``= + - @``, a tab or a carriage
    return gets a leading ``'`` (the OWASP CSV-injection rule the runner's other CSVs
    follow)."""
    if not output_dir:
        return None
    work = Path(output_dir)
    folder = (work.parent if work.name == ".work" else work) / kit_files.INTERNAL_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / INTERNAL_FILE
    formula_safe_frame(df).to_csv(path, index=False, encoding="utf-8")
    return path


# -- charts -------------------------------------------------------------------------------

def grades_by_quarter_chart(counts: pd.DataFrame, source: str) -> Figure:
    """Audits per grade by quarter audited (stacked bars)."""
    charts.apply_style()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    x = np.arange(len(counts))
    bottom = np.zeros(len(counts))
    for g in au.GRADES:
        vals = counts[g].to_numpy(dtype=float)
        ax.bar(x, vals, bottom=bottom, color=GRADE_COLOURS[g], label=GRADE_LABELS[g],
               width=0.7, edgecolor="white", linewidth=0.6)
        bottom += vals
    ax.set_xticks(x, list(counts.index), rotation=45, ha="right", fontsize=8)
    ax.set_xlabel("Quarter audited (financial year)")
    ax.set_ylabel("Audits")
    charts.count_axis(ax.yaxis)
    ax.grid(axis="y", color="#E5E5E5")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig = charts.finish(fig, "Overall grades of case audits by quarter", source)
    totals = {g: int(counts[g].sum()) for g in au.GRADES}
    return charts.describe(fig, (
        f"Overall grades of case audits by quarter, {nv.count(sum(totals.values()))} audits in "
        "all: " + "; ".join(f"{GRADE_LABELS[g]} {nv.count(n)}" for g, n in totals.items()) + "."))


def questions_chart(q: pd.DataFrame, source: str) -> Figure:
    """Share yes / partly / no per question, weakest at the top."""
    charts.apply_style()
    q = q.sort_values("rank")
    fig, ax = plt.subplots(figsize=(9, 5.2))
    y = np.arange(len(q))
    left = np.zeros(len(q))
    for ans in ("yes", "partly", "no"):
        vals = q[f"{ans}_pct"].fillna(0).to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=ANSWER_COLOURS[ans], label=ans.capitalize(),
                height=0.7, edgecolor="white", linewidth=0.6)
        left += vals
    ax.set_yticks(y, [f"{r['question'][1:]}. {r['label']} ({nv.count(int(r['applied']))})"
                      for _, r in q.iterrows()], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of audits where the question applied")
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3, fontsize=8)
    fig = charts.finish(fig, "Answers per question, weakest practice first", source,
                        note="In brackets: audits where the question applied. Question 13 "
                        "counts closure audits only.")
    weak = q.head(3)
    named = "; ".join(f"{r['label']} ({nv.pct_of(r['yes_pct'], r['applied'])} yes)"
                      for _, r in weak.iterrows())
    return charts.describe(fig, f"Answers per question of the audit form: the weakest practice "
                                f"areas are {named}." if len(weak) else
                                "Answers per question: no audits to show.")


# -- section 0 ----------------------------------------------------------------------------

def summary_sentences(audits: pd.DataFrame | None, reference_date) -> list[str]:
    """Section 0's headline sentences on case audits."""
    if audits is None or not len(audits):
        return ["No case audit file (local/case_audits.csv) was supplied."]
    h = au.headline(audits, reference_date)
    a = au.prepare(audits)
    q = au.question_table(a)
    out = [f"{nv.count_of(h['outstanding'] + h['good'], h['graded'], 'case audits')} were "
           f"graded good or outstanding; {nv.count(h['inadequate'])} inadequate."]
    weak = au.weakest(q, k=1, min_applied=5)
    if len(weak):
        r = weak.iloc[0]
        out.append(f"The weakest practice area was {nv.lower_first(r['label'])} "
                   f"({nv.pct_of(r['yes_pct'], r['applied'])} yes); "
                   f"{nv.pct_of(h['on_time_pct'], h['timed'])} of audits were on time.")
    return out
