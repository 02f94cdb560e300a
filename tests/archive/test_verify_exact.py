"""An AIP copy is exactly what its manifests list: nothing planted, linked or shared (issue #7 item 8)."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from archive.archive import Archive
from archive.repair import repair_aip
from archive.verify import CopyVerdict, verify_stored
from fixity.digest import AIP_ALGORITHMS
from helpers import open_copy, run_cli


@pytest.fixture
def arc(ingested_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    archive = open_copy(ingested_template, tmp_path)
    yield archive
    archive.close()


def _first(archive: Archive) -> str:
    with sqlite3.connect(archive.config.root / "catalogue.sqlite") as con:
        return str(con.execute("SELECT id FROM aip ORDER BY id").fetchone()[0])


def _verify(archive: Archive, aip_id: str, where: int = 0) -> CopyVerdict:
    loc = archive.locations[where]
    return verify_stored(archive, loc.aip_path(aip_id), aip_id=aip_id, location=loc.name,
                         algorithms=AIP_ALGORITHMS, now=datetime.now().astimezone(), expected_tagmanifest_sha256=None)


def _errors(verdict: CopyVerdict) -> set[tuple[str, str]]:
    return {(f.code, f.location) for f in verdict.findings if f.level.value == "error"}


def _payload(copy: Path) -> Path:
    return sorted((copy / "data" / "documents").iterdir())[0]


@pytest.mark.parametrize("planted", ["run.sh", "preservation/injected.json", "sip/extra/f", "data/extra.pdf"])
def test_a_planted_file_anywhere_is_damage(arc: Archive, planted: str) -> None:
    aip_id = _first(arc)
    target = arc.primary.aip_path(aip_id) / planted
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"#!/bin/sh\necho owned\n")
    target.chmod(0o755)
    verdict = _verify(arc, aip_id)
    # A payload file also changes Payload-Oxum; nothing else may be reported.
    assert _errors(verdict) - {("VER-OXUM-MISMATCH", "bag-info.txt")} == {("VER-FILE-EXTRA", planted)}
    assert verdict.status == "damaged"
    assert _verify(arc, aip_id, 1).ok


def test_verify_cli_exits_1_for_a_planted_file(arc: Archive) -> None:
    aip_id = _first(arc)
    (arc.primary.aip_path(aip_id) / "preservation" / "injected.json").write_text("{}")
    done = run_cli("--root", str(arc.config.root), "verify", "--all", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    bad = [v for v in json.loads(done.stdout)["copies"] if not v["ok"]]
    assert [(v["aip_id"], v["location"], v["status"]) for v in bad] == [(aip_id, "primary", "damaged")]


def test_a_copy_replaced_by_a_link_to_the_other_copy(arc: Archive) -> None:
    aip_id = _first(arc)
    replica = arc.locations[1].aip_path(aip_id)
    shutil.rmtree(replica)
    replica.symlink_to(arc.primary.aip_path(aip_id), target_is_directory=True)
    verdict = _verify(arc, aip_id, 1)
    assert [f.code for f in verdict.findings] == ["VER-COPY-NOT-DIRECTORY"]
    assert "symbolic link" in str(verdict.findings[0].found)
    report = repair_aip(arc, aip_id, now=datetime.now().astimezone(), confirm=True)
    assert report.outcome == "repaired", report.to_dict()
    assert not replica.is_symlink() and _verify(arc, aip_id, 1).ok and _verify(arc, aip_id, 0).ok


def test_a_payload_file_replaced_by_a_link(arc: Archive) -> None:
    aip_id = _first(arc)
    replica_file = _payload(arc.locations[1].aip_path(aip_id))
    rel = replica_file.relative_to(arc.locations[1].aip_path(aip_id)).as_posix()
    replica_file.unlink()
    replica_file.symlink_to(_payload(arc.primary.aip_path(aip_id)))
    assert _errors(_verify(arc, aip_id, 1)) == {("VER-SYMLINK", rel), ("VER-OXUM-MISMATCH", "bag-info.txt")}


def test_a_payload_file_hard_linked_between_copies_is_repaired_into_independent_files(arc: Archive) -> None:
    aip_id = _first(arc)
    primary_file = _payload(arc.primary.aip_path(aip_id))
    replica_file = _payload(arc.locations[1].aip_path(aip_id))
    rel = primary_file.relative_to(arc.primary.aip_path(aip_id)).as_posix()
    replica_file.unlink()
    os.link(primary_file, replica_file)
    for where in (0, 1):
        verdict = _verify(arc, aip_id, where)
        assert _errors(verdict) == {("VER-HARD-LINK", rel)} and verdict.bytes_ok
    report = repair_aip(arc, aip_id, now=datetime.now().astimezone(), confirm=True)
    assert report.outcome == "repaired", report.to_dict()
    assert _verify(arc, aip_id, 0).ok and _verify(arc, aip_id, 1).ok
    a, b = os.stat(_payload(arc.primary.aip_path(aip_id))), os.stat(_payload(arc.locations[1].aip_path(aip_id)))
    assert (a.st_dev, a.st_ino) != (b.st_dev, b.st_ino) and a.st_nlink == b.st_nlink == 1


def test_a_fifo_is_damage_and_never_blocks(arc: Archive) -> None:
    aip_id = _first(arc)
    os.mkfifo(arc.primary.aip_path(aip_id) / "data" / "documents" / "pipe")
    assert _errors(_verify(arc, aip_id)) == {("VER-SPECIAL-FILE", "data/documents/pipe")}


def test_repair_rebuilds_a_copy_with_a_planted_file_and_keeps_it_as_evidence(arc: Archive) -> None:
    aip_id = _first(arc)
    planted = arc.primary.aip_path(aip_id) / "sip" / "extra" / "f"
    planted.parent.mkdir()
    planted.write_bytes(b"planted")
    report = repair_aip(arc, aip_id, now=datetime.now().astimezone(), confirm=True)
    assert report.outcome == "repaired", report.to_dict()
    assert not planted.exists() and _verify(arc, aip_id).ok
    (action,) = [a for a in report.actions if a.location == "primary"]
    assert action.evidence and (arc.primary.root / action.evidence / "sip" / "extra" / "f").read_bytes() == b"planted"


def test_unconfirmed_signature_is_not_intact(arc: Archive) -> None:
    """A signature that cannot be confirmed (here: an unknown digest algorithm) never counts as intact."""
    from asn1crypto import cms

    aip_id = _first(arc)
    sig_path = arc.primary.aip_path(aip_id) / "tagmanifest-sha256.txt.p7s"
    info = cms.ContentInfo.load(sig_path.read_bytes())
    signer_info = info["content"]["signer_infos"][0]
    signer_info["digest_algorithm"] = {"algorithm": "1.2.3.4.5"}
    sig_path.write_bytes(info.dump(force=True))
    verdict = _verify(arc, aip_id)
    assert _errors(verdict) == {("VER-SIGNATURE-INDETERMINATE", "tagmanifest-sha256.txt")}
    assert not verdict.ok and verdict.status == "unconfirmed"
    done = run_cli("--root", str(arc.config.root), "verify", aip_id, "--location", "primary")
    assert done.returncode == 1 and "UNCONFIRMED" in done.stdout, done.stdout + done.stderr
