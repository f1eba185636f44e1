"""One CSV file read as text: refused before it is read if it is too large or not text (a
spreadsheet, UTF-16), decoded (UTF-8, else Windows-1252), its delimiter found (``,`` ``;`` tab
``|``, any but a comma noted), a heading given twice refused, and a row with more fields than the
heading kept aside as a finding (``row_ragged``). Columns not in the template are dropped and
recorded; nothing is parsed here (:mod:`columns` does that).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import limits
from diagnostic_kit.inputs import reading_rules as rr
from diagnostic_kit.inputs.errors import TEMPLATE_HINT, InputError
from diagnostic_kit.inputs.findings import (
    PERSONAL_DROP_REASON,
    Findings,
)
from diagnostic_kit.inputs.schema import Table
from diagnostic_kit.inputs.values import (
    STRING_DTYPE,
    Distinct,
    distinct_codes,
    take,
)

if TYPE_CHECKING:
    pass


#: Delimiters a CSV file may use; any but a comma is read and noted.
DELIMITERS = (",", ";", "\t", "|")


# -- reading ---------------------------------------------------------------------------------


_UTF8_BOM = b"\xef\xbb\xbf"


def _decoded(data: bytes, rel: str, table: Table, sniff: bool = False) -> tuple[str, str]:
    """The file's text and the encoding it was read in (``sniff``: only the checks on its first
    bytes)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\"): save it as CSV UTF-8 following "
            f"{template_for(table)}."
        )
    head = data[:4096]
    if head[:4] != b"PK\x03\x04" and b"\x00" in head and _utf16_text(head):
        raise InputError(
            f"{rel} is saved as UTF-16 (\"Unicode text\") without a byte-order mark: save it "
            f"as CSV UTF-8 following {template_for(table)}."
        )
    if data[:4] == b"PK\x03\x04" or b"\x00" in head:
        raise InputError(
            f"{rel} is not a CSV text file (it looks like a spreadsheet or binary file): "
            f"save it as CSV following {template_for(table)}."
        )
    if sniff:
        return "", ""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{rel} is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) following "
        f"{template_for(table)}."
    )


def _utf16_text(head: bytes) -> bool:
    """Whether bytes look like UTF-16 text without a byte-order mark: plain text in UTF-16 has
    a zero in every other byte (the high byte of each character)."""
    even, odd = head[0::2], head[1::2]
    zeros, chars = (even, odd) if even.count(0) > odd.count(0) else (odd, even)
    half = len(head) // 2
    # Zeros in one half, printable characters in the other (not a run of zeros).
    return half > 0 and zeros.count(0) >= 0.9 * half and \
        sum(32 <= b < 127 or b in (9, 10, 13) for b in chars) >= 0.9 * len(chars)



def _sniff(path: Path, rel: str, table: Table) -> None:
    """Refuse a file that is too large, or not text, from its size and first bytes only."""
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise InputError(f"{rel} is {size / 1024 ** 3:.1f} GB, far larger than any 903 file or "
                         f"extract: check it is the right file, following {template_for(table)}.")
    with path.open("rb") as f:
        _decoded(f.read(4096), rel, table, sniff=True)


def template_for(table: Table) -> str:
    if table.source == "local":
        return f"data_templates/{table.file}"
    return f"the {table.name} table in {TEMPLATE_HINT}"


