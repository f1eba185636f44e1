"""Every input table the kit reads, as data.

One schema serves the loader (which columns to keep, how to parse and check them), the
templates in ``data_templates/`` and the data dictionary (both generated from it, so they cannot
drift), and the synthetic LA. Column names of the SSDA903 tables are DfE's; the local extracts
use the kit's own snake_case names.

Column kinds:

- ``id``: an identifier, kept as text (leading zeros matter).
- ``date``: in 903 files ``dd/mm/yyyy``; in local extracts ``yyyy-mm-dd`` or ``dd/mm/yyyy``.
- ``code``: one of ``allowed`` (matched case-insensitively; local extracts also ignore spaces,
  hyphens and underscores, so "IRO recommendation" reads as ``iro_recommendation``).
- ``int`` / ``number``: whole or decimal numbers; ``money`` also accepts a leading ``£`` and
  thousands separators.
- ``bool``: yes/no, y/n, true/false, 1/0.
- ``text``: free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from diagnostic_kit import registry
from diagnostic_kit.inputs import codes

Kind = Literal["id", "date", "code", "int", "number", "money", "bool", "text"]


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: Kind
    required: bool
    meaning: str
    allowed: tuple[str, ...] | None = None
    #: Descriptions of the allowed codes, for the data dictionary.
    labels: dict[str, str] | None = None


@dataclass(frozen=True)
class Table:
    """One input file."""

    name: str
    source: Literal["903", "local"]
    meaning: str
    columns: tuple[Column, ...]
    #: Columns that may appear in the file and are dropped on read on purpose (personal data
    #: the kit does not need). Any other unknown column is dropped too and reported.
    drop: tuple[str, ...] = ()
    #: Whether the run stops when the file is absent.
    required_file: bool = False
    #: Columns identifying one record, for duplicates within and across years.
    key: tuple[str, ...] = ()

    @property
    def used_by(self) -> tuple[str, ...]:
        """Report sections that read the table, from the section registry (``sections.yml``)."""
        return registry.used_by(self.name)

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _code(name: str, required: bool, meaning: str, mapping: dict[str, str]) -> Column:
    return Column(name, "code", required, meaning, tuple(mapping), dict(mapping))


def _choice(name: str, required: bool, meaning: str, values: list[str]) -> Column:
    return Column(name, "code", required, meaning, tuple(values))


CHILD = Column(
    "CHILD", "id", True, "the LA's own identifier for the child (pseudonymised in outputs)"
)
CHILD_LOCAL = Column(
    "child", "id", True, "the child's 903 CHILD identifier, as in the LA's 903 return"
)

# --- SSDA903 tables -----------------------------------------------------------------------

HEADER = Table(
    "header", "903", "one row per child looked after in the year: date of birth, sex, ethnicity",
    (
        CHILD,
        _code("SEX", True, "sex (1/2 up to 2023-24; M/F/U from 2024-25)", codes.SEX),
        Column("DOB", "date", True, "date of birth: used for ages only, never shown in a report"),
        _code("ETHNIC", True, "ethnic origin code", {k: v for k, v in codes.ETHNIC_GROUP.items()}),
    ),
    drop=("UPN", "MOTHER", "MC_DOB"),
    required_file=True,
    key=("CHILD",),
)

EPISODES = Table(
    "episodes", "903",
    "one row per episode of care: a new episode starts on any change of legal status or placement",
    (
        CHILD,
        Column("DECOM", "date", True, "date the episode started"),
        _code("RNE", True, "reason for new episode", codes.RNE),
        _code("LS", True, "legal status", codes.LS),
        _code("CIN", True, "category of need", codes.CIN),
        _code("PLACE", True, "placement type", codes.PLACE),
        _code("PLACE_PROVIDER", False, "placement provider", codes.PLACE_PROVIDER),
        Column("DEC", "date", False, "date the episode ceased; blank while open"),
        _code("REC", False, "reason the episode ceased; blank while open", codes.REC),
        Column("REASON_PLACE_CHANGE", "code", False, "reason for placement change"),
    ),
    drop=("HOME_POST", "PL_POST", "URN"),
    required_file=True,
    key=("CHILD", "DECOM"),
)

AD1 = Table(
    "ad1", "903", "one row per child adopted in the year: decision, match and adopter details",
    (
        CHILD,
        Column("DATE_INT", "date", False, "date of the decision that the child should be placed "
               "for adoption (should equal PlacedAdoption DATE_PLACED)"),
        Column("DATE_MATCH", "date", False, "date the child was matched with the adopters"),
        _code("FOSTER_CARE", False, "adopted by their foster carer(s): 1 yes, 0 no",
              codes.FOSTER_CARE),
        _code("NB_ADOPTR", False, "number of adopters", codes.NB_ADOPTR),
        _code("SEX_ADOPTR", False, "sex of adopter(s)", codes.SEX_ADOPTR),
        _code("LS_ADOPTR", False, "legal status of adopter(s)", codes.LS_ADOPTR),
    ),
    drop=("DOB",),
    # A child adopted twice has an AD1 row for each adoption: the decision date tells them apart.
    key=("CHILD", "DATE_INT"),
)

PLACED_FOR_ADOPTION = Table(
    "placed_for_adoption", "903",
    "one row per decision that a child should be placed for adoption (the ADM decision)",
    (
        CHILD,
        Column("DATE_PLACED", "date", True, "date of the decision that the child should be "
               "placed for adoption: the Agency Decision Maker's agreement of the plan"),
        Column("DATE_PLACED_CEASED", "date", False,
               "date the decision was reversed; blank if it stands"),
        _code("REASON_PLACED_CEASED", False, "why the decision was reversed",
              codes.REASON_PLACED_CEASED),
    ),
    drop=("DOB",),
    key=("CHILD", "DATE_PLACED"),
)

REVIEWS = Table(
    "reviews", "903", "one row per looked-after review",
    (
        CHILD,
        Column("REVIEW", "date", True, "date of the review"),
        _code("REVIEW_CODE", False, "participation code", codes.REVIEW_CODE),
    ),
    drop=("DOB",),
    key=("CHILD", "REVIEW"),
)

OC2 = Table(
    "oc2", "903", "children looked after 12 months at 31 March: health and offending",
    (
        CHILD,
        Column("SDQ_SCORE", "int", False, "strengths and difficulties score (0-40)"),
        Column("SDQ_REASON", "code", False, "reason an SDQ was not completed"),
        Column("CONVICTED", "bool", False, "convicted during the year"),
        Column("HEALTH_CHECK", "bool", False, "health assessment up to date"),
        Column("IMMUNISATIONS", "bool", False, "immunisations up to date"),
        Column("TEETH_CHECK", "bool", False, "teeth checked by a dentist"),
        Column("HEALTH_ASSESSMENT", "bool", False, "annual health assessment"),
        Column("SUBSTANCE_MISUSE", "bool", False, "has a substance misuse problem"),
        Column("INTERVENTION_RECEIVED", "bool", False, "received an intervention"),
        Column("INTERVENTION_OFFERED", "bool", False, "offered an intervention"),
    ),
    drop=("DOB",),
    key=("CHILD",),
)

PREVIOUS_PERMANENCE = Table(
    "previous_permanence", "903", "children returning to care after adoption, SGO or CAO",
    (
        CHILD,
        _code("PREV_PERM", False, "previous permanence option", codes.PREV_PERM),
        Column("LA_PERM", "text", False, "LA that arranged the previous permanence"),
        Column("DATE_PERM", "text", False, "date of the previous permanence order "
               "(may be partial, e.g. zz/05/2015)"),
    ),
    drop=("DOB",),
    key=("CHILD",),
)

UASC = Table(
    "uasc", "903", "unaccompanied asylum-seeking children",
    (
        CHILD,
        Column("DUC", "date", False, "date the child ceased to be an unaccompanied "
               "asylum-seeking child"),
    ),
    drop=("SEX", "DOB"),
    key=("CHILD",),
)

#: The columns of each 903 file as DfE specifies them and LAs hold them, in order. The kit reads
#: the schema's columns and drops the rest (``Table.drop``); the synthetic LA writes all of them.
SSDA903_FILE_COLUMNS: dict[str, list[str]] = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "ad1": ["CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
            "LS_ADOPTR"],
    "placed_for_adoption": ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED",
                            "REASON_PLACED_CEASED"],
    "reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "oc2": ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
            "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
    "previous_permanence": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
}

#: 903 tables the kit does not read: listed as present but not used.
SSDA903_UNUSED = ("missing", "oc3", "sw_episodes", "social_worker")

# --- Local extracts ------------------------------------------------------------------------

PLANS = (
    "reunification", "adoption", "long_term_fostering", "special_guardianship",
    "child_arrangements_order", "placement_with_parents", "other",
)
PLAN_SOURCES = ("lac_review", "iro_recommendation", "adm", "court")

PERMANENCE_PLANS = Table(
    "permanence_plans", "local",
    "one row per permanence plan decision for a child (Ofsted Annex A list 10 carries the "
    "optional columns)",
    (
        CHILD_LOCAL,
        Column("plan_date", "date", True, "date of the plan decision"),
        _choice("plan", True, "the permanence plan", list(PLANS)),
        _choice("source", True, "who made or recorded the decision; the IRO's recommendation of "
                "adoption is plan = adoption with source = iro_recommendation", list(PLAN_SOURCES)),
        Column("sibling_group", "id", False, "identifier shared by siblings to be placed together"),
        Column("disabled", "bool", False, "the child is disabled (local flag)"),
        Column("early_permanence_date", "date", False,
               "date of a fostering-for-adoption or concurrent placement"),
        Column("match_date", "date", False, "date matched with adopters, for children not yet "
               "adopted (AD1 DATE_MATCH is used for children adopted)"),
    ),
    key=("child", "plan_date", "plan", "source"),
)

HEALTH_NEEDS = Table(
    "health_needs", "local", "one row per health need identified for a child",
    (
        CHILD_LOCAL,
        Column("date_identified", "date", True, "date the need was identified"),
        _choice("need", True, "category of need", [
            "physical_disability", "learning_disability", "developmental_delay",
            "neonatal_abstinence", "foetal_alcohol_spectrum", "genetic_condition",
            "mental_health", "other",
        ]),
        _choice("severity", False, "severity", ["mild", "moderate", "severe"]),
    ),
    key=("child", "date_identified", "need"),
)

ADOPTERS = Table(
    "adopters", "local",
    "one row per adopter household (Ofsted Annex A list 11; ASGLB adopter return)",
    (
        Column("household_id", "id", True, "the LA's identifier for the household"),
        _choice("household_type", True, "single adopter or couple", ["single", "couple"]),
        _code("ethnicity", False, "ethnic origin of the first adopter (903 codes)",
              dict(codes.ETHNIC_GROUP)),
        Column("ffa_approved", "bool", False, "approved for fostering for adoption"),
        Column("fast_track", "bool", False, "fast track: previous adopters or approved foster "
               "carers, who go straight to stage 2"),
        _choice("recruited_by", False, "recruited by the LA or an agency", ["la", "agency"]),
        Column("enquiry_date", "date", False, "first enquiry"),
        Column("roi_date", "date", False, "registration of interest received"),
        Column("stage1_start", "date", False, "stage 1 (pre-assessment) started"),
        Column("stage1_end", "date", False, "stage 1 completed"),
        Column("stage2_start", "date", False, "stage 2 (assessment) started"),
        Column("stage2_end", "date", False, "stage 2 completed"),
        Column("approval_date", "date", False, "approved as adopters"),
        Column("match_date", "date", False, "matched with a child"),
        Column("placement_date", "date", False, "child placed"),
        Column("children_placed", "int", False, "number of children placed"),
        Column("ao_date", "date", False, "adoption order"),
        Column("left_date", "date", False, "date the household left the process"),
        _choice("left_reason", False, "why the household left", [
            "withdrew", "on_hold", "not_approved", "approval_terminated", "other",
        ]),
    ),
    key=("household_id",),
)

STAFFING = Table(
    "staffing", "local", "full-time equivalent staff by financial year, team and role",
    (
        Column("financial_year", "text", True, "financial year, e.g. 2024-25"),
        _choice("team", True, "team", [
            "recruitment_assessment", "family_finding", "childrens_social_work",
            "adoption_support", "management", "business_support",
        ]),
        Column("role", "text", True, "role, e.g. social worker"),
        Column("fte", "number", True, "full-time equivalent"),
    ),
    key=("financial_year", "team", "role"),
)

#: What a cost row pays for (``costs.csv`` ``purpose``).
COST_PURPOSES = {
    "placing": "placing children: family finding, matching, placement, interagency fees paid "
               "(fees received reduce it)",
    "recruiting": "recruiting, assessing and approving adopters: marketing, assessment, panel",
    "support": "adoption support and allowances after the adoption order",
    "overheads": "shared by the whole service: management, business support, accommodation, "
                 "corporate costs",
}
#: The purpose of a cost row whose ``purpose`` is blank, by its category. ``staff``,
#: ``panel_adm`` and ``other`` have no single purpose: they are split (``measures.resources``).
DEFAULT_PURPOSE = {
    "interagency_fees_paid": "placing",
    "interagency_fees_received": "placing",
    "legal": "placing",
    "recruitment_marketing": "recruiting",
    "adoption_allowances": "support",
    "overheads": "overheads",
}
#: The purpose of each staffing team's work: blank-purpose staff costs are split by these.
TEAM_PURPOSE = {
    "family_finding": "placing",
    "childrens_social_work": "placing",
    "recruitment_assessment": "recruiting",
    "adoption_support": "support",
    "management": "overheads",
    "business_support": "overheads",
}


def _by_purpose(mapping: dict[str, str]) -> str:
    groups: dict[str, list[str]] = {}
    for name, purpose in mapping.items():
        groups.setdefault(purpose, []).append(name)
    return "; ".join(f"{', '.join(names)} → {p}" for p, names in groups.items())


_PURPOSE_MEANING = (
    "the part of the service the row pays for. Left blank, the category decides: "
    f"{_by_purpose(DEFAULT_PURPOSE)}; staff is split by the staffing file's FTE of each team "
    f"that year ({_by_purpose(TEAM_PURPOSE)}); panel_adm is split between placing and "
    "recruiting by the year's children placed and households approved; other, and any cost "
    "that cannot be split, is apportioned like overheads (docs/methodology.md, Resources)"
)

COSTS = Table(
    "costs", "local", "adoption service costs and income by financial year and category",
    (
        Column("financial_year", "text", True, "financial year, e.g. 2024-25"),
        _choice("category", True, "cost category", [
            "staff", "interagency_fees_paid", "interagency_fees_received",
            "adoption_allowances", "panel_adm",
            "recruitment_marketing", "legal", "overheads", "other",
        ]),
        _code("purpose", False, _PURPOSE_MEANING, COST_PURPOSES),
        Column("amount", "money", True, "amount in pounds (a leading £ and commas are accepted)"),
        Column("income", "bool", False, "the row is income, e.g. interagency fees received"),
    ),
    key=("financial_year", "category", "purpose", "income"),
)

ANSWERS = ["yes", "partly", "no", "not_applicable"]
AUDIT_QUESTIONS = 13

CASE_AUDITS = Table(
    "case_audits", "local", "one row per completed adoption-support case quality audit form",
    (
        Column("audit_id", "id", True, "unique per form"),
        Column("case_ref", "id", True, "the case system (ICS) number; pseudonymised in outputs"),
        Column("team", "text", False, "team, e.g. adoption support"),
        Column("worker_ref", "id", False, "worker identifier, never a name"),
        Column("worker_role", "text", False, "e.g. social worker, senior practitioner"),
        Column("auditor_ref", "id", False, "auditor identifier, never a name"),
        Column("category", "text", False, "category of case, e.g. adoptive support"),
        _choice("audit_reason", True, "why the audit was done",
                ["within_60_days", "closure", "six_monthly"]),
        Column("case_start_date", "date", False, "date the case moved to the service"),
        Column("closure_date", "date", False, "closure date, for closure audits"),
        Column("previous_audit_date", "date", False, "date of the previous audit"),
        Column("date_audited", "date", True, "date of the audit"),
        *(
            col
            for i in range(1, AUDIT_QUESTIONS + 1)
            for col in (
                _choice(f"q{i}", False, f"judgement on question {i}", ANSWERS),
                Column(f"q{i}_comment", "text", False, f"auditor's comment on question {i}"),
            )
        ),
        Column("good_practice", "text", False, "good practice observed (question 12)"),
        Column("restorative_actions", "text", False, "what, by whom, by when; blank if none"),
        Column("action_due_date", "date", False, "when restorative actions are due"),
        Column("actions_completed_date", "date", False, "when the restorative actions were "
               "completed (from the case system); blank while they are open"),
        _choice("overall_grade", True, "overall grade",
                ["outstanding", "good", "requires_improvement", "inadequate"]),
        Column("score", "int", True, "judgement score, 1-10"),
        Column("response_date", "date", False, "date the audit response was entered on the "
               "case system"),
    ),
    key=("audit_id",),
)

#: National figures an LA may set beside its statistical neighbours' or region's (the keys of
#: ``params.comparators`` that compare like with like between LAs).
COMPARED_MEASURES = ["a1_mean_days", "a10_mean_days", "a2_mean_days",
                     "adopted_share_of_leavers_pct", "entry_to_adoption_days",
                     "three_plus_placements_pct"]

COMPARATORS = Table(
    "comparators", "local",
    "published figures of the LA's statistical neighbours or region, shown beside England's "
    "(never used to rate)",
    (
        _choice("measure", True, "the measure, as the kit names it", COMPARED_MEASURES),
        Column("area", "text", True, "whose figure: e.g. statistical neighbours, the region"),
        Column("value", "number", True, "the published figure (days, or % for a share)"),
        Column("period", "text", True, "the period it covers, e.g. 2021-24 (three-year average)"),
        Column("source", "text", True, "where it was published"),
    ),
    key=("measure", "area", "period"),
)

SSDA903_TABLES: tuple[Table, ...] = (
    HEADER, EPISODES, AD1, PLACED_FOR_ADOPTION, REVIEWS, OC2, PREVIOUS_PERMANENCE, UASC,
)
LOCAL_TABLES: tuple[Table, ...] = (
    PERMANENCE_PLANS, HEALTH_NEEDS, ADOPTERS, STAFFING, COSTS, CASE_AUDITS, COMPARATORS,
)
TABLES: dict[str, Table] = {t.name: t for t in (*SSDA903_TABLES, *LOCAL_TABLES)}
