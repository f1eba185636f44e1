"""SSDA903 codes the kit reads, kept as data.

Codes follow the DfE "Children looked after return" guidance. Codes change between collection
years: each list below holds every code of any year since 2015-16, and :data:`CHANGES` says,
year by year, which codes came in and which went out (a base plus yearly differences, as the
DfE specifications give them). A code unknown in every year is a finding (``code_unknown``); a
code valid in some year but not in its row's (``code_not_valid_that_year``) is a finding too;
neither drops the row.
"""

from __future__ import annotations

import pandas as pd

# Reason for new episode.
RNE = {
    "S": "started to be looked after",
    "L": "change of legal status only",
    "P": "change of placement and carer",
    "T": "change of placement, same carer",
    "B": "change of legal status and of placement and carer",
    "U": "change of legal status and of placement, same carer",
}
#: Episodes that begin with a new carer: the walk back for foster-carer adoptions stops here.
RNE_NEW_CARER = ("S", "P", "B")
#: Placement moves: a change of carer within a period of care (RNE P or B).
RNE_CHANGE_OF_CARER = ("P", "B")
#: Episodes that continue with the same carer.
RNE_SAME_CARER = ("L", "T", "U")

# Legal status.
LS = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "freeing order granted",
    "E1": "placement order granted",
    "V2": "single period of accommodation under s20",
    "V3": "short breaks: single placement (accommodated under s20)",
    "V4": "short breaks: series of placements (accommodated under s20)",
    "L1": "under police protection",
    "L2": "emergency protection order",
    "L3": "child assessment order",
    "J1": "remanded to LA accommodation or youth detention",
    "J2": "placed in LA accommodation under PACE",
    "J3": "sentenced to a youth rehabilitation order with residence or fostering",
}
#: A placement order: the LA's authority to place for adoption (the journey's PO date).
LS_PLACEMENT_ORDER = ("E1",)
#: A freeing order: the authority to place before the Adoption and Children Act 2002 came into
#: force (30 December 2005); not a placement order (DfE 445).
LS_FREEING_ORDER = ("D1",)
#: Court authority to place of either kind (section 4's position "placement order, not placed").
LS_COURT_AUTHORITY = LS_PLACEMENT_ORDER + LS_FREEING_ORDER
#: The last day a freeing order could be made (DfE 445).
FREEING_ORDERS_END = "2005-12-31"
LS_SHORT_BREAKS = ("V3", "V4")

# Placement type, any year since 2015-16.
PLACE = {
    "A3": "placed for adoption with consent with current foster carer(s)",
    "A4": "placed for adoption with consent, not with current foster carer(s)",
    "A5": "placed for adoption under a placement order with current foster carer(s)",
    "A6": "placed for adoption under a placement order, not with current foster carer(s)",
    "H5": "semi-independent living accommodation not subject to children's homes regulations",
    "K1": "secure children's home",
    "K2": "children's home",
    "P1": "placed with own parent(s) or person with parental responsibility",
    "P2": "independent living, e.g. flat, lodgings, bedsit, B&B or with friends",
    "P3": "residential employment",
    "R1": "residential care home",
    "R2": "NHS/health trust or other establishment providing medical or nursing care",
    "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison",
    "S1": "all residential schools, except where dual-registered as a school and children's home",
    "T0": "temporary placement: all types",
    "T1": "temporary periods in hospital",
    "T2": "temporary absences of the child on holiday",
    "T3": "temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "temporary accommodation of seven days or less",
    "U1": "foster placement with relative or friend: long-term fostering",
    "U2": "foster placement with relative or friend who is also an approved adopter: "
    "fostering for adoption or concurrent planning",
    "U3": "foster placement with relative or friend: not long-term or FFA/concurrent",
    "U4": "foster placement with other foster carer: long-term fostering",
    "U5": "foster placement with other foster carer who is also an approved adopter: "
    "fostering for adoption or concurrent planning",
    "U6": "foster placement with other foster carer: not long-term or FFA/concurrent",
    "Z1": "other placements",
    "Z11": "other placements: supported lodgings",
    "Z12": "other placements: other",
    "Z13": "other placements: unregulated",
    "Z14": "other placements: unregistered",
}
PLACE_ADOPTION = ("A3", "A4", "A5", "A6")
PLACE_ADOPTION_WITH_FOSTER_CARER = ("A3", "A5")
PLACE_EARLY_PERMANENCE = ("U2", "U5")

