"""Running the section notebooks for one or many LAs and assembling each LA's report.

A run validates every params file first, then per LA: prepares the LA's data once
(``prepare.prepare_la``, pickled to ``.prepared/la.pkl``), executes each section notebook
(``notebooks/NN_*.ipynb``, in parallel, one kernel per section) with the papermill parameters
``params_file``, ``prepared`` and ``output_dir``, and assembles ``report.html`` and the files next
to it (``assemble.build_outputs``). Each LA's report is built in a temporary folder and renamed
into ``<out>/<la>/`` at the end, so an interrupted run never leaves a partial report.

Kernels talk to the runner over local IPC (Unix domain) sockets, never TCP. A section that
raises, whose kernel dies, or whose cell runs past the timeout is recorded as failed; the report
still builds, with a box where that section would be.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diagnostic_kit import resources
from diagnostic_kit.inputs.params import Params, load_params

NOTEBOOKS_DIR = resources.notebooks_dir()
REPORTS_DIR = resources.default_reports_dir()
#: Section notebooks: two digits, an underscore, a name. Globbed so new sections are picked up.
SECTION_GLOB = "[0-9][0-9]_*.ipynb"
DEFAULT_TIMEOUT = 600
KERNEL_NAME = "python3"

Echo = Callable[[str], None]


def default_jobs() -> int:
    """Parallel section notebooks by default: one per core."""
    return max(1, os.cpu_count() or 1)


def discover_sections(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Section notebooks ``NN_*.ipynb`` in ``notebooks_dir``, in section order."""
    return sorted(p for p in Path(notebooks_dir).glob(SECTION_GLOB) if p.is_file())


@dataclass
class SectionResult:
    """How one section notebook ran. ``status`` is ``ok`` or ``failed``."""

    key: str
    notebook: str
    status: str = "pending"
    seconds: float = 0.0
    started: str | None = None
    finished: str | None = None
    error_type: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status != "ok"


@dataclass
class LARun:
    """One LA's run: where it is built, how each section went, and the outcome."""

    name: str
    params_file: Path
    params: Params
    out_dir: Path
    build_dir: Path
    sections: list[SectionResult] = field(default_factory=list)
    #: ``ok``, ``sections_failed`` (report built, some sections missing) or ``failed``
    #: (no report: the data could not be prepared or the report could not be written).
    status: str = "pending"
    error: str | None = None
    started: str | None = None
    finished: str | None = None
    report: Path | None = None
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def failed_sections(self) -> list[SectionResult]:
        return [s for s in self.sections if s.failed]


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- kernels ------------------------------------------------------------------------------------


_IPC_DIR: Path | None = None
#: Kernel processes this process started, so an interrupted run can stop them at once.
_KERNELS: set[Any] = set()
_KERNELS_LOCK = threading.Lock()


def kill_kernels() -> None:
    """Kill every kernel this process started that is still running."""
    with _KERNELS_LOCK:
        procs = list(_KERNELS)
        _KERNELS.clear()
    for proc in procs:
        if proc.poll() is None:
            proc.kill()


def _ipc_dir() -> Path:
    """A private folder (mode 700) for this process's kernel sockets, removed at exit.

    Short, under the system temp folder: a Unix socket path must stay under ~100 bytes.
    """
    global _IPC_DIR
    if _IPC_DIR is None:
        import atexit
        import tempfile

        _IPC_DIR = Path(tempfile.mkdtemp(prefix="adk-ipc-"))
        atexit.register(shutil.rmtree, _IPC_DIR, True)
    return _IPC_DIR


