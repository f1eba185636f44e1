"""The error that stops a run on an input problem, shared by every reader of the inputs layer."""

from __future__ import annotations


class InputError(Exception):
    """An input problem that stops the run; ``str(exc)`` is one sentence for the analyst."""


#: Where an input's columns and codes are described: named in every sentence about a 903 file.
TEMPLATE_HINT = "data_templates/data_dictionary.md"
