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
    #: Each section's part of the page, rendered by its worker thread as soon as its notebook
    #: has run (``assemble.render_section``), so that assembling the report only stitches.
    rendered: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    #: How printing ``report.pdf`` went: None (not asked for, or not yet), "written", or the
    #: one sentence saying why no PDF was written.
    pdf_outcome: str | None = None
    #: A regional adoption agency's run: the RAA (its params and its members'); None for an LA.
    raa: Any = None
    #: For an RAA's run, the names of its members' runs (built in the same run, before it).
    members: list[str] = field(default_factory=list)

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


#: The signal that asked this run to stop, once one has. The handler's exception can be lost:
#: raised while the main thread runs a finaliser (a ``__del__``, a weakref callback), it is
#: reported and ignored by Python, and the run would go on; so the run also looks here between
#: its steps (:func:`stop_requested`).
_STOP: list[str] = []


def stop_requested() -> None:
    """Raise :class:`Terminated` if a signal has asked the run to stop."""
    if _STOP:
        raise Terminated(_STOP[0])


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While inside, SIGTERM and SIGHUP raise :class:`Terminated` (a KeyboardInterrupt) in the
    main thread, so ``finally`` blocks and the interrupted-run cleanup run. Elsewhere than the
    main thread signal handlers cannot be set: a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        _STOP.append(signal.Signals(signum).name)
        raise Terminated(_STOP[0])

    _STOP.clear()
    old = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            old[sig] = signal.signal(sig, handler)
    try:
        yield
        stop_requested()
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


# -- warm kernels (the fast path) ------------------------------------------------------------------

#: Set to 1 (or pass ``plain=True`` / ``run --plain``) to run every section in its own cold kernel.
PLAIN_ENV = "ADK_PLAIN"
#: A warm kernel is replaced after this many notebooks, so nothing can grow without bound.
KERNEL_MAX_USES = 60
#: Seconds allowed for a kernel to start and import the kit, and for a reset between notebooks.
WARM_TIMEOUT = 120

#: Run once in a new warm kernel (silently, outside any notebook): import what the section
#: notebooks import, then remember the interpreter's state that a notebook may change.
WARM_CODE = r'''
def _adk_warm():
    import importlib, os, pkgutil, sys, types, warnings
    for name in ("pandas", "numpy", "matplotlib", "matplotlib.pyplot",
                 "matplotlib_inline.backend_inline", "IPython.extensions.autoreload",
                 "diagnostic_kit.run.prepare", "diagnostic_kit.inputs.reading",
                 "diagnostic_kit.derive.pseudonyms",
                 # The estimators sections 0 and 2 import on first use (about a second): in a
                 # warm kernel, while the LA's data is prepared, not while a notebook waits.
                 "scipy.special", "statsmodels.duration.survfunc"):
        try:
            importlib.import_module(name)
        except Exception:  # the notebook that needs it will say why
            pass
    for pkg in ("diagnostic_kit.measures", "diagnostic_kit.present"):
        try:
            mod = importlib.import_module(pkg)
            for info in pkgutil.iter_modules(mod.__path__):
                try:
                    importlib.import_module(f"{pkg}.{info.name}")
                except Exception:
                    pass
        except Exception:
            pass
    import matplotlib
    ip = get_ipython()  # noqa: F821
    # The kit's code cannot change under a run, so autoreload's look at every module's file
    # before each cell (a tenth of a kernel's time) is skipped; the notebooks keep their
    # %autoreload for an analyst editing the kit in JupyterLab.
    from IPython.extensions.autoreload import ModuleReloader
    ModuleReloader.check = lambda self, *a, **k: None
    # No input history in the user's SQLite file from a batch: it is written after every cell
    # and read by nobody. (Session 0 makes the resets skip closing a session in the file.)
    hm = ip.history_manager
    try:
        if hm.enabled and hm.session_number:
            hm.end_session()
    except Exception:
        pass
    hm.enabled = False
    w = types.ModuleType("_adk_warm")
    w.rc = dict(matplotlib.rcParams)
    w.filters = list(warnings.filters)
    w.events = {k: list(v) for k, v in ip.events.callbacks.items()}
    w.loaded = set(ip.extension_manager.loaded)
    w.path = list(sys.path)
    w.environ = dict(os.environ)
    sys.modules["_adk_warm"] = w
    # Everything imported so far lives as long as the kernel: moved out of the collector's
    # sight, so that a full collection (Python's own, or the reset's) looks only at what the
    # notebooks made (a quarter of a second less each time).
    import gc
    gc.collect()
    gc.freeze()
_adk_warm()
del _adk_warm
'''

