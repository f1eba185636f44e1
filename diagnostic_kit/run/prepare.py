"""Preparing one LA's data once: load, validate, derive periods, the cohort and journeys.

The runner calls :func:`prepare_la` once per LA and pickles the result for the section
notebooks; a notebook run by hand calls :func:`open_la`, which prepares the LA itself.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnostic_kit import registry, rules
from diagnostic_kit.derive import characteristics as cohort
from diagnostic_kit.derive import journeys
from diagnostic_kit.derive import periods as episodes
from diagnostic_kit.derive.pseudonyms import assign_pseudonyms, run_salt
from diagnostic_kit.inputs.annex_a import add_annex_a, open_local_workbook
from diagnostic_kit.inputs.findings import DataQuality, Findings
from diagnostic_kit.inputs.params import Params, load_params
from diagnostic_kit.inputs.reading import LAInputs, load_inputs


@dataclass
class LAData:
    """Everything the section notebooks need about one LA (see docs/architecture.md)."""

    params: Params
    tables: dict[str, pd.DataFrame]
    dq: DataQuality
    episodes: pd.DataFrame
    periods: pd.DataFrame
    people: pd.DataFrame
    looked_after: pd.DataFrame
    journeys: pd.DataFrame
    pseudonyms: pd.Series
    years: list[str]

    @property
    def period_start(self) -> pd.Timestamp:
        return pd.Timestamp(self.params.period_start)

    @property
    def reference_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.params.reference_date)

    def save(self, path: Path) -> None:
        """Pickle for the section notebooks of this run (written atomically)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)


def load_prepared(path: str | Path) -> LAData:
    """Read an LA prepared by the runner in this run."""
    with open(path, "rb") as fh:
        la = pickle.load(fh)
    if not isinstance(la, LAData):
        raise TypeError(f"{path} does not hold prepared LA data")
    return la


def ensure_synthetic_data(params: Params) -> None:
    """Generate a synthetic LA's data on first use (into a temp folder, then renamed)."""
    if params.synthetic is None or params.data_dir.is_dir():
        return
    from diagnostic_kit.synth import generate

    s = params.synthetic
    params.data_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=params.data_dir.parent))
    try:
        generate(
            tmp, seed=s.seed, size=s.size, years=s.years,
            last_year=journeys.collection_year_of(pd.Timestamp(params.period_end)),
            la_name=params.la_name, la_code=params.la_code, with_errors=s.with_errors,
            format=s.format,
        )
        try:
            os.rename(tmp, params.data_dir)
        except OSError:  # another process generated it first
            if not params.data_dir.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def rule_context(tables: dict[str, pd.DataFrame], years: list[str]) -> rules.Context:
    """The data window the rules need: from the collection-year folders, or, for files given
    combined in ``903/``, from the earliest DEC (the earliest return holds the episodes open
    during its year, so its first end dates fall in that year)."""
    ys = [int(y) for y in years if int(y)]
    start = episodes.data_start(ys, tables["episodes"])
    return rules.Context(window_start=start,
                         data_end=pd.Timestamp(max(ys), 3, 31) if ys else None)


def check_inputs(params: Params) -> LAInputs:
    """Read an LA's inputs and run every rule and derivation that yields findings, in order:
    reading; the rules on the tables as read; the episode chains and periods of care; the
    adoption facts. Each step returns its own findings; they are gathered here.

    ``tables`` gains ``periods`` and ``adoption_facts``.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The Annex A workbook's cells are read outside Python while the CSV files are read;
        # the lists are made from them after, as before.
        workbook = pool.submit(open_local_workbook, params.local_dir)
        inputs = add_annex_a(load_inputs(params), params.local_dir, workbook.result())
    found = Findings().extend(inputs.findings)
    ctx = rule_context(inputs.tables, inputs.years)
    t, f_rules = rules.run(inputs.tables, ctx, stage="inputs")
    found.extend(f_rules)
    t["episodes"], f_ep = episodes.clean_episodes(t["episodes"], t["header"], ctx=ctx)
    found.extend(f_ep)
    t["periods"] = episodes.periods_of_care(t["episodes"])
    all_children = pd.concat([t["header"]["CHILD"], t["episodes"]["CHILD"]])
    pseudonyms = assign_pseudonyms(all_children, run_salt(found.checksums, params.la_code))
    t["adoption_facts"], f_facts = journeys.adoption_facts(t, pseudonyms=pseudonyms)
    found.extend(f_facts)
    return LAInputs(tables=t, findings=found, years=inputs.years, pseudonyms=pseudonyms)


def prepare_la(params: Params) -> LAData:
    """Load and validate an LA's inputs once and derive everything the sections use."""
    ensure_synthetic_data(params)
    inputs = check_inputs(params)
    t = inputs.tables
    start = pd.Timestamp(params.period_start)
    ref = pd.Timestamp(params.reference_date)
    people = cohort.child_characteristics(t)
    pseudonyms = inputs.pseudonyms
    people["pseudonym"] = people["child"].map(pseudonyms)
    la_cohort = cohort.looked_after(t["periods"], people, period_start=start, period_end=ref)
    journey_table = journeys.build_journeys(
        t["adoption_facts"], people, period_start=start, reference_date=ref
    )
    journey_table["pseudonym"] = journey_table["child"].map(pseudonyms)
    return LAData(
        params=params,
        tables=t,
        dq=inputs.dq,
        episodes=t["episodes"],
        periods=t["periods"],
        people=people,
        looked_after=la_cohort,
        journeys=journey_table,
        pseudonyms=pseudonyms,
        years=inputs.years,
    )


class UndeclaredTableError(KeyError):
    """A section read a table it does not declare in ``sections.yml``."""

    def __str__(self) -> str:
        return str(self.args[0])


class _DeclaredTables(dict):
    """The input tables a section declares; any other is refused by name."""

    def __init__(self, tables: dict[str, pd.DataFrame], spec: registry.SectionSpec) -> None:
        super().__init__({k: v for k, v in tables.items() if spec.reads(k)})
        self._spec = spec

    def __missing__(self, key: str) -> pd.DataFrame:
        raise UndeclaredTableError(
            f"Section {self._spec.key} reads the input table {key!r}, which it does not declare "
            "under 'tables' in sections.yml.")


class SectionData:
    """One LA's prepared data as one section may read it: the input tables and prepared tables
    its ``sections.yml`` entry declares, and everything else of :class:`LAData` (params, data
    quality, pseudonyms). Reading an undeclared table raises :class:`UndeclaredTableError`."""

    def __init__(self, la: LAData, key: str) -> None:
        self._la = la
        self.spec = registry.section(key)
        self.tables = _DeclaredTables(la.tables, self.spec)

    def __getattr__(self, name: str):
        if name in registry.DERIVED_TABLES and name not in self.spec.derived:
            raise UndeclaredTableError(
                f"Section {self.spec.key} reads the prepared table {name!r}, which it does not "
                "declare under 'derived' in sections.yml.")
        return getattr(self._la, name)


def open_la(
    params_file: str | Path = "demo", prepared: str | Path = "", section: str | None = None
) -> LAData | SectionData:
    """What a section notebook calls: the runner's prepared data, or prepare it now.

    With ``section`` (the notebook's key), the data is seen through that section's declaration
    in ``sections.yml`` (:class:`SectionData`).
    """
    la = load_prepared(prepared) if prepared else prepare_la(load_params(params_file))
    return SectionData(la, section) if section else la
