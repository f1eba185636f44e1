"""Reading an LA's inputs: the schema and codes, parameters, files into tables.

Importing the package declares the checks made while reading (:mod:`.reading_rules`) in the
one rule catalogue, ``inputs.findings.RULES``.
"""

from diagnostic_kit.inputs import reading_rules  # noqa: F401  (declares the reading rules)
