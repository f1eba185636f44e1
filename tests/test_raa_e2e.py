"""Issue 25, end to end: a synthetic RAA of two synthetic members built in one run, as
``adoption-diagnostic run raa.yaml`` builds it, and read in real headless Chromium.

- The members' reports, the RAA's, and a batch index listing the RAA apart.
- The RAA's report: the members' table in every child section (0 to 4), the RAA's own adopter,
  cost and audit sections; its counts are its members' together.
- Privacy: the RAA's pseudonyms are under each member's tag and each member's key holds its
  own children only; a member's report shows only its own children; with ``suppress_below``
  the RAA's report names no child at all and shows a member's small counts as "<5".
- It reads at 1280 and 420 px and prints to A4.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.run import runner
from tests.test_e2e import SMALL_COUNT, TABLE_FIT_JS, _at_width, _pages, _text

MEMBER = """la_name: {name}
la_code: "{code}"
period_start: 2023-04-01
period_end: 2026-03-31
data_dir: ../data/{key}
synthetic: {{seed: {seed}, size: {size}, years: 6, extracts: children}}
"""
RAA = """raa_name: {name}
raa_code: R77
period_start: 2023-04-01
period_end: 2026-03-31
members: [tst-ayshire.yaml, tst-beeshire.yaml]
data_dir: ../data/agency
synthetic: true
{extra}"""
#: A child's pseudonym in an LA's report, and in an RAA's (under its member's tag).
LA_NAME = re.compile(r"\bC-\d{4}\b")
RAA_NAME = re.compile(r"\bM\d+-\d{4}\b")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two members (60 and 150 children) and two RAAs of them, one suppressing small counts,
    in one run: the members are built once."""
    root = tmp_path_factory.mktemp("raa-e2e")
    params = root / "params"
    params.mkdir()
    for key, name, code, seed, size in (("ayshire", "Ayshire", "901", 31, 60),
                                        ("beeshire", "Beeshire", "902", 32, 150)):
        (params / f"tst-{key}.yaml").write_text(MEMBER.format(
            name=name, code=code, key=key, seed=seed, size=size), encoding="utf-8")
    (params / "tst-raa.yaml").write_text(RAA.format(name="Adopt Testshire", extra=""),
                                         encoding="utf-8")
    (params / "tst-raa-shared.yaml").write_text(RAA.format(
        name="Adopt Testshire", extra="suppress_below: 5\n"), encoding="utf-8")
    out = root / "reports"
    runs = runner.run_reports([params / "tst-raa.yaml", params / "tst-raa-shared.yaml"],
                              out_root=out, jobs=2, echo=lambda line: None)
    return out, runs


def _html(out: Path, name: str) -> str:
    return (out / name / "report.html").read_text(encoding="utf-8")


def _metrics(out: Path, name: str) -> dict:
    return json.loads((out / name / "metrics.json").read_text(encoding="utf-8"))


def test_the_raa_and_its_members_are_built_in_one_run(built):
    out, runs = built
    assert [r.name for r in runs] == ["tst-ayshire", "tst-beeshire", "tst-raa",
                                      "tst-raa-shared"]
    assert [r.status for r in runs] == ["ok"] * 4, [(r.name, r.error, r.failed_sections)
                                                    for r in runs]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Regional adoption agencies" in index and 'href="tst-raa/report.html"' in index
    assert "Adoption diagnostic: 2 local authorities" in index
    batch = pd.read_csv(out / "batch_metrics.csv")
    assert set(batch["la"]) == {"tst-ayshire", "tst-beeshire"}  # the RAA is no LA


def test_no_heading_stands_over_nothing_in_the_raas_or_a_members_report(built):
    # A member without the RAA's extracts (adopters, costs, audits) shows the notice that says
    # so, not the headings of the tables it cannot show.
    from tests.report_reading import empty_headings

    out, _ = built
    assert "local/adopters.csv was not supplied" in _html(out, "tst-ayshire")
    for name in ("tst-ayshire", "tst-beeshire", "tst-raa"):
        n, empty = empty_headings(_html(out, name))
        assert n > 15 and not empty, (name, empty)


def test_every_child_section_has_the_members_table_and_the_raas_own_sections(built):
    out, _ = built
    html = _html(out, "tst-raa")
    for anchor in ("s00-t-headline_findings_by_member",
                   "s01-t-representation_among_children_adopted_by_member",
                   "s02-t-scorecard_stages_and_children_still_waiting_by_member",
                   "s03-t-shortest_and_longest_journeys_by_member",
                   "s04-t-under_fives_two_years_on_by_member_every_entry_year",
                   # Sufficiency across the RAA and its interagency placements, per member.
                   "s05-t-children_with_a_placement_order_waiting_in_each_member_and_the_raa_s"
                   "_approved_households_waiting",
                   "s05-t-children_placed_with_another_agency_s_adopters_by_member_and_the_fees"
                   "_they_cost",
                   # The RAA's own extracts: its adopters, costs and audits.
                   "s05-t-households_who_enquired_in_the_period_by_the_furthest_step_reached",
                   "s06-t-unit_costs_by_financial_year", "s07-t-overall_grades_of_all_audits",
                   "s08-t-rows_read_and_findings_by_member"):
        assert f'id="{anchor}"' in html, anchor
    assert "could not be produced" not in html
    assert "M1 Ayshire" in html and "M2 Beeshire" in html
    # A member's own report has no members' table.
    assert "by member" not in _html(out, "tst-ayshire")
    # The title block and section 8 name an RAA as one, not as an LA.
    assert "<dt>RAA code</dt>" in html and "<dt>LA code</dt>" not in html
    assert "<td>Regional adoption agency</td>" in html
    assert "<dt>LA code</dt>" in _html(out, "tst-ayshire")


