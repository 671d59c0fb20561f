"""The package surface: every exported name resolves, stays in step with its module."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import insights


@pytest.mark.parametrize("name", insights.__all__)
def test_every_public_name_resolves_to_its_modules_public_name(name: str) -> None:
    module = importlib.import_module(insights._EXPORTS[name])
    assert name in module.__all__, f"{name} is exported by insights but not by {module.__name__}"
    public = getattr(insights, name)
    # functions come wrapped for notebooks (pandas in, teaching column errors out)
    original = getattr(module, name)
    assert public is original or (inspect.isfunction(original) and public.__wrapped__ is original)


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
    assert out.stdout.strip() == "insights"


def test_import_in_a_jupyter_kernel_draws_charts_offline() -> None:
    # JupyterLab and VS Code run notebooks in ipykernel: charts must not need a CDN there.
    code = "import ipykernel, altair as alt, insights; print(alt.renderers.active)"
    env = {k: v for k, v in os.environ.items() if k != "INSIGHTS_ALTAIR_RENDERER"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "insights"


def test_import_keeps_a_renderer_the_user_chose() -> None:
    code = (
        "import ipykernel, altair as alt; alt.renderers.enable('png'); import insights; "
        "print(alt.renderers.active)"
    )
    env = {k: v for k, v in os.environ.items() if k != "INSIGHTS_ALTAIR_RENDERER"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "png"


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


def _owner(target: str, name: str | None, root: Path) -> str | None:
    """The package a private module or name belongs to (None: nothing private is imported)."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    if name is None or not name.startswith("_") or name.startswith("__"):
        return None
    is_package = (root.parent / Path(*parts) / "__init__.py").is_file()
    return target if is_package else target.rpartition(".")[0]


def test_no_module_imports_another_packages_private_names() -> None:
    """A private module or name (leading `_`) is imported only inside the package that owns it.

    Ruff's PLC2701 exempts imports within one top-level package, so this draws the stage
    boundaries inside `insights`: e.g. forecasting's modules share private helpers, but no
    other stage may reach them, and `insights._common` is open to every stage.
    """
    root = Path(insights.__file__).parent
    problems = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        package = module.removesuffix(".__init__") if path.name == "__init__.py" else None
        package = package or module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [(node.module, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [(alias.name, None) for alias in node.names]
            else:
                continue
            for target, name in targets:
                if not target.startswith("insights"):
                    continue
                owner = _owner(target, name, root)
                if owner is not None and package != owner and not package.startswith(f"{owner}."):
                    problems.append(f"{module}: {target} {name or ''} is private to {owner}")
    assert not problems, "\n".join(problems)


def test_relative_imports_are_not_used() -> None:
    """The boundary check above reads absolute imports; keep every import absolute."""
    root = Path(insights.__file__).parent
    relative = [
        str(path.relative_to(root.parent))
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert not relative


#: Each stage may import only the layers before it (errors and _common are open to all).
LAYERS = (
    ("errors",),
    ("_common",),
    ("data",),
    ("reduce", "publish"),
    ("forecasting",),
    ("spending", "contacts", "customers"),
    ("reports",),
    ("cli",),
)


def test_stages_import_only_upstream_stages() -> None:
    """The README's architecture, enforced: data flows one way, imports follow it."""
    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    root = Path(insights.__file__).parent
    upward = []
    for path in sorted(root.rglob("*.py")):
        stage = path.relative_to(root).parts[0].removesuffix(".py")
        if stage == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] != "insights" or len(parts) < 2 or parts[1] == stage:
                    continue
                if layer[parts[1]] >= layer[stage]:
                    upward.append(f"{path.relative_to(root.parent)} imports {name}")
    assert not upward, "\n".join(upward)


def test_every_name_the_notebooks_call_is_public() -> None:
    """A rename cannot leave a notebook calling a name `insights` no longer has."""
    notebooks = sorted((Path(insights.__file__).parents[1] / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        used = {n for c in cells for n in re.findall(r"\bins\.(\w+)", "".join(c["source"]))}
        assert used, notebook.name
        assert used <= set(insights.__all__), (
            f"{notebook.name}: {sorted(used - set(insights.__all__))}"
        )


def test_docstring_references_to_public_names_resolve() -> None:
    """``:func:`insights.<name>``` in a docstring names a public function (survives renames)."""
    root = Path(insights.__file__).parent
    broken = [
        f"{path.relative_to(root.parent)}: insights.{name}"
        for path in sorted(root.rglob("*.py"))
        for name in re.findall(r":(?:func|class):`insights\.(\w+)`", path.read_text("utf-8"))
        if name not in insights.__all__
    ]
    assert not broken, "\n".join(broken)
