"""Package-level items on real packages: a sample SIP, and the AIP made from it — intact, then damaged."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

from archive import catalogue, db
from archive.checking import aip_package, services_for
from checks import items_package as ip
from checks.api import CheckContext, Stage, Status
from checks.package import DirectoryPackage
from ingest.pipeline import ingest_package

AIP_ITEMS = {"1-11": ip.check_metadata_links, "1-12": ip.check_catalog_files, "1-13": ip.check_package_structure,
             "1-14": ip.check_package_consistency, "1-16": ip.check_package_signature, "2-1": ip.check_total_count,
             "2-2": ip.check_total_bytes, "2-5": ip.check_process_metadata, "2-9": ip.check_archiving_scope,
             "2-10": ip.check_package_metadata, "2-11": ip.check_package_content,
             "3-1": ip.check_metadata_readable, "3-2": ip.check_catalogue_accessible}


@pytest.fixture
def stored(archive, sip, now):  # type: ignore[no-untyped-def]
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "archived"
    return archive, outcome.aip_id


def _aip(archive, aip_id):  # type: ignore[no-untyped-def]
    with db.read_session(archive.engine) as s:
        return aip_package(archive, catalogue.get_aip(s, aip_id))


def _run(archive, aip_id, item: str, now) -> tuple[Status, set[str]]:  # type: ignore[no-untyped-def]
    ctx = CheckContext(now=now, stage=Stage.STORE, services=services_for(archive, aip_id))
    results = AIP_ITEMS[item](_aip(archive, aip_id), ctx)
    statuses = {r.status for r in results}
    worst = next(s for s in (Status.FAILED, Status.INDETERMINATE, Status.PASSED, Status.NOT_APPLICABLE)
                 if s in statuses or s is Status.NOT_APPLICABLE)
    return worst, {f.code for r in results for f in r.findings}


def test_every_package_item_passes_on_an_intact_aip(stored, now):
    archive, aip_id = stored
    for item in AIP_ITEMS:
        status, codes = _run(archive, aip_id, item, now)
        assert status is Status.PASSED, (item, codes)


def _first_doc(root: Path) -> Path:
    return sorted((root / "data" / "documents").iterdir())[0]


def _append(path: Path, data: bytes = b"x") -> None:
    with open(path, "ab") as fh:
        fh.write(data)


def _json_edit(path: Path, edit: Callable[[object], object]) -> None:
    path.write_text(json.dumps(edit(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False), encoding="utf-8")


DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("1-11", lambda r: _first_doc(r).unlink(), "CHK-PKG-LINK-MISSING"),
    ("1-12", lambda r: (r / "data/metadata/casefile.xml").write_text("<caseFile/>", encoding="utf-8"), "CHK-PKG-CATALOG-INVALID"),
    ("1-12", lambda r: (r / "data/metadata/casefile.xml").unlink(), "CHK-PKG-CATALOG-MISSING"),
    ("1-13", lambda r: (r / "notes.txt").write_text("x"), "CHK-PKG-STRUCTURE-UNEXPECTED"),
    ("1-13", lambda r: os.symlink("/etc/passwd", r / "data/documents/link.pdf"), "CHK-PKG-STRUCTURE-SPECIAL-FILE"),
    ("1-13", lambda r: shutil.rmtree(r / "sip"), "CHK-PKG-STRUCTURE-MISSING"),
    ("1-14", lambda r: _append(_first_doc(r)), "CHK-PKG-DIGEST-MISMATCH"),
    ("1-14", lambda r: (r / "data/documents/extra.pdf").write_bytes(b"%PDF-1.4"), "CHK-PKG-FILE-UNDECLARED"),
    ("1-14", lambda r: _first_doc(r).unlink(), "CHK-PKG-FILE-MISSING"),
    ("1-16", lambda r: _append(r / "tagmanifest-sha256.txt", b"0" * 64 + b"  x\n"), "CHK-PKG-SIGNATURE-INVALID"),
    ("1-16", lambda r: (r / "tagmanifest-sm3.txt.p7s").unlink(), "CHK-PKG-SIGNATURE-MISSING"),
    ("2-1", lambda r: _first_doc(r).unlink(), "CHK-PKG-COUNT-MISMATCH"),
    ("2-2", lambda r: _append(_first_doc(r)), "CHK-PKG-BYTES-MISMATCH"),
    ("2-5", lambda r: _json_edit(r / "preservation/events.json", lambda e: []), "CHK-PKG-EVENT-MISSING"),
    ("2-5", lambda r: _json_edit(r / "preservation/events.json", lambda e: [{**e[0], "hash": "0" * 64}]), "CHK-PKG-EVENT-DIFFERS"),
    ("2-10", lambda r: (r / "preservation/signer.pem").unlink(), "CHK-PKG-TAG-FILE-MISSING"),
    ("2-10", lambda r: _json_edit(r / "preservation/description.json", lambda d: {**d, "retention": ""}), "CHK-PKG-TAG-FIELD-MISSING"),
    ("2-10", lambda r: _json_edit(r / "preservation/description.json", lambda d: {**d, "archive_number": "X-1"}), "CHK-PKG-TAG-VALUE-DIFFERS"),
    ("2-11", lambda r: _first_doc(r).unlink(), "CHK-PKG-COUNT-MISMATCH"),
    ("3-1", lambda r: (r / "data/metadata/casefile.xml").write_bytes(b"<caseFile><unclosed>"), "CHK-PKG-METADATA-UNREADABLE"),
    ("3-1", lambda r: (r / "preservation/events.json").write_bytes(b"[{"), "CHK-PKG-METADATA-UNREADABLE"),
]


@pytest.mark.parametrize("item,damage,code", DAMAGE, ids=[f"{i}-{c}" for i, _, c in DAMAGE])
def test_damaged_aip_copy_fails_the_item(stored, now, item, damage, code):
    archive, aip_id = stored
    damage(archive.primary.aip_path(aip_id))
    status, codes = _run(archive, aip_id, item, now)
    assert status is Status.FAILED and code in codes, codes


def test_catalogue_row_missing_and_unreachable(stored, now):
    archive, aip_id = stored
    pkg = _aip(archive, aip_id)
    gone = ip.check_catalogue_accessible(pkg, CheckContext(now=now, stage=Stage.STORE, services={"catalogue": lambda k: None}))
    assert gone[0].status is Status.FAILED and gone[0].findings[0].code == "CHK-PKG-CATALOGUE-ROW-MISSING"
    services = services_for(archive, None)
    archive.engine.dispose()
    os.remove(archive.config.catalogue_url.removeprefix("sqlite:///"))
    down = ip.check_catalogue_accessible(pkg, CheckContext(now=now, stage=Stage.STORE,
                                                           services={"catalogue": services["catalogue"]}))
    assert down[0].status is Status.FAILED
    none = ip.check_catalogue_accessible(pkg, CheckContext(now=now, stage=Stage.STORE))
    assert none[0].status is Status.INDETERMINATE


def test_signature_without_trust_anchors_or_with_a_foreign_anchor(stored, now, tmp_path):
    from fixity.keys import generate_identity
    from cryptography import x509

    archive, aip_id = stored
    pkg = _aip(archive, aip_id)
    assert ip.check_package_signature(pkg, CheckContext(now=now, stage=Stage.STORE))[0].status is Status.INDETERMINATE
    paths = generate_identity(tmp_path / "other", common_name="他人", organization="x", passphrase=None, now=now)
    foreign = x509.load_pem_x509_certificates(Path(paths.cert).read_bytes())
    results = ip.check_package_signature(pkg, CheckContext(now=now, stage=Stage.STORE, services={"trusted": foreign}))
    assert all(r.status is not Status.PASSED for r in results)


def test_eep_not_applicable_unless_configured(stored, now):
    archive, aip_id = stored
    pkg = _aip(archive, aip_id)
    na = ip.check_eep_conformance(pkg, CheckContext(now=now, stage=Stage.STORE))
    assert na[0].status is Status.NOT_APPLICABLE and na[0].findings[0].code == "CHK-PKG-EEP-NOT-APPLICABLE"
    on = ip.check_eep_conformance(pkg, CheckContext(now=now, stage=Stage.STORE, settings={"eep": True}))
    assert on[0].status is Status.FAILED and on[0].findings[0].code == "CHK-PKG-EEP-MISSING"


# ---------------------------------------------------------------- SIP at receipt

def _sip_run(sip: Path, fn, now, **settings):  # type: ignore[no-untyped-def]
    results = fn(DirectoryPackage.from_bag(sip, "sip"), CheckContext(now=now, stage=Stage.RECEIVE, settings=settings))
    return {r.status for r in results}, {f.code for r in results for f in r.findings}


def test_sip_consistency_detects_a_change_after_sending(sip, now):
    assert _sip_run(sip, ip.check_package_consistency, now)[0] == {Status.PASSED}
    _append(_first_doc(sip))
    statuses, codes = _sip_run(sip, ip.check_package_consistency, now)
    assert Status.FAILED in statuses and "CHK-PKG-DIGEST-MISMATCH" in codes


def test_sip_scope_and_process(sip, now):
    assert _sip_run(sip, ip.check_archiving_scope, now)[0] == {Status.PASSED}
    statuses, codes = _sip_run(sip, ip.check_archiving_scope, now, archivable_categories=["刑事"])
    assert "CHK-PKG-CASE-TYPE-NOT-ARCHIVABLE" in codes
    xml = sip / "data/metadata/casefile.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace("定期60年", "定期30年").replace("永久", "定期30年")
                   .replace("定期20年", "定期30年"), encoding="utf-8")
    statuses, codes = _sip_run(sip, ip.check_archiving_scope, now)
    assert "CHK-PKG-RETENTION-OUT-OF-SCHEDULE" in codes
    assert _sip_run(sip, ip.check_process_metadata, now)[0] == {Status.PASSED}
    info = sip / "bag-info.txt"
    info.write_text("\n".join(l for l in info.read_text(encoding="utf-8").splitlines()
                              if not l.startswith("Bagging-Date")) + "\n", encoding="utf-8")
    assert "CHK-PKG-PROCESS-INFO-MISSING" in _sip_run(sip, ip.check_process_metadata, now)[1]


def test_sip_totals_against_declared_counts(sip, now):
    assert _sip_run(sip, ip.check_total_count, now)[0] == {Status.PASSED}
    assert _sip_run(sip, ip.check_total_bytes, now)[0] == {Status.PASSED}
    (sip / "data/documents/999-extra.pdf").write_bytes(b"%PDF-1.4 extra")
    assert "CHK-PKG-COUNT-MISMATCH" in _sip_run(sip, ip.check_total_count, now)[1]
    assert "CHK-PKG-BYTES-MISMATCH" in _sip_run(sip, ip.check_total_bytes, now)[1]
    assert _sip_run(sip, ip.check_package_signature, now)[0] == {Status.NOT_APPLICABLE}
