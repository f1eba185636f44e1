"""Issue 25: a regional adoption agency's (RAA) diagnostic, on hand-built members.

- An RAA's params file: its name, its members' params files, the period, its own folder;
  each problem is one sentence.
- Pooling: the RAA's measures are the measures over every member's children put together
  (never an average of the members' figures), and two members using the same child id stay
  two children, each with a pseudonym of its own under its member's tag.
- Each member side by side: its figure, count, rating and quarter of the RAA; where a finding
  is concentrated; sufficiency across the members; interagency placements and their fees.
- Privacy: a member's small counts suppressed; each member's pseudonym key holds only its own
  children.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.derive import pooling
from diagnostic_kit.inputs.params import ParamsError, is_raa_file, load_params, load_raa
from diagnostic_kit.measures import raa, timescales
from diagnostic_kit.measures.headline import Headline
from diagnostic_kit.present import narrative as nv
from diagnostic_kit.present import raa as raa_text
from diagnostic_kit.run import assemble
from diagnostic_kit.run.prepare import prepare_la, prepare_raa
from tests.la_builder import ep, hdr, write_csv, write_la

PERIOD = "period_start: 2023-04-01\nperiod_end: 2026-03-31\n"


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _adopted(child: str, entry: dt.date, days_to_placement: int, ao: dt.date,
             provider: str = "PR1") -> tuple[list[dict], dict, dict]:
    """One child adopted by strangers: care entry, a decision 30 days on, then an A6
    placement ``days_to_placement`` after entry (so A1 and A10 are those days) ending in an
    adoption order on ``ao``. Returns the episodes, the PlacedAdoption row and the AD1 row."""
    placed = entry + dt.timedelta(days=days_to_placement)
    decision = entry + dt.timedelta(days=30)
    first = ep(child, _d(entry), "S", "C2", "U6", _d(placed), "X1")
    second = {**ep(child, _d(placed), "P", "E1", "A6", _d(ao), "E11"),
              "PLACE_PROVIDER": provider}
    return ([first, second], {"CHILD": child, "DATE_PLACED": _d(decision)},
            {"CHILD": child, "DATE_INT": _d(decision), "DATE_MATCH": _d(placed),
             "FOSTER_CARE": "0", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L0"})


def _member(root: Path, name: str, children: list[tuple[str, int, str]],
            waiting: list[str] = (), extra: str = "") -> Path:
    """A member LA under ``root/<name>``: each of ``children`` (id, days from care entry to
    the adoptive placement, provider) entered care on 1 May 2024 and was adopted on 1 March
    2026; each of ``waiting`` has a placement order and waits. Returns its params file."""
    entry, ao = dt.date(2024, 5, 1), dt.date(2026, 3, 1)
    episodes, pfa, ad1, header = [], [], [], []
    for child, days, provider in children:
        e, p, a = _adopted(child, entry, days, ao, provider)
        episodes += e
        pfa.append(p)
        ad1.append(a)
        header.append(hdr(child, "01/01/2024"))
    for child in waiting:
        episodes += [ep(child, "01/06/2024", "S", "C2", "U6", "01/10/2024", "X1"),
                     ep(child, "01/10/2024", "L", "E1", "U6")]
        pfa.append({"CHILD": child, "DATE_PLACED": "01/08/2024"})
        header.append(hdr(child, "01/01/2023"))
    write_la(root / name, {"2025-26": {"header": header, "episodes": episodes,
                                       "placed_for_adoption": pfa, "ad1": ad1}})
    params = root / name / f"{name}.yaml"
    (root / name / "la.yaml").rename(params)
    text = params.read_text(encoding="utf-8").replace("la_name: Test LA",
                                                      f"la_name: {name.capitalize()}")
    params.write_text(text + extra, encoding="utf-8")
    return params


def _raa_file(root: Path, members: list[Path], extra: str = "") -> Path:
    (root / "agency" / "local").mkdir(parents=True, exist_ok=True)
    lines = "".join(f"  - {m.relative_to(root).as_posix()}\n" for m in members)
    f = root / "raa.yaml"
    f.write_text(f"raa_name: Adopt Testshire\nraa_code: R01\n{PERIOD}members:\n{lines}"
                 f"data_dir: agency\n{extra}", encoding="utf-8")
    return f


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    """Two members using the same child ids: Ayshire adopts child 1 after 100 days; Beeshire
    adopts its children 1, 2 and 3 after 200, 300 and 400 days, and has child 9 waiting with
    a placement order. Beeshire's child 2 was placed with another LA's adopters (PR2), its
    child 3 with a voluntary agency's (PR5)."""
    root = tmp_path_factory.mktemp("raa")
    a = _member(root, "ayshire", [("1", 100, "PR1")])
    b = _member(root, "beeshire", [("1", 200, "PR1"), ("2", 300, "PR2"), ("3", 400, "PR5")],
                waiting=["9"])
    f = _raa_file(root, [a, b])
    r = load_raa(f)
    members = [prepare_la(m) for m in r.members]
    return r, members, prepare_raa(r, members)


