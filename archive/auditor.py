"""Audit runs: regular (least recently verified first), quarterly sample, biennial full check.

Each run takes a lease in ``audit_run`` so that two schedulers, or a scheduler
and a cron job, never audit at once; a lease whose holder died (same host, pid
gone) or expired is taken over.  Every copy's verdict is committed as soon as it
is known (copy row, ``aip.verify`` event, run counters, lease renewal), so a run
cut short — budget, shutdown or ``kill -9`` — loses at most the copy in hand,
and the next run neither repeats nor skips any: regular runs re-select by
``last_verified_at``; sample and full runs resume from their ``cursor``.

Every run first clears what crashed ingests left (archive.publish.recover_publications):
a copy published by an ingest that died before its commit is removed, a copy nobody
can account for (``STO-ORPHAN-COPY``) or an untrustworthy marker is reported — an
*anomaly*: the run is not ok and raises its alert, though no copy failed.
"""
from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import select

import archive.audit_codes  # noqa: F401 — registers AUD- codes
from archive import db
from archive.archive import Archive
from archive.audit import record_verification
from archive.audit_policy import AuditPolicy, AuditStatus, Budget, DueCopy, audit_policy, sample_size, select_due, utc
from archive.events import append_event
from archive.failpoints import hit
from archive.models import AipCopyRow, AipRow
from archive.models_audit import AuditRunRow
from archive.repair import verify_settled  # a copy mid-repair is busy, not damaged
from archive.verify import CopyVerdict
from findings import Finding, findings_to_json
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS

log = logging.getLogger(__name__)

#: Set by the scheduler on shutdown; runs stop between copies (and wake from throttling).
STOP = threading.Event()

#: ``check_plan(archive, copy, aip_dir, now) -> findings``: the store-stage four-property
#: plan of [checks] plugs in here; its error findings fail the copy like a digest mismatch.
CheckPlan = Callable[[Archive, DueCopy, Path, datetime], Sequence[Finding]]


@dataclass(frozen=True)
class AuditRun:
    """What one run did (or, with status ``busy``, why it did nothing)."""

    id: int | None
    kind: str
    status: str  # finished | interrupted | busy
    started_at: datetime
    finished_at: datetime | None
    copies_checked: int = 0
    bytes_checked: int = 0
    failures: int = 0
    repairs: int = 0
    budget_exhausted: bool = False
    partition: str | None = None
    algorithms: tuple[str, ...] = ()
    failed: tuple[CopyVerdict, ...] = ()
    findings: tuple[Finding, ...] = ()
    anomalies: int = 0

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.anomalies == 0

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "ok": self.ok,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "copies_checked": self.copies_checked, "bytes_checked": self.bytes_checked,
                "failures": self.failures, "repairs": self.repairs, "budget_exhausted": self.budget_exhausted,
                "partition": self.partition, "algorithms": list(self.algorithms), "anomalies": self.anomalies,
                "failed": [v.to_dict(lang) for v in self.failed], "findings": findings_to_json(self.findings, lang)}


class Throttle:
    """Keeps the average read rate of a run at or below ``rate`` bytes/s.

    Paid after each copy (verify_copy reads a whole AIP at full speed, keeping its
    one-read fast path), so bursts last one AIP and the mean over the run holds.
    """

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], Any]):
        self.rate, self.clock, self.sleep = rate, clock, sleep
        self.start, self.done = clock(), 0

    def paid(self, nbytes: int) -> float:
        """Account for ``nbytes`` read; sleep as long as needed; return the seconds slept."""
        if self.rate <= 0:
            return 0.0
        self.done += nbytes
        ahead = self.done / self.rate - (self.clock() - self.start)
        if ahead > 0:
            self.sleep(ahead)
            return ahead
        return 0.0


@dataclass(frozen=True)
class Limits:
    max_duration: float | None = None
    max_bytes: int | None = None