def _normalise_header(name: str, table: Table) -> str:
    name = name.strip().strip('"')
    return name.upper() if table.source == "903" else name.lower()


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: the one of :data:`DELIMITERS` its header line uses most
    (a comma unless another is clearly used)."""
    # The first lines are enough (the last line of the slice may be cut short: not used).
    head = text[:65536].splitlines()
    lines = head if len(text) <= 65536 else head[:-1]
    first = next((ln for ln in lines if ln.strip()), None)
    if first is None:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _blanks(data: bytes, delim: str) -> tuple[bool, bool]:
    """Whether text has a blank (a space, or a tab unless tab is the delimiter) before a
    delimiter or a line end, or at its end: what :func:`_padding` strips; and whether a field
    starts with a space (after a delimiter, at a line's start or the text's):
    what the CSV reader's ``skipinitialspace`` skips, which costs it time on every field.
    ``data`` is the text in an encoding that writes these characters as ASCII (UTF-8,
    Windows-1252). Most files hold no blank at all, which is found at memory speed."""
    if b" " not in data and (delim == "\t" or b"\t" not in data):
        return False, False
    a = np.frombuffer(data, dtype=np.uint8)
    ends = (ord(delim), 10, 13)
    blank = np.flatnonzero(a == 32 if delim == "\t" else (a == 32) | (a == 9))
    if not len(blank):
        return False, False
    inside = blank[blank < len(a) - 1]
    padding = len(inside) < len(blank) or bool(np.isin(a[inside + 1], ends).any())
    space = blank[a[blank] == 32]
    leading = len(space) > 0 and (space[0] == 0 or bool(np.isin(a[space[space > 0] - 1],
                                                                 ends).any()))
    return padding, leading


def _padding(delim: str) -> re.Pattern[str]:
    """Spaces (and tabs, unless tab is the delimiter) before a delimiter or a line end."""
    blanks = "[ ]" if delim == "\t" else "[ \t]"
    return re.compile(rf"{blanks}+(?={re.escape(delim)}|\r?$)", re.MULTILINE)


def _read_ragged(text: str, delim: str) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Read CSV text row by row: rows with more (non-blank) fields than the header are left out
    and their row numbers returned. Rows are numbered as a spreadsheet shows them: returns the
    rows read, their numbers and the numbers of the rows left out."""
    reader = csv.reader(io.StringIO(text), delimiter=delim, skipinitialspace=True)
    header: list[str] | None = None
    records: list[list[str | None]] = []
    numbers: list[int] = []
    ragged: list[int] = []
    n = 1
    for rec in reader:
        if not rec or not any(v.strip() for v in rec) and header is None:
            continue
        if header is None:
            header = rec
            continue
        n += 1
        if len(rec) > len(header):
            if any(v.strip() for v in rec[len(header):]):
                ragged.append(n)
                continue
            rec = rec[: len(header)]
        records.append([v if v != "" else None for v in rec] + [None] * (len(header) - len(rec)))
        numbers.append(n)
    return pd.DataFrame(records, columns=header or [], dtype="str"), numbers, ragged


def read_table_file(path: Path, rel: str, table: Table, log: Findings) -> pd.DataFrame:
    """Read one CSV as text, keep the schema's columns, and record what was dropped.

    Returns a frame of the file's text (a 903 file's columns as objects, blank NaN; a local
    extract's stripped, as pandas text, blank NA) with ``_file`` and ``_row`` (line in the file,
    header = line 1). Raises :class:`InputError` for structural problems. A row with more
    fields than the header becomes a finding (``row_ragged``) and is excluded; a file written
    with another delimiter (``;``, tab, ``|``) is read and noted.
    """
    return read_table_values(path, rel, table, log)[0]


