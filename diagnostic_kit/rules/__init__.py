"""Validation rules, each a small registered function (see :mod:`.engine`).

Importing the package registers every rule in the one catalogue, ``inputs.findings.RULES``
(where the checks made while reading are declared too, ``inputs.reading_rules``). Modules by
concern and by the stage they run at (``inputs.findings.STAGES``): :mod:`.header` (dates across
the 903 tables), :mod:`.returns` (one year's return against the next) and :mod:`.local` (local
extracts) on the tables as read; :mod:`.episodes` (episode chains) and :mod:`.placements`
(placements, legal statuses, reasons for new episodes); :mod:`.adoption` (the adoption tables
against the periods of care); :mod:`.journeys` (the journey facts).
"""

from diagnostic_kit.inputs import annex_a  # noqa: F401  (declares its reading rule)
from diagnostic_kit.rules import (  # noqa: F401  (registers the rules, in the order they run)
    adoption,
    episodes,
    header,
    journeys,
    local,
    placements,
    returns,
)
from diagnostic_kit.rules.engine import (
    CATALOGUE_FILE,
    REGISTRY,
    Context,
    catalogue,
    catalogue_csv,
    check,
    rule,
    run,
)

__all__ = ["CATALOGUE_FILE", "REGISTRY", "Context", "catalogue", "catalogue_csv", "check", "rule",
           "run"]
