"""Repair: every injected fault in one copy is rebuilt from the good copy; evidence is kept."""
from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import db
from archive.config import ConfigError
from archive.models import AipCopyRow, AipRow, EventRow
from archive.repair import RepairPolicy, repair_aip
from archive.verify import verify_copy
from fixity.digest import AIP_ALGORITHMS
from helpers import tree_snapshot
from ingest.pipeline import ingest_package


@pytest.fixture
def stocked(archive, sample_sips, now):
    out = ingest_package(archive, sample_sips[0], now=now)
    assert out.status == "archived", out.findings
    return archive, out.aip_id


def _first_pdf(aip_dir: Path) -> Path:
    return sorted((aip_dir / "data").rglob("*.pdf"))[0]


def _flip(aip_dir: Path) -> None:
    f = _first_pdf(aip_dir)
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))


def _truncate(aip_dir: Path) -> None:
    f = _first_pdf(aip_dir)
    f.write_bytes(f.read_bytes()[:-10])


def _delete(aip_dir: Path) -> None:
    _first_pdf(aip_dir).unlink()


def _add(aip_dir: Path) -> None:
    (aip_dir / "data" / "documents" / "intruder.pdf").write_bytes(b"%PDF-1.4 not ours")


def _replace_same_size(aip_dir: Path) -> None:
    f = _first_pdf(aip_dir)
    f.write_bytes(b"\0" * f.stat().st_size)


def _tag(aip_dir: Path) -> None:
    path = aip_dir / "preservation" / "description.json"
    path.write_text(path.read_text(encoding="utf-8").replace("J105", "J999"), encoding="utf-8")


def _whole(aip_dir: Path) -> None:
    shutil.rmtree(aip_dir)


FAULTS = {"flip": _flip, "truncate": _truncate, "delete": _delete, "add": _add, "replace": _replace_same_size,
          "tag-file": _tag, "whole-copy": _whole}


def _verify_all(archive, aip_id, now):
    with db.read_session(archive.engine) as s:
        tm = s.get(AipRow, aip_id).tagmanifest_sha256
    return {loc.name: verify_copy(loc.aip_path(aip_id), aip_id=aip_id, location=loc.name, algorithms=AIP_ALGORITHMS,
                                  trusted=archive.trusted, now=now, expected_tagmanifest_sha256=tm)
            for loc in archive.locations}


def _events(archive, type_):
    with db.read_session(archive.engine) as s:
        return list(s.execute(select(EventRow).where(EventRow.type == type_)).scalars())


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("damaged", [0, 1])
def test_fault_in_one_copy_is_repaired(stocked, now, fault, damaged):
    archive, aip_id = stocked
    loc = archive.locations[damaged]
    FAULTS[fault](loc.aip_path(aip_id))
    later = now + timedelta(days=1)
    report = repair_aip(archive, aip_id, now=later, confirm=True)
    assert report.outcome == "repaired", report.to_dict()
    [action] = report.actions
    assert action.location == loc.name and action.action == "rebuilt"
    assert action.source == archive.locations[1 - damaged].name
    assert all(v.ok for v in _verify_all(archive, aip_id, later).values())
    if fault == "whole-copy":
        assert action.before == "missing" and action.evidence is None
    else:
        evidence = loc.root / action.evidence
        assert evidence.is_dir() and (evidence / "bagit.txt").exists(), "damaged copy kept for forensics"
    [event] = [e for e in _events(archive, "aip.repair") if e.outcome == "success"]
    assert event.detail["location"] == loc.name and event.detail["codes"] == list(action.codes)
    with db.read_session(archive.engine) as s:
        row = s.execute(select(AipCopyRow).where(AipCopyRow.aip_id == aip_id,
                                                 AipCopyRow.location == loc.name)).scalar_one()
        assert (row.state, row.last_verify_ok) == ("ok", True)
    assert repair_aip(archive, aip_id, now=later, confirm=True).outcome == "intact"


