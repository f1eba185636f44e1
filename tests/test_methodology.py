"""docs/methodology.md cannot drift: its section table matches the registry and its standards,
thresholds and national figures match params/defaults.yaml, row by row."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from diagnostic_kit import registry

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
DEFAULTS = yaml.safe_load((ROOT / "params" / "defaults.yaml").read_text(encoding="utf-8"))


def _rows() -> dict[str, list[str]]:
    """Table rows of the document by their first cell."""
    out = {}
    for line in DOC.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[cells[0]] = cells
    return out


def _number(v) -> str:
    return "none" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def test_sections_table_matches_the_registry():
    rows = _rows()
    for s in registry.sections():
        row = rows[str(s.number)]
        assert row[1:] == [s.short, s.about, s.status], s.key


def test_standards_match_the_defaults():
    rows = _rows()
    for key, std in DEFAULTS["standards"].items():
        assert rows[key] == [key, str(std["days"]), std["label"], std["basis"]]


def test_thresholds_and_comparators_match_the_defaults():
    rows = _rows()
    for group in ("thresholds", "costs"):
        for key, b in DEFAULTS[group].items():
            if "by_year" in b:   # a fee by financial year
                years = "; ".join(f"{y}: {_number(v)}" for y, v in b["by_year"].items())
                held = "yes" if b.get("holds_until_changed") else "no"
                assert rows[key] == [key, years, held, str(b["period"]), b["source"]], key
            else:
                assert rows[key] == [key, _number(b["value"]), str(b["period"]), b["source"]], key
    # National figures: one dated table, with the publication and whether it is confirmed.
    for key, b in DEFAULTS["comparators"].items():
        assert rows[key] == [key, _number(b["value"]), str(b["period"]),
                             str(b.get("period_end") or ""), b["source"],
                             b.get("publication", ""),
                             "yes" if b.get("confirmed", True) else "no"], key
    for key, t in DEFAULTS["targets"].items():
        assert rows[key] == [key, _number(t["value"]), t["better"], t["label"], t["basis"]], key


def test_the_document_points_nowhere_outside_the_repository():
    assert "shared/" not in DOC
    for target in re.findall(r"\]\(([^)]+)\)", DOC):
        assert not target.startswith(".."), target


def test_every_area_for_improvement_is_stated():
    from diagnostic_kit.present import improvement

    rows = _rows()
    for area_id in improvement.AREAS:
        assert area_id in rows, area_id
    stated = {k for k, r in rows.items() if len(r) == 3 and r[2].startswith("red or amber")}
    assert stated == set(improvement.AREAS)
