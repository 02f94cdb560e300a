"""Audit policy ([audit]) and the choice of copies due: priorities, budgets, n/t partitions, 100k AIPs."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import insert, inspect

from archive import db
from archive.audit_policy import (AuditPolicy, Budget, parse_audit_policy, parse_partition, partition_of,
                                  sample_size, select_due)
from archive.config import ConfigError
from archive.models import AipCopyRow, AipRow, StorageLocationRow
from archive.models_audit import AuditRunRow

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def test_defaults_come_from_the_standards():
    policy = parse_audit_policy({})
    assert (policy.cycle_days, policy.sample_percent, policy.sample_every_days, policy.full_check_every_days) == \
        (90, 5.0, 91, 730)
    assert policy.algorithms == ("sha256",) and policy.auto_repair is False and policy.read_rate_mb_s == 0


def test_values_are_read():
    policy = parse_audit_policy({"cycle_days": 30, "max_bytes": 10**9, "read_rate_mb_s": 50, "auto_repair": True,
                                 "algorithms": "all", "max_duration_seconds": 3600})
    assert policy.cycle == timedelta(days=30) and policy.max_bytes == 10**9 and policy.auto_repair
    assert policy.algorithms == ("sha256", "sm3") and policy.read_rate_mb_s == 50.0


@pytest.mark.parametrize("section", [
    {"cycle_dayz": 90}, {"cycle_days": 0}, {"cycle_days": 1.5}, {"cycle_days": "90"}, {"sample_percent": 101},
    {"auto_repair": "yes"}, {"algorithms": "md4"}, {"algorithms": []}, {"max_bytes": True}, {"read_rate_mb_s": -1},
])
def test_bad_sections_are_refused(section):
    with pytest.raises(ConfigError):
        parse_audit_policy(section)


@given(st.integers(1, 500), st.integers(0, 500))
def test_partition_text_round_trips(t, n):
    if 1 <= n <= t:
        assert parse_partition(f"{n}/{t}") == (n, t)
    else:
        with pytest.raises(ValueError):
            parse_partition(f"{n}/{t}")


@given(st.text(max_size=12))
def test_partition_parser_never_crashes_otherwise(text):
    try:
        n, t = parse_partition(text)
    except ValueError:
        return
    assert 1 <= n <= t


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=50), st.integers(1, 16))
def test_every_aip_falls_in_exactly_one_partition(ids, t):
    for aip_id in ids:
        assert 1 <= partition_of(aip_id, t) <= t
        assert partition_of(aip_id, t) == partition_of(aip_id, t)


@given(st.integers(0, 100_000), st.floats(0.1, 100))
def test_sample_is_at_least_the_percentage(count, percent):
    size = sample_size(count, percent)
    assert size <= count and size >= count * percent / 100 - 1e-9
    assert size == 0 or (size - 1) < count * percent / 100


# --- a catalogue of 100,000 AIPs and 200,000 copies, built with bulk inserts ----------------

def _aip(i: int) -> dict:
    d = datetime(2020, 1, 1).date()
    return {"id": f"{i:032x}", "case_number": f"c{i}", "archive_number": f"a{i}", "sip_fingerprint": "f",
            "state": "stored", "version": 1, "source_organization": "o", "court": "c", "department": "d",
            "year": 2020, "cause": "x", "procedure": "p", "retention": "Y", "security_level": "n",
            "filing_date": d, "closing_date": d, "archiving_date": d, "document_count": 1, "page_count": 1,
            "payload_files": 1, "payload_bytes": 1000 + i % 7, "tagmanifest_sha256": "0" * 64,
            "ingested_at": NOW, "title": "t"}


def _verified(i: int, loc: int) -> tuple[datetime | None, bool | None]:
    """A spread of histories: a few failing, some never verified, the rest over 200 days."""
    if i % 997 == 0 and loc == 1:
        return NOW - timedelta(hours=1), False
    if i % 389 == 0:
        return None, None
    return NOW - timedelta(minutes=(i * 7919 + loc * 104729) % (200 * 24 * 60)), True


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    engine = db.make_engine(f"sqlite:///{tmp_path_factory.mktemp('big') / 'catalogue.sqlite'}")
    db.upgrade(engine)
    copies = []
    with db.write_session(engine) as s:
        s.execute(insert(StorageLocationRow), [{"name": n, "path": n, "required": True, "added_at": NOW}
                                               for n in ("primary", "replica")])
        s.execute(insert(AipRow), [_aip(i) for i in range(100_000)])
        for i in range(100_000):
            for loc, name in enumerate(("primary", "replica")):
                at, ok = _verified(i, loc)
                copies.append({"aip_id": f"{i:032x}", "location": name, "relpath": "r", "state": "ok",
                               "written_at": NOW, "last_verified_at": at, "last_verify_ok": ok})
        s.execute(insert(AipCopyRow), copies)
    yield engine, copies
    engine.dispose()


def _expected(copies, cutoff, limit):
    failing = [c for c in copies if c["last_verify_ok"] is False]
    never = [c for c in copies if c["last_verified_at"] is None]
    due = sorted((c for c in copies if c["last_verify_ok"] and c["last_verified_at"] < cutoff),
                 key=lambda c: c["last_verified_at"])
    return [(c["aip_id"], c["location"]) for c in failing + never + due][:limit]


def test_next_batch_among_100k_aips_is_in_priority_order(big):
    engine, copies = big
    policy = AuditPolicy()
    with db.read_session(engine) as s:
        batch = select_due(s, NOW, policy, Budget(max_copies=3000))
    expected = _expected(copies, NOW - policy.cycle, 3000)
    failing = sum(1 for c in copies if c["last_verify_ok"] is False)
    never = sum(1 for c in copies if c["last_verified_at"] is None)
    assert [c.reason for c in batch[:failing]] == ["failing"] * failing
    assert {c.reason for c in batch[failing:failing + never]} == {"never"}
    assert [(c.aip_id, c.location) for c in batch][:failing + never] == expected[:failing + never]
    due = batch[failing + never:]
    assert due and all(c.reason == "due" and c.last_verified_at < NOW - policy.cycle for c in due)
    assert [c.last_verified_at for c in due] == sorted(c.last_verified_at for c in due)
    assert [c.last_verified_at for c in due] == [e for e in (
        c["last_verified_at"].replace(tzinfo=timezone.utc) for c in sorted(
            (c for c in copies if c["last_verify_ok"] and c["last_verified_at"] < NOW - policy.cycle),
            key=lambda c: c["last_verified_at"]))][:len(due)]


def test_only_due_copies_unless_forced(big):
    engine, copies = big
    policy = AuditPolicy(cycle_days=199)
    with db.read_session(engine) as s:
        due = select_due(s, NOW, policy)
        forced = select_due(s, NOW, policy, Budget(max_copies=len(copies)), force=True)
    cutoff = NOW - policy.cycle
    assert len(due) == len(_expected(copies, cutoff, 10**6))
    assert all(c.reason in ("failing", "never") or c.last_verified_at < cutoff for c in due)
    assert len(forced) == len(copies)


def test_byte_budget_bounds_the_batch(big):
    engine, _ = big
    with db.read_session(engine) as s:
        batch = select_due(s, NOW, AuditPolicy(), Budget(max_bytes=50_000))
        one = select_due(s, NOW, AuditPolicy(), Budget(max_bytes=1))
    assert sum(c.payload_bytes for c in batch) <= 50_000
    assert sum(c.payload_bytes for c in batch) + 1006 > 50_000
    assert len(one) == 1, "the first copy is taken even when it alone exceeds the budget"


def test_partitions_cover_every_due_copy_exactly_once(big):
    engine, copies = big
    policy = AuditPolicy(cycle_days=150)
    with db.read_session(engine) as s:
        whole = select_due(s, NOW, policy)
        parts = [select_due(s, NOW, policy, partition=(n, 5)) for n in range(1, 6)]
    failing = {(c.aip_id, c.location) for c in whole if c.reason == "failing"}
    seen = [(c.aip_id, c.location) for part in parts for c in part if c.reason != "failing"]
    assert len(seen) == len(set(seen))
    assert set(seen) | failing == {(c.aip_id, c.location) for c in whole}
    for n, part in enumerate(parts, 1):
        assert all(c.reason == "failing" or partition_of(c.aip_id, 5) == n for c in part)
        assert failing <= {(c.aip_id, c.location) for c in part}, "failing copies are re-checked in every part"


def test_locations_filter(big):
    engine, _ = big
    with db.read_session(engine) as s:
        batch = select_due(s, NOW, AuditPolicy(), Budget(max_copies=500), locations=["replica"])
    assert batch and {c.location for c in batch} == {"replica"}


def test_migration_matches_the_orm(tmp_path: Path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    db.upgrade(engine)
    columns = {c["name"]: c for c in inspect(engine).get_columns("audit_run")}
    table = AuditRunRow.__table__
    assert set(columns) == {c.name for c in table.columns}
    for col in table.columns:
        assert columns[col.name]["nullable"] == col.nullable, col.name
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("audit_run")}
    assert indexes == {"ix_audit_run_kind_started": ["kind", "started_at"]}
    engine.dispose()


def test_budget_sizes_are_consistent():
    assert sample_size(100_000, 5) == 5000 and sample_size(3, 5) == 1 and sample_size(0, 5) == 0
    assert math.isclose(AuditPolicy().cycle.total_seconds(), 90 * 86400)
