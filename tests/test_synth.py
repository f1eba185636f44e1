"""Tests of the synthetic LA generator (``diagnostic_kit.synth``).

Everything is checked from the CSV files as written, with pandas, independently of the kit's
loader: layout and headers, determinism, the realism targets, the validity rules (a small
re-implementation of the rule catalogue in ``validation.py``), and the error manifest.
"""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.inputs import codes, schema
from diagnostic_kit.inputs.params import load_params
from diagnostic_kit.synth import generate, write_params

YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
FIRST_DAY = pd.Timestamp("2020-04-01")
COLUMNS_903 = {
    "header": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "episodes": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                "HOME_POST,PL_POST,URN",
    "ad1": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR",
    "placed_for_adoption": "CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED",
    "reviews": "CHILD,DOB,REVIEW,REVIEW_CODE",
    "oc2": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
           "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED",
    "previous_permanence": "CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM",
    "uasc": "CHILD,SEX,DOB,DUC",
}


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out)
    return out


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("broken")
    generate(out, with_errors=True)
    return out


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def dates(s: pd.Series, fmt: str = "%d/%m/%Y") -> pd.Series:
    return pd.to_datetime(s.where(s != ""), format=fmt, errors="coerce")


def combined(root: Path, table: str) -> pd.DataFrame:
    """One 903 table over all years, with the file and line of every row."""
    frames = []
    for year in YEARS:
        df = read(root / "903" / year / f"{table}.csv")
        frames.append(df.assign(_year=year, _file=f"903/{year}/{table}.csv",
                                _row=range(2, len(df) + 2)))
    return pd.concat(frames, ignore_index=True)


def latest_episodes(root: Path) -> pd.DataFrame:
    """Episodes over all years, the same episode (CHILD, DECOM) taken from the latest year."""
    eps = combined(root, "episodes")
    eps["decom"] = dates(eps["DECOM"])
    eps["dec"] = dates(eps["DEC"])
    eps = eps.drop_duplicates(["CHILD", "DECOM"], keep="last")
    return eps.sort_values(["CHILD", "decom"]).reset_index(drop=True)


def with_periods(eps: pd.DataFrame) -> pd.DataFrame:
    """Adds ``period`` (numbered within child) and ``care_entry`` (DECOM of the RNE S episode
    starting the period; NaT when it started before the first return)."""
    eps = eps.copy()
    prev_rec = eps.groupby("CHILD")["REC"].shift()
    starts = prev_rec.isna() | ((prev_rec != "X1") & (prev_rec != ""))
    eps["period"] = starts.astype(int).groupby(eps["CHILD"]).cumsum()
    first = eps.groupby(["CHILD", "period"]).head(1)
    entry = first["decom"].where(first["RNE"] == "S")
    eps["care_entry"] = eps.set_index(["CHILD", "period"]).index.map(
        dict(zip(zip(first["CHILD"], first["period"], strict=True), entry, strict=True)))
    return eps


def adoptions(root: Path) -> pd.DataFrame:
    """One row per adoption order, with the journey's dates from the episodes."""
    eps = with_periods(latest_episodes(root))
    ao = eps[eps["REC"].isin(codes.REC_ADOPTED)][["CHILD", "period", "dec", "care_entry", "_year"]]
    placed = (eps[eps["PLACE"].isin(codes.PLACE_ADOPTION)].groupby(["CHILD", "period"])
              .head(1)[["CHILD", "period", "decom", "PLACE"]])
    po = (eps[eps["LS"].isin(codes.LS_PLACEMENT_ORDER)].groupby(["CHILD", "period"])
          .head(1)[["CHILD", "period", "decom"]].rename(columns={"decom": "po"}))
    out = ao.merge(placed, on=["CHILD", "period"], how="left").merge(
        po, on=["CHILD", "period"], how="left")
    return out.rename(columns={"dec": "ao", "decom": "placed"})


# --- a re-implementation of the kit's validation rules, for the tests -------------------------


def _parse_date(v: str, local: bool) -> bool:
    fmts = ("%Y-%m-%d", "%d/%m/%Y") if local else ("%d/%m/%Y",)
    for f in fmts:
        try:
            dt.datetime.strptime(v, f)
            return True
        except ValueError:
            pass
    return False