#: Run (silently) before each notebook in a warm kernel: the namespace, counters, hooks,
#: extensions, figures, rcParams, warnings, pandas options, sys.path, environment and working
#: folder as a new kernel has them after the imports.
RESET_CODE = r'''
def _adk_reset(cwd, collect):
    import gc, os, sys, warnings
    w = sys.modules["_adk_warm"]
    ip = get_ipython()  # noqa: F821
    import matplotlib
    import matplotlib.pyplot as plt
    plt.close("all")
    # IPython's reset ends with a full garbage collection (a tenth of a second of a kernel's
    # time before every notebook); the reset does it every few notebooks instead (collect).
    full_collect, gc.collect = gc.collect, lambda *a, **k: 0
    try:
        ip.reset(new_session=True)  # a new history session: execution counts start at 1 again
    finally:
        gc.collect = full_collect
    ip.execution_count = 1
    for k, cbs in ip.events.callbacks.items():
        cbs[:] = w.events.get(k, [])
    ip.extension_manager.loaded.clear()
    ip.extension_manager.loaded.update(w.loaded)
    if hasattr(ip, "_saved_rcParams"):
        del ip._saved_rcParams
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dict.update(matplotlib.rcParams, w.rc)
        try:
            import pandas
            pandas.reset_option("all")
        except Exception:
            pass
    warnings.filters[:] = w.filters
    warnings._filters_mutated()
    warnings.onceregistry.clear()
    for mod in list(sys.modules.values()):
        reg = getattr(mod, "__warningregistry__", None)
        if isinstance(reg, dict):
            reg.clear()
    sys.path[:] = w.path
    os.environ.clear()
    os.environ.update(w.environ)
    nv = sys.modules.get("diagnostic_kit.present.narrative")
    if nv is not None and hasattr(nv, "set_suppression"):
        nv.set_suppression(0)
    os.chdir(cwd)
    if collect:
        full_collect()
_adk_reset({cwd!r}, {collect!r})  # the reset removes the name _adk_reset too
'''


class KernelSetupError(RuntimeError):
    """A warm kernel could not be started, warmed or reset."""


def _quick_ready(kc: Any) -> Callable[..., Any]:
    """``wait_for_ready`` for a client of a warm kernel that has just answered the runner.

    jupyter_client's own asks for kernel info until the reply and an IOPub message have come
    (so the IOPub subscription is known to be live), then waits for 0.2 s of IOPub silence
    before returning: a fifth of a second of an idle kernel before every notebook. This one does
    the same handshake but drains IOPub without waiting; a late message of the handshake is not
    the notebook's (nbclient matches every message to its request), so nothing is lost.
    """
    import asyncio
    import queue

    async def wait_for_ready(timeout: float | None = None) -> None:
        deadline = time.monotonic() + (WARM_TIMEOUT if timeout is None else timeout)
        while True:
            kc.kernel_info()
            try:
                msg = await kc.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await kc.iopub_channel.get_msg(timeout=0.2)
                except queue.Empty:
                    pass
                else:
                    kc._handle_kernel_info_reply(msg)
                    break
            if not await kc._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout or 0:.0f} seconds")
            await asyncio.sleep(0)
        while True:  # what is already there, without waiting for more
            try:
                await kc.iopub_channel.get_msg(timeout=0)
            except queue.Empty:
                break

    return wait_for_ready


