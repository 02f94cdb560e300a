"""Catalogue tables: integrity (see archive/models.py for the core tables).

``checkpoint`` indexes the signed checkpoints of the event log.  The authority is
the files in ``<root>/log/checkpoints/`` (outside the database, so an edit of the
database cannot rewrite them); the rows make "when was the last one" cheap.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models import Base


class CheckpointRow(Base):
    """One signed checkpoint: Merkle roots over the event log prefix 1..N and over all AIPs."""

    __tablename__ = "checkpoint"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event_count: Mapped[int] = mapped_column(Integer)
    last_event_hash: Mapped[str] = mapped_column(String(64))
    events_root: Mapped[str] = mapped_column(String(64))
    aip_count: Mapped[int] = mapped_column(Integer)
    aips_root: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    timestamp_token: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    timestamp_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
