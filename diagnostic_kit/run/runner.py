"""Running the section notebooks for one or many LAs and assembling each LA's report.

A run validates every params file first, then per LA: prepares the LA's data once
(``prepare.prepare_la``, pickled to ``la.pkl`` in a private temporary folder outside the reports
tree), executes each section notebook
(``notebooks/NN_*.ipynb``, in parallel, one kernel per section) with the papermill parameters
``params_file``, ``prepared`` and ``output_dir``, and assembles ``report.html`` and the files next
to it (``assemble.build_outputs``). Each LA's report is built in a temporary folder and renamed
into ``<out>/<la>/`` at the end, so an interrupted run never leaves a partial report.

Kernels talk to the runner over local IPC (Unix domain) sockets, never TCP. A section that
raises, whose kernel dies, or whose cell runs past the timeout is recorded as failed; the report
still builds, with a box where that section would be.

Nothing personal outlives a run. The prepared data (the LA's own child ids and dates of birth)
sits in a folder made by ``tempfile.mkdtemp`` (mode 0700, the file 0600) named
``adk-prep-<owner>-…``, where ``<owner>`` is this process's id and start time; it is removed once
the LA's report is assembled, and on failure, Ctrl-C, SIGTERM/SIGHUP (turned into
:class:`Terminated`, a KeyboardInterrupt, for the duration of :func:`run_reports`) and at exit.
Kernel connection files and the IPC socket folder are removed the same way. A run first removes
what an earlier run killed outright (SIGKILL, power cut) left behind: ``.building-*`` folders in
the output folder, and prep and socket folders and kernel connection files of ours whose owning
process is gone (:func:`remove_stale`).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import os
import pickle
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diagnostic_kit import resources
from diagnostic_kit.inputs.params import Params, load_params

NOTEBOOKS_DIR = resources.notebooks_dir()
REPORTS_DIR = resources.default_reports_dir()
DEFAULT_TIMEOUT = 600
KERNEL_NAME = "python3"

Echo = Callable[[str], None]


def default_jobs() -> int:
    """Parallel section notebooks by default: one per core."""
    return max(1, os.cpu_count() or 1)


def discover_sections(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The active sections' notebooks (``sections.yml``), in section order.

    A notebook the registry names but the folder lacks is an error naming it; a notebook in the
    folder that the registry does not name is not run.
    """
    from diagnostic_kit import registry

    paths = [Path(notebooks_dir) / s.notebook for s in registry.sections("active")]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"The section notebook{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"named in sections.yml {'are' if len(missing) > 1 else 'is'} not in {notebooks_dir}.")
    return paths


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
    #: The private temporary folder holding the prepared data, while it exists.
    prep_dir: Path | None = None
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

    @property
    def prepared(self) -> Path:
        """The prepared data (pickle) the section notebooks read."""
        if self.prep_dir is None:
            raise RuntimeError(f"{self.name}: the data has not been prepared")
        return self.prep_dir / "la.pkl"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


# -- private files: nothing personal outlives a run ----------------------------------------------

BUILD_PREFIX = ".building-"
PREP_PREFIX = "adk-prep-"
IPC_PREFIX = "adk-ipc-"
#: ``<pid>`` or ``<pid>x<start time>`` at the front of the names of our temporary folders.
_OWNER = re.compile(r"(\d+)(?:x(\d+))?-")


class Terminated(KeyboardInterrupt):
    """The run was asked to stop by a signal (SIGTERM, SIGHUP): handled as an interrupt, so the
    cleanup of an interrupted run applies."""


