"""Areas for improvement: for each finding that needs attention, the questions a service would
ask next and the evidence to take to them. The starting points of an improvement plan.

Each area is a small registered rule (:func:`area`): its id, the finding it answers (a
``measures.headline.Headline`` key), an optional further trigger, a title, and a function that
writes its words: the questions, and the way to the evidence. The finding's own figures are
said once, in the summary's "What needs attention" just above the areas; an area adds only what
that sentence does not (how many waited longer, the stage to start with). A rule fires only on
a red or amber finding of its key (and its trigger); no finding, no paragraph. The areas come
in the order of the findings (``measures.headline.rank``), so the plan starts where the most
days, children or households are lost. ``tests/test_diagnosis.py`` shows each rule firing on
its trigger and not otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from diagnostic_kit.inputs.params import Params
from diagnostic_kit.measures import adopters as ad
from diagnostic_kit.measures import timescales as ts
from diagnostic_kit.measures import under_fives as uf
from diagnostic_kit.measures import waiting as wt
from diagnostic_kit.measures.headline import Headline, needs_attention, rank
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present.timescales import STAGE_LABELS
from diagnostic_kit.registry import table_anchor

Words = Callable[[Headline, Params], str]


@dataclass(frozen=True)
class Area:
    """One registered area for improvement (see the module)."""

    id: str
    finding: str
    title: str
    words: Words
    when: Callable[[Headline], bool]

    def fires(self, h: Headline) -> bool:
        """Whether this area applies to finding ``h``: its key, red or amber, and the trigger."""
        return h.key == self.finding and h.rating in ("red", "amber") and self.when(h)


#: Every area, by id, in the order registered.
AREAS: dict[str, Area] = {}


def area(id: str, finding: str, title: str,
         when: Callable[[Headline], bool] | None = None) -> Callable[[Words], Words]:
    """Register an area for improvement answering the finding ``finding``."""
    def register(words: Words) -> Words:
        if id in AREAS:
            raise ValueError(f"area {id!r} registered twice")
        AREAS[id] = Area(id, finding, title, words, when or (lambda h: True))
        return words
    return register


def areas_for(headlines: Iterable[Headline], params: Params) -> list[tuple[Area, Headline]]:
    """The areas that fire, in the order of their findings (worst first)."""
    out = []
    for h in rank(needs_attention(headlines)):
        out += [(a, h) for a in AREAS.values() if a.fires(h)]
    return out


def paragraphs(headlines: Iterable[Headline], params: Params,
               limit: int | None = None) -> list[str]:
    """Each area that fires as a paragraph: its title in bold, then its words."""
    found = areas_for(headlines, params)[:limit]
    return [f"**{a.title}.** {a.words(h, params)}" for a, h in found]


def _see(*links: tuple[str, str]) -> str:
    """"Evidence: [the stage table](#…) and [the drift list](#…)."""
    return "Evidence: " + nv.plain_list(f"[{words}]({href})" for words, href in links) + "."


def _days(h: Headline) -> tuple[str, str]:
    """The link to the days lost per stage, as the stage's finding names it."""
    return ("the days lost per stage", h.evidence)


_STAGES = ("the days lost per stage", table_anchor(ts.KEY, ts.EVIDENCE["stages"]))
_DRIFT = ("the children over their stage's standard now",
          table_anchor(ts.KEY, ts.EVIDENCE["drift"]))
_PO_WAITING = ("the children with a placement order not yet placed",
               table_anchor(ts.KEY, ts.EVIDENCE["po_waiting"]))
_LEGACY = ("the children waiting longest", table_anchor(wt.KEY, wt.EVIDENCE["legacy"]))
_FLOWS = ("decisions, orders and placements by year", table_anchor(wt.KEY, wt.EVIDENCE["flows"]))
_UNDER5 = ("the under-fives drift list", uf.DRIFT_LIST_ANCHOR)
_LONGEST = ("the longest journeys", table_anchor("03_shortest_longest", "The longest journeys"))
_SUFFICIENCY = ("children and adopters waiting, side by side",
                table_anchor(ad.KEY, ad.EVIDENCE["sufficiency"]))


