"""The report catalogue: parsing parameters before any kernel starts, and notebooks that match."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from insights.cli import main
from insights.errors import ParameterError, ReportError
from insights.reports import load_catalogue, parse_params, report_slug
from insights.reports.catalogue import ParamSpec

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "notebooks" / "catalogue.toml"
FIXTURES = ROOT / "tests" / "reports" / "fixtures" / "notebooks" / "catalogue.toml"


def test_real_catalogue_declares_both_reports() -> None:
    catalogue = load_catalogue(REAL)
    trending = catalogue.get("trending_spending")
    assert [p.name for p in trending.params] == [
        "month",
        "city",
        "data_path",
        "top_n",
        "min_customers",
        "tz",
        "rivals",
        "output_dir",
    ]
    assert trending.param("rivals").type == "list[str]"
    assert trending.param("top_n").min == 1
    assert trending.param("top_n").max == 50
    forecast = catalogue.get("contact_rate_forecast")
    assert forecast.defaults()["as_of"] is None
    assert forecast.param("as_of").default_from == "latest_complete_week"
    assert forecast.defaults()["tags"] == []
    assert forecast.param("service_level").max == 0.99


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("bool", "false", False),
        ("bool", "True", True),
        ("int", "12", 12),
        ("float", "0.9", 0.9),
        ("date", "2025-08-31", "2025-08-31"),
        ("month", "2025-06", "2025-06"),
        ("list[str]", "card_lost, payment_dispute", ["card_lost", "payment_dispute"]),
        ("list[str]", "", []),
        ("str", "London", "London"),
    ],
)
def test_text_values_are_parsed_to_their_declared_type(kind: str, text: str, expected: Any) -> None:
    assert ParamSpec("p", kind, expected).parse(text) == expected


def test_python_objects_are_accepted() -> None:
    assert ParamSpec("d", "date", "2025-01-01").parse(date(2025, 8, 31)) == "2025-08-31"
    assert ParamSpec("m", "month", "2025-01").parse(date(2025, 6, 1)) == "2025-06"
    assert ParamSpec("b", "bool", True).parse(False) is False


@pytest.mark.parametrize(
    ("kind", "text"),
    [("bool", "maybe"), ("int", "ten"), ("month", "2025-13"), ("date", "31/08/2025")],
)
def test_wrong_type_is_a_parameter_error(kind: str, text: str) -> None:
    with pytest.raises(ParameterError, match=f"declared as {kind}"):
        ParamSpec("p", kind, None).parse(text)


def test_unknown_name_suggests_the_close_one() -> None:
    spec = load_catalogue(REAL).get("trending_spending")
    with pytest.raises(ParameterError, match="Did you mean 'top_n'"):
        parse_params(spec, {"topn": "5"})


def test_out_of_range_names_the_bounds() -> None:
    spec = load_catalogue(REAL).get("contact_rate_forecast")
    with pytest.raises(ParameterError, match=r"horizon_days=120 is above the maximum 90"):
        parse_params(spec, {"horizon_days": "120"})


def test_unknown_report_suggests_the_close_one() -> None:
    with pytest.raises(ParameterError, match="Did you mean 'trending_spending'"):
        load_catalogue(REAL).get("trending_spend")


def test_slug_holds_the_slug_parameters_and_a_hash_of_other_changes() -> None:
    spec = load_catalogue(REAL).get("trending_spending")
    plain = parse_params(spec, {"month": "2025-06", "city": "London"})
    assert report_slug(spec, plain) == "2025-06_london"
    assert report_slug(spec, {**plain, "data_path": "elsewhere"}) == "2025-06_london"
    changed = report_slug(spec, {**plain, "top_n": 5})
    assert changed.startswith("2025-06_london_p")
    assert changed != report_slug(spec, {**plain, "top_n": 6})


def test_defaults_from_the_data_are_none_until_the_data_is_read() -> None:
    spec = load_catalogue(REAL).get("trending_spending")
    values = parse_params(spec, {})
    assert (values["month"], values["city"], values["tz"]) == (None, None, None)
    assert (
        spec.param("month")
        .describe()
        .startswith("month: month = from the data (the latest complete month of the data)")
    )
    # The time zone is the marts' own: naming it does not make another report.
    resolved = {**values, "month": "2024-07", "city": "Chicago, IL"}
    assert report_slug(spec, {**resolved, "tz": "America/Chicago"}) == "2024-07_chicago-il"


def test_an_unknown_default_from_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(
        '[reports.r]\nnotebook = "r.ipynb"\n'
        '[[reports.r.params]]\nname = "m"\ntype = "month"\ndefault_from = "today"\n'
    )
    with pytest.raises(ReportError, match=r"default_from 'today' is not one of"):
        load_catalogue(path)


def test_a_bad_default_is_reported_against_the_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.toml"
    path.write_text(
        '[reports.r]\nnotebook = "r.ipynb"\n'
        '[[reports.r.params]]\nname = "n"\ntype = "int"\ndefault = 100\nmax = 50\n'
    )
    with pytest.raises(ReportError, match=r"reports\.r\.params\.n: the default"):
        load_catalogue(path)


def test_list_and_show_need_no_kernel(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "list", "--catalogue", str(REAL)]) == 0
    listed = capsys.readouterr().out
    assert "trending_spending" in listed
    assert "horizon_days: int = 28" in listed
    assert main(["report", "show", "contact_rate_forecast", "--catalogue", str(REAL)]) == 0
    shown = capsys.readouterr().out
    assert "service_level: float = 0.8, ≥ 0.5, ≤ 0.99" in shown


def _parameters_cell(notebook: Path) -> dict[str, Any]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{notebook}: expected exactly one cell tagged `parameters`"
    source = "".join(cells[0]["source"])
    assigned: dict[str, Any] = {}
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign | ast.AnnAssign), (
            f"{notebook}: the parameters cell must only assign literals, found {ast.dump(node)}"
        )
        target = node.targets[0] if isinstance(node, ast.Assign) else node.target
        assert isinstance(target, ast.Name)
        assert node.value is not None
        assigned[target.id] = ast.literal_eval(node.value)
    return assigned


def _catalogued() -> list[Any]:
    cases = []
    for path in (REAL, FIXTURES):
        for spec in load_catalogue(path).reports.values():
            cases.append(pytest.param(spec, id=f"{path.parent.name}:{spec.name}"))
    return cases


@pytest.mark.parametrize("spec", _catalogued())
def test_notebook_parameters_cell_matches_the_catalogue(spec: Any) -> None:
    if not spec.notebook.is_file():
        pytest.skip(f"{spec.notebook} is not written yet; its parameters cannot be checked")
    assigned = _parameters_cell(spec.notebook)
    assert sorted(assigned) == sorted(p.name for p in spec.params), (
        f"{spec.notebook}: the parameters cell assigns {sorted(assigned)}, the catalogue "
        f"declares {sorted(p.name for p in spec.params)}"
    )
    for param in spec.params:
        if param.runner and param.name == "output_dir":
            continue  # the runner always sets it
        assert assigned[param.name] == param.default, (
            f"{spec.notebook}: {param.name} = {assigned[param.name]!r} but the catalogue "
            f"default is {param.default!r}"
        )


@pytest.mark.parametrize("action", ["list", "show", "run", "schedule", "index"])
def test_every_report_action_has_help(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", action, "--help"])
    assert info.value.code == 0
    assert f"usage: insights report {action}" in capsys.readouterr().out
