"""Timings of the kit on this machine (``make bench``; not part of the tests).

Prints a table: preparing the demo LA's data; the full demo report; a synthetic LA of 5,000
looked-after children; four synthetic LAs with ``--jobs 1`` and ``--jobs 2``; and the floor,
every section's measures and figures computed in one Python process with no kernels (each
notebook's code cells run in one in-process IPython shell with the parameters injected, figures
rendered to PNG as the inline backend does). Reports go to a temporary folder; the timings are
also written to ``build/bench.json``.

Targets, once installed: the demo report under 15 s, the 5,000-children LA under 30 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"demo report": 15.0, "5,000-children LA report": 30.0,
           "1,000,000 findings: section 8's tables and data_quality.csv": 20.0}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def cli(*args: str) -> None:
    """Run the command as a user would, in a fresh interpreter; fail loudly if it fails."""
    proc = subprocess.run([sys.executable, "-m", "diagnostic_kit", *args], cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"adoption-diagnostic {' '.join(args)} failed:\n{proc.stderr}")


def make_synthetic(root: Path, name: str, *, size: int, seed: int) -> Path:
    """Generate a synthetic LA and its params file; returns the params file."""
    params = root / f"{name}.yaml"
    cli("synth", "--out", str(root / "data" / name), "--size", str(size), "--seed", str(seed),
        "--la-name", f"Bench {name}", "--params-out", str(params))
    return params


def floor(params_file: str, work: Path) -> float:
    """Seconds to prepare the LA and run every section notebook's code in this process."""
    import matplotlib
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.prepare import prepare_la
    from diagnostic_kit.run.runner import discover_sections

    class Shell(InteractiveShell):
        def enable_gui(self, gui: str | None = None) -> None:
            """``%matplotlib inline`` needs no event loop; figures render to PNG on display."""

    matplotlib.use("agg")
    shell = Shell.instance()
    t0 = time.perf_counter()
    la = prepare_la(load_params(params_file))
    pkl = work / "la.pkl"
    la.save(pkl)
    for nb_path in discover_sections():
        shell.reset(new_session=False)
        shell.user_ns.update(params_file=params_file, prepared=str(pkl),
                             output_dir=str(work / "out"))
        nb = nbformat.read(nb_path, as_version=4)
        cells = [c for c in nb.cells if c.cell_type == "code"
                 and "parameters" not in c.metadata.get("tags", [])]
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in cells:
                result = shell.run_cell(cell.source, silent=True)
                if not result.success:
                    raise SystemExit(f"{nb_path.name} failed in-process: {result.error_in_exec}")
    return time.perf_counter() - t0


def findings_at_scale(work: Path, n: int = 1_000_000) -> tuple[float, str]:
    """Seconds for section 8's findings tables (counts per rule, the first rows of each) and
    the whole data_quality.csv, for ``n`` findings of a reviews file full of duplicates."""
    import numpy as np
    import pandas as pd

    from diagnostic_kit.measures import data_quality as dqs
    from diagnostic_kit.run import assemble

    rules = np.array(["duplicate_record", "date_unparseable", "code_unknown"])
    pick = np.arange(n) % 10
    findings = pd.DataFrame({
        "file": pd.array(["903/2024-25/reviews.csv"] * n, dtype="string"),
        "row": pd.array(np.arange(n) + 2, dtype="Int64"),
        "column": np.where(pick < 8, "CHILD", "REVIEW_CODE"),
        "value": np.where(pick < 8, "CH0001", "X9"),
        "rule": rules[np.minimum(pick, 2)], "message": "m", "action": "row excluded",
    })
    acc = pd.DataFrame({"file": ["903/2024-25/reviews.csv"], "table": ["reviews"],
                        "rows_read": [n], "rows_used": [0], "rows_excluded": [n],
                        "reasons": [""]})
    dq = SimpleNamespace(findings=findings, accounting=acc,
                         dropped_columns=pd.DataFrame(columns=["file", "column", "reason"]))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    dqs.findings_by_rule(findings)
    shown = dqs.findings_table(dqs.findings_sample(findings), acc)
    written = assemble.write_data_quality_csv(dq, pd.Series({"CH0001": "C-0001"}),
                                              work / "data_quality.csv")
    return time.perf_counter() - t0, f"{len(shown)} rows shown, {written:,} in the CSV"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=int, default=5000, help="children in the large LA")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.prepare import ensure_synthetic_data, prepare_la

    tmp = Path(tempfile.mkdtemp(prefix="adk-bench-"))
    rows: list[tuple[str, float, str]] = []

    def record(what: str, seconds: float, note: str = "") -> None:
        target = TARGETS.get(what)
        verdict = "" if target is None else (f"target < {target:.0f} s: "
                                             + ("met" if seconds < target else "MISSED"))
        rows.append((what, seconds, "; ".join(x for x in (note, verdict) if x)))
        print(f"  {what}: {seconds:.1f} s {verdict}", flush=True)

    try:
        demo = load_params("demo")
        if not demo.data_dir.is_dir():
            s, _ = timed(lambda: ensure_synthetic_data(demo))
            record("generate the demo LA's data (first use only)", s)
        s, _ = timed(lambda: prepare_la(load_params("demo")))
        record("prepare the demo LA's data (load, validate, derive)", s)
        cli("run", "demo", "--out", str(tmp / "warmup"))  # warm the file cache once
        s, _ = timed(lambda: cli("run", "demo", "--out", str(tmp / "reports")))
        record("demo report", s, f"{os.cpu_count()} jobs")

        big = make_synthetic(tmp, "big", size=args.big, seed=11)
        s, _ = timed(lambda: cli("run", str(big), "--out", str(tmp / "reports")))
        record(f"{args.big:,}-children LA report", s)

        # About 100,000 episodes over six returns: the loader's own target is "a few seconds".
        huge = make_synthetic(tmp, "huge", size=17000, seed=12)
        s, la = timed(lambda: prepare_la(load_params(huge)))
        record("prepare an LA of ~100,000 episodes (17,000 looked after a year)", s,
               f"{len(la.episodes):,} episodes, {int(la.dq.accounting['rows_read'].sum()):,} "
               "input rows")

        four = [str(make_synthetic(tmp, f"la{i}", size=400, seed=100 + i)) for i in range(4)]
        for jobs in (1, 2):
            s, _ = timed(lambda j=jobs: cli("run", *four, "--jobs", str(j),
                                            "--out", str(tmp / f"four{j}")))
            record(f"4 synthetic LAs, --jobs {jobs}", s)

        s = floor(str(ROOT / "params" / "demo.yaml"), tmp / "floor")
        record("floor: demo, every section in one process, no kernels", s)

        s, note = findings_at_scale(tmp / "findings")
        record("1,000,000 findings: section 8's tables and data_quality.csv", s, note)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    print(f"\nadoption-diagnostic bench on {platform.node()} "
          f"({os.cpu_count()} cores, Python {platform.python_version()})\n")
    print(f"{'what':<{width}}  {'seconds':>8}  notes")
    print(f"{'-' * width}  {'-' * 8}  -----")
    for what, seconds, note in rows:
        print(f"{what:<{width}}  {seconds:>8.1f}  {note}")
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([{"what": w, "seconds": round(s, 2), "note": n}
                               for w, s, n in rows], indent=1), encoding="utf-8")
    print(f"\n(written to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
