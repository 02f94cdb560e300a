"""Audit runs on real AIPs: selection, recording, faults, budgets, throttling, leases, sample and full checks."""
from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from helpers import open_copy
from archive import db
from archive.archive import Archive
from archive.auditor import STOP, Throttle, acquire, audit_status, full_audit, run_audit, sample_audit
from archive.audit_policy import AuditPolicy
from archive.models import AipCopyRow, EventRow
from archive.models_audit import AuditRunRow

LATER = timedelta(days=100)


@pytest.fixture
def template(ingested_template):
    return ingested_template


def _open(template: Path, tmp_path: Path, extra: str = "") -> Archive:
    return open_copy(template, tmp_path, extra)


@pytest.fixture
def arc(template, tmp_path):
    a = _open(template, tmp_path)
    yield a
    a.close()


def _copies(arc: Archive) -> list[tuple[str, str, str]]:
    with db.read_session(arc.engine) as s:
        return [tuple(r) for r in s.execute(select(AipCopyRow.aip_id, AipCopyRow.location, AipCopyRow.relpath)
                                            .order_by(AipCopyRow.aip_id, AipCopyRow.location))]


def _events(arc: Archive, type_: str) -> list[EventRow]:
    with db.read_session(arc.engine) as s:
        rows = s.execute(select(EventRow).where(EventRow.type == type_).order_by(EventRow.seq)).scalars().all()
        s.expunge_all()
        return list(rows)


def _payload_file(arc: Archive, location: str, aip_id: str) -> Path:
    aip_dir = arc.location(location).aip_path(aip_id)
    return sorted(p for p in (aip_dir / "data").rglob("*") if p.is_file())[0]


def test_a_regular_run_verifies_every_due_copy_once_and_records_it(arc, now):
    run = run_audit(arc, now + LATER)
    assert (run.status, run.copies_checked, run.failures) == ("finished", 6, 0)
    assert run.bytes_checked > 0 and run.algorithms == ("sha256",)
    verifies = _events(arc, "aip.verify")
    assert len(verifies) == 6 and all(e.outcome == "success" and e.detail["run"] == run.id for e in verifies)
    assert [e.detail["kind"] for e in _events(arc, "audit.run")] == ["regular"]
    with db.read_session(arc.engine) as s:
        rows = s.execute(select(AipCopyRow)).scalars().all()
        assert all(r.last_verify_ok and r.last_verified_at.date() == (now + LATER).date() for r in rows)
        run_row = s.get(AuditRunRow, run.id)
        assert (run_row.status, run_row.copies_checked, run_row.failures) == ("finished", 6, 0)
    again = run_audit(arc, now + LATER + timedelta(hours=6))
    assert again.copies_checked == 0, "nothing is due a few hours later"


def test_copies_within_the_cycle_are_not_due(arc, now):
    assert run_audit(arc, now + timedelta(days=30)).copies_checked == 0
    assert run_audit(arc, now + timedelta(days=30), force=True).copies_checked == 6


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-10])


def _delete(path: Path) -> None:
    path.unlink()


def _add(path: Path) -> None:
    (path.parent / "stray.pdf").write_bytes(b"%PDF-1.4 not listed anywhere")


def _replace(path: Path) -> None:
    path.write_bytes(bytes(len(path.read_bytes())))


FAULTS = {"flip-bit": (_flip, "VER-DIGEST-MISMATCH"), "truncate": (_truncate, "VER-DIGEST-MISMATCH"),
          "delete": (_delete, "VER-FILE-MISSING"), "add": (_add, "VER-FILE-EXTRA"),
          "replace-same-size": (_replace, "VER-DIGEST-MISMATCH")}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_fault_in_one_copy_is_found_recorded_and_alerted(arc, now, fault):
    damage, code = FAULTS[fault]
    aip_id = _copies(arc)[0][0]
    target = _payload_file(arc, "replica", aip_id)
    size = target.stat().st_size
    damage(target)
    if fault == "replace-same-size":
        assert target.stat().st_size == size
    run = run_audit(arc, now + LATER)
    assert (run.copies_checked, run.failures) == (6, 1)
    (failed,) = run.failed
    assert (failed.aip_id, failed.location) == (aip_id, "replica")
    assert code in {f.code for f in failed.findings}
    assert [f.code for f in run.findings] == ["AUD-COPY-FAILED"] and code in run.findings[0].found
    with db.read_session(arc.engine) as s:
        row = s.execute(select(AipCopyRow).where(AipCopyRow.aip_id == aip_id, AipCopyRow.location == "replica")
                        ).scalar_one()
        assert (row.state, row.last_verify_ok) == ("damaged", False)
    alerts = _events(arc, "alert.sent")
    assert len(alerts) == 1 and alerts[0].detail["kind"] == "audit.failure"
    rerun = run_audit(arc, now + LATER + timedelta(hours=1))
    assert rerun.copies_checked == 1 and rerun.failed[0].aip_id == aip_id, "a failing copy is always re-checked"