def test_plan_changes_nothing(stocked, now):
    archive, aip_id = stocked
    _flip(archive.locations[1].aip_path(aip_id))
    before = tree_snapshot(archive.config.root / "storage")
    with db.read_session(archive.engine) as s:
        events = s.query(EventRow).count()
    report = repair_aip(archive, aip_id, now=now, confirm=False)
    assert report.outcome == "planned"
    assert [(a.location, a.action, a.codes) for a in report.actions] == [("replica", "rebuild", ("VER-DIGEST-MISMATCH",))]
    assert tree_snapshot(archive.config.root / "storage") == before
    with db.read_session(archive.engine) as s:
        assert s.query(EventRow).count() == events


def test_all_copies_damaged_marks_aip_and_keeps_everything(stocked, now):
    archive, aip_id = stocked
    for loc in archive.locations:
        _flip(loc.aip_path(aip_id))
    before = tree_snapshot(archive.config.root / "storage")
    report = repair_aip(archive, aip_id, now=now, confirm=True)
    assert report.outcome == "damaged" and not report.ok
    assert "REP-NO-GOOD-COPY" in {f.code for f in report.findings}
    assert tree_snapshot(archive.config.root / "storage") == before
    with db.read_session(archive.engine) as s:
        assert s.get(AipRow, aip_id).state == "damaged"
    [event] = _events(archive, "aip.damaged")
    assert set(event.detail["copies"]) == {"primary", "replica"}


def test_only_the_named_location_is_repaired(stocked, now):
    archive, aip_id = stocked
    for loc in archive.locations:
        _tag(loc.aip_path(aip_id)) if loc.name == "primary" else _flip(loc.aip_path(aip_id))
    report = repair_aip(archive, aip_id, now=now, confirm=True, location="replica")
    assert report.outcome == "damaged"  # no good source anywhere


def test_unknown_location_and_aip(stocked, now):
    archive, aip_id = stocked
    with pytest.raises(ConfigError):
        repair_aip(archive, aip_id, now=now, confirm=True, location="nowhere")
    assert repair_aip(archive, "no-such-aip", now=now, confirm=True).outcome == "unknown"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_location_fails_safely(stocked, now):
    archive, aip_id = stocked
    loc = archive.locations[1]
    _flip(loc.aip_path(aip_id))
    mode = loc.root.stat().st_mode
    for path in (loc.root, loc.staging):
        path.chmod(0o555)
    try:
        report = repair_aip(archive, aip_id, now=now, confirm=True)
    finally:
        for path in (loc.root, loc.staging):
            path.chmod(mode)
    assert report.outcome == "failed"
    assert "REP-WRITE-FAILED" in {f.code for f in report.findings}
    assert loc.aip_path(aip_id).is_dir(), "the damaged copy stays in place"
    assert repair_aip(archive, aip_id, now=now, confirm=True).outcome == "repaired"


def test_repair_policy_rejects_unknown_keys():
    assert RepairPolicy.from_config({}).auto is False
    assert RepairPolicy.from_config({"auto": True}).auto is True
    with pytest.raises(ConfigError):
        RepairPolicy.from_config({"automatic": True})
    with pytest.raises(ConfigError):
        RepairPolicy.from_config({"auto": "yes"})


def test_write_error_mid_repair_keeps_the_damaged_copy(stocked, now):
    """A location that cannot take the journal (here a file blocks it, as a full disk would)."""
    archive, aip_id = stocked
    loc = archive.locations[1]
    _flip(loc.aip_path(aip_id))
    (loc.root / ".repair").write_bytes(b"in the way")
    report = repair_aip(archive, aip_id, now=now, confirm=True)
    assert report.outcome == "failed"
    assert "REP-WRITE-FAILED" in {f.code for f in report.findings}
    assert not _verify_all(archive, aip_id, now)["replica"].ok, "the damaged copy is still there, untouched"
    assert [e.outcome for e in _events(archive, "aip.repair")] == ["failure"]
    (loc.root / ".repair").unlink()
    assert repair_aip(archive, aip_id, now=now, confirm=True).outcome == "repaired"


def test_no_good_copy_raises_an_alert_event(stocked, now):
    archive, aip_id = stocked
    for loc in archive.locations:
        _flip(loc.aip_path(aip_id))
    report = repair_aip(archive, aip_id, now=now, confirm=True)
    assert report.alert is not None and "not installed" not in report.alert
    assert [e.detail.get("kind", e.detail) for e in _events(archive, "alert.sent")], "alert recorded as an event"
