"""Catalogue tables: check runs, their results, and attestations of manual items (DA/T 70)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from archive.models import Base


class CheckRunRow(Base):
    """One run of one stage plan on one package (an AIP, or a SIP at receipt)."""

    __tablename__ = "check_run"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20))
    plan: Mapped[dict] = mapped_column(JSON, default=dict)
    prefix: Mapped[str] = mapped_column(String(2))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    aip_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    sip: Mapped[str | None] = mapped_column(Text, nullable=True)
    location: Mapped[str | None] = mapped_column(String(50), nullable=True)
    bottom_line: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class CheckResultRow(Base):
    """One verdict of one item on one object within a run."""

    __tablename__ = "check_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("check_run.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(10))  # GD-1-14
    item: Mapped[str] = mapped_column(String(5), index=True)  # 1-14
    status: Mapped[str] = mapped_column(String(20))
    object: Mapped[str] = mapped_column(Text)
    expected: Mapped[str | None] = mapped_column(Text, nullable=True)
    found: Mapped[str | None] = mapped_column(Text, nullable=True)
    codes: Mapped[list] = mapped_column(JSON, default=list)
    remarks: Mapped[str] = mapped_column(Text, default="")


class AttestationRow(Base):
    """A person's verdict on a manual item (载体外观, 光盘合格性, 保管环境) for one AIP."""

    __tablename__ = "check_attestation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item: Mapped[str] = mapped_column(String(5), index=True)
    aip_id: Mapped[str] = mapped_column(ForeignKey("aip.id"), index=True)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
