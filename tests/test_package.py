"""The package surface: every exported name resolves, stays in step with its module."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import insights


@pytest.mark.parametrize("name", insights.__all__)
def test_every_public_name_resolves_to_its_modules_public_name(name: str) -> None:
    module = importlib.import_module(insights._EXPORTS[name])
    assert name in module.__all__, f"{name} is exported by insights but not by {module.__name__}"
    assert getattr(insights, name) is getattr(module, name)


def test_all_matches_the_export_map() -> None:
    assert sorted(insights.__all__) == sorted(insights._EXPORTS)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'trendy'"):
        _ = insights.trendy  # type: ignore[attr-defined]


def test_import_is_light() -> None:
    code = "import sys, insights; print('altair' in sys.modules, 'statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_import_switches_altair_to_svg_in_report_runs() -> None:
    from insights.publish.theme import RENDERER_ENV

    assert RENDERER_ENV == "INSIGHTS_ALTAIR_RENDERER"  # the literal insights/__init__ checks
    code = "import altair as alt, insights; print(alt.renderers.active)"
    env = {**os.environ, RENDERER_ENV: "svg"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "svg"


@pytest.mark.parametrize(("old", "new"), sorted(insights._RENAMED.items()))
def test_a_renamed_name_says_its_new_name(old: str, new: str) -> None:
    assert new in insights.__all__
    with pytest.raises(AttributeError, match=f"insights.{old} was renamed to insights.{new}"):
        getattr(insights, old)


def test_the_readme_lists_every_rename() -> None:
    readme = (Path(insights.__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for old, new in insights._RENAMED.items():
        assert f"| `{old}` | `{new}` |" in readme


def test_mypy_sees_the_public_names_typed(tmp_path: Path) -> None:
    """The stub types `ins.<name>` (not Any) and rejects a name that is not public."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import insights as ins\nreveal_type(ins.contact_rates)\nins.contact_rate\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", str(probe)],
        cwd=Path(insights.__file__).parents[1],  # share the project's mypy cache
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    frame = "polars.dataframe.frame.DataFrame"
    assert f"def ({frame}, {frame}, *, as_of: datetime.date | str," in out
    assert 'Module has no attribute "contact_rate"' in out