def _parse_number(v: str, kind: str) -> bool:
    text = v.replace("£", "").replace(",", "") if kind == "money" else v
    try:
        float(text) if kind != "int" else int(text)
        return True
    except ValueError:
        return False


def _norm(v: str, local: bool) -> str:
    return v.lower().replace(" ", "").replace("-", "").replace("_", "") if local else v.upper()


def column_findings(path: Path, rel: str, table: schema.Table) -> list[tuple]:
    df = read(path)
    local = table.source == "local"
    out = []
    for col in df.columns:
        if col not in table.column_names and col not in table.drop:
            out.append((rel, "", col, "column_not_in_template"))
    for c in table.columns:
        if c.name not in df.columns:
            continue
        for i, v in enumerate(df[c.name].tolist()):
            row = str(i + 2)
            if v == "":
                if c.required:
                    out.append((rel, row, c.name, "required_missing"))
                continue
            if c.kind == "date" and not _parse_date(v, local):
                out.append((rel, row, c.name, "date_unparseable"))
            elif c.kind in ("int", "number", "money") and not _parse_number(v, c.kind):
                out.append((rel, row, c.name, "number_unparseable"))
            elif c.kind == "code" and c.allowed is not None:
                if _norm(v, local) not in {_norm(a, local) for a in c.allowed}:
                    out.append((rel, row, c.name, "code_unknown"))
            elif c.kind == "bool" and v.lower() not in ("yes", "no", "y", "n", "true", "false",
                                                        "1", "0"):
                out.append((rel, row, c.name, "code_unknown"))
    if table.key:
        dup = df.duplicated(list(table.key), keep="first")
        out += [(rel, str(i + 2), table.key[0], "duplicate_record") for i in dup[dup].index]
    return out