class WarmKernel:
    """A kernel over IPC started ahead of need that has imported the kit and its libraries.

    nbclient adopts it (papermill's ``km``: a kernel manager whose kernel is already running)
    and, not owning it, leaves it running; before each notebook the runner resets it to the
    state of a fresh kernel after those imports (:data:`RESET_CODE`). It serves one worker
    thread, which made it (the kernel manager's sockets belong to that thread's event loop). A
    notebook that fails in any way (raises, times out, kills its kernel) is the kernel's last:
    the runner discards it and the next notebook gets a new one.
    """

    def __init__(self, cwd: Path, log: Path | None = None) -> None:
        from jupyter_core.utils import run_sync

        base = ipc_kernel_manager_class(log)

        class Adopted(base):  # type: ignore[misc, valid-type]
            def client(self, **kw: Any) -> Any:  # the clients nbclient makes, to close them
                kc = super().client(**kw)
                kc.wait_for_ready = _quick_ready(kc)
                self._adk_clients.append(kc)
                return kc

        self.km = Adopted(kernel_name=KERNEL_NAME)
        self.km._adk_clients = []
        #: The worker thread that owns this kernel's client sockets.
        self.thread = threading.get_ident()
        self.log = log
        self.uses = 0
        self.started = time.perf_counter()
        self.kc: Any = None
        #: A reset sent ahead of the next notebook: (working folder, request id).
        self._pending: tuple[str, str] | None = None
        run_sync(self.km.start_kernel)(cwd=str(cwd))
        try:
            from jupyter_client.blocking import BlockingKernelClient

            # The runner's own client, kept for the resets (a new one per reset costs a
            # quarter of a second).
            self.kc = BlockingKernelClient()
            self.kc.load_connection_info(self.km.get_connection_info())
            self.kc.start_channels()
            try:
                self.kc.wait_for_ready(timeout=WARM_TIMEOUT)
            except (TimeoutError, RuntimeError) as exc:
                raise KernelSetupError(str(exc) or type(exc).__name__) from exc
            self._run(WARM_CODE)
        except BaseException:
            self.kill()
            raise

    def _run(self, code: str, timeout: float = WARM_TIMEOUT) -> None:
        """Run code silently (no history, no execution count, no outputs kept).

        Waits in short steps and gives up as soon as the kernel dies (an interrupted run kills
        its kernels: a worker must not sit out the whole timeout on a dead one)."""
        self._wait(self._send(code), timeout)

    def _send(self, code: str) -> str:
        """Ask the kernel to run code silently; returns the request's id (see :meth:`_wait`)."""
        import queue

        kc = self.kc
        # The notebook's own messages, broadcast to every client, are not ours: dropped.
        with contextlib.suppress(queue.Empty):
            while True:
                kc.iopub_channel.get_msg(timeout=0)
        return kc.execute(code, silent=True, store_history=False, allow_stdin=False)

    def _wait(self, msg_id: str, timeout: float = WARM_TIMEOUT) -> None:
        """Wait for the reply to a request :meth:`_send` made; raise if it did not succeed."""
        import queue

        kc = self.kc
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise KernelSetupError("the kernel stopped")
            try:
                reply = kc.get_shell_msg(timeout=0.2)
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise KernelSetupError(f"no reply from the kernel in {timeout:.0f} s") from None
                continue
            except (RuntimeError, OSError) as exc:
                raise KernelSetupError(str(exc) or type(exc).__name__) from exc
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise KernelSetupError(f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        proc = getattr(self.km.provisioner, "process", None)
        return proc is not None and proc.poll() is None

    def start_reset(self, cwd: Path) -> None:
        """Start :meth:`prepare`'s reset now, without waiting for it: the kernel resets while
        the runner finishes the notebook it has just run (saving, rendering)."""
        self._pending = None
        # A full garbage collection every few notebooks (it costs a tenth of a second; the
        # cycles of the notebooks in between wait for it or for Python's own collections).
        code = RESET_CODE.format(cwd=str(cwd), collect=self.uses % 4 == 3)
        self._pending = (str(cwd), self._send(code))

    def prepare(self, cwd: Path) -> None:
        """Make the kernel as a fresh one is after the imports, working in ``cwd`` (the reset
        :meth:`start_reset` began, if it was for ``cwd``; else one now)."""
        pending, self._pending = self._pending, None
        if pending is not None and pending[0] == str(cwd):
            self._wait(pending[1])
        else:
            self._run(RESET_CODE.format(cwd=str(cwd), collect=self.uses % 4 == 3))
        if self.log is not None and self.log.exists():
            self.log.write_bytes(b"")  # the kernel appends: this notebook's lines only

    def close_clients(self) -> None:
        for kc in self.km._adk_clients:
            with contextlib.suppress(Exception):
                kc.stop_channels()
        self.km._adk_clients.clear()

    def kill(self) -> None:
        """Stop the kernel at once and remove its connection file and sockets.

        Its clients' sockets belong to the worker thread that made them: only that thread
        closes them (closing them from another thread, as an interrupted run's clean-up does,
        can block for ever in zmq); from any other thread the kernel process is just killed."""
        if threading.get_ident() == self.thread:
            self.close_clients()
            if self.kc is not None:
                with contextlib.suppress(Exception):
                    self.kc.stop_channels()
        proc = getattr(self.km.provisioner, "process", None)
        if proc is not None and proc.poll() is None:
            proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(timeout=10)
        with _KERNELS_LOCK:
            _KERNELS.discard(proc)
        files = [Path(self.km.connection_file)] if self.km.connection_file else []
        if self.km.transport == "ipc" and self.km.ip:
            files += Path(self.km.ip).parent.glob(f"{Path(self.km.ip).name}-*")
        for f in files:
            with contextlib.suppress(OSError):
                f.unlink()
        with _PRIVATE_LOCK:
            _CONNECTION_FILES.difference_update(files)
        if self.log is not None:
            with contextlib.suppress(OSError):
                self.log.unlink()


class KernelPool:
    """Warm kernels for one run: one per worker thread, started ahead of need (:meth:`fill`
    starts them while the first LA's data is prepared), reset between notebooks, replaced after
    a failure or :data:`KERNEL_MAX_USES` notebooks, all stopped by :meth:`close`."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self._local = threading.local()
        self._all: set[WarmKernel] = set()
        self._lock = threading.Lock()
        self.started = 0
        #: Set once the run is over or interrupted: no kernel is started after that.
        self.closing = False

    def _new(self) -> WarmKernel:
        if self.closing:
            raise KernelSetupError("the run is ending")
        log = _ipc_dir() / f"warm-{secrets.token_hex(4)}.log"
        k = WarmKernel(self.cwd, log)
        with self._lock:
            self._all.add(k)
            self.started += 1
            closing = self.closing
        if closing:
            self.discard(k)
            raise KernelSetupError("the run is ending")
        return k

    def warm(self) -> None:
        """Make sure this thread has a warm kernel (started now if not)."""
        if self.closing:
            return
        k = getattr(self._local, "kernel", None)
        if k is None or not k.alive():
            if k is not None:
                self.discard(k)
            self._local.kernel = self._new()

    def take(self) -> WarmKernel:
        """This thread's warm kernel."""
        self.warm()
        k = getattr(self._local, "kernel", None)
        if k is None:
            raise KernelSetupError("no warm kernel")
        return k

    def give_back(self, k: WarmKernel, ok: bool) -> None:
        """After a notebook: keep the kernel for the next one, or discard it and start its
        replacement now, ahead of need."""
        k.close_clients()
        k.uses += 1
        if ok and k.alive() and k.uses < KERNEL_MAX_USES:
            if not self.closing:
                with contextlib.suppress(Exception):  # else prepare() resets it, or fails
                    k.start_reset(self.cwd)
            return
        self.discard(k)
        self._local.kernel = None
        with contextlib.suppress(Exception):
            self.warm()

    def discard(self, k: WarmKernel) -> None:
        k.kill()
        with self._lock:
            self._all.discard(k)
        if getattr(self._local, "kernel", None) is k:
            self._local.kernel = None

    def fill(self, executor: ThreadPoolExecutor, workers: int) -> None:
        """Start a warm kernel in each of ``workers`` threads of ``executor`` without waiting.
        (A barrier holds each start until all have begun, so each lands in its own thread.)"""
        barrier = threading.Barrier(workers)

        def start() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            with contextlib.suppress(Exception):
                self.warm()

        for _ in range(workers):
            executor.submit(start)

    def close(self) -> None:
        self.closing = True
        with self._lock:
            kernels = list(self._all)
            self._all.clear()
        for k in kernels:
            k.kill()


def _join_workers(pool: ThreadPoolExecutor, seconds: float) -> None:
    """Wait for a pool's worker threads to end, at most ``seconds`` in all."""
    deadline = time.monotonic() + seconds
    for thread in list(getattr(pool, "_threads", ())):
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


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
    kernel: WarmKernel | None = None,
) -> SectionResult:
    """Execute one notebook with papermill into ``executed``; never raises on notebook faults.

    ``timeout`` is per cell, in seconds. The kernel starts in ``cwd`` (the notebook's folder by
    default) without changing the runner's own working directory, which threads share. With
    ``kernel`` (a :class:`WarmKernel`, already reset for this notebook by the caller) the
    notebook runs in it; without, in a new kernel of its own (the plain path).
    """
    return _execute_section(notebook, executed, parameters, timeout=timeout, cwd=cwd,
                            kernel=kernel)[0]


