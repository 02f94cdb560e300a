"""The tamper-evident event log: every change of state, hash-chained.

Each event's hash covers its content and the previous event's hash
(fixity.chain), so changing, deleting, inserting or reordering rows — also
directly in the database — breaks the chain at a point ``verify_log`` names.
Appends serialise on the single ``event_head`` row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.models import EventHead, EventRow
from findings import Finding
from fixity.chain import GENESIS, ChainEvent, event_hash, verify_chain


@dataclass(frozen=True)
class Event:
    """An event as recorded (also written into the AIP's preservation metadata)."""

    seq: int
    at: datetime
    type: str
    aip_id: str | None
    agent: str
    outcome: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at.isoformat(), "type": self.type, "aip_id": self.aip_id,
                "agent": self.agent, "outcome": self.outcome, "detail": dict(self.detail),
                "prev_hash": self.prev_hash, "hash": self.hash}


def _payload(at: datetime, type_: str, aip_id: str | None, agent: str, outcome: str,
             detail: Mapping[str, Any]) -> dict[str, Any]:
    return {"at": at.isoformat(), "type": type_, "aip_id": aip_id, "agent": agent,
            "outcome": outcome, "detail": dict(detail)}


def append_event(session: Session, *, at: datetime, type: str, agent: str, outcome: str = "success",
                 aip_id: str | None = None, detail: Mapping[str, Any] | None = None) -> Event:
    """Append one event inside the caller's (write) transaction."""
    detail = dict(detail or {})
    # Stored and hashed in UTC: the database keeps no offset, so any other zone could not
    # be re-hashed identically later (LOG-HASH-MISMATCH on an honest log).
    at = at.astimezone(timezone.utc)
    head = session.execute(select(EventHead).where(EventHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = EventHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    seq = head.seq + 1
    digest = event_hash(seq, head.hash, _payload(at, type, aip_id, agent, outcome, detail))
    row = EventRow(seq=seq, at=at, type=type, aip_id=aip_id, agent=agent, outcome=outcome,
                   detail=detail, prev_hash=head.hash, hash=digest)
    session.add(row)
    head.seq, head.hash = seq, digest
    session.flush()
    session.info["casearchive_log_head"] = (seq, digest)  # archive.db.LOG_HEAD: witnessed after the commit
    return _to_event(row, at)


def _to_event(row: EventRow, at: datetime | None = None) -> Event:
    return Event(row.seq, at or row.at, row.type, row.aip_id, row.agent, row.outcome, dict(row.detail or {}),
                 row.prev_hash, row.hash)


def iter_events(session: Session, aip_id: str | None = None, batch: int = 5000) -> Iterator[Event]:
    """Events in sequence order, streamed in batches (constant memory)."""
    last = 0
    while True:
        query = select(EventRow).where(EventRow.seq > last).order_by(EventRow.seq).limit(batch)
        if aip_id is not None:
            query = query.where(EventRow.aip_id == aip_id)
        rows = session.execute(query).scalars().all()
        if not rows:
            return
        for row in rows:
            yield _to_event(row)
        last = rows[-1].seq
        session.expunge_all()


def _chain_events(session: Session) -> Iterator[ChainEvent]:
    for ev in iter_events(session):
        payload = _payload(_as_utc(ev.at), ev.type, ev.aip_id, ev.agent, ev.outcome, ev.detail)
        yield ChainEvent(ev.seq, ev.prev_hash, ev.hash, payload)


def _as_utc(at: datetime) -> datetime:
    """SQLite returns naive datetimes; events are always written in UTC."""
    from datetime import timezone

    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def verify_log(session: Session) -> tuple[int, list[Finding]]:
    """Check the whole chain and the head; returns (events checked, findings)."""
    count = 0

    def counted() -> Iterator[ChainEvent]:
        nonlocal count
        for ev in _chain_events(session):
            count += 1
            yield ev

    findings = list(verify_chain(counted()))
    head = session.get(EventHead, 1)
    last = session.execute(select(EventRow).order_by(EventRow.seq.desc()).limit(1)).scalar_one_or_none()
    if head is not None and (last is None or (head.seq, head.hash) != (last.seq, last.hash)):
        findings.append(Finding("LOG-HEAD-MISMATCH", location="event_head",
                                expected=f"{head.seq}:{head.hash[:16]}",
                                found=f"{last.seq}:{last.hash[:16]}" if last else "no events"))
    return count, findings
