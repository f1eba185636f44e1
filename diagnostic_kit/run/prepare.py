"""Preparing one LA's data once: load, validate, derive periods, the cohort and journeys.

The runner calls :func:`prepare_la` once per LA and pickles the result for the section
notebooks; a notebook run by hand calls :func:`open_la`, which prepares the LA itself.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from diagnostic_kit.derive import characteristics as cohort
from diagnostic_kit.derive import journeys
from diagnostic_kit.derive.pseudonyms import assign_pseudonyms, run_salt
from diagnostic_kit.inputs.findings import DataQuality
from diagnostic_kit.inputs.params import Params, load_params
from diagnostic_kit.inputs.reading import load_inputs


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


def collection_year_of(date: pd.Timestamp) -> int:
    """The collection year (by its ending year) that contains a date: 31/03/2026 → 2026."""
    return date.year + 1 if date.month >= 4 else date.year


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
            last_year=collection_year_of(pd.Timestamp(params.period_end)),
            la_name=params.la_name, la_code=params.la_code, with_errors=s.with_errors,
        )
        try:
            os.rename(tmp, params.data_dir)
        except OSError:  # another process generated it first
            if not params.data_dir.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prepare_la(params: Params) -> LAData:
    """Load and validate an LA's inputs once and derive everything the sections use."""
    ensure_synthetic_data(params)
    inputs = load_inputs(params)
    t = inputs.tables
    start = pd.Timestamp(params.period_start)
    ref = pd.Timestamp(params.reference_date)
    people = cohort.child_characteristics(t)
    all_children = pd.concat([t["header"]["CHILD"], t["episodes"]["CHILD"]])
    pseudonyms = assign_pseudonyms(all_children, run_salt(inputs.log.checksums, params.la_code))
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


def open_la(params_file: str | Path = "demo", prepared: str | Path = "") -> LAData:
    """What a section notebook calls: the runner's prepared data, or prepare it now."""
    if prepared:
        return load_prepared(prepared)
    return prepare_la(load_params(params_file))
