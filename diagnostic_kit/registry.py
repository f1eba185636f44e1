"""The section registry: ``sections.yml``, validated once, read by everything that lists sections.

Each entry names a section's key (its notebook's stem), title, status (``active`` sections run;
``planned`` ones are declared so the data dictionary and README can say what is coming), the
module where its measures are defined, the input tables and prepared tables it reads, and the
metrics it records. The runner, the report's contents, the README's section table, the data
dictionary's "used by", and section 8 all read it; ``tests/test_registry.py`` holds the
contracts. This module imports nothing from the kit's layers, so any layer may read it.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from diagnostic_kit.kit_files import SECTIONS_FILE

#: Prepared tables a section may declare under ``derived`` (see docs/architecture.md).
DERIVED_TABLES = ("journeys", "periods", "episodes", "people", "looked_after")

_KEY = re.compile(r"^(\d{2})_[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """``sections.yml`` is not valid; the message says where."""


class SectionSpec(BaseModel):
    """One report section as ``sections.yml`` declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    title: str
    #: A short name, e.g. for the data dictionary's "used by".
    short: str
    about: str
    status: Literal["active", "planned"]
    #: ``report``: the report a board reads; ``annex``: the technical annex after it (printed
    #: as its own PDF).
    part: Literal["report", "annex"] = "report"
    measures: str
    #: Input tables read; ``"*"`` for a section that accounts for every table (section 8).
    tables: tuple[str, ...] | Literal["*"] = ()
    derived: tuple[str, ...] = ()
    metrics: tuple[str, ...] = Field(default=())

    @field_validator("key")
    @classmethod
    def _key_shape(cls, v: str) -> str:
        if not _KEY.match(v):
            raise ValueError(f"section key {v!r} must look like 02_timescales")
        return v

    @field_validator("derived")
    @classmethod
    def _known_derived(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(v) - set(DERIVED_TABLES))
        if unknown:
            raise ValueError(f"unknown prepared tables {unknown}; known: {list(DERIVED_TABLES)}")
        return v

    @field_validator("metrics")
    @classmethod
    def _snake_metrics(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [m for m in v if not re.fullmatch(r"[a-z][a-z0-9_]*", m)]
        if bad:
            raise ValueError(f"metric names are snake_case: {bad}")
        return v

    @property
    def all_tables(self) -> bool:
        return self.tables == "*"

    def reads(self, table: str) -> bool:
        """Whether the section declares that it reads an input table."""
        return self.all_tables or table in self.tables

    @property
    def number(self) -> int:
        return int(self.key[:2])

    @property
    def notebook(self) -> str:
        return f"{self.key}.ipynb"

    @property
    def label(self) -> str:
        """How the data dictionary names the section: "02 Timescales"."""
        return f"{self.key[:2]} {self.short}"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sections: tuple[SectionSpec, ...]

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        keys = [s.key for s in self.sections]
        if len(set(keys)) != len(keys) or keys != sorted(keys):
            raise ValueError("section keys must be unique and in order")
        seen: dict[str, str] = {}
        for s in self.sections:
            for m in s.metrics:
                if m in seen:
                    raise ValueError(f"metric {m!r} is declared by both {seen[m]} and {s.key}")
                seen[m] = s.key
        return self


#: Names another registry file (tests use it for made-up sections; kernels inherit it).
ENV_VAR = "ADK_SECTIONS_FILE"


def registry_file() -> Path:
    return Path(os.environ.get(ENV_VAR) or SECTIONS_FILE)


def registry() -> Registry:
    """The validated registry (read once per process and file)."""
    path = registry_file()
    stat = path.stat()
    return _read(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: Path, _mtime: int = 0, _size: int = 0) -> Registry:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Registry.model_validate(data)
    except (ValidationError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path.name} is not valid: {exc}") from None


def sections(status: str | None = None) -> tuple[SectionSpec, ...]:
    """Every section in order, or only those of one status (``active``, ``planned``)."""
    return tuple(s for s in registry().sections if status is None or s.status == status)


def section(key: str) -> SectionSpec:
    """One section by key; an unknown key is a clear error (a notebook's key is checked here)."""
    for s in registry().sections:
        if s.key == key:
            return s
    known = ", ".join(s.key for s in registry().sections)
    raise KeyError(f"No section {key!r} in {SECTIONS_FILE.name} (known: {known}).")


def used_by(table: str) -> tuple[str, ...]:
    """Labels of the sections (active or planned) that read an input table."""
    return tuple(s.label for s in registry().sections if not s.all_tables and table in s.tables)


def snake(text: str) -> str:
    """A title as a snake_case name: "Unit costs by year" → ``unit_costs_by_year`` (a table's
    name in ``tables.xlsx`` and in its anchor)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def table_anchor(key: str, title: str) -> str:
    """The link to a table in the assembled report: its title carries the id ``t-<name>``,
    scoped by its section (``#s05-t-approved_households_waiting``), as
    ``present.section.table_html`` writes it and ``run.page.scope_ids`` scopes it."""
    return f"#s{key[:2]}-t-{snake(title)}"


#: Around a section's detail that the assembled report shows in the technical annex.
ANNEX_OPEN, ANNEX_CLOSE = "<!--kit-annex-->", "<!--/kit-annex-->"


def part_of(key: str) -> str:
    """The part a section key belongs to (``report`` for a key the registry does not hold)."""
    for s in registry().sections:
        if s.key == key:
            return s.part
    return "report"


def metric_owner(name: str) -> str | None:
    """The section that declares a metric, or None."""
    for s in registry().sections:
        if name in s.metrics:
            return s.key
    return None
