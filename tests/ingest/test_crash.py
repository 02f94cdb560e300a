"""kill -9 in the middle of an ingest: no partial AIP visible, catalogue consistent, rerun succeeds."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, scan_with_test_db

POINTS = ["ingest.validated", "ingest.replicated", "ingest.marker-created", "ingest.published.primary",
          "ingest.published.replica",
          "ingest.before-commit", "ingest.committed"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    scan_with_test_db(root)
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


def _markers(root: Path) -> list[Path]:
    return sorted((root / "storage").glob("*/.staging/*.publishing"))


def test_the_audit_run_undoes_a_publication_cut_short(root, sip):
    """kill -9 between publication and commit: the next audit run (serve's too) removes the copies."""
    killed = run_cli("--root", str(root), "ingest", str(sip), env={"CASEARCHIVE_FAILPOINT": "ingest.before-commit"})
    assert killed.returncode == -9, killed.stderr
    assert len(_aip_dirs(root)) == 2 and len(_markers(root)) == 2
    audit = run_cli("--root", str(root), "audit", "run", "--json")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    codes = [f["code"] for f in json.loads(audit.stdout)["findings"]]
    assert codes == ["STO-PUBLICATION-UNDONE"] * 2, codes
    assert _aip_dirs(root) == [] and _markers(root) == []
    assert [p for p in (root / "storage").glob("*/.staging/*")] == []


def test_an_unregistered_copy_without_a_marker_is_reported_never_deleted(root, sip):
    killed = run_cli("--root", str(root), "ingest", str(sip), env={"CASEARCHIVE_FAILPOINT": "ingest.before-commit"})
    assert killed.returncode == -9, killed.stderr
    for marker in _markers(root):
        marker.unlink()  # lost: nothing proves that this ingest made these copies
    copies = _aip_dirs(root)
    audit = run_cli("--root", str(root), "audit", "run", "--json")
    assert audit.returncode == 1, audit.stdout + audit.stderr
    report = json.loads(audit.stdout)
    assert sorted(f["code"] for f in report["findings"]) == ["STO-ORPHAN-COPY"] * 2
    assert report["anomalies"] == 2 and report["ok"] is False
    verify = run_cli("--root", str(root), "verify", "--all", "--json")
    assert verify.returncode == 1, verify.stdout
    found = [f["code"] for c in json.loads(verify.stdout)["copies"] for f in c["findings"]]
    assert found == ["STO-ORPHAN-COPY"] * 2
    assert run_cli("--root", str(root), "audit", "run", "--json").returncode == 1
    assert _aip_dirs(root) == copies, "an orphan copy is kept for an operator"