def all_findings(root: Path) -> set[tuple]:
    """Findings as ``(file, row, column, rule)`` (row "" for a file-level finding)."""
    out: list[tuple] = []
    for year in YEARS:
        for t in schema.SSDA903_TABLES:
            rel = f"903/{year}/{t.file}"
            out += column_findings(root / rel, rel, t)
    for t in schema.LOCAL_TABLES:
        out += column_findings(root / "local" / t.file, f"local/{t.file}", t)

    eps = combined(root, "episodes")
    eps["decom"] = dates(eps["DECOM"])
    eps["dec"] = dates(eps["DEC"])
    bad = eps["dec"] < eps["decom"]
    out += [(f, str(r), "DEC", "episode_ends_before_start")
            for f, r in zip(eps.loc[bad, "_file"], eps.loc[bad, "_row"], strict=True)]
    eps.loc[bad, ["dec"]] = pd.NaT
    header = combined(root, "header").drop_duplicates(["CHILD", "_year"])
    known = set(zip(header["CHILD"], header["_year"], strict=True))
    for f, r, c, y in zip(eps["_file"], eps["_row"], eps["CHILD"], eps["_year"], strict=True):
        if (c, y) not in known:
            out.append((f, str(r), "CHILD", "episode_child_not_in_header"))
    eps = eps.drop_duplicates(["CHILD", "DECOM"], keep="last")
    eps = eps.sort_values(["CHILD", "decom"]).reset_index(drop=True)
    prev = eps.groupby("CHILD").shift()
    has_prev = prev["_file"].notna()
    cont = has_prev & (prev["REC"] == "X1")
    new_period = has_prev & (prev["REC"] != "X1") & (prev["REC"] != "")
    open_prev = has_prev & (prev["REC"] == "") | has_prev & prev["dec"].isna()
    for i in eps.index:
        e, f, r = eps.loc[i], eps.at[i, "_file"], str(eps.at[i, "_row"])
        if cont[i] and e["decom"] > prev.at[i, "dec"]:
            out.append((f, r, "DECOM", "episode_gap"))
        elif (cont[i] or new_period[i]) and e["decom"] < prev.at[i, "dec"] or open_prev[i]:
            out.append((f, r, "DECOM", "episode_overlap"))
        elif e["RNE"] != "S" and (new_period[i] or not has_prev[i] and e["decom"] >= FIRST_DAY):
            # Only periods that begin inside the returns must start with RNE S.
            out.append((f, r, "RNE", "period_without_start"))

    # Adoption tables.
    ad = adoptions(root)
    ad1 = combined(root, "ad1")
    pfa = combined(root, "placed_for_adoption")
    pfa["placed_date"] = dates(pfa["DATE_PLACED"])
    ao_year = set(zip(ad["CHILD"], ad["_year"], strict=True))
    in_ad1 = set(zip(ad1["CHILD"], ad1["_year"], strict=True))
    ad1_ok = pd.Series([(c, y) in ao_year for c, y in zip(ad1["CHILD"], ad1["_year"],
                                                          strict=True)], index=ad1.index)
    out += [(f, str(r), "CHILD", "ad1_without_adoption")
            for f, r in zip(ad1.loc[~ad1_ok, "_file"], ad1.loc[~ad1_ok, "_row"], strict=True)]
    out += [("adoption", c, y, "adoption_without_ad1") for c, y in ao_year - in_ad1]
    ad1 = ad1[ad1_ok].merge(ad, on="CHILD")
    decisions = pfa.groupby("CHILD")["placed_date"].apply(set)
    for _, a in ad1.iterrows():
        f, r = a["_file"], str(a["_row"])
        d_int = dates(pd.Series([a["DATE_INT"]]))[0]
        if d_int not in decisions.get(a["CHILD"], set()):
            out.append((f, r, "DATE_INT", "date_int_differs"))
        match = dates(pd.Series([a["DATE_MATCH"]]))[0]
        adm = max(decisions.get(a["CHILD"], {d_int}))
        if not (adm <= match <= a["placed"]):
            out.append((f, r, "DATE_MATCH", "match_out_of_order"))
        if (a["FOSTER_CARE"] == "1") != (a["PLACE"] in codes.PLACE_ADOPTION_WITH_FOSTER_CARER):
            out.append((f, r, "FOSTER_CARE", "foster_care_inconsistent"))
    # ADM decisions inside a period of care.
    per = with_periods(latest_episodes(root))
    spans = per.groupby(["CHILD", "period"]).tail(1)[["CHILD", "care_entry", "dec"]]
    spans = spans.rename(columns={"care_entry": "start", "dec": "end"})
    # A period begun before the first return has an unknown start; an open one no end.
    spans["start"] = spans["start"].fillna(pd.Timestamp("1900-01-01"))
    spans["end"] = spans["end"].fillna(pd.Timestamp("2100-01-01"))
    for _, p in pfa.drop_duplicates(["CHILD", "DATE_PLACED"]).iterrows():
        s = spans[spans["CHILD"] == p["CHILD"]]
        if not ((s["start"] <= p["placed_date"]) & (p["placed_date"] <= s["end"])).any():
            out.append((p["_file"], str(p["_row"]), "DATE_PLACED", "adm_outside_period"))
    return set(out)


# --- layout and determinism -----------------------------------------------------------------


def test_layout_and_headers(clean: Path) -> None:
    assert sorted(p.name for p in (clean / "903").iterdir()) == YEARS
    for year in YEARS:
        for table, header in COLUMNS_903.items():
            first = (clean / "903" / year / f"{table}.csv").read_text().splitlines()[0]
            assert first == header, (year, table)
    for t in schema.LOCAL_TABLES:
        first = (clean / "local" / t.file).read_text().splitlines()[0]
        assert first.split(",") == t.column_names
    assert not (clean / "injected_errors.csv").exists()


def test_summary_matches_the_files(tmp_path: Path) -> None:
    s = generate(tmp_path / "la", size=120, years=4)
    assert s.years == ("2022-23", "2023-24", "2024-25", "2025-26")
    assert len(s.files) == 4 * 8 + 8 and s.errors == 0  # + 7 local extracts, the Annex A workbook
    ad1 = sum(len(read(tmp_path / "la" / "903" / y / "ad1.csv")) for y in s.years)
    assert s.adoptions == ad1 == sum(s.adoptions_by_year.values())
    kids = set()
    for y in s.years:
        kids |= set(read(tmp_path / "la" / "903" / y / "header.csv")["CHILD"])
    assert s.children == len(kids)


