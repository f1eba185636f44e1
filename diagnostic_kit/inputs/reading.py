"""Reading an LA's input files into validated DataFrames, with a data-quality log.

Structural problems (a required file or column missing, a file that is not CSV text) stop the
run with :class:`InputError`, whose message is one plain sentence naming the file, what is wrong
and the template to follow. Row problems never stop the run: each becomes a finding and the row
is kept, blanked or excluded as the rule says (``validation.RULES``).

SSDA903 files are combined across collection years: exact duplicates are dropped, and a record
reported in two years (same key, e.g. the same CHILD and DECOM for an episode) is taken from the
later year, which carries its end date.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from diagnostic_kit import resources
from diagnostic_kit.derive import journeys
from diagnostic_kit.derive import periods as episodes
from diagnostic_kit.inputs.findings import DataQuality, QualityLog
from diagnostic_kit.inputs.params import Params
from diagnostic_kit.inputs.schema import LOCAL_TABLES, SSDA903_TABLES, SSDA903_UNUSED, Column, Table

TEMPLATE_HINT = "data_templates/data_dictionary.md"

#: Other names LAs and the open-source 903 tools use for the same files.
FILE_ALIASES = {
    "placedadoption": "placed_for_adoption",
    "placed_adoption": "placed_for_adoption",
    "prevperm": "previous_permanence",
    "prev_perm": "previous_permanence",
}

#: Tables that hold one snapshot per collection year: every year is kept.
PER_YEAR_TABLES = {"oc2"}

#: The DfE columns dropped on purpose, and why.
PERSONAL_DROP_REASON = "personal data the kit does not need"

#: Spaces and tabs before a comma or a line end (903 files only).
_PADDING = re.compile(r"[ \t]+(?=,|\r?$)", re.MULTILINE)

_DMY = "%d/%m/%Y"
_ISO = "%Y-%m-%d"
_TRUE = {"yes", "y", "true", "1", "t"}
_FALSE = {"no", "n", "false", "0", "f"}


class InputError(Exception):
    """An input problem that stops the run; ``str(exc)`` is one sentence for the analyst."""


@dataclass
class LAInputs:
    """Validated input tables and the open data-quality log."""

    tables: dict[str, pd.DataFrame]
    log: QualityLog
    years: list[str] = field(default_factory=list)

    @property
    def dq(self) -> DataQuality:
        return self.log.build()


# -- reading ---------------------------------------------------------------------------------


def _decode(path: Path, rel: str, table: Table) -> str:
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\"): save it as CSV UTF-8 following "
            f"{_template(table)}."
        )
    if data[:4] == b"PK\x03\x04" or b"\x00" in data[:4096]:
        raise InputError(
            f"{rel} is not a CSV text file (it looks like a spreadsheet or binary file): "
            f"save it as CSV following {_template(table)}."
        )
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{rel} is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) following "
        f"{_template(table)}."
    )


def _template(table: Table) -> str:
    if table.source == "local":
        return f"data_templates/{table.file}"
    return f"the {table.name} table in {TEMPLATE_HINT}"


def _normalise_header(name: str, table: Table) -> str:
    name = name.strip().strip('"')
    return name.upper() if table.source == "903" else name.lower()


def read_table_file(path: Path, rel: str, table: Table, log: QualityLog) -> pd.DataFrame:
    """Read one CSV as text, keep the schema's columns, and record what was dropped.

    Returns a frame of strings (blank → NA) with ``_file`` and ``_row`` (line in the file,
    header = line 1). Raises :class:`InputError` for structural problems.
    """
    text = _decode(path, rel, table)
    log.checksums[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    if not text.strip():
        raise InputError(f"{rel} is empty: it needs at least the header row of {_template(table)}.")
    if table.source == "903":
        # 903 files hold codes and dates only: strip blanks around values in one pass.
        text = _PADDING.sub("", text)
    try:
        raw = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
            skip_blank_lines=True, skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
        raise InputError(
            f"{rel} could not be read as CSV ({detail}): follow {_template(table)}."
        ) from None
    raw.columns = [_normalise_header(c, table) for c in raw.columns]
    wanted = table.column_names
    missing = [c for c in table.required_columns if c not in raw.columns]
    if missing:
        cols = ", ".join(missing)
        raise InputError(
            f"{rel} is missing the required column{'s' if len(missing) > 1 else ''} {cols}: "
            f"follow {_template(table)}."
        )
    for col in raw.columns:
        if col in wanted:
            continue
        if col in table.drop:
            log.dropped.append({"file": rel, "column": col, "reason": PERSONAL_DROP_REASON})
        else:
            log.dropped.append({"file": rel, "column": col, "reason": "not in the kit's template"})
            log.add_file_level("column_not_in_template", rel, col)
    df = raw.reindex(columns=wanted)
    if table.source == "local":
        df = df.apply(lambda s: s.str.strip()).replace("", pd.NA)
    df["_file"] = rel
    df["_row"] = pd.RangeIndex(2, len(df) + 2)
    log.rows_read[rel] = (table.name, len(df))
    return df


# -- column-level validation -----------------------------------------------------------------


def _norm_code(s: pd.Series, table: Table) -> pd.Series:
    s = s.astype("string")
    if table.source == "903":  # already stripped on read
        return s.str.upper()
    return s.str.strip().str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _canonical(col: Column) -> dict[str, str]:
    """Local codes as written after normalising (lower case, underscores) → the schema's code."""
    return {re.sub(r"[\s\-]+", "_", a.lower()): a for a in col.allowed or ()}


