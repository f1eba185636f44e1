"""Preparing one LA's data once: load, validate, derive periods, the cohort and journeys.

The runner calls :func:`prepare_la` once per LA and pickles the result for the section
notebooks; a notebook run by hand calls :func:`open_la`, which prepares the LA itself.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostic_kit import registry, rules
from diagnostic_kit.derive import characteristics as cohort
from diagnostic_kit.derive import journeys, pooling
from diagnostic_kit.derive import periods as episodes
from diagnostic_kit.derive.pseudonyms import assign_pseudonyms, run_salt
from diagnostic_kit.inputs.annex_a import add_annex_a, open_local_workbook
from diagnostic_kit.inputs.findings import WITHHELD, DataQuality, Findings
from diagnostic_kit.inputs.params import (
    RAA,
    RAA_EXTRACTS,
    Params,
    ParamsError,
    RAAParams,
    load_params,
)
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
    #: A regional adoption agency's members (None for an LA): one row each, in the order its
    #: params file lists them: ``member`` (its key, the params file's stem, before the ``:`` of
    #: the RAA's child ids), ``name``, ``code``, ``tag`` (``M1``, ``M2`` …: the prefix of its
    #: children's pseudonyms in the RAA's report) and ``region``.
    members: pd.DataFrame | None = None

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
            format=s.format, extracts=s.extracts,
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
    """Read an LA's inputs and run every rule and derivation that yields findings, in order
    (``inputs.findings.STAGES``): reading; the rules on the tables as read (with the rows a
    later year's return replaced, to compare one year with the next); the episode chains and
    periods of care; the rules on the adoption tables in periods of care; the journey facts and
    the rules on them. Each step returns its own findings; they are gathered here.

    ``tables`` gains ``periods`` and ``adoption_facts``.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The Annex A workbook's cells are read outside Python while the CSV files are read;
        # the lists are made from them after, as before.
        workbook = pool.submit(open_local_workbook, params.local_dir)
        inputs = add_annex_a(load_inputs(params), params.local_dir, workbook.result())
    found = Findings().extend(inputs.findings)
    ctx = rule_context(inputs.tables, inputs.years)
    aside = {f"{name}_replaced": df for name, df in inputs.replaced.items()}
    t, f_rules = rules.run({**inputs.tables, **aside}, ctx, stage="inputs")
    found.extend(f_rules)
    for name in aside:
        t.pop(name)
    t["episodes"], f_ep = episodes.clean_episodes(t["episodes"], t["header"], ctx=ctx)
    found.extend(f_ep)
    t["periods"] = episodes.periods_of_care(t["episodes"])
    t, f_adoption = rules.run(t, ctx, stage="adoption")
    found.extend(f_adoption)
    all_children = pd.concat([t["header"]["CHILD"], t["episodes"]["CHILD"]])
    pseudonyms = assign_pseudonyms(all_children, run_salt(found.checksums, params.la_code))
    t["adoption_facts"] = journeys.adoption_facts(t)
    facts = t["adoption_facts"].assign(pseudonym=t["adoption_facts"]["child"].map(pseudonyms))
    _, f_journeys = rules.run({"journeys": facts, "ad1": t["ad1"],
                               "stages": journeys.stage_table()}, ctx, stage="journeys")
    found.extend(f_journeys)
    return LAInputs(tables=t, findings=found, years=inputs.years, pseudonyms=pseudonyms,
                    replaced=inputs.replaced)


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


# -- a regional adoption agency ------------------------------------------------------------------

#: The extracts a regional adoption agency holds for its members: from its own folder, else
#: its members' put together.
RAA_TABLES = RAA_EXTRACTS
#: Read from the RAA's own folder only: an LA's neighbours are not the RAA's.
RAA_ONLY_TABLES = ("comparators",)
#: Ids local to a member in an RAA extract taken from the members (prefixed like a child's).
MEMBER_LOCAL_IDS = ("household_id", "audit_id", "case_ref", "worker_ref", "auditor_ref")


def _generate_into(folder: Path, make: Callable[[Path], object]) -> None:
    """Write generated data into ``folder`` (``make(tmp)`` writes it) through a temp folder
    renamed at the end, so that a half-written folder is never taken for a whole one."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".synth-", dir=folder.parent))
    try:
        make(tmp)
        try:
            os.rename(tmp, folder)
        except OSError:  # another process generated it first
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_raa_synthetic(raa: RAA) -> None:
    """Generate a synthetic RAA's own extracts on first use (``synth.generate_raa``), drawn
    from its synthetic members as each member's own data is."""
    p = raa.params
    if p.synthetic is None or p.data_dir.is_dir():
        return
    from diagnostic_kit.synth import MemberSpec, generate_raa

    specs = []
    for m in raa.members:
        if m.synthetic is None:
            raise ParamsError(
                f"The RAA {p.la_name} is synthetic but its member {m.la_name} is not: a "
                "synthetic RAA's extracts are drawn from synthetic members' children.")
        s = m.synthetic
        specs.append(MemberSpec(
            seed=s.seed, size=s.size, years=s.years, la_code=m.la_code,
            last_year=journeys.collection_year_of(pd.Timestamp(m.period_end))))
    _generate_into(p.data_dir, lambda tmp: generate_raa(tmp, specs))


@dataclass
class RAAExtracts:
    """The extracts of an RAA's own folder: the tables (an absent one empty), those it lacks,
    and the data quality of reading them (files under the RAA's key)."""

    tables: dict[str, pd.DataFrame]
    missing: pd.DataFrame
    dq: DataQuality


def raa_own_extracts(params: RAAParams) -> RAAExtracts:
    """The RAA's own extracts (:data:`RAA_TABLES`, :data:`RAA_ONLY_TABLES`) from its folder's
    ``local/``, read and checked as an LA's are (the adopters from Annex A list 11 where there
    is no adopters.csv), each file named under the RAA's key (``<raa>/local/costs.csv``)."""
    from diagnostic_kit.inputs.annex_a import add_raa_list_11
    from diagnostic_kit.inputs.reading import load_local_inputs

    inputs = add_raa_list_11(load_local_inputs(params.local_dir, (*RAA_TABLES,
                                                                  *RAA_ONLY_TABLES)),
                             params.local_dir)
    t, f_rules = rules.run(inputs.tables, rules.Context(), stage="inputs")
    dq = Findings().extend(inputs.findings, f_rules).build()
    key = params.slug
    for name, df in t.items():
        if "_file" in df:
            t[name] = df.assign(_file=pooling.file_of(key, df["_file"]))
    missing = dq.missing_extracts.assign(file=pooling.file_of(key, dq.missing_extracts["file"]))
    return RAAExtracts(tables=t, missing=missing, dq=_member_dq(dq, key, params.la_name))


def _prefixed(frame: pd.DataFrame, key: str, name: str, cols: tuple[str, ...] = ("file",)
              ) -> pd.DataFrame:
    """A data-quality frame of one member (or of the RAA itself) as the RAA's: its files under
    the member's key and a ``member`` column with its name."""
    out = frame.copy()
    for c in cols:
        if c in out:
            out[c] = pooling.file_of(key, out[c].fillna("")).where(out[c].notna(), pd.NA)
    out.insert(0, "member", pd.Series(name, index=out.index, dtype="string"))
    return out


def _member_dq(dq: DataQuality, key: str, name: str,
               pseudonyms: tuple[pd.Series, pd.Series] | None = None) -> DataQuality:
    """One member's data quality as the RAA's report holds it: every file under the member's
    key, every record with the member's name (``member``); a child's id in a finding is the
    RAA's id, and a pseudonym the member's report gave is the RAA's (``pseudonyms``: the
    member's, and the RAA's by the RAA's id)."""
    f = _prefixed(dq.findings, key, name)
    if pseudonyms is not None and len(f):
        own, raa = pseudonyms
        value = f["value"].astype("string")
        child = f["column"].astype("string").str.lower().eq("child").fillna(False)
        shown = value.fillna("").str.strip().ne("") & value.ne(WITHHELD)
        value = value.where(~(child & shown), pooling.member_ids(key, value))
        # A finding that names a child by the member's pseudonym ("C-0042: -5 days"): the
        # RAA's pseudonym of the same child.
        by_own = pd.Series(raa.reindex(pooling.member_ids(key, pd.Series(own.index))).to_numpy(),
                           index=own.to_numpy())
        head = value.str.extract(r"^(C-\d+)\b", expand=False)
        named = (head.notna() & head.isin(by_own.index)).fillna(False).astype(bool)
        if named.any():
            rest = value.str.replace(r"^C-\d+", "", regex=True)
            value = value.where(~named, head.map(by_own).astype("string") + rest)
        f["value"] = value
    return DataQuality(
        findings=f,
        exclusions=_prefixed(dq.exclusions, key, name),
        accounting=_prefixed(dq.accounting, key, name),
        dropped_columns=_prefixed(dq.dropped_columns, key, name),
        missing_extracts=dq.missing_extracts.iloc[:0],
        checksums={f"{key}/{k}": v for k, v in dq.checksums.items()},
        unused_files=[f"{key}/{u}" for u in dq.unused_files],
        date_formats=_prefixed(dq.date_formats, key, name),
        notes=_prefixed(dq.notes, key, name))


def _raa_extract(name: str, own: RAAExtracts, members: Sequence[tuple[str, str, LAData]]
                 ) -> tuple[pd.DataFrame | None, str]:
    """An RAA extract: its own where its folder has it, else (for :data:`RAA_TABLES`) its
    members' put together (their ids local to each prefixed by the member); with where it came
    from, in words. None when there is none."""
    if name not in set(own.missing["table"]):
        return own.tables[name], "the RAA's own folder"
    if name not in RAA_TABLES:
        return None, ""
    having = [(k, n, la) for k, n, la in members
              if name not in set(la.dq.missing_extracts["table"])]
    if not having:
        return None, ""
    frames = []
    for key, _, la in having:
        df = la.tables[name]
        cols = {c: pooling.member_ids(key, df[c]) for c in MEMBER_LOCAL_IDS if c in df}
        if "_file" in df:
            cols["_file"] = pooling.file_of(key, df["_file"])
        frames.append(df.assign(**cols))
    names = ", ".join(n for _, n, _ in having)
    return pooling.stack(frames), f"the members' folders ({names}), put together"


def _raa_missing(own: RAAExtracts, members: Sequence[tuple[str, str, LAData]],
                 sources: dict[str, str], key: str) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """The RAA's missing extracts (a row of ``dq.missing_extracts`` each, as an LA's), and the
    notes saying where each extract came from and which members lack a children's extract."""
    cols = ["table", "file", "sections", "message"]
    miss, notes = [], []
    by_table = {m["table"]: m for m in own.missing.to_dict("records")}
    for t in (*RAA_TABLES, *RAA_ONLY_TABLES):
        if sources.get(t):
            notes.append({"file": f"{key}/local/{t}.csv", "topic": "source",
                          "detail": f"{t}: from {sources[t]}"})
        elif t in by_table:
            where = "the RAA's folder" + ("" if t in RAA_ONLY_TABLES else
                                          " or any member's")
            miss.append({**by_table[t], "message": f"local/{t}.csv was not supplied in {where}: "
                         f"fill data_templates/{t}.csv to add it."})
    child_tables = {t for _, _, la in members for t in la.dq.missing_extracts["table"]
                    if t not in RAA_TABLES and t not in RAA_ONLY_TABLES}
    for t in sorted(child_tables):
        lacking = [(n, la) for _, n, la in members if t in set(la.dq.missing_extracts["table"])]
        if len(lacking) == len(members):
            row = lacking[0][1].dq.missing_extracts.set_index("table").loc[t]
            miss.append({"table": t, "file": row["file"], "sections": row["sections"],
                         "message": f"local/{t}.csv was not supplied by any member: fill "
                         f"data_templates/{t}.csv in each member's folder to add it."})
        else:
            notes.append({"file": f"the members' local/{t}.csv", "topic": "source", "detail": (
                f"{t}: not supplied by {', '.join(n for n, _ in lacking)}; the measures that "
                "use it count the other members' children only")})
    return pd.DataFrame(miss, columns=cols), notes


def raa_pseudonyms(members: Sequence[tuple[str, str, LAData]], salt: str) -> pd.Series:
    """The RAA's pseudonyms: each member's children numbered afresh under the member's tag
    (``M1-0001`` …, :func:`member_tags`), by the RAA's salt, indexed by the RAA's ids. Unique
    across members, and never the pseudonyms the members' own reports give."""
    out = []
    for tag, (key, _, la) in zip(member_tags(len(members)), members, strict=True):
        ids = pooling.member_ids(key, pd.Series(la.pseudonyms.index, dtype="string"))
        out.append(assign_pseudonyms(ids, salt, prefix=tag))
    return pd.concat(out) if out else pd.Series(dtype="string", name="pseudonym")


def member_tags(n: int) -> list[str]:
    """The pseudonym prefix of each member in the RAA's report, in the RAA's order."""
    return [f"M{i}" for i in range(1, n + 1)]


def prepare_raa(raa: RAA, members: Sequence[LAData]) -> LAData:
    """A regional adoption agency's data, from its members' prepared data (``members``, in the
    order of ``raa.members``) and its own extracts: one :class:`LAData` the section notebooks
    read as they read an LA's.

    Every member's tables are put together (``derive.pooling``: a child is the member and the
    member's child id together; periods, sibling groups and AD1 rows stay the member's); the
    children get the RAA's pseudonyms (:func:`raa_pseudonyms`); the adopters, staffing, costs
    and case audits are the RAA's own (:func:`raa_own_extracts`), or where its folder lacks
    one, its members' put together; the data quality is every member's and the RAA's, each
    file under its member's key and each record with its member's name (``member``).
    ``members`` (the attribute) lists the members with their pseudonyms' tags.
    """
    p = raa.params
    ensure_raa_synthetic(raa)
    keyed = [(m.params.slug, m.params.la_name, m) for m in members]
    own = raa_own_extracts(p)
    checksums = {**own.dq.checksums}
    for key, _, la in keyed:
        checksums.update({f"{key}/{k}": v for k, v in la.dq.checksums.items()})
    pseudonyms = raa_pseudonyms(keyed, run_salt(checksums, p.la_code))
    offsets = pooling.period_offsets([la.periods for _, _, la in keyed])
    ad1_at = np.cumsum([0] + [len(la.tables["ad1"]) for _, _, la in keyed])
    ad1_rows = [pooling.ad1_positions(la.tables["ad1"], int(at))
                for (_, _, la), at in zip(keyed, ad1_at, strict=False)]

    def pooled(get: Callable[[LAData], pd.DataFrame], *, with_ad1: bool = False
               ) -> pd.DataFrame:
        return pooling.stack([
            pooling.as_member(get(la), key, period_offset=off,
                              ad1_rows=rows if with_ad1 else None)
            for (key, _, la), off, rows in zip(keyed, offsets, ad1_rows, strict=True)])

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        if "pseudonym" in frame:
            frame["pseudonym"] = frame["child"].map(pseudonyms).astype("string")
        return frame

    tables: dict[str, pd.DataFrame] = {}
    for name in keyed[0][2].tables:
        if name in RAA_TABLES or name in RAA_ONLY_TABLES:
            continue
        tables[name] = pooled(lambda la, name=name: la.tables[name],
                              with_ad1=name == "adoption_facts")
    sources: dict[str, str] = {}
    for name in (*RAA_TABLES, *RAA_ONLY_TABLES):
        frame, sources[name] = _raa_extract(name, own, keyed)
        tables[name] = frame if frame is not None else own.tables[name]
    missing, notes = _raa_missing(own, keyed, sources, p.slug)
    parts = [own.dq, *(_member_dq(la.dq, key, name, (la.pseudonyms, pseudonyms))
                       for key, name, la in keyed)]
    dq = DataQuality(
        findings=pooling.stack([d.findings for d in parts]),
        exclusions=pooling.stack([d.exclusions for d in parts]),
        accounting=pooling.stack([d.accounting for d in parts]),
        dropped_columns=pooling.stack([d.dropped_columns for d in parts]),
        missing_extracts=missing,
        checksums=checksums,
        unused_files=[u for d in parts for u in d.unused_files],
        date_formats=pooling.stack([d.date_formats for d in parts]),
        notes=pd.concat([pooling.stack([d.notes for d in parts]),
                         pd.DataFrame(notes).assign(member=p.la_name)], ignore_index=True))
    member_table = pd.DataFrame({
        "member": [k for k, _, _ in keyed], "name": [n for _, n, _ in keyed],
        "code": [la.params.la_code for _, _, la in keyed],
        "tag": member_tags(len(keyed)),
        "region": [la.params.region or "" for _, _, la in keyed]})
    return LAData(
        params=p,
        tables=tables,
        dq=dq,
        episodes=tables["episodes"],
        periods=tables["periods"],
        people=named(pooled(lambda la: la.people)),
        looked_after=named(pooled(lambda la: la.looked_after)),
        journeys=named(pooled(lambda la: la.journeys, with_ad1=True)),
        pseudonyms=pseudonyms,
        years=sorted({y for _, _, la in keyed for y in la.years}),
        members=member_table,
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