@dataclass
class _Tally:
    """Mutable counters of the run in hand (never leaves this module)."""

    copies: int = 0
    bytes: int = 0
    failures: int = 0
    repairs: int = 0
    anomalies: int = 0
    exhausted: bool = False
    stopped: bool = False
    failed: list[CopyVerdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _Lease:
    run_id: int
    started_at: datetime
    seed: str | None
    cursor: int


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _holder_dead(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _stale(row: AuditRunRow, now: datetime) -> bool:
    return utc(row.lease_until) <= utc(now) or _holder_dead(row.holder)


def acquire(archive: Archive, kind: str, now: datetime, policy: AuditPolicy, *,
            partition: str | None = None, seed: str | None = None) -> _Lease | Finding:
    """Take the audit lease; a live run elsewhere yields an AUD-BUSY finding instead."""
    with db.write_session(archive.engine) as s:
        for row in s.execute(select(AuditRunRow).where(AuditRunRow.status == "running")).scalars():
            if not _stale(row, now):
                return Finding("AUD-BUSY", location="audit_run", expected=utc(row.lease_until).isoformat(),
                               found=f"{row.kind} #{row.id} {row.holder}")
            row.status, row.finished_at = "abandoned", now
        resume = _resumable(s, kind) if kind in ("sample", "full") else None
        row = AuditRunRow(kind=kind, status="running", holder=holder_name(), started_at=now,
                          lease_until=now + timedelta(seconds=policy.lease_seconds), copies_checked=0,
                          bytes_checked=0, failures=0, budget_exhausted=False, partition=partition,
                          seed=resume.seed if resume else seed, cursor=resume.cursor if resume else 0,
                          detail={"resumes": resume.id} if resume else {})
        s.add(row)
        s.flush()
        return _Lease(row.id, now, row.seed, row.cursor)


def _resumable(session: Any, kind: str) -> AuditRunRow | None:
    """The latest run of ``kind`` if it stopped before the end of its list."""
    last = session.execute(select(AuditRunRow).where(AuditRunRow.kind == kind)
                           .order_by(AuditRunRow.id.desc()).limit(1)).scalar_one_or_none()
    return last if last is not None and last.status in ("interrupted", "abandoned") else None


def _at(now: datetime, clock: Callable[[], float], t0: float) -> datetime:
    """Wall time of an event in the run: the run's ``now`` plus monotonic time elapsed."""
    return now + timedelta(seconds=max(0.0, clock() - t0))


def _audit_copy(archive: Archive, copy: DueCopy, algorithms: Sequence[str], at: datetime,
                check_plan: CheckPlan | None) -> CopyVerdict:
    aip_dir = archive.location(copy.location).root / copy.relpath
    verdict = verify_settled(archive, aip_dir, aip_id=copy.aip_id, location=copy.location, algorithms=algorithms,
                            now=at, expected_tagmanifest_sha256=copy.tagmanifest_sha256)
    if check_plan is None:
        return verdict
    try:
        extra = tuple(check_plan(archive, copy, aip_dir, at))
    except Exception as exc:  # noqa: BLE001 — a plan that cannot evaluate is a finding, not a crash
        extra = (Finding("AUD-CHECK-PLAN-FAILED", location=copy.relpath,
                         params={"aip_id": copy.aip_id, "reason": f"{type(exc).__name__}: {exc}"}),)
    return replace(verdict, findings=verdict.findings + extra)


def _record(archive: Archive, lease: _Lease, kind: str, verdict: CopyVerdict, at: datetime, agent: str,
            cursor: int, policy: AuditPolicy) -> None:
    with db.write_session(archive.engine) as s:
        record_verification(s, verdict, at, agent, run=lease.run_id, kind=kind)
        row = s.get(AuditRunRow, lease.run_id)
        assert row is not None
        row.copies_checked += 1
        row.bytes_checked += verdict.bytes_checked
        row.failures += 0 if verdict.ok else 1
        row.cursor, row.lease_until = cursor, at + timedelta(seconds=policy.lease_seconds)
    hit("audit.copy-recorded")


def _out_of_budget(tally: _Tally, limits: Limits, elapsed: float) -> bool:
    if limits.max_duration is not None and elapsed >= limits.max_duration:
        return True
    return limits.max_bytes is not None and tally.bytes >= limits.max_bytes


@dataclass(frozen=True)
class _Job:
    """One run's fixed inputs."""

    kind: str
    lease: _Lease
    algorithms: tuple[str, ...]
    limits: Limits
    policy: AuditPolicy
    agent: str
    check_plan: CheckPlan | None = None


def _recover_publications(archive: Archive, tally: _Tally) -> None:
    """What a crashed ingest left: undone, or reported when it cannot be trusted (archive.publish)."""
    from archive.publish import recover_publications

    for finding in recover_publications(archive):
        tally.findings.append(finding)
        if finding.level.value == "error":
            tally.anomalies += 1
            log.warning("audit: %s %s", finding.code, finding.location)


def _execute(archive: Archive, job: _Job, copies: Iterable[tuple[int, DueCopy]], now: datetime,
             clock: Callable[[], float], sleep: Callable[[float], Any]) -> _Tally:
    """Verify ``(cursor, copy)`` pairs in order until done, out of budget or stopped."""
    tally, t0 = _Tally(), clock()
    _recover_publications(archive, tally)
    throttle = Throttle(job.policy.read_rate_mb_s * 1_000_000, clock, sleep)
    for cursor, copy in copies:
        if STOP.is_set():
            tally.stopped = True
            break
        if _out_of_budget(tally, job.limits, clock() - t0):
            tally.exhausted = True
            break
        at = _at(now, clock, t0)
        verdict = _audit_copy(archive, copy, job.algorithms, at, job.check_plan)
        _record(archive, job.lease, job.kind, verdict, at, job.agent, cursor, job.policy)
        _count(tally, copy, verdict)
        throttle.paid(verdict.bytes_checked)
    return tally


def _count(tally: _Tally, copy: DueCopy, verdict: CopyVerdict) -> None:
    tally.copies += 1
    tally.bytes += verdict.bytes_checked
    if verdict.ok:
        return
    tally.failures += 1
    tally.failed.append(verdict)
    codes = ", ".join(sorted({f.code for f in verdict.findings if f.level.value == "error"}))
    tally.findings.append(Finding("AUD-COPY-FAILED", location=f"{copy.location}:{copy.relpath}", found=codes,
                                  params={"aip_id": copy.aip_id, "location_name": copy.location}))


def _repair(archive: Archive, tally: _Tally, now: datetime) -> None:
    """Auto-repair the damaged AIPs (archive.repair: rebuild from a verified good copy)."""
    from archive.repair import repair_aip

    for aip_id in sorted({v.aip_id for v in tally.failed}):
        try:
            result = repair_aip(archive, aip_id, now=now, confirm=True)
        except Exception as exc:  # noqa: BLE001 — a failed repair must not end the audit
            log.exception("automatic repair of %s failed", aip_id)
            tally.findings.append(Finding("AUD-REPAIR-FAILED", location=aip_id,
                                          params={"aip_id": aip_id, "reason": f"{type(exc).__name__}: {exc}"}))
            continue
        if result.ok:
            tally.repairs += 1


def _finish(archive: Archive, job: _Job, tally: _Tally, now: datetime, clock_end: datetime) -> AuditRun:
    complete = not (tally.exhausted or tally.stopped)
    status = "finished" if complete else "interrupted"
    with db.write_session(archive.engine) as s:
        row = s.get(AuditRunRow, job.lease.run_id)
        assert row is not None
        row.status, row.finished_at, row.budget_exhausted = status, clock_end, tally.exhausted
        row.detail = {**(row.detail or {}), "repairs": tally.repairs, "stopped": tally.stopped}
        append_event(s, at=clock_end, type="audit.run", agent=job.agent,
                     outcome="success" if tally.failures == 0 and tally.anomalies == 0 else "failure",
                     detail={"run": row.id, "kind": job.kind, "status": status, "copies": tally.copies,
                             "bytes": tally.bytes, "failures": tally.failures, "repairs": tally.repairs,
                             "anomalies": tally.anomalies,
                             "budget_exhausted": tally.exhausted, "partition": row.partition,
                             "algorithms": list(job.algorithms)})
        partition = row.partition
    return AuditRun(job.lease.run_id, job.kind, status, now, clock_end, tally.copies, tally.bytes, tally.failures,
                    tally.repairs, tally.exhausted, partition, job.algorithms, tuple(tally.failed),
                    tuple(tally.findings), tally.anomalies)


def _auto_repair(archive: Archive, policy: AuditPolicy) -> bool:
    """[audit] auto_repair or [repair] auto."""
    from archive.repair import RepairPolicy

    return policy.auto_repair or bool(RepairPolicy.from_config(archive.config.section("repair")).auto)


def _conclude(archive: Archive, job: _Job, tally: _Tally, now: datetime, end: datetime) -> AuditRun:
    if tally.failed and _auto_repair(archive, job.policy):
        _repair(archive, tally, end)
    run = _finish(archive, job, tally, now, end)
    if run.failures or run.anomalies:
        from archive.alerts import alert_for_run, send_alert

        send_alert(archive, alert_for_run(run, end))
    return run


def _busy(kind: str, now: datetime, finding: Finding) -> AuditRun:
    return AuditRun(None, kind, "busy", now, None, findings=(finding,))


def run_audit(archive: Archive, now: datetime, *, max_duration: float | None = None, max_bytes: int | None = None,
              partition: tuple[int, int] | None = None, clock: Callable[[], float] = time.monotonic,
              sleep: Callable[[float], Any] | None = None, force: bool = False,
              agent: str = "casearchive audit") -> AuditRun:
    """One regular audit run: failing, never verified, then least recently verified copies that are due."""
    policy = audit_policy(archive.config)
    limits = Limits(max_duration if max_duration is not None else policy.max_duration_seconds,
                    max_bytes if max_bytes is not None else policy.max_bytes)
    part = f"{partition[0]}/{partition[1]}" if partition else None
    lease = acquire(archive, "regular", now, policy, partition=part)
    if isinstance(lease, Finding):
        return _busy("regular", now, lease)
    with db.read_session(archive.engine) as s:
        due = select_due(s, now, policy, Budget(max_bytes=limits.max_bytes), partition, force=force,
                         locations=[loc.name for loc in archive.locations])
    job = _Job("regular", lease, policy.algorithms, limits, policy, agent)
    clock_fn, t0 = clock, clock()
    tally = _execute(archive, job, ((i + 1, c) for i, c in enumerate(due)), now, clock_fn, sleep or STOP.wait)
    return _conclude(archive, job, tally, now, _at(now, clock_fn, t0))


def _copies_of(archive: Archive, aip_ids: Sequence[str]) -> list[DueCopy]:
    """Every copy of the named AIPs in configured locations, in the order of ``aip_ids``."""
    names = [loc.name for loc in archive.locations]
    order = {a: i for i, a in enumerate(aip_ids)}
    out: list[DueCopy] = []
    with db.read_session(archive.engine) as s:
        for start in range(0, len(aip_ids), 500):
            chunk = list(aip_ids[start:start + 500])
            rows = s.execute(select(AipCopyRow.id, AipCopyRow.aip_id, AipCopyRow.location, AipCopyRow.relpath,
                                    AipRow.payload_bytes, AipRow.tagmanifest_sha256, AipCopyRow.last_verified_at,
                                    AipCopyRow.last_verify_ok).join(AipRow, AipRow.id == AipCopyRow.aip_id)
                             .where(AipCopyRow.aip_id.in_(chunk), AipCopyRow.location.in_(names)))
            out.extend(DueCopy(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6], r[7], "sampled") for r in rows)
    return sorted(out, key=lambda c: (order[c.aip_id], c.location))


def choose_sample(archive: Archive, seed: str, percent: float) -> list[str]:
    """The AIPs of one quarterly sample: ``percent`` of all, drawn with ``seed`` (reproducible)."""
    with db.read_session(archive.engine) as s:
        ids = sorted(s.execute(select(AipRow.id)).scalars())
    return random.Random(seed).sample(ids, sample_size(len(ids), percent))


def _listed_run(archive: Archive, kind: str, now: datetime, copies_for: Callable[[_Lease], list[DueCopy]],
                check_plan: CheckPlan | None, clock: Callable[[], float], sleep: Callable[[float], Any] | None,
                max_duration: float | None, agent: str) -> AuditRun:
    """A sample or full run: a fixed list of copies, all algorithms, resumable from its cursor."""
    policy = audit_policy(archive.config)
    lease = acquire(archive, kind, now, policy, seed=now.date().isoformat())
    if isinstance(lease, Finding):
        return _busy(kind, now, lease)
    job = _Job(kind, lease, AIP_ALGORITHMS, Limits(max_duration), policy, agent, check_plan)
    copies = copies_for(lease)
    t0 = clock()
    tally = _execute(archive, job, _from_cursor(kind, copies, lease.cursor), now, clock, sleep or STOP.wait)
    return _conclude(archive, job, tally, now, _at(now, clock, t0))


def _from_cursor(kind: str, copies: list[DueCopy], cursor: int) -> Iterable[tuple[int, DueCopy]]:
    """Sample cursors count copies done; full-check cursors are the last copy id done."""
    if kind == "sample":
        return ((i + 1, c) for i, c in enumerate(copies) if i >= cursor)
    return ((c.copy_id, c) for c in copies if c.copy_id > cursor)


def sample_audit(archive: Archive, now: datetime, *, check_plan: CheckPlan | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] | None = None,
                 max_duration: float | None = None, agent: str = "casearchive audit sample") -> AuditRun:
    """The quarterly sample (DA/T 70 4.3.1.2): >= sample_percent of the AIPs, every copy, all algorithms.

    The sample is drawn with the run's date as seed, so it can be reproduced;
    a sample cut short resumes with the same seed and position.
    """
    percent = audit_policy(archive.config).sample_percent

    def copies_for(lease: _Lease) -> list[DueCopy]:
        return _copies_of(archive, choose_sample(archive, lease.seed or now.date().isoformat(), percent))

    return _listed_run(archive, "sample", now, copies_for, check_plan, clock, sleep, max_duration, agent)


