"""Timings of the kit on this machine (``make bench``; not part of the tests).

Prints a table: preparing the demo LA's data; the full demo report; a synthetic LA of 5,000
looked-after children; four synthetic LAs with ``--jobs 1`` and ``--jobs 2``; and the floor,
every section's measures and figures computed in one Python process with no kernels (each
notebook's code cells run in one in-process IPython shell with the parameters injected, figures
rendered to PNG as the inline backend does). Reports go to a temporary folder; the timings are
also written to ``build/bench.json``.

Also (issue 12): plain papermill as the peer (a cold kernel per notebook, one after another);
the demo with ``--plain``; a batch of synthetic LAs of realistic spread (looked-after sizes drawn
log-uniform from 50 to 2,000, kept in ``build/bench-las/``) with its peak memory, projected to
all 153 English LAs; each figure as a ratio to the floor and to the peer. ``--national`` (``make
bench-national``) runs the whole batch of 153.

The floor, the demo report and preparing ~100,000 episodes are each the median of three runs
(``--repeat``): one run here varies by a fifth from the next.

Also (issue 25): the demo RAA (params/raa-demo.yaml) built in one run with its four members,
against its members' batch alone, in seconds and CPU core-seconds (``--only raa``).

Also (issue 22): an LA near the kit's caps on rows read (``inputs/limits.py``), the
~100,000-episode LA written three times over, reported with its peak memory (``--only
largest``).

Targets, once installed: the demo report under 15 s and within 1.3 x the floor, the
5,000-children LA under 30 s, 153 LAs within 10 minutes under 4 GiB, preparing ~100,000 episodes
under 2 s, the LA near the caps under 2.5 GiB.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
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


def median_of(n: int, fn: Callable[[], Any], *, own_time: bool = False
              ) -> tuple[float, str, Any]:
    """The median seconds of ``n`` runs of ``fn``, a note of the spread, and the last result
    (``own_time``: ``fn`` returns the seconds it measured itself). One run on this machine
    varies by a fifth from the next; the ratios compare medians."""
    runs, out = [], None
    for _ in range(n):
        s, out = timed(fn)
        runs.append(out if own_time else s)
    runs.sort()
    med = runs[len(runs) // 2] if n % 2 else (runs[n // 2 - 1] + runs[n // 2]) / 2
    note = f"median of {n} runs ({runs[0]:.1f}-{runs[-1]:.1f} s)" if n > 1 else ""
    return med, note, out


def machine_speed() -> float:
    """Seconds for a fixed loop of plain Python in a fresh interpreter (the best of three):
    timed at the start and the end of the bench, it shows whether the machine's own speed
    changed while the bench ran (on a shared host it can, by a fifth within minutes)."""
    code = "s = 0\nfor i in range(5_000_000):\n    s += i\n"
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        runs.append(time.perf_counter() - t0)
    return min(runs)


def cold_prepare(params_file: str) -> Any:
    """Prepare an LA as a new process would: with the reading's cache of date texts empty
    (the bench's own earlier runs fill it with the same dates)."""
    from diagnostic_kit.inputs import values
    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.prepare import prepare_la

    values._DATES._reset()
    return prepare_la(load_params(params_file))


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


@functools.cache
def _shell() -> Any:
    """The in-process IPython shell of the floor: one for every run (a shell is a singleton of
    its class, so the class is made once)."""
    from IPython.core.interactiveshell import InteractiveShell

    class Shell(InteractiveShell):
        def enable_gui(self, gui: str | None = None) -> None:
            """``%matplotlib inline`` needs no event loop; figures render to PNG on display."""

    return Shell.instance()


def floor(params_file: str, work: Path) -> float:
    """Seconds to prepare the LA and run every section notebook's code in this process."""
    import matplotlib
    import nbformat

    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.plan import discover_sections
    from diagnostic_kit.run.prepare import prepare_la

    matplotlib.use("agg")
    shell = _shell()
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


def assembly(params_file: str, peer: Path, work: Path) -> float:
    """Seconds to assemble the report in this process from the peer's executed notebooks and
    section outputs: every section rendered to HTML (nbconvert), the pages, metrics.json,
    tables.xlsx, data_quality.csv and internal/pseudonym_key.csv
    (``assemble.build_outputs``), as the runner does. With :func:`floor`, the same work as a
    report, without kernels."""
    from diagnostic_kit.run import assemble, plan

    run = plan.plan_runs([params_file], work)[0]
    run.build_dir = work / "build"
    shutil.copytree(peer / "notebooks", run.build_dir / "notebooks")
    shutil.copytree(peer / "out", run.build_dir / ".work")
    run.prep_dir = work / "prep"
    run.prep_dir.mkdir()
    shutil.copyfile(peer / "la.pkl", run.prepared)
    notebooks = plan.discover_sections()
    run.sections = [plan.SectionResult(key=nb.stem, notebook=nb.name, status="ok")
                    for nb in notebooks]
    t0 = time.perf_counter()
    assemble.build_outputs(run, notebooks)
    return time.perf_counter() - t0


def plain_papermill(params_file: str, work: Path) -> float:
    """The peer: prepare the LA, then every section notebook with papermill in a cold kernel of
    its own, one after another (what a user would do without the kit's runner)."""
    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run import kernels, plan
    from diagnostic_kit.run.prepare import prepare_la

    t0 = time.perf_counter()
    la = prepare_la(load_params(params_file))
    pkl = work / "la.pkl"
    work.mkdir(parents=True, exist_ok=True)
    la.save(pkl)
    for nb in plan.discover_sections():
        res = kernels.execute_section(nb, work / "notebooks" / nb.name, {
            "params_file": params_file, "prepared": str(pkl), "output_dir": str(work / "out")})
        if res.failed:
            raise SystemExit(f"{nb.name} failed under plain papermill: {res.error}")
    return time.perf_counter() - t0


def realistic_sizes(n: int, seed: int = 153) -> list[int]:
    """Looked-after sizes of ``n`` LAs, spread as English LAs are: log-uniform from 50 to 2,000
    (a few tiny LAs, most a few hundred, a few very large)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [int(round(x)) for x in np.exp(rng.uniform(np.log(50), np.log(2000), n))]


def batch_las(n: int) -> list[Path]:
    """``n`` synthetic LAs of realistic spread (kept in build/bench-las/ and reused)."""
    root = ROOT / "build" / "bench-las"
    files = []
    for i, size in enumerate(realistic_sizes(153)[:n]):
        name = f"la{i:03d}_{size}"
        params = root / f"{name}.yaml"
        if not params.exists():
            make_synthetic(root, name, size=size, seed=1000 + i)
            text = params.read_text(encoding="utf-8")
            region = ["North West", "South West", "London", "West Midlands"][i % 4]
            params.write_text(text + f"region: {region}\n", encoding="utf-8")
        files.append(params)
    return files


def at_the_caps(root: Path, params: Path, times: int) -> tuple[Path, int, int]:
    """A synthetic LA's 903 returns written ``times`` over, each copy's children given their own
    ids (its local extracts as they are): an LA near the kit's caps on rows read
    (``inputs/limits.py``). Returns its params file, its 903 rows and its episode rows."""
    import pandas as pd

    from diagnostic_kit.inputs import limits
    from diagnostic_kit.inputs.params import load_params

    src = load_params(params).data_dir
    dst = root / "data" / "largest"
    shutil.copytree(src / "local", dst / "local", dirs_exist_ok=True)
    rows = episodes = 0
    for f in sorted((src / "903").glob("*/*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        out = pd.concat([df.assign(CHILD="X" + str(i) + df["CHILD"]) for i in range(times)])
        (dst / "903" / f.parent.name).mkdir(parents=True, exist_ok=True)
        out.to_csv(dst / "903" / f.parent.name / f.name, index=False)
        rows += len(out)
        episodes += len(out) if f.stem == "episodes" else 0
    if episodes > limits.MAX_EPISODES or rows > limits.MAX_903_ROWS:
        raise SystemExit(f"The bench's largest LA ({episodes:,} episodes, {rows:,} rows) is over "
                         "the kit's caps: write the LA fewer times over.")
    out_params = root / "largest.yaml"
    text = params.read_text(encoding="utf-8")
    out_params.write_text(text.replace("data/huge", "data/largest")
                          .replace("Bench huge", "Bench largest"), encoding="utf-8")
    return out_params, rows, episodes


def timed_cli_with_memory(*args: str) -> tuple[float, float]:
    """Seconds and peak memory (GiB: resident memory of the command and all its kernels,
    sampled every 0.2 s) of a command run as a user would."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "diagnostic_kit", *args], cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    parent = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [parent, *parent.children(recursive=True)]
            rss = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"adoption-diagnostic {' '.join(args)} failed:\n{proc.stderr.read()}")
    return seconds, peak / 2**30


