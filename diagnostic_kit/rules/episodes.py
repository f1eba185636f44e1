"""Rules on the chain of a child's episodes (903 Episodes, with Header).

They run on the episodes as combined across years (``stage="episodes"``, called by
``derive.periods.clean_episodes``), in the order written here: a DEC before its DECOM is blanked
first, and the chain rules then see the blanked value. Each function returns the flagged rows
(see ``rules.engine``). REC and DEC are checked against each other before a DEC is blanked,
so that a blanked DEC is not reported twice. Validator numbers are those of the DfE / Data to
Insight 903 validator where one checks the same thing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from diagnostic_kit.inputs import codes
from diagnostic_kit.inputs.duplicates import sort_key
from diagnostic_kit.rules.engine import Context, memo, rule

STAGE = "episodes"


def _flag(s: pd.Series) -> pd.Series:
    """A plain boolean mask: missing comparisons count as false."""
    return s.fillna(False).astype(bool)


def chain_order(ep: pd.DataFrame) -> pd.DataFrame:
    """Episodes in chain order: by child and DECOM; of two episodes starting the same day, the
    zero-day one (DEC = DECOM) first; then by year, file and row. The index is kept."""
    if ep.empty:
        return ep
    not_zero_day = ~_flag(ep["DEC"].eq(ep["DECOM"]))
    keys = [sort_key(not_zero_day) if c == "_nzd" else sort_key(ep[c])
            for c in ("CHILD", "DECOM", "_nzd", "_year", "_file", "_row") if c in ep or c == "_nzd"]
    # As a stable sort by those columns (blanks last), on whole-number keys.
    return ep.take(np.lexsort(keys[::-1]))


def links(ep: pd.DataFrame) -> pd.DataFrame:
    """For episodes in chain order, how each relates to the previous and next of the child.

    Columns: ``same_child`` (a previous episode of the same child exists), ``prev_dec``,
    ``prev_rec``, ``prev_open`` (that episode has no DEC), ``prev_left`` (it ended with a REC
    other than X1: the child left care), ``starts`` (RNE S), ``new_period`` and ``last`` (the
    child's last episode).
    """
    # The child as a whole number (a blank never equals another): quicker to compare than text.
    child = pd.factorize(ep["CHILD"])[0]
    same = np.zeros(len(child), dtype=bool)
    same[1:] = (child[1:] == child[:-1]) & (child[1:] >= 0)
    same_child = pd.Series(same, index=ep.index)
    prev_dec = ep["DEC"].shift().where(same_child)
    prev_rec = ep["REC"].shift().where(same_child)
    prev_left = _flag(same_child & prev_rec.notna() & prev_rec.ne(codes.REC_CONTINUES))
    starts = _flag(ep["RNE"].eq("S"))
    return pd.DataFrame({
        "same_child": same_child,
        "prev_dec": prev_dec,
        "prev_rec": prev_rec,
        "prev_open": same_child & prev_dec.isna(),
        "prev_left": prev_left,
        "starts": starts,
        "new_period": _flag(~same_child | prev_left | (starts & same_child)),
        "last": ~np.append(same[1:], False),
    }, index=ep.index)


def chain(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The episodes in chain order and their links (once per episodes frame in a rules run)."""
    def derive(episodes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        ep = chain_order(episodes)
        return ep, links(ep)

    return memo("chain", t["episodes"], derive)


@rule(id="rec_without_dec", message="the episode has a reason it ceased (REC) but no date it "
      "ceased (DEC)",
      action="kept: the episode has no end date (a later period of care of the child ends it "
      "when that begins); an adoption (E11/E12) with no DEC is counted only where the journey "
      "can date it", tables=("episodes",), column="REC",
      validator="148", stage=STAGE)
def rec_without_dec(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """A DEC written but unreadable is already a ``date_unparseable`` finding: not again."""
    ep = t["episodes"]
    return ep[ep["REC"].notna() & ep["DEC"].isna() & ~_unread(ep, "DEC")]


def _unread(df: pd.DataFrame, column: str) -> pd.Series:
    """Rows whose value in ``column`` was written but could not be read (see reading)."""
    if "_unread" not in df:
        return pd.Series(False, index=df.index)
    return _flag(df["_unread"].astype("string").str.contains(f"{column};", regex=False))


@rule(id="dec_without_rec", message="the episode has a date it ceased (DEC) but no reason (REC)",
      action="kept: a following episode that day continues the period; otherwise the period "
      "is treated as ended on that DEC, reason unknown", tables=("episodes",), column="DEC",
      validator="148", stage=STAGE)
def dec_without_rec(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep = t["episodes"]
    return ep[ep["DEC"].notna() & ep["REC"].isna()]


@rule(id="episode_ends_before_start", message="episode ceases (DEC) before it starts (DECOM)",
      action="DEC treated as blank", tables=("episodes",), column="DEC", effect="blank",
      validator="356", stage=STAGE)
def ends_before_start(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep = t["episodes"]
    return ep[_flag(ep["DEC"] < ep["DECOM"])]


@rule(id="episode_overlap",
      message="episode starts before the previous episode of the same child ended",
      action="kept", tables=("episodes",), column="DECOM", validator="501, 142", stage=STAGE)
def overlap(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, lk = chain(t)
    before_end = lk["prev_dec"].notna() & _flag(ep["DECOM"] < lk["prev_dec"])
    return ep[lk["same_child"] & (before_end | lk["prev_open"])]


@rule(id="episode_gap", message="episode starts after the previous episode ended with X1 (a gap "
      "in the period of care)", action="kept", tables=("episodes",), column="DECOM",
      validator="433", stage=STAGE)
def gap(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, lk = chain(t)
    continuing = lk["same_child"] & ~lk["prev_left"] & ~lk["starts"]
    return ep[continuing & lk["prev_dec"].notna() & _flag(ep["DECOM"] > lk["prev_dec"])]


@rule(id="period_without_start",
      message="a period of care begins with an episode whose RNE is not S",
      action="kept: treated as the start of a period", tables=("episodes",), column="RNE",
      validator="432, 357", stage=STAGE)
def period_without_start(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """Within the data window only: a child's first episode that begins before the window is
    history the data does not hold, not an error (``clean_episodes`` says so once, with the
    count). A period after an adoption has its own rule (``episode_after_adoption``)."""
    ep, lk = chain(t)
    if ctx.window_start is not None:
        in_window = _flag(ep["DECOM"] >= ctx.window_start)
    else:
        in_window = pd.Series(True, index=ep.index)
    after_adoption = _flag(lk["prev_rec"].isin(codes.REC_ADOPTED))
    no_start = lk["new_period"] & ~lk["starts"] & (lk["same_child"] | in_window)
    return ep[no_start & ~after_adoption]


@rule(id="episode_after_adoption", message="an episode follows an adoption order (E11/E12) "
      "without starting a new period of care (RNE S)",
      action="kept: the adoption is counted; the later episodes form a period of care whose "
      "care entry is unknown", tables=("episodes",), column="DECOM", stage=STAGE)
def after_adoption(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, lk = chain(t)
    return ep[_flag(lk["prev_rec"].isin(codes.REC_ADOPTED)) & ~lk["starts"]]


@rule(id="chain_ends_x1", message="the child's last episode ends with X1 (a new episode starts "
      "the same day) but no episode follows",
      action="kept: the period of care is treated as ended on that DEC, reason unknown",
      tables=("episodes",), column="REC", validator="388", stage=STAGE)
def chain_ends_x1(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, lk = chain(t)
    return ep[lk["last"] & _flag(ep["REC"].eq(codes.REC_CONTINUES)) & ep["DEC"].notna()]


@rule(id="episode_child_not_in_header", message="child has episodes but no header row",
      action="kept: characteristics unknown", tables=("episodes", "header"), column="CHILD",
      stage=STAGE)
def child_not_in_header(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    ep, lk = chain(t)
    header = t.get("header")
    known = header["CHILD"] if header is not None else pd.Series(dtype="string")
    return ep[~ep["CHILD"].isin(known) & ~lk["same_child"]]


@rule(id="dob_after_care_entry", message="the child's date of birth (Header DOB) is after an "
      "episode starts", action="kept: ages for this child are not reliable",
      tables=("episodes", "header"), column="DECOM", validator="302", stage=STAGE)
def dob_after_care_entry(t: dict[str, pd.DataFrame], ctx: Context) -> pd.DataFrame:
    """The child's first such episode only (one finding per child)."""
    ep, _ = chain(t)
    header = t.get("header")
    if header is None or header.empty or ep.empty:
        return ep.iloc[0:0]
    dob = header.drop_duplicates("CHILD", keep="last").set_index("CHILD")["DOB"]
    born = ep["CHILD"].map(dob)
    early = ep[_flag(ep["DECOM"] < born)]
    return early[~early["CHILD"].duplicated()]