def test_same_seed_same_bytes_other_seed_differs(clean: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    files = [Path(f) for f in again.files]
    assert len(files) == 6 * 8 + 8
    match, mismatch, errs = filecmp.cmpfiles(clean, tmp_path / "again", files, shallow=False)
    assert mismatch == [] and errs == []
    generate(tmp_path / "other", seed=7)
    _, mismatch, _ = filecmp.cmpfiles(clean, tmp_path / "other", files, shallow=False)
    assert len(mismatch) >= 50
    assert (tmp_path / "again" / "903/2025-26/episodes.csv").read_bytes().count(b"\r") == 0


def test_size_is_children_looked_after_in_the_latest_year(clean: Path, tmp_path: Path) -> None:
    assert read(clean / "903/2025-26/header.csv")["CHILD"].nunique() == 400
    s = generate(tmp_path / "small", size=150, years=3, last_year=2025)
    assert s.years == ("2022-23", "2023-24", "2024-25")
    assert read(tmp_path / "small/903/2024-25/header.csv")["CHILD"].nunique() == 150
    assert s.looked_after_latest_year == 150


def test_out_of_range_options_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="size"):
        generate(tmp_path, size=5)
    with pytest.raises(ValueError, match="years"):
        generate(tmp_path, years=20)
    assert not any(tmp_path.iterdir())


def test_sex_codes_change_with_the_2024_25_return(clean: Path) -> None:
    assert set(read(clean / "903/2023-24/header.csv")["SEX"]) == {"1", "2"}
    assert set(read(clean / "903/2024-25/header.csv")["SEX"]) == {"M", "F"}


def test_no_personal_looking_values(clean: Path) -> None:
    h = read(clean / "903/2025-26/header.csv")
    assert h["CHILD"].str.fullmatch(r"DEMO\d{5}").all()
    assert h["UPN"].str.fullmatch(r"[A-Z]\d{12}").all()
    e = read(clean / "903/2025-26/episodes.csv")
    assert e["HOME_POST"].str.fullmatch(r"ZZ\d{1,2} \d").all()
    audits = read(clean / "local/case_audits.csv")
    assert audits["worker_ref"].str.fullmatch(r"W\d{3}").all()


# --- validity -------------------------------------------------------------------------------


def test_clean_output_has_no_findings(clean: Path) -> None:
    assert all_findings(clean) == set()


def test_open_episode_is_in_both_years(clean: Path) -> None:
    a = read(clean / "903/2024-25/episodes.csv")
    b = read(clean / "903/2025-26/episodes.csv")
    open_a = a[a["DEC"] == ""]
    both = open_a.merge(b, on=["CHILD", "DECOM"], suffixes=("", "_b"))
    assert len(both) == len(open_a) > 100
    assert (both["REC"] == "").all()
    closed_later = both[both["DEC_b"] != ""]
    assert len(closed_later) > 20 and (closed_later["REC_b"] != "").all()


def test_episode_chains_are_contiguous(clean: Path) -> None:
    eps = latest_episodes(clean)
    prev = eps.groupby("CHILD").shift()
    cont = prev["REC"] == "X1"
    assert (eps.loc[cont, "decom"] == prev.loc[cont, "dec"]).all()
    assert (eps.loc[cont, "RNE"] != "S").all()
    new = prev["REC"].notna() & (prev["REC"] != "X1")
    assert (eps.loc[new, "RNE"] == "S").all()
    assert (eps.loc[new, "decom"] > prev.loc[new, "dec"]).all()
    assert (eps["dec"].isna() | (eps["dec"] >= eps["decom"])).all()
    first = eps.groupby("CHILD").head(1)
    assert (first.loc[first["decom"] >= FIRST_DAY, "RNE"] == "S").all()
    assert (first["RNE"] != "S").sum() > 50  # histories that began before the first return
    assert set(eps["RNE"]) == set(codes.RNE)


