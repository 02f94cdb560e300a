"""Catalogue rebuild from the AIPs and the log: clean diff, precise differences, apply with backup."""
from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import inspect

from archive import db
from archive.models import EventRow
from archive.rebuild import rebuild_catalogue
from archive.repair import repair_aip
from ingest.pipeline import ingest_package


@pytest.fixture
def two(archive, sample_sips, now):
    return archive, [ingest_package(archive, sample_sips[i], now=now).aip_id for i in range(2)]


def test_fresh_archive_rebuilds_identically(two, now):
    archive, _ = two
    report = rebuild_catalogue(archive, now)
    assert report.ok and report.differences == () and report.aips_on_disk == 2, report.to_dict()


def test_copies_follow_repairs_and_verifications(two, now):
    archive, ids = two
    shutil.rmtree(archive.locations[1].aip_path(ids[0]))
    assert repair_aip(archive, ids[0], now=now + timedelta(days=3), confirm=True).outcome == "repaired"
    assert rebuild_catalogue(archive, now).differences == ()


def test_apply_restores_and_keeps_a_backup(two, now):
    archive, ids = two
    con = sqlite3.connect(archive.config.root / "catalogue.sqlite")
    with con:
        con.execute("UPDATE aip SET cause = '伪造案由', page_count = 1 WHERE id = ?", (ids[0],))
        con.execute("DELETE FROM aip_copy WHERE aip_id = ? AND location = 'replica'", (ids[1],))
        con.execute("UPDATE archive_number_counter SET last_seq = 0")
    con.close()
    report = rebuild_catalogue(archive, now, apply=True)
    codes = sorted({f.code for f in report.differences})
    assert codes == ["RBD-COPY-NOT-IN-CATALOGUE", "RBD-COUNTER-BEHIND", "RBD-FIELD-DIFFERS"]
    assert report.applied and report.backup
    backup = sqlite3.connect(report.backup)
    assert backup.execute("SELECT cause FROM aip WHERE id = ?", (ids[0],)).fetchone() == ("伪造案由",)
    backup.close()
    assert rebuild_catalogue(archive, now).differences == ()
    with db.read_session(archive.engine) as s:
        [event] = s.query(EventRow).filter(EventRow.type == "catalog.rebuild").all()
        assert event.detail["backup"] == report.backup


def test_counter_ahead_is_a_warning_and_never_lowered(two, now):
    archive, _ = two
    con = sqlite3.connect(archive.config.root / "catalogue.sqlite")
    with con:
        con.execute("UPDATE archive_number_counter SET last_seq = last_seq + 5")
        before = con.execute("SELECT series, last_seq FROM archive_number_counter ORDER BY series").fetchall()
    report = rebuild_catalogue(archive, now, apply=True)
    assert {f.code for f in report.differences} == {"RBD-COUNTER-AHEAD"} and report.ok
    after = con.execute("SELECT series, last_seq FROM archive_number_counter ORDER BY series").fetchall()
    con.close()
    assert after == before


def test_unreadable_copy_falls_back_to_the_other(two, now):
    archive, ids = two
    (archive.locations[0].aip_path(ids[0]) / "bag-info.txt").unlink()
    report = rebuild_catalogue(archive, now)
    assert [(f.code, f.location) for f in report.findings] == [("RBD-AIP-UNREADABLE", f"primary:{ids[0]}")]
    assert report.differences == ()


def test_aip_lost_from_every_location(two, now):
    archive, ids = two
    for loc in archive.locations:
        shutil.rmtree(loc.aip_path(ids[1]))
    report = rebuild_catalogue(archive, now, apply=True)
    assert ("RBD-AIP-NOT-ON-DISK", ids[1]) in {(f.code, f.location) for f in report.differences}
    with db.read_session(archive.engine) as s:  # kept: it was ingested, its loss must stay visible
        assert s.query(EventRow).filter(EventRow.type == "catalog.rebuild").one().detail["kept_without_copy"] == [ids[1]]


def test_migration_0003_up_and_down(tmp_path):
    from alembic import command

    engine = db.make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    db.upgrade(engine)
    assert inspect(engine).has_table("checkpoint")
    cols = {c["name"] for c in inspect(engine).get_columns("checkpoint")}
    assert {"seq", "events_root", "aips_root", "timestamp_token"} <= cols
    cfg = db.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    assert not inspect(engine).has_table("checkpoint")
    engine.dispose()
