"""Reading an LA's input files into validated DataFrames, with a data-quality log: the steps in
order, each in a module of its own.

1. The rows are counted from the bytes and refused over the caps (:mod:`limits`).
2. The 903 returns are found by collection year (:mod:`years`); an XML year is read by
   :mod:`xml_return`, a CSV file by :mod:`csv_files` (sniffed, decoded, delimiter, headings).
3. Each table's columns are checked and parsed against the schema (:mod:`columns`; dates,
   numbers and flags by :mod:`values`), and duplicate records resolved (:mod:`duplicates`).
4. The years of each 903 table are combined, the later return winning (:mod:`years`); the local
   extracts are read the same way, one file each.

Structural problems (a required file or column missing, a file that is not CSV text, a date
column most of whose values cannot be read, required tables with no usable rows) stop the run
with :class:`InputError`, whose message is one plain sentence naming the file, what is wrong and
the template to follow. Row problems never stop the run: each becomes a finding and the row is
kept, blanked or excluded as the rule says (``inputs.findings.RULES``).

Reading is the first step only: :func:`load_inputs` returns the tables and its own
:class:`Findings`; the cross-row rules (``diagnostic_kit.rules``) and the derivations (periods of
care, journeys) are run after it by ``run.prepare``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from diagnostic_kit import kit_files
from diagnostic_kit.inputs import codes, limits, xml_return
from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.columns import empty_table, stack_keys, validate_table
from diagnostic_kit.inputs.csv_files import read_table_file, read_table_values, template_for
from diagnostic_kit.inputs.errors import TEMPLATE_HINT, InputError
from diagnostic_kit.inputs.findings import (
    DataQuality,
    Findings,
)
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES, SSDA903_UNUSED, Table
from diagnostic_kit.inputs.years import combine_years_coded, find_903_files

if TYPE_CHECKING:
    pass


@dataclass
class LAInputs:
    """Validated input tables and the findings of reading them."""

    tables: dict[str, pd.DataFrame]
    findings: Findings
    years: list[str] = field(default_factory=list)
    #: CHILD → pseudonym, once ``run.prepare.check_inputs`` has assigned them.
    pseudonyms: pd.Series | None = None
    #: Per table of :data:`KEPT_ASIDE`, the rows of an earlier year's return that a later
    #: year's replaced (same record, or same key): listed as excluded, and kept here so that
    #: each year's return as submitted is the table's rows of that ``_year`` and these.
    replaced: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def log(self) -> Findings:
        """The name used before each step returned its own findings."""
        return self.findings

    @property
    def dq(self) -> DataQuality:
        return self.findings.build()


def _load_903(root: Path, log: Findings, aside: dict[str, pd.DataFrame] | None = None
              ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    files = find_903_files(root)
    limits.check_903({k: [p for _, p in v] for k, v in files.items() if k != xml_return.XML_FILES},
                     [p for _, p in files.get(xml_return.XML_FILES, [])], root, TEMPLATE_HINT)
    tables: dict[str, pd.DataFrame] = {}
    years = sorted({y for fl in files.values() for y, _ in fl if y})
    # XML returns, read once each into all their tables (inputs/xml_return.py).
    from_xml = xml_return.read_returns(files.pop(xml_return.XML_FILES, []), files, root, log)
    # A collection-year folder with 903 files but no header.
    by_folder: dict[Path, set[str]] = {}
    for name, entries in files.items():
        for year, path in entries:
            if year:
                by_folder.setdefault(path.parent, set()).add(name)
    for folder, names in sorted(by_folder.items()):
        if "header" not in names:
            rr.YEAR_WITHOUT_HEADER.record_file(
                log, f"{folder.relative_to(root.parent).as_posix()}/", "header.csv")
    for table in SSDA903_TABLES:
        entries = files.pop(table.name, [])
        xml = from_xml.get(table.name, [])
        if not entries and not xml and table.required_file:
            raise InputError(
                f"No {table.file} was found under {root}: the 903 {table.name} table is required; "
                f"put each collection year's returns in a folder of their own, such as "
                f"{root}/2024-25/{table.file} (see {TEMPLATE_HINT})."
            )
        frames, keys = [], []
        # In year order, CSV files and XML returns alike (a year is in one form only).
        for year, source in sorted([*entries, *xml], key=lambda e: e[0]):
            if isinstance(source, Path):
                source = read_table_file(source, source.relative_to(root.parent).as_posix(),
                                         table, log)
            df, k = validate_table(source, table, log)
            df["_year"] = year  # a frame of its own: no copy needed
            _codes_of_the_year(df, table, year, log)
            frames.append(df)
            keys.append(k)
        tables[table.name] = combine_years_coded(frames, stack_keys(keys, table.column_names),
                                            table, log, aside)
    for name, entries in files.items():
        for _, path in entries:
            why = "a 903 table the kit does not use" if name in SSDA903_UNUSED else "unknown file"
            log.unused.append(f"{path.relative_to(root.parent).as_posix()} ({why})")
    return tables, [str(y) for y in years]


def _codes_of_the_year(df: pd.DataFrame, table: Table, year: int, log: Findings) -> None:
    """Record each code of one year's return valid in other collection years but not in this
    one (``codes.CHANGES``), as the return was submitted, before the years are combined."""
    for t, column in codes.changed_columns():
        if t == table.name and column in df and len(df):
            bad = codes.not_valid_that_year(df[column], t, column, year)
            if bad.any():
                rows = df[bad.to_numpy()]
                rr.CODE_NOT_VALID_THAT_YEAR.record(log, rows, column,
                                                   value=rows[column].astype("string"))


def local_files(root: Path) -> dict[str, Path]:
    """The CSV files of the local folder, by their name in lower case (as templates are named)."""
    return {p.name.lower(): p for p in root.glob("*.csv")} if root.is_dir() else {}


def _load_local(root: Path, log: Findings, names: Collection[str] | None = None
                ) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    present = local_files(root)
    for table in LOCAL_TABLES:
        if names is not None and table.name not in names:
            continue
        path = present.get(table.file)
        if path is None:
            log.missing.append({
                "table": table.name, "file": f"local/{table.file}",
                "sections": ", ".join(table.used_by),
                "message": f"local/{table.file} was not supplied: fill data_templates/"
                           f"{table.file} to add it.",
            })
            tables[table.name] = empty_table(table)
            continue
        rel = path.relative_to(root.parent).as_posix()
        limits.check_local(path, rel, template_for(table))
        df, distinct = read_table_values(path, rel, table, log)
        tables[table.name] = validate_table(df, table, log, distinct)[0].reset_index(drop=True)
    return tables


def _require_rows(tables: dict[str, pd.DataFrame], found: Findings) -> None:
    """Required tables that end with no usable row stop the run: a report of nothing is not a
    report."""
    for table in SSDA903_TABLES:
        if not table.required_file or len(tables[table.name]):
            continue
        files = [f for f, (name, _) in found.rows_read.items() if name == table.name]
        read = sum(found.rows_read[f][1] for f in files)
        where = ", ".join(files)
        if not read:
            why = "it has a header row but no data rows"
        else:
            ex = found.build().exclusions
            reasons = ex.loc[ex["table"] == table.name, "reason"].value_counts()
            why = f"every row was excluded (mostly: {reasons.index[0]})" if len(reasons) else \
                "every row was excluded"
        raise InputError(
            f"No usable rows in the 903 {table.name} table ({where}): {why}; see {TEMPLATE_HINT}."
        )


def load_inputs(params: Params) -> LAInputs:
    """Read and validate every input file of one LA, once.

    Reads the 903 files of every collection year under ``<data_dir>/903`` and the local extracts
    under ``<data_dir>/local``, checks every value against the schema, resolves duplicates and
    combines years. Returns the tables and the findings of reading them; the cross-row rules
    and the derivations are not run here (``run.prepare.check_inputs`` runs them).
    """
    found = Findings()
    replaced: dict[str, pd.DataFrame] = {}
    tables, years = _load_903(params.ssda903_dir, found, replaced)
    tables.update(_load_local(params.local_dir, found))
    _require_rows(tables, found)
    return LAInputs(tables=tables, findings=found, years=years, replaced=replaced)


def load_local_inputs(local_dir: Path, names: Collection[str]) -> LAInputs:
    """Read and validate the local extracts ``names`` of one folder (a regional adoption
    agency's own: its adopters, staffing, costs and case audits), as an LA's are read; an
    extract the folder lacks is listed as missing. No 903 returns are read."""
    found = Findings()
    tables = _load_local(Path(local_dir), found, names)
    return LAInputs(tables=tables, findings=found)


def project_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(kit_files.checkout_root() or Path.cwd()).as_posix()
    except ValueError:
        return str(path)
