"""Catalogue tables: audit (see archive/models.py for the core tables)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from archive.models import Base


class AuditRunRow(Base):
    """One audit run (regular, sample, full or restore test) and its lease.

    A run holds the lease while ``status`` is ``running`` and ``lease_until`` is
    in the future (renewed after every copy), so a scheduled job that finds a
    live run returns instead of auditing the same copies twice.  ``cursor`` and
    ``seed`` let a sample or full check that was cut short resume where it stopped.
    """

    __tablename__ = "audit_run"
    __table_args__ = (Index("ix_audit_run_kind_started", "kind", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # regular | sample | full | restore
    status: Mapped[str] = mapped_column(String(12))  # running | finished | interrupted | abandoned
    holder: Mapped[str] = mapped_column(String(200))  # host:pid of the process that runs it
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    copies_checked: Mapped[int] = mapped_column(Integer, default=0)
    bytes_checked: Mapped[int] = mapped_column(BigInteger, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    budget_exhausted: Mapped[bool] = mapped_column(Boolean, default=False)
    partition: Mapped[str | None] = mapped_column(String(20), nullable=True)  # "n/t"
    seed: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
