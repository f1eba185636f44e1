"""The ``adoption-diagnostic`` command (also ``python -m diagnostic_kit``).

Commands: ``run`` builds reports, ``check`` validates an LA's inputs and prints the data-quality
summary, ``synth`` writes a synthetic LA, ``init`` lays out a workspace for an LA, ``templates``
writes the local extract templates, ``audits import`` reads completed audit forms into
``case_audits.csv``. Outputs go under the folder the command is started in (or
where ``--out`` says), never beside the installed package. A problem with params or inputs
prints one plain sentence to stderr and exits 2, never a traceback. Heavy modules are imported
inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from diagnostic_kit import __version__

PROG = "adoption-diagnostic"
#: Set (to anything) to see the traceback of an internal error.
DEBUG_ENV = "ADOPTION_DIAGNOSTIC_DEBUG"


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if x <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return x


#: The shortest time a notebook cell may be given: starting a kernel and drawing a chart take
#: seconds on a slow machine, so less fails every section rather than catching a hang.
MIN_TIMEOUT = 10.0


def _timeout(text: str) -> float:
    x = _positive_float(text)
    if x < MIN_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{text} seconds is too short for a notebook cell; give at least {MIN_TIMEOUT:.0f}")
    return x


def _usable_out(out_root: Path) -> str | None:
    """Why the reports folder cannot be written, in one sentence, or None. Nothing is made:
    the folder, or the nearest folder above it that exists, is tried with a real write
    (permissions alone say nothing for root or a read-only mount)."""
    import tempfile

    here = out_root
    try:
        while not here.exists() and here != here.parent:
            if here.is_symlink():
                return f"{here} is a link that leads nowhere: name a folder with --out."
            here = here.parent
        if not here.is_dir():
            return f"{here} is a file, not a folder: name a folder with --out."
        fd, probe = tempfile.mkstemp(prefix=".adk-probe-", dir=here)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return (f"the reports folder {out_root} cannot be written to ({exc.strerror or exc}): "
                "name another with --out.")
    return None


# -- run ------------------------------------------------------------------------------------------


def _skip_slow_optional_imports() -> None:
    """jsonschema (via nbformat) compiles an IRI grammar at import when the optional
    ``rfc3987_syntax`` is installed (it comes with JupyterLab): about a second of start-up for a
    format check notebooks never use. Only this command process skips it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def cmd_run(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    from diagnostic_kit import kit_files
    from diagnostic_kit.run import runner

    out_root = args.out or kit_files.default_reports_dir()
    problem = _usable_out(Path(out_root))
    if problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    notebooks = args.notebooks or kit_files.run_notebooks_dir()
    if args.notebooks is None and notebooks != kit_files.notebooks_dir():
        print(f"Using the section notebooks in {notebooks}")
    runs = runner.run_reports(
        args.params,
        out_root=out_root,
        jobs=args.jobs,
        timeout=args.timeout,
        notebooks_dir=notebooks,
        plain=True if args.plain else None,
        pdf=args.pdf,
    )
    code, problems = runner.summarise(runs)
    if len(runs) == 1 and runs[0].status == "failed":
        # One LA that could not be read: the one plain sentence, as for a params problem.
        print(f"{PROG}: {runs[0].error}", file=sys.stderr)
        return code
    built = [r for r in runs if r.report is not None]
    for r in built:
        if r.pdf_outcome == "written":
            print(f"[{r.name}] PDF: {r.report.with_suffix('.pdf')}")
        elif r.pdf_outcome:
            print(r.pdf_outcome, file=sys.stderr)
    if built:
        print("Reports:")
        for r in built:
            print(f"  {r.report}")
            if r.pdf_outcome == "written":
                print(f"  {r.report.with_suffix('.pdf')}")
                print(f"  {r.report.with_name('report-annex.pdf')}")
    if problems:
        print("Failed:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
    return code


# -- check ----------------------------------------------------------------------------------------


def format_dq_summary(dq: object, la_name: str) -> str:
    """The data-quality summary ``check`` prints: rows per file, then findings by rule."""
    import pandas as pd

    acc: pd.DataFrame = dq.accounting  # type: ignore[attr-defined]
    lines = [f"Data quality: {la_name}", ""]
    if acc.empty:
        lines.append("No input rows were read.")
    else:
        w = max(len("file"), *(len(str(f)) for f in acc["file"]))
        lines.append(f"{'file':<{w}}  {'read':>7}  {'used':>7}  {'excluded':>8}  reasons")
        for r in acc.itertuples(index=False):  # one line per input file, not per child
            reasons = "" if pd.isna(r.reasons) else str(r.reasons)
            lines.append(f"{r.file:<{w}}  {r.rows_read:>7,}  {r.rows_used:>7,}  "
                         f"{r.rows_excluded:>8,}  {reasons}".rstrip())
        total = acc[["rows_read", "rows_used", "rows_excluded"]].sum()
        lines.append(
            f"\nIn all: {int(total.rows_read):,} rows read = {int(total.rows_used):,} used + "
            f"{int(total.rows_excluded):,} excluded."
        )
    from diagnostic_kit.measures.data_quality import findings_by_rule

    by_rule: pd.DataFrame = findings_by_rule(dq.findings)  # type: ignore[attr-defined]
    lines.append("")
    if by_rule.empty:
        lines.append("Findings by rule: none.")
    else:
        lines.append("Findings by rule:")
        lines.append(by_rule.to_string(index=False))
    missing: pd.DataFrame = dq.missing_extracts  # type: ignore[attr-defined]
    if not missing.empty:
        lines.append("")
        lines.append("Optional extracts not supplied:")
        lines += [f"  {m}" for m in missing["message"]]
    dropped: pd.DataFrame = dq.dropped_columns  # type: ignore[attr-defined]
    if not dropped.empty:
        lines.append("")
        lines.append(f"Columns dropped: {len(dropped)} (see data_quality.csv after a run).")
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from diagnostic_kit.inputs.params import is_raa_file, load_params
    from diagnostic_kit.run.prepare import prepare_la

    if is_raa_file(args.params):
        return check_raa(args.params)
    params = load_params(args.params)
    la = prepare_la(params)
    print(format_dq_summary(la.dq, params.la_name))
    return 0


def check_raa(params_file: str) -> int:
    """``check`` of a regional adoption agency: each member's inputs, then the RAA's own
    extracts, each summary as an LA's."""
    from diagnostic_kit.inputs.params import load_raa
    from diagnostic_kit.run.prepare import ensure_raa_synthetic, prepare_la, raa_own_extracts

    raa = load_raa(params_file)
    for m in raa.members:
        print(format_dq_summary(prepare_la(m).dq, m.la_name))
        print()
    ensure_raa_synthetic(raa)
    print(format_dq_summary(raa_own_extracts(raa.params).dq,
                            f"{raa.params.la_name} (the RAA's own extracts)"))
    return 0


# -- synth ----------------------------------------------------------------------------------------


def cmd_synth(args: argparse.Namespace) -> int:
    from diagnostic_kit.synth import generate, write_params

    kwargs = {k: getattr(args, k) for k in ("seed", "size", "years", "last_year", "la_name",
                                            "la_code") if getattr(args, k) is not None}
    out = Path(args.out)
    try:
        s = generate(out, with_errors=args.with_errors, format=args.format, **kwargs)
    except ValueError as exc:  # an option out of range, e.g. too few children
        print(f"{PROG}: {exc}.", file=sys.stderr)
        return 2
    print(f"Synthetic LA written to {out}: {s.children:,} children in "
          f"{len(s.years)} collection years ({s.years[0]} to {s.years[-1]}), "
          f"{s.looked_after_latest_year:,} looked after in the latest year, "
          f"{s.episodes:,} episodes, {s.adoptions:,} adoptions"
          + (f", {s.errors:,} injected errors (listed in injected_errors.csv)" if s.errors
             else "") + ".")
    if args.params_out:
        pkw = {k: kwargs[k] for k in ("la_name", "la_code", "last_year", "seed") if k in kwargs}
        pkw.setdefault("la_name", "Synthetic LA")
        pkw.setdefault("la_code", "999")
        write_params(Path(args.params_out), data_dir=out.resolve(), **pkw)
        print(f"Params written to {args.params_out}")
    return 0


# -- init -----------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from diagnostic_kit.run.workspace import WorkspaceError, init_workspace

    try:
        ws = init_workspace(args.dir, la_name=args.la_name, la_code=args.la_code,
                            notebooks=args.notebooks)
    except WorkspaceError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    root = ws.root
    print(f"Workspace for {ws.slug} laid out in {root}:")
    print(f"  {root / 'params' / (ws.slug + '.yaml')}   the LA's params: check name, code, period")
    print(f"  {root / 'data' / ws.slug / '903'}   put the SSDA903 returns here, a folder a year")
    print(f"  {root / 'data' / ws.slug / 'local'}   local extracts, from {root / 'data_templates'}")
    if args.notebooks:
        print(f"  {root / 'notebooks'}   the section notebooks: `run` here uses them")
    print(f"Next: cd {root} && {PROG} run demo   (then: {PROG} check {ws.slug})")
    return 0


# -- parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from diagnostic_kit.run.plan import DEFAULT_TIMEOUT, default_jobs

    p = argparse.ArgumentParser(
        prog=PROG,
        description="Measure how well an English local authority finds adoptive families for "
                    "children, and write it up as a narrative HTML report.",
    )
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run", help="build the report of one or more LAs",
        description="Check every params file, prepare each LA's data once, run the section "
                    "notebooks (in parallel) and write ./reports/<la>/report.html with "
                    "metrics.json, tables.xlsx, data_quality.csv, run.json and internal/ (the "
                    "pseudonym key, not to be shared). "
                    "Exit 0: all built; 1: a section failed (its report still built); "
                    "2: a params or input problem.",
    )
    run.add_argument("params", nargs="+", metavar="PARAMS",
                     help="params YAML file(s), or names: demo is ./params/demo.yaml if there "
                          "is one, else the kit's own demo")
    run.add_argument("--jobs", "-j", type=_positive_int, default=default_jobs(), metavar="N",
                     help="section notebooks run at once (default: the number of cores, "
                          f"{default_jobs()})")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="where each LA's folder is written (default: reports/ of the current "
                          "folder)")
    run.add_argument("--timeout", type=_timeout, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"time limit per notebook cell (default: {DEFAULT_TIMEOUT})")
    run.add_argument("--notebooks", type=Path, default=None, metavar="DIR",
                     help="folder of section notebooks NN_name.ipynb (default: ./notebooks if "
                          "it holds them, as in a workspace made by init --notebooks; else the "
                          "kit's own)")
    run.add_argument("--plain", action="store_true",
                     help="run each section notebook in its own new kernel, as papermill does "
                          "alone (slower; the default reuses warm kernels, reset between "
                          "notebooks; also ADK_PLAIN=1)")
    run.add_argument("--pdf", action="store_true",
                     help="also print each report to report.pdf (A4) beside report.html, with "
                          "the system Chromium (Debian's chromium package)")
    run.set_defaults(func=cmd_run)

    check = sub.add_parser(
        "check", help="validate an LA's inputs and print the data-quality summary",
        description="Load and validate one LA's inputs (no report is written) and print rows "
                    "read/used/excluded per file and the findings by rule.",
    )
    check.add_argument("params", metavar="PARAMS",
                       help="a params YAML file, or a name: ./params/<name>.yaml if there is "
                            "one, else the kit's own (demo)")
    check.set_defaults(func=cmd_check)

    synth = sub.add_parser(
        "synth", help="write a synthetic LA's input files",
        description="Generate a fictional LA's 903 returns and local extracts, for trying the "
                    "kit and for tests. Nothing in it is real.",
    )
    synth.add_argument("--out", default="data/synthetic", metavar="DIR",
                       help="folder to write (default: data/synthetic)")
    synth.add_argument("--seed", type=int, default=None, help="random seed (default: 2026)")
    synth.add_argument("--size", type=_positive_int, default=None,
                       help="children looked after at any time in the latest collection year "
                            "(default: 400, a mid-sized LA)")
    synth.add_argument("--years", type=_positive_int, default=None,
                       help="collection years of 903 returns (default: 6)")
    synth.add_argument("--last-year", type=int, default=None, metavar="YEAR",
                       help="ending year of the last collection year (default: 2026)")
    synth.add_argument("--la-name", default=None, help="the LA's name")
    synth.add_argument("--la-code", default=None, help="the LA's code")
    synth.add_argument("--with-errors", action="store_true",
                       help="seed data-quality problems, to see how the kit reports them")
    synth.add_argument("--format", choices=("csv", "xml", "mixed"), default="csv",
                       help="write the 903 returns as CSV files (default), as the DfE XML return "
                            "(903/<year>/ssda903.xml), or mixed: XML and CSV years in turn")
    synth.add_argument("--params-out", default=None, metavar="FILE",
                       help="also write a params YAML for the synthetic LA")
    synth.set_defaults(func=cmd_synth)

    templates = sub.add_parser(
        "templates", help="write the local extract templates, the data dictionary and the "
        "rule catalogue",
        description="Regenerate data_templates/ (the local extract templates, "
                    "data_dictionary.md and data_dictionary.csv) from the kit's schema, and "
                    "rules.csv (every validation rule) from the rule registry.",
    )
    templates.add_argument("--out", default=None, metavar="DIR",
                           help="folder to write (default: the checkout's data_templates/; "
                                "for an installed kit, ./data_templates)")
    templates.add_argument("--check", action="store_true",
                           help="only check that the folder is up to date (exit 1 if not)")
    templates.set_defaults(func=cmd_templates)

    init = sub.add_parser(
        "init", help="lay out a workspace folder for an LA",
        description="Make DIR/params/<la>.yaml (the LA's params, commented), DIR/params/demo.yaml, "
                    "DIR/data/<la>/903/ and DIR/data/<la>/local/ for its data, DIR/data_templates/ "
                    "(the local extract templates and the data dictionary) and DIR/README.md; "
                    "with --notebooks, a copy of the section notebooks to edit. Run the kit from "
                    "DIR afterwards. Never overwrites a file.",
    )
    init.add_argument("dir", metavar="DIR", type=Path, help="the workspace folder (made if absent)")
    init.add_argument("--la-name", default=None, metavar="NAME",
                      help="the LA's name; its files are named after it (default: from DIR)")
    init.add_argument("--la-code", default=None, metavar="CODE",
                      help="the LA's ONS code, e.g. E06000999 (default: a placeholder to replace)")
    init.add_argument("--notebooks", action="store_true",
                      help="also copy the section notebooks into DIR/notebooks/, which run uses "
                           "when started in DIR")
    init.set_defaults(func=cmd_init)

    audits = sub.add_parser(
        "audits", help="case audit forms: import completed Word forms",
        description="Work with the adoption-support case quality audit forms.")
    audits_sub = audits.add_subparsers(dest="audits_command", metavar="ACTION", required=True)
    imp = audits_sub.add_parser(
        "import", help="read completed .docx audit forms into case_audits.csv",
        description="Read completed audit forms (.docx, laid out like the LA's adoption-support "
                    "audit form) into one case_audits.csv row each. A form whose overall grade "
                    "or score cannot be read is listed with the reason and left out; the "
                    "child's name and date of birth are never read. Exit 0: every form read; "
                    "1: some forms left out (the CSV holds the others); 2: nothing to read, or "
                    "--out exists (use --force).")
    imp.add_argument("forms", nargs="+", metavar="FORMS_OR_FOLDER",
                     help=".docx files, or folders of them")
    imp.add_argument("--params", default=None, metavar="PARAMS",
                     help="the LA whose local/case_audits.csv to write (default: the one LA of "
                          "the workspace's params/, if it has one)")
    imp.add_argument("--out", type=Path, default=None, metavar="FILE",
                     help="the CSV to write (default: the LA's local/case_audits.csv, see "
                          "--params; else ./case_audits.csv)")
    imp.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    imp.set_defaults(func=cmd_audits_import)
    return p