def ipc_kernel_manager_class(kernel_log: Path | None = None) -> type:
    """An AsyncKernelManager whose kernels use IPC (Unix socket) transport instead of TCP.

    Passed to nbclient as ``kernel_manager_class`` through papermill's engine keyword arguments.
    The socket files sit next to the kernel's connection file in Jupyter's runtime folder. The
    kernel process's own stdout/stderr (its logging, not the notebook's output, which travels
    over the sockets) go to ``kernel_log`` rather than the terminal.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _ip_default(self) -> str:
            # jupyter_client's default is a path relative to the working directory
            # ("kernel-ipc-N"), which parallel kernels share and a crashed kernel leaves behind.
            return str(_ipc_dir() / f"k{secrets.token_hex(6)}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if kernel_log is None or "stderr" in kw:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            else:
                kernel_log.parent.mkdir(parents=True, exist_ok=True)
                with open(kernel_log, "ab") as fh:  # the child keeps its own copy
                    kw["stdout"] = kw["stderr"] = fh
                    await super()._async_launch_kernel(kernel_cmd, **kw)
            proc = getattr(self.provisioner, "process", None)
            if proc is not None:
                with _KERNELS_LOCK:
                    for done in [p for p in _KERNELS if p.poll() is not None]:
                        _KERNELS.discard(done)
                    _KERNELS.add(proc)

    return IPCKernelManager


def _quiet_papermill() -> None:
    """papermill/nbclient log each fault as a warning; the runner reports it in one line."""
    import logging

    for name in ("papermill", "traitlets"):
        logging.getLogger(name).addHandler(logging.NullHandler())
        logging.getLogger(name).propagate = False


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(error type, one-line message) for a failed notebook: no traceback."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return exc.ename, _first_line(exc.evalue) or exc.ename
    if isinstance(exc, CellTimeoutError):
        return "Timeout", _first_line(str(exc)) or "A cell ran past the time limit."
    if isinstance(exc, DeadKernelError):
        return "KernelDied", ("The notebook's kernel stopped unexpectedly "
                              "(it crashed or was killed).")
    if isinstance(exc, TimeoutError | RuntimeError) and "kernel" in str(exc).lower():
        return "KernelDied", _first_line(str(exc))
    return type(exc).__name__, _first_line(str(exc)) or type(exc).__name__


def execute_section(
    notebook: Path,
    executed: Path,
    parameters: dict[str, Any],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    cwd: Path | None = None,
) -> SectionResult:
    """Execute one notebook with papermill into ``executed``; never raises on notebook faults.

    ``timeout`` is per cell, in seconds. The kernel starts in ``cwd`` (the notebook's folder by
    default) without changing the runner's own working directory, which threads share.
    """
    import papermill as pm

    _quiet_papermill()
    result = SectionResult(key=notebook.stem, notebook=notebook.name, started=_now())
    t0 = time.perf_counter()
    executed.parent.mkdir(parents=True, exist_ok=True)
    kernel_log = executed.with_name(f".{notebook.stem}.kernel.log")
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            # The notebook is saved by then: no need to wait for a polite kernel exit.
            shutdown_kernel="immediate",
            kernel_manager_class=ipc_kernel_manager_class(kernel_log),
            resources={"metadata": {"path": str(cwd or notebook.parent)}},
        )
        result.status = "ok"
    except Exception as exc:  # any fault in a section is reported, never fatal to the run
        result.status = "failed"
        result.error_type, result.error = describe_failure(exc)
    if kernel_log.exists() and kernel_log.stat().st_size == 0:
        kernel_log.unlink()
    if executed.exists():
        portable_parameters(executed)
    result.seconds = round(time.perf_counter() - t0, 2)
    result.finished = _now()
    return result


def portable_parameters(executed: Path) -> None:
    """Blank the run's own paths in an executed notebook's injected parameters.

    ``prepared`` and ``output_dir`` point into the run's temporary build folder, which is gone
    once the report is in place; blanked, the executed notebook re-runs by hand from its
    ``params_file``.
    """
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            lines = [
                f'{name} = ""' if (name := line.split("=", 1)[0].strip()) in
                ("prepared", "output_dir") else line
                for line in cell.source.splitlines()
            ]
            cell.source = "\n".join(lines)
    nbformat.write(nb, executed)


# -- a run ----------------------------------------------------------------------------------------


class Progress:
    """One line per LA step and section start/finish, safe to call from worker threads."""

    def __init__(self, echo: Echo | None = None) -> None:
        self._echo = echo or (lambda line: print(line, flush=True))
        self._lock = threading.Lock()

    def __call__(self, la: str, what: str) -> None:
        with self._lock:
            self._echo(f"[{la}] {what}")


def plan_runs(params_files: Sequence[str | Path], out_root: Path) -> list[LARun]:
    """Load and check every params file before anything runs (raises ParamsError).

    The LA's folder name is the params file's stem; two params files with the same stem would
    overwrite each other's report, so that is refused.
    """
    from diagnostic_kit.inputs.params import ParamsError

    runs: list[LARun] = []
    for pf in params_files:
        params = load_params(pf)
        name = params.slug
        if any(r.name == name for r in runs):
            raise ParamsError(
                f"Two params files are named '{name}': their reports would share "
                f"{out_root / name}; rename one."
            )
        build = out_root / f".building-{name}-{secrets.token_hex(4)}"
        runs.append(LARun(name=name, params_file=Path(params.source_file or pf), params=params,
                          out_dir=out_root / name, build_dir=build))
    return runs


def _prepare(run: LARun, progress: Progress) -> bool:
    """Prepare the LA's data once and pickle it for the notebooks. False if it cannot be used."""
    from diagnostic_kit.inputs.reading import InputError
    from diagnostic_kit.run.prepare import prepare_la

    t0 = time.perf_counter()
    progress(run.name, "preparing data")
    try:
        la = prepare_la(run.params)
    except Exception as exc:  # one LA that cannot be read must not stop the others
        why = str(exc) if isinstance(exc, InputError) else (
            f"its data could not be prepared: {type(exc).__name__}: {_first_line(str(exc))}")
        run.status, run.error = "failed", why
        progress(run.name, f"FAILED: {why}")
        return False
    run.build_dir.mkdir(parents=True, exist_ok=True)
    la.save(run.build_dir / ".prepared" / "la.pkl")
    run.checksums = dict(la.dq.checksums)
    progress(run.name, f"data prepared in {time.perf_counter() - t0:.1f} s")
    return True


