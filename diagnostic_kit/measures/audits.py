"""Section 7: case quality audits on the adoption-support audit form (``case_audits.csv``).

Definitions (``docs/methodology.md``, "Case audits"):

- **Grades** as the auditor wrote them (outstanding, good, requires improvement, inadequate).
  The **score band** of a 1–10 score is the form's judgement score table: 10–9 outstanding, 8–6
  good, 5–4 requires improvement, 3–1 inadequate (``rules.local.grade_for``, the same rule that
  raises ``audit_grade_contradicts_score``). A **mismatch** is a form whose grade is not the band
  of its score; a score outside 1–10 is already blank (``audit_score_out_of_range``).
- **Quarter audited**: the financial quarter of ``date_audited`` (``2024-25 Q1`` is April–June).
- **Per question**: counts of yes / partly / no / not applicable; shares of yes, partly and no are
  of the audits where the question applied (answered and not "not applicable"). Question 13 is
  for closure audits only: it is counted for audits whose reason is ``closure`` and ignored for
  every other audit. Questions are ranked by % yes, lowest first (then % no, highest first).
- **Comment quality**: an answered question (yes, partly or no) whose comment is blank, or is
  only "yes", "no", "partly", "y" or "n" (ignoring case, spaces and punctuation): the form says a
  bare yes or no is not sufficient. Not-applicable answers need no comment.
- **Timeliness** (working days: England and Wales, ``derive.working_days``; the day of the event
  is day 0):
  - *within 60 working days*: on time when audited on or before the 60th working day after the
    case moved to the service (``case_start_date``);
  - *six-monthly*: on time when audited on or before six calendar months after the previous
    audit;
  - *closure*: the form sets no deadline, so closure audits are not timed;
  - audits missing the date their check needs are counted as "cannot tell", not timed.
  - **Response**: where restorative actions are required, the response is due on the case
    system within 5 working days of the audit. On time when ``response_date`` is on or before
    that day; late when after it, or when there is none and the day has passed by the reference
    date; still due otherwise (not counted).
  - **Actions overdue**: restorative actions required, due (``action_due_date``) before the
    reference date, and not completed by the reference date (``actions_completed_date`` blank or
    after it).
- **Themes**: each good-practice text (``good_practice``, else question 12's comment when it
  was answered yes or partly)
  and each restorative-actions text is put in every theme whose keywords it contains
  (:data:`GOOD_PRACTICE_THEMES`, :data:`ACTION_THEMES`); "other" when none. Only counts are shown.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from diagnostic_kit.derive.pseudonyms import assign_pseudonyms
from diagnostic_kit.derive.working_days import add_working_days
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import ANSWERS, AUDIT_QUESTIONS
from diagnostic_kit.measures.cohorts import share
from diagnostic_kit.measures.headline import Headline, shortfall
from diagnostic_kit.registry import table_anchor
from diagnostic_kit.rules.local import GRADE_BANDS, grade_for

GRADES: tuple[str, ...] = tuple(GRADE_BANDS)
QUESTIONS: tuple[str, ...] = tuple(f"q{i}" for i in range(1, AUDIT_QUESTIONS + 1))
#: Short names of the form's 13 questions.
QUESTION_LABELS: dict[str, str] = {
    "q1": "Referral timely, with the relevant information",
    "q2": "Assessment to the expected standard",
    "q3": "Plan clear, with timescales",
    "q4": "Family plan reviewed",
    "q5": "Wishes and feelings of the children",
    "q6": "Views of carers and wider family",
    "q7": "Management oversight",
    "q8": "Recording up to date, succinct, clear",
    "q9": "Identity and diversity considered",
    "q10": "Children protected, interests promoted",
    "q11": "Life chances improved",
    "q12": "Good practice observed",
    "q13": "Closure summary (closure audits)",
}
CLOSURE_ONLY = "q13"
WORKING_DAYS_FIRST_AUDIT = 60
RESPONSE_WORKING_DAYS = 5
REAUDIT_MONTHS = 6
BARE_COMMENTS = frozenset({"yes", "no", "partly", "y", "n"})

GOOD_PRACTICE_THEMES: dict[str, tuple[str, ...]] = {
    "direct work with children": ("direct work", "child-centred", "child centred", "life story",
                                  "creative", "voice"),
    "therapeutic support": ("therap", "adoption support fund", "asf", "camhs"),
    "partnership working": ("school", "partner", "health", "multi-agency", "education"),
    "carers and family supported": ("carer", "family", "parent", "listened"),
    "assessment and analysis": ("assessment", "analys"),
    "timeliness": ("timely", "prompt", "quick"),
}
ACTION_THEMES: dict[str, tuple[str, ...]] = {
    "plan and timescales": ("plan", "timescale"),
    "management oversight": ("manager", "supervision", "oversight"),
    "child's views": ("views", "wishes", "voice", "direct work"),
    "recording": ("recording", "up to date", "case note"),
    "closure": ("closure",),
    "review": ("review",),
}


def score_band(score: pd.Series) -> pd.Series:
    """The grade band of each score (missing when blank or outside 1–10)."""
    s = pd.to_numeric(score, errors="coerce")
    return s.map(lambda v: None if pd.isna(v) or v != int(v) else grade_for(int(v))).astype(
        "string")


def quarter(dates: pd.Series) -> pd.Series:
    """Financial quarter of each date: ``2024-25 Q1`` (April–June) … ``2024-25 Q4``."""
    d = pd.to_datetime(dates)
    start = d.dt.year - (d.dt.month < 4).astype(int)
    q = ((d.dt.month - 4) % 12) // 3 + 1
    label = (start.astype("Int64").astype("string") + "-"
             + ((start + 1) % 100).astype("Int64").astype("string").str.zfill(2)
             + " Q" + q.astype("Int64").astype("string"))
    return label.where(d.notna())


def prepare(audits: pd.DataFrame) -> pd.DataFrame:
    """The audits with ``band``, ``mismatch`` and ``quarter`` added, sorted by date audited."""
    a = audits.copy()
    a["band"] = score_band(a["score"])
    a["mismatch"] = (a["band"].notna() & a["overall_grade"].notna()
                     & a["band"].ne(a["overall_grade"])).fillna(False).astype(bool)
    a["quarter"] = quarter(a["date_audited"])
    return a.sort_values(["date_audited", "audit_id"], kind="stable")


def pseudonyms(audits: pd.DataFrame, salt: str) -> pd.Series:
    """A pseudonym per audit (``A-0001``), by audit_id, stable for the same inputs."""
    return assign_pseudonyms(audits["audit_id"], salt, prefix="A")


def grade_counts(audits: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Audits per grade (columns in the form's order, plus ``audits``), overall or by a column
    (its blanks as "not recorded")."""
    a = audits
    key = a[by].astype("string").fillna("not recorded") if by else pd.Series("all", index=a.index)
    t = pd.crosstab(key, a["overall_grade"]).reindex(columns=list(GRADES), fill_value=0)
    t = t.astype("int64")
    t["audits"] = t.sum(axis=1)
    t.index.name = by or "all"
    t.columns.name = None
    return t


