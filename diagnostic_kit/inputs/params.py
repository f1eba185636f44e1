"""An LA's run parameters: one YAML per LA over shared defaults.

``params/defaults.yaml`` holds the standards, scorecard thresholds and national comparators, each
with its period and source. An LA's YAML names the LA, its code, the reporting period and its data
folder, and may override any default under the same keys. Params are checked before any notebook
runs; a problem is one plain sentence (:class:`ParamsError`), never a traceback.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from diagnostic_kit import kit_files

PARAMS_DIR = kit_files.params_dir()
DEFAULTS_FILE = kit_files.defaults_file()


class ParamsError(ValueError):
    """A params file that cannot be used; the message is one sentence for the analyst."""


class Synthetic(BaseModel):
    """How to generate the data of a synthetic LA on first use."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 2026
    size: int = Field(400, gt=0)
    years: int = Field(6, ge=1, le=15)
    with_errors: bool = False
    #: The 903 returns as CSV files, as the DfE XML, or mixed (XML and CSV years in turn).
    format: Literal["csv", "xml", "mixed"] = "csv"
    #: Which local extracts to write: ``all`` of them, or only the ``children``'s
    #: (permanence plans, health needs, comparators), as an LA in a regional adoption agency
    #: holds them: its RAA holds the adopters, staffing, costs and case audits.
    extracts: Literal["all", "children"] = "all"

    def describe(self) -> str:
        """How the data was made, for section 8's parameters."""
        return f"yes (seed {self.seed}, {self.size} children, {self.years} years)"


class _Group(BaseModel):
    """A fixed set of named items (a misspelt name is refused), readable like a mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def __getitem__(self, name: str) -> Any:
        if name not in type(self).model_fields:
            raise KeyError(f"{type(self).__name__} has no {name!r}")
        return getattr(self, name)

    def items(self) -> list[tuple[str, Any]]:
        return [(name, getattr(self, name)) for name in type(self).model_fields]


class Standard(BaseModel):
    """A drift standard: days, how it is said ("6 months") and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    days: int = Field(gt=0)
    label: str
    basis: str

    @property
    def adjective(self) -> str:
        """The label as an adjective: "6 months" → "6-month"; without a label, "183-day"."""
        parts = self.label.split()
        if len(parts) == 2 and parts[0].isdigit():
            return f"{parts[0]}-{parts[1].rstrip('s')}"
        return self.label or f"{self.days}-day"


class Standards(_Group):
    """The child-journey standards (local practice defaults, not statute)."""

    entry_to_iro: Standard
    iro_to_adm: Standard
    adm_to_po: Standard
    po_to_placement: Standard
    placement_to_ao: Standard
    po_to_match: Standard
    entry_to_moved_in: Standard


class Benchmark(BaseModel):
    """A published figure: its value, the period it is for (in words, and the day it ended),
    its source and the publication it was read from, and whether it has been confirmed against
    that publication. A figure not confirmed may be shown but never decides a rating."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float | None = Field(ge=0)
    period: str = ""
    #: The last day of the period the figure covers (31 March of the year it names).
    period_end: dt.date | None = None
    source: str = ""
    publication: str = ""
    confirmed: bool = True

    @field_validator("period", "source", "publication", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> str:
        return "" if v is None else str(v)

    @property
    def known(self) -> bool:
        return self.value is not None


class Thresholds(_Group):
    """DfE adoption scorecard thresholds, in days."""

    a1_days: Benchmark
    a2_days: Benchmark
    a3_days: Benchmark


class Comparators(_Group):
    """National figures for England."""

    a1_mean_days: Benchmark
    a2_mean_days: Benchmark
    a10_mean_days: Benchmark
    children_adopted: Benchmark
    adopted_share_of_leavers_pct: Benchmark
    mean_age_at_adoption_years: Benchmark
    entry_to_adoption_days: Benchmark
    three_plus_placements_pct: Benchmark


class Target(BaseModel):
    """A local target for a measure no national figure rates: its value, which way is better,
    how it is said and its basis. The kit's defaults are marked as such in the report; an LA
    sets its own in its params file."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float = Field(ge=0)
    better: Literal["lower", "higher"] = "higher"
    label: str
    basis: str


