"""The catalogue must not go back in time: restored backups, a deleted log tail, crashed ingests.

Real archives, real SQLite files copied back as an operator would restore a backup,
real signatures, real processes killed at fail points.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import db
from archive.archive import Archive
from archive.checkpoints import make_checkpoint, verify_log_full
from archive.config import ConfigError
from archive.models import AipRow, EventRow
from archive.numbering import mark_path, reserve_sequence
from archive.rebuild import rebuild_catalogue
from helpers import run_cli
from ingest.pipeline import ingest_package


def _backup(archive: Archive, target: Path) -> None:
    src, dst = sqlite3.connect(archive.config.root / "catalogue.sqlite"), sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()


def _restore(archive: Archive, backup: Path) -> Archive:
    """What an operator does: stop, copy the backup over the catalogue, start again."""
    root = archive.config.root
    archive.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{root / 'catalogue.sqlite'}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, root / "catalogue.sqlite")
    return Archive.open(root)


def _errors(archive: Archive, now) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in verify_log_full(archive, now).findings if f.level.value == "error"}


@pytest.fixture
def restored(archive, sample_sips, now, tmp_path):  # type: ignore[no-untyped-def]
    """AIP B, checkpoint, backup of the catalogue, AIP A, then the backup restored."""
    ingest_package(archive, sample_sips[1], now=now)
    make_checkpoint(archive, now)
    _backup(archive, tmp_path / "backup.sqlite")
    lost = ingest_package(archive, sample_sips[0], now=now)
    assert lost.status == "archived"
    arc = _restore(archive, tmp_path / "backup.sqlite")
    yield arc, lost
    arc.close()


def test_log_verify_notices_a_catalogue_restored_from_a_backup(restored, now):
    arc, lost = restored
    result = verify_log_full(arc, now)
    errors = {(f.code, f.location) for f in result.findings if f.level.value == "error"}
    assert not result.ok
    assert ("CKP-AIP-NOT-IN-CATALOGUE", lost.aip_id) in errors
    assert ("CKP-AIP-EVENT-BEYOND-LOG", lost.aip_id) in errors
    [behind] = [f for f in result.findings if f.code == "CKP-CATALOGUE-BEHIND"]
    assert behind.expected == "1" and behind.found == "0"
    assert lost.archive_number is not None and lost.archive_number.startswith(behind.location)
    assert behind.params["aips"] == 1 and behind.params["events"] == 1


def test_ingest_refuses_to_reissue_a_number_an_aip_on_disk_carries(restored, sample_sips, now):
    arc, lost = restored
    with pytest.raises(ConfigError, match="older than the archive"):
        ingest_package(arc, sample_sips[0], now=now)
    with db.read_session(arc.engine) as s:
        assert s.execute(select(AipRow.archive_number)).scalars().all() != [lost.archive_number]
    done = run_cli("--root", str(arc.config.root), "ingest", str(sample_sips[0]))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "catalog rebuild --apply" in done.stdout + done.stderr and "Traceback" not in done.stderr


def test_rebuild_apply_brings_the_catalogue_forward_and_numbering_resumes(restored, sample_sips, now):
    arc, lost = restored
    report = rebuild_catalogue(arc, now, apply=True)
    assert report.applied
    assert "RBD-AIP-NOT-IN-CATALOGUE" in {f.code for f in report.differences}
    assert "RBD-EVENT-NOT-IN-LOG" in {f.code for f in report.findings}
    assert _errors(arc, now) == set(), verify_log_full(arc, now).to_dict()
    codes = {f.code for f in verify_log_full(arc, now).findings}
    assert "CKP-EVENT-LOST-ACKNOWLEDGED" in codes
    again = ingest_package(arc, sample_sips[0], now=now)
    assert again.status == "duplicate" and again.aip_id == lost.aip_id
    fresh = ingest_package(arc, sample_sips[2], now=now)
    assert fresh.status == "archived"
    assert _errors(arc, now) == set()


def test_checkpoint_carries_the_counters_and_guards_without_marks(archive, sample_sips, now, tmp_path):
    _backup(archive, tmp_path / "backup.sqlite")
    first = ingest_package(archive, sample_sips[0], now=now)
    cp = make_checkpoint(archive, now)
    body = json.loads((archive.config.root / cp.path).read_bytes())
    assert list(body["archive_numbers"].values()) == [1]
    arc = _restore(archive, tmp_path / "backup.sqlite")
    try:
        for loc in arc.locations:
            shutil.rmtree(loc.root / "numbers")
        for aip_loc in arc.locations:
            shutil.rmtree(aip_loc.aip_path(first.aip_id))  # even with the AIP itself gone
        with pytest.raises(ConfigError, match="checkpoint"):
            ingest_package(arc, sample_sips[0], now=now)
        assert "CKP-CATALOGUE-BEHIND" in _errors(arc, now)
    finally:
        arc.close()


def test_damaged_mark_is_a_finding_and_stops_numbering(archive, sample_sips, now):
    assert ingest_package(archive, sample_sips[0], now=now).status == "archived"
    [series] = _series(archive)
    path = mark_path(archive.locations[1], series)
    path.write_bytes(path.read_bytes().replace(b'"seq":1', b'"seq":9'))
    assert "CKP-NUMBER-MARK-INVALID" in _errors(archive, now)
    with pytest.raises(ConfigError, match="damaged"):
        with db.write_session(archive.engine) as s:
            reserve_sequence(archive, s, series, "0" * 32)


def _series(archive: Archive) -> list[str]:
    with sqlite3.connect(archive.config.root / "catalogue.sqlite") as con:
        return [r[0] for r in con.execute("SELECT series FROM archive_number_counter")]


def test_deleted_log_tail_is_noticed(archive, sample_sips, now):
    """Item 9: the newest events (two aip.ingest) and the newest checkpoint file and row removed."""
    ingest_package(archive, sample_sips[0], now=now)
    first = make_checkpoint(archive, now)
    b = ingest_package(archive, sample_sips[1], now=now).aip_id
    c = ingest_package(archive, sample_sips[2], now=now).aip_id
    second = make_checkpoint(archive, now)
    keep = first.event_count + 1  # up to and including the first checkpoint's own event
    con = sqlite3.connect(archive.config.root / "catalogue.sqlite")
    with con:
        con.execute("DELETE FROM event WHERE seq > ?", (keep,))
        con.execute("DELETE FROM checkpoint WHERE seq = ?", (second.seq,))
        seq, digest = con.execute("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1").fetchone()
        con.execute("UPDATE event_head SET seq = ?, hash = ?", (seq, digest))
    con.close()
    for suffix in ("", ".p7s"):
        (archive.config.root / (second.path + suffix)).unlink()
    result = verify_log_full(archive, now)
    errors = {(f.code, f.location) for f in result.findings if f.level.value == "error"}
    assert not result.ok
    assert {("CKP-INGEST-EVENT-MISSING", b), ("CKP-INGEST-EVENT-MISSING", c),
            ("CKP-AIP-EVENT-BEYOND-LOG", b), ("CKP-AIP-EVENT-BEYOND-LOG", c),
            ("CKP-LOG-BEHIND-WITNESS", "log/head.json")} <= errors


def test_deleted_tail_without_aip_events_is_caught_by_the_head_witness(archive, sample_sips, now):
    ingest_package(archive, sample_sips[0], now=now)
    make_checkpoint(archive, now)
    second = make_checkpoint(archive, now)  # the log's newest events name no AIP
    con = sqlite3.connect(archive.config.root / "catalogue.sqlite")
    with con:
        con.execute("DELETE FROM event WHERE seq > ?", (second.event_count,))
        con.execute("DELETE FROM checkpoint WHERE seq = ?", (second.seq,))
        seq, digest = con.execute("SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1").fetchone()
        con.execute("UPDATE event_head SET seq = ?, hash = ?", (seq, digest))
    con.close()
    for suffix in ("", ".p7s"):
        (archive.config.root / (second.path + suffix)).unlink()
    assert _errors(archive, now) == {"CKP-LOG-BEHIND-WITNESS"}


def test_rebuild_reports_a_reissued_number_instead_of_crashing(archive, sample_sips, now, tmp_path):
    """Item 3: two AIPs with one 档号 (numbered by the old code after a restore)."""
    _backup(archive, tmp_path / "backup.sqlite")
    first = ingest_package(archive, sample_sips[0], now=now)
    arc = _restore(archive, tmp_path / "backup.sqlite")
    try:
        for loc in arc.locations:  # what the old code had: no mark outside the catalogue
            shutil.rmtree(loc.root / "numbers", ignore_errors=True)
        second = ingest_package(arc, sample_sips[0], now=now)
        assert second.archive_number == first.archive_number and second.aip_id != first.aip_id
        report = rebuild_catalogue(arc, now)
        [dup] = [f for f in report.findings if f.code == "RBD-DUPLICATE-NUMBER" and f.params["field"] == "档号"]
        assert dup.found == first.archive_number and dup.params["kept"] == second.aip_id
        applied = rebuild_catalogue(arc, now, apply=True)
        assert not applied.ok
        with db.read_session(arc.engine) as s:
            assert s.execute(select(AipRow.id)).scalars().all() == [second.aip_id]
        done = run_cli("--root", str(arc.config.root), "catalog", "rebuild")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    finally:
        arc.close()


def test_rebuild_of_an_aip_without_ingest_event(archive, sample_sips, now):
    """Item 7: kill -9 between publish and commit leaves an AIP the log does not know."""
    root = archive.config.root
    done = run_cli("--root", str(root), "ingest", str(sample_sips[0]),
                   env={"CASEARCHIVE_FAILPOINT": "ingest.before-commit"})
    assert done.returncode == -9
    [aip_dir] = list((archive.locations[0].root / "aips").glob("*/*"))
    cli = run_cli("--root", str(root), "catalog", "rebuild", "--json")
    assert cli.returncode == 1 and "Traceback" not in cli.stderr, cli.stderr
    report = rebuild_catalogue(archive, now, apply=True)
    assert ("RBD-NO-INGEST-EVENT", aip_dir.name) in {(f.code, f.location) for f in report.findings}
    assert report.applied
    with db.read_session(archive.engine) as s:
        row = s.get(AipRow, aip_dir.name)
        assert row is not None and all(c.written_at is not None for c in row.copies)
        bag_info = (aip_dir / "bag-info.txt").read_text(encoding="utf-8")
        assert row.ingested_at.strftime("%Y-%m-%d") in bag_info
        assert s.execute(select(EventRow).where(EventRow.type == "catalog.rebuild")).scalar_one()


def test_killed_rebuild_leaves_no_temporary_catalogue(archive, sample_sips, now, tmp_path):
    """Item 11: kill -9 of catalog rebuild; the next run cleans what it left."""
    ingest_package(archive, sample_sips[0], now=now)
    root = archive.config.root
    tmpdir = tmp_path / "systmp"
    tmpdir.mkdir()
    env = {"TMPDIR": str(tmpdir)}
    killed = run_cli("--root", str(root), "catalog", "rebuild",
                     env={**env, "CASEARCHIVE_FAILPOINT": "rebuild.temporary-written"})
    assert killed.returncode == -9
    staging = archive.primary.staging
    assert [p for p in staging.iterdir() if p.is_dir() and (p / "rebuilt.sqlite").exists()]
    again = run_cli("--root", str(root), "catalog", "rebuild", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert list(staging.iterdir()) == [] and list(tmpdir.iterdir()) == []
