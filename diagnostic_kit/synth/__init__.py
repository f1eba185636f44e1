"""The synthetic LA: a fictional local authority's 903 returns and local extracts.

``generate`` simulates children's whole care histories and writes what an LA would hand the
kit: ``903/<YYYY-YY>/<table>.csv`` for each collection year (or, with ``format="xml"``, the
year's DfE XML return ``903/<YYYY-YY>/ssda903.xml``; ``"mixed"``: XML and CSV years in turn,
the earliest XML) and ``local/<table>.csv`` for each local extract. The output is valid by
construction (the kit's validation finds nothing); ``with_errors=True`` adds a documented set of
realistic errors, one finding each, listed in ``injected_errors.csv`` (in an XML year, by the
return's table and the line of the row's element). Same seed, same bytes.

Everything is fictional: identifiers are ``DEMO00001``-style, postcodes ``ZZ1 2``-style, UPNs a
letter and 12 digits; there are no names anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import schema
from diagnostic_kit.synth import annex_a, audit_forms, errors, local, returns, xml_returns
from diagnostic_kit.synth._common import Window
from diagnostic_kit.synth.history import Histories, simulate

__all__ = ["MemberSpec", "SynthSummary", "generate", "generate_raa", "write_params"]

_YEAR_DIR = re.compile(r"^\d{4}-\d{2}$")
#: The name of a year's XML return (``format="xml"``).
XML_RETURN = "ssda903.xml"
#: How the 903 returns may be written.
FORMATS = ("csv", "xml", "mixed")


@dataclass(frozen=True)
class SynthSummary:
    """What ``generate`` wrote."""

    out_dir: Path
    seed: int
    size: int
    #: Collection-year folders written, oldest first (``2020-21`` ... ``2025-26``).
    years: tuple[str, ...]
    #: Distinct children in the 903 files, and those looked after in the latest year.
    children: int
    looked_after_latest_year: int
    #: Distinct episodes (an episode open across 31 March is counted once).
    episodes: int
    #: Adoption orders (REC E11/E12) in the returns, in total and by collection year.
    adoptions: int
    adoptions_by_year: dict[str, int] = field(default_factory=dict)
    #: Files written, relative to ``out_dir`` with forward slashes.
    files: tuple[str, ...] = ()
    #: Errors injected (0 unless ``with_errors``); listed in ``injected_errors.csv``.
    errors: int = 0
    #: A handful of the audits as filled-in Word forms (``synth.audit_forms``), relative paths.
    audit_forms: tuple[str, ...] = ()


def _clear(out_dir: Path) -> None:
    """Remove what an earlier run wrote (year folders, local tables, the error manifest), so
    that no stale year or manifest survives; nothing else is touched."""
    ssda = out_dir / "903"
    if ssda.is_dir():
        names = {t.file for t in schema.SSDA903_TABLES}
        for sub in ssda.iterdir():
            if sub.is_dir() and _YEAR_DIR.match(sub.name):
                for f in sub.iterdir():
                    if f.name in names or f.name == XML_RETURN:
                        f.unlink()
                if not any(sub.iterdir()):
                    sub.rmdir()
    loc = out_dir / "local"
    for t in schema.LOCAL_TABLES:
        (loc / t.file).unlink(missing_ok=True)
    (out_dir / errors.MANIFEST).unlink(missing_ok=True)
    (out_dir / annex_a.FILE).unlink(missing_ok=True)
    audit_forms.clear(out_dir)


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keep = [c for c in df.columns if not str(c).startswith("_")]
    df[keep].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


#: The local extracts an LA in a regional adoption agency holds itself (``extracts=
#: "children"``): its children's; the RAA holds the adopters, staffing, costs and case audits.
CHILDREN_EXTRACTS = ("permanence_plans", "health_needs", "comparators")
#: The extracts an RAA holds for its members (``generate_raa``).
RAA_EXTRACTS = ("adopters", "staffing", "costs", "case_audits")


@dataclass
class _Built:
    """An LA's files as ``generate`` draws them, before any is written."""

    files: dict[str, pd.DataFrame]
    h: Histories
    window: Window
    #: Lists 10 and 11 and the audits as drawn, before any error is injected.
    adopters: pd.DataFrame
    plans: pd.DataFrame
    audits: pd.DataFrame
    manifest: pd.DataFrame | None


def _check_options(format: str, size: int, years: int, extracts: str = "all") -> None:
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if size < 20:
        raise ValueError("size must be at least 20 children")
    if not 1 <= years <= 15:
        raise ValueError("years must be between 1 and 15")
    if extracts not in ("all", "children"):
        raise ValueError(f"extracts must be 'all' or 'children', not {extracts!r}")