def _execute_section(
    notebook: Path,
    executed: Path,
    parameters: dict[str, Any],
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    cwd: Path | None = None,
    kernel: WarmKernel | None = None,
) -> tuple[SectionResult, Any]:
    """:func:`execute_section`, also returning the executed notebook as written (None if
    none was)."""
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
            **({"km": kernel.km} if kernel is not None else
               {"kernel_manager_class": ipc_kernel_manager_class(kernel_log)}),
            resources={"metadata": {"path": str(cwd or notebook.parent)}},
        )
        result.status = "ok"
    except Exception as exc:  # any fault in a section is reported, never fatal to the run
        result.status = "failed"
        result.error_type, result.error = describe_failure(exc)
    if kernel is not None and kernel.log is not None and kernel.log.exists() \
            and kernel.log.stat().st_size:
        # What the kernel process itself wrote while running this notebook, as a cold
        # kernel's log would hold it.
        shutil.copyfile(kernel.log, kernel_log)
    if kernel_log.exists() and kernel_log.stat().st_size == 0:
        kernel_log.unlink()
    nb = portable_parameters(executed) if executed.exists() else None
    result.seconds = round(time.perf_counter() - t0, 2)
    result.finished = _now()
    return result, nb


def portable_parameters(executed: Path) -> Any:
    """Blank the run's own paths in an executed notebook's injected parameters.

    ``prepared`` and ``output_dir`` point into the run's private and build folders, which are
    gone once the report is in place; blanked (in the parameters cell and in papermill's
    metadata), the executed notebook re-runs by hand from its ``params_file`` and does not name
    where the prepared data was. Returns the notebook as written.
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
    return nb


# -- a run ----------------------------------------------------------------------------------------


def _fmt_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """Progress of a run, safe to call from worker threads.

    Not on a terminal (or with ``echo``): one line per LA step and section start/finish,
    ``[la] what``. On a terminal: one bar, redrawn in place, over LAs and sections with the
    time elapsed and an estimate of what is left; failures are still printed as lines.
    """

    def __init__(self, echo: Echo | None = None, *, bar: bool | None = None,
                 stream: Any = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        if bar is None:
            isatty = getattr(self._stream, "isatty", None)
            bar = echo is None and bool(isatty and isatty())
        self.bar = bar
        self._echo = echo or (lambda line: print(line, file=self._stream, flush=True))
        self._lock = threading.Lock()
        self.t0 = time.monotonic()
        self.las_total = self.sections_total = 0
        self.las_done = self.sections_done = 0
        self.current = ""

    def plan(self, las: int, sections_per_la: int) -> None:
        self.las_total, self.sections_total = las, las * sections_per_la

    def __call__(self, la: str, what: str) -> None:
        with self._lock:
            if not self.bar:
                self._echo(f"[{la}] {what}")
                return
            if "FAILED" in what:
                self._stream.write("\r\x1b[2K")
                self._echo(f"[{la}] {what}")
            self.current = f"{la}: {what}"
            self._draw()

    def section_done(self) -> None:
        with self._lock:
            self.sections_done += 1
            if self.bar:
                self._draw()

    def la_done(self, sections_skipped: int = 0) -> None:
        """An LA is finished (built or failed); ``sections_skipped`` never ran."""
        with self._lock:
            self.las_done += 1
            self.sections_total -= sections_skipped
            if self.bar:
                self._draw()

    def remaining(self) -> float | None:
        """Seconds left, estimated from the sections done so far (None before the first)."""
        if not self.sections_done:
            return None
        elapsed = time.monotonic() - self.t0
        left = max(0, self.sections_total - self.sections_done)
        return elapsed / self.sections_done * left

    def line(self, width: int = 100) -> str:
        elapsed = time.monotonic() - self.t0
        total = max(1, self.sections_total)
        cells = 20
        filled = min(cells, int(cells * self.sections_done / total))
        left = self.remaining()
        text = (f"LAs {self.las_done}/{self.las_total} [{'#' * filled}{'.' * (cells - filled)}] "
                f"sections {self.sections_done}/{self.sections_total} · "
                f"{_fmt_seconds(elapsed)} elapsed · "
                + (f"about {_fmt_seconds(left)} left" if left is not None else "estimating")
                + (f" · {self.current}" if self.current else ""))
        return text[:max(20, width - 1)]

    def _draw(self) -> None:
        width = shutil.get_terminal_size((100, 20)).columns
        self._stream.write("\r\x1b[2K" + self.line(width))
        self._stream.flush()

    def close(self) -> None:
        if self.bar:
            with self._lock:
                self.current = ""
                self._draw()
                self._stream.write("\n")
                self._stream.flush()


def plan_runs(params_files: Sequence[str | Path], out_root: Path) -> list[LARun]:
    """Load and check every params file before anything runs (raises ParamsError).

    The LA's folder name is the params file's stem; two params files with the same stem would
    overwrite each other's report, so that is refused. A regional adoption agency's params file
    (``inputs.params.load_raa``) brings its members' runs (a member also named on its own, or by
    another RAA, is built once) and its own run, which comes after every LA's.
    """
    from diagnostic_kit.inputs.params import ParamsError, is_raa_file, load_raa

    runs: list[LARun] = []
    raas: list[LARun] = []
    by_file: dict[Path, LARun] = {}

    def add(params: Params, pf: str | Path, into: list[LARun], raa: Any = None) -> LARun:
        name = params.slug
        if any(r.name == name for r in [*runs, *raas]):
            raise ParamsError(
                f"Two params files are named '{name}': their reports would share "
                f"{out_root / name}; rename one."
            )
        # The owner in the name lets a later run tell a dead run's folder from a live one's.
        build = out_root / f"{BUILD_PREFIX}{owner_tag()}-{secrets.token_hex(4)}-{name}"
        run = LARun(name=name, params_file=Path(params.source_file or pf), params=params,
                    out_dir=out_root / name, build_dir=build, raa=raa)
        into.append(run)
        return run

    def add_la(params: Params, pf: str | Path) -> LARun:
        src = Path(params.source_file or pf).resolve()
        if src in by_file:  # named twice (on its own and by an RAA): built once
            known = by_file[src]
            if params.raa and not known.params.raa:
                known.params = params
            return known
        by_file[src] = run = add(params, pf, runs)
        return run

    for pf in params_files:
        if is_raa_file(pf):
            raa = load_raa(pf)
            members = [add_la(m, m.source_file or pf) for m in raa.members]
            add(raa.params, pf, raas, raa=raa).members = [m.name for m in members]
        else:
            add_la(load_params(pf), pf)
    return runs + raas


def _prepare_raa(run: LARun, held: dict[str, Any], progress: Progress) -> bool:
    """Put an RAA's members' prepared data together (``prepare.prepare_raa``) and pickle it
    for the notebooks. False (the RAA failed, saying which member) when a member's data could
    not be prepared, or the RAA's own extracts cannot be used."""
    from diagnostic_kit.inputs.reading import InputError
    from diagnostic_kit.run.prepare import prepare_raa

    t0 = time.perf_counter()
    progress(run.name, "putting the members' data together")
    absent = [m for m in run.members if m not in held]
    try:
        if absent:
            raise InputError(f"its member {absent[0]}'s data could not be prepared, so the "
                             "RAA's report would leave its children out")
        la = prepare_raa(run.raa, [held[m] for m in run.members])
        run.checksums = dict(la.dq.checksums)
    except Exception as exc:  # one RAA that cannot be built must not stop the others
        why = str(exc) if isinstance(exc, InputError | ValueError) else (
            f"its data could not be prepared: {type(exc).__name__}: {_first_line(str(exc))}")
        run.status, run.error = "failed", why
        progress(run.name, f"FAILED: {why}")
        return False
    _keep_private(run, la)
    progress(run.name, f"data put together in {time.perf_counter() - t0:.1f} s")
    return True


