"""RFC 8493 bag validation: a table of corrupted bags named by the expected code,
cross-checked against the reference implementation bagit.py."""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Callable

import bagit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings import Severity, get_code
from fixity.digest import FileDigest
from fixity.manifest import format_manifest
from ingest import bag as bagmod
from ingest.bag import BagReport, manifest_algorithms, validate_bag
from fixity.tagfile import format_tag_file

PAYLOAD = {
    "data/documents/起诉状.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 4,
    "data/metadata/casefile.xml": "<卷宗><案号>（2023）京0105民初1234号</案号></卷宗>".encode(),
    "data/notes.txt": b"hello\n",
}


# -- building real bags ----------------------------------------------------
def _digest(alg: str, data: bytes) -> str:
    return hashlib.new(alg, data).hexdigest()


def write_bag(root: Path, payload: dict[str, bytes] = PAYLOAD, algs: tuple[str, ...] = ("sha256",),
              version: str = "1.0", info: list[tuple[str, str]] | None = None, tag_algs: tuple[str, ...] | None = None,
              encode_paths: bool = True) -> Path:
    """A valid bag written byte by byte (independent of the code under test's parsers)."""
    root.mkdir(parents=True)
    for rel, data in payload.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "data").mkdir(exist_ok=True)
    (root / "bagit.txt").write_bytes(f"BagIt-Version: {version}\nTag-File-Character-Encoding: UTF-8\n".encode())
    oxum = f"{sum(len(d) for d in payload.values())}.{len(payload)}"
    items = [("Bagging-Date", "2024-05-01"), ("Payload-Oxum", oxum), *(info or [])]
    (root / "bag-info.txt").write_bytes(format_tag_file(items))
    for alg in algs:
        entries = {p: _digest(alg, d) for p, d in payload.items()}
        text = format_manifest(entries) if encode_paths else "".join(
            f"{v}  {k}\n" for k, v in sorted(entries.items())).encode()
        (root / f"manifest-{alg}.txt").write_bytes(text)
    retag(root, algs if tag_algs is None else tag_algs)
    return root


def retag(root: Path, algs: tuple[str, ...] | None = None) -> None:
    """Rewrite the tag manifests over every tag file (so a test isolates one fault)."""
    if algs is None:
        algs = tuple(sorted(p.name[len("tagmanifest-"):-4] for p in root.glob("tagmanifest-*.txt")))
    for old in root.glob("tagmanifest-*.txt"):
        old.unlink()
    tags = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
            and p.relative_to(root).parts[0] != "data"]
    for alg in algs:
        entries = {p.relative_to(root).as_posix(): _digest(alg, p.read_bytes()) for p in tags}
        (root / f"tagmanifest-{alg}.txt").write_bytes(format_manifest(entries))


def append_line(path: Path, line: str) -> None:
    path.write_bytes(path.read_bytes() + line.encode())


def bagit_valid(root: Path) -> bool:
    """The reference implementation's verdict (it raises for what it rejects)."""
    try:
        return bagit.Bag(str(root)).is_valid()
    except Exception:  # bagit.py raises BagError and others while opening
        return False


def codes(report: BagReport, level: Severity | None = None) -> set[str]:
    return {f.code for f in report.findings if level is None or f.level is level}


def errors(report: BagReport) -> set[str]:
    return codes(report, Severity.ERROR)


# -- corruptions: each names the code it must produce ----------------------
def flip_byte(root: Path) -> None:
    path = root / "data/documents/起诉状.pdf"
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))


def remove_file(root: Path) -> None:
    (root / "data/notes.txt").unlink()


def extra_file(root: Path) -> None:
    (root / "data/extra.txt").write_bytes(b"not listed")


def wrong_oxum(root: Path) -> None:
    text = (root / "bag-info.txt").read_text().replace("Payload-Oxum: ", "Payload-Oxum: 1")
    (root / "bag-info.txt").write_text(text)
    retag(root)


def list_tag_file_in_payload_manifest(root: Path) -> None:
    append_line(root / "manifest-sha256.txt", f"{_digest('sha256', (root / 'bagit.txt').read_bytes())}  bagit.txt\n")
    retag(root)


