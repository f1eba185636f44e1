"""Pseudonyms for children in rendered outputs.

A child is shown as ``C-0001``-style pseudonyms, numbered in an order set by a keyed hash of the
LA's own identifier. The key is derived from the input files' checksums, so the same inputs give
the same pseudonyms (reports can be compared run to run) while nobody without the data can
work back from a pseudonym. The key from pseudonym to the LA's own id is written beside the
report (``pseudonym_key.csv``), never inside it.
"""

from __future__ import annotations

import hashlib

import pandas as pd


def run_salt(checksums: dict[str, str], la_code: str) -> str:
    """A salt for this run's pseudonyms: a hash of the LA code and every input's checksum."""
    h = hashlib.sha256(la_code.encode())
    for name in sorted(checksums):
        h.update(name.encode())
        h.update(checksums[name].encode())
    return h.hexdigest()


def assign_pseudonyms(ids: pd.Series, salt: str, prefix: str = "C") -> pd.Series:
    """Map each distinct id to a pseudonym; the result is indexed by the LA's id."""
    distinct = pd.Series(sorted(ids.dropna().astype(str).unique()), dtype="string")
    keys = pd.Series([hashlib.sha256(f"{salt}:{x}".encode()).hexdigest() for x in distinct],
                     index=distinct.index, dtype="string")
    order = keys.argsort(kind="stable")
    width = max(4, len(str(len(distinct))))
    names = pd.Series(
        [f"{prefix}-{i + 1:0{width}d}" for i in range(len(distinct))], dtype="string"
    )
    out = pd.Series(names.to_numpy(), index=distinct.iloc[order].to_numpy(), dtype="string")
    out.index.name = "child"
    return out.rename("pseudonym")
