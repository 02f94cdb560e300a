"""The audit policy ([audit] in casearchive.toml) and the choice of copies due for audit.

Defaults come from the standards: every copy re-verified within a cycle well
inside DA/T 92 9.4.1's "at least once a year" (90 days), a quarterly sample of
at least 5 % and a full check every two years (DA/T 70 4.3.1.2).

Selection follows borg/restic: what failed last time first (always), then what
was never verified, then least recently verified; each run bounded by bytes; a
deterministic n/t partition (restic ``--read-data-subset=n/t``) so t runs cover
everything.  Every step reads the index on ``aip_copy.last_verified_at`` in
order and stops early, so choosing a batch among 200,000 copies stays cheap.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

from archive.config import Config, ConfigError
from archive.models import AipCopyRow, AipRow
from fixity.digest import AIP_ALGORITHMS

BATCH = 2000


@dataclass(frozen=True)
class AuditPolicy:
    """[audit]: how often and how much to verify."""

    cycle_days: int = 90
    sample_percent: float = 5.0
    sample_every_days: int = 91
    full_check_every_days: int = 730
    restore_test_every_days: int = 30
    max_duration_seconds: float | None = None
    max_bytes: int | None = None
    read_rate_mb_s: float = 0.0
    auto_repair: bool = False
    algorithms: tuple[str, ...] = ("sha256",)
    lease_seconds: int = 3600

    @property
    def cycle(self) -> timedelta:
        return timedelta(days=self.cycle_days)

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


_NUMBERS = {"cycle_days": (int, 1), "sample_every_days": (int, 1), "full_check_every_days": (int, 1),
            "restore_test_every_days": (int, 1), "lease_seconds": (int, 60), "sample_percent": (float, 0.0),
            "read_rate_mb_s": (float, 0.0), "max_duration_seconds": (float, 0.0), "max_bytes": (int, 1)}


def parse_audit_policy(section: Mapping[str, Any]) -> AuditPolicy:
    """Read [audit]; unknown keys and out-of-range values raise ConfigError."""
    unknown = set(section) - set(AuditPolicy.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown key(s) in [audit]: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for key, (kind, minimum) in _NUMBERS.items():
        if key in section:
            values[key] = _number(key, section[key], kind, minimum)
    if "sample_percent" in values and values["sample_percent"] > 100:
        raise ConfigError("[audit] sample_percent must be at most 100")
    if "auto_repair" in section:
        if not isinstance(section["auto_repair"], bool):
            raise ConfigError("[audit] auto_repair must be true or false")
        values["auto_repair"] = section["auto_repair"]
    if "algorithms" in section:
        values["algorithms"] = parse_algorithms(section["algorithms"])
    return AuditPolicy(**values)


def _number(key: str, value: Any, kind: type, minimum: float) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ConfigError(f"[audit] {key} must be a {'whole ' if kind is int else ''}number, not {value!r}")
    if value < minimum:
        raise ConfigError(f"[audit] {key} must be at least {minimum}, not {value!r}")
    return kind(value)


def parse_algorithms(value: Any) -> tuple[str, ...]:
    """``"sha256"``, ``"sm3"``, ``"all"`` or a list of those names."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"[audit] algorithms must be a name or a list of names, not {value!r}")
    if names == ["all"]:
        return AIP_ALGORITHMS
    bad = [n for n in names if n not in AIP_ALGORITHMS]
    if bad:
        raise ConfigError(f"[audit] unknown algorithm(s) {', '.join(bad)}; use {', '.join(AIP_ALGORITHMS)} or all")
    return tuple(dict.fromkeys(names))


def audit_policy(config: Config) -> AuditPolicy:
    return parse_audit_policy(config.section("audit"))


@dataclass(frozen=True)
class Budget:
    """What one run may read: bytes (by the catalogue's payload size) and/or copies."""

    max_bytes: int | None = None
    max_copies: int | None = None


