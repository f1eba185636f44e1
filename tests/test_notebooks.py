"""Notebooks orchestrate: every active section has its measures and its words in the package,
and every notebook imports in its setup cell, under one alias convention (a section's measures
module by its own name, its words as ``<name>_text``; ``narrative as nv``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from diagnostic_kit import registry

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: Present modules that are not a section's words, and the names they go by.
PRESENT_NAMES = {"narrative": "nv", "charts": "charts", "timescale_charts": "timescale_charts",
                 "improvement": "improvement"}
_IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+)?import\s+(.+)$")


def _code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("spec", registry.sections("active"), ids=lambda s: s.key)
def test_each_active_section_has_its_measures_and_its_words(spec):
    measures = ROOT / spec.measures
    assert measures.is_file(), spec.measures
    assert (ROOT / "diagnostic_kit" / "present" / measures.name).is_file(), measures.stem


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_imports_in_the_setup_cell_under_one_convention(path):
    cells = _code_cells(path)
    assert cells[0].lstrip().startswith("params_file"), "the first code cell is the parameters"
    for i, src in enumerate(cells[2:], start=2):
        imports = [ln for ln in src.splitlines() if _IMPORT.match(ln)]
        assert not imports, f"cell {i} imports: {imports}"
    seen = 0
    for line in cells[1].splitlines():
        m = _IMPORT.match(line)
        if not m or not (m.group(1) or "").startswith("diagnostic_kit."):
            continue
        layer = m.group(1).split(".")[1]
        for part in m.group(2).split(","):
            name, _, alias = part.strip().partition(" as ")
            alias = alias.strip() or name
            if m.group(1) == "diagnostic_kit.measures":
                assert alias == name, line
                seen += 1
            elif m.group(1) == "diagnostic_kit.present":
                assert alias == PRESENT_NAMES.get(name, f"{name}_text"), line
                seen += 1
            else:
                assert layer in ("present", "run", "inputs", "derive", "measures"), line
    assert seen, "a section notebook imports its measures and its words"