def dotdot_path(root: Path) -> None:
    append_line(root / "manifest-sha256.txt", f"{_digest('sha256', b'')}  data/../../outside.txt\n")
    retag(root)


def remove_bagit_txt(root: Path) -> None:
    (root / "bagit.txt").unlink()


def bom_in_bagit_txt(root: Path) -> None:
    (root / "bagit.txt").write_bytes(b"\xef\xbb\xbf" + (root / "bagit.txt").read_bytes())
    retag(root)


def bad_version(root: Path) -> None:
    (root / "bagit.txt").write_bytes(b"BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n")
    retag(root)


def sloppy_declaration(root: Path) -> None:
    (root / "bagit.txt").write_bytes(b"BagIt-Version:1.0\nTag-File-Character-Encoding: UTF-8\nExtra: x\n")
    retag(root)


def only_unknown_algorithm(root: Path) -> None:
    (root / "manifest-sha256.txt").rename(root / "manifest-blake9.txt")
    retag(root)


def extra_unknown_algorithm(root: Path) -> None:
    (root / "manifest-blake9.txt").write_bytes((root / "manifest-sha256.txt").read_bytes())
    retag(root)


def no_payload_manifest(root: Path) -> None:
    (root / "manifest-sha256.txt").unlink()
    retag(root)


def no_data_dir(root: Path) -> None:
    shutil.rmtree(root / "data")


def fetch_entry(root: Path) -> None:
    digest = _digest("sha256", b"remote")
    append_line(root / "manifest-sha256.txt", f"{digest}  data/remote.bin\n")
    (root / "fetch.txt").write_bytes(b"https://example.org/remote.bin 6 data/remote.bin\n")
    retag(root)


def symlink_in_payload(root: Path) -> None:
    os.symlink("notes.txt", root / "data/link.txt")
    append_line(root / "manifest-sha256.txt", f"{_digest('sha256', PAYLOAD['data/notes.txt'])}  data/link.txt\n")
    _bump_oxum(root, 6, 1)  # as bagit.py counts the link's target
    retag(root)


def _bump_oxum(root: Path, octets: int, files: int) -> None:
    text = (root / "bag-info.txt").read_text()
    old = next(line for line in text.splitlines() if line.startswith("Payload-Oxum: "))[len("Payload-Oxum: "):]
    n, count = old.split(".")
    (root / "bag-info.txt").write_text(text.replace(old, f"{int(n) + octets}.{int(count) + files}"))


def fifo_in_payload(root: Path) -> None:
    os.mkfifo(root / "data/pipe")


def tag_file_changed(root: Path) -> None:
    append_line(root / "bag-info.txt", "Contact-Name: 张三\n")


def tag_manifest_lists_payload(root: Path) -> None:
    append_line(root / "tagmanifest-sha256.txt",
                f"{_digest('sha256', PAYLOAD['data/notes.txt'])}  data/notes.txt\n")


def tag_manifest_skips_manifest(root: Path) -> None:
    path = root / "tagmanifest-sha256.txt"
    path.write_bytes(b"".join(line for line in path.read_bytes().splitlines(keepends=True)
                              if b"manifest-sha256.txt" not in line))


def unlisted_tag_file(root: Path) -> None:
    (root / "extra-tags").mkdir()
    (root / "extra-tags/notes.txt").write_text("not in the tag manifest")


def no_tag_manifest(root: Path) -> None:
    (root / "tagmanifest-sha256.txt").unlink()


def empty_directory(root: Path) -> None:
    (root / "data/empty/deeper").mkdir(parents=True)


def case_collision(root: Path) -> None:
    (root / "data/NOTES.txt").write_bytes(PAYLOAD["data/notes.txt"])
    append_line(root / "manifest-sha256.txt", f"{_digest('sha256', PAYLOAD['data/notes.txt'])}  data/NOTES.txt\n")
    _bump_oxum(root, 6, 1)
    retag(root)


