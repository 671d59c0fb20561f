"""The report catalogue: which notebooks can be rendered and what parameters they take.

The catalogue is a TOML file (``notebooks/catalogue.toml``) read without starting a kernel.
Parameters given as text on the command line (``-p month=2025-06``) or as Python objects
through :func:`insights.reports.run_report` are parsed and checked against it here, so that a
wrong type, an unknown name or a value out of range fails before any kernel starts.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from insights._common import CATALOGUE_FILE, parse_month
from insights.errors import ParameterError, ReportError

__all__ = [
    "DEFAULTS_FROM",
    "DEFAULT_CATALOGUE",
    "PARAM_TYPES",
    "Catalogue",
    "ParamSpec",
    "ReportSpec",
    "load_catalogue",
    "parse_params",
    "report_slug",
]

DEFAULT_CATALOGUE = CATALOGUE_FILE
PARAM_TYPES = ("str", "int", "float", "bool", "date", "month", "list[str]")
CHECKS = (
    "transactions_month",
    "transactions_city",
    "contacts_date",
    "accounts_date",
    "contacts_tags",
    "timezone",
    "holiday_country",
)
#: Defaults taken from the data (``default_from``), each resolved by a library function
#: (:mod:`insights.spending.defaults`, :mod:`insights.contacts.defaults`) before the checks,
#: so a run records what it used.
DEFAULTS_FROM = {
    "latest_complete_month": "the latest complete month of the data",
    "marts_tz": "the time zone the marts were reduced in",
    "busiest_city": "the city with the most customers that month",
    "latest_complete_week": "the last Sunday both the contacts and the accounts cover",
    "accounts_complete_week": "the last Sunday the accounts cover",
}
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ParamSpec:
    """One declared notebook parameter.

    Values are kept in their notebook form: dates and months as ISO strings, lists as lists.
    """

    name: str
    type: str
    default: Any
    help: str = ""
    choices: tuple[Any, ...] | None = None
    min: Any = None
    max: Any = None
    check: str | None = None
    history_days: int = 0
    runner: bool = False
    default_from: str | None = None

    def default_text(self) -> str:
        """Say the default as a reader should see it: a literal, or where the data puts it."""
        if self.default_from is not None and self.default is None:
            return f"from the data ({DEFAULTS_FROM[self.default_from]})"
        return repr(self.default)

    def describe(self) -> str:
        """One line: name, type, default, constraints and help."""
        bits = [f"{self.name}: {self.type} = {self.default_text()}"]
        if self.choices is not None:
            bits.append(f"one of {list(self.choices)}")
        if self.min is not None:
            bits.append(f"≥ {self.min}")
        if self.max is not None:
            bits.append(f"≤ {self.max}")
        if self.check:
            bits.append(f"checked: {self.check}")
        if self.runner:
            bits.append("from --data" if self.name == "data_path" else "set by the runner")
        line = ", ".join(bits)
        return f"{line}  — {self.help}" if self.help else line

    def parse(self, value: object, /) -> Any:
        """Convert ``value`` (text from the command line or a Python object) to notebook form.

        Raises
        ------
        ParameterError
            The value has the wrong type or lies outside ``choices``/``min``/``max``.

        Examples
        --------
        >>> ParamSpec("flag", "bool", True).parse("false")
        False
        >>> ParamSpec("tags", "list[str]", []).parse("a, b")
        ['a', 'b']
        >>> ParamSpec("n", "int", 1, min=1, max=5).parse("9")
        Traceback (most recent call last):
        ...
        insights.errors.ParameterError: parameter n=9 is above the maximum 5; ...

        """
        if value is None and self.default_from is not None:
            return None  # taken from the data before the run
        parsed = self._convert(value)
        self._check_bounds(parsed)
        return parsed

    def _fail(self, value: object, expected: str) -> ParameterError:
        return ParameterError(
            f"parameter {self.name}={value!r} is not {expected}; "
            f"{self.name} is declared as {self.type} (default {self.default!r}). "
            f"Pass e.g. -p {self.name}={self._example()}"
        )

    def _example(self) -> str:
        if self.type == "list[str]":
            return "a,b"
        if self.type == "bool":
            return "false"
        return str(self.default)

    def _convert(self, value: object) -> Any:
        kind = self.type
        if kind == "str":
            if isinstance(value, str):
                return value
            raise self._fail(value, "text")
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise self._fail(value, "a boolean (true/false)")
        if kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str):
                try:
                    return int(value.strip().replace("_", ""))
                except ValueError:
                    pass
            raise self._fail(value, "a whole number")
        if kind == "float":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            if isinstance(value, str):
                try:
                    return float(value.strip())
                except ValueError:
                    pass
            raise self._fail(value, "a number")
        if kind == "date":
            if isinstance(value, datetime):
                raise self._fail(value, "a date without a time (YYYY-MM-DD)")
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value.strip()).isoformat()
                except ValueError:
                    pass
            raise self._fail(value, "a date (YYYY-MM-DD)")
        if kind == "month":
            if isinstance(value, date) and not isinstance(value, datetime):
                return f"{value.year:04d}-{value.month:02d}"
            if isinstance(value, str):
                try:
                    return f"{parse_month(value.strip()):%Y-%m}"
                except ParameterError:
                    pass
            raise self._fail(value, "a month (YYYY-MM)")
        if kind == "list[str]":
            if isinstance(value, str):
                return [part.strip() for part in value.split(",") if part.strip()]
            if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
                return list(value)
            raise self._fail(value, "a comma-separated list of text")
        raise ReportError(f"parameter {self.name}: unknown type {kind!r}")  # pragma: no cover

    def _check_bounds(self, value: Any) -> None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if self.choices is not None and item not in self.choices:
                near = difflib.get_close_matches(str(item), [str(c) for c in self.choices], n=1)
                hint = f" Did you mean {near[0]!r}?" if near else ""
                raise ParameterError(
                    f"parameter {self.name}={item!r} is not allowed; "
                    f"choose one of {list(self.choices)}.{hint}"
                )
        if self.min is not None and value < self.min:
            raise ParameterError(
                f"parameter {self.name}={value!r} is below the minimum {self.min}; "
                f"pass a value from {self.min}{f' to {self.max}' if self.max is not None else ''}"
            )
        if self.max is not None and value > self.max:
            raise ParameterError(
                f"parameter {self.name}={value!r} is above the maximum {self.max}; "
                f"pass a value {f'from {self.min} ' if self.min is not None else ''}"
                f"up to {self.max}"
            )


@dataclass(frozen=True)
class ReportSpec:
    """One catalogued report: its notebook, title and parameters."""

    name: str
    notebook: Path
    title: str
    params: tuple[ParamSpec, ...]
    description: str = ""
    slug: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()

    def param(self, name: str, /) -> ParamSpec:
        """Return the declaration of parameter ``name``, or raise with a "did you mean"."""
        for spec in self.params:
            if spec.name == name:
                return spec
        names = [p.name for p in self.params if p.name != "output_dir"]
        near = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise ParameterError(
            f"report {self.name!r} has no parameter {name!r}.{hint} "
            f"Its parameters are: {', '.join(names)} (see `insights report show {self.name}`)"
        )

    def defaults(self) -> dict[str, Any]:
        """Return the declared defaults, by parameter name, in declaration order."""
        return {p.name: p.default for p in self.params}

    def describe(self) -> str:
        """Describe the report in several lines, for ``insights report show``."""
        lines = [f"{self.name} — {self.title}"]
        if self.description:
            lines.append(f"  {self.description}")
        lines.append(f"  notebook: {self.notebook}")
        lines.append("  parameters:")
        lines += [f"    {p.describe()}" for p in self.params]
        return "\n".join(lines)


@dataclass(frozen=True)
class Catalogue:
    """Every report declared in one catalogue file."""

    path: Path
    reports: dict[str, ReportSpec] = field(default_factory=dict)

    def get(self, name: str, /) -> ReportSpec:
        """Return report ``name``, or raise :class:`ParameterError` with a "did you mean"."""
        if name in self.reports:
            return self.reports[name]
        near = difflib.get_close_matches(name, list(self.reports), n=1, cutoff=0.5)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        raise ParameterError(
            f"no report named {name!r} in {self.path}.{hint} "
            f"Known reports: {', '.join(sorted(self.reports)) or '(none)'}"
        )


def _bad(path: Path, where: str, problem: str) -> ReportError:
    return ReportError(f"{path}: {where}: {problem}; fix the catalogue (format in its header)")


def _notebook_value(kind: str, value: Any) -> Any:
    """TOML dates become ISO strings, the form notebooks assign."""
    if kind in {"date", "month"} and isinstance(value, date):
        return value.isoformat() if kind == "date" else value.isoformat()[:7]
    return value


def _param(path: Path, report: str, raw: Mapping[str, Any]) -> ParamSpec:
    where = f"reports.{report}.params.{raw.get('name', '?')}"
    unknown = set(raw) - {
        "name",
        "type",
        "default",
        "help",
        "choices",
        "min",
        "max",
        "check",
        "history_days",
        "runner",
        "default_from",
    }
    if unknown:
        raise _bad(path, where, f"unknown keys {sorted(unknown)}")
    default_from = raw.get("default_from")
    if default_from is not None and default_from not in DEFAULTS_FROM:
        raise _bad(
            path, where, f"default_from {default_from!r} is not one of {list(DEFAULTS_FROM)}"
        )
    if "name" not in raw or "type" not in raw or ("default" not in raw and default_from is None):
        raise _bad(path, where, "every parameter needs name, type and default (or default_from)")
    kind = raw["type"]
    if kind not in PARAM_TYPES:
        raise _bad(path, where, f"type {kind!r} is not one of {list(PARAM_TYPES)}")
    check = raw.get("check")
    if check is not None and check not in CHECKS:
        raise _bad(path, where, f"check {check!r} is not one of {list(CHECKS)}")
    choices = raw.get("choices")
    spec = ParamSpec(
        name=raw["name"],
        type=kind,
        default=_notebook_value(kind, raw.get("default")),
        help=raw.get("help", ""),
        choices=tuple(choices) if choices is not None else None,
        min=_notebook_value(kind, raw.get("min")),
        max=_notebook_value(kind, raw.get("max")),
        check=check,
        history_days=int(raw.get("history_days", 0)),
        runner=bool(raw.get("runner", False)),
        default_from=default_from,
    )
    try:
        spec.parse(spec.default)
    except ParameterError as exc:
        raise _bad(path, where, f"the default does not satisfy the declaration ({exc})") from exc
    return spec


def load_catalogue(path: str | Path = DEFAULT_CATALOGUE, /) -> Catalogue:
    """Read a report catalogue (TOML) without starting a kernel.

    Parameters
    ----------
    path
        The catalogue file; notebook paths inside it are relative to its folder.

    Returns
    -------
    Catalogue
        The reports by name.

    Raises
    ------
    ReportError
        The file is missing or breaks the format described in its header.

    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(
            f"no report catalogue at {path}; run from the repository root or pass --catalogue"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ReportError(f"{path}: not valid TOML ({exc})") from exc
    reports: dict[str, ReportSpec] = {}
    for name, body in raw.get("reports", {}).items():
        if "notebook" not in body:
            raise _bad(path, f"reports.{name}", "missing `notebook`")
        params = tuple(_param(path, name, p) for p in body.get("params", []))
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise _bad(path, f"reports.{name}", "a parameter is declared twice")
        slug = tuple(body.get("slug", [p.name for p in params if not p.runner]))
        if missing := set(slug) - set(names):
            raise _bad(path, f"reports.{name}.slug", f"undeclared parameters {sorted(missing)}")
        reports[name] = ReportSpec(
            name=name,
            notebook=path.parent / body["notebook"],
            title=body.get("title", name.replace("_", " ").capitalize()),
            params=params,
            description=body.get("description", ""),
            slug=slug,
            inputs=tuple(body.get("inputs", [])),
        )
    return Catalogue(path=path, reports=reports)


def parse_params(spec: ReportSpec, given: Mapping[str, object], /) -> dict[str, Any]:
    """Parse ``given`` against ``spec`` and fill in the defaults.

    Parameters
    ----------
    spec
        The report's declaration.
    given
        Parameter values by name: text (from ``-p name=value``) or Python objects.

    Returns
    -------
    dict
        Every declared parameter in notebook form (dates and months as ISO strings).

    Raises
    ------
    ParameterError
        An unknown name (with a "did you mean"), a wrong type, or a value out of range.

    """
    values = spec.defaults()
    for name, value in given.items():
        values[name] = spec.param(name).parse(value)
    return values


def report_slug(spec: ReportSpec, values: Mapping[str, Any], /) -> str:
    """Name the folder of one rendering: the slug parameters, plus a hash of other changes.

    Examples
    --------
    >>> s = ReportSpec("r", Path("r.ipynb"), "R", (ParamSpec("month", "month", "2025-09"),
    ...     ParamSpec("city", "str", "London"), ParamSpec("top_n", "int", 10)),
    ...     slug=("month", "city"))
    >>> report_slug(s, {"month": "2025-06", "city": "St Albans", "top_n": 10})
    '2025-06_st-albans'
    >>> report_slug(s, {"month": "2025-06", "city": "London", "top_n": 5})
    '2025-06_london_p...'

    """
    parts = []
    for name in spec.slug:
        value = values[name]
        text = "+".join(value) if isinstance(value, list) else str(value)
        parts.append(_SLUG_UNSAFE.sub("-", text.lower()).strip("-") or "all")
    extra = {
        p.name: values[p.name]
        for p in spec.params
        if not p.runner
        and p.name not in spec.slug
        and p.default_from is None  # the data's own value, or one equal to it
        and values[p.name] != p.default
    }
    if extra:
        digest = hashlib.sha256(json.dumps(extra, sort_keys=True).encode()).hexdigest()[:8]
        parts.append(f"p{digest}")
    return "_".join(parts) or "default"