class Targets(_Group):
    """Local targets (kit defaults, not national figures) for the measures that have no
    national benchmark in force."""

    early_permanence_pct: Target
    adopter_approval_within_6_months_pct: Target
    audits_good_or_better_pct: Target
    audit_child_protected_yes_pct: Target
    placed_within_12_months_of_adm_pct: Target
    po_waiting_18m_children: Target


class TimeStandard(BaseModel):
    """A timescale in its own unit (``working_days``, ``days``, ``weeks`` or calendar
    ``months``), how it is said ("8 weeks") and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: int = Field(gt=0)
    unit: Literal["working_days", "days", "weeks", "months"]
    label: str
    basis: str

    @property
    def adjective(self) -> str:
        """The label as an adjective: "6 months" → "6-month", "5 working days" stays."""
        parts = self.label.split()
        if len(parts) == 2 and parts[0].isdigit():
            return f"{parts[0]}-{parts[1].rstrip('s')}"
        return self.label


class AdopterStandards(_Group):
    """Adopter-journey timescales (statute and guidance)."""

    roi_decision: TimeStandard
    stage1: TimeStandard
    stage2: TimeStandard
    approval_from_registration: TimeStandard
    match_from_approval: TimeStandard
    match_from_approval_long: TimeStandard


_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def check_financial_year(label: Any) -> str:
    """``label`` as a financial year ``2024-25`` (April to March), or ValueError."""
    text = str(label).strip()
    m = _FINANCIAL_YEAR.match(text)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"{text!r} is not a financial year written like 2024-25")
    return text


class FeeByYear(BaseModel):
    """A fee set per financial year (pounds): each year's figure, where it comes from, and
    whether a year not listed takes the latest earlier figure.

    ``by_year`` maps a financial year (``2025-26``) to its fee; ``null`` says the year's figure
    is not confirmed. With ``holds_until_changed`` a listed figure holds for the years after it
    until the next one listed (a fee unchanged for years); without it a year not listed is not
    known (a fee uprated every year), so it is shown as not confirmed and nothing is compared
    with it. ``period`` describes the figures ("since 2011"), ``source`` names where they come
    from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    by_year: dict[str, float | None]
    holds_until_changed: bool = False
    period: str = ""
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _no_single_value(cls, data: Any) -> Any:
        if isinstance(data, dict) and "value" in data:
            raise ValueError("give the fee per financial year under 'by_year' "
                             "(e.g. by_year: {2024-25: 27000}), not as one 'value'")
        return data

    @field_validator("period", "source", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> str:
        return "" if v is None else str(v)

    @field_validator("by_year", mode="before")
    @classmethod
    def _years(cls, v: Any) -> Any:
        if not isinstance(v, dict) or not v:
            raise ValueError("by_year must map financial years (2024-25) to fees")
        out = {}
        for year, fee in v.items():
            if fee is not None and (isinstance(fee, bool) or not isinstance(fee, int | float)
                                    or fee < 0):
                raise ValueError(f"the fee for {year} must be a number of pounds, or null")
            out[check_financial_year(year)] = fee
        return dict(sorted(out.items()))

    def listed_year(self, year: str) -> str | None:
        """The listed year whose figure is the fee of ``year``: ``year`` itself if listed, else
        (with ``holds_until_changed``) the latest listed year before it; None if neither."""
        year = check_financial_year(year)
        if year in self.by_year:
            return year
        if not self.holds_until_changed:
            return None
        earlier = [y for y in self.by_year if y < year]
        return earlier[-1] if earlier else None

    def value_for(self, year: str) -> float | None:
        """The fee of financial year ``year``, or None where it is not confirmed."""
        listed = self.listed_year(year)
        return None if listed is None else self.by_year[listed]

    def known(self, year: str) -> bool:
        """Whether the fee of ``year`` is confirmed (see the class)."""
        return self.value_for(year) is not None

    @property
    def latest(self) -> tuple[str, float] | None:
        """The latest listed year with a confirmed figure, and the figure."""
        known = [(y, v) for y, v in self.by_year.items() if v is not None]
        return known[-1] if known else None

    def basis(self, year: str) -> str:
        """How the fee of ``year`` is known, in words: "confirmed for 2025-26", "unchanged
        since 2011-12" (a figure held from an earlier year), or "not confirmed"."""
        listed = self.listed_year(year)
        if listed is None or self.by_year[listed] is None:
            return "not confirmed"
        if listed == year:
            return f"confirmed for {year}"
        return f"unchanged since {listed}"


class Costs(_Group):
    """Interagency fees by financial year, and unit-cost reference points, in pounds."""

    interagency_fee_la: FeeByYear
    interagency_fee_la_london: FeeByYear
    interagency_fee_vaa: FeeByYear
    selwyn_cost_of_placing: Benchmark


class UnderFives(_Group):
    """Section 4's cohorts: the latest entry window is the 12 months ending
    ``years_looked_after`` years before the reference date; ``legal_status_drift_children`` is
    the standard for children still on an interim care order (C1) or accommodated under s20
    (V2) on that anniversary (more is rated red or amber by the one rule)."""

    years_looked_after: int = Field(gt=0)
    legal_status_drift_children: int = Field(ge=0)


class Params(BaseModel):
    """One LA's parameters, merged over the shared defaults."""

    model_config = ConfigDict(extra="forbid")

    la_name: str
    la_code: str
    period_start: dt.date
    period_end: dt.date
    data_dir: Path
    #: Only for synthetic LAs: the data is generated here by ``synth`` if the folder is absent.
    synthetic: Synthetic | None = None
    #: Counts below this are shown as "<N" in rendered outputs (DfE convention: 5); 0 = off.
    suppress_below: int = Field(0, ge=0)
    #: The protective marking printed on every page of the PDF and shown on screen; by default
    #: OFFICIAL-SENSITIVE (children's records, by pseudonym), OFFICIAL when small numbers are
    #: suppressed for sharing (:attr:`marking`).
    protective_marking: str | None = Field(None, max_length=40)
    #: Optional groups for a batch's index (reports/index.html groups LAs by them).
    region: str | None = None
    raa: str | None = None
    standards: Standards
    thresholds: Thresholds
    comparators: Comparators
    targets: Targets
    adopter_standards: AdopterStandards
    costs: Costs
    under_fives: UnderFives
    #: Where the params came from, for run.json and messages.
    source_file: Path | None = None

    @field_validator("la_code", mode="before")
    @classmethod
    def _code_as_text(cls, v: Any) -> str:
        return str(v)

    @field_validator("la_name", "la_code", "protective_marking")
    @classmethod
    def _plain_line(cls, v: str | None, info: Any) -> str | None:
        """A name, code or marking is one line of plain text of a sensible length: it is set in
        every heading, chart footnote, printed page and file the report writes."""
        if v is None and info.field_name == "protective_marking":
            return None
        v = str(v).strip()
        if not v:
            raise ValueError("it is empty")
        limit = {"la_name": MAX_NAME, "la_code": 20}.get(info.field_name, 40)
        if len(v) > limit:
            raise ValueError(f"it is {len(v):,} characters long; at most {limit} are allowed")
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in v):
            raise ValueError("it holds a line break or another control character; write it "
                             "on one line")
        return v

    @model_validator(mode="after")
    def _period_in_order(self) -> Params:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"period_end ({self.period_end}) must be after period_start ({self.period_start})"
            )
        return self

    @property
    def marking(self) -> str:
        """The protective marking in force (see ``protective_marking``)."""
        if self.protective_marking:
            return self.protective_marking.strip()
        return "OFFICIAL" if self.suppress_below else "OFFICIAL-SENSITIVE"

    @property
    def reference_date(self) -> dt.date:
        """The end of the reporting period: status and drift are measured at this date."""
        return self.period_end

    @property
    def slug(self) -> str:
        """A folder-safe name for the LA's outputs."""
        src = self.source_file.stem if self.source_file else self.la_code
        return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in src)

    @property
    def ssda903_dir(self) -> Path:
        return self.data_dir / "903"

    @property
    def local_dir(self) -> Path:
        return self.data_dir / "local"

    def standard_days(self, stage: str) -> int:
        return self.standards[stage].days


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_params_path(name_or_path: str | Path) -> Path:
    """A params file path. A bare name such as ``demo`` is ``params/demo.yaml`` of the current
    folder if there is one (or of its parent: a notebook runs in a workspace's ``notebooks/``),
    else the kit's own ``params/demo.yaml`` (the checkout's, or the installed copy's)."""
    p = Path(name_or_path).expanduser()
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    here = Path.cwd()
    for folder in (here / "params", here.parent / "params"):
        if (folder / f"{p.name}.yaml").is_file():
            return folder / f"{p.name}.yaml"
    if (PARAMS_DIR / f"{p.name}.yaml").is_file():
        return PARAMS_DIR / f"{p.name}.yaml"
    # Not found anywhere: name where it would be in the folder the analyst is working in (never
    # the kit's own folder, which an installed kit keeps inside site-packages).
    return here / "params" / f"{p.name}.yaml"