def _process_start(pid: int) -> str | None:
    """A process's start time (clock ticks since boot, Linux), so a reused pid is not taken for
    the process that made a folder; None where /proc does not say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_tag(pid: int | None = None) -> str:
    """``<pid>x<start time>`` (or ``<pid>``): who owns a temporary folder."""
    pid = os.getpid() if pid is None else pid
    start = _process_start(pid)
    return f"{pid}x{start}" if start else str(pid)


def owner_alive(tag: str) -> bool:
    """Whether the process a tag names (see :func:`owner_tag`) is still running."""
    m = re.fullmatch(r"(\d+)(?:x(\d+))?", tag)
    if not m:
        return False
    pid = int(m.group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        pass
    start = _process_start(pid)
    return m.group(2) is None or start is None or start == m.group(2)


#: Folders of this process removed at the latest when it exits (prepared data, build folders).
_PRIVATE: set[Path] = set()
#: Connection files of the kernels this process started.
_CONNECTION_FILES: set[Path] = set()
_PRIVATE_LOCK = threading.Lock()


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    with _PRIVATE_LOCK:
        _PRIVATE.discard(path)


def private_dir(prefix: str = PREP_PREFIX) -> Path:
    """A new private temporary folder (mode 0700) outside any reports tree, owned by this
    process (its id and start time in the name) and removed at exit at the latest."""
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{owner_tag()}-"))
    os.chmod(path, 0o700)
    with _PRIVATE_LOCK:
        _PRIVATE.add(path)
    return path


def save_private(obj: Any, path: Path) -> None:
    """Pickle ``obj`` to ``path``, readable by this user only (0600) from its first byte."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def remove_connection_files() -> None:
    """Remove the connection files of kernels this process started (a kernel shut down
    normally removes its own; a killed one does not)."""
    with _PRIVATE_LOCK:
        files = list(_CONNECTION_FILES)
        _CONNECTION_FILES.clear()
    for f in files:
        with contextlib.suppress(OSError):
            f.unlink()


def cleanup_private() -> None:
    """Stop our kernels and remove everything private this process made. Runs at exit."""
    kill_kernels()
    remove_connection_files()
    with _PRIVATE_LOCK:
        paths = list(_PRIVATE)
    for p in paths:
        _remove(p)


atexit.register(cleanup_private)


def _runtime_dir() -> Path | None:
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        return Path(jupyter_runtime_dir())
    except Exception:  # no Jupyter: no connection files either
        return None