@area("permanence_planning", "stage_entry_to_iro", "Plan for permanence earlier")
def _permanence_planning(h: Headline, params: Params) -> str:
    return ("Is a permanence plan made at the second looked-after review for "
            "every child who cannot return home, and are parallel plans recorded from the "
            "first? Which children had adoption recommended only late in care proceedings, "
            f"and what held it back? {_see(_days(h), _UNDER5)}")


@area("adm_decision", "stage_iro_to_adm", "Bring cases to the agency decision maker sooner")
def _adm_decision(h: Headline, params: Params) -> str:
    return ("When the IRO recommends adoption, is the child permanence report "
            "ready, with the medical and the birth family's views? How long do cases wait for "
            "a panel or decision-maker date, and is there a slot each month? "
            f"{_see(_days(h), _DRIFT)}")


@area("care_proceedings", "stage_adm_to_po", "Shorten the time to the placement order")
def _care_proceedings(h: Headline, params: Params) -> str:
    return ("Is the placement order application issued with the care "
            "application, or only after the decision? Which cases ran past 26 weeks, and was "
            "it court listing, further assessments or late kinship assessments? What does the "
            f"local family justice board's data show for the same cases? {_see(_days(h), _DRIFT)}")


@area("family_finding", "stage_po_to_placement", "Find families sooner after the order")
def _family_finding(h: Headline, params: Params) -> str:
    return ("Does family finding start at the ADM decision rather than at "
            "the placement order? Are the children waiting profiled on the national matching "
            "tools within a set time, and when is an interagency placement considered? "
            f"{_see(_days(h), _PO_WAITING)}")


@area("matching", "a2", "Match children sooner after the placement order")
def _matching(h: Headline, params: Params) -> str:
    return (f"{nv.children(h.reach).capitalize()} waited longer than {h.benchmark_label}. "
            "Are links explored before the order so a match can follow it? Are "
            "matches held up by waiting for panel dates, by adopters' assessments not "
            "finished, or by the search for a family for a sibling group? "
            f"{_see(('the scorecard table', h.evidence), _PO_WAITING)}")


@area("adoption_orders", "stage_placement_to_ao", "Apply for adoption orders sooner")
def _adoption_orders(h: Headline, params: Params) -> str:
    return ("How long after placement do adopters apply (the law allows it "
            "after 10 weeks)? Are the reports to court written on time, and are adopters "
            "helped with the application? Which orders were delayed by a contested hearing or "
            f"by listing? {_see(_days(h))}")


def _worst_stage(params: Params, h: Headline) -> str:
    stage = h.detail.get("worst_stage")
    return f" The stage that loses the most days is {nv.lower_first(STAGE_LABELS[stage])}: " \
        "start there." if stage else ""


@area("overall_timeliness", "a1", "Reduce the time from care entry to an adoptive family")
def _overall_timeliness(h: Headline, params: Params) -> str:
    return (f"{nv.count_of(h.reach, h.n)} took longer than {h.benchmark_label}."
            f"{_worst_stage(params, h)} Which children waited longest, and at which "
            "stage did their journeys stall? "
            f"{_see(('the scorecard table', h.evidence), _STAGES, _LONGEST)}")


@area("early_permanence", "early_permanence", "Use early permanence for young children")
def _early_permanence(h: Headline, params: Params) -> str:
    return ("Is fostering for adoption or concurrent "
            "planning considered for every baby or young child for whom adoption is a likely "
            "outcome, at the legal planning meeting? How many approved adopters are also "
            "approved to foster for adoption, and do social workers, IROs and the local "
            "judiciary know the approach? "
            f"{_see(('the early-permanence table', h.evidence), _SUFFICIENCY)}")


@area("adopter_assessment", "adopter_approval_within_6_months",
      "Assess adopters within the statutory timescales")
def _adopter_assessment(h: Headline, params: Params) -> str:
    return ("Where do the months go: stage 1 (8 "
            "weeks), a pause between the stages, or stage 2 (4 months)? Is assessment capacity "
            "matched to registrations, and how long do households wait for a stage 2 start or "
            f"a panel date? {_see(('the adopter timescales', h.evidence))}")


@area("sufficiency", "approved_adopters_waiting", "Approve the adopters the waiting children need",
      when=lambda h: h.detail.get("children_po_waiting", 0) > 0)