PLACE_PROVIDER = {
    "PR0": "parent(s) or other person(s) with parental responsibility",
    "PR1": "own provision by the LA",
    "PR2": "other LA provision",
    "PR3": "other public provision (e.g. by a PCT etc)",
    "PR4": "private provision",
    "PR5": "voluntary/third sector provision",
}

# Reason episode ceased.
REC = {
    "X1": "episode ceases, and new episode begins on same day, for any reason",
    "E11": "adopted: application for an adoption order unopposed",
    "E12": "adopted: consent dispensed with by the court",
    "E2": "died",
    "E3": "care taken over by another LA in the UK",
    "E4A": "returned home to live with parent(s), relative(s) or other person(s) with PR "
    "as part of the care planning process",
    "E4B": "returned home to live with parent(s), relative(s) or other person(s) with PR "
    "not as part of the care planning process",
    "E13": "left care to live with parent(s), relative(s) or other person(s) with no PR",
    "E15": "age assessment determined child is aged 18 or over",
    "E16": "child moved abroad",
    "E17": "aged 18 (or over) and remained with current carers (inc under staying put)",
    "E41": "residence order (or, from 22 April 2014, a child arrangement order) granted",
    "E45": "special guardianship order made to former foster carer(s), who were a relative "
    "or friend",
    "E46": "special guardianship order made to former foster carer(s), other than "
    "relative or friend",
    "E47": "special guardianship order made to carer(s), other than former foster carer(s), "
    "who were a relative or friend",
    "E48": "special guardianship order made to carer(s), other than former foster carer(s), "
    "other than relative or friend",
    "E43": "special guardianship order made to former foster carer(s) (before 2015-16)",
    "E44": "special guardianship order made to carer(s) other than former foster carer(s) "
    "(before 2015-16)",
    "E5": "moved into independent living arrangement and no longer looked-after: "
    "supportive accommodation",
    "E6": "moved into independent living arrangement and no longer looked-after: "
    "no formalised support",
    "E7": "transferred to residential care funded by adult social services",
    "E8": "period of being looked-after ceased for any other reason",
    "E9": "sentenced to custody",
    "E14": "accommodation on remand ended",
}
REC_ADOPTED = ("E11", "E12")
REC_SGO = ("E43", "E44", "E45", "E46", "E47", "E48")
REC_RETURNED_HOME = ("E4A", "E4B")
REC_CONTINUES = "X1"

# Category of need.
CIN = {
    "N1": "abuse or neglect",
    "N2": "child's disability",
    "N3": "parental illness or disability",
    "N4": "family in acute stress",
    "N5": "family dysfunction",
    "N6": "socially unacceptable behaviour",
    "N7": "low income",
    "N8": "absent parenting",
}
CIN_DISABILITY = "N2"

# Sex: numeric up to 2023-24, letters from 2024-25. Both accepted.
SEX = {"1": "male", "2": "female", "M": "male", "F": "female", "U": "not known"}

# Ethnicity and the report's groups.
ETHNIC_GROUP = {
    "WBRI": "White", "WIRI": "White", "WIRT": "White", "WOTH": "White", "WROM": "White",
    "MWBC": "Mixed", "MWBA": "Mixed", "MWAS": "Mixed", "MOTH": "Mixed",
    "AIND": "Asian", "APKN": "Asian", "ABAN": "Asian", "AOTH": "Asian",
    "BCRB": "Black", "BAFR": "Black", "BOTH": "Black",
    "CHNE": "Other", "OOTH": "Other",
    "REFU": "Not known", "NOBT": "Not known",
}
ETHNIC_GROUP_ORDER = ("White", "Mixed", "Asian", "Black", "Other", "Not known")