def test_ad1_consistent_with_episodes_and_decisions(clean: Path) -> None:
    ad = adoptions(clean)
    assert ad["CHILD"].is_unique  # one adoption per child
    ad1 = combined(clean, "ad1")
    assert sorted(zip(ad1["CHILD"], ad1["_year"], strict=True)) == sorted(
        zip(ad["CHILD"], ad["_year"], strict=True))
    m = ad1.merge(ad, on="CHILD")
    pfa = combined(clean, "placed_for_adoption").drop_duplicates(["CHILD", "DATE_PLACED"])
    m = m.merge(pfa[["CHILD", "DATE_PLACED", "DATE_PLACED_CEASED"]], on="CHILD")
    assert (m["DATE_INT"] == m["DATE_PLACED"]).all() and (m["DATE_PLACED_CEASED"] == "").all()
    match, adm = dates(m["DATE_MATCH"]), dates(m["DATE_PLACED"])
    assert ((adm <= match) & (match <= m["placed"])).all()
    assert ((m["FOSTER_CARE"] == "1") == m["PLACE"].isin(["A3", "A5"])).all()
    assert set(m["FOSTER_CARE"]) == {"0", "1"}
    # The rest of the adoption route: PO on or after the decision, placement on or after the PO.
    po = m["po"].dropna()
    assert (po >= adm[po.index]).all() and (m.loc[po.index, "placed"] >= po).all()
    assert ((m["ao"] - m["placed"]).dt.days >= 70).all()


def test_adoptive_placement_episode_codes(clean: Path) -> None:
    eps = latest_episodes(clean)
    a = eps[eps["PLACE"].isin(codes.PLACE_ADOPTION)].groupby("CHILD").head(1)
    assert {"A4", "A5", "A6"} <= set(a["PLACE"]) <= set(codes.PLACE_ADOPTION)
    assert (a.loc[a["PLACE"].isin(["A4", "A6"]), "RNE"].isin(["P", "B"])).all()
    assert (a.loc[a["PLACE"].isin(["A3", "A5"]), "RNE"].isin(["T", "U", "L"])).all()
    assert (a.loc[a["PLACE"].isin(["A5", "A6"]), "LS"] == "E1").all()
    # A placement order is a new episode with legal status E1.
    po = eps[(eps["LS"] == "E1") & (eps.groupby("CHILD")["LS"].shift() != "E1")]
    assert (po["RNE"] == "L").mean() > 0.8


def test_reversed_decisions_and_children_still_waiting(clean: Path) -> None:
    pfa = combined(clean, "placed_for_adoption").drop_duplicates(["CHILD", "DATE_PLACED"],
                                                                   keep="last")
    rev = pfa[pfa["DATE_PLACED_CEASED"] != ""]
    assert len(rev) >= 5 and set(rev["REASON_PLACED_CEASED"]) <= set(codes.REASON_PLACED_CEASED)
    assert (dates(rev["DATE_PLACED_CEASED"]) >= dates(rev["DATE_PLACED"])).all()
    last = read(clean / "903/2025-26/episodes.csv")
    open_ = last[last["DEC"] == ""]
    assert (open_["LS"] == "E1").any() and open_["PLACE"].isin(codes.PLACE_ADOPTION).any()


# --- realism --------------------------------------------------------------------------------


def test_adoptions_per_year_in_range(clean: Path) -> None:
    per_year = adoptions(clean).groupby("_year").size().reindex(YEARS, fill_value=0)
    assert 14 <= per_year.mean() <= 20, per_year.to_dict()
    assert per_year.min() >= 6
    assert per_year[YEARS[-3:]].sum() >= 40


def test_journey_lengths(clean: Path) -> None:
    ad = adoptions(clean)
    last3 = ad[ad["_year"].isin(YEARS[-3:]) & ad["care_entry"].notna()]
    days = (last3["placed"] - last3["care_entry"]).dt.days
    assert len(days) >= 40
    assert 450 <= days.mean() <= 550, days.mean()
    assert (days < 300).sum() >= 3 and (days > 1000).sum() >= 1


def test_foster_carer_and_early_permanence_adoptions(clean: Path) -> None:
    eps = with_periods(latest_episodes(clean))
    ad = adoptions(clean)
    fc = ad[ad["PLACE"].isin(["A3", "A5"])]
    assert len(fc) >= 5
    early = eps[eps["PLACE"].isin(codes.PLACE_EARLY_PERMANENCE)][["CHILD", "period"]]
    assert len(fc.merge(early.drop_duplicates(), on=["CHILD", "period"])) >= 2