def cli_cpu(*args: str) -> tuple[float, float]:
    """Seconds and CPU core-seconds (the command's and every kernel's it started and waited
    for) of a command run as a user would."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    s, _ = timed(lambda: cli(*args))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return s, cpu


def raa_case(work: Path, repeat: int) -> dict[str, Any]:
    """The demo RAA (params/raa-demo.yaml, four members of 120 to 700 children) built in one
    run with its members, against its members' batch alone: each ``repeat`` times, in turn
    (so a change in the machine's speed falls on both), ``--jobs 2``. Medians of the seconds
    and of the CPU core-seconds."""
    from diagnostic_kit.inputs.params import load_raa
    from diagnostic_kit.run.prepare import ensure_raa_synthetic, ensure_synthetic_data

    raa = load_raa(ROOT / "params" / "raa-demo.yaml")
    for m in raa.members:  # first use only: not timed
        ensure_synthetic_data(m)
    ensure_raa_synthetic(raa)
    members = [str(m.source_file) for m in raa.members]
    got: dict[str, list[tuple[float, float]]] = {"members": [], "raa": []}
    for i in range(repeat):
        got["members"].append(cli_cpu("run", *members, "--jobs", "2", "--out",
                                      str(work / f"members{i}")))
        got["raa"].append(cli_cpu("run", str(raa.params.source_file), "--jobs", "2", "--out",
                                  str(work / f"raa{i}")))
    bad = failures(work / "raa0")

    def med(xs: list[float]) -> float:
        xs = sorted(xs)
        return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2

    out = {k: (med([a for a, _ in v]), med([b for _, b in v]),
               f"{min(a for a, _ in v):.1f}-{max(a for a, _ in v):.1f} s") for k, v in got.items()}
    out["failed"] = bad
    return out


def failures(out: Path) -> str:
    """What failed in a batch written to ``out`` (from each LA's run.json): "" when nothing.
    A batch with a failed section did less work, so its time is not a fair figure."""
    bad = []
    for f in sorted(out.glob("*/run.json")):
        run = json.loads(f.read_text(encoding="utf-8"))
        failed = [s["key"] for s in run.get("sections", []) if s.get("status") != "ok"]
        if run.get("status") != "ok" or failed:
            bad.append(f"{run.get('la', f.parent.name)}: {run.get('status')}"
                       + (f" ({', '.join(failed)})" if failed else ""))
    return "; ".join(bad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", type=int, default=5000, help="children in the large LA")
    ap.add_argument("--batch", type=int, default=20,
                    help="LAs in the batch run and projected to 153 (default 20)")
    ap.add_argument("--national", action="store_true",
                    help="run the whole batch of 153 LAs (make bench-national)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of the floor, the demo report and the large prepare; the median "
                         "is reported (default 3)")
    parts = ("demo", "big", "huge", "largest", "batch", "raa", "findings")
    ap.add_argument("--only", default=",".join(parts),
                    help=f"comma-separated parts to time (default all: {','.join(parts)}); "
                         "demo is the floor, the peer and the demo report")
    args = ap.parse_args()
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if only - set(parts):
        ap.error(f"--only: unknown part(s) {', '.join(sorted(only - set(parts)))}")

    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.run.prepare import ensure_synthetic_data, prepare_la

    tmp = Path(tempfile.mkdtemp(prefix="adk-bench-"))
    rows: list[tuple[str, float, str]] = []
    ratios: list[tuple[str, float, float | None, float | None]] = []

    def record(what: str, seconds: float, note: str = "") -> None:
        target = TARGETS.get(what)
        verdict = "" if target is None else (f"target < {target:.0f} s: "
                                             + ("met" if seconds < target else "MISSED"))
        rows.append((what, seconds, "; ".join(x for x in (note, verdict) if x)))
        print(f"  {what}: {seconds:.1f} s {verdict}", flush=True)

    demo_params = str(ROOT / "params" / "demo.yaml")
    speed = machine_speed()
    record("machine speed at the start: a fixed loop of plain Python", speed,
           f"{speed:.2f} s; the same loop is timed at the end")
    try:
        demo = load_params("demo")
        if not demo.data_dir.is_dir():
            s, _ = timed(lambda: ensure_synthetic_data(demo))
            record("generate the demo LA's data (first use only)", s)
        s, _ = timed(lambda: prepare_la(load_params("demo")))
        record("prepare the demo LA's data (load, validate, derive)", s)
        cli("run", "demo", "--out", str(tmp / "warmup"))  # warm the file cache once

        if args.national:
            files = batch_las(153)
            s, peak = timed_cli_with_memory("run", *map(str, files), "--jobs", "2", "--out",
                                            str(tmp / "national"))
            bad = failures(tmp / "national")
            record("153 synthetic LAs (national batch), --jobs 2", s,
                   f"peak memory {peak:.2f} GiB; target < 600 s and < 4 GiB: "
                   + ("met" if s < 600 and peak < 4 and not bad else "MISSED")
                   + (f"; FAILED, so not a fair time: {bad}" if bad else ""))
            end = machine_speed()
            record("machine speed at the end: the same loop", end,
                   f"{end:.2f} s, {end / speed:.2f} x the start's")
            return

        fl = peer = 0.0
        if "demo" in only:
            fl, note, _ = median_of(args.repeat, lambda: floor(demo_params, tmp / "floor"),
                                  own_time=True)
            record("floor: demo, every section in one process, no kernels", fl, note)
            peer = plain_papermill(demo_params, tmp / "peer")
            record("peer: plain papermill, a cold kernel per notebook, one after another", peer)
            asm = assembly(demo_params, tmp / "peer", tmp / "assembly")
            record("assembly: the report and its files from those notebooks, in one process",
                   asm)
            same = fl + asm
            record("floor + assembly: the same work as a report, no kernels", same)
            s, note, _ = median_of(args.repeat,
                                   lambda: cli("run", "demo", "--out", str(tmp / "reports")))
            record("demo report", s, f"{note + '; ' if note else ''}{os.cpu_count()} jobs, "
                   "warm kernels; "
                   f"target <= 1.3 x floor: {'met' if s <= 1.3 * fl else 'MISSED'} "
                   f"({s / fl:.2f} x); x floor + assembly: {s / same:.2f}")
            ratios.append(("demo report (fast path)", s, s / fl, s / peer))
            ratios.append(("  against floor + assembly", s, s / same, None))
            s, _ = timed(lambda: cli("run", "demo", "--plain", "--out", str(tmp / "plain")))
            record("demo report, --plain (a cold kernel per notebook, in parallel)", s)
            ratios.append(("demo report (--plain)", s, s / fl, s / peer))

        if "big" in only:
            big = make_synthetic(tmp, "big", size=args.big, seed=11)
            s, _ = timed(lambda: cli("run", str(big), "--out", str(tmp / "reports")))
            record(f"{args.big:,}-children LA report", s)

        if "huge" in only:
            # About 100,000 episodes over six returns.
            huge = make_synthetic(tmp, "huge", size=17000, seed=12)
            s, note, la = median_of(args.repeat, lambda: cold_prepare(str(huge)))
            record("prepare an LA of ~100,000 episodes (17,000 looked after a year)", s,
                   f"{note + '; ' if note else ''}{len(la.episodes):,} episodes, "
                   f"{int(la.dq.accounting['rows_read'].sum()):,} input rows; "
                   f"target < 2 s: {'met' if s < 2 else 'MISSED'}")
            del la

        if "largest" in only:
            # The most the kit reads (inputs/limits.py): the ~100,000-episode LA three times over.
            huge = tmp / "huge.yaml"
            if not huge.exists():
                make_synthetic(tmp, "huge", size=17000, seed=12)
            largest, n_rows, n_episodes = at_the_caps(tmp, huge, 3)
            s, peak = timed_cli_with_memory("run", str(largest), "--jobs", "2", "--out",
                                            str(tmp / "largest"))
            bad = failures(tmp / "largest")
            record("an LA near the kit's caps, report, --jobs 2", s,
                   f"{n_episodes:,} episode rows, {n_rows:,} rows of 903 returns; peak memory "
                   f"{peak:.2f} GiB; target < 2.5 GiB: "
                   + ("met" if peak < 2.5 and not bad else "MISSED")
                   + (f"; FAILED, so not a fair figure: {bad}" if bad else ""))

        if "batch" in only:
            files = batch_las(args.batch)
            sizes = [int(f.stem.rsplit("_", 1)[1]) for f in files]
            s, peak = timed_cli_with_memory("run", *map(str, files), "--jobs", "2", "--out",
                                            str(tmp / "batch"))
            bad = failures(tmp / "batch")
            # The batch's LAs are the first of the 153 drawn. Projected two ways, per LA and
            # per looked-after child; the larger is reported.
            all_sizes = realistic_sizes(153)
            per_la = s / len(files)
            projected = max(per_la * 153, s * sum(all_sizes) / sum(sizes))
            record(f"{len(files)} synthetic LAs (sizes {min(sizes)}-{max(sizes)}), --jobs 2", s,
                   f"peak memory {peak:.2f} GiB"
                   + (f"; FAILED, so not a fair time: {bad}" if bad else ""))
            record("153 LAs, projected from that batch (per LA or per child, the larger)",
                   projected, "target < 600 s and peak < 4 GiB: "
                   + ("met" if projected < 600 and peak < 4 and not bad else "MISSED"))
            if fl and peer:
                ratios.append((f"{len(files)}-LA batch, per LA", per_la, per_la / fl,
                               per_la / peer))

        if "raa" in only:
            r = raa_case(tmp / "raa", args.repeat)
            (ms, mc, mr), (rs, rc, rr) = r["members"], r["raa"]
            record("the demo RAA's 4 members alone (120-700 children), --jobs 2", ms,
                   f"median of {args.repeat} ({mr}); {mc:.1f} core-seconds")
            record("the demo RAA and its 4 members in one run, --jobs 2", rs,
                   f"median of {args.repeat} ({rr}); {rc:.1f} core-seconds; "
                   f"{rs / ms:.2f} x the members alone ({rc / mc:.2f} x their CPU)"
                   + (f"; FAILED, so not a fair time: {r['failed']}" if r["failed"] else ""))
            if fl and peer:
                ratios.append(("RAA and members, one run", rs, rs / fl, rs / peer))

        if "findings" in only:
            s, note = findings_at_scale(tmp / "findings")
            record("1,000,000 findings: section 8's tables and data_quality.csv", s, note)
        end = machine_speed()
        record("machine speed at the end: the same loop", end,
               f"{end:.2f} s, {end / speed:.2f} x the start's (more than a few per cent either "
               "way: the machine's own speed changed during the bench)")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        width = max([len(r[0]) for r in rows] or [10])
        print(f"\nadoption-diagnostic bench on {platform.node()} "
              f"({os.cpu_count()} cores, Python {platform.python_version()})\n")
        print(f"{'what':<{width}}  {'seconds':>8}  notes")
        print(f"{'-' * width}  {'-' * 8}  -----")
        for what, seconds, note in rows:
            print(f"{what:<{width}}  {seconds:>8.1f}  {note}")
        if ratios:
            print(f"\n{'figure':<32}  {'seconds':>8}  {'x floor':>8}  {'x peer':>8}")
            for what, seconds, xf, xp in ratios:
                shown = "" if xp is None else f"{xp:.2f}"
                print(f"{what:<32}  {seconds:>8.1f}  {xf:>8.2f}  {shown:>8}")
        out = ROOT / "build" / "bench.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({
            "when": time.strftime("%Y-%m-%d %H:%M"),
            "rows": [{"what": w, "seconds": round(s, 2), "note": n} for w, s, n in rows],
            "ratios": [{"what": w, "seconds": round(s, 2), "x_floor": round(a, 3),
                        "x_peer": None if b is None else round(b, 3)}
                       for w, s, a, b in ratios]}, indent=1),
            encoding="utf-8")
        print(f"\n(written to {out.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