def score_distribution(audits: pd.DataFrame) -> pd.DataFrame:
    """Audits per score 1–10, with each score's band."""
    s = pd.to_numeric(audits["score"], errors="coerce").dropna().astype(int)
    counts = s.value_counts().reindex(range(1, 11), fill_value=0)
    return pd.DataFrame({"score": range(1, 11), "band": [grade_for(i) for i in range(1, 11)],
                         "audits": counts.to_numpy()})


def question_table(audits: pd.DataFrame) -> pd.DataFrame:
    """Per question: counts of each answer, ``applied`` (yes + partly + no), % yes / partly / no
    of those, and the rank (1 = weakest). Question 13 counts closure audits only."""
    rows = []
    for q in QUESTIONS:
        a = audits.loc[audits["audit_reason"].eq("closure")] if q == CLOSURE_ONLY else audits
        counts = a[q].value_counts().reindex(ANSWERS, fill_value=0)
        applied = int(counts["yes"] + counts["partly"] + counts["no"])
        row: dict[str, Any] = {"question": q, "label": QUESTION_LABELS[q],
                               "audits": len(a), "applied": applied,
                               "unanswered": int(a[q].isna().sum())}
        for ans in ANSWERS:
            row[ans] = int(counts[ans])
        for ans in ("yes", "partly", "no"):
            row[f"{ans}_pct"] = 100 * row[ans] / applied if applied else np.nan
        rows.append(row)
    t = pd.DataFrame(rows)
    order = t.assign(_y=t["yes_pct"].fillna(np.inf), _n=-t["no_pct"].fillna(0),
                     _i=range(len(t))).sort_values(["_y", "_n", "_i"]).index
    t.loc[order, "rank"] = range(1, len(t) + 1)
    t["rank"] = t["rank"].astype(int)
    return t


