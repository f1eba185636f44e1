"""Running the section notebooks for one or many LAs and assembling each LA's report.

A run validates every params file first (:func:`plan.plan_runs`), then per LA: prepares the LA's
data once (``prepare.prepare_la``, pickled to ``la.pkl`` in a private temporary folder outside
the reports tree, :mod:`private`), executes each section notebook (``notebooks/NN_*.ipynb``, in
parallel, on warm or cold kernels, :mod:`kernels`) with the papermill parameters
``params_file``, ``prepared`` and ``output_dir``, and assembles ``report.html`` and the files next
to it (``assemble.build_outputs``). Each LA's report is built in a temporary folder and renamed
into ``<out>/<la>/`` at the end, so an interrupted run never leaves a partial report.

A section that fails is recorded as failed and the report still builds, with a box where that
section would be. Nothing personal outlives a run, however it ends (:mod:`private`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from diagnostic_kit.run import private
from diagnostic_kit.run.kernels import (
    PLAIN_ENV,
    KernelPool,
    WarmKernel,
    execute_section_kept,
    first_line,
    join_workers,
)
from diagnostic_kit.run.plan import (
    DEFAULT_TIMEOUT,
    NOTEBOOKS_DIR,
    REPORTS_DIR,
    LARun,
    SectionResult,
    default_jobs,
    discover_sections,
    now,
    plan_runs,
)

Echo = Callable[[str], None]


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


def _prepare_raa(run: LARun, held: dict[str, Any], progress: Progress) -> bool:
    """Put an RAA's members' prepared data together (``prepare.prepare_raa``) and pickle it
    for the notebooks. False (the RAA failed, saying which member) when a member's data could
    not be prepared, or the RAA's own extracts cannot be used."""
    from diagnostic_kit.inputs.errors import InputError
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
            f"its data could not be prepared: {type(exc).__name__}: {first_line(str(exc))}")
        run.status, run.error = "failed", why
        progress(run.name, f"FAILED: {why}")
        return False
    _keep_private(run, la)
    progress(run.name, f"data put together in {time.perf_counter() - t0:.1f} s")
    return True


def _keep_private(run: LARun, la: Any) -> None:
    """The run's build folder made, and its prepared data pickled outside the reports tree."""
    run.build_dir.mkdir(parents=True, exist_ok=True)
    private.keep_private(run.build_dir)
    # The LA's own ids and dates of birth: outside the reports tree, this user only.
    run.prep_dir = private.private_dir(private.PREP_PREFIX)
    private.save_private(la, run.prepared)


def _prepare(run: LARun, progress: Progress, held: dict[str, Any] | None = None) -> bool:
    """Prepare the LA's data once and pickle it for the notebooks. False if it cannot be used.
    With ``held``, the prepared data is also kept there (by the run's name) for an RAA that
    the LA is a member of."""
    from diagnostic_kit.inputs.errors import InputError
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
            f"its data could not be prepared: {type(exc).__name__}: {first_line(str(exc))}")
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
    from diagnostic_kit.run import page

    kernel = _ready_kernel(pool, notebook.parent) if pool is not None else None
    res: SectionResult | None = None
    try:
        res, nb = execute_section_kept(notebook, run.build_dir / "notebooks" / notebook.name,
                                   params, timeout=timeout, kernel=kernel)
    finally:
        if kernel is not None and pool is not None:
            # Kept for the next notebook only if this one ran cleanly (and reset for it while
            # this one is rendered); else replaced.
            pool.give_back(kernel, ok=res is not None and not res.failed)
    with contextlib.suppress(Exception):  # else rendered at assembly, which reports a fault
        run.rendered[notebook.stem] = page.render_section(notebook, res, nb)
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
        private.remove_private(run.prep_dir)
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
        run.finished = now()
        assemble.write_run_json(run)
        shutil.rmtree(run.build_dir / ".work", ignore_errors=True)
        build = run.build_dir
        _swap_into_place(build, run.out_dir)
        private.release_private(build)
        run.report = run.out_dir / "report.html"
        run.build_dir = run.out_dir
        progress(run.name, f"report: {run.report}")
    except Exception as exc:  # the report could not be written: say so, keep other LAs going
        run.status, run.error = "failed", f"the report could not be assembled: {exc}"
        progress(run.name, "FAILED: no report (the reason is at the end)")
        private.remove_private(run.build_dir)
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
    with private.terminate_as_interrupt():
        private.remove_stale(out_root)
        pending: list[tuple[LARun, list[Future[SectionResult]]]] = []
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="section")
        kernels = None if plain_requested(plain) else KernelPool(Path(notebooks_dir))

        def finish(i: int = 0) -> None:
            run, futs = pending.pop(i)
            run.sections = [f.result() for f in futs]
            private.stop_requested()
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
                run.started = now()
                private.stop_requested()
                if run.raa is not None:
                    prepared = _prepare_raa(run, held, progress)
                    for m in run.members:
                        needed[m] -= 1
                        if not needed[m]:
                            held.pop(m, None)
                else:
                    prepared = _prepare(run, progress, held if needed.get(run.name) else None)
                private.stop_requested()
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
            private.kill_kernels()
            if kernels is not None:
                kernels.close()
            # Workers notice their kernel is gone within a fraction of a second; never wait
            # on one for longer than this before cleaning up.
            join_workers(pool, seconds=20)
            for run in runs:
                if run.build_dir.name.startswith(private.BUILD_PREFIX):
                    private.remove_private(run.build_dir)
            raise
        finally:
            held.clear()
            progress.close()
            if kernels is not None:
                kernels.close()
            for run in runs:
                remove_prepared(run)
            private.remove_connection_files()
        pool.shutdown(wait=True)
    if index if index is not None else len(runs) > 1:
        from diagnostic_kit.run import batch_index

        try:
            batch_index.write_batch_index(runs, out_root)
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



