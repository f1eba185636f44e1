"""``adoption-diagnostic init DIR``: a folder laid out for one LA's diagnostic.

::

    DIR/params/<la>.yaml        the LA's params, commented (data_dir relative to it)
    DIR/params/demo.yaml        the synthetic demo LA, so ``run demo`` works here
    DIR/data/<la>/903/          the LA's SSDA903 returns, one folder per collection year
    DIR/data/<la>/local/        the local extracts (all optional)
    DIR/data_templates/         the local extract templates and the data dictionary
    DIR/README.md               what to do next
    DIR/notebooks/              with ``notebooks=True``: the section notebooks, to edit

Commands run from DIR find all of it: a bare params name resolves ``./params/<name>.yaml``,
reports go to ``./reports`` and ``run`` uses ``./notebooks`` when it holds section notebooks.
Nothing that already exists is overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagnostic_kit import __version__, kit_files


class WorkspaceError(ValueError):
    """A workspace that cannot be laid out; the message is one sentence."""


def slugify(name: str) -> str:
    """A file-safe name for an LA: ``North Yorkshire`` → ``north-yorkshire``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The latest three complete financial years before ``today``."""
    today = today or dt.date.today()
    end_year = today.year if today > dt.date(today.year, 3, 31) else today.year - 1
    return dt.date(end_year - 3, 4, 1), dt.date(end_year, 3, 31)


def _standards_comment() -> list[str]:
    """The default standards, as commented lines an analyst can uncomment and change."""
    try:
        defaults = yaml.safe_load(kit_files.defaults_file().read_text(encoding="utf-8")) or {}
        standards = defaults.get("standards") or {}
    except (OSError, yaml.YAMLError):
        return []
    lines = []
    for key, value in standards.items():
        flow = yaml.safe_dump({key: value}, default_flow_style=True, sort_keys=False,
                              width=1000, allow_unicode=True).strip()
        lines.append(f"#   {flow[1:-1]}")
    return lines


def params_text(la_name: str, la_code: str, slug: str, today: dt.date | None = None) -> str:
    start, end = default_period(today)
    lines = [
        f"# {la_name}: the params of its adoption diagnostic, made by `adoption-diagnostic init`.",
        f"# From the workspace folder: `adoption-diagnostic check {slug}` checks the data,",
        f"# `adoption-diagnostic run {slug}` writes reports/{slug}/report.html.",
        "# Paths are relative to this file.",
        f"la_name: {json.dumps(la_name, ensure_ascii=False)}",
        f"la_code: {json.dumps(la_code)}"
        + ("  # replace with the LA's ONS code" if la_code == PLACEHOLDER_CODE else ""),
        f"period_start: {start.isoformat()}     # usually the latest three financial years",
        f"period_end: {end.isoformat()}       # also the reference date for status and drift",
        f"data_dir: ../data/{slug}",
        "#   903/2023-24/header.csv, episodes.csv, ...   the SSDA903 returns, one folder a year",
        "#   local/permanence_plans.csv, ...            local extracts from data_templates/",
        "suppress_below: 0            # 5 shows counts under 5 as \"<5\" (reports shared outside "
        "the LA)",
        "# standards:                 # optional: override any of the kit's defaults, e.g.",
        *_standards_comment(),
    ]
    return "\n".join(lines) + "\n"


PLACEHOLDER_CODE = "E06000999"


def readme_text(la_name: str, slug: str, with_notebooks: bool) -> str:
    nb = (
        "- `notebooks/`: the section notebooks, yours to edit. `adoption-diagnostic run` uses\n"
        "  them when started in this folder (or `--notebooks DIR`); `jupyter lab notebooks/`\n"
        "  opens them, and each runs by hand on the demo LA (`params_file = \"demo\"`).\n"
        if with_notebooks else ""
    )
    rows = [("adoption-diagnostic run demo",
             "the demo: reports/demo/report.html (data in data/demo/)"),
            (f"adoption-diagnostic check {slug}", "the data-quality summary of your data"),
            (f"adoption-diagnostic run {slug}", f"reports/{slug}/report.html")]
    w = max(len(c) for c, _ in rows)
    commands = "\n".join(f"{c:<{w}}   # {what}" for c, what in rows)
    return f"""# {la_name}: adoption diagnostic

Made by `adoption-diagnostic init` (kit {__version__}). Run every command from this folder.

- `params/{slug}.yaml`: the LA's name, code, reporting period and data folder. Check them.
- `data/{slug}/903/`: the LA's SSDA903 returns as it holds them, one folder per collection year
  (`903/2025-26/header.csv`, `episodes.csv`, `ad1.csv`, ...).
- `data/{slug}/local/`: the local extracts, filled from the templates in `data_templates/`
  (each optional). `data_templates/data_dictionary.md` lists every column, type and code.
- `params/demo.yaml`: a synthetic demo LA, to see a report before the data is ready.
{nb}
```
{commands}
```

Reports are written to `reports/` here (or `--out DIR`). `data/` and `reports/` hold personal
data about children: keep this folder inside the LA. `report.html`, `sections/`, `metrics.json`
and `tables.xlsx` show children only by pseudonym (set `suppress_below: 5` for a report shared
outside the LA); `internal/` (the pseudonym key, the case audits' texts) and `data_quality.csv`
stay inside the LA.
"""


@dataclass
class Workspace:
    root: Path
    slug: str
    files: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)


def init_workspace(
    root: str | Path,
    *,
    la_name: str | None = None,
    la_code: str | None = None,
    notebooks: bool = False,
    today: dt.date | None = None,
) -> Workspace:
    """Lay out ``root`` for one LA (see the module's docstring); raises WorkspaceError, having
    written nothing, if any file it would write already exists."""
    root = Path(root)
    la_name = (la_name or "").strip() or (
        re.sub(r"[-_]+", " ", root.resolve().name).strip().title() or "My LA")
    slug = slugify(la_name)
    if not slug:
        raise WorkspaceError(f"The LA name {la_name!r} has no letters or digits to name its "
                             "files by; give --la-name.")
    if slug == "demo":
        raise WorkspaceError("'demo' is the name of the synthetic demo LA; give the LA's own "
                             "name with --la-name.")
    code = (la_code or "").strip() or PLACEHOLDER_CODE

    kit_nbs = sorted(kit_files.notebooks_dir().glob(kit_files.SECTION_NOTEBOOKS))
    kit_templates = sorted(p for p in kit_files.templates_dir().iterdir() if p.is_file())
    writes: dict[Path, bytes | Path] = {
        root / "params" / f"{slug}.yaml": params_text(la_name, code, slug, today).encode(),
        root / "params" / "demo.yaml": kit_files.params_dir() / "demo.yaml",
        root / "README.md": readme_text(la_name, slug, notebooks).encode(),
        **{root / "data_templates" / p.name: p for p in kit_templates},
    }
    if notebooks:
        writes.update({root / "notebooks" / p.name: p for p in kit_nbs})
    folders = [root / "data" / slug / "903", root / "data" / slug / "local"]

    taken = next((p for p in writes if p.exists() or p.is_symlink()), None)
    if taken is not None:
        raise WorkspaceError(f"{taken} already exists and init never overwrites a file: "
                             "choose a new folder, or move it away first.")
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for dest, content in writes.items():
        dest.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, dest)
        else:
            dest.write_bytes(content)
    return Workspace(root=root, slug=slug, files=list(writes), folders=folders)
