"""Storage locations: list, status (unreachable, unwritable, full), add, replicate, "safely stored"."""
from __future__ import annotations

import shutil
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from helpers import open_copy
from archive import db
from archive.archive import Archive
from archive.config import ConfigError
from archive.models import AipCopyRow, EventRow, StorageLocationRow
from archive.storage_admin import (check_storage, replicate_missing, safely_stored, storage_add, storage_list,
                                   storage_status)


@pytest.fixture
def template(ingested_template):
    return ingested_template


def _open(template: Path, tmp_path: Path, extra: str = "") -> Archive:
    return open_copy(template, tmp_path, extra)


@pytest.fixture
def arc(template, tmp_path):
    a = _open(template, tmp_path)
    yield a
    a.close()


def _events(arc: Archive, type_: str) -> list[EventRow]:
    with db.read_session(arc.engine) as s:
        rows = s.execute(select(EventRow).where(EventRow.type == type_)).scalars().all()
        s.expunge_all()
        return list(rows)


def _aip_ids(arc: Archive) -> list[str]:
    with db.read_session(arc.engine) as s:
        return sorted(set(s.execute(select(AipCopyRow.aip_id)).scalars()))


def test_list_shows_configured_and_catalogued(arc):
    listed = storage_list(arc).to_dict()["locations"]
    assert [(l["name"], l["configured"], l["catalogued"]) for l in listed] == [("primary", True, True),
                                                                               ("replica", True, True)]


def test_status_of_healthy_locations(arc, now):
    status = storage_status(arc, now)
    assert status.ok and status.findings == ()
    for loc in status.locations:
        assert loc.reachable and loc.writable and loc.copies == 3 and loc.verified_within_cycle == 3
        assert loc.free_bytes is not None and 0 < loc.free_bytes <= loc.total_bytes and loc.missing == 0
    later = storage_status(arc, now + timedelta(days=91))
    assert [loc.verified_within_cycle for loc in later.locations] == [0, 0]


def test_a_location_that_is_a_file_is_unreachable_and_alerted(arc, now):
    root = arc.location("replica").root
    shutil.rmtree(root)
    root.write_bytes(b"not a directory")
    status, delivery = check_storage(arc, now)
    replica = status.locations[1]
    assert not replica.reachable and not replica.writable and replica.free_bytes is None
    assert [f.code for f in status.findings] == ["STO-LOCATION-UNREACHABLE"] and not status.ok
    assert delivery is not None and delivery.alert.kind == "storage" and delivery.alert.severity == "error"
    assert _events(arc, "alert.sent")[0].detail["codes"] == ["STO-LOCATION-UNREACHABLE"]


def test_an_unwritable_location_is_reported(template, tmp_path, now):
    """Tests run as root, which ignores permissions: /proc/self is a directory no one can create files in."""
    arc = _open(template, tmp_path, '[[storage]]\nname = "readonly"\npath = "/proc/self"\nrequired = false')
    status, delivery = check_storage(arc, now)
    readonly = status.locations[2]
    assert readonly.reachable and not readonly.writable
    assert [f.code for f in readonly.findings] == ["STO-LOCATION-UNWRITABLE"]
    assert delivery is not None and "STO-LOCATION-UNWRITABLE" in _events(arc, "alert.sent")[0].detail["codes"]
    arc.close()


def test_a_full_location_is_reported_and_alerted(template, tmp_path, now):
    arc = _open(template, tmp_path, f"[alerts]\nmin_free_bytes = {2**62}")
    status, delivery = check_storage(arc, now)
    assert {f.code for f in status.findings} == {"STO-LOCATION-LOW-SPACE"} and len(status.findings) == 2
    assert status.ok, "low space is a warning"
    assert int(status.findings[0].expected) == 2**62 and int(status.findings[0].found) < 2**62
    assert delivery is not None and delivery.alert.severity == "warning"
    assert len(_events(arc, "alert.sent")) == 1
    arc.close()


