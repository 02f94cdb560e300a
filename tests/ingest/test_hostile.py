"""Every kind of bad push named in the spine issue, end to end through ingest.

Each case: the expected outcome and code, nothing archived, the source untouched,
the event log intact.  Unit-level variants live beside the unpacker and validators.
"""
from __future__ import annotations

import io
import os
import struct
import tarfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Callable

import bagit
import pytest

from archive import catalogue, db
from archive.events import verify_log
from helpers import tree_snapshot
from ingest.pipeline import ingest_package
from ingest.validate import validate_path


def _resave(bag: Path) -> None:
    bagit.Bag(str(bag)).save(manifests=True)


def _first_doc(bag: Path) -> Path:
    return sorted((bag / "data" / "documents").iterdir())[0]


def corrupt_byte(bag: Path, tmp: Path) -> Path:
    doc = _first_doc(bag)
    raw = bytearray(doc.read_bytes())
    raw[len(raw) // 3] ^= 0x10
    doc.write_bytes(bytes(raw))
    return bag


def missing_file(bag: Path, tmp: Path) -> Path:
    _first_doc(bag).unlink()
    return bag


def extra_file(bag: Path, tmp: Path) -> Path:
    (bag / "data" / "documents" / "extra.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    return bag


def wrong_oxum(bag: Path, tmp: Path) -> Path:
    info = bag / "bag-info.txt"
    lines = [("Payload-Oxum: 1.1" if line.startswith("Payload-Oxum") else line)
             for line in info.read_text(encoding="utf-8").splitlines()]
    info.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bag


def missing_metadata(bag: Path, tmp: Path) -> Path:
    (bag / "data" / "metadata" / "casefile.xml").unlink()
    _resave(bag)
    return bag


def _set_metadata(bag: Path, data: bytes) -> Path:
    (bag / "data" / "metadata" / "casefile.xml").write_bytes(data)
    _resave(bag)
    return bag


def malformed_metadata(bag: Path, tmp: Path) -> Path:
    data = (bag / "data" / "metadata" / "casefile.xml").read_bytes()
    return _set_metadata(bag, data[: len(data) // 2])


def xxe_metadata(bag: Path, tmp: Path) -> Path:
    return _set_metadata(bag, b'<?xml version="1.0"?>\n<!DOCTYPE caseFile [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                              b'<caseFile xmlns="urn:casearchive:casefile:1">&x;</caseFile>\n')


def billion_laughs(bag: Path, tmp: Path) -> Path:
    ents = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    doc = f'<?xml version="1.0"?><!DOCTYPE caseFile [<!ENTITY l0 "lol">{ents}]><caseFile>&l9;</caseFile>'
    return _set_metadata(bag, doc.encode())


def zip_traversal(bag: Path, tmp: Path) -> Path:
    path = tmp / "traversal.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(bag.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(bag).as_posix())
        zf.writestr("../../evil.txt", b"escaped")
    return path


def tar_absolute(bag: Path, tmp: Path) -> Path:
    path = tmp / "absolute.tar"
    with tarfile.open(path, "w") as tf:
        tf.add(bag, arcname=bag.name)
        info = tarfile.TarInfo("/tmp/casearchive-evil.txt")
        info.size = 4
        tf.addfile(info, io.BytesIO(b"evil"))
    return path


def symlink_in_bag(bag: Path, tmp: Path) -> Path:
    os.symlink("/etc/passwd", bag / "data" / "documents" / "passwd.pdf")
    return bag


def zip_bomb_10gb(bag: Path, tmp: Path) -> Path:
    """A small zip whose central directory declares 10 GB for one member."""
    path = tmp / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(bag.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(bag).as_posix())
        zf.writestr("data/documents/bomb.bin", b"\0" * 100_000)
    raw = bytearray(path.read_bytes())
    cd = raw.rfind(b"PK\x01\x02" + raw[raw.rfind(b"PK\x01\x02") + 4:raw.rfind(b"PK\x01\x02") + 6])
    # patch the last central-directory entry (bomb.bin) to claim 0xFFFFFFF0 bytes … twice over via ZIP64-less max
    entry = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<I", raw, entry + 24, 0xFFFFFFF0)
    path.write_bytes(bytes(raw))
    del cd
    return path


def empty_dir(bag: Path, tmp: Path) -> Path:
    empty = tmp / "empty"
    empty.mkdir()
    return empty


def empty_zip(bag: Path, tmp: Path) -> Path:
    path = tmp / "empty.zip"
    zipfile.ZipFile(path, "w").close()
    return path


def zero_byte_file(bag: Path, tmp: Path) -> Path:
    (bag / "data" / "documents" / "zero.pdf").write_bytes(b"")
    _resave(bag)
    return bag


CASES: list[tuple[str, Callable[[Path, Path], Path], str]] = [
    ("corrupted-byte", corrupt_byte, "BAG-CHECKSUM-MISMATCH"),
    ("missing-file", missing_file, "BAG-MANIFEST-FILE-MISSING"),
    ("extra-file", extra_file, "BAG-PAYLOAD-NOT-IN-MANIFEST"),
    ("wrong-oxum", wrong_oxum, "BAG-OXUM-MISMATCH"),
    ("missing-metadata", missing_metadata, "SIP-METADATA-MISSING"),
    ("malformed-metadata", malformed_metadata, "MD-XML-MALFORMED"),
    ("xxe", xxe_metadata, "MD-XML-DOCTYPE"),
    ("billion-laughs", billion_laughs, "MD-XML-DOCTYPE"),
    ("zip-dotdot", zip_traversal, "PKG-NAME-DOTDOT"),
    ("tar-absolute", tar_absolute, "PKG-NAME-ABSOLUTE"),
    ("symlink", symlink_in_bag, "PKG-SYMLINK"),
    ("zip-bomb", zip_bomb_10gb, "PKG-TOO-LARGE|PKG-COMPRESSION-RATIO"),
    ("empty-dir", empty_dir, "PKG-EMPTY"),
    ("empty-zip", empty_zip, "PKG-EMPTY"),
    ("zero-byte-unreferenced", zero_byte_file, "MD-PAYLOAD-FILE-UNREFERENCED"),
]


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
