"""Row-level validation rules: each a small named check that yields data-quality findings.

A finding never stops the run. Each rule has an id (used in ``dq.findings.rule``), a plain-English
message and the action the kit takes. Column-level rules (dates, codes, required values,
numbers) run on every row of every file as read; cross-row rules run on the combined tables.
"""

from __future__ import annotations

from dataclasses import dataclass


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