def weakest(questions: pd.DataFrame, k: int = 3, min_applied: int = 1) -> pd.DataFrame:
    """The ``k`` weakest questions (lowest % yes) among those that applied at least
    ``min_applied`` times."""
    q = questions.loc[questions["applied"] >= min_applied]
    return q.sort_values("rank").head(k)


def is_bare(comment: pd.Series) -> pd.Series:
    """Whether each comment is only "yes", "no", "partly", "y" or "n"."""
    norm = comment.astype("string").str.lower().str.replace(r"[^a-z]", "", regex=True)
    return norm.isin(BARE_COMMENTS).fillna(False).astype(bool)


def comment_quality(audits: pd.DataFrame) -> pd.DataFrame:
    """Per question: answered (yes / partly / no; q13 closure audits only), comments missing,
    comments only yes/no, and insufficient (the two together)."""
    rows = []
    for q in QUESTIONS:
        a = audits.loc[audits["audit_reason"].eq("closure")] if q == CLOSURE_ONLY else audits
        answered = a[q].isin(["yes", "partly", "no"]).fillna(False).astype(bool)
        comment = a[f"{q}_comment"].astype("string")
        blank = comment.isna() | comment.str.strip().eq("")
        missing = answered & blank.fillna(True).astype(bool)
        bare = answered & is_bare(comment)
        rows.append({"question": q, "label": QUESTION_LABELS[q], "answered": int(answered.sum()),
                     "missing": int(missing.sum()), "bare": int(bare.sum()),
                     "insufficient": int((missing | bare).sum())})
    return pd.DataFrame(rows)


def audits_with_insufficient_comments(audits: pd.DataFrame) -> int:
    """Audits with at least one answered question whose comment is missing or bare."""
    hit = pd.Series(False, index=audits.index)
    for q in QUESTIONS:
        applies = audits["audit_reason"].eq("closure") if q == CLOSURE_ONLY else True
        answered = audits[q].isin(["yes", "partly", "no"]).fillna(False) & applies
        comment = audits[f"{q}_comment"].astype("string")
        blank = (comment.isna() | comment.str.strip().eq("")).fillna(True)
        hit |= (answered & (blank | is_bare(comment))).astype(bool)
    return int(hit.sum())


def timeliness(audits: pd.DataFrame, reference_date) -> pd.DataFrame:
    """Per audit: ``audit_due`` and ``audit_timing`` (on time / late / cannot tell / not
    timed), ``response_due`` and ``response_timing`` (on time / late / due / not required),
    and ``action_overdue``."""
    ref = pd.Timestamp(reference_date)
    a = audits
    reason = a["audit_reason"].astype("string")
    due60 = add_working_days(a["case_start_date"], WORKING_DAYS_FIRST_AUDIT)
    prev = pd.to_datetime(a["previous_audit_date"])
    due6m = prev + pd.DateOffset(months=REAUDIT_MONTHS)
    due = due60.where(reason.eq("within_60_days"), due6m.where(reason.eq("six_monthly")))
    audited = pd.to_datetime(a["date_audited"])
    timed = reason.isin(["within_60_days", "six_monthly"]).fillna(False).astype(bool)
    timing = np.select(
        [~timed, due.isna() | audited.isna(), audited <= due],
        ["not timed", "cannot tell", "on time"], "late")
    actions = a["restorative_actions"].astype("string").str.strip().fillna("").ne("")
    rdue = add_working_days(a["date_audited"], RESPONSE_WORKING_DAYS)
    resp = pd.to_datetime(a["response_date"])
    rtiming = np.select(
        [~actions, resp.notna() & (resp <= rdue), resp.notna(), rdue < ref],
        ["not required", "on time", "late", "late"], "due")
    adue = pd.to_datetime(a["action_due_date"])
    done = pd.to_datetime(a["actions_completed_date"]) if "actions_completed_date" in a \
        else pd.Series(pd.NaT, index=a.index)
    overdue = actions & (adue < ref).fillna(False) & ~(done <= ref).fillna(False)
    return pd.DataFrame({"audit_reason": reason, "audit_due": due, "audit_timing": timing,
                         "response_due": rdue, "response_timing": rtiming,
                         "action_overdue": overdue.astype(bool)}, index=a.index)


