"""Checks through the archive: runs stored in the catalogue, aip.check events, attestations, migration."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from archive import db
from archive.checking import CheckTargetError, attest, run_checks, stored_runs
from archive.events import iter_events, verify_log
from archive.models_checks import CheckResultRow, CheckRunRow
from checks.api import Status
from ingest.pipeline import ingest_package


@pytest.fixture
def stored(archive, sip, now):  # type: ignore[no-untyped-def]
    outcome = ingest_package(archive, sip, now=now)
    return archive, outcome.aip_id


def test_run_is_stored_and_logged(stored, now):
    archive, aip_id = stored
    run = run_checks(archive, [aip_id], "store", now=now, items=["1-14", "1-16", "2-11", "4-5"])
    report = run.batch.reports[0]
    assert report.bottom_line is Status.PASSED and report.run_id == run.run_ids[0]
    with db.read_session(archive.engine) as s:
        row = s.get(CheckRunRow, run.run_ids[0])
        assert row.aip_id == aip_id and row.bottom_line == "passed" and row.prefix == "BC"
        n = s.execute(select(func.count()).select_from(CheckResultRow).where(CheckResultRow.run_id == row.id)).scalar_one()
        assert n == sum(len(o.results) for o in report.outcomes)
        event = [e for e in iter_events(s, aip_id) if e.type == "aip.check"][-1]
        assert event.detail["counts"]["manual"] == 1 and event.detail["run"] == row.id
        assert verify_log(s)[1] == []
    assert run.run_ids[0] in {r["run"] for r in stored_runs(archive, aip_id)}  # the receive run at ingest is there too


def test_damaged_copy_fails_the_store_plan(stored, now):
    archive, aip_id = stored
    doc = sorted((archive.primary.aip_path(aip_id) / "data" / "documents").iterdir())[0]
    doc.write_bytes(b"damaged")
    run = run_checks(archive, None, "store", now=now, items=["1-14", "2-2"])
    assert run.bottom_line == "failed" and set(run.batch.reports[0].blocking) == {"BC-1-14", "BC-2-2"}
    replica = run_checks(archive, None, "store", now=now, items=["1-14"], location="replica")
    assert replica.bottom_line == "passed"


def test_attestation_shows_in_later_runs(stored, now):
    archive, aip_id = stored
    out = attest(archive, "4-9", aip_id, "档案员甲", "库房温湿度符合要求", now)
    assert out.item == "4-9" and not out.failed
    report = run_checks(archive, [aip_id], "store", now=now, items=["4-9", "4-5"]).batch.reports[0]
    assert report.outcome("4-9").status is Status.MANUAL and "档案员甲" in report.outcome("4-9").results[0].remarks
    assert report.outcome("4-5").attestation is None
    attest(archive, "BC-4-5", out.archive_number, "档案员乙", "盘面划伤", now, failed=True)
    again = run_checks(archive, [aip_id], "store", now=now, items=["4-5"]).batch.reports[0]
    assert again.outcome("4-5").status is Status.FAILED
    with db.read_session(archive.engine) as s:
        assert [e.type for e in iter_events(s, aip_id)].count("check.attest") == 2


def test_bad_targets_and_bad_attestations(stored, now):
    archive, aip_id = stored
    with pytest.raises(CheckTargetError):
        run_checks(archive, ["no-such-aip"], "store", now=now)
    with pytest.raises(ValueError):
        attest(archive, "1-14", aip_id, "甲", "note", now)  # automated items are not attested
    with pytest.raises(ValueError):
        attest(archive, "4-5", aip_id, " ", "note", now)


def test_migration_matches_the_models(tmp_path: Path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from archive.models import Base

    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    db.upgrade(engine)
    assert {"check_run", "check_result", "check_attestation"} <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "check" in str(d)] == []


def test_checks_for_sip_uses_the_receive_plan_and_refuses_damage(sip, now):
    from ingest.checking import checks_for_sip

    report = checks_for_sip(sip, now=now, items=["1-11", "1-14", "2-11"])
    assert report.kind == "sip" and report.plan.prefix == "GD" and report.bottom_line is Status.PASSED
    yj = checks_for_sip(sip, now=now, items=["1-14"], from_archive=True)
    assert yj.outcomes[0].item_id == "YJ-1-14"
    doc = sorted((sip / "data" / "documents").iterdir())[0]
    doc.write_bytes(doc.read_bytes() + b"!")
    assert checks_for_sip(sip, now=now, items=["1-14"]).bottom_line is Status.FAILED
    with pytest.raises(ValueError):
        checks_for_sip(sip, "store", now=now)
