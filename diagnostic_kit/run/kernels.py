"""Kernels for the section notebooks: IPC (Unix socket) kernels, warm kernels that are reset to
a fresh kernel's state between notebooks (the fast path), the pool that hands them out, and
executing one section notebook (papermill) on one of them.

Kernels talk to the runner over local IPC (Unix domain) sockets, never TCP. A section that
raises, whose kernel dies, or whose cell runs past the timeout is recorded as failed
(:func:`describe_failure`) and its kernel discarded; the report still builds without it.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from diagnostic_kit.run import private
from diagnostic_kit.run.plan import DEFAULT_TIMEOUT, SectionResult, now

KERNEL_NAME = "python3"


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
            return str(private.ipc_dir() / f"kernel-{secrets.token_hex(6)}.json")

        @default("ip")
        def _ip_default(self) -> str:
            # jupyter_client's default is a path relative to the working directory
            # ("kernel-ipc-N"), which parallel kernels share and a crashed kernel leaves behind.
            return str(private.ipc_dir() / f"k{secrets.token_hex(6)}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if kernel_log is None or "stderr" in kw:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            else:
                kernel_log.parent.mkdir(parents=True, exist_ok=True)
                with open(kernel_log, "ab") as fh:  # the child keeps its own copy
                    kw["stdout"] = kw["stderr"] = fh
                    await super()._async_launch_kernel(kernel_cmd, **kw)
            private.track_kernel(getattr(self.provisioner, "process", None),
                                 self.connection_file)

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
        files = [Path(self.km.connection_file)] if self.km.connection_file else []
        if self.km.transport == "ipc" and self.km.ip:
            files += Path(self.km.ip).parent.glob(f"{Path(self.km.ip).name}-*")
        for f in files:
            with contextlib.suppress(OSError):
                f.unlink()
        private.forget_kernel(proc, files)
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
        log = private.ipc_dir() / f"warm-{secrets.token_hex(4)}.log"
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


def join_workers(pool: ThreadPoolExecutor, seconds: float) -> None:
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


def first_line(text: str) -> str:
    """A message's first line that is not blank."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(error type, one-line message) for a failed notebook: no traceback."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return exc.ename, first_line(exc.evalue) or exc.ename
    if isinstance(exc, CellTimeoutError):
        return "Timeout", first_line(str(exc)) or "A cell ran past the time limit."
    if isinstance(exc, DeadKernelError):
        return "KernelDied", ("The notebook's kernel stopped unexpectedly "
                              "(it crashed or was killed).")
    if isinstance(exc, TimeoutError | RuntimeError) and "kernel" in str(exc).lower():
        return "KernelDied", first_line(str(exc))
    return type(exc).__name__, first_line(str(exc)) or type(exc).__name__


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
    return execute_section_kept(notebook, executed, parameters, timeout=timeout, cwd=cwd,
                                kernel=kernel)[0]


def execute_section_kept(
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
    result = SectionResult(key=notebook.stem, notebook=notebook.name, started=now())
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
    result.finished = now()
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