def test_the_raas_counts_are_its_members_together(built):
    out, _ = built
    a, b, r = (_metrics(out, n) for n in ("tst-ayshire", "tst-beeshire", "tst-raa"))
    for m in ("children_looked_after", "children_adopted", "children_po_not_placed",
              "new_adm_decisions", "under5_entrants"):
        assert r[m] == a[m] + b[m], m
    assert r["la_code"] == "R77"
    # Every member's rows and the RAA's own extracts' rows.
    own = sum(len(pd.read_csv(f)) for f in (out.parent / "data" / "agency" / "local")
              .glob("*.csv"))
    assert r["dq_rows_read"] == a["dq_rows_read"] + b["dq_rows_read"] + own
    dq = pd.read_csv(out / "tst-raa" / "data_quality.csv", dtype=str)
    assert list(dq.columns)[0] == "member"
    assert set(dq["member"]) <= {"Ayshire", "Beeshire", "Adopt Testshire"}


def test_each_member_sees_only_its_own_childrens_pseudonyms(built):
    out, _ = built
    internal = out / "tst-raa" / "internal"
    assert not (internal / "pseudonym_key.csv").exists()
    keys = {k: pd.read_csv(internal / "pseudonym_keys" / f"tst-{k}.csv", dtype=str)
            for k in ("ayshire", "beeshire")}
    own = {k: pd.read_csv(out / f"tst-{k}" / "internal" / "pseudonym_key.csv", dtype=str)
           for k in keys}
    for k, tag in (("ayshire", "M1-"), ("beeshire", "M2-")):
        # The member's key to the RAA's report: its own children, each under its tag.
        assert set(keys[k]["child"]) == set(own[k]["child"])
        assert keys[k]["pseudonym"].str.startswith(tag).all()
    # Both members number their children DEMO00001 …: the same ids, different children.
    assert set(keys["ayshire"]["child"]) & set(keys["beeshire"]["child"])
    html = _html(out, "tst-raa")
    shown = set(RAA_NAME.findall(html))
    assert shown and shown <= set(keys["ayshire"]["pseudonym"]) | set(
        keys["beeshire"]["pseudonym"])
    assert not LA_NAME.findall(html)  # never a member report's pseudonym
    for k in keys:
        mine = _html(out, f"tst-{k}")
        assert set(LA_NAME.findall(mine)) <= set(own[k]["pseudonym"])
        assert not RAA_NAME.findall(mine)


def test_a_report_shared_with_the_members_suppresses_small_counts_and_names_no_child(built):
    out, _ = built
    html = _html(out, "tst-raa-shared")
    assert not RAA_NAME.findall(html) and not LA_NAME.findall(html)
    assert "&lt;5" in html
    assert "not shown, because small numbers are suppressed" in html
    # The members' table: Ayshire's 60 children give small counts, hidden behind "<5".
    table = html.split('id="s02-t-scorecard_stages_and_children_still_waiting_by_member"')[1]
    table = table.split("</table>")[0]
    assert "M1 Ayshire" in table and "&lt;5" in table
    # No sentence or table of the report or its sections says a count from 1 to 4, the
    # members' counts included (as tests/test_e2e.py checks an LA's).
    for page in _pages(out / "tst-raa-shared"):
        text = _text(page.read_text(encoding="utf-8"))
        for pattern in SMALL_COUNT:
            assert not pattern.findall(text), (page.name, pattern.findall(text)[:5])
        for table in re.findall(r"<table.*?</table>", page.read_text(encoding="utf-8"),
                                flags=re.S):
            heads = [_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table,
                                                          flags=re.S)]
            if "Children" not in heads:
                continue
            at = heads.index("Children")
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]:
                cells = [_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                              flags=re.S)]
                assert cells[at] not in {"1", "2", "3", "4"}, (page.name, cells)


@pytest.mark.parametrize("width", [1280, 420])
def test_the_raa_report_reads_at_1280_and_420(built, browser, width):
    out, _ = built
    _at_width(browser, (out / "tst-raa" / "report.html").as_uri(), width)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth + 1")
    tables = browser.execute_script(TABLE_FIT_JS)
    assert len(tables) > 30
    scrolled = [t for t in tables if t["table"] > t["box"] + 1]
    assert not [t for t in scrolled if not t["region"]]
    if width == 1280:
        assert not scrolled, [(t["title"], t["table"], t["box"]) for t in scrolled]
    else:
        assert all(t["hint"] for t in scrolled), [t["title"] for t in scrolled if not t["hint"]]
        titles = [t["title"] for t in scrolled]
        assert "Headline findings by member" in titles


def test_the_raa_report_prints_to_a4(built, tmp_path):
    from diagnostic_kit.run.pdf import find_chromium, write_pdf

    if find_chromium() is None:
        pytest.skip("needs Debian's chromium (/usr/bin/chromium)")
    from pypdf import PdfReader

    out, _ = built
    pdf = tmp_path / "raa.pdf"
    assert write_pdf(out / "tst-raa" / "report.html", pdf) is None
    reader = PdfReader(pdf)
    assert len(reader.pages) > 9
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Adopt Testshire: 1 April 2023 to 31 March 2026" in text
    assert "Headline findings by member" in text and "Interagency placements by member" in text
    from tests.report_reading import headings_left_at_the_foot, report_headings

    headings = report_headings((out / "tst-raa" / "report.html").read_text(encoding="utf-8"))
    assert headings_left_at_the_foot(pdf, headings) == []
