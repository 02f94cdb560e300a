"""Backup restore test (DA/T 70 BC-3-9): restore from each location to scratch, verify, remove."""
from __future__ import annotations

import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from helpers import open_copy
from archive import db
from archive.archive import Archive, InitOptions, init_archive
from archive.audit_policy import AuditPolicy
from archive.auditor import acquire, audit_status
from archive.models import EventRow
from archive.restore_test import restore_test


@pytest.fixture
def template(ingested_template):
    return ingested_template


@pytest.fixture
def arc(template, tmp_path):
    a = open_copy(template, tmp_path)
    yield a
    a.close()


def _events(arc: Archive, type_: str) -> list[EventRow]:
    with db.read_session(arc.engine) as s:
        rows = s.execute(select(EventRow).where(EventRow.type == type_).order_by(EventRow.seq)).scalars().all()
        s.expunge_all()
        return list(rows)


def test_one_copy_per_location_is_restored_and_verified(arc, now, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    result = restore_test(arc, now, scratch_dir=scratch)
    assert result.ok and [c.location for c in result.checks] == ["primary", "replica"]
    assert all(c.files > 0 and c.bytes > 0 for c in result.checks)
    assert list(scratch.iterdir()) == [], "scratch folders are removed"
    events = _events(arc, "storage.restore_test")
    assert [(e.detail["location"], e.outcome) for e in events] == [("primary", "success"), ("replica", "success")]
    assert audit_status(arc, now + timedelta(days=1)).restore_due_since is None
    assert audit_status(arc, now + timedelta(days=31)).restore_due_since is not None


def test_the_sample_is_seeded(arc, now):
    first = restore_test(arc, now, sample=2, seed="2026-11")
    second = restore_test(arc, now, sample=2, seed="2026-11")
    assert [c.aip_id for c in first.checks] == [c.aip_id for c in second.checks]
    assert len(first.checks) == 4


def test_a_damaged_backup_fails_the_test_and_alerts(arc, now):
    for aip_dir in (arc.location("replica").root / "aips").glob("*/*"):
        (aip_dir / "manifest-sha256.txt").write_text("garbage\n")
    result = restore_test(arc, now, sample=3)
    assert not result.ok
    assert [c.ok for c in result.checks] == [True] * 3 + [False] * 3
    assert {f.code for f in result.findings} == {"STO-RESTORE-FAILED"}
    assert {e.outcome for e in _events(arc, "storage.restore_test")} == {"success", "failure"}
    (alert,) = _events(arc, "alert.sent")
    assert alert.detail["kind"] == "restore.failure"


def test_an_unreadable_copy_is_a_failure_not_a_crash(arc, now):
    for aip_dir in (arc.location("primary").root / "aips").glob("*/*"):
        shutil.rmtree(aip_dir)
    result = restore_test(arc, now, sample=1)
    assert [c.ok for c in result.checks] == [False, True]
    assert result.checks[0].findings[0].code == "STO-RESTORE-FAILED"


def test_an_empty_location_is_reported(tmp_path, now):
    arc = init_archive(tmp_path / "empty", InitOptions(), now)
    result = restore_test(arc, now)
    assert result.checks == () and [f.code for f in result.findings] == ["STO-RESTORE-NO-COPY"] * 2
    arc.close()


def test_busy_when_another_audit_holds_the_lease(arc, now):
    acquire(arc, "full", now, AuditPolicy())
    result = restore_test(arc, now)
    assert result.status == "busy" and result.findings[0].code == "AUD-BUSY" and not result.ok


def test_a_killed_restore_drill_leaves_nothing_behind(arc, tmp_path):
    """kill -9 with a restored copy in scratch: the folder is a staging area, swept by the next run."""
    from helpers import run_cli

    root = arc.config.root
    killed = run_cli("--root", str(root), "restore-test", env={"CASEARCHIVE_FAILPOINT": "restore.copied",
                                                               "TMPDIR": str(tmp_path)})
    assert killed.returncode == -9
    left = [p for loc in arc.locations for p in loc.staging.iterdir() if p.is_dir()]
    assert left and all((p / "aip" / "bagit.txt").exists() for p in left)
    again = run_cli("--root", str(root), "restore-test")
    assert again.returncode == 0, again.stdout + again.stderr
    assert [p for loc in arc.locations for p in loc.staging.iterdir()] == []
    assert [p for p in tmp_path.iterdir() if p.name.startswith("casearchive-")] == []