def _keep_private(run: LARun, la: Any) -> None:
    """The run's build folder made, and its prepared data pickled outside the reports tree."""
    run.build_dir.mkdir(parents=True, exist_ok=True)
    with _PRIVATE_LOCK:
        _PRIVATE.add(run.build_dir)
    # The LA's own ids and dates of birth: outside the reports tree, this user only.
    run.prep_dir = private_dir(PREP_PREFIX)
    save_private(la, run.prepared)


def _prepare(run: LARun, progress: Progress, held: dict[str, Any] | None = None) -> bool:
    """Prepare the LA's data once and pickle it for the notebooks. False if it cannot be used.
    With ``held``, the prepared data is also kept there (by the run's name) for an RAA that
    the LA is a member of."""
    from diagnostic_kit.inputs.reading import InputError
    from diagnostic_kit.run.prepare import prepare_la

    t0 = time.perf_counter()
    if run.params.synthetic is not None and not run.params.data_dir.is_dir():
        # Said, as it takes a while the first time and writes files the user did not give.
        progress(run.name, f"generating the synthetic LA's data into {run.params.data_dir} "
                 "(first use only)")
    progress(run.name, "preparing data")
    try:
        la = prepare_la(run.params)
        run.checksums = dict(la.dq.checksums)
    except Exception as exc:  # one LA that cannot be read must not stop the others
        why = str(exc) if isinstance(exc, InputError) else (
            f"its data could not be prepared: {type(exc).__name__}: {_first_line(str(exc))}")
        run.status, run.error = "failed", why
        # The reason is said once, at the end (one sentence for one LA, a list for a batch).
        progress(run.name, "FAILED: no report (the reason is at the end)")
        return False
    _keep_private(run, la)
    if held is not None:
        held[run.name] = la
    del la
    progress(run.name, f"data prepared in {time.perf_counter() - t0:.1f} s")
    return True


