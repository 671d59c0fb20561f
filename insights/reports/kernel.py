"""The project's Jupyter kernel: this environment's Python, started in the project root.

Jupyter starts a kernel in the notebook's own folder (``notebooks/``), so a notebook's
project-relative paths (``data_path = "data/sample"``, ``output_dir = "reports/..."``) would
resolve differently in JupyterLab than in a report run, which works from the project root.
The ``insights`` kernel therefore changes to the project root as it starts: notebooks behave
the same wherever they run. ``make setup`` installs it with ``python -m insights.reports.kernel``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from insights.errors import ParameterError

__all__ = ["KERNEL_NAME", "install_kernel"]

KERNEL_NAME = "insights"
DISPLAY_NAME = "Python (insights)"


def install_kernel(
    project_root: str | Path, /, *, prefix: str | Path = sys.prefix, name: str = KERNEL_NAME
) -> Path:
    """Install (or replace) the project kernel under ``prefix`` and return its folder.

    Parameters
    ----------
    project_root
        Folder holding ``pyproject.toml``; the kernel starts there.
    prefix
        Environment prefix to install into (default: this environment, as ``--sys-prefix``).
    name
        Kernel name notebooks and the report runner refer to.

    """
    root = Path(project_root).resolve()
    if not (root / "pyproject.toml").is_file():
        raise ParameterError(f"{root} holds no pyproject.toml; pass the project's root folder")
    from ipykernel.kernelspec import install  # noqa: PLC0415 - only needed when installing

    folder = Path(install(kernel_name=name, display_name=DISPLAY_NAME, prefix=str(prefix)))
    spec = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))
    # __import__ keeps the user namespace clean (no stray `os` in the notebook).
    spec["argv"].append(f"--IPKernelApp.exec_lines=__import__('os').chdir({str(root)!r})")
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


if __name__ == "__main__":
    print(f"installed the {KERNEL_NAME!r} kernel in {install_kernel(Path.cwd())}")
