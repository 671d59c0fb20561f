"""The package surface: every exported name resolves, stays in step with its module."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

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