@dataclass(frozen=True)
class DueCopy:
    """One copy chosen for audit, and why: failing | never | due | forced."""

    copy_id: int
    aip_id: str
    location: str
    relpath: str
    payload_bytes: int
    tagmanifest_sha256: str
    last_verified_at: datetime | None
    last_verify_ok: bool | None
    reason: str


def parse_partition(text: str) -> tuple[int, int]:
    """``"n/t"`` with 1 <= n <= t (restic's --read-data-subset=n/t)."""
    try:
        n_text, t_text = text.split("/")
        n, t = int(n_text), int(t_text)
    except ValueError:
        raise ValueError(f"partition must look like n/t, e.g. 2/7, not {text!r}") from None
    if not 1 <= n <= t:
        raise ValueError(f"partition {text!r}: need 1 <= n <= t")
    return n, t


def partition_of(aip_id: str, total: int) -> int:
    """The partition (1..total) an AIP belongs to: a stable hash, the same on every machine."""
    return int.from_bytes(hashlib.sha256(aip_id.encode("utf-8")).digest()[:8], "big") % total + 1


def utc(at: datetime) -> datetime:
    """Naive values (SQLite) are UTC; aware ones are converted, so SQL compares like with like."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _in_sql_partition(session: Session, partition: tuple[int, int] | None) -> Any:
    """A WHERE clause computing :func:`partition_of` inside SQLite (no row leaves the database
    needlessly); None elsewhere, where rows are filtered in Python instead."""
    if partition is None or session.get_bind().dialect.name != "sqlite":
        return None
    raw = session.connection().connection.driver_connection
    raw.create_function("casearchive_partition", 2, partition_of, deterministic=True)  # type: ignore[union-attr]
    return func.casearchive_partition(AipCopyRow.aip_id, partition[1]) == partition[0]


def _base(locations: Sequence[str] | None, where: Any = None) -> Select[Any]:  # type: ignore[type-arg]
    query: Any = select(AipCopyRow.id, AipCopyRow.aip_id, AipCopyRow.location, AipCopyRow.relpath,
                        AipRow.payload_bytes, AipRow.tagmanifest_sha256, AipCopyRow.last_verified_at,
                        AipCopyRow.last_verify_ok).join(AipRow, AipRow.id == AipCopyRow.aip_id)
    if locations is not None:
        query = query.where(AipCopyRow.location.in_(list(locations)))
    return query if where is None else query.where(where)


def _failing(session: Session, locations: Sequence[str] | None) -> Iterator[tuple[Any, ...]]:
    # A failed copy is re-checked on every run until it passes (or is repaired); they are few.
    query = _base(locations).where(AipCopyRow.last_verify_ok.is_(False)).order_by(AipCopyRow.id)
    yield from session.execute(query)


def _never(session: Session, locations: Sequence[str] | None, where: Any) -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        rows = session.execute(_base(locations, where).where(AipCopyRow.last_verified_at.is_(None), AipCopyRow.id > last)
                               .order_by(AipCopyRow.id).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def _oldest(session: Session, locations: Sequence[str] | None, before: datetime | None,
            where: Any) -> Iterator[tuple[Any, ...]]:
    """Verified copies, least recently verified first, walked along the index by keyset pages."""
    key: tuple[datetime, int] | None = None
    while True:
        query = _base(locations, where).where(AipCopyRow.last_verified_at.is_not(None),
                                       AipCopyRow.last_verify_ok.is_not(False))
        if before is not None:
            query = query.where(AipCopyRow.last_verified_at < before)
        if key is not None:
            query = query.where(tuple_(AipCopyRow.last_verified_at, AipCopyRow.id) > tuple_(*key))
        rows = session.execute(query.order_by(AipCopyRow.last_verified_at, AipCopyRow.id).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        key = (rows[-1][6], rows[-1][0])


def _candidates(session: Session, now: datetime, policy: AuditPolicy, force: bool,
                locations: Sequence[str] | None, where: Any) -> Iterator[DueCopy]:
    cutoff = None if force else utc(now) - policy.cycle
    for reason, rows in (("failing", _failing(session, locations)), ("never", _never(session, locations, where)),
                         ("forced" if force else "due", _oldest(session, locations, cutoff, where))):
        for row in rows:
            yield DueCopy(row[0], row[1], row[2], row[3], int(row[4]), row[5],
                          utc(row[6]) if row[6] else None, row[7], reason)


def select_due(session: Session, now: datetime, policy: AuditPolicy, budget: Budget | None = None,
               partition: tuple[int, int] | None = None, *, force: bool = False,
               locations: Sequence[str] | None = None) -> list[DueCopy]:
    """The next batch to audit, in priority order, within ``budget``.

    Only copies past the cycle are due (``force`` takes every copy, oldest
    first).  The first copy is taken even if it alone exceeds the byte budget,
    so one large AIP can never block the queue.
    """
    budget = budget or Budget()
    if partition is not None:
        parse_partition(f"{partition[0]}/{partition[1]}")
    chosen: list[DueCopy] = []
    total = 0
    where = _in_sql_partition(session, partition)
    for copy in _candidates(session, now, policy, force, locations, where):
        if partition is not None and copy.reason != "failing" and \
                partition_of(copy.aip_id, partition[1]) != partition[0]:
            continue
        if budget.max_copies is not None and len(chosen) >= budget.max_copies:
            break
        if budget.max_bytes is not None and chosen and total + copy.payload_bytes > budget.max_bytes:
            break
        chosen.append(copy)
        total += copy.payload_bytes
    return chosen


def sample_size(aip_count: int, percent: float) -> int:
    """At least ``percent`` of the AIPs, rounded up (DA/T 70 4.3.1.2: "不少于5%")."""
    return min(aip_count, math.ceil(aip_count * percent / 100)) if aip_count else 0


# --- What is due: the answers of `casearchive audit status` -------------------------------

_PERIOD = {"sample": "sample_every_days", "full": "full_check_every_days", "restore": "restore_test_every_days"}


def kind_due(session: Session, kind: str, now: datetime, policy: AuditPolicy) -> datetime | None:
    """Since when a sample, full or restore run is due; None if it is not.

    Due when none ever finished, when the last one stopped part way (to resume
    it), or when the period has passed since the last finished one began.
    """
    from archive.models_audit import AuditRunRow

    last = session.execute(select(AuditRunRow).where(AuditRunRow.kind == kind, AuditRunRow.status != "running")
                           .order_by(AuditRunRow.id.desc()).limit(1)).scalar_one_or_none()
    if last is None:
        return utc(now)
    if last.status != "finished":
        return utc(last.started_at)
    due_at = utc(last.started_at) + timedelta(days=getattr(policy, _PERIOD[kind]))
    return due_at if due_at <= utc(now) else None


@dataclass(frozen=True)
class RunSummary:
    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    copies_checked: int
    bytes_checked: int
    failures: int
    budget_exhausted: bool
    partition: str | None
    holder: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["started_at"] = self.started_at.isoformat()
        out["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return out


@dataclass(frozen=True)
class AuditStatus:
    """Copies failing, never verified, overdue, due soon; runs; whether sample/full/restore are due."""

    at: datetime
    cycle_days: int
    copies: int
    failing: int
    never_verified: int
    overdue: int
    due_now: int
    due_within_7_days: int
    next_due_at: datetime | None
    unknown_locations: Mapping[str, int]
    sample_due_since: datetime | None
    full_due_since: datetime | None
    restore_due_since: datetime | None
    running: RunSummary | None
    last_runs: tuple[RunSummary, ...]
    findings: tuple[Any, ...] = ()

    def to_dict(self, lang: Any = None) -> dict[str, Any]:
        from findings import findings_to_json

        iso = (lambda d: d.isoformat() if d else None)
        out = {k: v for k, v in self.__dict__.items() if k not in ("running", "last_runs", "findings")}
        out["unknown_locations"] = dict(self.unknown_locations)
        for key in ("at", "next_due_at", "sample_due_since", "full_due_since", "restore_due_since"):
            out[key] = iso(out[key])
        out["running"] = self.running.to_dict() if self.running else None
        out["last_runs"] = [r.to_dict() for r in self.last_runs]
        out["findings"] = findings_to_json(self.findings, lang)
        return out


def _count(session: Session, *where: Any) -> int:
    from sqlalchemy import func

    return session.execute(select(func.count()).select_from(AipCopyRow).where(*where)).scalar_one()


def _summary(row: Any) -> RunSummary:
    return RunSummary(row.id, row.kind, row.status, utc(row.started_at),
                      utc(row.finished_at) if row.finished_at else None, row.copies_checked, row.bytes_checked,
                      row.failures, row.budget_exhausted, row.partition, row.holder)


def _copy_counts(session: Session, now: datetime, policy: AuditPolicy, locations: Sequence[str]) -> dict[str, Any]:
    from sqlalchemy import func, or_

    cutoff, soon = utc(now) - policy.cycle, utc(now) - policy.cycle + timedelta(days=7)
    verified = AipCopyRow.last_verified_at
    oldest = session.execute(select(func.min(verified)).where(AipCopyRow.last_verify_ok.is_not(False),
                                                              verified >= cutoff)).scalar_one()
    return {
        "copies": _count(session), "failing": _count(session, AipCopyRow.last_verify_ok.is_(False)),
        "never_verified": _count(session, verified.is_(None)),
        "overdue": _count(session, verified < cutoff),
        "due_now": _count(session, or_(verified.is_(None), verified < cutoff, AipCopyRow.last_verify_ok.is_(False))),
        "due_within_7_days": _count(session, verified >= cutoff, verified < soon,
                                    AipCopyRow.last_verify_ok.is_not(False)),
        "next_due_at": utc(oldest) + policy.cycle if oldest else None,
        "unknown_locations": dict(session.execute(select(AipCopyRow.location, func.count())
                                                  .where(AipCopyRow.location.not_in(list(locations)))
                                                  .group_by(AipCopyRow.location)).all()),
    }


def status_of(session: Session, now: datetime, policy: AuditPolicy, locations: Sequence[str]) -> AuditStatus:
    """What is due, overdue and failing, and the latest runs (``casearchive audit status``)."""
    from archive.models_audit import AuditRunRow

    counts = _copy_counts(session, now, policy, locations)
    runs = session.execute(select(AuditRunRow).order_by(AuditRunRow.id.desc()).limit(10)).scalars().all()
    running = next((r for r in runs if r.status == "running"), None)
    due = {kind: kind_due(session, kind, now, policy) for kind in _PERIOD}
    status = AuditStatus(utc(now), policy.cycle_days, **counts, sample_due_since=due["sample"],
                         full_due_since=due["full"], restore_due_since=due["restore"],
                         running=_summary(running) if running else None,
                         last_runs=tuple(_summary(r) for r in runs))
    return replace(status, findings=tuple(_status_findings(status, policy)))


def _status_findings(status: AuditStatus, policy: AuditPolicy) -> list[Any]:
    import archive.audit_codes  # noqa: F401
    from findings import Finding

    out = []
    if status.overdue:
        out.append(Finding("AUD-COPIES-OVERDUE", location="aip_copy", found=str(status.overdue),
                           params={"cycle_days": policy.cycle_days}))
    if status.never_verified:
        out.append(Finding("AUD-NEVER-VERIFIED", location="aip_copy", found=str(status.never_verified)))
    for name, count in sorted(status.unknown_locations.items()):
        out.append(Finding("AUD-LOCATION-UNKNOWN", location="aip_copy", found=str(count),
                           params={"location_name": name}))
    if status.sample_due_since:
        out.append(Finding("AUD-SAMPLE-DUE", location="audit_run", expected=status.sample_due_since.isoformat(),
                           params={"sample_percent": policy.sample_percent}))
    if status.full_due_since:
        out.append(Finding("AUD-FULL-DUE", location="audit_run", expected=status.full_due_since.isoformat(),
                           params={"full_days": policy.full_check_every_days}))
    return out