def _ready_kernel(pool: KernelPool, cwd: Path) -> WarmKernel | None:
    """This thread's warm kernel, reset for the next notebook; a kernel that cannot be reset
    is replaced once; None (the notebook then gets a cold kernel) if that fails too."""
    for _ in range(2):
        k = None
        try:
            k = pool.take()
            k.prepare(cwd)
            return k
        except Exception:
            if k is not None:
                pool.discard(k)
    return None


def _section_task(
    run: LARun, notebook: Path, timeout: float | None, progress: Progress,
    pool: KernelPool | None = None,
) -> SectionResult:
    progress(run.name, f"{notebook.stem} started")
    params = {
        "params_file": str(run.params_file),
        "prepared": str(run.prepared),
        "output_dir": str(run.build_dir / ".work"),
    }
    from diagnostic_kit.run import assemble

    kernel = _ready_kernel(pool, notebook.parent) if pool is not None else None
    res: SectionResult | None = None
    try:
        res, nb = _execute_section(notebook, run.build_dir / "notebooks" / notebook.name,
                                   params, timeout=timeout, kernel=kernel)
    finally:
        if kernel is not None and pool is not None:
            # Kept for the next notebook only if this one ran cleanly (and reset for it while
            # this one is rendered); else replaced.
            pool.give_back(kernel, ok=res is not None and not res.failed)
    with contextlib.suppress(Exception):  # else rendered at assembly, which reports a fault
        run.rendered[notebook.stem] = assemble.render_section(notebook, res, nb)
    progress.section_done()
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