def test_a_deleted_copy_is_found(arc, now):
    aip_id = _copies(arc)[2][0]
    shutil.rmtree(arc.location("primary").aip_path(aip_id))
    run = run_audit(arc, now + LATER)
    assert run.failures == 1 and run.failed[0].findings[0].code == "VER-AIP-MISSING"
    assert audit_status(arc, now + LATER).failing == 1


def test_byte_budget_stops_between_copies(arc, now):
    run = run_audit(arc, now + LATER, max_bytes=1)
    assert run.copies_checked == 1 and run.status == "finished"
    rest = run_audit(arc, now + LATER)
    assert rest.copies_checked == 5


def test_time_budget_stops_between_copies(arc, now):
    ticks = iter(range(0, 10_000, 10))
    run = run_audit(arc, now + LATER, max_duration=25, clock=lambda: next(ticks))
    assert run.budget_exhausted and run.status == "interrupted"
    assert 1 <= run.copies_checked < 6
    follow = run_audit(arc, now + LATER)
    assert run.copies_checked + follow.copies_checked == 6, "nothing skipped, nothing twice"
    ids = [(e.aip_id, e.detail["location"]) for e in _events(arc, "aip.verify")]
    assert len(ids) == len(set(ids)) == 6


def test_throttle_keeps_the_mean_rate():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    throttle = Throttle(1000.0, lambda: now[0], sleep)
    now[0] += 1.0
    assert throttle.paid(5000) == pytest.approx(4.0)
    now[0] += 10.0
    assert throttle.paid(1000) == 0.0
    assert Throttle(0, lambda: 0.0, sleep).paid(10**9) == 0.0
    assert slept == [pytest.approx(4.0)]


def test_throttled_run_sleeps_for_its_bytes(template, tmp_path, now):
    arc = _open(template, tmp_path, "[audit]\nread_rate_mb_s = 0.5")
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    run = run_audit(arc, now + LATER, clock=lambda: clock[0], sleep=sleep)
    assert run.copies_checked == 6
    assert sum(slept) == pytest.approx(run.bytes_checked / 500_000)
    arc.close()


def test_partitions_cover_all_copies(arc, now):
    first = run_audit(arc, now + LATER, partition=(1, 2))
    second = run_audit(arc, now + LATER, partition=(2, 2))
    assert first.copies_checked + second.copies_checked == 6 and first.partition == "1/2"


def test_a_live_lease_makes_another_run_return(arc, now):
    lease = acquire(arc, "regular", now + LATER, AuditPolicy())
    assert not hasattr(lease, "code")
    busy = run_audit(arc, now + LATER)
    assert busy.status == "busy" and busy.findings[0].code == "AUD-BUSY" and busy.copies_checked == 0
    assert _events(arc, "aip.verify") == []


def test_a_dead_holders_lease_is_taken_over(arc, now):
    lease = acquire(arc, "regular", now + LATER, AuditPolicy())
    pid = 2**22 + 12345  # above the default pid_max: no such process
    with db.write_session(arc.engine) as s:
        s.execute(update(AuditRunRow).where(AuditRunRow.id == lease.run_id)
                  .values(holder=f"{os.uname().nodename}:{pid}"))
    run = run_audit(arc, now + LATER)
    assert run.copies_checked == 6
    with db.read_session(arc.engine) as s:
        assert s.get(AuditRunRow, lease.run_id).status == "abandoned"


