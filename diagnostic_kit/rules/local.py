"""Rules on the local extracts (``stage="inputs"``): costs and case audits.

The audit score bands are those of the adoption-support audit form (``docs/methodology.md``,
"Case quality audits"): 10-9 outstanding, 8-6 good, 5-4 requires improvement, 3-1 inadequate.
"""

from __future__ import annotations

import pandas as pd

from diagnostic_kit.rules.engine import Context, rule

#: Overall grade by audit score.
GRADE_BANDS: dict[str, range] = {
    "outstanding": range(9, 11),
    "good": range(6, 9),
    "requires_improvement": range(4, 6),
    "inadequate": range(1, 4),
}


def grade_for(score: int) -> str | None:
    """The grade a score of 1-10 falls in (None outside 1-10)."""
    for grade, band in GRADE_BANDS.items():
        if score in band:
            return grade
    return None


@rule(id="cost_negative", message="a cost amount is negative (income is a positive amount with "
      "income = yes)", action="row excluded", tables=("costs",), column="amount",
      effect="exclude")
def cost_negative(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    c = t["costs"]
    return c[(c["amount"] < 0).fillna(False).astype(bool)]


@rule(id="audit_score_out_of_range", message="an audit score is outside 1-10",
      action="value treated as blank", tables=("case_audits",), column="score", effect="blank")
def audit_score_out_of_range(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    a = t["case_audits"]
    s = a["score"]
    return a[(s.notna() & ((s < 1) | (s > 10))).fillna(False).astype(bool)]


@rule(id="audit_grade_contradicts_score", message="the overall grade contradicts the score band "
      "(10-9 outstanding, 8-6 good, 5-4 requires improvement, 3-1 inadequate)",
      action="kept: the grade as written is used", tables=("case_audits",),
      column="overall_grade")
def audit_grade_contradicts_score(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    a = t["case_audits"]
    ok = a["score"].notna() & a["overall_grade"].notna()
    a = a[ok.fillna(False).astype(bool)]
    expected = a["score"].astype(int).map(grade_for)
    bad = expected.notna() & expected.ne(a["overall_grade"].astype(str))
    return a[bad.fillna(False).astype(bool)]