def parse_dates(s: pd.Series) -> pd.Series:
    """Dates written ``dd/mm/yyyy`` or ``yyyy-mm-dd`` (either in any row); others → NaT."""
    dmy = pd.to_datetime(s, format=_DMY, errors="coerce")
    rest = dmy.isna() & s.notna()
    if rest.any():
        dmy[rest] = pd.to_datetime(s[rest], format=_ISO, errors="coerce")
    return dmy


def parse_numbers(s: pd.Series, *, money: bool = False) -> pd.Series:
    """Numbers; with ``money``, a leading £ and thousands separators are accepted."""
    s = s.astype("string").str.strip()
    if money:
        s = s.str.replace(r"^£", "", regex=True).str.replace(r"(?<=\d),(?=\d{3}\b)", "", regex=True)
    return pd.to_numeric(s, errors="coerce")


def parse_bools(s: pd.Series) -> pd.Series:
    low = s.astype("string").str.strip().str.lower()
    out = pd.Series(pd.NA, index=s.index, dtype="boolean")
    out[low.isin(_TRUE)] = True
    out[low.isin(_FALSE)] = False
    return out


def _check_for(col: Column, table: Table) -> list[pa.Check]:
    """The pandera checks for one column's codes, each named by its rule id."""
    if col.kind == "code" and col.allowed:
        allowed = set(_canonical(col)) if table.source == "local" else set(col.allowed)
        return [pa.Check(lambda s, a=allowed: s.isin(a) | s.isna(), name="code_unknown")]
    return []


def table_schema(table: Table) -> pa.DataFrameSchema:
    """A pandera schema over the text columns of one table, built from ``schema.py``: codes in
    their allowed lists, required values present."""
    return pa.DataFrameSchema(
        {
            c.name: pa.Column(
                "string", checks=_check_for(c, table), nullable=not c.required, coerce=True
            )
            for c in table.columns
        },
        strict=False,
    )


#: The rule for a value that does not parse, by column kind.
_PARSE_RULES = {"date": "date_unparseable", "int": "number_unparseable",
                "number": "number_unparseable", "money": "number_unparseable",
                "bool": "code_unknown"}


def _parse(s: pd.Series, col: Column) -> pd.Series:
    if col.kind == "date":
        return parse_dates(s)
    if col.kind == "bool":
        return parse_bools(s)
    nums = parse_numbers(s, money=col.kind == "money")
    # A whole-number column with a fraction in it is not a valid value.
    return nums.where(nums.isna() | (nums % 1 == 0)) if col.kind == "int" else nums


def _failures(df: pd.DataFrame, table: Table, parsed: dict[str, pd.Series]) -> pd.DataFrame:
    """Every failing value as (column, rule, index): pandera for codes and required values,
    the single parse of each date, number and boolean column for the rest."""
    frames = []
    try:
        table_schema(table).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        frames.append(pd.DataFrame({
            "column": fc["column"].astype(str),
            "rule": fc["check"].astype(str).replace({"not_nullable": "required_missing"}),
            "index": fc["index"],
        }))
    for name, values in parsed.items():
        bad = values.isna() & df[name].notna()
        if bad.any():
            frames.append(pd.DataFrame({"column": name,
                                        "rule": _PARSE_RULES[table.column(name).kind],
                                        "index": df.index[bad]}))
    if not frames:
        return pd.DataFrame(columns=["column", "rule", "index"])
    return pd.concat(frames, ignore_index=True)


