"""Reading an assembled report as a reader would: helpers shared by the end-to-end tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def report_headings(html: str) -> list[str]:
    """The texts of the report part's headings (h2 to h4) and table titles, as a reader sees
    them, for finding them again in the printed report."""
    soup = BeautifulSoup(html, "html.parser")
    found = soup.select("h2, h3, h4, p.kit-table-title")
    return [" ".join(el.get_text(" ", strip=True).split()) for el in found
            if el.find_parent(id="annex") is None and el.find_parent("nav") is None]


def _has_image(xobject: Any, depth: int = 0) -> bool:
    x = xobject.get_object()
    if x.get("/Subtype") == "/Image":
        return True
    res = x.get("/Resources") if x.get("/Subtype") == "/Form" and depth < 4 else None
    return bool(res and "/XObject" in res) and any(
        _has_image(v, depth + 1) for v in res["/XObject"].values())


def printed_pages(pdf: Path, margin: float = 40.0) -> list[tuple[list[tuple[float, str]],
                                                                list[float]]]:
    """Each page of a PDF as its lines of text, top to bottom (y in points from the foot of the
    page, with the line's text), and the top edge of each image drawn on it. The running header
    and footer (within ``margin`` points of either edge) are left out."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(pdf).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        height = float(page.mediabox.height)
        parts: dict[float, list[str]] = {}
        images: list[float] = []

        def text(t, cm, tm, font, size, parts=parts, height=height):
            y = round(cm[1] * tm[4] + cm[3] * tm[5] + cm[5], 0)
            if t.strip() and margin < y < height - margin:
                parts.setdefault(y, []).append(t)

        def operator(op, args, cm, tm, images=images, xobjects=xobjects):
            if op == b"Do" and args[0] in xobjects and _has_image(xobjects[args[0]]):
                images.append(cm[5] + cm[3])

        page.extract_text(visitor_text=text, visitor_operand_before=operator)
        lines = [(y, " ".join("".join(parts[y]).split())) for y in sorted(parts, reverse=True)]
        pages.append((lines, images))
    return pages


def headings_left_at_the_foot(pdf: Path, headings: list[str]) -> list[str]:
    """The headings and table titles printed with nothing of their own after them on the page:
    no image below them and fewer than two lines of text (an intro line alone does not count),
    so that what they head starts overleaf. A heading that wraps is followed to its last line."""
    left = []
    for n, (lines, images) in enumerate(printed_pages(pdf), start=1):
        texts = [t for _, t in lines]
        for i, (_y, t) in enumerate(lines):
            for h in headings:
                if not (t == h or (len(t) > 12 and h.startswith(t + " "))):
                    continue
                k, got = i, t
                while got != h and k + 1 < len(texts) and h.startswith(f"{got} {texts[k + 1]}"):
                    k, got = k + 1, f"{got} {texts[k + 1]}"
                if got != h:
                    continue
                below = lines[k + 1:]
                if len(below) < 2 and not any(top < lines[k][0] for top in images):
                    left.append(f"page {n}: {h}")
    return left
