"""How much one LA's data the kit reads: rows counted before any file is parsed, so that a run's
memory stays bounded however large the files are.

Memory grows with the rows read (a run holds the tables in its own process and in each section's
kernel). These caps are far above what an LA holds: the bench's synthetic LA of 17,000 children
looked after a year, several times the largest English LA, writes about 160,000 episode rows and
560,000 rows in all over six returns. At the caps a run peaks under about 2 GiB (measured by
``make bench --only largest``; README, "Hostile or broken inputs").

Rows are counted from the bytes, never parsed: a CSV file's lines after its heading, an XML
return's row elements (``CHILD``, ``EPISODE``, ``AREVIEW``, ``AD_PLACED``, ``PERMANENCE``,
``OC2``). Counting stops once a cap is passed, so it takes no longer than reading to the cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from diagnostic_kit.inputs.errors import InputError

#: No 903 file or local extract of a real LA comes near this; a file this large is refused
#: from its size before it is read (``reading``), rather than read whole into memory.
MAX_FILE_BYTES = 1024 ** 3
#: The most episode rows read from one LA's 903 returns, every year together.
MAX_EPISODES = 500_000
#: The most rows read from one LA's 903 returns, every table and year together.
MAX_903_ROWS = 2_000_000
#: The most rows read from one local extract (adopters, audits, costs …).
MAX_LOCAL_ROWS = 200_000

_CHUNK = 1 << 20
#: A row element of an XML return, namespaced or not; the look-ahead keeps ``CHILD`` from
#: matching ``CHILDID`` and a tag cut at a chunk's end from matching before it is whole.
_XML_ROW = re.compile(rb"<(?:[\w.-]+:)?(CHILD|EPISODE|AREVIEW|AD_PLACED|PERMANENCE|OC2)"
                      rb"(?=[\s>/])")


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            yield chunk


def csv_rows(path: Path, stop: int | None = None) -> int:
    """Data rows of a CSV file: its lines after the heading (a last line without a line end
    counted). With ``stop``, counting ends once more than ``stop`` are found."""
    lines, last = 0, b"\n"
    for chunk in _chunks(path):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
        if stop is not None and lines - 1 > stop:
            break
    lines += last != b"\n"
    return max(lines - 1, 0)


def xml_rows(path: Path) -> tuple[int, int]:
    """Row elements of an XML return, and how many of them are episodes."""
    rows = episodes = 0
    tail = b""
    for chunk in _chunks(path):
        buf = tail + chunk
        for m in _XML_ROW.finditer(buf):
            # A tag whose look-ahead byte was inside ``tail`` was counted with the chunk before.
            if m.end() >= len(tail):
                rows += 1
                episodes += m.group(1) == b"EPISODE"
        tail = buf[-64:]
    return rows, episodes


def check_903(csv_files: dict[str, Iterable[Path]], xml_files: Iterable[Path], root: Path,
              hint: str) -> None:
    """Stop, in one sentence, before reading 903 returns over :data:`MAX_EPISODES` episodes or
    :data:`MAX_903_ROWS` rows. ``csv_files`` are the CSV files by table name."""
    episodes = rows = 0

    def over(what: str, cap: int) -> InputError:
        return InputError(
            f"The 903 returns under {root} hold over {cap:,} {what}, far more than one LA's "
            "returns hold, so the kit does not read them: check that the folder holds only this "
            f"LA's returns, one folder per collection year (see {hint}).")

    for path in xml_files:
        if path.stat().st_size > MAX_FILE_BYTES:
            continue  # refused from its size when it is read
        r, e = xml_rows(path)
        rows, episodes = rows + r, episodes + e
    for name, paths in csv_files.items():
        for path in paths:
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            n = csv_rows(path, MAX_903_ROWS - rows)
            rows += n
            episodes += n if name == "episodes" else 0
            if episodes > MAX_EPISODES:
                raise over("episodes", MAX_EPISODES)
            if rows > MAX_903_ROWS:
                raise over("rows", MAX_903_ROWS)
    if episodes > MAX_EPISODES:
        raise over("episodes", MAX_EPISODES)
    if rows > MAX_903_ROWS:
        raise over("rows", MAX_903_ROWS)


def check_local(path: Path, rel: str, template: str) -> None:
    """Stop, in one sentence, before reading a local extract of over :data:`MAX_LOCAL_ROWS`
    rows (one over :data:`MAX_FILE_BYTES` is left to be refused from its size)."""
    if path.stat().st_size <= MAX_FILE_BYTES and csv_rows(path, MAX_LOCAL_ROWS) > MAX_LOCAL_ROWS:
        raise InputError(
            f"{rel} has over {MAX_LOCAL_ROWS:,} rows, far more than one LA's {template} holds, "
            f"so the kit does not read it: check it is the right file, following {template}.")
