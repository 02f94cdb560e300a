"""Guarded destruction: no marker, id or path handed to the store can remove more than one AIP copy
or staging folder — never a location, aips/ itself, or what a live process is using."""
from __future__ import annotations

import json
import os
import uuid

import pytest

from archive.publish import MARKER_SUFFIX, marker_bytes, recover_publications
from archive.store import Location, UnsafeOperation, move, remove_file, remove_tree, staging_area
from archive.verify import verify_copy
from helpers import run_cli, scan_with_test_db
from ingest.pipeline import ingest_package, recover


def _copies(archive) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {loc.name: sorted(p.name for p in (loc.root / "aips").glob("*/*")) for loc in archive.locations}


def _all_verify(archive, ids, now) -> bool:  # type: ignore[no-untyped-def]
    return all(verify_copy(loc.aip_path(i), aip_id=i, location=loc.name, algorithms=("sha256",),
                           trusted=archive.trusted, now=now).ok for loc in archive.locations for i in ids)


@pytest.fixture
def stored(archive, sample_sips, now):  # type: ignore[no-untyped-def]
    ids = [ingest_package(archive, s, now=now).aip_id for s in sample_sips[:2]]
    assert all(ids)
    return archive, sorted(ids)


def _garbage(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return b"\x00\xff garbage \n"


def _bad_checksum(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    body = json.loads(marker_bytes(ids[0], token, loc.name))
    body["aip_id"] = ids[1]  # the id changed after the checksum was made
    return json.dumps(body).encode()


def _plain_registered_id(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return ids[0].encode()  # the old, unchecked format naming an AIP in the catalogue


def _valid_registered(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return marker_bytes(ids[0], token, loc.name)  # a committed ingest died before clearing its marker


def _dotdot(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return b"../.."


def _dotdot_checksummed(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return marker_bytes("../..", token, loc.name)


def _other_token(archive, ids, loc, token):  # type: ignore[no-untyped-def]
    return marker_bytes(uuid.uuid4().hex, uuid.uuid4().hex, loc.name)  # copied from elsewhere


MARKERS = {"empty": lambda *a: b"", "blank": lambda *a: b"  \n", "garbage": _garbage, "bad-checksum": _bad_checksum,
           "plain-registered-id": _plain_registered_id, "valid-registered": _valid_registered, "dotdot": _dotdot,
           "dotdot-checksummed": _dotdot_checksummed, "other-token": _other_token}


@pytest.mark.parametrize("kind", sorted(MARKERS))
def test_a_bad_or_stale_marker_never_removes_a_copy(stored, now, kind):
    archive, ids = stored
    before = _copies(archive)
    markers = []
    for loc in archive.locations:
        token = uuid.uuid4().hex
        marker = loc.staging / (token + MARKER_SUFFIX)
        marker.write_bytes(MARKERS[kind](archive, ids, loc, token))
        markers.append(marker)
    notes = recover(archive)
    assert _copies(archive) == before, notes
    assert all(loc.root.is_dir() and (loc.root / "aips").is_dir() for loc in archive.locations)
    assert _all_verify(archive, ids, now)
    if kind == "valid-registered":
        assert not any(m.exists() for m in markers), "a valid marker of a committed AIP is cleared"
        assert notes == []
    else:
        assert all(m.exists() for m in markers), "an untrustworthy marker is kept for an operator"
        assert sorted(n.split()[0] for n in notes) == ["STO-MARKER-INVALID"] * len(markers), notes
    assert _copies(archive) == before and recover(archive) is not None and _copies(archive) == before


def test_a_valid_marker_of_a_dead_ingest_removes_only_its_own_copy(stored, now):
    archive, ids = stored
    loc = archive.primary
    stray = uuid.uuid4().hex
    target = loc.aip_path(stray)
    target.mkdir(parents=True)
    (target / "bag-info.txt").write_text(f"AIP-Identifier: {stray}\n", encoding="utf-8")
    token = uuid.uuid4().hex
    (loc.staging / (token + MARKER_SUFFIX)).write_bytes(marker_bytes(stray, token, loc.name))
    findings = recover_publications(archive)
    assert [f.code for f in findings] == ["STO-PUBLICATION-UNDONE"]
    assert not target.exists() and _all_verify(archive, ids, now)
    assert sorted(_copies(archive)["primary"]) == ids


def test_a_valid_marker_naming_a_foreign_copy_removes_nothing(stored, now):
    archive, ids = stored
    loc = archive.primary
    stray = uuid.uuid4().hex
    target = loc.aip_path(stray)
    target.mkdir(parents=True)
    (target / "bag-info.txt").write_text(f"AIP-Identifier: {ids[0]}\n", encoding="utf-8")
    token = uuid.uuid4().hex
    (loc.staging / (token + MARKER_SUFFIX)).write_bytes(marker_bytes(stray, token, loc.name))
    codes = sorted(f.code for f in recover_publications(archive))
    assert codes == ["STO-MARKER-INVALID", "STO-ORPHAN-COPY"]
    assert target.is_dir()


def test_a_marker_of_a_live_ingest_is_left_alone(stored, now):
    archive, ids = stored
    loc = archive.primary
    with staging_area(loc) as area:
        stray = uuid.uuid4().hex
        target = loc.aip_path(stray)
        target.mkdir(parents=True)
        (target / "bag-info.txt").write_text(f"AIP-Identifier: {stray}\n", encoding="utf-8")
        marker = loc.staging / (area.path.name + MARKER_SUFFIX)
        marker.write_bytes(marker_bytes(stray, area.path.name, loc.name))
        assert recover_publications(archive) == ()
        assert target.is_dir() and marker.exists() and area.path.is_dir()
        marker.unlink()


@pytest.mark.parametrize("bad", ["", "..", "../..", "ab", "A" * 32, "0" * 31, "0" * 33, "../" + "0" * 29,
                                 "0" * 32 + "/..", None])
def test_aip_path_refuses_a_malformed_id(tmp_path, bad):
    loc = Location("x", tmp_path)
    with pytest.raises(UnsafeOperation):
        loc.aip_path(bad)  # type: ignore[arg-type]


def test_destructive_helpers_refuse_everything_but_copies_and_staging(stored, tmp_path):
    archive, ids = stored
    loc = archive.primary
    (loc.root / ".damaged" / f"{ids[0]}-20260101T000000Z").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (loc.staging / ("f" * 32)).symlink_to(outside)
    refused = [loc.root, loc.root / "aips", loc.root / "aips" / ids[0][:2], loc.staging, loc.root.parent,
               loc.root / "aips" / ids[0][:2] / "..", loc.root / ".damaged" / f"{ids[0]}-20260101T000000Z",
               loc.root / "aips" / "zz" / ids[0], outside, loc.root / "casearchive.toml",
               loc.staging / ("f" * 32) / "inside-a-link"]
    for path in refused:
        with pytest.raises(UnsafeOperation):
            remove_tree(loc, path)
    with pytest.raises(UnsafeOperation):
        remove_tree(loc, loc.staging / ("f" * 32))  # a link where a staging folder belongs
    for path in (loc.root / "aips" / ids[0][:2] / ids[0] / "bag-info.txt", loc.root / "catalogue.db"):
        with pytest.raises(UnsafeOperation):
            remove_file(loc, path)
    with pytest.raises(UnsafeOperation):
        move(loc, loc.aip_path(ids[0]), loc.root / "aips")
    with pytest.raises(FileExistsError):
        move(loc, loc.aip_path(ids[0]), loc.aip_path(ids[1]))
    assert outside.is_dir() and all(loc.aip_path(i).is_dir() for i in ids)
    os.unlink(loc.staging / ("f" * 32))


def test_kill_9_between_marker_creation_and_content(tmp_path, sample_sips):
    """The old marker was created empty, then filled: killed in between, the next recovery removed aips/."""
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    scan_with_test_db(root)  # [checks] virus_scan = "required": the test signatures
    assert run_cli("--root", str(root), "ingest", str(sample_sips[0])).returncode == 0
    killed = run_cli("--root", str(root), "ingest", str(sample_sips[1]),
                     env={"CASEARCHIVE_FAILPOINT": "ingest.marker-created"})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    rerun = run_cli("--root", str(root), "ingest", "--json", str(sample_sips[1]))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert json.loads(rerun.stdout)[0]["status"] == "archived"
    verify = run_cli("--root", str(root), "verify", "--all", "--json")
    assert verify.returncode == 0, verify.stdout
    assert len(json.loads(verify.stdout)["copies"]) == 4, "both AIPs, two copies each"
    assert [p.name for p in (root / "storage").glob("*/.staging/*")] == []