def _build(seed: int, size: int, years: int, last_year: int, la_code: str,
           with_errors: bool) -> _Built:
    """Draw an LA's files in memory (``generate`` writes them): same seed, same values."""
    rng = np.random.default_rng(seed)
    window = Window(last_year, years)
    h = simulate(rng, window, size)
    if h.before is not None:
        # The local extracts are drawn after the returns: cutting the returns once from the
        # histories before the children still waiting were given their endings leaves ``rng``
        # where it always was, so those extracts do not move with that pass.
        state = rng.bit_generator.state
        returns.build(rng, h.before, window, la_code)
        after, rng.bit_generator.state = rng.bit_generator.state, state
    files = returns.build(rng, h, window, la_code)
    if h.before is not None:
        rng.bit_generator.state = after
    files.update(local.build(rng, h, window, size))
    # Ofsted Annex A lists 10 and 11, from the clean extracts (before any error is injected).
    adopters, plans = files["local/adopters.csv"].copy(), files["local/permanence_plans.csv"].copy()
    audits = files["local/case_audits.csv"].copy()
    manifest = None
    if with_errors:
        # A separate stream: the clean files stay byte-identical to a clean run.
        manifest = errors.inject(np.random.default_rng([seed, 903]), files, h, window)
    return _Built(files, h, window, adopters, plans, audits, manifest)


def generate(out_dir: Path, *, seed: int = 2026, size: int = 400, years: int = 6,
             last_year: int = 2026, la_name: str = "Demoshire (synthetic)", la_code: str = "999",
             with_errors: bool = False, format: str = "csv",
             extracts: str = "all") -> SynthSummary:
    """Write a synthetic LA's 903 returns and local extracts under ``out_dir``.

    ``size`` children are looked after at some time in the latest collection year (1 April
    ``last_year - 1`` to 31 March ``last_year``); ``years`` returns end on 31 March of
    ``last_year - years + 1`` ... ``last_year``. ``la_name`` is not written into any file (the
    903 carries no LA name); ``la_code`` appears as the LA of previous permanence orders.
    ``format``: the returns as CSV files, as XML, or ``mixed`` (XML and CSV years in turn, the
    earliest XML); the data are the same whatever the format (same seed, same values).
    ``extracts="children"`` writes only the children's local extracts
    (:data:`CHILDREN_EXTRACTS`), as an LA in a regional adoption agency holds them: no adopters,
    staffing, costs or case audits, no Annex A workbook and no audit forms (its RAA's, made by
    :func:`generate_raa` from the same draws). Every file written is the same either way.
    """
    del la_name  # part of the API for symmetry with write_params; no file holds the name
    _check_options(format, size, years, extracts)
    out_dir = Path(out_dir)
    b = _build(seed, size, years, last_year, la_code, with_errors)
    files, h, window, manifest = b.files, b.h, b.window, b.manifest
    if extracts == "children":
        files = {rel: df for rel, df in files.items() if not rel.startswith("local/")
                 or rel[len("local/"):-len(".csv")] in CHILDREN_EXTRACTS}
        if manifest is not None:  # an error planted in an extract not written is not there
            manifest = manifest[manifest["file"].isin(files)].reset_index(drop=True)

    _clear(out_dir)
    labels = tuple(window.label(y) for y in window.year_ends)
    as_xml = {lb for i, lb in enumerate(labels)
              if format == "xml" or (format == "mixed" and i % 2 == 0)}
    written = []
    for lb in labels:
        if lb in as_xml:
            rel, manifest = _write_xml_year(files, lb, out_dir, manifest)
            written.append(rel)
    for rel, df in files.items():
        if rel.startswith("903/") and rel.split("/")[1] in as_xml:
            continue  # written in that year's XML return
        _write(df, out_dir / rel)
        written.append(rel)
    forms: list[str] = []
    if extracts == "all":
        annex_a.write_workbook(out_dir / annex_a.FILE, b.adopters, b.plans)
        written.append(annex_a.FILE)
    if manifest is not None:
        _write(manifest, out_dir / errors.MANIFEST)
        written.append(errors.MANIFEST)
    if extracts == "all":
        forms = audit_forms.write_forms(b.audits, out_dir)

    ao = h.periods["ao"]
    by_year = {
        window.label(y): int(((ao >= window.start_of(y)) & (ao <= window.end_of(y))).sum())
        for y in window.year_ends
    }
    dec = h.episodes["dec"]
    seen = h.episodes[dec.isna() | (dec >= window.first_start)]
    latest = files[f"903/{labels[-1]}/header.csv"]
    return SynthSummary(
        out_dir=out_dir, seed=seed, size=size, years=labels,
        children=int(seen["child"].nunique()),
        looked_after_latest_year=int(latest["CHILD"].nunique()),
        episodes=len(seen), adoptions=sum(by_year.values()), adoptions_by_year=by_year,
        files=tuple(written), errors=0 if manifest is None else len(manifest),
        audit_forms=tuple(forms),
    )


@dataclass(frozen=True)
class MemberSpec:
    """How one synthetic member LA of an RAA is drawn (as its params' ``synthetic:`` block)."""

    seed: int
    size: int
    years: int = 6
    last_year: int = 2026
    la_code: str = "999"


