"""kill -9 in the middle of an ingest: no partial AIP visible, catalogue consistent, rerun succeeds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli

POINTS = ["ingest.validated", "ingest.replicated", "ingest.published.primary", "ingest.published.replica",
          "ingest.before-commit", "ingest.committed"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    return root


def _aip_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "storage").glob("*/aips/*/*") if p.is_dir())


@pytest.mark.parametrize("point", POINTS)
def test_kill_9_mid_ingest_then_rerun(root, sip, point):
    killed = run_cli("--root", str(root), "ingest", str(sip), env={"CASEARCHIVE_FAILPOINT": point})
    assert killed.returncode == -9, killed.stderr
    listed = json.loads(run_cli("--root", str(root), "list", "--json").stdout)
    committed = point == "ingest.committed"
    assert len(listed) == (1 if committed else 0)
    assert run_cli("--root", str(root), "log", "verify").returncode == 0
    rerun = run_cli("--root", str(root), "ingest", "--json", str(sip))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    status = json.loads(rerun.stdout)[0]["status"]
    assert status == ("duplicate" if committed else "archived")
    assert len(_aip_dirs(root)) == 2, "exactly one AIP copy per location after recovery"
    staging = [p for p in (root / "storage").glob("*/.staging/*")]
    assert staging == [], staging
    verify = run_cli("--root", str(root), "verify", "--all", "--algorithm", "all")
    assert verify.returncode == 0, verify.stdout
    assert run_cli("--root", str(root), "log", "verify").returncode == 0