def _resolve_data_dir(value: Any, params_file: Path, synthetic: bool) -> Path:
    try:
        return _resolve(value, params_file, synthetic)
    except (RuntimeError, OSError) as exc:  # a symlink loop, a path too long for the system
        raise ParamsError(f"The data folder {value} named by {params_file} cannot be used: "
                          f"{getattr(exc, 'strerror', None) or exc}.") from None


def _resolve(value: Any, params_file: Path, synthetic: bool) -> Path:
    """``data_dir`` relative to its params file. The kit's own demo (a synthetic LA), used from a
    folder outside the kit's checkout or installed copy, generates its data under the current
    folder instead, as if its params file were ``./params/demo.yaml``: ``./data/demo``, never
    inside site-packages or a clone the command was not started in."""
    rel = Path(str(value)).expanduser()
    home = kit_files.checkout_root() or kit_files.PACKAGE_DIR
    kits_own = (params_file.is_relative_to(kit_files.BUNDLE_DIR)
                or params_file.is_relative_to(home / "params"))
    if synthetic and kits_own and not rel.is_absolute() and not Path.cwd().is_relative_to(home):
        return (Path.cwd() / "params" / rel).resolve()
    return (params_file.parent / rel).resolve()


def default_values() -> dict[str, Any]:
    """The shared defaults as written in ``params/defaults.yaml`` (to say which figures an LA
    changed): a copy of the file as read once (sentences ask for it figure by figure, and an
    RAA's report once per member)."""
    return copy.deepcopy(_defaults_as_written(DEFAULTS_FILE.stat().st_mtime_ns))


