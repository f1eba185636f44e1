"""Formatting helpers and the red/amber/green rule."""

from __future__ import annotations

import pytest

from diagnostic_kit.present import narrative as nv


def test_days_and_counts():
    assert nv.days(211.6) == "212 days"
    assert nv.days(1) == "1 day"
    assert nv.days(136.5) == "137 days"  # half up, not half to even
    assert nv.days(float("nan")) == "– days"
    assert nv.children(1) == "1 child" and nv.children(1234) == "1,234 children"
    assert nv.number(1234.5) == "1,235"
    assert nv.number(2.25, 1) == "2.3"


def test_percentages():
    assert nv.pct(29.4) == "29%"
    assert nv.pct(12.5) == "13%"
    assert nv.pct(None) == "–%"
    assert nv.count_of(12, 40) == "12 of 40 children (30%)"
    assert nv.count_of(0, 0) == "0 of 0 children (–%)"


def test_average_states_its_count():
    assert nv.average(212, 40) == "a median of 212 days (40 children)"
    assert nv.average(200.8, 1, kind="mean") == "a mean of 201 days (1 child)"
    assert nv.average(3.25, 12, kind="average", unit="years") == (
        "an average of 3.3 years (12 children)")  # half up


def test_versus_standard():
    assert nv.versus_standard(212, 183, "6 months") == "29 days over the 6-month standard"
    assert nv.versus_standard(171, 183, "6 months") == "12 days within the 6-month standard"
    assert nv.versus_standard(182.6, 183, "6 months") == "exactly at the 6-month standard"
    assert nv.versus_standard(183.5, 183, "6 months") == "1 day over the 6-month standard"
    assert nv.versus_standard(400, 426, noun="threshold") == "26 days within the 426-day threshold"
    assert nv.versus_standard(200, 182, "26 weeks") == "18 days over the 26-week standard"


def test_lists_and_case():
    assert nv.plain_list(["older children", "sibling groups", "disabled children"]) == (
        "older children, sibling groups and disabled children")
    assert nv.plain_list(["a"]) == "a" and nv.plain_list([]) == ""
    assert nv.plain_list(["a", "b"], "or") == "a or b"
    assert nv.lower_first("Care entry") == "care entry"
    assert nv.lower_first("IRO recommendation") == "IRO recommendation"
    assert nv.ratio(0.625) == "0.63"


@pytest.mark.parametrize(("value", "bench", "better", "expected"), [
    (426, 426, "lower", "green"),      # at the threshold
    (300, 426, "lower", "green"),
    (468.6, 426, "lower", "amber"),    # 426 × 1.1 = 468.6: within 10%
    (469, 426, "lower", "red"),
    (9, 9, "higher", "green"),
    (8.1, 9, "higher", "amber"),       # 9 × 0.9 = 8.1
    (8.0, 9, "higher", "red"),
    (None, 9, "higher", "not rated"),
    (5, None, "lower", "not rated"),
])
def test_rag_rule(value, bench, better, expected):
    assert nv.rag(value, bench, better) == expected


def test_median_count_shows_a_half_only_when_there_is_one():
    assert [nv.median_count(v) for v in (0.0, 1.0, 0.5, 2.5, float("nan"))] == [
        "0", "1", "0.5", "2.5", "–"]



def test_verb_agrees_with_the_count_as_shown():
    assert (nv.verb(1), nv.verb(3), nv.verb(1, "is", "are")) == ("was", "were", "is")
    nv.set_suppression(5)
    try:
        assert nv.verb(1) == "were"  # shown as "<5"
        assert nv.verb(12) == "were"
    finally:
        nv.set_suppression(0)


@pytest.mark.parametrize("text", [
    r"Counts under 5 are shown as \<5; \*provisional\*",
    "A *note* with `code`, [a link](#section-2) and <b>kept HTML</b>",
    r"£1,000 and 50% of households \_under\_ review",
    "one line\nand the next", "Two paragraphs\n\nthe second", "a ~~struck~~ word",
    "x < y & z > w", "see https://www.gov.uk/ for the guidance",
])
def test_notes_render_as_nbconvert_renders_the_report_cells(text):
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from diagnostic_kit.present.section import inline_markdown

    expected = markdown2html_mistune(text).strip()
    if expected.count("<p>") == 1 and expected.startswith("<p>") and expected.endswith("</p>"):
        expected = expected[3:-4]
    assert inline_markdown(text) == expected
