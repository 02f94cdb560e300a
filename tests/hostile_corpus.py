"""The hostile-input corpus: bad pushes, each built as a real package from a good sample SIP.

Shared by the end-to-end ingest tests (tests/ingest/test_hostile.py) and the test that runs
every CLI command over the corpus (tests/test_no_traceback.py).  Each builder takes a writable
copy of a good bag and a scratch folder and returns the package to push.
"""
from __future__ import annotations

import io
import os
import struct
import tarfile
import zipfile
from pathlib import Path
from typing import Callable

import bagit


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
