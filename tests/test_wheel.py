"""The kit installs like a library (issue 7).

Quick tests of where things go: ``init``'s workspace, bare params names, the installed demo's data,
the default reports and notebooks folders. Then one slow test (marked ``wheel``, run by
``make test`` like every other; ``-m "not wheel"`` leaves it out): build an sdist of this tree
and a wheel from that sdist, install the wheel outside the checkout, lay out a workspace with
``init`` and build the demo report in it, writing nothing into the install or the clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from diagnostic_kit import kit_files
from diagnostic_kit.inputs.params import load_params, resolve_params_path
from diagnostic_kit.run import cli
from diagnostic_kit.run.workspace import WorkspaceError, init_workspace

ROOT = Path(__file__).resolve().parents[1]


# -- init ---------------------------------------------------------------------------------------


def test_init_lays_out_a_workspace_whose_params_load(tmp_path, monkeypatch):
    ws = tmp_path / "anyshire"
    assert cli.main(["init", str(ws), "--la-name", "North Anyshire", "--la-code", "E06000998",
                     "--notebooks"]) == 0
    params_file = ws / "params" / "north-anyshire.yaml"
    text = params_file.read_text(encoding="utf-8")
    assert "data_dir: ../data/north-anyshire" in text and "# standards:" in text
    for d in ["data/north-anyshire/903", "data/north-anyshire/local"]:
        assert (ws / d).is_dir(), d
    for f in ["params/demo.yaml", "README.md", "data_templates/data_dictionary.md",
              "data_templates/permanence_plans.csv"]:
        assert (ws / f).is_file(), f
    kit_notebooks = sorted(p.name for p in
                           kit_files.notebooks_dir().glob(kit_files.SECTION_NOTEBOOKS))
    assert sorted(p.name for p in (ws / "notebooks").iterdir()) == kit_notebooks
    assert (ws / "params" / "demo.yaml").read_bytes() == \
        (kit_files.params_dir() / "demo.yaml").read_bytes()

    monkeypatch.chdir(ws)
    p = load_params("north-anyshire")
    assert (p.la_name, p.la_code, p.data_dir) == (
        "North Anyshire", "E06000998", (ws / "data" / "north-anyshire").resolve())
    demo = load_params("demo", check_data_dir=False)
    assert demo.data_dir == (ws / "data" / "demo").resolve()
    assert kit_files.run_notebooks_dir() == Path.cwd() / "notebooks"


def test_init_refuses_to_overwrite_a_file(tmp_path, capsys):
    ws = tmp_path / "ws"
    (ws / "params").mkdir(parents=True)
    (ws / "params" / "demo.yaml").write_text("mine\n", encoding="utf-8")
    assert cli.main(["init", str(ws), "--la-name", "Anyshire"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("adoption-diagnostic: ") and "already exists" in err
    assert len(err.splitlines()) == 1
    assert (ws / "params" / "demo.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (ws / "params" / "anyshire.yaml").exists()  # nothing written
    with pytest.raises(WorkspaceError, match="demo"):
        init_workspace(tmp_path / "demo")


def test_init_names_the_la_after_its_folder_by_default(tmp_path):
    ws = init_workspace(tmp_path / "west_anyshire")
    assert ws.slug == "west-anyshire"
    assert 'la_name: "West Anyshire"' in (
        tmp_path / "west_anyshire" / "params" / "west-anyshire.yaml").read_text(encoding="utf-8")


# -- where things are found and written ---------------------------------------------------------


def test_a_bare_name_prefers_the_current_folders_params(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_params_path("demo") == kit_files.params_dir() / "demo.yaml"
    (tmp_path / "params").mkdir()
    (tmp_path / "params" / "demo.yaml").write_text("la_name: x\n", encoding="utf-8")
    assert resolve_params_path("demo").resolve() == (tmp_path / "params" / "demo.yaml").resolve()
    (tmp_path / "notebooks").mkdir()  # a notebook runs in the workspace's notebooks/
    monkeypatch.chdir(tmp_path / "notebooks")
    assert resolve_params_path("demo").resolve() == (tmp_path / "params" / "demo.yaml").resolve()


def test_the_installed_demo_generates_its_data_under_the_current_folder(tmp_path, monkeypatch):
    bundle = tmp_path / "site" / "diagnostic_kit" / "_bundle"
    (bundle / "params").mkdir(parents=True)
    shutil.copyfile(kit_files.params_dir() / "demo.yaml", bundle / "params" / "demo.yaml")
    monkeypatch.setattr(kit_files, "BUNDLE_DIR", bundle)
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    p = load_params(bundle / "params" / "demo.yaml", check_data_dir=False)
    assert p.data_dir == (tmp_path / "here" / "data" / "demo").resolve()
    # The same for a checkout's own demo used from elsewhere; from inside the checkout (make
    # report, or a notebook run by hand in notebooks/) it stays the checkout's data/demo.
    if kit_files.checkout_root() is not None:
        p = load_params("demo", check_data_dir=False)
        assert p.data_dir == (tmp_path / "here" / "data" / "demo").resolve()
        monkeypatch.chdir(kit_files.checkout_root() / "notebooks")
        p = load_params("demo", check_data_dir=False)
        assert p.data_dir == kit_files.checkout_root() / "data" / "demo"


def test_run_writes_to_reports_of_the_current_folder(tmp_path, monkeypatch):
    from diagnostic_kit.run import runner

    seen = {}

    def fake_run_reports(params, **kw):
        seen.update(kw)
        return []

    monkeypatch.setattr(runner, "run_reports", fake_run_reports)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["run", "demo"]) == 0
    assert Path(seen["out_root"]) == tmp_path / "reports"
    assert Path(seen["notebooks_dir"]) == kit_files.notebooks_dir()


def test_templates_of_an_installed_kit_go_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(kit_files, "checkout_root", lambda: None)
    assert kit_files.templates_out_dir() == tmp_path / "data_templates"


def test_templates_in_a_workspace_go_to_its_own_folder_even_from_a_clone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert kit_files.templates_out_dir() == kit_files.templates_dir()  # no workspace here
    (tmp_path / "data_templates").mkdir()
    assert kit_files.templates_out_dir() == tmp_path / "data_templates"


# -- the wheel ------------------------------------------------------------------------------------

#: Left out of the copy the sdist is built from: what a fresh clone does not have.
_NOT_IN_A_CLONE = {".venv", ".git", "data", "reports", "build", "dist", ".cache", ".pytest_cache",
                   ".ruff_cache"}


def _copy_tree(dest: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in {"__pycache__", ".ipynb_checkpoints", "_bundle"}
                or n.endswith(".egg-info")}
        if Path(folder) == ROOT:
            skip |= _NOT_IN_A_CLONE & set(names)
        return skip

    shutil.copytree(ROOT, dest, ignore=ignore)


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 180) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _build_wheel(tmp: Path) -> Path:
    """sdist of a copy of this tree (so MANIFEST.in is tested), then a wheel from the sdist."""
    src = tmp / "src"
    _copy_tree(src)
    _run([sys.executable, "-c",
          "import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))",
          str(tmp / "sdist")], cwd=src)
    sdist = next((tmp / "sdist").glob("*.tar.gz"))
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
        try:
            tf.extractall(tmp / "unpacked", filter="data")
        except TypeError:  # Python before 3.11.4
            tf.extractall(tmp / "unpacked")  # noqa: S202 (our own sdist)
    for shipped in ["notebooks/00_summary.ipynb", "params/defaults.yaml", "params/demo.yaml",
                    "data_templates/data_dictionary.md", "diagnostic_kit/report_theme/report.css",
                    "setup.py", "MANIFEST.in"]:
        assert any(n.endswith("/" + shipped) for n in names), f"the sdist lacks {shipped}"
    unpacked = next((tmp / "unpacked").iterdir())
    # make's .venv has the build backend (setuptools>=77): build offline, without isolation.
    try:
        import setuptools

        offline = int(setuptools.__version__.split(".")[0]) >= 77
    except ImportError:
        offline = False
    flags = ["--no-build-isolation"] if offline else []
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *flags,
          "-w", str(tmp / "wheels"), str(unpacked)], cwd=tmp)
    return next((tmp / "wheels").glob("adoption_diagnostic-*.whl"))


@pytest.mark.wheel
def test_the_wheel_installs_outside_the_checkout_and_builds_the_demo(tmp_path):
    t0 = time.perf_counter()
    wheel = _build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    kit_notebooks = sorted(p.name for p in
                           (ROOT / "notebooks").glob(kit_files.SECTION_NOTEBOOKS))
    for shipped in [*(f"notebooks/{n}" for n in kit_notebooks), "params/defaults.yaml",
                    "params/demo.yaml", "data_templates/data_dictionary.md",
                    "data_templates/permanence_plans.csv"]:
        assert f"diagnostic_kit/_bundle/{shipped}" in names, f"the wheel lacks {shipped}"
    data_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "diagnostic_kit").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc")
                  and not {"__pycache__", "_bundle"} & set(p.parts)}
    assert "diagnostic_kit/report_theme/report.html.j2" in data_files
    assert data_files <= names, f"the wheel lacks {sorted(data_files - names)}"

    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
          str(wheel)], cwd=tmp_path)
    env = {**os.environ, "PYTHONPATH": str(site),
           "PATH": f"{site / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONSAFEPATH", None)
    cmd = str(site / "bin" / "adoption-diagnostic")
    home = tmp_path / "home"
    home.mkdir()

    # The installed copy is the one that runs, and it knows no checkout.
    where = _run([sys.executable, "-c",
                  "import diagnostic_kit as d; from diagnostic_kit import kit_files as r; "
                  "print(d.__file__); print(r.checkout_root())"], cwd=home, env=env)
    kit_file, checkout = where.stdout.split()
    assert Path(kit_file).is_relative_to(site) and checkout == "None", where.stdout
    before_site = _snapshot(site)
    clone_report = ROOT / "reports" / "demo" / "report.html"
    clone_mtime = clone_report.stat().st_mtime_ns if clone_report.exists() else None

    _run([cmd, "init", "ws", "--la-name", "Testshire"], cwd=home, env=env)
    ws = home / "ws"
    assert (ws / "params" / "testshire.yaml").is_file() and (ws / "params" / "demo.yaml").is_file()
    run = _run([cmd, "run", "demo", "--jobs", "2"], cwd=ws, env=env, timeout=300)
    report = ws / "reports" / "demo" / "report.html"
    assert report.is_file(), run.stdout + run.stderr
    assert f"  {report}" in run.stdout.splitlines()
    assert (ws / "data" / "demo" / "903").is_dir()
    assert "Demoshire" in report.read_text(encoding="utf-8")
    executed = sorted((ws / "reports" / "demo" / "notebooks").glob("*.ipynb"))
    assert [p.name for p in executed] == kit_notebooks
    for nb in executed:  # run from the installed copy's bundle, not the clone's notebooks/
        used = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["papermill"]["input_path"]
        assert Path(used).is_relative_to(site / "diagnostic_kit" / "_bundle"), used

    # The bundled demo, from a folder with no params/: its data goes under that folder.
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    _run([cmd, "check", "demo"], cwd=elsewhere, env=env)
    assert (elsewhere / "data" / "demo" / "903").is_dir()

    assert _snapshot(site) == before_site, "the run wrote into the installed package"
    assert not (site / "diagnostic_kit" / "_bundle" / "data").exists()
    if clone_mtime is not None:
        assert clone_report.stat().st_mtime_ns == clone_mtime, "the run wrote into the clone"
    assert not list((ROOT / "reports").glob(".building-*"))
    print(f"wheel test: {time.perf_counter() - t0:.1f} s")