def timeliness_summary(t: pd.DataFrame) -> pd.DataFrame:
    """Counts per check: on time, late, cannot tell, and % on time of those timed."""
    rows = []
    for label, sel in (("Within 60 working days of the case moving to the service",
                        t["audit_reason"].eq("within_60_days")),
                       ("Six-monthly re-audit", t["audit_reason"].eq("six_monthly"))):
        s = t.loc[sel.fillna(False).astype(bool), "audit_timing"]
        rows.append(_timing_row(label, s))
    rows.append(_timing_row("All timed audits", t.loc[t["audit_timing"].ne("not timed"),
                                                       "audit_timing"]))
    r = t.loc[t["response_timing"].ne("not required"), "response_timing"]
    rows.append(_timing_row("Response on the case system within 5 working days (restorative "
                            "actions required)", r))
    return pd.DataFrame(rows)


def _timing_row(label: str, s: pd.Series) -> dict[str, Any]:
    on, late = int(s.eq("on time").sum()), int(s.eq("late").sum())
    other = int(len(s) - on - late)
    return {"check": label, "audits": int(len(s)), "on_time": on, "late": late,
            "not_measured": other, "on_time_pct": 100 * on / (on + late) if on + late else np.nan}


def themes(texts: pd.Series, groups: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Each non-blank text's themes: one row per text and theme (``theme`` "other" when no
    keyword matches); columns ``text``, ``theme``. Internal: the text is never shown."""
    t = texts.astype("string").str.strip()
    t = t[t.notna() & t.ne("")]
    rows = []
    for idx, text in t.items():
        low = text.lower()
        hit = [name for name, words in groups.items()
               if any(re.search(rf"\b{re.escape(w)}", low) for w in words)]
        for name in hit or ["other"]:
            rows.append({"row": idx, "text": text, "theme": name})
    return pd.DataFrame(rows, columns=["row", "text", "theme"])


def theme_counts(texts: pd.Series, groups: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Texts per theme (a text may fall in several), in the order of ``groups``, then
    "other"."""
    th = themes(texts, groups)
    counts = th.groupby("theme")["row"].nunique()
    order = [g for g in [*groups, "other"] if g in counts.index]
    return pd.DataFrame({"theme": order, "texts": [int(counts[g]) for g in order]})


def good_practice_texts(audits: pd.DataFrame) -> pd.Series:
    """Good practice observed: ``good_practice``, or, where it is blank, question 12's comment
    when question 12 was answered yes or partly (a bare yes/no is not a description)."""
    gp = audits["good_practice"].astype("string")
    seen = audits["q12"].isin(["yes", "partly"]).fillna(False).astype(bool)
    q12 = audits["q12_comment"].astype("string").where(seen & ~is_bare(audits["q12_comment"]))
    return gp.where(gp.notna() & gp.str.strip().ne(""), q12)


