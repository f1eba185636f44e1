"""Nothing personal outlives a run: the private folders a run makes, the kernels it starts,
and their removal however the run ends.

The prepared data (the LA's own child ids and dates of birth) sits in a folder made by
``tempfile.mkdtemp`` (mode 0700, the file 0600) named ``adk-prep-<owner>-…``, where ``<owner>`` is
this process's id and start time; the runner removes it once the LA's report is assembled, and
on failure, Ctrl-C, SIGTERM/SIGHUP (turned into :class:`Terminated`, a KeyboardInterrupt, inside
:func:`terminate_as_interrupt`) and at exit (:func:`cleanup_private`). Kernel connection files
and the IPC socket folder are removed the same way. A run first removes what an earlier run
killed outright (SIGKILL, power cut) left behind: ``.building-*`` folders in the output folder,
and prep and socket folders and kernel connection files of ours whose owning process is gone
(:func:`remove_stale`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pickle
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def remove_private(path: Path) -> None:
    """Remove a private folder now, and forget it."""
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
        remove_private(p)


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


def ipc_dir() -> Path:
    """A private folder (mode 700) for this process's kernel sockets, removed at exit.

    Short, under the system temp folder: a Unix socket path must stay under ~100 bytes.
    """
    global _IPC_DIR
    if _IPC_DIR is None or not _IPC_DIR.is_dir():
        _IPC_DIR = private_dir(IPC_PREFIX)
    return _IPC_DIR




def keep_private(path: Path) -> None:
    """Remove ``path`` (a folder this process made) at exit at the latest."""
    with _PRIVATE_LOCK:
        _PRIVATE.add(path)


def release_private(path: Path) -> None:
    """``path`` is no longer private (a build folder moved into place as the report)."""
    with _PRIVATE_LOCK:
        _PRIVATE.discard(path)


def track_kernel(proc: Any, connection_file: str | None) -> None:
    """A kernel this process started: its process, to kill on an interrupt, and its
    connection file, to remove at exit."""
    if connection_file:
        with _PRIVATE_LOCK:
            _CONNECTION_FILES.add(Path(connection_file))
    if proc is not None:
        with _KERNELS_LOCK:
            for done in [p for p in _KERNELS if p.poll() is not None]:
                _KERNELS.discard(done)
            _KERNELS.add(proc)


def forget_kernel(proc: Any, files: list[Path]) -> None:
    """A kernel stopped and its files removed: nothing left to clean up for it."""
    with _KERNELS_LOCK:
        _KERNELS.discard(proc)
    with _PRIVATE_LOCK:
        _CONNECTION_FILES.difference_update(files)