def bad_bagging_date(root: Path) -> None:
    append_line(root / "bag-info.txt", "Bag-Count: one of two\n")
    text = (root / "bag-info.txt").read_text().replace("2024-05-01", "2024-02-30")
    (root / "bag-info.txt").write_text(text)
    retag(root)


def crlf_manifests(root: Path) -> None:
    for path in root.glob("manifest-*.txt"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    retag(root)
    for path in root.glob("tagmanifest-*.txt"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))


Case = tuple[str, Callable[[Path], None], str, bool | None]
CORRUPTIONS: list[Case] = [
    # (id, corruption, expected code, bagit.py's verdict on validity; None = not asked)
    ("corrupted-byte", flip_byte, "BAG-CHECKSUM-MISMATCH", False),
    ("missing-file", remove_file, "BAG-MANIFEST-FILE-MISSING", False),
    ("extra-file", extra_file, "BAG-PAYLOAD-NOT-IN-MANIFEST", False),
    ("wrong-oxum", wrong_oxum, "BAG-OXUM-MISMATCH", False),
    # bagit.py refuses it too, for another reason: it merges payload and tag entries (duplicate)
    ("file-outside-data", list_tag_file_in_payload_manifest, "BAG-MANIFEST-OUTSIDE-PAYLOAD", False),
    ("manifest-dotdot", dotdot_path, "BAG-MANIFEST-PATH-UNSAFE", False),
    ("missing-bagit-txt", remove_bagit_txt, "BAG-DECLARATION-MISSING", False),
    ("bom-in-bagit-txt", bom_in_bagit_txt, "BAG-DECLARATION-BOM", False),
    ("bad-version", bad_version, "BAG-VERSION-UNSUPPORTED", False),
    # bagit.py parses any 'label: value' lines; RFC 8493 §2.1.1 wants exactly two lines
    ("sloppy-declaration", sloppy_declaration, "BAG-DECLARATION-FORMAT", True),
    ("only-unknown-algorithm", only_unknown_algorithm, "BAG-MANIFEST-NONE-VERIFIABLE", False),
    ("no-payload-manifest", no_payload_manifest, "BAG-MANIFEST-MISSING", False),
    ("no-data-dir", no_data_dir, "BAG-PAYLOAD-DIR-MISSING", False),
    ("fetch-txt", fetch_entry, "BAG-FETCH-PRESENT", False),
    # bagit.py follows the link and hashes its target; casearchive never follows links
    ("symlink", symlink_in_payload, "BAG-SPECIAL-FILE", True),
    ("fifo", fifo_in_payload, "BAG-SPECIAL-FILE", None),  # bagit.py would block reading the pipe
    ("tag-file-changed", tag_file_changed, "BAG-CHECKSUM-MISMATCH", False),
    # bagit.py refuses it as a duplicate entry (it merges payload and tag entries)
    ("tagmanifest-lists-payload", tag_manifest_lists_payload, "BAG-TAGMANIFEST-LISTS-PAYLOAD", False),
    # bagit.py does not require tag manifests to list the payload manifests (RFC 8493 §2.2.1 does)
    ("tagmanifest-skips-manifest", tag_manifest_skips_manifest, "BAG-TAGMANIFEST-MANIFEST-UNLISTED", True),
]
WARNINGS: list[Case] = [
    ("extra-unknown-algorithm", extra_unknown_algorithm, "BAG-MANIFEST-ALGORITHM-UNSUPPORTED", True),
    ("unlisted-tag-file", unlisted_tag_file, "BAG-TAGFILE-UNLISTED", True),
    ("no-tag-manifest", no_tag_manifest, "BAG-TAGMANIFEST-MISSING", True),
    ("empty-directory", empty_directory, "BAG-EMPTY-DIRECTORY", True),
    ("case-collision", case_collision, "BAG-CASE-COLLISION", True),
    ("bad-bagging-date", bad_bagging_date, "BAG-INFO-FORMAT", True),
]


