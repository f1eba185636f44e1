"""Issue 8, item 8: nothing personal outlives a run.

The prepared data (children's ids and dates of birth) lives in a private temporary folder
outside the reports tree and is removed on success, failure, SIGINT and SIGTERM; what a run
killed outright leaves behind is removed by the next run; kernel files are cleaned.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from diagnostic_kit.run import private, runner

ROOT = Path(__file__).resolve().parents[1]
DEAD = "4194305x1"  # above Linux's largest pid: never a live process


@pytest.fixture()
def short_tmp():
    """A short private temp root (Unix socket paths must stay under ~100 bytes)."""
    d = Path(tempfile.mkdtemp(prefix="adkt-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def leftovers(tmp: Path, out: Path, runtime: Path) -> list[Path]:
    found = [*tmp.glob(f"{private.PREP_PREFIX}*"), *tmp.glob(f"{private.IPC_PREFIX}*"),
             *out.glob(f"{private.BUILD_PREFIX}*"), *runtime.glob("kernel-*.json"),
             *tmp.glob("*.json")]
    found += [*tmp.rglob("*.pkl"), *out.rglob("*.pkl")]
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_run_leaves_nothing_personal(short_tmp: Path, sig: signal.Signals):
    tmp, out, runtime = short_tmp / "tmp", short_tmp / "out", short_tmp / "runtime"
    tmp.mkdir()
    runtime.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(runtime),
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "diagnostic_kit", "run", "demo", "--out", str(out), "--jobs", "2"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        pkl: list[Path] = []
        while time.monotonic() < deadline and proc.poll() is None:
            pkl = list(tmp.glob(f"{private.PREP_PREFIX}*/la.pkl"))
            if pkl:
                break
            time.sleep(0.05)
        assert pkl, "the prepared data never appeared"
        # Private: the folder 0700, the file 0600, outside the reports tree.
        assert stat.S_IMODE(pkl[0].parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(pkl[0].stat().st_mode) == 0o600
        assert not pkl[0].is_relative_to(out)
        # Let the kernels start, so their files are there to be cleaned.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 20 and not list(
                tmp.glob(f"{private.IPC_PREFIX}*/kernel-*.json")):
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be interrupted"
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert re.fullmatch(r"adoption-diagnostic: [^.]+\.", lines[0]), lines[0]
    assert leftovers(tmp, out, runtime) == []
    assert not (out / "demo" / "report.html").exists()
    # No kernel of the run is left running.
    time.sleep(0.5)
    kernels = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(tmp).encode() in cmdline.read_bytes():
                kernels.append(cmdline.parent.name)
        except OSError:
            continue
    assert kernels == []


def test_next_run_removes_what_a_killed_run_left(short_tmp: Path, monkeypatch, make_notebook,
                                                 tiny_la):
    tmp, out, runtime = short_tmp / "tmp", short_tmp / "out", short_tmp / "runtime"
    for d in (tmp, out, runtime):
        d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    # What a run killed with SIGKILL leaves: its build folder with the prepared data inside (an
    # older kit's layout, no owner in the name), a build folder and prep and socket folders of a
    # dead process, and its kernel's connection file.
    legacy = out / ".building-tiny-1a2b3c4d" / ".prepared"
    legacy.mkdir(parents=True)
    (legacy / "la.pkl").write_bytes(b"ids and dates of birth")
    dead_build = out / f".building-{DEAD}-0badcafe-tiny"
    dead_prep = tmp / f"{private.PREP_PREFIX}{DEAD}-abc"
    dead_ipc = tmp / f"{private.IPC_PREFIX}{DEAD}-abc"
    for d in (dead_build, dead_prep, dead_ipc):
        d.mkdir()
    (dead_prep / "la.pkl").write_bytes(b"x")
    conn = runtime / "kernel-dead.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(dead_ipc / "k123")}))
    # A live run's folders (this process's) and someone else's kernel are left alone.
    live_build = out / f".building-{private.owner_tag()}-0000beef-other"
    live_build.mkdir()
    other_conn = runtime / "kernel-other.json"
    other_conn.write_text(json.dumps({"transport": "tcp", "ip": "127.0.0.1"}))

    nb = make_notebook(short_tmp / "nbs" / "00_only.ipynb", "Only",
                       "import os\nprint(oct(os.stat(prepared).st_mode & 0o777))")
    runs = runner.run_reports([tiny_la()], out_root=out, notebooks_dir=nb.parent, jobs=1,
                              echo=lambda _: None)
    assert runs[0].report is not None, runs[0].error
    assert not legacy.parent.exists() and not dead_build.exists()
    assert not dead_prep.exists() and not dead_ipc.exists() and not conn.exists()
    assert live_build.exists() and other_conn.exists()
    # This run's own prepared data is gone too, and the executed notebook does not name it.
    assert not list(tmp.glob(f"{private.PREP_PREFIX}*"))
    executed = (out / "tiny" / "notebooks" / "00_only.ipynb").read_text(encoding="utf-8")
    assert "0o600" in executed and private.PREP_PREFIX not in executed
    assert 'prepared = \\"\\"' in executed


def test_prepared_data_removed_when_assembly_fails(short_tmp: Path, monkeypatch, make_notebook,
                                                   tiny_la):
    from diagnostic_kit.run import assemble

    monkeypatch.setattr(tempfile, "tempdir", str(short_tmp))

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(assemble, "build_outputs", boom)
    nb = make_notebook(short_tmp / "nbs" / "00_only.ipynb", "Only", "x = 1")
    out = short_tmp / "out"
    runs = runner.run_reports([tiny_la()], out_root=out, notebooks_dir=nb.parent, jobs=1,
                              echo=lambda _: None)
    assert runs[0].status == "failed"
    assert not list(short_tmp.glob(f"{private.PREP_PREFIX}*"))
    assert not list(out.glob(f"{private.BUILD_PREFIX}*"))



def test_a_signal_while_kernels_warm_up_ends_the_run_promptly(short_tmp: Path):
    """SIGTERM while the warm kernels are still starting (before any section runs): the run
    ends within seconds, not after a kernel timeout, and leaves nothing behind."""
    tmp, out, runtime = short_tmp / "tmp", short_tmp / "out", short_tmp / "runtime"
    tmp.mkdir()
    runtime.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(runtime)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "diagnostic_kit", "run", "demo", "--out", str(out), "--jobs", "2"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        # Wait for the first kernel's connection file: the pool is warming.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60 and not list(
                tmp.glob(f"{private.IPC_PREFIX}*/kernel-*.json")):
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        t1 = time.monotonic()
        _, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - t1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert took < 30, f"the run took {took:.0f} s to stop"
    assert "Traceback" not in stderr
    assert leftovers(tmp, out, runtime) == []


# Python reports the exception it drops in __del__ as an "unraisable" one: expected here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_signal_whose_exception_python_drops_still_stops_the_run():
    """A SIGTERM handled while the main thread runs a finaliser: Python reports the handler's
    exception and drops it ("Exception ignored in ..."), so the run would go on to build the
    report. The run remembers the signal and stops at its next step all the same."""

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs here, inside __del__
                pass

    with pytest.raises(private.Terminated, match="SIGTERM"), private.terminate_as_interrupt():
        obj = Finalised()
        del obj  # the Terminated raised inside __del__ is lost
        lost = True
        private.stop_requested()
        lost = False
    assert lost  # it was the remembered signal, not the handler's own exception, that stopped it
    # A new run starts with no signal remembered.
    with private.terminate_as_interrupt():
        private.stop_requested()
