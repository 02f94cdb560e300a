"""Catalogue operations: register AIPs and submissions, number them, query them.

Rows never leave this module: callers get frozen dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from archive.models import AipCopyRow, AipFileRow, AipRow, ArchiveNumberCounter, StorageLocationRow, SubmissionRow


@dataclass(frozen=True)
class FileRecord:
    path: str
    role: str  # payload | tag
    size: int
    sha256: str
    sm3: str


@dataclass(frozen=True)
class CopyRecord:
    location: str
    relpath: str
    state: str
    written_at: datetime
    last_verified_at: datetime | None = None
    last_verify_ok: bool | None = None


@dataclass(frozen=True)
class AipRecord:
    """Everything the catalogue keeps about one AIP."""

    id: str
    case_number: str
    archive_number: str
    sip_fingerprint: str
    source_organization: str
    court: str
    department: str
    year: int
    cause: str
    procedure: str
    retention: str
    security_level: str
    filing_date: date
    closing_date: date
    archiving_date: date
    document_count: int
    page_count: int
    payload_files: int
    payload_bytes: int
    tagmanifest_sha256: str
    container_sha256: str | None
    ingested_at: datetime
    title: str
    state: str = "stored"
    version: int = 1
    files: tuple[FileRecord, ...] = ()
    copies: tuple[CopyRecord, ...] = ()

    def summary(self) -> dict[str, Any]:
        keys = ("id", "archive_number", "case_number", "year", "department", "cause", "retention",
                "state", "document_count", "payload_files", "payload_bytes")
        return {k: getattr(self, k) for k in keys}


_SCALARS = [f for f in AipRecord.__dataclass_fields__ if f not in ("files", "copies")]


def allocate_sequence(session: Session, series: str) -> int:
    """Next number in an archive-number series; call inside the write transaction."""
    row = session.execute(select(ArchiveNumberCounter).where(ArchiveNumberCounter.series == series)
                          .with_for_update()).scalar_one_or_none()
    if row is None:
        row = ArchiveNumberCounter(series=series, last_seq=0)
        session.add(row)
    row.last_seq += 1
    session.flush()
    return row.last_seq


def register_aip(session: Session, record: AipRecord) -> None:
    row = AipRow(**{k: getattr(record, k) for k in _SCALARS})
    session.add(row)
    session.flush()
    session.execute(insert(AipFileRow), [
        {"aip_id": record.id, "path": f.path, "role": f.role, "size": f.size, "sha256": f.sha256, "sm3": f.sm3}
        for f in record.files])
    for c in record.copies:
        session.add(AipCopyRow(aip_id=record.id, location=c.location, relpath=c.relpath, state=c.state,
                               written_at=c.written_at, last_verified_at=c.last_verified_at,
                               last_verify_ok=c.last_verify_ok))
    session.flush()


def ensure_locations(session: Session, locations: Sequence[tuple[str, str, bool]], now: datetime) -> None:
    for name, path, required in locations:
        if session.get(StorageLocationRow, name) is None:
            session.add(StorageLocationRow(name=name, path=path, required=required, added_at=now))
    session.flush()


def record_submission(session: Session, **values: Any) -> None:
    session.add(SubmissionRow(**values))
    session.flush()


def find_by_case_number(session: Session, case_number: str) -> AipRecord | None:
    row = session.execute(select(AipRow).where(AipRow.case_number == case_number)).scalar_one_or_none()
    return _record(row, with_files=False) if row else None


def get_aip(session: Session, ident: str, with_files: bool = True) -> AipRecord | None:
    """Look an AIP up by id, archive number (档号) or case number (案号)."""
    row = session.execute(select(AipRow).where(or_(AipRow.id == ident, AipRow.archive_number == ident,
                                                   AipRow.case_number == ident))).scalar_one_or_none()
    return _record(row, with_files) if row else None


def list_aips(session: Session, *, year: int | None = None, department: str | None = None,
              case_number: str | None = None, limit: int | None = None) -> list[AipRecord]:
    query = select(AipRow).order_by(AipRow.archive_number)
    if year is not None:
        query = query.where(AipRow.year == year)
    if department:
        query = query.where(AipRow.department == department)
    if case_number:
        query = query.where(AipRow.case_number.contains(case_number))
    if limit:
        query = query.limit(limit)
    return [_record(r, with_files=False) for r in session.execute(query).scalars()]


def all_aip_ids(session: Session) -> list[str]:
    return list(session.execute(select(AipRow.id).order_by(AipRow.archive_number)).scalars())


def count_aips(session: Session) -> int:
    return session.execute(select(func.count()).select_from(AipRow)).scalar_one()


def update_copy_verification(session: Session, aip_id: str, location: str, at: datetime, ok: bool) -> None:
    row = session.execute(select(AipCopyRow).where(AipCopyRow.aip_id == aip_id,
                                                   AipCopyRow.location == location)).scalar_one()
    row.last_verified_at, row.last_verify_ok = at, ok
    row.state = "ok" if ok else "damaged"
    session.flush()


def _record(row: AipRow, with_files: bool) -> AipRecord:
    values = {k: getattr(row, k) for k in _SCALARS}
    files = tuple(FileRecord(f.path, f.role, f.size, f.sha256, f.sm3) for f in row.files) if with_files else ()
    copies = tuple(CopyRecord(c.location, c.relpath, c.state, c.written_at, c.last_verified_at, c.last_verify_ok)
                   for c in row.copies)
    return AipRecord(**values, files=files, copies=copies)