def _excluding(col: Column, table: Table, rule: str) -> bool:
    """Whether a finding on this column makes the row unusable."""
    if rule == "required_missing":
        return col.name in table.key or col.kind in ("id", "date")
    if rule in ("date_unparseable", "number_unparseable"):
        return col.required
    if rule == "code_unknown":
        return table.source == "local" and col.required
    return False


def validate_columns(df: pd.DataFrame, table: Table, log: QualityLog) -> pd.DataFrame:
    """Check every value against the schema; parse dates, numbers, codes and booleans.

    Returns the typed frame without the rows a finding made unusable (those are listed as
    excluded).
    """
    parsed = {c.name: _parse(df[c.name], c) for c in table.columns if c.kind in _PARSE_RULES}
    # Codes are normalised once (case, and for local extracts spaces and hyphens); findings
    # show them as written.
    code_cols = [c.name for c in table.columns if c.kind == "code"]
    as_written = df[code_cols].copy()
    df = df.copy()
    for name in code_cols:
        df[name] = _norm_code(df[name], table)
    failures = _failures(df, table, parsed)
    excluded: set[int] = set()
    for (colname, rule), grp in failures.groupby(["column", "rule"], sort=False):
        col = table.column(str(colname))
        idx = pd.Index(grp["index"].dropna().astype(int).unique())
        rows = df.loc[idx]
        exclude = _excluding(col, table, str(rule))
        if exclude:
            action = "row excluded"
        elif (rule == "code_unknown" and table.source == "local") or col.kind == "bool":
            action = "value treated as blank"
        else:
            action = None
        value = as_written.get(col.name)
        log.add(str(rule), rows, col.name, value=value, action=action)
        if exclude:
            excluded.update(idx)
    out = df.drop(index=list(excluded))
    if excluded:
        log.exclude(df.loc[sorted(excluded)], table.name, "a required value is missing or invalid")
    # Duplicates are judged on the values as written, among the usable rows.
    out = drop_within_file_duplicates(out, table, log)
    return _typed(out, table, {k: v.loc[out.index] for k, v in parsed.items()})


