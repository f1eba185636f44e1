"""Validation rules, each a small registered function (see :mod:`.registry`).

Importing the package registers every rule in the one catalogue, ``inputs.findings.RULES``.
Modules by concern: :mod:`.header` (dates across the 903 tables), :mod:`.episodes` (episode
chains), :mod:`.local` (local extracts).
"""

from diagnostic_kit.rules import episodes, header, local  # noqa: F401  (registers the rules)
from diagnostic_kit.rules.registry import REGISTRY, Context, catalogue, check, rule, run

__all__ = ["REGISTRY", "Context", "catalogue", "check", "rule", "run"]
