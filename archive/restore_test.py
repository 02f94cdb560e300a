"""Backup restore test (DA/T 70 BC-3-9 备份数据可恢复性; DA/T 92 9.2.5).

From every storage location, a random copy (seeded, reproducible) is restored
into a scratch folder, verified there with every algorithm and its signatures,
and the scratch is removed.  Each location's outcome is a ``storage.restore_test``
event; a failure raises an alert.
"""
from __future__ import annotations

import random
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select

import archive.audit_codes  # noqa: F401 — registers STO- codes
from archive import db
from archive.alerts import Alert, send_alert
from archive.archive import Archive
from archive.audit_policy import audit_policy, kind_due
from archive.auditor import acquire
from archive.events import append_event
from archive.failpoints import hit
from archive.models import AipCopyRow, AipRow
from archive.models_audit import AuditRunRow
from archive.store import Location, copy_tree, remove_scratch, scratch_area
from archive.verify import verify_stored
from findings import Finding, findings_to_json
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS

SCRATCH_PREFIX = "casearchive-restore-"


@dataclass(frozen=True)
class RestoreCheck:
    """One copy restored from one location and verified."""

    location: str
    aip_id: str
    ok: bool
    files: int
    bytes: int
    findings: tuple[Finding, ...] = ()

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"location": self.location, "aip_id": self.aip_id, "ok": self.ok, "files": self.files,
                "bytes": self.bytes, "findings": findings_to_json(self.findings, lang)}


@dataclass(frozen=True)
class RestoreTestResult:
    at: datetime
    run_id: int | None
    status: str  # finished | busy
    checks: tuple[RestoreCheck, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return self.status == "finished" and all(c.ok for c in self.checks) and \
            not any(f.level.value == "error" for f in self.findings)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "run": self.run_id, "status": self.status, "ok": self.ok,
                "checks": [c.to_dict(lang) for c in self.checks], "findings": findings_to_json(self.findings, lang)}


def _choose(archive: Archive, loc: Location, sample: int, seed: str) -> list[tuple[str, str, str]]:
    with db.read_session(archive.engine) as s:
        rows = s.execute(select(AipCopyRow.aip_id, AipCopyRow.relpath, AipRow.tagmanifest_sha256)
                         .join(AipRow, AipRow.id == AipCopyRow.aip_id)
                         .where(AipCopyRow.location == loc.name).order_by(AipCopyRow.aip_id)).all()
    pool = [(str(r[0]), str(r[1]), str(r[2])) for r in rows]
    return random.Random(f"{seed}:{loc.name}").sample(pool, min(sample, len(pool)))


@contextmanager
def _scratch(loc: Location, scratch_dir: Path | None) -> Iterator[Path]:
    """Where a drill restores to: a staging area of the location (swept after a kill -9), or a
    configured folder on other media (a ``casearchive-restore-*`` folder in it)."""
    if scratch_dir is None:
        with scratch_area(loc) as path:
            yield path
        return
    path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_dir))
    try:
        yield path
    finally:
        remove_scratch(path, SCRATCH_PREFIX)


def restore_one(archive: Archive, loc: Location, aip_id: str, relpath: str, tm_sha256: str, now: datetime,
                 scratch_dir: Path | None) -> RestoreCheck:
    try:
        with _scratch(loc, scratch_dir) as scratch:
            files, size = copy_tree(loc.root / relpath, scratch / "aip")
            hit("restore.copied")
            verdict = verify_stored(archive, scratch / "aip", aip_id=aip_id, location=loc.name,
                                    algorithms=AIP_ALGORITHMS, now=now, expected_tagmanifest_sha256=tm_sha256)
    except OSError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        return RestoreCheck(loc.name, aip_id, False, 0, 0, (_failed(loc, aip_id, reason),))
    if verdict.ok:
        return RestoreCheck(loc.name, aip_id, True, files, size)
    reason = ", ".join(sorted({f.code for f in verdict.findings if f.level.value == "error"}))
    return RestoreCheck(loc.name, aip_id, False, files, size, (_failed(loc, aip_id, reason),) + verdict.findings)


def _failed(loc: Location, aip_id: str, reason: str) -> Finding:
    return Finding("STO-RESTORE-FAILED", location=loc.name, params={"aip_id": aip_id, "reason": reason})


def _record(archive: Archive, loc: Location, checks: list[RestoreCheck], now: datetime, run_id: int) -> None:
    with db.write_session(archive.engine) as s:
        append_event(s, at=now, type="storage.restore_test", agent="casearchive restore-test",
                     outcome="success" if checks and all(c.ok for c in checks) else "failure",
                     detail={"location": loc.name, "run": run_id, "aips": [c.aip_id for c in checks],
                             "ok": [c.ok for c in checks], "bytes": sum(c.bytes for c in checks),
                             "codes": sorted({f.code for c in checks for f in c.findings})})


def _close_run(archive: Archive, run_id: int, checks: list[RestoreCheck], now: datetime) -> None:
    with db.write_session(archive.engine) as s:
        row = s.get(AuditRunRow, run_id)
        assert row is not None
        row.status, row.finished_at = "finished", now
        row.copies_checked, row.bytes_checked = len(checks), sum(c.bytes for c in checks)
        row.failures = sum(1 for c in checks if not c.ok)


def restore_test(archive: Archive, now: datetime, sample: int = 1, *, seed: str | None = None,
                 scratch_dir: Path | None = None) -> RestoreTestResult:
    """Restore ``sample`` random copies from every location to a scratch folder and verify them."""
    lease = acquire(archive, "restore", now, audit_policy(archive.config))
    if isinstance(lease, Finding):
        return RestoreTestResult(now, None, "busy", (), (lease,))
    seed = seed or now.date().isoformat()
    checks: list[RestoreCheck] = []
    findings: list[Finding] = []
    for loc in archive.locations:
        chosen = _choose(archive, loc, sample, seed)
        if not chosen:
            findings.append(Finding("STO-RESTORE-NO-COPY", location=loc.name))
        mine = [restore_one(archive, loc, a, rel, tm, now, scratch_dir) for a, rel, tm in chosen]
        _record(archive, loc, mine, now, lease.run_id)
        checks.extend(mine)
    _close_run(archive, lease.run_id, checks, now)
    findings.extend(f for c in checks for f in c.findings if f.code == "STO-RESTORE-FAILED")
    result = RestoreTestResult(now, lease.run_id, "finished", tuple(checks), tuple(findings))
    if not all(c.ok for c in checks):
        send_alert(archive, Alert("restore.failure", "error", now, "Backup restore test failed",
                                  "备份恢复测试未通过", result.findings, {"run": lease.run_id}))
    return result


def scheduled_restore_test(root: str) -> dict[str, Any]:
    """Scheduler job ``archive.restore_test:scheduled_restore_test``: runs when due ([audit] restore_test_every_days)."""
    from datetime import timezone

    arc = Archive.open(Path(root))
    try:
        now = datetime.now(timezone.utc)
        with db.read_session(arc.engine) as s:
            if kind_due(s, "restore", now, audit_policy(arc.config)) is None:
                return {"kind": "restore", "status": "not-due"}
        return restore_test(arc, now).to_dict(Lang.EN)
    finally:
        arc.close()