def _section_task(
    run: LARun, notebook: Path, timeout: float | None, progress: Progress
) -> SectionResult:
    progress(run.name, f"{notebook.stem} started")
    params = {
        "params_file": str(run.params_file),
        "prepared": str(run.build_dir / ".prepared" / "la.pkl"),
        "output_dir": str(run.build_dir / ".work"),
    }
    res = execute_section(notebook, run.build_dir / "notebooks" / notebook.name, params,
                          timeout=timeout)
    if res.failed:
        progress(run.name, f"{res.key} FAILED after {res.seconds:.1f} s: {res.error_type}: "
                           f"{res.error}")
    else:
        progress(run.name, f"{res.key} finished in {res.seconds:.1f} s")
    return res


def _swap_into_place(build: Path, final: Path) -> None:
    """Replace ``final`` by ``build`` with renames, so no half-written report is ever visible."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{secrets.token_hex(4)}")
        final.rename(old)
    build.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _finish(run: LARun, notebooks: list[Path], progress: Progress) -> None:
    """Assemble the report in the build folder and move it into place."""
    from diagnostic_kit.run import assemble

    try:
        assemble.build_outputs(run, notebooks)
        run.status = "sections_failed" if run.failed_sections else "ok"
        run.finished = _now()
        assemble.write_run_json(run)
        shutil.rmtree(run.build_dir / ".work", ignore_errors=True)
        # The prepared data holds the LA's own ids and dates of birth: never leave it beside
        # a report that may be shared.
        shutil.rmtree(run.build_dir / ".prepared", ignore_errors=True)
        _swap_into_place(run.build_dir, run.out_dir)
        run.report = run.out_dir / "report.html"
        run.build_dir = run.out_dir
        progress(run.name, f"report: {run.report}")
    except Exception as exc:  # the report could not be written: say so, keep other LAs going
        run.status, run.error = "failed", f"the report could not be assembled: {exc}"
        progress(run.name, f"FAILED: {run.error}")
        shutil.rmtree(run.build_dir, ignore_errors=True)


def run_reports(
    params_files: Sequence[str | Path],
    *,
    out_root: str | Path = REPORTS_DIR,
    jobs: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    echo: Echo | None = None,
) -> list[LARun]:
    """Build the report of every LA named by ``params_files``; returns each LA's run.

    All params are checked first (ParamsError before any notebook runs). Data is prepared one LA
    at a time in this thread while earlier LAs' sections run in ``jobs`` worker threads, each
    driving one kernel; an LA's report is assembled as soon as its sections are done.
    """
    out_root = Path(out_root).resolve()
    notebooks = discover_sections(notebooks_dir)
    progress = Progress(echo)
    runs = plan_runs(params_files, out_root)
    if not notebooks:
        raise FileNotFoundError(f"No section notebooks (NN_name.ipynb) in {notebooks_dir}.")
    out_root.mkdir(parents=True, exist_ok=True)
    pending: list[tuple[LARun, list[Future[SectionResult]]]] = []
    pool = ThreadPoolExecutor(max_workers=jobs or default_jobs(), thread_name_prefix="section")
    try:
        for run in runs:
            run.started = _now()
            if not _prepare(run, progress):
                continue
            futs = [pool.submit(_section_task, run, nb, timeout, progress) for nb in notebooks]
            pending.append((run, futs))
        for run, futs in pending:
            run.sections = [f.result() for f in futs]
            _finish(run, notebooks, progress)
    except BaseException:
        # Interrupted: drop queued sections, stop running kernels, remove half-built folders.
        pool.shutdown(wait=False, cancel_futures=True)
        kill_kernels()
        pool.shutdown(wait=True)
        for run in runs:
            if run.build_dir.name.startswith(".building-"):
                shutil.rmtree(run.build_dir, ignore_errors=True)
        raise
    pool.shutdown(wait=True)
    return runs


def summarise(runs: Sequence[LARun]) -> tuple[int, list[str]]:
    """Exit code and closing lines for a run: 0 all built, 1 a section failed, 2 an LA failed."""
    lines: list[str] = []
    code = 0
    for run in runs:
        if run.status == "failed":
            code = 2
            lines.append(f"{run.name}: no report: {run.error}")
            continue
        for s in run.failed_sections:
            code = max(code, 1)
            lines.append(f"{run.name}: section {s.key} failed: {s.error_type}: {s.error}")
    return code, lines


def python_version() -> str:
    return sys.version.split()[0]
