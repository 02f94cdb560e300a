"""Bench: time to choose the next audit batch among 100,000 AIPs (200,000 copies).

Run ``python -m archive.bench_scheduling [--aips N]``; prints the seconds taken by
``select_due`` (the [store] target is under one second).  Builds its catalogue in
a temporary folder with bulk inserts.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from archive import db
from archive.audit_policy import AuditPolicy, Budget, select_due
from archive.models import AipCopyRow, AipRow, StorageLocationRow

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def _build(path: Path, aips: int):  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    d = date(2020, 1, 1)
    with db.write_session(engine) as s:
        s.execute(insert(StorageLocationRow), [{"name": n, "path": n, "required": True, "added_at": NOW}
                                               for n in ("primary", "replica")])
        s.execute(insert(AipRow), [{
            "id": f"{i:032x}", "case_number": f"c{i}", "archive_number": f"a{i}", "sip_fingerprint": "f",
            "state": "stored", "version": 1, "source_organization": "o", "court": "c", "department": "d",
            "year": 2020, "cause": "x", "procedure": "p", "retention": "Y", "security_level": "n",
            "filing_date": d, "closing_date": d, "archiving_date": d, "document_count": 1, "page_count": 1,
            "payload_files": 10, "payload_bytes": 50_000_000, "tagmanifest_sha256": "0" * 64,
            "ingested_at": NOW, "title": "t"} for i in range(aips)])
        s.execute(insert(AipCopyRow), [{
            "aip_id": f"{i:032x}", "location": loc, "relpath": "r", "state": "ok", "written_at": NOW,
            "last_verified_at": None if i % 500 == 0 else NOW - timedelta(minutes=(i * 7919 + k) % 288000),
            "last_verify_ok": i % 1000 != 1} for i in range(aips) for k, loc in enumerate(("primary", "replica"))])
    return engine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aips", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engine = _build(Path(tmp) / "catalogue.sqlite", args.aips)
        cases = {"1 TB budget": Budget(max_bytes=10**12), "2,000 copies": Budget(max_copies=2000),
                 "partition 3/7, 1 TB": Budget(max_bytes=10**12)}
        for label, budget in cases.items():
            part = (3, 7) if "partition" in label else None
            with db.read_session(engine) as s:
                t0 = time.perf_counter()
                batch = select_due(s, NOW, AuditPolicy(), budget, part)
                took = time.perf_counter() - t0
            print(f"select_due among {args.aips:,} AIPs ({2 * args.aips:,} copies), {label}: "
                  f"{len(batch):,} copies chosen in {took:.3f} s")
        engine.dispose()


if __name__ == "__main__":
    main()
