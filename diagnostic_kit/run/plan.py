"""What a run will do: the section notebooks to execute, and one :class:`LARun` per LA (an
RAA's run after its members') with the :class:`SectionResult` of each section as it runs.

Each LA's report is built in a temporary folder (``<out>/.building-<owner>-…``) and renamed into
``<out>/<la>/`` at the end, so an interrupted run never leaves a partial report.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diagnostic_kit import kit_files
from diagnostic_kit.inputs.params import Params, load_params
from diagnostic_kit.run.private import BUILD_PREFIX, owner_tag

NOTEBOOKS_DIR = kit_files.notebooks_dir()
REPORTS_DIR = kit_files.default_reports_dir()
DEFAULT_TIMEOUT = 600


def default_jobs() -> int:
    """Parallel section notebooks by default: one per core."""
    return max(1, os.cpu_count() or 1)


def discover_sections(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The active sections' notebooks (``sections.yml``), in section order.

    A notebook the registry names but the folder lacks is an error naming it; a notebook in the
    folder that the registry does not name is not run.
    """
    from diagnostic_kit import registry

    paths = [Path(notebooks_dir) / s.notebook for s in registry.sections("active")]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"The section notebook{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"named in sections.yml {'are' if len(missing) > 1 else 'is'} not in {notebooks_dir}.")
    return paths


@dataclass
class SectionResult:
    """How one section notebook ran. ``status`` is ``ok`` or ``failed``."""

    key: str
    notebook: str
    status: str = "pending"
    seconds: float = 0.0
    started: str | None = None
    finished: str | None = None
    error_type: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status != "ok"


@dataclass
class LARun:
    """One LA's run: where it is built, how each section went, and the outcome."""

    name: str
    params_file: Path
    params: Params
    out_dir: Path
    build_dir: Path
    #: The private temporary folder holding the prepared data, while it exists.
    prep_dir: Path | None = None
    sections: list[SectionResult] = field(default_factory=list)
    #: ``ok``, ``sections_failed`` (report built, some sections missing) or ``failed``
    #: (no report: the data could not be prepared or the report could not be written).
    status: str = "pending"
    error: str | None = None
    started: str | None = None
    finished: str | None = None
    report: Path | None = None
    checksums: dict[str, str] = field(default_factory=dict)
    #: Each section's part of the page, rendered by its worker thread as soon as its notebook
    #: has run (``page.render_section``), so that assembling the report only stitches.
    rendered: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: How printing ``report.pdf`` went: None (not asked for, or not yet), "written", or the
    #: one sentence saying why no PDF was written.
    pdf_outcome: str | None = None
    #: A regional adoption agency's run: the RAA (its params and its members'); None for an LA.
    raa: Any = None
    #: For an RAA's run, the names of its members' runs (built in the same run, before it).
    members: list[str] = field(default_factory=list)

    @property
    def failed_sections(self) -> list[SectionResult]:
        return [s for s in self.sections if s.failed]

    @property
    def prepared(self) -> Path:
        """The prepared data (pickle) the section notebooks read."""
        if self.prep_dir is None:
            raise RuntimeError(f"{self.name}: the data has not been prepared")
        return self.prep_dir / "la.pkl"



def plan_runs(params_files: Sequence[str | Path], out_root: Path) -> list[LARun]:
    """Load and check every params file before anything runs (raises ParamsError).

    The LA's folder name is the params file's stem; two params files with the same stem would
    overwrite each other's report, so that is refused. A regional adoption agency's params file
    (``inputs.params.load_raa``) brings its members' runs (a member also named on its own, or by
    another RAA, is built once) and its own run, which comes after every LA's.
    """
    from diagnostic_kit.inputs.params import ParamsError, is_raa_file, load_raa

    runs: list[LARun] = []
    raas: list[LARun] = []
    by_file: dict[Path, LARun] = {}

    def add(params: Params, pf: str | Path, into: list[LARun], raa: Any = None) -> LARun:
        name = params.slug
        if any(r.name == name for r in [*runs, *raas]):
            raise ParamsError(
                f"Two params files are named '{name}': their reports would share "
                f"{out_root / name}; rename one."
            )
        # The owner in the name lets a later run tell a dead run's folder from a live one's.
        build = out_root / f"{BUILD_PREFIX}{owner_tag()}-{secrets.token_hex(4)}-{name}"
        run = LARun(name=name, params_file=Path(params.source_file or pf), params=params,
                    out_dir=out_root / name, build_dir=build, raa=raa)
        into.append(run)
        return run

    def add_la(params: Params, pf: str | Path) -> LARun:
        src = Path(params.source_file or pf).resolve()
        if src in by_file:  # named twice (on its own and by an RAA): built once
            known = by_file[src]
            if params.raa and not known.params.raa:
                known.params = params
            return known
        by_file[src] = run = add(params, pf, runs)
        return run

    for pf in params_files:
        if is_raa_file(pf):
            raa = load_raa(pf)
            members = [add_la(m, m.source_file or pf) for m in raa.members]
            add(raa.params, pf, raas, raa=raa).members = [m.name for m in members]
        else:
            add_la(load_params(pf), pf)
    return runs + raas


def now() -> str:
    """The time now, with its offset, to the second (run.json's times)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
