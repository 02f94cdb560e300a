"""Ingest end to end on real packages: archived, duplicate, refused — and nothing lost."""
from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from archive import catalogue, db
from archive.events import verify_log
from archive.verify import verify_copy
from helpers import openssl_available, tree_snapshot
from ingest.bag import validate_bag
from ingest.pipeline import ingest_package


def _aip_dirs(archive) -> dict[str, list[Path]]:  # type: ignore[no-untyped-def]
    return {loc.name: sorted(p for p in (loc.root / "aips").glob("*/*") if p.is_dir()) for loc in archive.locations}


def _codes(outcome) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for f in outcome.findings}


def test_ingest_makes_a_signed_aip_in_every_location(archive, sip, now):
    before = tree_snapshot(sip)
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "archived", outcome.findings
    assert outcome.archive_number and outcome.archive_number.startswith("J105-")
    assert tree_snapshot(sip) == before, "the pushed package must never be modified"
    dirs = _aip_dirs(archive)
    assert [len(v) for v in dirs.values()] == [1, 1]
    for loc_dirs in dirs.values():
        aip_dir = loc_dirs[0]
        report = validate_bag(aip_dir)
        assert report.valid, [f.code for f in report.findings]
        assert (aip_dir / "data" / "metadata" / "casefile.xml").read_bytes() == \
            (sip / "data" / "metadata" / "casefile.xml").read_bytes()
        verdict = verify_copy(aip_dir, aip_id=outcome.aip_id, location="x", algorithms=("sha256", "sm3"),
                              trusted=archive.trusted, now=now)
        assert verdict.ok, verdict.findings
    with db.read_session(archive.engine) as s:
        rec = catalogue.get_aip(s, outcome.archive_number)
        assert rec is not None and rec.case_number == outcome.case_number
        assert {c.location for c in rec.copies} == {"primary", "replica"}
        assert all(c.last_verify_ok for c in rec.copies)
        count, findings = verify_log(s)
        assert count >= 2 and findings == []
    receipt = Path(outcome.receipt)
    assert receipt.exists() and Path(str(receipt) + ".p7s").exists()


@pytest.mark.skipif(not openssl_available(), reason="openssl not installed")
def test_aip_signature_verifies_with_openssl(archive, sip, now):
    outcome = ingest_package(archive, sip, now=now)
    aip_dir = archive.primary.aip_path(outcome.aip_id)
    for alg in ("sha256", "sm3"):
        cmd = ["openssl", "cms", "-verify", "-binary", "-inform", "DER",
               "-in", str(aip_dir / f"tagmanifest-{alg}.txt.p7s"), "-content", str(aip_dir / f"tagmanifest-{alg}.txt"),
               "-CAfile", str(archive.config.signing.cert), "-out", "/dev/null"]
        assert subprocess.run(cmd, capture_output=True).returncode == 0
    # the tag manifest covers the payload manifests, so a changed manifest breaks the chain of proof
    (aip_dir / "tagmanifest-sha256.txt").chmod(0o644)
    with open(aip_dir / "tagmanifest-sha256.txt", "ab") as fh:
        fh.write(b"0" * 64 + b"  evil.txt\n")
    cmd[5] = str(aip_dir / "tagmanifest-sha256.txt.p7s")
    cmd[7] = str(aip_dir / "tagmanifest-sha256.txt")
    assert subprocess.run(cmd, capture_output=True).returncode != 0


def test_identical_push_is_a_duplicate_and_stores_nothing(archive, sip, now):
    first = ingest_package(archive, sip, now=now)
    dirs = _aip_dirs(archive)
    second = ingest_package(archive, sip, now=now)
    assert second.status == "duplicate"
    assert second.aip_id == first.aip_id and second.archive_number == first.archive_number
    assert _aip_dirs(archive) == dirs
    with db.read_session(archive.engine) as s:
        assert catalogue.count_aips(s) == 1


def test_same_case_number_other_content_is_refused(archive, sip, now, tmp_path):
    ingest_package(archive, sip, now=now)
    other = tmp_path / "other" / sip.name
    shutil.copytree(sip, other)
    _change_metadata(other)
    outcome = ingest_package(archive, other, now=now)
    assert outcome.status == "refused"
    assert "ING-CASE-ARCHIVED" in _codes(outcome)


def _change_metadata(bag: Path) -> None:
    """A valid package for the same case with other content: another 审理结果, manifests redone."""
    import dataclasses

    import bagit

    from metadata.xml import casefile_to_xml, parse_casefile

    meta = bag / "data" / "metadata" / "casefile.xml"
    cf, _ = parse_casefile(meta.read_bytes())
    meta.write_bytes(casefile_to_xml(dataclasses.replace(cf, result=cf.result + "（补正）")))
    bagit.Bag(str(bag)).save(manifests=True)