# PlacedAdoption: why the decision that the child should be placed for adoption was reversed.
REASON_PLACED_CEASED = {
    "RD1": "the child's needs changed",
    "RD2": "the court did not make a placement order",
    "RD3": "prospective adopters could not be found",
    "RD4": "any other reason",
}

# AD1 adopter details.
FOSTER_CARE = {"0": "not adopted by foster carer(s)", "1": "adopted by foster carer(s)"}
NB_ADOPTR = {"1": "one adopter", "2": "two adopters"}
SEX_ADOPTR = {
    "M1": "single male", "F1": "single female",
    "MM": "male couple", "FF": "female couple", "MF": "male and female couple",
}
LS_ADOPTR = {
    "L0": "single", "L11": "married different-sex couple", "L12": "married same-sex couple",
    "L2": "civil partners", "L3": "unmarried different-sex couple",
    "L4": "unmarried same-sex couple",
}

REVIEW_CODE = {f"PN{i}": f"participation code {i}" for i in range(8)}

PREV_PERM = {
    "P1": "adoption", "P2": "special guardianship order",
    "P3": "residence order / child arrangements order", "P4": "previous permanence unknown",
    "Z1": "not applicable / no previous permanence",
}


# -- which years a code is valid in ----------------------------------------------------------------

#: The first collection year (by the year it ends in) whose codes the kit holds: 2015-16.
BASE_YEAR = 2016
#: How codes changed between collection years, as data: by the year a change took effect (the
#: year the collection year ends in: 2025 is 2024-25), by (table, column), the codes added and
#: the codes removed. Every other code of a list is valid from :data:`BASE_YEAR` on.
CHANGES: dict[int, dict[tuple[str, str], dict[str, tuple[str, ...]]]] = {
    # Sex recorded as letters from the 2024-25 return (M, F, U in place of 1 and 2).
    2025: {("header", "SEX"): {"added": ("M", "F", "U"), "removed": ("1", "2")},
           ("uasc", "SEX"): {"added": ("M", "F", "U"), "removed": ("1", "2")}},
    # "Other placements" (Z1) split into four from the 2025-26 return.
    2026: {("episodes", "PLACE"): {"added": ("Z11", "Z12", "Z13", "Z14"), "removed": ("Z1",)}},
}


def year_label(year: int) -> str:
    """A collection year by the year it ends in, as DfE writes it: ``year_label(2025)`` is
    ``2024-25``."""
    return f"{year - 1}-{year % 100:02d}"


def valid_years(table: str, column: str, code: str) -> tuple[int, int | None]:
    """The first and last collection years (by the years they end in) in which ``code`` is
    valid for ``table.column``: ``(BASE_YEAR, None)`` for a code no change touched (None: still
    valid). ``valid_years("header", "SEX", "1") == (2016, 2024)``."""
    first, last = BASE_YEAR, None
    for year in sorted(CHANGES):
        change = CHANGES[year].get((table, column), {})
        if code in change.get("added", ()):
            first = year
        if code in change.get("removed", ()):
            last = year - 1
    return first, last


def changed_columns() -> set[tuple[str, str]]:
    """The (table, column) pairs whose codes changed in some year."""
    return {key for change in CHANGES.values() for key in change}


def years_words(table: str, column: str, code: str) -> str:
    """When a code is valid, in words ("from 2024-25", "to 2023-24"), or "" when always."""
    first, last = valid_years(table, column, code)
    if last is not None:
        return f"to {year_label(last)}"
    return f"from {year_label(first)}" if first > BASE_YEAR else ""


def not_valid_that_year(values, table: str, column: str, year: int):
    """Which of ``values`` (a column of one year's return, ``year`` the year it ends in; 0 for
    files given combined, never flagged) are codes valid in other collection years but not in
    this one: a boolean mask, as a pandas Series of ``values``' index."""
    code = pd.Series(values).astype("string").str.strip().str.upper()
    bad = pd.Series(False, index=code.index)
    if not year or (table, column) not in changed_columns():
        return bad
    for value in code.dropna().unique():
        first, last = valid_years(table, column, value)
        if year < first or (last is not None and year > last):
            bad |= code.eq(value).fillna(False).astype(bool)
    return bad