def _finish(run: LARun, notebooks: list[Path], progress: Progress, pdf: bool = False) -> None:
    """Assemble the report in the build folder (with ``report.pdf`` if ``pdf``) and move it
    into place."""
    from diagnostic_kit.run import assemble

    try:
        assemble.build_outputs(run, notebooks, pdf=pdf)
        # The prepared data holds the LA's own ids and dates of birth: gone as soon as the
        # report no longer needs it.
        remove_prepared(run)
        if pdf:
            # Printed in the build folder, so that the PDFs move into place with the rest
            # (and run.json says whether they were written): the report a board reads, and
            # its technical annex, each its own PDF.
            from diagnostic_kit.run.pdf import write_pdf

            why = None
            for part, name in assemble.PRINT_PARTS.items():
                page = run.build_dir / ".work" / f"print-{part}.html"
                why = why or write_pdf(page, run.build_dir / name)
                why = why and why.replace(str(page), str(run.build_dir / "report.html"))
            if why:  # named where the report will be, not the build folder
                why = why.replace(str(run.build_dir), str(run.out_dir))
            run.pdf_outcome = why or "written"
            progress(run.name, why or "PDF printed")
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
        progress(run.name, "FAILED: no report (the reason is at the end)")
        _remove(run.build_dir)
    finally:
        remove_prepared(run)