def test_corrupted_byte_is_refused_into_quarantine(archive, sip, now):
    doc = sorted((sip / "data" / "documents").iterdir())[0]
    raw = bytearray(doc.read_bytes())
    raw[10] ^= 0xFF
    doc.write_bytes(bytes(raw))
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "refused"
    assert any(c.startswith("BAG-") for c in _codes(outcome))
    qdir = Path(outcome.report_dir)
    assert (qdir / "report.json").exists() and (qdir / "report.zh-CN.txt").exists() and (qdir / "report.en.txt").exists()
    assert (qdir / "package" / "data" / "documents" / doc.name).read_bytes() == bytes(raw)
    assert "应为" in (qdir / "report.zh-CN.txt").read_text(encoding="utf-8")
    assert _aip_dirs(archive) == {"primary": [], "replica": []}
    with db.read_session(archive.engine) as s:
        assert catalogue.count_aips(s) == 0
        assert verify_log(s)[1] == []


@pytest.mark.parametrize("fmt", ["zip", "tar", "tar.gz"])
def test_serialized_packages_are_ingested(archive, sip, now, tmp_path, fmt):
    path = tmp_path / f"pkg.{fmt}"
    if fmt == "zip":
        with zipfile.ZipFile(path, "w") as zf:
            for f in sorted(sip.rglob("*")):
                zf.write(f, Path(sip.name) / f.relative_to(sip))
    else:
        with tarfile.open(path, "w:gz" if fmt == "tar.gz" else "w") as tf:
            tf.add(sip, arcname=sip.name)
    outcome = ingest_package(archive, path, now=now)
    assert outcome.status == "archived", [f.code for f in outcome.findings]


def _ingest_in_child(args: tuple[str, str]) -> str:
    from archive.archive import Archive
    from datetime import datetime, timezone

    root, sip = args
    arc = Archive.open(Path(root))
    try:
        return ingest_package(arc, Path(sip), now=datetime.now(timezone.utc)).status
    finally:
        arc.close()


def test_same_package_pushed_twice_at_once(archive, sip):
    with ProcessPoolExecutor(2) as pool:
        statuses = sorted(pool.map(_ingest_in_child, [(str(archive.config.root), str(sip))] * 2))
    assert statuses == ["archived", "duplicate"]
    assert [len(v) for v in _aip_dirs(archive).values()] == [1, 1]


def test_archive_numbers_are_sequential_per_series(archive, sample_sips, now):
    numbers = [ingest_package(archive, p, now=now).archive_number for p in sample_sips]
    assert len(set(numbers)) == len(numbers)
    series: dict[str, list[int]] = {}
    for n in numbers:
        prefix, seq = n.rsplit("-", 1)
        series.setdefault(prefix, []).append(int(seq))
    for seqs in series.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


def test_unnumberable_department_is_refused_before_any_work(archive, sip, now):
    import dataclasses

    from metadata.xml import casefile_to_xml, parse_casefile

    meta = sip / "data" / "metadata" / "casefile.xml"
    cf, _ = parse_casefile(meta.read_bytes())
    meta.write_bytes(casefile_to_xml(dataclasses.replace(cf, department="𠀀𠀁庭")))
    import bagit

    bagit.Bag(str(sip)).save(manifests=True)
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "refused"
    assert "ING-ARCHIVE-NUMBER-RULE" in _codes(outcome)


def test_symlink_refusal_keeps_the_regular_files_in_quarantine(archive, sip, now, tmp_path):
    """docs/ingest.md: a refused package is kept — a link refuses it before staging, yet its files are kept."""
    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the package", encoding="utf-8")
    (sip / "data" / "documents" / "link.pdf").symlink_to(secret)
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "refused" and any("LINK" in c for c in _codes(outcome)), _codes(outcome)
    kept = Path(outcome.report_dir) / "package"
    assert (Path(outcome.report_dir) / "report.json").is_file()
    for original in sip.rglob("*"):
        rel = original.relative_to(sip)
        if original.is_symlink():
            assert not os.path.lexists(kept / rel), "a link is never copied or followed"
        elif original.is_file():
            assert (kept / rel).read_bytes() == original.read_bytes(), rel
    assert not any(p.is_symlink() for p in kept.rglob("*"))
    assert all(p.read_bytes() != secret.read_bytes() for p in kept.rglob("*") if p.is_file())
