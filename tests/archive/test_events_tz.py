"""Events written with any time zone verify later (the catalogue stores UTC)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from archive import db
from archive.events import append_event, verify_log


def test_non_utc_time_verifies(archive):
    beijing = timezone(timedelta(hours=8))
    with db.write_session(archive.engine) as s:
        append_event(s, at=datetime(2026, 11, 20, 17, 30, 1, 123456, tzinfo=beijing), type="test.tz", agent="t")
    with db.read_session(archive.engine) as s:
        count, findings = verify_log(s)
    assert count == 2 and findings == []


def test_ingest_with_a_beijing_clock(archive, sip):
    from ingest.pipeline import ingest_package

    now = datetime(2026, 11, 20, 17, 30, tzinfo=timezone(timedelta(hours=8)))
    assert ingest_package(archive, sip, now=now).status == "archived"
    with db.read_session(archive.engine) as s:
        assert verify_log(s)[1] == []