def remove_stale(out_root: Path | None = None) -> list[Path]:
    """Remove what earlier runs left behind when killed outright; returns what was removed.

    In ``out_root``: every ``.building-*`` folder not owned by a live process (older kits' build
    folders carry no owner and are removed too). In the temp folder: our prep and socket folders
    whose owner is dead. In the temp folder and Jupyter's runtime folder: connection files of
    kernels whose sockets were in such a socket folder (this kit writes them inside its socket
    folder; older versions did not).
    """
    removed: list[Path] = []
    with _PRIVATE_LOCK:
        ours = set(_PRIVATE)
    if out_root is not None and Path(out_root).is_dir():
        for d in Path(out_root).glob(f"{BUILD_PREFIX}*"):
            m = _OWNER.match(d.name[len(BUILD_PREFIX):])
            if d in ours or (m and owner_alive(m.group(0)[:-1])):
                continue
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    tmp = Path(tempfile.gettempdir())
    dead_ipc: set[str] = set()
    for prefix in (PREP_PREFIX, IPC_PREFIX):
        for d in tmp.glob(f"{prefix}*"):
            m = _OWNER.match(d.name[len(prefix):])
            if d in ours or d == _IPC_DIR or not m or owner_alive(m.group(0)[:-1]):
                continue
            if prefix == IPC_PREFIX:
                dead_ipc.add(str(d))
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    runtime = _runtime_dir()
    candidates = [*tmp.glob("tmp*.json"), *tmp.glob("kernel-*.json")]
    if runtime is not None and runtime.is_dir():
        candidates += runtime.glob("kernel-*.json")
    for f in candidates:
        try:
            info = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(info, dict) or info.get("transport") != "ipc":
            continue
        folder = Path(str(info.get("ip", ""))).parent
        if not folder.name.startswith(IPC_PREFIX):
            continue
        m = _OWNER.match(folder.name[len(IPC_PREFIX):])
        if str(folder) in dead_ipc or not folder.is_dir() or (
                m and not owner_alive(m.group(0)[:-1])):
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f)
    return removed


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` (a KeyboardInterrupt) in the
    main thread, so ``finally`` blocks and the interrupted-run cleanup run. Elsewhere than the
    main thread signal handlers cannot be set: a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated(signal.Signals(signum).name)

    old = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, h in old.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, h)


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
    if _IPC_DIR is None or not _IPC_DIR.is_dir():
        _IPC_DIR = private_dir(IPC_PREFIX)
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

        @default("connection_file")
        def _connection_file_default(self) -> str:
            # jupyter_client's default is a tmpXXXX.json in the temp folder, left behind when
            # the kernel is killed; in the private socket folder it goes with the folder.
            return str(_ipc_dir() / f"kernel-{secrets.token_hex(6)}.json")

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
            if self.connection_file:
                with _PRIVATE_LOCK:
                    _CONNECTION_FILES.add(Path(self.connection_file))
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

    ``prepared`` and ``output_dir`` point into the run's private and build folders, which are
    gone once the report is in place; blanked (in the parameters cell and in papermill's
    metadata), the executed notebook re-runs by hand from its ``params_file`` and does not name
    where the prepared data was.
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
    # papermill keeps the parameters in the notebook's metadata too.
    recorded = nb.metadata.get("papermill", {}).get("parameters", {})
    for name in ("prepared", "output_dir"):
        if name in recorded:
            recorded[name] = ""
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
        # The owner in the name lets a later run tell a dead run's folder from a live one's.
        build = out_root / f"{BUILD_PREFIX}{owner_tag()}-{secrets.token_hex(4)}-{name}"
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
        run.checksums = dict(la.dq.checksums)
    except Exception as exc:  # one LA that cannot be read must not stop the others
        why = str(exc) if isinstance(exc, InputError) else (
            f"its data could not be prepared: {type(exc).__name__}: {_first_line(str(exc))}")
        run.status, run.error = "failed", why
        progress(run.name, f"FAILED: {why}")
        return False
    run.build_dir.mkdir(parents=True, exist_ok=True)
    with _PRIVATE_LOCK:
        _PRIVATE.add(run.build_dir)
    # The LA's own ids and dates of birth: outside the reports tree, this user only.
    run.prep_dir = private_dir(PREP_PREFIX)
    save_private(la, run.prepared)
    del la
    progress(run.name, f"data prepared in {time.perf_counter() - t0:.1f} s")
    return True


def _section_task(
    run: LARun, notebook: Path, timeout: float | None, progress: Progress
) -> SectionResult:
    progress(run.name, f"{notebook.stem} started")
    params = {
        "params_file": str(run.params_file),
        "prepared": str(run.prepared),
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


def remove_prepared(run: LARun) -> None:
    """Remove the LA's prepared data (and its private folder)."""
    if run.prep_dir is not None:
        _remove(run.prep_dir)
        run.prep_dir = None


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
        # The prepared data holds the LA's own ids and dates of birth: gone as soon as the
        # report no longer needs it.
        remove_prepared(run)
        run.status = "sections_failed" if run.failed_sections else "ok"
        run.finished = _now()
        assemble.write_run_json(run)
        shutil.rmtree(run.build_dir / ".work", ignore_errors=True)
        build = run.build_dir
        _swap_into_place(build, run.out_dir)
        with _PRIVATE_LOCK:
            _PRIVATE.discard(build)
        run.report = run.out_dir / "report.html"
        run.build_dir = run.out_dir
        progress(run.name, f"report: {run.report}")
    except Exception as exc:  # the report could not be written: say so, keep other LAs going
        run.status, run.error = "failed", f"the report could not be assembled: {exc}"
        progress(run.name, f"FAILED: {run.error}")
        _remove(run.build_dir)
    finally:
        remove_prepared(run)


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
    with terminate_as_interrupt():
        remove_stale(out_root)
        pending: list[tuple[LARun, list[Future[SectionResult]]]] = []
        pool = ThreadPoolExecutor(max_workers=jobs or default_jobs(),
                                  thread_name_prefix="section")
        try:
            for run in runs:
                run.started = _now()
                if not _prepare(run, progress):
                    continue
                futs = [pool.submit(_section_task, run, nb, timeout, progress)
                        for nb in notebooks]
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
                if run.build_dir.name.startswith(BUILD_PREFIX):
                    _remove(run.build_dir)
            raise
        finally:
            for run in runs:
                remove_prepared(run)
            remove_connection_files()
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