def test_an_expired_lease_is_taken_over(arc, now):
    acquire(arc, "regular", now, AuditPolicy(lease_seconds=60))
    assert run_audit(arc, now + LATER).copies_checked == 6


def test_sample_is_five_percent_with_all_algorithms_and_reproducible(arc, now):
    seen = []

    def plan(archive, copy, aip_dir, at):
        seen.append((copy.aip_id, copy.location, aip_dir.is_dir()))
        return []

    run = sample_audit(arc, now + LATER, check_plan=plan)
    assert run.kind == "sample" and run.algorithms == ("sha256", "sm3")
    assert run.copies_checked == 2 and len({a for a, _, _ in seen}) == 1 and all(ok for *_, ok in seen)
    from archive.auditor import choose_sample

    assert choose_sample(arc, "2027-02-28", 5) == choose_sample(arc, "2027-02-28", 5)
    assert len(choose_sample(arc, "x", 100)) == 3


def test_check_plan_findings_fail_the_copy(arc, now):
    from findings import Finding

    def plan(archive, copy, aip_dir, at):
        return [Finding("VER-FILE-EXTRA", location="data/extra.bin")]

    run = sample_audit(arc, now + LATER, check_plan=plan)
    assert run.failures == 2


def test_a_check_plan_that_cannot_evaluate_is_a_finding(arc, now):
    def plan(archive, copy, aip_dir, at):
        raise RuntimeError("scanner offline")

    run = sample_audit(arc, now + LATER, check_plan=plan)
    assert run.failures == 2
    assert "AUD-CHECK-PLAN-FAILED" in {f.code for v in run.failed for f in v.findings}


def test_full_check_interrupted_then_resumed_covers_every_copy_once(arc, now):
    calls = []

    def stop_after_two(archive, copy, aip_dir, at):
        calls.append(copy.copy_id)
        if len(calls) == 2:
            STOP.set()
        return []

    try:
        first = full_audit(arc, now + LATER, check_plan=stop_after_two)
    finally:
        STOP.clear()
    assert (first.status, first.copies_checked) == ("interrupted", 2)
    assert audit_status(arc, now + LATER).full_due_since is not None
    second = full_audit(arc, now + LATER + timedelta(minutes=5))
    assert (second.status, second.copies_checked) == ("finished", 4)
    full = [(e.aip_id, e.detail["location"]) for e in _events(arc, "aip.verify") if e.detail["kind"] == "full"]
    assert len(full) == len(set(full)) == 6
    assert audit_status(arc, now + LATER + timedelta(days=1)).full_due_since is None


def test_status_reports_due_overdue_failing_never(arc, now):
    with db.write_session(arc.engine) as s:
        first = s.execute(select(AipCopyRow).order_by(AipCopyRow.id)).scalars().first()
        first.last_verified_at, first.last_verify_ok = None, None
    status = audit_status(arc, now + LATER)
    assert (status.copies, status.never_verified, status.overdue, status.failing, status.due_now) == (6, 1, 5, 0, 6)
    assert status.sample_due_since is not None and status.full_due_since is not None
    codes = {f.code for f in status.findings}
    assert {"AUD-COPIES-OVERDUE", "AUD-NEVER-VERIFIED", "AUD-SAMPLE-DUE", "AUD-FULL-DUE"} <= codes
    run_audit(arc, now + LATER)
    sample_audit(arc, now + LATER)
    later = audit_status(arc, now + LATER + timedelta(days=1))
    assert (later.overdue, later.due_now, later.never_verified) == (0, 0, 0)
    assert later.sample_due_since is None and later.next_due_at is not None
    assert later.last_runs[0].kind == "sample" and later.to_dict()["last_runs"][1]["kind"] == "regular"
    assert audit_status(arc, now + LATER + timedelta(days=92)).sample_due_since is not None


def test_auto_repair_repairs_a_damaged_copy(template, tmp_path, now):
    arc = _open(template, tmp_path, "[audit]\nauto_repair = true")
    aip_id = _copies(arc)[0][0]
    _flip(_payload_file(arc, "primary", aip_id))
    run = run_audit(arc, now + LATER)
    assert run.failures == 1 and run.repairs == 1
    assert run_audit(arc, now + LATER + timedelta(hours=1)).failures == 0
    arc.close()