def full_audit(archive: Archive, now: datetime, *, check_plan: CheckPlan | None = None,
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], Any] | None = None,
               max_duration: float | None = None, agent: str = "casearchive audit full") -> AuditRun:
    """The full check (DA/T 70 4.3.1.2, every two years): every copy, all algorithms, resumable."""

    def copies_for(lease: _Lease) -> list[DueCopy]:
        with db.read_session(archive.engine) as s:
            ids = list(s.execute(select(AipRow.id).order_by(AipRow.id)).scalars())
        return sorted(_copies_of(archive, ids), key=lambda c: c.copy_id)

    return _listed_run(archive, "full", now, copies_for, check_plan, clock, sleep, max_duration, agent)


def _recover_repairs(archive: Archive, now: datetime) -> None:
    """Finish or roll back a repair cut short by a crash (the repair journal) before auditing."""
    from archive.repair import recover_repairs

    for finding in recover_repairs(archive, now):
        log.warning("repair recovery: %s %s", finding.code, finding.location)


def _scheduled(root: str, kind: str) -> dict[str, Any]:
    """A job of the scheduler: open the archive, run ``kind`` if it is due, close."""
    from datetime import timezone

    from archive.audit_policy import kind_due

    arc = Archive.open(Path(root))
    try:
        now = datetime.now(timezone.utc)
        _recover_repairs(arc, now)
        if kind != "regular":
            with db.read_session(arc.engine) as s:
                if kind_due(s, kind, now, audit_policy(arc.config)) is None:
                    return {"kind": kind, "status": "not-due"}
        from archive.checking import store_plan_hook

        # DA/T 70 4.3.1.2: the sample and the full check run the whole store-stage plan.
        run = run_audit(arc, now) if kind == "regular" else \
            sample_audit(arc, now, check_plan=store_plan_hook) if kind == "sample" else \
            full_audit(arc, now, check_plan=store_plan_hook)
        log.info("%s audit: %s, %d copies, %d failures", kind, run.status, run.copies_checked, run.failures)
        return run.to_dict(Lang.EN)
    finally:
        arc.close()


def scheduled_audit(root: str) -> dict[str, Any]:
    """Scheduler job ``archive.auditor:scheduled_audit``: one regular run within the [audit] budget."""
    return _scheduled(root, "regular")


def scheduled_sample(root: str) -> dict[str, Any]:
    """Scheduler job: the quarterly sample, when due (or to resume one cut short)."""
    return _scheduled(root, "sample")


def scheduled_full(root: str) -> dict[str, Any]:
    """Scheduler job: the biennial full check, when due (or to resume one cut short)."""
    return _scheduled(root, "full")


def audit_status(archive: Archive, now: datetime) -> "AuditStatus":
    """``casearchive audit status``: due, overdue, failing, never verified; runs; sample/full due."""
    from archive.audit_policy import status_of

    with db.read_session(archive.engine) as s:
        return status_of(s, now, audit_policy(archive.config), [loc.name for loc in archive.locations])