def raa_extracts(built: list[dict[str, pd.DataFrame]]
                 ) -> dict[str, pd.DataFrame]:
    """One RAA's extracts from its members' (each a member's files by path, as drawn): the
    households of every member in one adopters file, renumbered in order of enquiry (each
    member's own adopters and the households it recruited, now the RAA's); the staff summed by
    year, team and role; the costs summed by year, category, purpose and income; the case
    audits in one file, renumbered in order of audit."""
    def cat(name: str) -> pd.DataFrame:
        return pd.concat([b[f"local/{name}.csv"] for b in built], ignore_index=True)

    hh = cat("adopters").sort_values("enquiry_date", kind="stable").reset_index(drop=True)
    hh["household_id"] = [f"HH{i + 1:04d}" for i in range(len(hh))]
    st = cat("staffing").assign(fte=lambda d: d["fte"].astype(float))
    keys = ["financial_year", "team", "role"]
    st = st.groupby(keys, sort=False)["fte"].sum().reset_index()
    st["fte"] = st["fte"].map(lambda x: f"{x:.1f}")
    co = cat("costs").assign(amount=lambda d: d["amount"].astype(float))
    keys = ["financial_year", "category", "purpose", "income"]
    co = co.groupby(keys, sort=False, dropna=False)["amount"].sum().reset_index()
    co["amount"] = co["amount"].map(lambda x: f"{round(x)}")
    au = cat("case_audits").sort_values("date_audited", kind="stable").reset_index(drop=True)
    au["audit_id"] = [f"AUD{i + 1:04d}" for i in range(len(au))]
    return {"local/adopters.csv": hh[schema.ADOPTERS.column_names],
            "local/staffing.csv": st[schema.STAFFING.column_names],
            "local/costs.csv": co[schema.COSTS.column_names],
            "local/case_audits.csv": au[schema.CASE_AUDITS.column_names]}


def generate_raa(out_dir: Path, members: list[MemberSpec]) -> list[str]:
    """Write a synthetic RAA's own extracts under ``out_dir/local/`` (:data:`RAA_EXTRACTS`:
    one set of adopters for all its members, its staffing, costs and case audits), drawn from
    its members exactly as ``generate`` draws each member's: the households that adopted a
    member's child in-house are the ones that member's returns place the child with, and the
    interagency fees paid follow the members' placements with other agencies' adopters (PLACE
    PROVIDER PR2 and PR5). Each member's own data is written by ``generate(...,
    extracts="children")`` from its params (with its errors, if its params inject them: the
    RAA's extracts are drawn from the clean files). Returns the files written."""
    built = []
    for m in members:
        _check_options("csv", m.size, m.years)
        # Drawn clean: a member's injected errors are in its own files, not in the RAA's.
        built.append(_build(m.seed, m.size, m.years, m.last_year, m.la_code, False).files)
    out_dir = Path(out_dir)
    written = []
    for rel, df in raa_extracts(built).items():
        _write(df, out_dir / rel)
        written.append(rel)
    return written


def _write_xml_year(files: dict[str, pd.DataFrame], label: str, out_dir: Path,
                    manifest: pd.DataFrame | None) -> tuple[str, pd.DataFrame | None]:
    """Write one year's 903 tables as its XML return; returns its path and the manifest, whose
    rows of those tables then name the return's table and the line of the row's element. A
    column an XML return cannot hold (the injected extra column) is written as an element the
    kit does not know, which is a note, not a finding: its manifest row is dropped."""
    prefix = f"903/{label}/"
    tables = {t.name: files[f"{prefix}{t.file}"] for t in schema.SSDA903_TABLES
              if f"{prefix}{t.file}" in files}
    rel = f"{prefix}{XML_RETURN}"
    lines = xml_returns.write_year(tables, out_dir / rel)
    if manifest is not None:
        drop = []
        for i, m in manifest.iterrows():
            table = m["file"][len(prefix):-len(".csv")] if m["file"].startswith(prefix) else None
            if table not in tables:
                continue
            if m["row"] == "":
                drop.append(i)
                continue
            manifest.at[i, "file"] = f"{rel} [{table}]"
            manifest.at[i, "row"] = str(int(lines[table][int(m["row"]) - 2]))
        manifest = manifest.drop(index=drop)
    return rel, manifest


def write_params(path: Path, *, data_dir: Path, la_name: str, la_code: str,
                 last_year: int = 2026, seed: int | None = None) -> None:
    """Write a ready params YAML for a synthetic LA.

    Keys as ``params/demo.yaml``: ``la_name``, ``la_code``, ``period_start``, ``period_end``
    (the last three financial years: ``last_year - 3``-04-01 to ``last_year``-03-31) and
    ``data_dir``, relative to the params file's folder when the two share a drive. The seed, if
    given, is recorded in a comment.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        rel = os.path.relpath(Path(data_dir).resolve(), path.parent.resolve())
        data_text = Path(rel).as_posix()
    except ValueError:  # another drive on Windows: keep it absolute
        data_text = Path(data_dir).resolve().as_posix()
    start = dt.date(last_year - 3, 4, 1)
    end = dt.date(last_year, 3, 31)

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# A synthetic, fictional local authority generated by `adoption-diagnostic synth`"
        + (f" (seed {seed})." if seed is not None else "."),
        f"la_name: {q(la_name)}",
        f"la_code: {q(str(la_code))}",
        f"period_start: {start.isoformat()}",
        f"period_end: {end.isoformat()}",
        f"data_dir: {q(data_text)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