class _SectionQueue:
    """Section notebooks for the worker threads, by priority (lower first), then in the order
    given: each submission hands the pool one task that runs the first notebook waiting."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self._waiting: list[tuple[int, int, Future[Any], Callable[..., Any], tuple]] = []
        self._lock = threading.Lock()
        self._seq = 0

    def submit(self, priority: int, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        import heapq

        fut: Future[Any] = Future()
        with self._lock:
            self._seq += 1
            heapq.heappush(self._waiting, (priority, self._seq, fut, fn, args))
        self.pool.submit(self._next)
        return fut

    def _next(self) -> None:
        import heapq

        with self._lock:
            _, _, fut, fn, args = heapq.heappop(self._waiting)
        if not fut.set_running_or_notify_cancel():
            return
        try:
            fut.set_result(fn(*args))
        except BaseException as exc:  # handed to whoever waits on the notebook's result
            fut.set_exception(exc)


def plain_requested(plain: bool | None = None) -> bool:
    """Whether to use the plain path: ``plain`` if given, else the ``ADK_PLAIN`` variable."""
    if plain is not None:
        return plain
    return os.environ.get(PLAIN_ENV, "").strip().lower() not in ("", "0", "false", "no")


def run_reports(
    params_files: Sequence[str | Path],
    *,
    out_root: str | Path = REPORTS_DIR,
    jobs: int | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    echo: Echo | None = None,
    plain: bool | None = None,
    progress: Progress | None = None,
    index: bool | None = None,
    pdf: bool = False,
) -> list[LARun]:
    """Build the report of every LA named by ``params_files``; returns each LA's run.

    All params are checked first (ParamsError before any notebook runs). Data is prepared one LA
    at a time in this thread while earlier LAs' sections run in ``jobs`` worker threads, each
    driving one kernel; an LA's report is assembled as soon as its sections are done (at most
    a few LAs are prepared ahead, so the private folders and memory stay bounded in a batch).

    The fast path (default) runs the notebooks in warm kernels (:class:`KernelPool`): started
    while the first LA is prepared, with the kit already imported, reset between notebooks,
    replaced after any failure. ``plain=True`` (or ``ADK_PLAIN=1``) gives each notebook its own
    cold kernel. With more than one LA (or ``index=True``), ``index.html`` and
    ``batch_metrics.csv`` for the batch are written in ``out_root``. ``pdf=True`` also prints
    each report to ``report.pdf`` (headless Chromium) before it moves into place.
    """
    out_root = Path(out_root).resolve()
    notebooks = discover_sections(notebooks_dir)
    progress = progress or Progress(echo)
    runs = plan_runs(params_files, out_root)
    if not notebooks:
        raise FileNotFoundError(f"No section notebooks (NN_name.ipynb) in {notebooks_dir}.")
    out_root.mkdir(parents=True, exist_ok=True)
    workers = jobs or default_jobs()
    progress.plan(len(runs), len(notebooks))
    ahead = workers + 1
    with terminate_as_interrupt():
        remove_stale(out_root)
        pending: list[tuple[LARun, list[Future[SectionResult]]]] = []
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="section")
        kernels = None if plain_requested(plain) else KernelPool(Path(notebooks_dir))

        def finish(i: int = 0) -> None:
            run, futs = pending.pop(i)
            run.sections = [f.result() for f in futs]
            stop_requested()
            _finish(run, notebooks, progress, pdf=pdf)
            progress.la_done()

        def finish_oldest() -> None:
            finish(0)

        # Members' prepared data, kept in memory for the RAAs still to be put together (an
        # RAA's run comes after all its members'), and let go once no RAA needs it.
        needed = {m: sum(m in r.members for r in runs) for m in {m for r in runs
                                                                 for m in r.members}}
        held: dict[str, Any] = {}
        # An RAA's members and the RAA itself are prepared without waiting for earlier LAs to
        # finish (their data is held for the RAA anyway), so that the RAA's sections, which
        # go first in the queue, start early; still at most an RAA's members more than usual.
        widest = max((len(r.members) for r in runs), default=0)
        queue = _SectionQueue(pool)
        try:
            if kernels is not None:
                kernels.fill(pool, workers)  # while the first LA's data is prepared
            for run in runs:
                limit = ahead + (widest if run.raa is not None or needed.get(run.name) else 0)
                while pending:
                    done = next((i for i, (_, futs) in enumerate(pending)
                                 if all(f.done() for f in futs)), None)
                    if done is not None:
                        finish(done)
                    elif len(pending) >= limit:
                        finish_oldest()
                    else:
                        break
                run.started = _now()
                stop_requested()
                if run.raa is not None:
                    prepared = _prepare_raa(run, held, progress)
                    for m in run.members:
                        needed[m] -= 1
                        if not needed[m]:
                            held.pop(m, None)
                else:
                    prepared = _prepare(run, progress, held if needed.get(run.name) else None)
                stop_requested()
                if not prepared:
                    progress.la_done(sections_skipped=len(notebooks))
                    continue
                # An RAA's sections first: the longest report, so the run does not end on it.
                futs = [queue.submit(0 if run.raa is not None else 1, _section_task, run, nb,
                                     timeout, progress, kernels) for nb in notebooks]
                pending.append((run, futs))
            while pending:
                finish_oldest()
        except BaseException:
            # Interrupted: drop queued sections, stop running kernels, remove half-built folders.
            pool.shutdown(wait=False, cancel_futures=True)
            if kernels is not None:
                kernels.closing = True
            kill_kernels()
            if kernels is not None:
                kernels.close()
            # Workers notice their kernel is gone within a fraction of a second; never wait
            # on one for longer than this before cleaning up.
            _join_workers(pool, seconds=20)
            for run in runs:
                if run.build_dir.name.startswith(BUILD_PREFIX):
                    _remove(run.build_dir)
            raise
        finally:
            held.clear()
            progress.close()
            if kernels is not None:
                kernels.close()
            for run in runs:
                remove_prepared(run)
            remove_connection_files()
        pool.shutdown(wait=True)
    if index if index is not None else len(runs) > 1:
        from diagnostic_kit.run import assemble

        try:
            assemble.write_batch_index(runs, out_root)
        except Exception as exc:  # the reports are built: say so, do not lose them
            print(f"warning: the batch index could not be written: {exc}", file=sys.stderr)
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