# -- params --------------------------------------------------------------------------------------


def test_an_raa_params_file_names_its_members(two):
    r, _, la = two
    assert r.params.la_name == "Adopt Testshire" and r.params.la_code == "R01"
    assert [m.la_name for m in r.members] == ["Ayshire", "Beeshire"]
    # A member naming no RAA is given the RAA's name, for a batch's index.
    assert all(m.raa == "Adopt Testshire" for m in r.members)
    assert is_raa_file(r.params.source_file) and not is_raa_file(r.members[0].source_file)
    assert list(la.members["tag"]) == ["M1", "M2"]
    assert list(la.members["member"]) == ["ayshire", "beeshire"]


def test_the_summary_speaks_of_the_raa_not_an_la(two):
    from diagnostic_kit.present import summary as ps
    r, _, _ = two
    raa_intro, la_intro = ps.summary_intro(r.params), ps.summary_intro(r.members[0])
    assert "in the RAA's params file" in raa_intro and "LA" not in raa_intro.replace("RAA", "")
    assert "in the LA's params file" in la_intro
    raa_method = ps.rating_method(nv.unit(r.params))
    assert "unless this RAA set its own" in raa_method and "this RAA's three years" in raa_method
    assert "LA" not in raa_method.replace("RAA", "")
    assert "unless this LA set its own" in ps.rating_method(nv.unit(r.members[0]))
    # The default stage standards add up to more than A1's threshold: who may set others.
    assert ps.standards_sum_sentence(r.params).endswith(
        "an RAA can set stage standards that add up to A1 in its parameters.")
    assert "an LA can set" in ps.standards_sum_sentence(r.members[0])


@pytest.mark.parametrize("change, said", [
    (lambda t: t.replace("raa_name:", "la_name:"), "name the RAA with 'raa_name', not 'la_name'"),
    (lambda t: t.replace("raa_name: Adopt Testshire\n", ""), "is missing the key 'raa_name'"),
    (lambda t: t.replace("  - beeshire/beeshire.yaml\n", ""),
     "an RAA has at least two member LAs"),
    (lambda t: t.replace("beeshire/beeshire.yaml", "nowhere.yaml"),
     "names the member params file nowhere.yaml, which does not exist"),
    (lambda t: t.replace("beeshire/beeshire.yaml", "ayshire/ayshire.yaml"),
     "lists the member ayshire/ayshire.yaml twice"),
    (lambda t: t.replace("beeshire/beeshire.yaml", "raa.yaml"), "that is an RAA's params file"),
    (lambda t: t + "colour: blue\n", "has an unknown key 'colour'"),
    (lambda t: t.replace("raa_code: R01", "raa_code: \"\""), "bad value for 'raa_code'"),
    (lambda t: t.replace("data_dir: agency", "data_dir: missing"),
     "The data folder .*missing named by .* does not exist"),
])
def test_each_problem_with_an_raa_params_file_is_one_sentence(two, change, said):
    r, _, _ = two
    f = r.params.source_file
    text = f.read_text(encoding="utf-8")
    bad = f.with_name("bad.yaml")
    bad.write_text(change(text), encoding="utf-8")
    with pytest.raises(ParamsError, match=said) as exc:
        load_raa(bad)
    assert "\n" not in str(exc.value)


