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


def checkout_root() -> Path | None:
    """The repository this package runs from, or None when it is an installed copy."""
    root = PACKAGE_DIR.parent
    marks = (root / "pyproject.toml", root / "notebooks", root / "params" / "defaults.yaml")
    return root if all(m.exists() for m in marks) else None


def _kit_dir(name: str) -> Path:
    root = checkout_root()
    return root / name if root is not None else BUNDLE_DIR / name


def notebooks_dir() -> Path:
    """The section notebooks the runner executes."""
    return _kit_dir("notebooks")


def params_dir() -> Path:
    """The shared defaults and the demo LA's params."""
    return _kit_dir("params")


def defaults_file() -> Path:
    return params_dir() / "defaults.yaml"


def templates_dir() -> Path:
    """The local-extract templates and the data dictionary."""
    return _kit_dir("data_templates")


def default_reports_dir() -> Path:
    """Where ``run`` writes when no ``--out`` is given: ``reports/`` of the current folder."""
    return Path.cwd() / "reports"
