"""Shared fixtures. Kept small: other test modules build their own data."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

PARAMETERS = 'params_file = "demo"\nprepared = ""\noutput_dir = ""'


def register_section(folder: Path, key: str, title: str, metrics: list[str]) -> Path:
    """Add a made-up section to a test registry ``folder/sections.yml`` (active, reading every
    table) and return the file; point ``ADK_SECTIONS_FILE`` at it to use it."""
    reg = folder / "sections.yml"
    data = yaml.safe_load(reg.read_text(encoding="utf-8")) if reg.exists() else {"sections": []}
    data["sections"] = [s for s in data["sections"] if s["key"] != key]
    data["sections"].append({
        "key": key, "title": title, "short": title, "about": title, "status": "active",
        "measures": "tests", "tables": "*", "derived": ["journeys", "periods", "episodes",
                                                         "people", "looked_after"],
        "metrics": metrics,
    })
    data["sections"].sort(key=lambda s: s["key"])
    reg.write_text(yaml.safe_dump(data), encoding="utf-8")
    return reg


@pytest.fixture()
def make_notebook(monkeypatch) -> Callable[..., Path]:
    """Write a section notebook: a title, the contract's parameters cell, then ``cells``.

    A notebook named like a section (``NN_name``) is also entered in a test registry beside it,
    with the metrics its cells record, and ``ADK_SECTIONS_FILE`` points there for this test.
    """

    def make(path: Path, title: str, *cells: str) -> Path:
        params = new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})
        nb = new_notebook(
            cells=[new_markdown_cell(f"# {title}"), params, *map(new_code_cell, cells)],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}},
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        if re.fullmatch(r"\d{2}_[a-z][a-z0-9_]*", path.stem):
            metrics = sorted(set(re.findall(r"metric\(['\"](\w+)['\"]", "\n".join(cells))))
            reg = register_section(path.parent, path.stem, title, metrics)
            monkeypatch.setenv("ADK_SECTIONS_FILE", str(reg))
        return path

    return make


#: A three-child LA: CH7781 adopted (from foster care, DfE 390) without an AD1 row, CH7783 with
#: an impossible end date
#: (31/02) and an unknown ethnic code; the header carries a UPN, which the kit drops. Sex is in
#: letters, as a 2025-26 return gives it.
TINY_HEADER = """CHILD,SEX,DOB,ETHNIC,UPN
CH7781,M,01/02/2020,WBRI,A123456789012
CH7782,F,15/06/2021,MWBC,A123456789013
CH7783,M,03/03/2019,XXXX,A123456789014
"""
TINY_EPISODES = """CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE
CH7781,01/05/2024,S,C2,N1,U1,PR1,01/09/2024,E11,
CH7782,10/07/2024,S,C2,N1,U1,PR1,,,
CH7783,10/07/2024,S,C2,N1,U1,PR1,31/02/2024,E4A,
"""


def write_tiny_la(root: Path, name: str = "tiny", la_name: str = "Testshire") -> Path:
    """Write a tiny real LA (903 header and episodes only) under ``root`` and its params;
    returns the params file, whose stem names the LA's report folder."""
    year = root / f"la_{name}" / "data" / "903" / "2025-26"
    year.mkdir(parents=True)
    (year / "header.csv").write_text(TINY_HEADER, encoding="utf-8")
    (year / "episodes.csv").write_text(TINY_EPISODES, encoding="utf-8")
    params = root / f"la_{name}" / f"{name}.yaml"
    params.write_text(
        f'la_name: {la_name}\nla_code: "998"\nperiod_start: 2023-04-01\n'
        "period_end: 2026-03-31\ndata_dir: data\n",
        encoding="utf-8",
    )
    return params


@pytest.fixture()
def tiny_la(tmp_path: Path) -> Callable[..., Path]:
    """``tiny_la(name)`` writes a tiny LA under this test's tmp_path (see write_tiny_la)."""
    return lambda name="tiny", la_name="Testshire": write_tiny_la(tmp_path, name, la_name)


# -- a real browser --------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's headless Chromium driven by chromedriver, offline, with its network log."""
    import os

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
                    "/usr/bin/chromedriver): `make test` installs them with apt-get as root")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()