def test_a_member_with_another_period_or_another_raa_is_refused(tmp_path):
    a = _member(tmp_path, "ayshire", [("1", 100, "PR1")])
    b = _member(tmp_path, "beeshire", [("1", 200, "PR1")], extra="raa: Adopt Elsewhere\n")
    with pytest.raises(ParamsError, match="names another RAA under 'raa' .Adopt Elsewhere."):
        load_raa(_raa_file(tmp_path, [a, b]))
    text = b.read_text(encoding="utf-8").replace("raa: Adopt Elsewhere\n", "")
    b.write_text(text.replace("period_start: 2023-04-01", "period_start: 2022-04-01"),
                 encoding="utf-8")
    with pytest.raises(ParamsError, match="has the reporting period 2022-04-01 to 2026-03-31, "
                                          "not the RAA's 2023-04-01 to 2026-03-31"):
        load_raa(_raa_file(tmp_path, [a, b]))


def test_an_raa_file_without_its_members_says_so_when_read_as_an_las(two):
    r, _, _ = two
    bad = r.params.source_file.with_name("nomembers.yaml")
    bad.write_text("raa_name: Adopt Testshire\n" + PERIOD + "data_dir: agency\n",
                   encoding="utf-8")
    with pytest.raises(ParamsError, match="names an RAA .raa_name. but lists no 'members'"):
        load_params(bad)


# -- pooling -------------------------------------------------------------------------------------


def test_two_members_using_the_same_child_id_stay_two_children(two):
    _, members, la = two
    # Child "1" is Ayshire's and Beeshire's: two children, two journeys, two pseudonyms.
    ones = la.people.loc[pooling.own_ids(la.people["child"]).eq("1")]
    assert sorted(ones["child"]) == ["ayshire:1", "beeshire:1"]
    assert len(la.people) == 5 and la.people["child"].is_unique
    assert len(la.pseudonyms) == 5 and la.pseudonyms.is_unique
    assert sorted(ones["pseudonym"].str[:3]) == ["M1-", "M2-"]
    j = la.journeys.set_index("child")
    assert j.loc["ayshire:1", "a1_days"] == 100 and j.loc["beeshire:1", "a1_days"] == 200
    # Periods of care stay the member's: ids unique across the RAA, one per child.
    assert la.periods["period_id"].is_unique and len(la.periods) == 5
    assert j.index.is_unique
    # The members' own prepared data is not changed by pooling.
    assert list(members[0].people["child"]) == ["1"]


def test_pooled_measures_are_over_the_members_children_put_together(two):
    _, members, la = two
    p = la.params
    whole = timescales.scorecard(la.journeys, p).set_index(["measure", "year"])
    # A1 over all four children adopted: (100 + 200 + 300 + 400) / 4 = 250 days ...
    assert whole.loc[("A1", "Whole period"), "value"] == 250
    assert whole.loc[("A1", "Whole period"), "children"] == 4
    # ... not the average of the members' means, (100 + 300) / 2 = 200.
    means = [timescales.scorecard(m.journeys, m.params).set_index(["measure", "year"]).loc[
        ("A1", "Whole period"), "value"] for m in members]
    assert means == [100, 300] and sum(means) / 2 == 200
    # A3: within 426 days for all four.
    assert whole.loc[("A3", "Whole period"), "value"] == 100
    # The median of the stage placement to adoption order, over all four children.
    stats = timescales.stage_statistics(la.journeys, p).set_index("stage")
    ao = dt.date(2026, 3, 1)
    days = sorted((ao - (dt.date(2024, 5, 1) + dt.timedelta(days=d))).days
                  for d in (100, 200, 300, 400))
    assert stats.loc["placement_to_ao", "median"] == (days[1] + days[2]) / 2


def test_each_members_findings_are_kept_under_its_name(two):
    _, _, la = two
    acc = la.dq.accounting
    assert set(acc["member"]) == {"Ayshire", "Beeshire"}
    assert acc["file"].str.startswith(("ayshire/903/", "beeshire/903/")).all()
    assert set(la.dq.checksums) >= {"ayshire/903/2025-26/episodes.csv",
                                    "beeshire/903/2025-26/episodes.csv"}
    # The RAA's folder holds no extract: each is missing, said once for the RAA.
    assert set(la.dq.missing_extracts["table"]) >= {"adopters", "staffing", "costs"}