@functools.lru_cache(maxsize=1)
def _defaults_as_written(mtime_ns: int) -> dict[str, Any]:
    """The defaults file read once per version of it (``mtime_ns``: an edit reads it again)."""
    return _read_yaml(DEFAULTS_FILE)


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates (pydantic parses them, with a clear message when bad) and
    without aliases: a params file has no use for them, and a few aliases nested in a small
    file expand to gigabytes ("billion laughs")."""

    def compose_node(self, parent, index):  # noqa: ANN001, D102 - PyYAML's hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.start_mark)
        return super().compose_node(parent, index)


class _AliasRefused(Exception):
    def __init__(self, mark) -> None:  # noqa: ANN001
        self.mark = mark


#: A params file is a few kilobytes; anything this large is not one.
MAX_PARAMS_BYTES = 1024 * 1024
#: The longest LA name the report sets out (the longest English council name is under 60).
MAX_NAME = 120


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        if path.is_file() and path.stat().st_size > MAX_PARAMS_BYTES:
            raise ParamsError(f"The params file {path} is {path.stat().st_size:,} bytes, far "
                              "more than a params file holds.")
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)  # noqa: S506
    except _AliasRefused as exc:
        raise ParamsError(f"The params file {path} uses a YAML alias (*) at line "
                          f"{exc.mark.line + 1}: write each value out in full.") from None
    except UnicodeDecodeError:
        raise ParamsError(f"The params file {path} is not UTF-8 text.") from None
    except IsADirectoryError:
        raise ParamsError(f"The params file {path} is a folder, not a file.") from None
    except FileNotFoundError:
        raise ParamsError(f"The params file {path} does not exist.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ParamsError(f"The params file {path} is not valid YAML{where}.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"The params file {path} must be a mapping of keys to values.")
    return data


def _model_at(loc: tuple, root: Any = None) -> Any:
    """The params model a key path leads to (None where it leads to a value)."""
    model: Any = root or Params
    for part in loc:
        field = model.model_fields.get(str(part)) if hasattr(model, "model_fields") else None
        model = field.annotation if field is not None else None
        if model is None:
            return None
    return model


def _suggest(loc: tuple, root: Any = None) -> str:
    """", did you mean 'entry_to_iro'?" for a misspelt key, from the model's own field names."""
    import difflib

    model: Any = root or Params
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if hasattr(model, "model_fields") else None
        model = field.annotation if field is not None else None
        if model is None:
            return ""
    names = list(getattr(model, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _explain(exc: ValidationError, path: Path, model: Any = None) -> str:
    # An unknown key usually explains a missing one (a misspelling): say that first.
    err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        at = _model_at(tuple(err["loc"][:-1]), model)
        keys = ", ".join(getattr(at, "model_fields", {}))
        where = f"under '{'.'.join(map(str, err['loc'][:-1]))}'" if len(err["loc"]) > 1 \
            else "at the top"
        return (f"The params file {path} has an unknown key '{loc}'"
                f"{_suggest(err['loc'], model)}; the keys {where} are: {keys}.")
    if err["type"] == "missing":
        if len(err["loc"]) == 1:
            return (f"The params file {path} is missing the key '{loc}': every LA's params file "
                    "gives la_name, la_code, period_start, period_end and data_dir.")
        return f"The params file {path} is missing the key '{loc}'."
    if "date" in err["type"]:
        return (
            f"The params file {path} has a bad date for '{loc}' ({err.get('input')!r}): "
            "write a real date as yyyy-mm-dd."
        )
    msg = err["msg"].removeprefix("Value error, ")
    return f"The params file {path} has a bad value for '{loc}': {msg}."


def load_params(name_or_path: str | Path, *, check_data_dir: bool = True) -> Params:
    """Read an LA's params over the shared defaults and check them.

    ``data_dir`` is relative to the params file. The data folder must exist unless the LA is
    synthetic (its data is generated on first use).
    """
    path = resolve_params_path(name_or_path).resolve()
    own = _read_yaml(path)
    if "raa_name" in own:  # an RAA's file whose members are missing (or misspelt)
        raise ParamsError(f"The params file {path} names an RAA (raa_name) but lists no "
                          f"'{MEMBERS_KEY}': list its member LAs' params files under "
                          f"'{MEMBERS_KEY}'; see params/raa-demo.yaml.")
    merged = _with_defaults(own, path)
    try:
        params = Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, path)) from None
    if check_data_dir and params.synthetic is None:
        _check_data_dir(params.data_dir, path)
    return params


