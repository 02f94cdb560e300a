"""The catalogue schema (SQLAlchemy 2 declarative).

The catalogue is an index: everything it holds can be rebuilt from the AIPs
and the event log.  Changes go through Alembic migrations (archive/migrations).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class AipRow(Base):
    """One archival package (one case file's 案卷)."""

    __tablename__ = "aip"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(100), unique=True)
    archive_number: Mapped[str] = mapped_column(String(100), unique=True)
    sip_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(20), default="stored")
    version: Mapped[int] = mapped_column(Integer, default=1)
    source_organization: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    cause: Mapped[str] = mapped_column(String(200))
    procedure: Mapped[str] = mapped_column(String(20))
    retention: Mapped[str] = mapped_column(String(20))
    security_level: Mapped[str] = mapped_column(String(10))
    filing_date: Mapped[date] = mapped_column(Date)
    closing_date: Mapped[date] = mapped_column(Date)
    archiving_date: Mapped[date] = mapped_column(Date)
    document_count: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    payload_files: Mapped[int] = mapped_column(Integer)
    payload_bytes: Mapped[int] = mapped_column(BigInteger)
    tagmanifest_sha256: Mapped[str] = mapped_column(String(64))
    container_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    title: Mapped[str] = mapped_column(Text)  # 案卷题名, for listings

    files: Mapped[list["AipFileRow"]] = relationship(back_populates="aip", cascade="all, delete-orphan")
    copies: Mapped[list["AipCopyRow"]] = relationship(back_populates="aip", cascade="all, delete-orphan")


class AipFileRow(Base):
    """One file of an AIP (payload or tag) with its recorded digests."""

    __tablename__ = "aip_file"
    __table_args__ = (UniqueConstraint("aip_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aip_id: Mapped[str] = mapped_column(ForeignKey("aip.id"), index=True)
    path: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))  # payload | tag
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    sm3: Mapped[str] = mapped_column(String(64))

    aip: Mapped[AipRow] = relationship(back_populates="files")


class StorageLocationRow(Base):
    __tablename__ = "storage_location"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AipCopyRow(Base):
    """One copy of an AIP in one storage location, with its own verification history."""

    __tablename__ = "aip_copy"
    __table_args__ = (UniqueConstraint("aip_id", "location"), Index("ix_copy_verified", "last_verified_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aip_id: Mapped[str] = mapped_column(ForeignKey("aip.id"))
    location: Mapped[str] = mapped_column(ForeignKey("storage_location.name"))
    relpath: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # ok | damaged | missing
    written_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_verify_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    aip: Mapped[AipRow] = relationship(back_populates="copies")


class SubmissionRow(Base):
    """Every package received, whatever became of it (accepted, refused, duplicate)."""

    __tablename__ = "submission"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    source: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    external_identifier: Mapped[str | None] = mapped_column(String(100), nullable=True)
    container_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20))  # archived | refused | duplicate
    aip_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    report_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    receipt_path: Mapped[str | None] = mapped_column(Text, nullable=True)


class ArchiveNumberCounter(Base):
    """The last sequence number issued within one archive-number series."""

    __tablename__ = "archive_number_counter"

    series: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class EventRow(Base):
    """One event of the tamper-evident log; ``hash`` chains it to ``prev_hash``."""

    __tablename__ = "event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    aip_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    agent: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class EventHead(Base):
    """The chain head: one row, locked by every append so appends serialise."""

    __tablename__ = "event_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# Tables of later features live in their own modules; importing them here puts them in
# Base.metadata for Alembic and for every session.
import archive.models_audit  # noqa: E402,F401
import archive.models_integrity  # noqa: E402,F401
import archive.models_checks  # noqa: E402,F401