def _audits_out(args: argparse.Namespace) -> Path:
    """Where ``audits import`` writes: ``--out``; else the LA's ``local/case_audits.csv`` (the
    ``--params`` LA, or the workspace's one LA other than the demo), where the run reads it;
    else ``./case_audits.csv``."""
    if args.out is not None:
        return args.out
    from diagnostic_kit.inputs.params import load_params

    name = args.params
    if name is None:
        found = [p for p in sorted(Path("params").glob("*.yaml")) if p.stem != "demo"]
        name = found[0] if len(found) == 1 else None
    if name is None:
        return Path("case_audits.csv")
    return load_params(name, check_data_dir=False).local_dir / "case_audits.csv"


def cmd_audits_import(args: argparse.Namespace) -> int:
    from diagnostic_kit.inputs.audit_forms import form_files, read_forms

    args.out = _audits_out(args)
    absent = [f for f in args.forms if not Path(f).exists()]
    if absent:
        print(f"{PROG}: {', '.join(absent)} does not exist: name completed forms (.docx) or a "
              "folder that holds them.", file=sys.stderr)
        return 2
    files = form_files(args.forms)
    if not files:
        print(f"{PROG}: no .docx forms found in {', '.join(args.forms)}.", file=sys.stderr)
        return 2
    if args.out.exists() and not args.force:
        print(f"{PROG}: {args.out} exists; use --force to overwrite it.", file=sys.stderr)
        return 2
    from diagnostic_kit.present.spreadsheets import formula_safe_frame

    result = read_forms(files)
    if not result.read:
        # Nothing read: no header-only file for the run to mistake for an extract.
        print(f"{PROG}: none of the {len(files):,} forms could be read, so {args.out} was not "
              "written:", file=sys.stderr)
        for name, reason in result.not_read:
            print(f"  {name}: {reason}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # Text typed into a form that a spreadsheet could run as a formula is written as text.
    formula_safe_frame(result.rows).to_csv(args.out, index=False, lineterminator="\n",
                                           encoding="utf-8")
    total = result.read + len(result.not_read)
    print(f"Read {result.read:,} of {total:,} forms into {args.out.resolve()}; "
          f"{len(result.not_read):,} could not be read"
          + (" and were left out:" if result.not_read else "."))
    for name, reason in result.not_read:
        print(f"  {name}: {reason}")
    if result.notes:
        print("Fields left blank in forms that were read:")
        for name, note in result.notes:
            print(f"  {name}: {note}" if name else f"  {note}")
    if args.out.parent.name != "local":
        print("To use it, put it in the LA's data folder as local/case_audits.csv.")
    return 1 if result.not_read else 0


def cmd_templates(args: argparse.Namespace) -> int:
    from diagnostic_kit import kit_files, rules
    from diagnostic_kit.inputs.templates import main as templates_main

    out = args.out or str(kit_files.templates_out_dir())
    argv = ["--out", out, *(["--check"] if args.check else [])]
    # The rule catalogue, generated from the registry, beside the templates.
    return templates_main(argv, extra={rules.CATALOGUE_FILE: rules.catalogue_csv()})


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the exit code (0 ok, 1 a section failed, 2 a usage/params/input
    problem, 3 an internal error)."""
    args = build_parser().parse_args(argv)
    from diagnostic_kit.inputs.params import ParamsError

    try:
        return int(args.func(args) or 0)
    except (ParamsError, FileNotFoundError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; no partial report was left.", file=sys.stderr)
        return 130
    except Exception as exc:
        from diagnostic_kit.inputs.errors import InputError

        if isinstance(exc, InputError):
            print(f"{PROG}: {exc}", file=sys.stderr)
            return 2
        # A fault in the kit, not in the data: one sentence for the user, and the traceback
        # (for whoever mends the kit) on request.
        if os.environ.get(DEBUG_ENV):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"{PROG}: the kit stopped on an internal error ({type(exc).__name__}"
              f"{': ' + first if first else ''}). This is a fault in the kit, not in your "
              f"data: please report it. Set {DEBUG_ENV}=1 to see where it happened.",
              file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