def test_entries_by_age(clean: Path) -> None:
    eps = latest_episodes(clean)
    s = eps[eps["RNE"] == "S"].merge(
        combined(clean, "header").drop_duplicates("CHILD")[["CHILD", "DOB"]], on="CHILD")
    age = (s["decom"] - dates(s["DOB"])).dt.days / 365.25
    bands = pd.cut(age, [0, 1, 5, 10, 16, 18], right=False).value_counts(normalize=True)
    assert bands.iloc[0] > 0.15 and bands.iloc[3] > 0.15  # babies and teenagers


def test_some_under_fives_are_on_c1_or_v2_two_years_after_entry(clean: Path) -> None:
    """Section 4 flags a child still on an interim care order (C1) or under s20 (V2) on the
    second anniversary of entering care under five: the demo has a few, in more than one entry
    year, and they stay a minority of the children still looked after then."""
    eps = with_periods(latest_episodes(clean))
    dob = dates(combined(clean, "header").drop_duplicates("CHILD").set_index("CHILD")["DOB"])
    first = eps.groupby(["CHILD", "period"]).head(1)
    first = first[first["care_entry"].between(FIRST_DAY, pd.Timestamp("2024-03-31"))
                  & (first["care_entry"] < first["CHILD"].map(dob) + pd.DateOffset(years=5))]
    first = first.assign(ann=first["care_entry"] + pd.DateOffset(years=2))
    m = eps.merge(first[["CHILD", "period", "ann"]], on=["CHILD", "period"])
    on_ann = m[(m["decom"] <= m["ann"]) & (m["dec"].isna() | (m["dec"] > m["ann"]))]
    drift = on_ann[on_ann["LS"].isin(["C1", "V2"])]
    years = drift["ann"].dt.year - (drift["ann"].dt.month < 4)  # entry year's start, +2
    assert len(drift) >= 3 and years.nunique() >= 2, drift[["CHILD", "LS", "ann"]]
    assert len(drift) <= 0.3 * len(on_ann)


def test_local_extracts(clean: Path) -> None:
    plans = read(clean / "local/permanence_plans.csv")
    iro = plans[(plans["plan"] == "adoption") & (plans["source"] == "iro_recommendation")]
    pfa = combined(clean, "placed_for_adoption")
    assert set(pfa["CHILD"]) <= set(iro["child"])
    assert (plans["sibling_group"] != "").sum() >= 4
    assert set(plans["disabled"]) == {"yes", "no"}
    audits = read(clean / "local/case_audits.csv")
    score = audits["score"].astype(int)
    band = pd.cut(score, [0, 3, 5, 8, 10], labels=["inadequate", "requires_improvement", "good",
                                                   "outstanding"]).astype(str)
    assert (band == audits["overall_grade"]).all()
    assert {"good", "outstanding", "requires_improvement"} <= set(audits["overall_grade"])
    assert ((audits["q13"] == "not_applicable") == (audits["audit_reason"] != "closure")).all()
    assert (audits["q1_comment"] == "Yes").any() and (audits["q1_comment"].str.len() > 30).any()
    adopters = read(clean / "local/adopters.csv")
    assert (adopters["fast_track"] == "yes").any()
    assert ((adopters["fast_track"] == "yes") <= (adopters["stage1_start"] == "")).all()
    waiting = (adopters["approval_date"] != "") & (adopters["match_date"] == "") & (
        adopters["left_date"] == "")
    assert waiting.sum() >= 1 and (adopters["left_reason"] != "").sum() >= 10
    costs = read(clean / "local/costs.csv")
    assert set(costs["income"]) == {"yes", "no"}
    # Some rows say what they pay for; staff, panel and other are left to the kit's defaults.
    assert set(costs["purpose"]) == {"", "placing", "recruiting", "support", "overheads"}
    assert set(costs.loc[costs["purpose"].eq(""), "category"]) == {"staff", "panel_adm", "other"}


