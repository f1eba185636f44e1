"""Pseudonyms for children in rendered outputs.

A child is shown as ``C-0001``-style pseudonyms, numbered in an order set by a keyed hash of the
LA's own identifier. The key is derived from the input files' checksums, so the same inputs give
the same pseudonyms (reports can be compared run to run) while nobody without the data can
work back from a pseudonym. The key from pseudonym to the LA's own id is written in the report's
internal folder (``internal/pseudonym_key.csv``), never inside the report.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd


def run_salt(checksums: dict[str, str], la_code: str) -> str:
    """A salt for this run's pseudonyms: a hash of the LA code and every input's checksum."""
    h = hashlib.sha256(la_code.encode())
    for name in sorted(checksums):
        h.update(name.encode())
        h.update(checksums[name].encode())
    return h.hexdigest()


def assign_pseudonyms(ids: pd.Series, salt: str, prefix: str = "C") -> pd.Series:
    """Map each distinct id to a pseudonym; the result is indexed by the LA's id.

    The ids (as text, sorted) are numbered in the order of their keyed hashes (SHA-256 of
    ``salt:id``), compared as bytes: the order of the hashes' hex digests.
    """
    # Each distinct value once (before the conversion to text), then as text.
    texts = pd.Series(ids.dropna().unique(), dtype=object).astype(str).unique()
    # As a plain array (iterating the text array itself reads it value by value).
    distinct = np.array(sorted(np.asarray(texts, dtype=object)), dtype=object)
    digests = np.array([hashlib.sha256(f"{salt}:{x}".encode()).digest() for x in distinct],
                       dtype="S32")
    order = np.argsort(digests, kind="stable")
    width = max(4, len(str(len(distinct))))
    names = pd.array([f"{prefix}-{i:0{width}d}" for i in range(1, len(distinct) + 1)],
                     dtype="string")
    out = pd.Series(names, index=distinct[order])
    out.index.name = "child"
    return out.rename("pseudonym")