def test_an_raa_extract_the_agency_lacks_comes_from_its_members(tmp_path):
    a = _member(tmp_path, "ayshire", [("1", 100, "PR1")])
    b = _member(tmp_path, "beeshire", [("1", 200, "PR1")])
    cols = ["household_id", "household_type", "enquiry_date", "approval_date"]
    write_csv(a.parent / "data" / "local" / "adopters.csv", cols,
              [{"household_id": "H1", "household_type": "couple", "enquiry_date": "2024-01-01",
                "approval_date": "2024-09-01"}])
    write_csv(b.parent / "data" / "local" / "adopters.csv", cols,
              [{"household_id": "H1", "household_type": "single",
                "enquiry_date": "2024-02-01"}])
    r = load_raa(_raa_file(tmp_path, [a, b]))
    la = prepare_raa(r, [prepare_la(m) for m in r.members])
    h = la.tables["adopters"]
    # The same household id in two members: two households.
    assert sorted(h["household_id"]) == ["ayshire:H1", "beeshire:H1"]
    assert "adopters" not in set(la.dq.missing_extracts["table"])
    notes = " ".join(la.dq.notes["detail"])
    assert "adopters: from the members' folders (Ayshire, Beeshire)" in notes


# -- members side by side ------------------------------------------------------------------------


def test_positions_are_the_quarters_of_the_members_figures():
    # Linear quartiles of 10, 20, 30, 40: Q1 17.5, Q3 32.5.
    got = raa.positions(pd.Series([10.0, 20.0, 30.0, 40.0, float("nan")]))
    assert list(got) == [raa.LOWEST, raa.MIDDLE, raa.MIDDLE, raa.HIGHEST, ""]
    assert list(raa.positions(pd.Series([5.0, float("nan")]))) == ["", ""]


def test_members_table_each_members_figure_count_rating_and_quarter(two):
    _, _, la = two
    t = raa.table(raa.timescales_by_member(la.journeys, la.periods,
                                           la.tables["permanence_plans"], la.params,
                                           la.members), la.members)
    a1 = t.loc[t["key"].eq("a1")].set_index("member")
    assert list(a1.index) == [raa.ALL, "ayshire", "beeshire"]
    assert list(a1["value"]) == [250, 100, 300] and list(a1["n"]) == [4, 1, 3]
    # Against the 426-day threshold: all green.
    assert set(a1["rating"]) == {"green"}
    # Two members: Q1 150, Q3 250 (linear), so Ayshire lowest and Beeshire highest.
    assert a1.loc["ayshire", "position"] == raa.LOWEST
    assert a1.loc["beeshire", "position"] == raa.HIGHEST
    assert a1.loc[raa.ALL, "position"] == ""
    # A count (children waiting 18 months) is not put in a quarter.
    wait = t.loc[t["key"].eq("po_waiting_18m")]
    assert set(wait["position"]) == {""}
    shown = raa_text.display_members(t.loc[t["key"].eq("a1")])
    assert list(shown["Member"]) == ["All members", "M1 Ayshire", "M2 Beeshire"]
    assert list(shown["Figure"]) == ["250 days", "100 days", "300 days"]
    assert list(shown["Quarter of the RAA"]) == ["–", "lowest quarter (best)",
                                                 "highest quarter (worst)"]
    assert list(shown["Measure"])[1:] == ["", ""]  # named once, on the RAA's row


def _h(key: str, reach: int, n: int, rating: str = "red") -> Headline:
    value = {"red": 600.0, "green": 100.0}[rating]
    return Headline(key=key, section="02_timescales", label=key, value=value, unit="days",
                    n=n, benchmark=426, reach=reach)