def headline(audits: pd.DataFrame, reference_date) -> dict[str, Any]:
    """The section's headline figures (the metrics)."""
    a = prepare(audits)
    g = grade_counts(a).iloc[0] if len(a) else pd.Series(0, index=[*GRADES, "audits"])
    t = timeliness(a, reference_date)
    s = timeliness_summary(t)
    timed, resp = s.iloc[2], s.iloc[3]
    return {
        "audits": len(a),
        **{g_: int(g[g_]) for g_ in GRADES},
        "graded": int(g["audits"]),
        "mismatches": int(a["mismatch"].sum()),
        "scored": int(a["band"].notna().sum()),
        "on_time_pct": timed["on_time_pct"], "timed": int(timed["on_time"] + timed["late"]),
        "response_on_time_pct": resp["on_time_pct"],
        "responses": int(resp["on_time"] + resp["late"]),
        "actions_overdue": int(t["action_overdue"].sum()),
        "actions_required": int(t["response_timing"].ne("not required").sum()),
        "mean_score": float(pd.to_numeric(a["score"], errors="coerce").mean())
        if a["score"].notna().any() else None,
    }


def record_metrics(sec: Any, h: dict[str, Any]) -> None:
    """Record section 7's metrics."""
    sec.metric("audits_completed", h["audits"], n=h["audits"])
    for g in GRADES:
        sec.metric(f"audit_grade_{g}", h[g], n=h["graded"])
    sec.metric("audit_grade_score_mismatches", h["mismatches"], n=h["scored"])
    sec.metric("audit_on_time_pct", h["on_time_pct"], n=h["timed"])
    sec.metric("audit_response_on_time_pct", h["response_on_time_pct"], n=h["responses"])
    sec.metric("audit_actions_overdue", h["actions_overdue"], n=h["actions_required"])


# -- findings for the summary -----------------------------------------------------------------

KEY = "07_case_audits"
EVIDENCE = {"grades": "Overall grades of all audits",
            "questions": "Answers per question, ranked (weakest first)"}
#: The question on whether the children were protected and their interests promoted.
PROTECTED = "q10"


def headlines(audits: pd.DataFrame, params: Params) -> list[Headline]:
    """Section 7's findings for the summary (``measures.headline``):

    - audits graded good or outstanding, as a share of the audits graded, against the local
      target ``params.targets.audits_good_or_better_pct``; reach, the shortfall in audits;
      ``detail`` has the audits graded inadequate;
    - question 10 (children protected, interests promoted) answered yes, as a share of the
      audits where it applied, against ``params.targets.audit_child_protected_yes_pct``; reach,
      the shortfall in audits; ``detail`` has those answered no.
    """
    a = prepare(audits)
    g = grade_counts(a).iloc[0] if len(a) else pd.Series(0, index=[*GRADES, "audits"])
    graded, good = int(g["audits"]), int(g["outstanding"] + g["good"])
    t1 = params.targets.audits_good_or_better_pct
    out = [Headline(
        key="audits_good_or_better", section=KEY, label="audits graded good or outstanding",
        value=share(good, graded), unit="pct", n=graded, statistic="share", noun="audits",
        benchmark=t1.value, benchmark_label=f"a local target of {t1.label}",
        benchmark_kind="target", better=t1.better,
        reach=shortfall(good, graded, t1.value, t1.better),
        evidence=table_anchor(KEY, EVIDENCE["grades"]),
        detail={"k": good, "inadequate": int(g["inadequate"]),
                "requires_improvement": int(g["requires_improvement"])})]
    q = question_table(a).set_index("question").loc[PROTECTED]
    t2 = params.targets.audit_child_protected_yes_pct
    out.append(Headline(
        key="audit_child_protected", section=KEY,
        label=f"question 10 ({QUESTION_LABELS[PROTECTED].lower()}) answered yes",
        value=q["yes_pct"], unit="pct", n=int(q["applied"]), statistic="share", noun="audits",
        benchmark=t2.value, benchmark_label=f"a local target of {t2.label}",
        benchmark_kind="target", better=t2.better,
        reach=shortfall(int(q["yes"]), int(q["applied"]), t2.value, t2.better),
        evidence=table_anchor(KEY, EVIDENCE["questions"]),
        detail={"k": int(q["yes"]), "no": int(q["no"]), "partly": int(q["partly"])}))
    return out
