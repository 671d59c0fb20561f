"""What a published report's ``manifest.json`` records about its run, and reading it back."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_FILE",
    "git_commit",
    "output_files",
    "published_manifest",
    "same_run",
    "sha256",
    "versions",
]

MANIFEST_FILE = "manifest.json"
_VERSIONED = (
    "insights",
    "polars",
    "pyarrow",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbclient",
    "nbconvert",
    "ipykernel",
    "statsmodels",
)


def sha256(path: Path, /) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def versions() -> dict[str, str | None]:
    """Python's and the rendering packages' versions."""
    found: dict[str, str | None] = {"python": sys.version.split()[0]}
    for name in _VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit(start: Path, /) -> str | None:
    """Return the checked-out commit, read from ``.git`` (without running git)."""
    for folder in [start, *start.parents]:
        git = folder / ".git"
        if git.is_file():
            text = git.read_text(encoding="utf-8").strip()
            git = (folder / text.removeprefix("gitdir:").strip()).resolve()
        if not git.is_dir():
            continue
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return head
        ref = head.removeprefix("ref:").strip()
        common = git
        if (git / "commondir").is_file():
            common = (git / (git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (git, common):
            if (base / ref).is_file():
                return (base / ref).read_text(encoding="utf-8").strip()
            packed = base / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(f" {ref}"):
                        return line.split()[0]
        return None
    return None


def output_files(folder: Path, /) -> list[dict[str, Any]]:
    """Every file of a build (but the manifest) with its size and SHA-256."""
    return [
        {"path": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": sha256(p)}
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE
    ]


def published_manifest(target: Path, /) -> dict[str, Any] | None:
    """Read the manifest of the report published at ``target`` (None if absent or unreadable)."""
    path = target / MANIFEST_FILE
    if not path.is_file():
        return None
    try:
        found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    return found


def same_run(manifest: Mapping[str, Any] | None, key: Mapping[str, Any], /) -> bool:
    """Whether a published manifest came from the same parameters, data and notebook."""
    if manifest is None or manifest.get("status") != "success":
        return False
    return bool(manifest.get("run_key") == key)