def test_a_finding_is_concentrated_in_the_members_that_hold_more_of_its_reach():
    members = pd.DataFrame({"member": ["a", "b", "c"], "name": ["A", "B", "C"],
                            "tag": ["M1", "M2", "M3"], "region": ""})
    found = [_h("a1", 30, 100), _h("a2", 30, 100)]
    by = {raa.ALL: found,
          # A1: a holds 20 of 30 over (67%) on 40 of 100 children (40%): it drives it.
          "a": [_h("a1", 20, 40), _h("a2", 12, 40)],
          "b": [_h("a1", 6, 40), _h("a2", 12, 40)],
          # A2: every member's share of the reach is its share of the children.
          "c": [_h("a1", 4, 20), _h("a2", 6, 20)]}
    c = raa.concentration(found, by, members)
    a1 = c.loc[c["key"].eq("a1")].set_index("member")
    assert a1.loc["a", "reach_pct"] == pytest.approx(200 / 3)
    assert a1.loc["a", "n_pct"] == 40
    assert list(a1["drives"]) == [True, False, False]
    assert not c.loc[c["key"].eq("a2"), "drives"].any()
    said = raa_text.concentration_sentences(found, c, members)
    assert said[0].startswith("**A1: care entry to moving in with the adoptive family")
    assert "concentrated in M1 A (67% of the children it touches, 40% of the children it " \
           "rests on)" in said[0]
    assert said[1].startswith("Spread across the members in proportion to their size: A2")


def test_sufficiency_sets_each_members_children_waiting_against_the_raas_households(two):
    _, _, la = two
    from diagnostic_kit.inputs.schema import TABLES
    from diagnostic_kit.measures import adopters

    homes = pd.DataFrame({c: [None, None] for c in TABLES["adopters"].column_names})
    homes = homes.assign(household_type=["couple", "single"], ffa_approved=False,
                         approval_date=pd.to_datetime(["2025-01-01", "2025-06-01"]))
    for c in TABLES["adopters"].column_names:
        if c.endswith("_date") or c in ("stage1_start", "stage1_end", "stage2_start",
                                         "stage2_end"):
            homes[c] = pd.to_datetime(homes[c])

    s = raa.sufficiency_by_member(adopters.as_known(homes, la.params), la.journeys, la.params,
                                  la.members).set_index("group")
    first = "Children with a placement order waiting"
    assert s.loc[first, "ayshire"] == 0 and s.loc[first, "beeshire"] == 1
    assert s.loc[first, raa.ALL] == 1
    assert s.loc["Approved households waiting to be matched", raa.ALL] == 2
    assert pd.isna(s.loc["Approved households waiting to be matched", "ayshire"])
    ratio = "Children with a placement order waiting per approved household waiting"
    assert s.loc[ratio, raa.ALL] == 0.5


def test_interagency_placements_per_member_with_the_fee_of_their_year(two):
    _, _, la = two
    ia = raa.interagency_placements(la.episodes, la.journeys, la.params,
                                    la.members).set_index("member")
    # Beeshire's child 2 was placed with another LA's adopters (PR2) on 25/02/2025 (2024-25:
    # the LA/RAA fee, £27,000 since 2011); its child 3 with a voluntary agency's (PR5) on
    # 05/06/2025 (2025-26: £39,245, confirmed).
    assert ia.loc["beeshire", ["placed", "la_raa", "vaa"]].tolist() == [3, 1, 1]
    assert ia.loc["beeshire", "la_raa_fees"] == 27_000
    assert ia.loc["beeshire", "vaa_fees"] == 39_245
    assert ia.loc["beeshire", "fees"] == 66_245
    assert ia.loc["ayshire", ["placed", "la_raa", "vaa"]].tolist() == [1, 0, 0]
    assert ia.loc[raa.ALL, ["placed", "la_raa", "vaa", "fees"]].tolist() == [4, 1, 1, 66_245]
    said = raa_text.interagency_sentence(ia.reset_index(), 70_000)
    assert "2 of the 4 children placed for adoption" in said
    assert "£70,000 of interagency fees paid" in said


def test_a_voluntary_placement_in_a_year_whose_fee_is_not_confirmed_costs_nothing_known():
    members = pd.DataFrame({"member": ["a"], "name": ["A"], "tag": ["M1"], "region": [""]})
    pl = pd.DataFrame({"CHILD": ["a:1"], "DECOM": pd.to_datetime(["2024-06-01"]),
                       "RNE": ["P"], "PLACE": ["A6"], "PLACE_PROVIDER": ["PR5"],
                       "period_id": [1]})
    j = pd.DataFrame({"period_id": [1], "adm_date": pd.to_datetime(["2024-01-01"]),
                      "ao_date": pd.NaT, "child": ["a:1"]})
    from diagnostic_kit.inputs.params import load_params as lp

    params = lp("demo", check_data_dir=False)
    ia = raa.interagency_placements(pl, j, params, members).set_index("member")
    # 2024-25: the voluntary agencies' fee is not confirmed.
    assert ia.loc["a", "vaa"] == 1 and ia.loc["a", "vaa_not_confirmed"] == 1
    assert pd.isna(ia.loc["a", "vaa_fees"])