def test_add_a_location_keeps_comments_registers_and_replicates(arc, now, tmp_path):
    config = arc.config.root / "casearchive.toml"
    before = config.read_text(encoding="utf-8")
    result = storage_add(arc, "offsite", str(tmp_path / "offsite disk"), now)
    after = config.read_text(encoding="utf-8")
    assert after.startswith(before) and "# Every AIP is written to every required location" in after
    parsed = tomllib.loads(after)
    assert parsed["storage"][-1] == {"name": "offsite", "path": str(tmp_path / "offsite disk"), "required": True}
    assert (tmp_path / "offsite disk" / "aips").is_dir() and result.name == "offsite"
    assert _events(arc, "storage.add")[0].detail["name"] == "offsite"
    reopened = Archive.open(arc.config.root)
    with db.read_session(reopened.engine) as s:
        assert s.get(StorageLocationRow, "offsite") is not None
        assert not any(safely_stored(s, a) for a in _aip_ids(reopened))
    status = storage_status(reopened, now)
    assert status.locations[2].missing == 3 and status.locations[2].copies == 0
    report = replicate_missing(reopened, now)
    assert report.ok and len(report.made) == 3 and {r.location for r in report.made} == {"offsite"}
    with db.read_session(reopened.engine) as s:
        assert all(safely_stored(s, a) for a in _aip_ids(reopened))
    assert len(_events(reopened, "storage.replicate")) == 3
    assert replicate_missing(reopened, now).made == (), "idempotent"
    assert not list((tmp_path / "offsite disk" / ".staging").iterdir())
    reopened.close()


@pytest.mark.parametrize("name, path, message", [
    ("primary", "elsewhere", "exists already"), ("bad name!", "x", "use letters"),
    ("inside", "storage/primary/sub", "overlaps"), ("outer", "storage", "overlaps"),
])
def test_add_refuses_and_leaves_the_file_alone(arc, now, name, path, message):
    config = arc.config.root / "casearchive.toml"
    before = config.read_bytes()
    with pytest.raises(ConfigError, match=message):
        storage_add(arc, name, path, now)
    assert config.read_bytes() == before


def test_replication_uses_only_a_good_copy(arc, now, tmp_path):
    storage_add(arc, "third", str(tmp_path / "third"), now)
    reopened = Archive.open(arc.config.root)
    aip_id = _aip_ids(reopened)[0]
    payload = sorted(p for p in (reopened.location("replica").aip_path(aip_id) / "data").rglob("*") if p.is_file())[0]
    payload.write_bytes(b"damaged but not yet audited")
    with db.write_session(reopened.engine) as s:
        s.execute(update(AipCopyRow).where(AipCopyRow.aip_id == aip_id, AipCopyRow.location == "primary")
                  .values(last_verify_ok=False, state="damaged"))
    report = replicate_missing(reopened, now)
    assert len(report.made) == 2
    assert [(f.code, f.params["aip_id"]) for f in report.findings] == [("STO-REPLICA-FAILED", aip_id)]
    assert not reopened.location("third").aip_path(aip_id).exists()
    with db.write_session(reopened.engine) as s:
        s.execute(update(AipCopyRow).where(AipCopyRow.aip_id == aip_id).values(last_verify_ok=False))
    again = replicate_missing(reopened, now)
    assert [f.code for f in again.findings] == ["STO-NO-GOOD-COPY"]
    reopened.close()


def test_safely_stored_needs_every_required_copy_verified(arc):
    aip_id = _aip_ids(arc)[0]
    with db.read_session(arc.engine) as s:
        assert safely_stored(s, aip_id)
    with db.write_session(arc.engine) as s:
        s.execute(update(AipCopyRow).where(AipCopyRow.aip_id == aip_id, AipCopyRow.location == "replica")
                  .values(last_verified_at=None, last_verify_ok=None))
    with db.read_session(arc.engine) as s:
        assert not safely_stored(s, aip_id)
        assert not safely_stored(s, "no-such-aip")
