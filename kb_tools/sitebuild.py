"""Running MkDocs for the project's commands (`kb build`, `kb serve`).

Material 9.8 prints an English end-of-life banner on every MkDocs run unless NO_MKDOCS_2_WARNING
is set (material/templates/__init__.py reads it); editors are not the audience for it, so every
MkDocs run the project starts sets it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kb_tools.project import Project

QUIET = {"NO_MKDOCS_2_WARNING": "1"}


def mkdocs_env() -> dict[str, str]:
    return {**os.environ, **QUIET}


def mkdocs_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mkdocs", *args]


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    site_dir: Path
    log: str  # MkDocs' own output, shown only when the build fails


def build(project: Project, site_dir: Path | None = None) -> BuildResult:
    """`mkdocs build --strict`: any warning (a broken link MkDocs found) fails the build."""
    site_dir = Path(site_dir or project.root / "site").resolve()
    proc = subprocess.run(mkdocs_command("build", "--strict", "--site-dir", str(site_dir)), cwd=project.root,
                          env=mkdocs_env(), capture_output=True, text=True, encoding="utf-8", errors="replace")
    return BuildResult(proc.returncode == 0, site_dir, proc.stdout + proc.stderr)