# -- privacy -------------------------------------------------------------------------------------


def test_each_members_key_holds_its_own_children_only(two, tmp_path):
    _, _, la = two
    files = assemble.write_member_keys(la.pseudonyms, la.members, tmp_path / "keys")
    keys = {f.stem: pd.read_csv(f, dtype=str) for f in files}
    assert sorted(keys) == ["ayshire", "beeshire"]
    assert list(keys["ayshire"]["child"]) == ["1"]
    assert sorted(keys["beeshire"]["child"]) == ["1", "2", "3", "9"]
    assert keys["ayshire"]["pseudonym"].str.startswith("M1-").all()
    assert keys["beeshire"]["pseudonym"].str.startswith("M2-").all()


def test_a_members_small_counts_are_suppressed_in_the_members_table(two):
    _, _, la = two
    t = raa.table(raa.timescales_by_member(la.journeys, la.periods,
                                           la.tables["permanence_plans"], la.params,
                                           la.members), la.members)
    nv.set_suppression(5)
    try:
        shown = raa_text.display_members(t.loc[t["key"].eq("a1")]).set_index("Member")
    finally:
        nv.set_suppression(0)
    # Every member rests on fewer than 5 children: figure, rating and quarter hidden.
    assert shown.loc["M1 Ayshire", ["Figure", "Rating", "Quarter of the RAA"]].tolist() == [
        "–", "–", "–"]
    assert shown.loc["All members", "Figure"] == "250 days"  # the RAA's own row is kept


def test_the_raa_data_quality_csv_says_whose_each_record_is(two, tmp_path):
    _, _, la = two
    n = assemble.write_data_quality_csv(la.dq, la.pseudonyms, tmp_path / "dq.csv")
    dq = pd.read_csv(tmp_path / "dq.csv", dtype=str)
    assert list(dq.columns)[:2] == ["member", "file"] and len(dq) == n
    assert set(dq["member"]) <= {"Ayshire", "Beeshire", "Adopt Testshire"}


# -- the synthetic RAA ---------------------------------------------------------------------------


def test_a_synthetic_member_writes_its_childrens_extracts_only_and_the_same_bytes(tmp_path):
    from diagnostic_kit.synth import CHILDREN_EXTRACTS, generate

    full = generate(tmp_path / "full", seed=7, size=40, years=3)
    kids = generate(tmp_path / "kids", seed=7, size=40, years=3, extracts="children")
    local = sorted(f for f in kids.files if f.startswith("local/"))
    assert local == sorted(f"local/{t}.csv" for t in CHILDREN_EXTRACTS)
    assert set(kids.files) < set(full.files)
    for f in kids.files:
        assert (tmp_path / "kids" / f).read_bytes() == (tmp_path / "full" / f).read_bytes(), f
    assert not (tmp_path / "kids" / "local" / "annex_a.xlsx").exists()
    assert not (tmp_path / "kids" / "local" / "audit_forms").exists()


def test_the_synthetic_raas_extracts_are_its_members_put_together(tmp_path):
    from diagnostic_kit.synth import MemberSpec, generate, generate_raa

    specs = [MemberSpec(seed=7, size=40, years=3), MemberSpec(seed=8, size=60, years=3)]
    for i, s in enumerate(specs):
        generate(tmp_path / f"m{i}", seed=s.seed, size=s.size, years=s.years)
    written = generate_raa(tmp_path / "raa", specs)
    assert sorted(written) == ["local/adopters.csv", "local/case_audits.csv",
                               "local/costs.csv", "local/staffing.csv"]

    def read(folder: str, name: str) -> pd.DataFrame:
        return pd.read_csv(tmp_path / folder / "local" / f"{name}.csv", dtype=str)

    hh = read("raa", "adopters")
    assert len(hh) == len(read("m0", "adopters")) + len(read("m1", "adopters"))
    assert hh["household_id"].is_unique and hh["household_id"].iloc[0] == "HH0001"
    assert hh["enquiry_date"].is_monotonic_increasing
    st = read("raa", "staffing").assign(fte=lambda d: d["fte"].astype(float))
    both = pd.concat([read("m0", "staffing"), read("m1", "staffing")]).assign(
        fte=lambda d: d["fte"].astype(float))
    assert st["fte"].sum() == pytest.approx(both["fte"].sum(), abs=0.05 * len(st))
    co = read("raa", "costs").assign(amount=lambda d: d["amount"].astype(float))
    parts = pd.concat([read("m0", "costs"), read("m1", "costs")]).assign(
        amount=lambda d: d["amount"].astype(float))
    assert co["amount"].sum() == pytest.approx(parts["amount"].sum(), abs=len(co))
    au = read("raa", "case_audits")
    assert len(au) == len(read("m0", "case_audits")) + len(read("m1", "case_audits"))
    assert au["audit_id"].is_unique


