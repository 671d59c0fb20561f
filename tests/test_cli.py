"""The ``insights`` command line: help on every subcommand, exit codes, validate output."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from insights.cli import main

SUBCOMMANDS = ["sample", "validate", "reduce", "report"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "insights.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)])
def test_every_command_has_help(command: list[str]) -> None:
    done = run_cli(*command, "--help")
    assert done.returncode == 0
    assert "usage: insights" in done.stdout


def test_unknown_contract_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate", "x.parquet", "--contract", "payments"])
    assert info.value.code == 2
    assert "invalid choice: 'payments'" in capsys.readouterr().err


def write_contacts(path: Path, handle_times: list[int]) -> None:
    n = len(handle_times)
    pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(n)],
            "customer_id": ["c1"] * n,
            "created_at": [datetime(2025, 6, 2, tzinfo=UTC)] * n,
            "channel": ["phone"] * n,
            "tag": ["card_lost"] * n,
            "handle_time_seconds": handle_times,
        }
    ).write_parquet(path)


def test_validate_passes_good_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_contacts(tmp_path / "c.parquet", [1, 2])
    assert main(["validate", str(tmp_path / "c.parquet"), "--contract", "contacts"]) == 0
    assert "all 2 rows valid" in capsys.readouterr().out


def test_validate_fails_bad_data_with_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_contacts(tmp_path / "c.parquet", [1, -2, -3])
    assert main(["validate", str(tmp_path / "c.parquet"), "--contract", "contacts"]) == 1
    out = capsys.readouterr().out
    assert "2 of 3 rows break 1 rule(s)" in out
    assert "handle_time_seconds: minimum 0" in out


def test_validate_structural_error_exits_1_with_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.csv").write_text("")
    assert main(["validate", str(tmp_path / "c.csv"), "--contract", "contacts"]) == 1
    assert "the file is empty" in capsys.readouterr().err


def test_validate_quarantine_writes_rejects(tmp_path: Path) -> None:
    write_contacts(tmp_path / "c.parquet", [1, -2])
    code = main(
        ["validate", str(tmp_path / "c.parquet"), "--contract", "contacts",
         "--quarantine", str(tmp_path / "q")]
    )  # fmt: skip
    assert code == 0
    assert pl.read_parquet(tmp_path / "q" / "contacts.rejected.parquet").height == 1