# --- errors ---------------------------------------------------------------------------------

RULES = [
    "date_unparseable", "code_unknown", "required_missing", "duplicate_record",
    "episode_ends_before_start", "episode_gap", "ad1_without_adoption", "date_int_differs",
    "match_out_of_order", "foster_care_inconsistent", "column_not_in_template",
    "number_unparseable", "code_unknown",
]


def test_manifest_lists_the_documented_errors(broken: Path) -> None:
    man = read(broken / "injected_errors.csv")
    assert list(man.columns) == ["file", "row", "column", "value", "rule"]
    assert sorted(man["rule"]) == sorted(RULES)
    for _, m in man.iterrows():
        df = read(broken / m["file"])
        if m["row"] == "":
            assert m["column"] in df.columns
        else:
            assert df.at[int(m["row"]) - 2, m["column"]] == m["value"], m.to_dict()
    values = dict(zip(man["rule"], man["value"], strict=False))
    assert values["number_unparseable"] == "12,3O0"
    assert values["date_unparseable"].startswith("31/09/")
    assert "Q9" in set(man["value"]) and "adoptoin" in set(man["value"])


def test_errors_touch_nothing_else(clean: Path, broken: Path) -> None:
    man = read(broken / "injected_errors.csv")
    touched = set(man["file"])
    for path in clean.rglob("*.csv"):
        rel = path.relative_to(clean).as_posix()
        a, b = path.read_text().splitlines(), (broken / rel).read_text().splitlines()
        if rel not in touched:
            assert a == b, rel
            continue
        rows = {int(r) for r in man.loc[man["file"] == rel, "row"] if r != ""}
        if (man.loc[man["file"] == rel, "row"] == "").any():  # the extra column
            b = [line.rsplit(",", 1)[0] for line in b]
        extra = [r for r in rows if r > len(a)]
        assert len(b) == len(a) + len(extra), rel
        diff = {i + 1 for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y}
        assert diff <= rows, (rel, diff, rows)


def test_each_error_yields_exactly_one_finding(broken: Path) -> None:
    man = read(broken / "injected_errors.csv")
    expected = set(zip(man["file"], man["row"], man["column"], man["rule"], strict=True))
    assert all_findings(broken) == expected


# --- params ---------------------------------------------------------------------------------


def test_write_params_loads(tmp_path: Path) -> None:
    data = tmp_path / "data" / "la"
    generate(data, size=60, years=2)
    path = tmp_path / "params" / "synthetic.yaml"
    write_params(path, data_dir=data, la_name='Testshire "B" (synthetic)', la_code="012",
                 last_year=2026, seed=5)
    text = path.read_text()
    assert 'data_dir: "../data/la"' in text and "seed 5" in text
    p = load_params(path)
    assert p.la_name == 'Testshire "B" (synthetic)' and p.la_code == "012"
    assert p.period_start == dt.date(2023, 4, 1) and p.period_end == dt.date(2026, 3, 31)
    assert p.data_dir == data.resolve() and p.synthetic is None


# --- the kit's own loader, once it exists ---------------------------------------------------



def _load_findings(root: Path, tmp_path: Path) -> pd.DataFrame:
    # Reading, then the rules and derivations that yield findings (load_inputs reads only).
    from diagnostic_kit.run.prepare import check_inputs

    path = tmp_path / "la.yaml"
    write_params(path, data_dir=root, la_name="Demoshire (synthetic)", la_code="999")
    return check_inputs(load_params(path)).dq.findings


def test_loader_finds_nothing_in_clean_output(clean: Path, tmp_path: Path) -> None:
    assert len(_load_findings(clean, tmp_path)) == 0


def test_loader_finds_exactly_the_manifest(broken: Path, tmp_path: Path) -> None:
    found = _load_findings(broken, tmp_path)
    man = read(broken / "injected_errors.csv")
    got = sorted(zip(found["file"].astype(str).str.replace("\\", "/"),
                     ["" if pd.isna(r) else str(int(r)) for r in found["row"]],
                     found["column"].astype(str), found["rule"], strict=True))
    want = sorted(zip(man["file"], man["row"], man["column"], man["rule"], strict=True))
    assert got == want