def test_a_members_finding_that_names_a_child_names_the_raas_pseudonym(tmp_path):
    # Ayshire's child 7 was placed (A6 under LS C2) before its placement order (E1): the stage
    # from the order to the placement is negative, a finding that names the child.
    a = _member(tmp_path, "ayshire", [("1", 100, "PR1")])
    rows = [ep("7", "01/05/2024", "S", "C2", "U6", "01/09/2024", "X1"),
            ep("7", "01/09/2024", "P", "C2", "A6", "01/11/2024", "X1"),
            ep("7", "01/11/2024", "L", "E1", "A6", "01/03/2026", "E11")]
    year = a.parent / "data" / "903" / "2025-26"
    old = pd.read_csv(year / "episodes.csv", dtype=str, keep_default_na=False)
    write_csv(year / "episodes.csv", list(old.columns), [*old.to_dict("records"), *rows])
    for name, row in (("header", hdr("7", "01/01/2024")),
                      ("placed_for_adoption", {"CHILD": "7", "DATE_PLACED": "01/07/2024"})):
        old = pd.read_csv(year / f"{name}.csv", dtype=str, keep_default_na=False)
        write_csv(year / f"{name}.csv", list(old.columns), [*old.to_dict("records"), row])
    b = _member(tmp_path, "beeshire", [("1", 200, "PR1")])
    r = load_raa(_raa_file(tmp_path, [a, b]))
    members = [prepare_la(m) for m in r.members]
    own = members[0].dq.findings
    own = own.loc[own["rule"].eq("stage_negative"), "value"].tolist()
    assert len(own) == 1 and own[0].startswith(members[0].pseudonyms["7"] + ": ")
    la = prepare_raa(r, members)
    f = la.dq.findings
    f = f.loc[f["rule"].eq("stage_negative")]
    assert f["member"].tolist() == ["Ayshire"]
    assert f["value"].iloc[0] == own[0].replace(members[0].pseudonyms["7"],
                                                la.pseudonyms["ayshire:7"])
    assert la.pseudonyms["ayshire:7"].startswith("M1-")


def test_the_sufficiency_table_holds_counts_only(two):
    _, _, la = two
    from diagnostic_kit.inputs.schema import TABLES
    from diagnostic_kit.measures import adopters

    none = pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES["adopters"].column_names})
    s = raa.sufficiency_by_member(adopters.as_known(none, la.params), la.journeys, la.params,
                                  la.members)
    shown = raa_text.display_sufficiency(s, la.members).set_index("Group")
    # The per-household ratio (none here: no household) is for the sentence, not a count cell.
    assert not shown.index.str.contains("per approved household").any()
    assert shown.loc["Children with a placement order waiting"].tolist() == [0, 1, 1]
    assert shown.loc["Approved households waiting to be matched"].tolist() == ["–", "–", 0]


def test_a_member_named_on_its_own_and_by_its_raa_is_built_once(two, tmp_path):
    from diagnostic_kit.run import plan

    r, _, _ = two
    runs = plan.plan_runs([r.params.source_file, r.members[1].source_file], tmp_path)
    assert [x.name for x in runs] == ["ayshire", "beeshire", "raa"]
    assert runs[-1].raa is not None and runs[-1].members == ["ayshire", "beeshire"]
    assert runs[1].params.raa == "Adopt Testshire"