def read_table_values(
    path: Path, rel: str, table: Table, log: Findings
) -> tuple[pd.DataFrame, dict[str, Distinct]]:
    """:func:`read_table_file`, and the distinct values of the columns it found them of (a
    local extract's, stripped), for :func:`validate_table` not to find them again."""
    _sniff(path, rel, table)
    data = path.read_bytes()
    text, encoding = _decoded(data, rel, table)
    log.checksums[rel] = hashlib.sha256(data).hexdigest()
    # The text as UTF-8 bytes, which the CSV reader reads quickest: the file's own where it is
    # UTF-8 (less its byte-order mark) and nothing is stripped.
    utf8: bytes | None = None
    if encoding == "utf-8-sig":
        utf8 = data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    if not text.strip():
        raise InputError(
            f"{rel} is empty: it needs at least the header row of {template_for(table)}.")
    delim = sniff_delimiter(text)
    if delim != ",":
        name = {"\t": "tab", ";": "semicolon (;)", "|": "bar (|)"}[delim]
        log.note(rel, "delimiter", f"read as {name}-delimited: the kit expects commas, and read "
                 "the values the same way")
    padding, leading = _blanks(utf8 if utf8 is not None else data, delim)
    if table.source == "903" and padding:
        # 903 files hold codes and dates only: strip blanks around values in one pass.
        # (Only where there is a blank to strip: most files have none.)
        text = _padding(delim).sub("", text)
        utf8 = None
    ragged: list[int] = []
    try:
        # Read as objects (blank: NaN): the values are numbered and typed column by column
        # after, so pandas' own text type need not check every value first.
        raw = pd.read_csv(
            io.BytesIO(utf8 if utf8 is not None else text.encode("utf-8")), dtype=object,
            keep_default_na=False, na_values=[""], skip_blank_lines=True,
            skipinitialspace=leading, sep=delim, index_col=False, low_memory=False,
        )
        # Numbered from the header's line (blank lines skipped are not counted).
        rows: np.ndarray | list[int] = np.arange(2, len(raw) + 2)
    except pd.errors.EmptyDataError:
        raise InputError(f"{rel} is empty: it needs at least the header row of "
                         f"{template_for(table)}.") from None
    except pd.errors.ParserError:
        try:
            raw, rows, ragged = _read_ragged(text, delim)
        except csv.Error as exc:
            raise InputError(
                f"{rel} could not be read as CSV ({exc}): follow {template_for(table)}."
            ) from None
    _refuse_repeated_headings(text, delim, rel, table)
    # A column headed "_row" is not read (the kit numbers the rows itself).
    headings = [(c, _normalise_header(c, table)) for c in raw.columns if c != "_row"]
    names = [name for _, name in headings]
    wanted = table.column_names
    missing = [c for c in table.required_columns if c not in names]
    if missing:
        cols = ", ".join(missing)
        raise InputError(
            f"{rel} is missing the required column{'s' if len(missing) > 1 else ''} {cols}: "
            f"follow {template_for(table)}."
        )
    for col in names:
        if col in wanted or col == "_row":
            continue
        if col in table.drop:
            log.dropped.append({"file": rel, "column": col, "reason": PERSONAL_DROP_REASON})
        else:
            log.dropped.append({"file": rel, "column": col, "reason": "not in the kit's template"})
            rr.COLUMN_NOT_IN_TEMPLATE.record_file(log, rel, col)
    n = len(raw)
    index = pd.RangeIndex(n)
    # As object columns: a frame built from arrays of text would check every value to make
    # them pandas' text type, which the typing after does not need.
    by_name = {name: pd.Series(raw[c].to_numpy(), index=index, dtype=raw[c].dtype, copy=False)
               for c, name in headings if name in wanted}
    # A column the file leaves out is all blank (as reindexing by the schema gives).
    columns = {c: by_name[c] if c in by_name else np.full(n, np.nan) for c in wanted}
    distinct: dict[str, Distinct] = {}
    if table.source == "local" and n:
        # Strip as text whatever the column's type (one left out is all blank).
        columns, distinct = _stripped(columns)
    # The arrays are the reader's own or new: not copied again.
    df = pd.DataFrame({**columns, "_file": rel, "_row": rows}, index=index, copy=False)
    if ragged:
        bad = pd.DataFrame({"_file": rel, "_row": ragged})
        rr.ROW_RAGGED.record(log, bad, "", value="")
        log.exclude(bad, table.name, "the row has more fields than the header")
    log.rows_read[rel] = (table.name, len(df) + len(ragged))
    if len(df) + len(ragged) == 0 and table.required_file:
        rr.FILE_NO_ROWS.record_file(log, rel, "")
    return df, distinct


def _refuse_repeated_headings(text: str, delim: str, rel: str, table: Table) -> None:
    """One sentence when the header row gives the same heading twice (``DOB`` and ``dob``, or a
    second ``DECOM`` where ``DEC`` was meant): the CSV reader would rename the second, and its
    column would be dropped without a word."""
    first = next(csv.reader(io.StringIO(text.lstrip("\ufeff").split("\n", 1)[0]),
                            delimiter=delim), [])
    seen: dict[str, int] = {}
    for i, heading in enumerate(first, start=1):
        name = _normalise_header(heading, table)
        if name in seen and name:
            raise InputError(
                f"{rel} has the heading {name} twice (columns {seen[name]} and {i}): give each "
                f"column its own heading, following {template_for(table)}.")
        seen[name] = i


def _stripped(
    columns: dict[str, object]
) -> tuple[dict[str, pd.api.extensions.ExtensionArray], dict[str, Distinct]]:
    """Each column (an array or Series of one file's rows) as text, stripped, blank → NA; and
    its distinct values so (as :func:`_distinct` gives them)."""
    out, distinct = {}, {}
    for name, values in columns.items():
        codes, texts = distinct_codes(pd.Series(values, copy=False))
        # Two values may strip alike: numbered again, in the order first seen.
        again, stripped = pd.factorize(np.array([t.strip() or None for t in texts] or [None],
                                                dtype=object))
        codes = np.append(again, -1)[codes] if texts else codes
        distinct[name] = (codes, stripped.tolist())
        out[name] = take(pd.array(distinct[name][1], dtype=STRING_DTYPE), codes)
    return out, distinct