def _with_defaults(own: dict, path: Path) -> dict:
    """A params file's own keys over the shared defaults, its data folder resolved against the
    file's folder, and the file itself recorded (``source_file``)."""
    merged = _deep_merge(_read_yaml(DEFAULTS_FILE), own)
    if "data_dir" in merged:
        merged["data_dir"] = _resolve_data_dir(merged["data_dir"], path,
                                               merged.get("synthetic") is not None)
    merged["source_file"] = path
    return merged


def _check_data_dir(folder: Path, params_file: Path, *, raa: bool = False) -> None:
    """One sentence when the data folder cannot be used: absent, a file, a symlink loop or a
    path the system refuses."""
    try:
        if folder.is_dir():
            return
        exists = folder.exists()
    except OSError as exc:
        raise ParamsError(f"The data folder {folder} named by {params_file} cannot be used: "
                          f"{exc.strerror or exc}.") from None
    what = ("is a file, not a folder" if exists else
            "is a link that leads nowhere (a loop, or to something missing)"
            if folder.is_symlink() else "does not exist")
    holds = ("the RAA's own extracts in local/ (adopters, staffing, costs, case audits)" if raa
             else "the LA's 903 returns in 903/, a folder a collection year (903/2024-25/), "
             "and its local extracts in local/")
    raise ParamsError(f"The data folder {folder} named by {params_file} {what}: it holds "
                      f"{holds}.")


