"""Where the kit's own files are: in a checkout, or shipped inside the installed package.

In a clone of the repository the notebooks, the shared defaults and the data templates are read
from the repository's own folders (``notebooks/``, ``params/``, ``data_templates/``), so an
analyst's edits take effect at once. An installed wheel carries copies of them in
``diagnostic_kit/_bundle/`` (put there by ``setup.py`` at build time). Outputs never go beside
the package: reports are written under the folder the command is started in, or ``--out``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLE_DIR = PACKAGE_DIR / "_bundle"
#: The report's HTML template and stylesheet.
THEME_DIR = PACKAGE_DIR / "report_theme"
#: The section registry.
SECTIONS_FILE = PACKAGE_DIR / "sections.yml"
#: The folder of a report's internal files (the pseudonym key, the case-audit texts): inside
#: ``reports/<la>/`` but apart from what may be shared, with a notice saying so.
INTERNAL_DIR = "internal"
INTERNAL_NOTICE = """INTERNAL TO THE LA: do not share the files in this folder.

pseudonym_key.csv turns the report's pseudonyms (C-0042) back into the LA's own child ids, and
case_audit_texts.csv holds the case audits' written texts. The report (report.html, report.pdf,
sections/) shows neither. Share the report alone; keep this folder where only people entitled
to see the children's records can read it.
"""
#: The internal folder of a regional adoption agency's report says which key is whose.
RAA_INTERNAL_NOTICE = """INTERNAL TO THE RAA AND EACH MEMBER LA: do not share this folder's files.

pseudonym_keys/<member>.csv turns the RAA report's pseudonyms of one member's children (M1-0042)
back into that member's own child ids. Each file holds one member's children only: give each
member LA its own file, never another member's. case_audit_texts.csv holds the case audits'
written texts. The report (report.html, report.pdf, sections/) shows neither. Share the report
alone; keep this folder where only people entitled to see the children's records can read it.
"""


def checkout_root() -> Path | None:
    """The repository this package runs from, or None when it is an installed copy."""
    root = PACKAGE_DIR.parent
    marks = (root / "pyproject.toml", root / "notebooks", root / "params" / "defaults.yaml")
    return root if all(m.exists() for m in marks) else None


def _kit_dir(name: str) -> Path:
    root = checkout_root()
    return root / name if root is not None else BUNDLE_DIR / name


#: Section notebooks: two digits, an underscore, a name (``02_timescales.ipynb``).
SECTION_NOTEBOOKS = "[0-9][0-9]_*.ipynb"


def notebooks_dir() -> Path:
    """The kit's own section notebooks."""
    return _kit_dir("notebooks")


def has_section_notebooks(folder: Path) -> bool:
    return folder.is_dir() and any(p.is_file() for p in folder.glob(SECTION_NOTEBOOKS))


def run_notebooks_dir() -> Path:
    """The notebooks ``run`` executes when not told: ``./notebooks`` of the current folder if it
    holds section notebooks (a workspace made by ``init --notebooks``, or the checkout itself),
    else the kit's own."""
    here = Path.cwd() / "notebooks"
    return here if has_section_notebooks(here) else notebooks_dir()


def params_dir() -> Path:
    """The shared defaults and the demo LA's params."""
    return _kit_dir("params")


def defaults_file() -> Path:
    return params_dir() / "defaults.yaml"


def templates_dir() -> Path:
    """The local-extract templates and the data dictionary."""
    return _kit_dir("data_templates")


def templates_out_dir() -> Path:
    """Where ``templates`` writes when not told: ``./data_templates`` when the current folder
    has one (a workspace ``init`` made) or the kit is an installed copy (never inside the
    package); else, in a checkout, the checkout's own ``data_templates/``."""
    here = Path.cwd() / "data_templates"
    if here.is_dir() or checkout_root() is None:
        return here
    return templates_dir()


def methodology_file() -> Path:
    """docs/methodology.md: every definition, shown to readers in section 8."""
    return _kit_dir("docs") / "methodology.md"


def default_reports_dir() -> Path:
    """Where ``run`` writes when no ``--out`` is given: ``reports/`` of the current folder."""
    return Path.cwd() / "reports"
