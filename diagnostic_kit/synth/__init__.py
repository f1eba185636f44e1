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
from diagnostic_kit.synth.history import simulate

__all__ = ["SynthSummary", "generate", "write_params"]

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


def generate(out_dir: Path, *, seed: int = 2026, size: int = 400, years: int = 6,
             last_year: int = 2026, la_name: str = "Demoshire (synthetic)", la_code: str = "999",
             with_errors: bool = False, format: str = "csv") -> SynthSummary:
    """Write a synthetic LA's 903 returns and local extracts under ``out_dir``.

    ``size`` children are looked after at some time in the latest collection year (1 April
    ``last_year - 1`` to 31 March ``last_year``); ``years`` returns end on 31 March of
    ``last_year - years + 1`` ... ``last_year``. ``la_name`` is not written into any file (the
    903 carries no LA name); ``la_code`` appears as the LA of previous permanence orders.
    ``format``: the returns as CSV files, as XML, or ``mixed`` (XML and CSV years in turn, the
    earliest XML); the data are the same whatever the format (same seed, same values).
    """
    del la_name  # part of the API for symmetry with write_params; no file holds the name
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if size < 20:
        raise ValueError("size must be at least 20 children")
    if not 1 <= years <= 15:
        raise ValueError("years must be between 1 and 15")
    out_dir = Path(out_dir)
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
    annex_a.write_workbook(out_dir / annex_a.FILE, adopters, plans)
    written.append(annex_a.FILE)
    if manifest is not None:
        _write(manifest, out_dir / errors.MANIFEST)
        written.append(errors.MANIFEST)
    forms = audit_forms.write_forms(audits, out_dir)

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

