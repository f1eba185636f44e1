"""Build small hand-made LAs on disk, as LAs hold their files, for tests."""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostic_kit.inputs.params import Params, load_params
from diagnostic_kit.inputs.schema import SSDA903_FILE_COLUMNS, TABLES
from diagnostic_kit.synth.xml_returns import write_year


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]], *,
              encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def write_la(
    root: Path,
    years: dict[str, dict[str, list[dict[str, str]]]],
    local: dict[str, list[dict[str, str]]] | None = None,
    *,
    period_start: str = "2023-04-01",
    period_end: str = "2026-03-31",
    extra: str = "",
    xml: Collection[str] = (),
    codes_as_given: bool = False,
) -> Params:
    """Write 903 files per collection year and local extracts; return the LA's params. The
    years named in ``xml`` are written as the year's XML return (``ssda903.xml``) instead.
    Sex is written as the year's return writes it (1/2 to 2023-24, M/F from 2024-25), unless
    ``codes_as_given`` (a test of the codes of another year)."""
    for year, tables in years.items():
        if not codes_as_given:
            tables = _year_codes(year, tables)
        if year in xml:
            write_xml_year(root / "data" / "903" / year / "ssda903.xml", tables)
            continue
        for name, rows in tables.items():
            cols = SSDA903_FILE_COLUMNS.get(name) or TABLES[name].column_names
            write_csv(root / "data" / "903" / year / f"{name}.csv", cols, rows)
    for name, rows in (local or {}).items():
        write_csv(root / "data" / "local" / f"{name}.csv", TABLES[name].column_names, rows)
    (root / "data" / "local").mkdir(parents=True, exist_ok=True)
    p = root / "la.yaml"
    p.write_text(
        f"la_name: Test LA\nla_code: T01\nperiod_start: {period_start}\n"
        f"period_end: {period_end}\ndata_dir: data\n{extra}",
        encoding="utf-8",
    )
    return load_params(p)


#: Sex in a return of each side of 2024-25, when letters came in.
_SEX_LETTERS = {"1": "M", "2": "F"}
_SEX_NUMBERS = {v: k for k, v in _SEX_LETTERS.items()}


def _year_codes(year: str, tables: dict[str, list[dict[str, str]]]
                ) -> dict[str, list[dict[str, str]]]:
    """The rows with sex coded as a return of ``year`` codes it."""
    from diagnostic_kit.inputs.years import collection_year

    ending = collection_year(year) or 0
    if not ending:
        return tables
    swap = _SEX_LETTERS if ending >= 2025 else _SEX_NUMBERS
    out = {}
    for name, rows in tables.items():
        out[name] = [{**r, "SEX": swap.get(r["SEX"], r["SEX"])} if "SEX" in r else r
                     for r in rows]
    return out


def write_xml_year(path: Path, tables: dict[str, list[dict[str, str]]]) -> dict[str, np.ndarray]:
    """Write one year's rows (by 903 table) as its XML return; returns each row's line."""
    frames = {}
    for name, rows in tables.items():
        cols = SSDA903_FILE_COLUMNS[name]
        frames[name] = pd.DataFrame([{c: r.get(c, "") for c in cols} for r in rows], columns=cols,
                                    dtype=object)
    return write_year(frames, path)


def ep(child: str, decom: str, rne: str, ls: str, place: str, dec: str = "", rec: str = "",
       cin: str = "N1") -> dict[str, str]:
    """One episode row."""
    return {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "CIN": cin, "PLACE": place,
            "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec, "HOME_POST": "ZZ1 2",
            "PL_POST": "ZZ9 8", "URN": "SC000000"}


def hdr(child: str, dob: str, sex: str = "M", ethnic: str = "WBRI") -> dict[str, str]:
    return {"CHILD": child, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": "A123456789012",
            "MOTHER": "", "MC_DOB": ""}
