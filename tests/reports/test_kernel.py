"""The project kernel starts in the project root, wherever Jupyter launches it."""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from insights.errors import ParameterError
from insights.reports.kernel import install_kernel

ROOT = Path(__file__).resolve().parents[2]


def test_kernel_runs_notebooks_from_the_project_root(tmp_path: Path) -> None:
    folder = install_kernel(ROOT, prefix=tmp_path, name="insights-test")
    specs = KernelSpecManager()
    specs.kernel_dirs = [str(folder.parent)]
    manager = KernelManager(kernel_name="insights-test", kernel_spec_manager=specs)
    manager.start_kernel(cwd=str(ROOT / "notebooks"))  # where JupyterLab would start it
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []
        client.execute_interactive(
            "import os; print(os.getcwd())",
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
            timeout=60,
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert out == [f"{ROOT}\n"]


def test_kernel_needs_a_project_root(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"no pyproject\.toml"):
        install_kernel(tmp_path, prefix=tmp_path)