# -- a regional adoption agency ----------------------------------------------------------------

#: The key that makes a params file an RAA's: its member LAs' params files.
MEMBERS_KEY = "members"
#: The RAA's own keys as its params file names them, and the Params fields they fill (the RAA's
#: report is built on Params: its name and code stand where an LA's do).
RAA_KEYS = {"raa_name": "la_name", "raa_code": "la_code"}
#: The code an RAA goes by when its params file gives none (RAAs have no ONS code).
RAA_DEFAULT_CODE = "RAA"


class RAASynthetic(BaseModel):
    """A synthetic RAA (the demo's): its own extracts (adopters, staffing, costs, case audits)
    are generated on first use from its synthetic members' children (``synth.generate_raa``);
    each member's data is its own params file's ``synthetic:`` block."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _yes(cls, data: Any) -> Any:
        # ``synthetic: true`` says it all: there is nothing to choose.
        return {} if data is True else data

    def describe(self) -> str:
        """How the data was made, for section 8's parameters."""
        return "yes (the RAA's extracts drawn from its synthetic members' children)"


#: The extracts an RAA may hold for its members (its folder's, else its members' put together).
RAA_EXTRACTS = ("adopters", "staffing", "costs", "case_audits")


class RAAParams(Params):
    """A regional adoption agency's parameters: its name and code (``raa_name``, ``raa_code``
    in its params file, held as ``la_name`` and ``la_code`` so that every section reads them as
    it reads an LA's), the reporting period, its member LAs' params files (``members``,
    relative to this file) and its own folder (``data_dir``), whose ``local/`` holds the RAA's
    extracts (adopters or the Annex A workbook's list 11, staffing, costs, case audits). An
    extract the RAA's folder lacks is taken from the members that supply it. Standards,
    targets and the other defaults may be overridden as in an LA's file; they rate the RAA's
    figures and every member's figures in the RAA's report alike."""

    members: list[Path]
    synthetic: RAASynthetic | None = None  # type: ignore[assignment]

    @field_validator("members", mode="before")
    @classmethod
    def _listed(cls, v: Any) -> Any:
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise ValueError("list the member LAs' params files, one per line "
                             "(e.g. - anyshire.yaml)")
        if len(v) < 2:
            raise ValueError("an RAA has at least two member LAs; list each one's params file")
        return v