def _sufficiency(h: Headline, params: Params) -> str:
    d = h.detail
    return ("Are the households approved for the children who wait (sibling groups, older "
            "children, children with additional needs)? Is recruitment aimed at those children, "
            "and are the waiting households offered to other agencies? "
            + _see(("the households waiting", h.evidence),
                   ("children and adopters side by side", d["sufficiency"])))


@area("adopters_waiting", "approved_adopters_waiting", "Match approved adopters sooner",
      when=lambda h: h.detail.get("children_po_waiting", 0) == 0)
def _adopters_waiting(h: Headline, params: Params) -> str:
    return ("No child with a placement order is waiting here. Are the households "
            "offered to other agencies and the national matching tools? Is approval paced to "
            f"the children likely to need adoption? {_see(('the households waiting', h.evidence))}")


@area("audit_quality", "audits_good_or_better", "Raise the quality of casework")
def _audit_quality(h: Headline, params: Params) -> str:
    d = h.detail
    return (f"{nv.plural(int(d['requires_improvement']), 'audit').capitalize()} required "
            f"improvement and "
            f"{nv.count(int(d['inadequate']))} were inadequate. What do the weaker audits have "
            "in common: team, worker role, quarter? Were the restorative actions of the "
            f"inadequate ones completed and re-audited? {_see(('the audit grades', h.evidence))}")


@area("audit_safeguarding", "audit_child_protected", "Show that children are protected")
def _audit_safeguarding(h: Headline, params: Params) -> str:
    d = h.detail
    return (f"In the {nv.plural(int(d['no']), 'case')} answered no, were the concerns escalated "
            "and acted on? Is management oversight (question 7) weak in the same cases? "
            f"{_see(('the answers per question', h.evidence))}")


@area("representation", "under_represented", "Find families for every group of children")
def _representation(h: Headline, params: Params) -> str:
    row = h.detail["row"]
    return (f"At which step do children of {nv.lower_first(row['heading'])} "
            f"{row['category']} fall away: the ADM decision, the placement order or the match? Are "
            "families recruited who reflect their heritage and needs, and are other "
            "permanence plans chosen for them more often, and why? "
            + _see(("the table", h.evidence)))


@area("unit_cost", "unit_cost_per_child_placed", "Find out what makes placing a child cost more "
      "than the fee")
def _unit_cost(h: Headline, params: Params) -> str:
    return ("How many children does each family-finding worker place a year, and how many "
            "placements came from other agencies' adopters (fees paid)? Is there capacity that "
            "the number of children placed does not use, and would placing more of the children "
            f"who wait bring the unit cost down? {_see(('the unit costs by year', h.evidence))}")


@area("young_children_legal_drift", "under5_c1_v2_at_two_years",
      "Conclude the legal plans of young children who have waited two years")
def _young_children_legal_drift(h: Headline, params: Params) -> str:
    return ("For each child on an interim care order or s20 at two years, what is holding the "
            "proceedings beyond 26 weeks, or why is a two-year s20 arrangement not before the "
            "court? Is there a permanence plan, and was it made by the second review? "
            f"{_see(('the under-fives drift list', h.evidence))}")


@area("placements_after_decision", "placed_within_12_months_of_adm",
      "Place more children within a year of the decision")
def _placements_after_decision(h: Headline, params: Params) -> str:
    return ("Does family finding start "
            "at the decision, with a profile and the national matching tools, rather than at "
            "the placement order? Who tracks each child from the decision, and is there a "
            "review (a legacy or tracking meeting) for every child not matched within six "
            "months? Are decisions made for children the service can place, or do reversals "
            f"show plans made too early? {_see(('the curves', h.evidence), _LEGACY, _FLOWS)}")


@area("longest_waits", "po_waiting_18m", "Review the plans of the children waiting longest")
def _longest_waits(h: Headline, params: Params) -> str:
    return ("For each child waiting 18 months or more since the order, when was the plan "
            "last reviewed, which families were considered and why not matched? Is an "
            "interagency or voluntary agency placement, a change of profile (alone or apart "
            "from siblings) or a different permanence plan now in the child's interest? "
            f"{_see(('the children waiting longest', h.evidence), _PO_WAITING)}")
