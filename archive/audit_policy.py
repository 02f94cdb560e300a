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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import Select, select, tuple_
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


def _base(locations: Sequence[str] | None) -> Select[Any]:
    query = select(AipCopyRow.id, AipCopyRow.aip_id, AipCopyRow.location, AipCopyRow.relpath,
                   AipRow.payload_bytes, AipRow.tagmanifest_sha256, AipCopyRow.last_verified_at,
                   AipCopyRow.last_verify_ok).join(AipRow, AipRow.id == AipCopyRow.aip_id)
    if locations is not None:
        query = query.where(AipCopyRow.location.in_(list(locations)))
    return query


def _failing(session: Session, locations: Sequence[str] | None) -> Iterator[tuple[Any, ...]]:
    # A failed copy is re-checked on every run until it passes (or is repaired); they are few.
    query = _base(locations).where(AipCopyRow.last_verify_ok.is_(False)).order_by(AipCopyRow.id)
    yield from session.execute(query)


def _never(session: Session, locations: Sequence[str] | None) -> Iterator[tuple[Any, ...]]:
    last = 0
    while True:
        rows = session.execute(_base(locations).where(AipCopyRow.last_verified_at.is_(None), AipCopyRow.id > last)
                               .order_by(AipCopyRow.id).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def _oldest(session: Session, locations: Sequence[str] | None, before: datetime | None) -> Iterator[tuple[Any, ...]]:
    """Verified copies, least recently verified first, walked along the index by keyset pages."""
    key: tuple[datetime, int] | None = None
    while True:
        query = _base(locations).where(AipCopyRow.last_verified_at.is_not(None),
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
                locations: Sequence[str] | None) -> Iterator[DueCopy]:
    cutoff = None if force else utc(now) - policy.cycle
    for reason, rows in (("failing", _failing(session, locations)), ("never", _never(session, locations)),
                         ("forced" if force else "due", _oldest(session, locations, cutoff))):
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
    for copy in _candidates(session, now, policy, force, locations):
        if partition is not None and copy.reason != "failing" and partition_of(copy.aip_id, partition[1]) != partition[0]:
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