@dataclass(frozen=True)
class RAA:
    """An RAA's params and its members' params (in the order its file lists them)."""

    params: RAAParams
    members: tuple[Params, ...]

    @property
    def slug(self) -> str:
        return self.params.slug


def is_raa_file(name_or_path: str | Path) -> bool:
    """Whether a params file is an RAA's (it lists ``members``). A file that cannot be read
    is not: loading it as an LA's then says why in one sentence."""
    path = resolve_params_path(name_or_path)
    try:
        data = _read_yaml(path.resolve())
    except ParamsError:
        return False
    return MEMBERS_KEY in data


def load_raa(name_or_path: str | Path, *, check_data_dir: bool = True) -> RAA:
    """Read an RAA's params over the shared defaults, and each member's params, and check them
    (:class:`ParamsError`, one sentence per problem): the RAA is named with ``raa_name`` (and
    ``raa_code``), not ``la_name``; at least two members, each a readable LA params file (not
    another RAA's), listed once, with the RAA's reporting period, and naming this RAA or none
    under ``raa:`` (a member naming none is given the RAA's name, for a batch's index). The
    members' paths, like ``data_dir``, are relative to the RAA's file."""
    path = resolve_params_path(name_or_path).resolve()
    own = _read_yaml(path)
    for key, field in RAA_KEYS.items():
        if field in own:
            raise ParamsError(f"The params file {path} lists members, so it is an RAA's: name "
                              f"the RAA with '{key}', not '{field}'.")
    if "raa_name" not in own:
        raise ParamsError(f"The params file {path} is missing the key 'raa_name'; see "
                          "params/raa-demo.yaml.")
    own = {RAA_KEYS.get(k, k): v for k, v in own.items()}
    own.setdefault("la_code", RAA_DEFAULT_CODE)
    merged = _with_defaults(own, path)
    try:
        params = RAAParams.model_validate(merged)
    except ValidationError as exc:
        said = _explain(exc, path, RAAParams)
        for key, field in RAA_KEYS.items():  # said as the RAA's file says it
            said = said.replace(f"'{field}'", f"'{key}'")
        raise ParamsError(said.replace("params/demo.yaml", "params/raa-demo.yaml")) from None
    if check_data_dir and params.synthetic is None:
        _check_data_dir(params.data_dir, path, raa=True)
    files = [(path.parent / m).resolve() for m in params.members]
    seen: set[Path] = set()
    members = []
    for listed, f in zip(params.members, files, strict=True):
        if f in seen:
            raise ParamsError(f"The RAA params file {path} lists the member {listed} twice.")
        seen.add(f)
        if not f.is_file():
            raise ParamsError(f"The RAA params file {path} names the member params file "
                              f"{listed}, which does not exist ({f}).")
        if f == path or is_raa_file(f):
            raise ParamsError(f"The RAA params file {path} names {listed} as a member, but "
                              "that is an RAA's params file: list the member LAs' own files.")
        m = load_params(f, check_data_dir=check_data_dir)
        if (m.period_start, m.period_end) != (params.period_start, params.period_end):
            raise ParamsError(
                f"The member {m.la_name} ({f.name}) has the reporting period "
                f"{m.period_start} to {m.period_end}, not the RAA's {params.period_start} to "
                f"{params.period_end}: give them the same period_start and period_end.")
        if m.raa and m.raa.strip() != params.la_name:
            raise ParamsError(f"The member {m.la_name} ({f.name}) names another RAA under "
                              f"'raa' ({m.raa}), not {params.la_name}.")
        members.append(m if m.raa else m.model_copy(update={"raa": params.la_name}))
    slugs = [m.slug for m in members]
    for s in slugs:
        if slugs.count(s) > 1 or s == params.slug:
            raise ParamsError(f"The RAA params file {path} has two members (or a member and "
                              f"the RAA) whose params files are named '{s}': their reports "
                              "would share a folder; rename one.")
    return RAA(params=params, members=tuple(members))
