"""Every kind of bad push named in the spine issue, end to end through ingest.

Each case: the expected outcome and code, nothing archived, the source untouched,
the event log intact.  Unit-level variants live beside the unpacker and validators.
"""
from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from archive import catalogue, db
from archive.events import verify_log
from helpers import tree_snapshot
from hostile_corpus import CASES, _resave, zero_byte_file, zip_traversal
from ingest.pipeline import ingest_package
from ingest.validate import validate_path


@pytest.mark.parametrize("name,make,code", CASES, ids=[c[0] for c in CASES])
def test_bad_push_is_refused_and_nothing_is_archived(archive, sip, tmp_path, now, name, make, code):
    package = make(sip, tmp_path)
    before = tree_snapshot(package) if package.is_dir() else package.read_bytes()
    outcome = ingest_package(archive, package, now=now)
    assert outcome.status == "refused"
    codes = {f.code for f in outcome.findings}
    assert set(code.split("|")) & codes, codes
    assert (tree_snapshot(package) if package.is_dir() else package.read_bytes()) == before
    assert not any(any((loc.root / "aips").rglob("*")) for loc in archive.locations)
    assert not Path("/tmp/casearchive-evil.txt").exists()
    assert not (tmp_path.parent / "evil.txt").exists()
    with db.read_session(archive.engine) as s:
        assert catalogue.count_aips(s) == 0
        assert verify_log(s)[1] == []
    report = Path(outcome.report_dir) / "report.json"
    assert any(c in report.read_text(encoding="utf-8") for c in code.split("|"))


def test_validate_agrees_with_ingest(sip, tmp_path, now):
    package = zip_traversal(sip, tmp_path)
    result = validate_path(package, level="sip", today=now.date())
    assert not result.ok and "PKG-NAME-DOTDOT" in {f.code for f in result.findings}


def test_zero_byte_file_is_a_valid_bag(sip, tmp_path, now):
    zero_byte_file(sip, tmp_path)
    assert validate_path(sip, level="bag", today=now.date()).ok


def test_gb18030_zip_names_are_accepted_with_a_warning(archive, sip, tmp_path, now):
    outcome = ingest_package(archive, _gbk_zip(sip, tmp_path), now=now)
    assert outcome.status == "archived", [f.code for f in outcome.findings]
    assert "PKG-NAME-GB18030" in {f.code for f in outcome.findings}


def _gbk_zip(bag: Path, tmp: Path) -> Path:
    """A zip whose member names are GB18030 bytes with flag bit 11 clear (Chinese Windows tools)."""
    path = tmp / "gbk.zip"
    swaps: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(path, "w") as zf:
        for i, f in enumerate(sorted(p for p in bag.rglob("*") if p.is_file())):
            name = f.relative_to(bag).as_posix()
            gbk = name.encode("gb18030")
            placeholder = name if gbk.isascii() else (f"~{i:04d}~".ljust(len(gbk), "q"))
            assert len(placeholder.encode()) == len(gbk)
            if placeholder != name:
                swaps.append((placeholder.encode(), gbk))
            zf.writestr(zipfile.ZipInfo(placeholder), f.read_bytes())
    raw = path.read_bytes()
    for placeholder, gbk in swaps:
        assert raw.count(placeholder) == 2  # local header + central directory
        raw = raw.replace(placeholder, gbk)
    path.write_bytes(raw)
    return path


def _with_accented_document(bag: Path) -> str:
    """Rename one document to a name that NFC and NFD spell differently; metadata and manifests follow."""
    import dataclasses

    from metadata.xml import casefile_to_xml, parse_casefile

    meta = bag / "data" / "metadata" / "casefile.xml"
    cf, _ = parse_casefile(meta.read_bytes())
    doc = cf.documents[0]
    new_path = "documents/001-证据Café.pdf" if doc.path.endswith(".pdf") else "documents/001-证据Café" + Path(doc.path).suffix
    (bag / "data" / doc.path).rename(bag / "data" / new_path)
    docs = (dataclasses.replace(doc, path=new_path),) + cf.documents[1:]
    meta.write_bytes(casefile_to_xml(dataclasses.replace(cf, documents=docs)))
    _resave(bag)
    return new_path


def test_nfd_file_names_are_archived(archive, sip, tmp_path, now):
    """A sender on macOS may write decomposed names while its manifests say NFC."""
    new_path = _with_accented_document(sip)
    nfc = sip / "data" / new_path
    nfc.rename(nfc.with_name(unicodedata.normalize("NFD", nfc.name)))
    outcome = ingest_package(archive, sip, now=now)
    codes = {f.code for f in outcome.findings}
    assert outcome.status == "archived", codes
    assert codes & {"BAG-NORMALIZATION-DIFFERS", "PKG-NAME-NOT-NFC"}
    aip_dir = archive.primary.aip_path(outcome.aip_id)
    assert (aip_dir / "data" / unicodedata.normalize("NFC", new_path)).exists()
    from archive.verify import verify_copy

    assert verify_copy(aip_dir, aip_id=outcome.aip_id, location="primary", algorithms=("sha256", "sm3"),
                       trusted=archive.trusted, now=now).ok
