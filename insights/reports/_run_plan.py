"""What a report run decides before a kernel starts (private to :mod:`insights.reports`).

The **check parameters** step of :func:`insights.reports.runner.run_report`: the parameters
parsed against the catalogue, the kernel found, raw data reduced to marts and defaults taken
from the data (nothing written on a :class:`~insights.errors.ParameterError`); then **check
data**: the values checked against the data, the input files and the notebook fingerprinted.
The result is a :class:`_Plan`, which every later step reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from insights._common import SAMPLE_DIR
from insights.errors import ParameterError, ReportError
from insights.forecasting.archive import ARCHIVE_FOLDER
from insights.publish.tables import MIN_CUSTOMERS
from insights.reports.catalogue import ReportSpec, load_catalogue, parse_params, report_slug
from insights.reports.data import data_files, fingerprint
from insights.reports.data_params import check_params_against_data, resolve_defaults
from insights.reports.data_prepare import prepare_data
from insights.reports.folders import logical_path, private_root
from insights.reports.manifest import sha256

__all__: list[str] = []


@dataclass(frozen=True)
class _Limits:
    cell_timeout: float
    budget: float
    kernel: str
    progress: bool


@dataclass(frozen=True)
class _Plan:
    """Everything decided before a kernel starts."""

    name: str
    spec: ReportSpec
    values: dict[str, Any]
    data_dir: Path
    out: Path
    slug: str
    floor: int
    limits: _Limits
    started: datetime
    source: Path = Path()
    notes: tuple[str, ...] = ()
    files: list[Path] = field(default_factory=list)
    prints: dict[str, Any] = field(default_factory=dict)
    notebook_hash: str = ""

    @property
    def key(self) -> dict[str, Any]:
        """What makes two runs the same: parameters, data and notebook."""
        machine = {"output_dir", "data_path", "forecast_archive"}
        shown = {k: v for k, v in self.values.items() if k not in machine}
        return {
            "parameters": shown,
            "data_hash": self.prints.get("hash"),
            "notebook_sha256": self.notebook_hash,
        }

    @property
    def target(self) -> Path:
        return self.out / self.name / self.slug

    @property
    def archive(self) -> Path:
        """The report's folder in the forecast archive (outside the reports' replace cycle)."""
        return self.out / ARCHIVE_FOLDER / self.name

    @property
    def shown(self) -> dict[str, Any]:
        """The parameters as a reader sees them: no build folder, no machine path."""
        shown = {
            k: v for k, v in self.values.items() if k not in {"output_dir", "forecast_archive"}
        }
        if "data_path" in shown:
            shown["data_path"] = logical_path(self.source)
        return shown


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# --- check parameters ----------------------------------------------------------------------


def _check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415 - heavy

    if kernel not in KernelSpecManager().find_kernel_specs():
        raise ReportError(
            f"the Jupyter kernel {kernel!r} is not installed, so reports cannot run on the "
            f"pinned environment; run `make setup` (it registers the kernel with "
            f"`python -m ipykernel install --sys-prefix --name {kernel}`)"
        )


def _split_data(
    given: Mapping[str, object], data: str | Path | None
) -> tuple[dict[str, object], str]:
    params = dict(given)
    if "output_dir" in params:
        raise ParameterError(
            "parameter output_dir is set by the runner (the report's build folder); "
            "choose where reports go with --out"
        )
    from_params = params.pop("data_path", None)
    if data is not None and from_params is not None and str(from_params) != str(data):
        raise ParameterError(
            f"data given twice: --data {data} and -p data_path={from_params}; pass one"
        )
    chosen = data if data is not None else from_params
    if chosen is not None:
        if not isinstance(chosen, str | Path):
            raise ParameterError(f"data_path={chosen!r} is not a path")
        params["data_path"] = str(chosen)
    return params, str(chosen) if chosen is not None else ""


def _check_limits(limits: _Limits, min_customers: int) -> None:
    for option, seconds in (("cell_timeout", limits.cell_timeout), ("budget", limits.budget)):
        if not seconds > 0:
            raise ParameterError(f"{option}={seconds!r}: give a positive number of seconds")
    if min_customers < MIN_CUSTOMERS:
        raise ParameterError(
            f"min_customers={min_customers} is below the disclosure floor of {MIN_CUSTOMERS}"
        )


def _check_parameters(
    name: str,
    params: Mapping[str, object],
    *,
    data: str | Path | None,
    out: Path,
    catalogue: str | Path,
    limits: _Limits,
    min_customers: int,
) -> _Plan:
    """Parse and check everything that can be checked without a kernel."""
    started = _now()
    _check_limits(limits, min_customers)
    cat = load_catalogue(catalogue)
    spec = cat.get(name)
    given, chosen = _split_data(params, data)
    if not any(p.name == "data_path" for p in spec.params):
        given.pop("data_path", None)  # the notebook does not take it; the runner still uses it
    values = parse_params(spec, given)
    if not spec.notebook.is_file():
        raise ReportError(
            f"report {name!r}: notebook {spec.notebook} does not exist; write it or fix "
            f"`notebook` in {cat.path}"
        )
    _check_kernel(limits.kernel)
    source = Path(values.get("data_path", chosen or SAMPLE_DIR))
    # Raw data becomes marts (in a private cache); None defaults become the data's values.
    data_dir, notes = prepare_data(spec, values, data=source, cache=private_root(out) / "marts")
    values, defaults = resolve_defaults(spec, values, data=data_dir)
    return _Plan(
        name=name,
        spec=spec,
        values=values,
        data_dir=data_dir,
        source=source,
        notes=(*notes, *defaults),
        out=out,
        slug=report_slug(spec, values),
        floor=max(min_customers, int(values.get("min_customers", MIN_CUSTOMERS))),
        limits=limits,
        started=started,
    )


def _check_data(plan: _Plan) -> _Plan:
    """Check the parameters against the data and fingerprint the input files.

    A value outside the data is a :class:`ParameterError` (nothing written); a file that
    cannot be read is a failure of the run and is recorded like any other.
    """
    check_params_against_data(plan.spec, plan.values, data=plan.data_dir)
    files = data_files(plan.spec, data=plan.data_dir)
    return replace(
        plan,
        files=files,
        prints=fingerprint(files, data=plan.data_dir),
        notebook_hash=sha256(plan.spec.notebook),
    )
