"""An LA's run parameters: one YAML per LA over shared defaults.

``params/defaults.yaml`` holds the standards, scorecard thresholds and national comparators, each
with its period and source. An LA's YAML names the LA, its code, the reporting period and its data
folder, and may override any default under the same keys. Params are checked before any notebook
runs; a problem is one plain sentence (:class:`ParamsError`), never a traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from diagnostic_kit import resources

PARAMS_DIR = resources.params_dir()
DEFAULTS_FILE = resources.defaults_file()
DEMO_PARAMS = PARAMS_DIR / "demo.yaml"


class ParamsError(ValueError):
    """A params file that cannot be used; the message is one sentence for the analyst."""


class Synthetic(BaseModel):
    """How to generate the data of a synthetic LA on first use."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 2026
    size: int = Field(400, gt=0)
    years: int = Field(6, ge=1, le=15)
    with_errors: bool = False


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
    standards: dict[str, dict[str, Any]]
    thresholds: dict[str, dict[str, Any]]
    comparators: dict[str, dict[str, Any]]
    adopter_standards: dict[str, Any]
    costs: dict[str, dict[str, Any]]
    under_fives: dict[str, Any]
    #: Where the params came from, for run.json and messages.
    source_file: Path | None = None

    @field_validator("la_code", mode="before")
    @classmethod
    def _code_as_text(cls, v: Any) -> str:
        return str(v)

    @model_validator(mode="after")
    def _period_in_order(self) -> Params:
        if self.period_end <= self.period_start:
            raise ValueError(
                f"period_end ({self.period_end}) must be after period_start ({self.period_start})"
            )
        return self

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
        return int(self.standards[stage]["days"])


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_params_path(name_or_path: str | Path) -> Path:
    """A params file path; a bare name such as ``demo`` means ``params/demo.yaml``."""
    p = Path(name_or_path)
    if p.suffix not in (".yaml", ".yml") and not p.exists():
        p = PARAMS_DIR / f"{p.name}.yaml"
    return p


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: pydantic parses them, with a clear message when bad."""


_Loader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_Loader)  # noqa: S506
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


def _explain(exc: ValidationError, path: Path) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"The params file {path} has an unknown key '{loc}'; see params/demo.yaml."
    if err["type"] == "missing":
        return f"The params file {path} is missing the key '{loc}'; see params/demo.yaml."
    if "date" in err["type"]:
        return (
            f"The params file {path} has a bad date for '{loc}' ({err.get('input')!r}): "
            "write dates as yyyy-mm-dd."
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
    merged = _deep_merge(_read_yaml(DEFAULTS_FILE), own)
    if "data_dir" in merged:
        merged["data_dir"] = (path.parent / str(merged["data_dir"])).resolve()
    merged["source_file"] = path
    try:
        params = Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError(_explain(exc, path)) from None
    if check_data_dir and params.synthetic is None and not params.data_dir.is_dir():
        raise ParamsError(
            f"The data folder {params.data_dir} named by {path} does not exist; "
            "see README 'Bringing your own LA's data'."
        )
    return params
