"""Packaging and repository hygiene: dependency lists in step, templates shipped, notebooks
committed clean, the Makefile and CI entry point as documented, cheap imports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _norm(req: str) -> tuple[str, str]:
    """("pandas", ">=2.2") from "pandas>=2.2"; names compared as PyPI does (case, - _ .)."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", req)
    assert m, req
    return re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2).replace(" ", "")


def test_environment_yml_and_pyproject_list_the_same_dependencies():
    project = PYPROJECT["project"]
    py = {_norm(r) for r in project["dependencies"]}
    py |= {_norm(r) for extra in project.get("optional-dependencies", {}).values() for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_norm(d) for d in env["dependencies"] if isinstance(d, str)}
    conda -= {n for n in conda if n[0] in {"python", "pip"}}
    assert py == conda, {"only in pyproject": py - conda, "only in environment.yml": conda - py}
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_part == ["-e ."]


def test_console_script_and_templates_are_packaged():
    assert PYPROJECT["project"]["scripts"] == {"adoption-diagnostic": "diagnostic_kit.run.cli:main"}
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["diagnostic_kit"]
    pkg = ROOT / "diagnostic_kit"
    shipped = {p for pat in patterns for p in pkg.glob(pat) if p.is_file()}
    templates = {p for p in (pkg / "report_theme").rglob("*") if p.is_file()}
    assert {t.name for t in templates} >= {"report.html.j2", "report.css"}
    assert templates <= shipped


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs"
                assert cell.get("execution_count") is None, f"{path.name} cell {i} was run"
        assert "papermill" not in nb["metadata"], f"{path.name} is an executed copy"


def test_section_notebooks_start_with_the_parameters_cell():
    from diagnostic_kit.run.plan import discover_sections

    for path in discover_sections(ROOT / "notebooks"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        assert "parameters" in first["metadata"].get("tags", []), path.name
        names = re.findall(r"^(\w+)\s*=", "".join(first["source"]), re.M)
        assert names == ["params_file", "prepared", "output_dir"], path.name
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name


def test_makefile_targets_and_ci_entry_point():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z]+):", make, re.M))
    assert {"setup", "report", "test", "lab", "bench", "lint", "clean"} <= targets
    assert "pytest --nbval-lax tests notebooks" in make
    assert "adoption-diagnostic run params/demo.yaml" in make
    assert "apt-get install" in make and "chromium-driver" in make
    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK)
    assert re.search(r"^make test\b", ci.read_text(encoding="utf-8"), re.M)


def test_imports_stay_cheap():
    """A kernel per section and ``--help`` must not pay for heavy imports they do not use."""
    code = ("import sys, diagnostic_kit, diagnostic_kit.run.cli, diagnostic_kit.present.section; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'papermill', 'nbconvert', "
            "'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT).stdout.strip()
    # report.py needs pandas; nothing else heavy is imported up front.
    assert out == "['pandas']"


def test_kernels_do_not_import_pandera():
    """What a warm kernel imports (preparing, every measure, the charts) leaves pandera out:
    the reading checks the schema's rules itself, and pandera (a sixth of a second to import,
    in every kernel) is only the declared schema the tests compare the reading with."""
    code = ("import sys, diagnostic_kit.run.prepare, diagnostic_kit.present.charts, "
            "diagnostic_kit.measures.summary, diagnostic_kit.inputs.columns as r; "
            "from diagnostic_kit.inputs.schema import SSDA903_TABLES; "
            "print('pandera' in sys.modules); r.table_schema(SSDA903_TABLES[0]); "
            "print('pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=ROOT).stdout.split()
    assert out == ["False", "True"]