@pytest.mark.parametrize("name, corrupt, code, reference", CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_corruption_is_an_error(tmp_path, name, corrupt, code, reference):
    root = write_bag(tmp_path / "bag")  # bagit.py misreads paths that contain "tagmanifest-"
    assert validate_bag(root).valid, "the uncorrupted bag must be valid"
    corrupt(root)
    report = validate_bag(root)
    assert code in errors(report), [f.to_dict() for f in report.findings]
    assert not report.valid
    if reference is not None:
        assert bagit_valid(root) is reference


@pytest.mark.parametrize("name, corrupt, code, reference", WARNINGS, ids=[c[0] for c in WARNINGS])
def test_hazard_is_a_warning(tmp_path, name, corrupt, code, reference):
    root = write_bag(tmp_path / "bag")
    corrupt(root)
    report = validate_bag(root)
    assert code in codes(report, Severity.WARNING), [f.to_dict() for f in report.findings]
    assert report.valid, [f.to_dict() for f in report.findings if f.level is Severity.ERROR]
    assert bagit_valid(root) is reference


def test_findings_name_file_expected_found_and_clause(tmp_path):
    root = write_bag(tmp_path / "b")
    flip_byte(root)
    (mismatch,) = [f for f in validate_bag(root).findings if f.code == "BAG-CHECKSUM-MISMATCH"]
    assert mismatch.location == "data/documents/起诉状.pdf"
    assert mismatch.expected == _digest("sha256", PAYLOAD["data/documents/起诉状.pdf"])
    assert mismatch.found == _digest("sha256", (root / mismatch.location).read_bytes())
    assert mismatch.params["manifest"] == "manifest-sha256.txt"
    out = mismatch.to_dict()
    assert out["clause"] == "RFC 8493 §3" and "起诉状" in out["message_zh-CN"] and out["hint_en"]


def test_every_corruption_finding_renders_in_both_languages(tmp_path):
    for name, corrupt, _, _ in CORRUPTIONS + WARNINGS:
        root = write_bag(tmp_path / name)
        corrupt(root)
        for finding in validate_bag(root).findings:
            code = get_code(finding.code)
            assert code.clause.startswith(("RFC 8493", "BagIt Profiles")), code
            out = finding.to_dict()
            assert "{" not in out["message_en"] + out["message_zh-CN"], out


def test_missing_file_also_breaks_oxum_and_expected_values(tmp_path):
    root = write_bag(tmp_path / "b")
    remove_file(root)
    report = validate_bag(root)
    (oxum,) = [f for f in report.findings if f.code == "BAG-OXUM-MISMATCH"]
    size = sum(len(d) for d in PAYLOAD.values())
    assert oxum.expected == f"{size}.3" and oxum.found == f"{size - 6}.2"


# -- valid bags: made by bagit.py, by hand, and the 0.97 dialect -----------
@pytest.mark.parametrize("algs", [["sha256"], ["sha512"], ["sha256", "sha512"]])
def test_bags_made_by_bagit_py_are_valid(tmp_path, algs):
    src = tmp_path / "bag"
    for rel, data in PAYLOAD.items():
        (src / rel[len("data/"):]).parent.mkdir(parents=True, exist_ok=True)
        (src / rel[len("data/"):]).write_bytes(data)
    bagit.make_bag(str(src), {"Source-Organization": "北京市海淀区人民法院"}, checksums=algs)
    report = validate_bag(src)
    assert errors(report) == set()
    assert codes(report) == set()
    assert set(report.payload_manifests) == set(algs) == set(report.tag_manifests)
    assert dict(report.payload_files) == {p: len(d) for p, d in PAYLOAD.items()}
    assert ("Source-Organization", "北京市海淀区人民法院") in report.bag_info


def test_sm3_bag(tmp_path):
    root = write_bag(tmp_path / "b", algs=("sha256", "sm3"))
    report = validate_bag(root)
    assert codes(report) == set()
    assert report.digests["data/notes.txt"].digests["sm3"] == _digest("sm3", PAYLOAD["data/notes.txt"])
    flip_byte(root)
    algs = {f.params["algorithm"] for f in validate_bag(root).findings if f.code == "BAG-CHECKSUM-MISMATCH"}
    assert algs == {"sha256", "sm3"}


def test_bag_097_with_md5_tabs_and_binary_marker(tmp_path):
    root = write_bag(tmp_path / "b", algs=("md5",), version="0.97", tag_algs=("md5",))
    manifest = root / "manifest-md5.txt"
    manifest.write_bytes(manifest.read_bytes().replace(b"  data/", b"\t*data/"))
    retag(root)
    report = validate_bag(root)
    assert report.valid and report.version == "0.97"
    # md5sum -b's marker is read, but RFC 8493 says such a bag fails strict validation
    assert codes(report) == {"BAG-ALGORITHM-WEAK", "BAG-MANIFEST-BINARY-MARKER"}
    assert bagit_valid(root)


def test_crlf_and_cr_manifests(tmp_path):
    root = write_bag(tmp_path / "b", algs=("sha256", "sha512"))
    crlf_manifests(root)
    assert codes(validate_bag(root)) == set()
    assert bagit_valid(root)


def test_percent_encoded_newline_in_file_name(tmp_path):
    payload = {"data/two\nlines%.txt": b"x", "data/cr\rname.txt": b"y"}
    root = write_bag(tmp_path / "b", payload=payload)
    assert b"data/two%0Alines%25.txt" in (root / "manifest-sha256.txt").read_bytes()
    report = validate_bag(root)
    assert codes(report) == set()
    assert set(report.payload_manifests["sha256"]) == set(payload)


def test_zero_byte_file_and_empty_payload(tmp_path):
    root = write_bag(tmp_path / "b", payload={"data/empty.txt": b""})
    report = validate_bag(root)
    assert codes(report) == set() and report.payload_files == {"data/empty.txt": 0}
    empty = write_bag(tmp_path / "e", payload={})
    assert codes(validate_bag(empty)) == set()
    assert bagit_valid(root) and bagit_valid(empty)


def test_nfd_file_name_vs_nfc_manifest(tmp_path):
    nfc = unicodedata.normalize("NFC", "data/café.txt")
    nfd = unicodedata.normalize("NFD", nfc)
    root = write_bag(tmp_path / "b", payload={nfc: b"coffee"})
    (root / nfc).rename(root / nfd)
    report = validate_bag(root)
    assert codes(report) == {"BAG-NORMALIZATION-DIFFERS"} and report.valid
    (warning,) = report.findings
    assert (warning.expected, warning.found) == (nfc, nfd)
    assert bagit_valid(root)
    flip = root / nfd
    flip.write_bytes(b"coffeE")
    assert "BAG-CHECKSUM-MISMATCH" in errors(validate_bag(root))


def test_two_names_equal_after_normalisation(tmp_path):
    nfc = unicodedata.normalize("NFC", "data/é.txt")
    root = write_bag(tmp_path / "b", payload={nfc: b"a"})
    (root / unicodedata.normalize("NFD", nfc)).write_bytes(b"b")
    assert "BAG-NORMALIZATION-CONFLICT" in errors(validate_bag(root))


def test_non_utf8_file_name(tmp_path):
    root = write_bag(tmp_path / "b")
    (root / os.fsdecode(b"data/\xff.bin")).write_bytes(b"z")
    report = validate_bag(root)
    assert "BAG-PATH-NOT-UTF8" in errors(report)
    assert any(f.location == "data/\\xff.bin" for f in report.findings)


def test_symlinked_data_dir_is_never_followed(tmp_path):
    root = write_bag(tmp_path / "b")
    shutil.move(root / "data", tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", root / "data")
    report = validate_bag(root)
    assert {"BAG-SPECIAL-FILE", "BAG-PAYLOAD-DIR-MISSING", "BAG-MANIFEST-FILE-MISSING"} <= errors(report)
    assert report.payload_files == {}


# -- digests: reuse what staging computed, read each file once ---------------
def _spy(monkeypatch) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    real = bagmod.digest_many

    def spy(jobs, algorithms, **kw):
        jobs = list(jobs)
        calls.append((tuple(k for k, _, _ in jobs), tuple(algorithms)))
        return real(jobs, algorithms, **kw)

    monkeypatch.setattr(bagmod, "digest_many", spy)
    return calls


def test_each_file_read_once_for_all_missing_algorithms(tmp_path, monkeypatch):
    root = write_bag(tmp_path / "b", algs=("sha256", "sha512", "sm3"))
    calls = _spy(monkeypatch)
    report = validate_bag(root)
    assert report.valid
    assert calls == [(tuple(sorted(PAYLOAD)), ("sha256", "sha512", "sm3"))]
    assert set(report.digests["data/notes.txt"].digests) == {"sha256", "sha512", "sm3"}
    assert set(report.digests["bag-info.txt"].digests) == {"sha256", "sha512", "sm3"}


def test_staged_digests_are_reused(tmp_path, monkeypatch):
    root = write_bag(tmp_path / "b")
    staged = {p: FileDigest(p, len(d), {"sha256": _digest("sha256", d)}) for p, d in PAYLOAD.items()}
    calls = _spy(monkeypatch)
    assert validate_bag(root, staged).valid
    assert calls == []
    # a staged digest is trusted as given: a wrong one shows as a mismatch without a re-read
    lie = dict(staged)
    lie["data/notes.txt"] = FileDigest("data/notes.txt", 6, {"sha256": "0" * 64})
    report = validate_bag(root, lie)
    assert [f.found for f in report.findings if f.code == "BAG-CHECKSUM-MISMATCH"] == ["0" * 64]
    # a staged digest whose size no longer matches the file is not trusted
    stale = dict(staged)
    stale["data/notes.txt"] = FileDigest("data/notes.txt", 999, {"sha256": "0" * 64})
    assert validate_bag(root, stale).valid
    assert calls[-1] == (("data/notes.txt",), ("sha256",))


def test_complete_only_skips_checksums(tmp_path, monkeypatch):
    root = write_bag(tmp_path / "b")
    flip_byte(root)
    calls = _spy(monkeypatch)
    assert validate_bag(root, complete_only=True).valid
    assert calls == []
    remove_file(root)
    assert "BAG-MANIFEST-FILE-MISSING" in errors(validate_bag(root, complete_only=True))


def test_manifest_algorithms_lists_names_only(tmp_path):
    root = write_bag(tmp_path / "b", algs=("sha256", "sm3"), tag_algs=("sha512",))
    assert manifest_algorithms(root) == {"sha256", "sm3", "sha512"}
    assert manifest_algorithms(tmp_path / "missing") == set()


def test_not_a_directory_raises(tmp_path):
    with pytest.raises(NotADirectoryError):
        validate_bag(tmp_path / "nothing-here")


def test_report_is_frozen(tmp_path):
    report = validate_bag(write_bag(tmp_path / "b"))
    with pytest.raises(AttributeError):
        report.version = "0.97"  # type: ignore[misc]
    with pytest.raises(TypeError):
        report.payload_files["data/x"] = 1  # type: ignore[index]



# -- property: our verdict agrees with bagit.py on bags it makes -------------
_name = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\%"),
                min_size=1, max_size=10).filter(lambda s: s == s.strip() and s not in (".", ".."))


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(_name.map(lambda s: unicodedata.normalize("NFC", s)), st.binary(max_size=64),
                       min_size=1, max_size=5),
       st.sampled_from(["none", "flip", "remove", "add"]))
def test_agrees_with_bagit_py(files, corruption):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bag"
        src.mkdir()
        for name, data in files.items():
            (src / name).write_bytes(data)
        bagit.make_bag(str(src), checksums=["sha256"])
        target = src / "data" / sorted(files)[0]
        if corruption == "flip":
            target.write_bytes(target.read_bytes() + b"!")
        elif corruption == "remove":
            target.unlink()
        elif corruption == "add":
            (src / "data" / "zz-extra").mkdir()
            (src / "data" / "zz-extra" / "x").write_bytes(b"x")
        assert validate_bag(src).valid is bagit_valid(src) is (corruption == "none")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
                        "fetch.txt", "manifest-md5.txt"]),
       st.binary(max_size=300))
def test_hostile_tag_file_never_raises(name, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_bag(Path(tmp) / "bag")
        (root / name).write_bytes(data)
        report = validate_bag(root)
        for finding in report.findings:
            finding.to_dict()
