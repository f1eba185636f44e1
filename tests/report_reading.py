"""Reading an assembled report as a reader would: helpers shared by the end-to-end tests."""

from __future__ import annotations

from bs4 import BeautifulSoup


def empty_headings(html: str) -> tuple[int, list[str]]:
    """The headings (h2, h3) of the report part, and those with nothing under them before the
    next heading of their level or above, the end of their section or the annex: no paragraph,
    list item or cell with text, no chart. "Back to contents" is the page's, not a heading's."""
    soup = BeautifulSoup(html, "html.parser")
    annex = soup.find(id="annex")
    headings = [h for h in soup.find_all(["h2", "h3"]) if h.find_parent(id="annex") is None
                and h.find_parent("nav") is None]
    empty = []
    for h in headings:
        level = int(h.name[1])
        has = False
        for el in h.find_all_next():
            if el is annex or el.name == "section" or (
                    el.name in ("h1", "h2", "h3") and int(el.name[1]) <= level):
                break
            if "kit-top" in (el.get("class") or []):
                continue
            if el.name == "img" or (el.name in ("p", "li", "td") and el.get_text(strip=True)):
                has = True
                break
        if not has:
            empty.append(h.get_text(strip=True))
    return len(headings), empty
