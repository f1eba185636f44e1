"""Contracts of the section registry (``diagnostic_kit/sections.yml``): notebooks and keys agree,
metrics are declared once and recorded by their own section only, and a section reads only the
tables it declares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from diagnostic_kit import registry
from diagnostic_kit.inputs.schema import TABLES
from diagnostic_kit.present.section import Section
from diagnostic_kit.run.prepare import SectionData, UndeclaredTableError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _code(nb: Path) -> str:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_every_active_section_has_its_notebook_and_every_notebook_is_registered():
    active = {s.notebook for s in registry.sections("active")}
    on_disk = {p.name for p in NOTEBOOKS.glob("*.ipynb")}
    assert active == on_disk


@pytest.mark.parametrize("spec", registry.sections("active"), ids=lambda s: s.key)
def test_a_notebooks_key_is_its_file_stem(spec):
    code = _code(NOTEBOOKS / spec.notebook)
    keys = re.findall(r'open_la\([^)]*section="([^"]+)"\)', code)
    assert keys == [spec.key]
    # The key is written once: Section takes it from the data it was opened with.
    assert f'"{spec.key}"' not in code.replace(f'section="{spec.key}"', "")


def test_planned_sections_are_declared():
    planned = [s.key for s in registry.sections("planned")]
    assert planned == []


def test_declared_tables_are_schema_tables():
    for s in registry.sections():
        if not s.all_tables:
            assert set(s.tables) <= set(TABLES), s.key


def test_data_dictionary_used_by_comes_from_the_registry():
    # previous_permanence is read by no section (section 8 accounts for it, as for every table).
    assert TABLES["previous_permanence"].used_by == ()
    assert TABLES["adopters"].used_by == ("00 Summary", "05 Adopters", "06 Resources")
    assert "02 Timescales" in TABLES["permanence_plans"].used_by


def _write(tmp_path: Path, sections: list[dict]) -> Path:
    f = tmp_path / "sections.yml"
    f.write_text(yaml.safe_dump({"sections": sections}), encoding="utf-8")
    return f


def _entry(key: str, metrics: list[str]) -> dict:
    return {"key": key, "title": key, "short": key, "about": key, "status": "active",
            "measures": "m", "tables": [], "derived": [], "metrics": metrics}


def test_a_metric_declared_by_two_sections_is_refused(tmp_path, monkeypatch):
    f = _write(tmp_path, [_entry("00_a", ["x_days"]), _entry("01_b", ["x_days"])])
    monkeypatch.setenv(registry.ENV_VAR, str(f))
    with pytest.raises(registry.RegistryError, match="'x_days' is declared by both 00_a and 01_b"):
        registry.registry()


def test_a_misshapen_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(registry.ENV_VAR, str(_write(tmp_path, [_entry("2_timescales", [])])))
    with pytest.raises(registry.RegistryError, match="must look like 02_timescales"):
        registry.registry()


def test_an_unknown_section_key_stops_the_notebook_by_name():
    with pytest.raises(KeyError, match="No section '02_timescale' in sections.yml"):
        Section("02_timescale")


def test_a_section_records_only_its_own_declared_metrics_once():
    sec = Section("02_timescales")
    sec.metric("a1_mean_days", 400.0, n=12)
    assert sec.metrics == {"a1_mean_days": 400.0, "a1_mean_days_n": 12}
    with pytest.raises(ValueError, match="twice"):
        sec.metric("a1_mean_days", 401.0)
    with pytest.raises(ValueError, match="belongs to 01_children"):
        sec.metric("children_looked_after", 3)
    with pytest.raises(ValueError, match="not declared"):
        sec.metric("made_up_measure", 3)


class _LA:
    """Just enough of LAData for the guard."""

    def __init__(self) -> None:
        self.tables = {name: pd.DataFrame() for name in TABLES}
        self.journeys = pd.DataFrame({"child": ["C1"]})
        self.periods = pd.DataFrame()
        self.params = "params"


def test_a_section_reads_only_the_tables_it_declares():
    view = SectionData(_LA(), "03_shortest_longest")
    assert list(view.journeys["child"]) == ["C1"]
    assert view.params == "params"
    assert "episodes" in view.tables
    with pytest.raises(UndeclaredTableError, match="prepared table 'periods'"):
        view.periods  # noqa: B018
    with pytest.raises(UndeclaredTableError, match="input table 'costs'"):
        view.tables["costs"]  # noqa: B018
    # Section 8 accounts for every table.
    assert set(SectionData(_LA(), "08_data_quality").tables) == set(TABLES)


def test_readme_section_table_matches_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| ([^|]+) \| `(\d\d_\w+)\.ipynb` \| (\w+) \| `([^`]+)` \|$",
                      readme, flags=re.M)
    assert [(int(n), f"{s.short}: {s.about}", k, st, m) for s in registry.sections()
            for n, k, st, m in [(s.number, s.key, s.status, s.measures)]] == [
        (int(n), title.strip(), k, st, m) for n, title, k, st, m in rows]