def _typed(
    df: pd.DataFrame, table: Table, parsed: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """The table with each column as its kind: dates, numbers, booleans, canonical codes."""
    out = df.copy()
    parsed = parsed or {}
    for col in table.columns:
        s = out[col.name]
        if col.kind in _PARSE_RULES:
            values = parsed[col.name] if col.name in parsed else _parse(s, col)
            if col.kind == "int":
                values = values.astype("Int64")
            elif col.kind in ("number", "money"):
                values = values.astype("Float64")
            out[col.name] = values
        elif col.kind == "code":
            codes = s.astype("string")
            if table.source == "local" and col.allowed:
                codes = codes.map(_canonical(col)).astype("string")
            out[col.name] = codes
        else:
            out[col.name] = s.astype("string")
    return out


def empty_table(table: Table) -> pd.DataFrame:
    """A table with no rows but the schema's columns and types, for an absent file."""
    df = pd.DataFrame({c: pd.Series(dtype="string") for c in table.column_names})
    df = _typed(df, table)
    df["_file"] = pd.Series(dtype="string")
    df["_row"] = pd.Series(dtype="int64")
    return df


def drop_within_file_duplicates(df: pd.DataFrame, table: Table, log: QualityLog) -> pd.DataFrame:
    """The same key twice in one file: keep the first, record and exclude the later rows."""
    if not table.key or df.empty:
        return df
    dup = df.duplicated(subset=list(table.key), keep="first")
    rows = df[dup]
    log.add("duplicate_record", rows, table.key[-1])
    log.exclude(rows, table.name, "duplicate of an earlier row in the same file")
    return df[~dup]


# -- combining collection years --------------------------------------------------------------


def collection_year(folder: str) -> int | None:
    """The year a collection-year folder ends in: ``2023-24``, ``2023_24`` and ``2024`` → 2024."""
    m = re.search(r"(\d{4})\s*[-_/]\s*(\d{2}|\d{4})$", folder)
    if m:
        return int(m.group(1)) + 1
    m = re.search(r"(\d{4})$", folder)
    return int(m.group(1)) if m else None


def _find_903_files(root: Path) -> dict[str, list[tuple[int, Path]]]:
    """903 files by table name, each with the collection year it came from (0 = combined)."""
    if not root.is_dir():
        raise InputError(
            f"The SSDA903 folder {root} does not exist: put each collection year's 903 files in "
            f"a folder such as {root}/2024-25 (see {TEMPLATE_HINT})."
        )
    found: dict[str, list[tuple[int, Path]]] = {}
    places: list[tuple[int, Path]] = [(0, root)]
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        year = collection_year(sub.name)
        if year is None:
            raise InputError(
                f"The folder {sub} inside {root} is not named for a collection year: "
                "name it like 2024-25 (see README)."
            )
        places.append((year, sub))
    for year, place in places:
        for f in sorted(place.glob("*")):
            if f.suffix.lower() != ".csv" or not f.is_file():
                continue
            stem = f.stem.lower()
            stem = FILE_ALIASES.get(stem, stem)
            found.setdefault(stem, []).append((year, f))
    return found


def combine_years(frames: list[pd.DataFrame], table: Table, log: QualityLog) -> pd.DataFrame:
    """Stack a table's yearly files; a record in several years is taken from the latest."""
    if not frames:
        return empty_table(table).assign(_year=pd.Series(dtype="int64"))
    df = pd.concat(frames, ignore_index=True)
    if len(frames) == 1:
        return df
    df = df.sort_values(["_year", "_file", "_row"], kind="stable", ignore_index=True)
    cols = table.column_names
    key = [*table.key, "_year"] if table.name in PER_YEAR_TABLES else list(table.key)
    exact = df.duplicated(subset=[*cols, *(["_year"] if table.name in PER_YEAR_TABLES else [])],
                          keep="last")
    log.exclude(df[exact], table.name, "exact duplicate of a row in a later year's return")
    df = df[~exact]
    if key:
        older = df.duplicated(subset=key, keep="last")
        log.exclude(df[older], table.name,
                    "superseded by the same record in a later year's return")
        df = df[~older]
    return df.reset_index(drop=True)


def _load_903(root: Path, log: QualityLog) -> tuple[dict[str, pd.DataFrame], list[str]]:
    files = _find_903_files(root)
    tables: dict[str, pd.DataFrame] = {}
    years = sorted({y for fl in files.values() for y, _ in fl if y})
    for table in SSDA903_TABLES:
        entries = files.pop(table.name, [])
        if not entries and table.required_file:
            raise InputError(
                f"No {table.file} was found under {root}: the 903 {table.name} table is required "
                f"(see {TEMPLATE_HINT})."
            )
        frames = []
        for year, path in entries:
            rel = path.relative_to(root.parent).as_posix()
            df = read_table_file(path, rel, table, log)
            df = validate_columns(df, table, log)
            frames.append(df.assign(_year=year))
        tables[table.name] = combine_years(frames, table, log)
    for name, entries in files.items():
        for _, path in entries:
            why = "a 903 table the kit does not use" if name in SSDA903_UNUSED else "unknown file"
            log.unused.append(f"{path.relative_to(root.parent).as_posix()} ({why})")
    return tables, [str(y) for y in years]


def _load_local(root: Path, log: QualityLog) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    present = {p.name.lower(): p for p in root.glob("*.csv")} if root.is_dir() else {}
    for table in LOCAL_TABLES:
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
        df = read_table_file(path, rel, table, log)
        tables[table.name] = validate_columns(df, table, log).reset_index(drop=True)
    return tables


def load_inputs(params: Params) -> LAInputs:
    """Load and validate every input of one LA, once.

    Reads the 903 files of every collection year under ``<data_dir>/903`` and the local extracts
    under ``<data_dir>/local``, checks every value, combines years, and runs the cross-row rules
    (episode chains, adoption tables). Derived tables (periods of care) are added to ``tables``.
    """
    log = QualityLog()
    tables, years = _load_903(params.ssda903_dir, log)
    tables.update(_load_local(params.local_dir, log))
    start = episodes.window_start([int(y) for y in years])
    tables["episodes"] = episodes.clean_episodes(tables["episodes"], tables["header"], log, start)
    tables["periods"] = episodes.periods_of_care(tables["episodes"])
    tables["adoption_facts"] = journeys.adoption_facts(tables, log)
    return LAInputs(tables=tables, log=log, years=years)


def project_relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(resources.checkout_root() or Path.cwd()).as_posix()
    except ValueError:
        return str(path)
