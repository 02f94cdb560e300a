"""Hostile packages: each yields its finding code, never a traceback, never a write outside dest."""
from __future__ import annotations

import os
import stat
import sys
import tarfile
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import unpack_codes as C
from ingest.limits import UnpackLimits
from ingest.unpack import BAG_DIR, StagedPackage, check_name, decode_name, list_names, stage

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
from test_unpack_support import (BAGIT_TXT, RawMember, assert_contained, bag_files, build_zip, make_tree,  # noqa: E402
                                 snapshot, staged_files, tar_of, tar_with, zip_of)

MiB = 1 << 20


def stage_bytes(tmp_path: Path, name: str, content: bytes, limits: UnpackLimits = UnpackLimits()) -> StagedPackage:
    """Stage ``content`` and check that nothing changed outside ``dest`` and nothing escaped it."""
    source, dest = tmp_path / name, tmp_path / "dest"
    source.write_bytes(content)
    before = snapshot(tmp_path, exclude=dest)
    pkg = stage(source, dest, ["sha256"], limits)
    assert snapshot(tmp_path, exclude=dest) == before
    if dest.exists():
        assert_contained(dest)
    return pkg


def codes(pkg: StagedPackage) -> set[str]:
    return {f.code for f in pkg.findings}


def bagit() -> RawMember:
    return RawMember(b"bagit.txt", BAGIT_TXT)


def written(tmp_path: Path) -> dict[str, bytes]:
    return staged_files(tmp_path / "dest" / BAG_DIR) if (tmp_path / "dest" / BAG_DIR).exists() else {}


# ---------------------------------------------------------------- zip names

@pytest.mark.parametrize("name,code", [
    (b"../evil", C.NAME_DOTDOT),
    (b"data/../../evil", C.NAME_DOTDOT),
    (b"/etc/passwd", C.NAME_ABSOLUTE),
    (b"C:\\Windows\\evil", C.NAME_ABSOLUTE),
    (b"c:evil", C.NAME_ABSOLUTE),
    (b"\\\\server\\share\\evil", C.NAME_ABSOLUTE),
    (b"data\\evil.txt", C.NAME_BACKSLASH),
    (b"data/evil\x00.pdf", C.NAME_CONTROL_CHAR),
    (b"data/line\nbreak", C.NAME_CONTROL_CHAR),
    (b"/".join([b"d"] * 40) + b"/f", C.NAME_TOO_DEEP),
    (b"data/" + b"x" * 1100, C.NAME_TOO_LONG),
    (b"data/" + b"y" * 300, C.NAME_TOO_LONG),
    (b"./", C.NAME_EMPTY),
])
def test_zip_refuses_bad_names_before_extracting(tmp_path: Path, name: bytes, code: str) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(name, b"evil")]))
    assert code in codes(pkg) and not pkg.ok
    assert pkg.root is None and not pkg.files
    assert written(tmp_path) == {}  # refused before anything was extracted
    assert not (tmp_path / "evil").exists()


def test_zip_duplicate_members(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/a.txt", b"1"),
                                                    RawMember(b"data/a.txt", b"2")]))
    assert C.NAME_DUPLICATE in codes(pkg) and written(tmp_path) == {}


def test_zip_duplicate_after_nfc(tmp_path: Path) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "data/é.txt"), unicodedata.normalize("NFD", "data/é.txt")
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(nfc.encode(), b"1"),
                                                    RawMember(nfd.encode(), b"2")]))
    assert C.NAME_DUPLICATE in codes(pkg) and not pkg.ok


def test_zip_nfd_name_is_a_warning_and_kept_as_sent(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "data/é.txt")
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(nfd.encode(), b"1")]))
    assert codes(pkg) == {C.NAME_NOT_NFC} and pkg.ok
    assert nfd in pkg.files and (pkg.root / nfd).read_bytes() == b"1"


def test_zip_case_only_collision_is_a_warning(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/A.pdf", b"1"),
                                                    RawMember(b"data/a.pdf", b"2")]))
    assert codes(pkg) == {C.NAME_CASE_COLLISION} and pkg.ok
    assert set(pkg.files) == {"bagit.txt", "data/A.pdf", "data/a.pdf"}


@pytest.mark.parametrize("names", [[b"data/x", b"data/x/y"], [b"data/x/y", b"data/x"], [b"data/x", b"data/x/"]])
def test_zip_file_and_folder_of_the_same_name(tmp_path: Path, names: list[bytes]) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit()] + [RawMember(n, b"") for n in names]))
    assert C.NAME_CONFLICT in codes(pkg) and written(tmp_path) == {}


# ---------------------------------------------------------------- zip names' encoding

def test_zip_gb18030_name_without_utf8_flag(tmp_path: Path) -> None:
    name = "data/起诉状.pdf"
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(name.encode("gb18030"), b"1", flags=0)]))
    assert codes(pkg) == {C.NAME_GB18030} and pkg.ok
    assert (pkg.root / name).read_bytes() == b"1" and name in pkg.files


def test_zip_utf8_name_without_flag_is_accepted_silently(tmp_path: Path) -> None:
    name = "data/起诉状.pdf"
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(name.encode(), b"1", flags=0)]))
    assert codes(pkg) == set() and name in pkg.files


def test_zip_undecodable_name(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/\xff\xfe.pdf", b"1", flags=0)]))
    assert codes(pkg) == {C.NAME_ENCODING} and not pkg.ok


def test_zip_utf8_flag_with_invalid_utf8(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/\xff.pdf", b"1")]))
    assert codes(pkg) == {C.NAME_ENCODING} and pkg.root is None


# ---------------------------------------------------------------- zip entry types

@pytest.mark.parametrize("member,code", [
    (RawMember(b"data/link", b"/etc/passwd", external_attr=(stat.S_IFLNK | 0o777) << 16), C.SYMLINK),
    (RawMember(b"data/dev", b"", external_attr=(stat.S_IFCHR | 0o666) << 16), C.SPECIAL_FILE),
    (RawMember(b"data/fifo", b"", external_attr=(stat.S_IFIFO | 0o666) << 16), C.SPECIAL_FILE),
    (RawMember(b"data/secret.pdf", b"x", flags=0x0801), C.ENCRYPTED),
    (RawMember(b"data/aes.pdf", b"x", method=99), C.ENCRYPTED),
    (RawMember(b"data/b.pdf", b"x", method=12), C.COMPRESSION_METHOD),
    (RawMember(b"data/d64.pdf", b"x", method=9), C.COMPRESSION_METHOD),
    (RawMember(b"data/s.pdf", b"abc", method=0, compress_size=2), C.SIZE_MISMATCH),
])
def test_zip_refused_entry_types(tmp_path: Path, member: RawMember, code: str) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), member]))
    assert code in codes(pkg) and written(tmp_path) == {}


# ---------------------------------------------------------------- zip bombs and lies

def test_zip_declaring_10_gb_is_refused_before_extracting(tmp_path: Path) -> None:
    bomb = build_zip([bagit(), RawMember(b"data/big.bin", b"tiny", file_size=10 * 10**9)])
    pkg = stage_bytes(tmp_path, "p.zip", bomb)
    assert C.RATIO in codes(pkg) and written(tmp_path) == {}
    pkg = stage_bytes(_fresh(tmp_path, "b"), "p.zip", bomb,
                      UnpackLimits(max_total_bytes=1 << 30, max_file_bytes=20 * 10**9))
    assert C.TOO_LARGE in codes(pkg)
    pkg = stage_bytes(_fresh(tmp_path, "c"), "p.zip", bomb, UnpackLimits(max_file_bytes=1 << 30))
    assert C.FILE_TOO_LARGE in codes(pkg)


def _fresh(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def test_zip_member_inflating_beyond_its_declared_size(tmp_path: Path) -> None:
    lie = RawMember(b"data/zeros.bin", bytes(3 * MiB), file_size=1000)
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), lie]), UnpackLimits(max_ratio=10**6))
    assert C.SIZE_MISMATCH in codes(pkg) and not pkg.ok and not pkg.files
    staged = written(tmp_path)
    assert all(len(v) <= 1000 for v in staged.values())  # never wrote past the declared size


def test_zip_member_shorter_than_declared(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/a", b"x" * 100, file_size=5000)]))
    assert C.SIZE_MISMATCH in codes(pkg)


def test_zip_member_ratio(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/zeros.bin", bytes(4 * MiB))]))
    ratio = [f for f in pkg.findings if f.code == C.RATIO]
    assert ratio and ratio[0].location == "data/zeros.bin" and written(tmp_path) == {}


def test_zip_too_many_members(tmp_path: Path) -> None:
    members = [bagit()] + [RawMember(f"data/{i}".encode(), b"x") for i in range(5)]
    pkg = stage_bytes(tmp_path, "p.zip", build_zip(members), UnpackLimits(max_files=3))
    assert codes(pkg) == {C.TOO_MANY_FILES} and written(tmp_path) == {}


def test_zip_overlapping_members(tmp_path: Path) -> None:
    members = [bagit(), RawMember(b"data/a", b"A" * 500), RawMember(b"data/b", b"A" * 500, offset=0)]
    pkg = stage_bytes(tmp_path, "p.zip", build_zip(members))
    assert C.ZIP_OVERLAP in codes(pkg) and written(tmp_path) == {}


def test_zip_local_header_disagrees(tmp_path: Path) -> None:
    members = [bagit(), RawMember(b"data/a.pdf", b"1", local_name=b"data/b.exe")]
    pkg = stage_bytes(tmp_path, "p.zip", build_zip(members))
    assert C.ZIP_HEADER_MISMATCH in codes(pkg) and not pkg.files


def test_zip_bad_crc(tmp_path: Path) -> None:
    pkg = stage_bytes(tmp_path, "p.zip", build_zip([bagit(), RawMember(b"data/a", b"payload", crc=1234)]))
    assert codes(pkg) == {C.CORRUPT} and not pkg.files


@pytest.mark.parametrize("cut", [10, 200, -30, -1])
def test_truncated_zip(tmp_path: Path, cut: int) -> None:
    data = zip_of(bag_files())
    pkg = stage_bytes(tmp_path, "p.zip", data[:cut])
    assert codes(pkg) & {C.CORRUPT, C.UNKNOWN_FORMAT} and not pkg.ok


def test_zip_with_flipped_deflate_bytes(tmp_path: Path) -> None:
    data = bytearray(zip_of(bag_files()))
    for i in range(120, 180):
        data[i] ^= 0x5A
    pkg = stage_bytes(tmp_path, "p.zip", bytes(data))
    assert not pkg.ok and codes(pkg) & {C.CORRUPT, C.SIZE_MISMATCH, C.ZIP_HEADER_MISMATCH}


# ---------------------------------------------------------------- tar

def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("info,code", [
    (_member("data/link", tarfile.SYMTYPE, "/etc/passwd"), C.SYMLINK),
    (_member("data/hard", tarfile.LNKTYPE, "bagit.txt"), C.HARDLINK),
    (_member("data/tty", tarfile.CHRTYPE), C.SPECIAL_FILE),
    (_member("data/sda", tarfile.BLKTYPE), C.SPECIAL_FILE),
    (_member("data/fifo", tarfile.FIFOTYPE), C.SPECIAL_FILE),
    (_member("../evil"), C.NAME_DOTDOT),
    (_member("/tmp/evil"), C.NAME_ABSOLUTE),
])
def test_tar_refused_members(tmp_path: Path, info: tarfile.TarInfo, code: str, compressed: bool) -> None:
    data = b"evil" if info.type == tarfile.REGTYPE else None
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (info, data), (_member("data/after.txt"), b"after")],
                   compressed=compressed)
    pkg = stage_bytes(tmp_path, "p.tgz" if compressed else "p.tar", tar)
    assert code in codes(pkg) and not pkg.ok and pkg.root is None
    staged = written(tmp_path)
    assert "data/after.txt" not in staged  # nothing is written once the package is refused
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()


@pytest.mark.parametrize("path,code", [("data/nul\x00.pdf", C.NAME_CONTROL_CHAR), ("data/../../x", C.NAME_DOTDOT),
                                       ("/abs/x", C.NAME_ABSOLUTE), ("", C.NAME_EMPTY)])
def test_tar_pax_header_with_odd_path(tmp_path: Path, path: str, code: str) -> None:
    info = _member("data/innocent.pdf")
    info.pax_headers = {"path": path}
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (info, b"x")], fmt=tarfile.PAX_FORMAT)
    pkg = stage_bytes(tmp_path, "p.tar", tar)
    assert code in codes(pkg) and not pkg.ok


def test_tar_gb18030_and_undecodable_names(tmp_path: Path) -> None:
    gb = "data/判决书.pdf".encode("gb18030").decode("utf-8", "surrogateescape")
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (_member(gb), b"1")])
    pkg = stage_bytes(tmp_path, "p.tar", tar)
    assert codes(pkg) == {C.NAME_GB18030} and pkg.ok
    assert (pkg.root / "data/判决书.pdf").read_bytes() == b"1"
    bad = b"data/\xff\xff".decode("utf-8", "surrogateescape")
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (_member(bad), b"1")])
    pkg = stage_bytes(_fresh(tmp_path, "b"), "p.tar", tar)
    assert codes(pkg) == {C.NAME_ENCODING}


def test_tar_duplicate_member(tmp_path: Path) -> None:
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (_member("data/a"), b"1"), (_member("data/a"), b"2")])
    pkg = stage_bytes(tmp_path, "p.tar", tar)
    assert C.NAME_DUPLICATE in codes(pkg) and written(tmp_path)["data/a"] == b"1"


def test_tar_limits(tmp_path: Path) -> None:
    tar = tar_of({**bag_files(), **{f"data/{i}": b"x" * 100 for i in range(10)}})
    assert C.TOO_MANY_FILES in codes(stage_bytes(_fresh(tmp_path, "a"), "p.tar", tar, UnpackLimits(max_files=5)))
    assert C.TOO_LARGE in codes(stage_bytes(_fresh(tmp_path, "b"), "p.tar", tar, UnpackLimits(max_total_bytes=1000)))
    assert C.FILE_TOO_LARGE in codes(stage_bytes(_fresh(tmp_path, "c"), "p.tar", tar, UnpackLimits(max_file_bytes=50)))


def test_tar_gz_bomb_is_stopped_by_counting_decompressed_bytes(tmp_path: Path) -> None:
    bomb = tar_of({"bagit.txt": BAGIT_TXT, "data/zeros.bin": bytes(64 * MiB)}, compressed=True)
    assert len(bomb) < 200_000
    pkg = stage_bytes(tmp_path, "p.tar.gz", bomb)
    assert codes(pkg) == {C.RATIO} and not pkg.files
    staged = written(tmp_path)
    assert sum(len(v) for v in staged.values()) < 8 * MiB  # stopped early, not after 64 MiB


def test_tar_oversized_pax_header(tmp_path: Path) -> None:
    info = _member("data/a")
    info.pax_headers = {"comment": "x" * (5 * MiB)}
    tar = tar_with([(_member("bagit.txt"), BAGIT_TXT), (info, b"1")], fmt=tarfile.PAX_FORMAT)
    pkg = stage_bytes(tmp_path, "p.tar", tar, UnpackLimits(max_ratio=10**6))
    assert codes(pkg) == {C.CORRUPT}


@pytest.mark.parametrize("compressed", [False, True])
def test_truncated_tar_inside_data(tmp_path: Path, compressed: bool) -> None:
    tar = tar_of({**bag_files(), "data/big.bin": os.urandom(200_000)}, compressed=compressed)
    pkg = stage_bytes(tmp_path, "p.tgz" if compressed else "p.tar", tar[: len(tar) // 2])
    assert codes(pkg) == {C.CORRUPT} and not pkg.files


def test_tar_truncated_at_a_header_boundary(tmp_path: Path) -> None:
    tar = tar_of({"bagit.txt": BAGIT_TXT, "data/a": b"a" * 512, "data/b": b"b" * 512}, fmt=tarfile.USTAR_FORMAT)
    cut = tar.index(b"data/b") - 0  # the third header starts here: drop it and everything after
    pkg = stage_bytes(tmp_path, "p.tar", tar[:cut])
    assert codes(pkg) == {C.CORRUPT}


def test_tar_garbage_header_in_the_middle(tmp_path: Path) -> None:
    tar = bytearray(tar_of({"bagit.txt": BAGIT_TXT, "data/a": b"a" * 512, "data/b": b"b"}, fmt=tarfile.USTAR_FORMAT))
    at = tar.index(b"data/b")
    tar[at:at + 512] = b"\x13" * 512
    pkg = stage_bytes(tmp_path, "p.tar", bytes(tar))
    assert codes(pkg) == {C.CORRUPT}


def test_tar_gz_bad_crc_and_bad_deflate(tmp_path: Path) -> None:
    tgz = bytearray(tar_of(bag_files(), compressed=True))
    tgz[-8] ^= 0xFF  # gzip trailer: CRC-32 (RFC 1952 §2.3.1)
    assert codes(stage_bytes(_fresh(tmp_path, "a"), "p.tgz", bytes(tgz))) == {C.CORRUPT}
    tgz = bytearray(tar_of({**bag_files(), "data/r": os.urandom(50_000)}, compressed=True))
    for i in range(len(tgz) // 2, len(tgz) // 2 + 40):
        tgz[i] ^= 0x33
    assert C.CORRUPT in codes(stage_bytes(_fresh(tmp_path, "b"), "p.tgz", bytes(tgz)))


def test_tar_gz_truncated_header_is_corrupt_by_name(tmp_path: Path) -> None:
    tgz = tar_of(bag_files(), compressed=True)[:12]
    assert codes(stage_bytes(tmp_path, "p.tar.gz", tgz)) == {C.CORRUPT}


def test_list_names_stops_at_limits(tmp_path: Path) -> None:
    tar = tar_of({f"data/{i}": b"x" for i in range(20)}, compressed=True)
    (tmp_path / "p.tgz").write_bytes(tar)
    assert len(list_names(tmp_path / "p.tgz", "tar.gz", UnpackLimits(max_files=5))) == 5


# ---------------------------------------------------------------- directories

def test_directory_symlink_is_a_finding_and_not_followed(tmp_path: Path) -> None:
    source = tmp_path / "src"
    make_tree(source, bag_files())
    (tmp_path / "secret.txt").write_bytes(b"secret")
    os.symlink(tmp_path / "secret.txt", source / "data" / "link.txt")
    os.symlink(tmp_path, source / "data" / "linkdir")
    before = snapshot(tmp_path, exclude=tmp_path / "dest")
    pkg = stage(source, tmp_path / "dest", ["sha256"])
    assert snapshot(tmp_path, exclude=tmp_path / "dest") == before
    assert [f.code for f in pkg.findings] == [C.SYMLINK, C.SYMLINK] and not pkg.ok
    assert all(b"secret" != v for v in written(tmp_path).values())


def test_source_itself_a_symlink_or_missing(tmp_path: Path) -> None:
    make_tree(tmp_path / "src", bag_files())
    os.symlink(tmp_path / "src", tmp_path / "link")
    assert [f.code for f in stage(tmp_path / "link", None, ["sha256"]).findings] == [C.SYMLINK]
    assert [f.code for f in stage(tmp_path / "nope", None, ["sha256"]).findings] == [C.SOURCE_MISSING]


def test_directory_fifo_does_not_hang(tmp_path: Path) -> None:
    source = tmp_path / "src"
    make_tree(source, bag_files())
    os.mkfifo(source / "data" / "pipe")
    pkg = stage(source, tmp_path / "dest", ["sha256"])
    assert [f.code for f in pkg.findings] == [C.SPECIAL_FILE]
    os.mkfifo(tmp_path / "pipe.zip")
    pkg = stage(tmp_path / "pipe.zip", _fresh(tmp_path, "d2"), ["sha256"])
    assert [f.code for f in pkg.findings] == [C.SPECIAL_FILE]


def test_directory_non_utf8_names(tmp_path: Path) -> None:
    source = tmp_path / "src"
    make_tree(source, bag_files())
    gb = os.path.join(os.fsencode(source), b"data", "笔录.pdf".encode("gb18030"))
    with open(gb, "wb") as fh:
        fh.write(b"gb")
    pkg = stage(source, tmp_path / "dest", ["sha256"])
    assert [f.code for f in pkg.findings] == [C.NAME_GB18030] and pkg.ok
    assert (pkg.root / "data" / "笔录.pdf").read_bytes() == b"gb"
    assert "data/笔录.pdf" in pkg.files
    with open(os.path.join(os.fsencode(source), b"data", b"\xff\xff"), "wb") as fh:
        fh.write(b"?")
    assert C.NAME_ENCODING in {f.code for f in stage(source, None, ["sha256"]).findings}


def test_directory_limits_and_depth(tmp_path: Path) -> None:
    source = tmp_path / "src"
    make_tree(source, {**bag_files(), "data/" + "/".join("d" * 40) + "/f": b"deep"})
    assert C.NAME_TOO_DEEP in {f.code for f in stage(source, None, ["sha256"]).findings}
    limits = UnpackLimits(max_files=2)
    assert C.TOO_MANY_FILES in {f.code for f in stage(source, None, ["sha256"], limits).findings}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_directory_unreadable_file(tmp_path: Path) -> None:
    source = tmp_path / "src"
    make_tree(source, bag_files())
    (source / "data" / "a.txt").chmod(0)
    pkg = stage(source, tmp_path / "dest", ["sha256"])
    assert [f.code for f in pkg.findings] == [C.READ_ERROR]


# ---------------------------------------------------------------- properties

_NAME_ALPHABET = st.sampled_from(list("ab/.\\:\x00\n é案卷-") + ["..", "/..", "C:", "\u0301", "A"])
_NAMES = st.lists(st.lists(_NAME_ALPHABET, max_size=12).map("".join), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=_NAMES, kind=st.sampled_from(["zip", "tar", "tar.gz"]))
def test_random_member_names_never_escape_and_never_raise(names: list[str], kind: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        members = {"bag/bagit.txt": BAGIT_TXT, **{n: n.encode() for n in names}}
        if kind == "zip":
            content = build_zip([RawMember(n.encode(), v) for n, v in members.items()])
        else:
            content = tar_with([(_member(n), v) for n, v in members.items()], compressed=kind == "tar.gz",
                               fmt=tarfile.PAX_FORMAT)
        pkg = stage_bytes(tmp_path, f"p.{kind}", content)
        for key, digest in pkg.files.items():
            assert (pkg.root / key).stat().st_size == digest.size


@settings(max_examples=150, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["zip", "tar", "tar.gz"]))
def test_damaged_archives_never_raise(data: st.DataObject, kind: str) -> None:
    files = bag_files("bag/")
    clean = zip_of(files) if kind == "zip" else tar_of(files, compressed=kind == "tar.gz")
    damaged = bytearray(clean)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(damaged)))
    with tempfile.TemporaryDirectory() as tmp:
        pkg = stage_bytes(Path(tmp), f"p.{kind}", bytes(damaged[:cut]))
        if pkg.ok:  # whatever was accepted is byte-exact
            for key, digest in pkg.files.items():
                assert (pkg.root / key).stat().st_size == digest.size


@given(st.text(max_size=60))
def test_check_name_accepts_only_contained_relative_paths(name: str) -> None:
    rel, findings = check_name(name, UnpackLimits())
    if rel is not None:
        base = "/base"
        assert os.path.normpath(os.path.join(base, rel)).startswith(base + "/")
        assert not rel.startswith("/") and ".." not in rel.split("/") and "\\" not in rel and "\x00" not in rel
    else:
        assert findings


@given(st.text())
def test_decode_name_round_trips_utf8(name: str) -> None:
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates are not text a package can hold
        return
    assert decode_name(raw) == (name, [])


@given(st.binary(max_size=40))
def test_decode_name_never_raises(raw: bytes) -> None:
    name, findings = decode_name(raw)
    assert (name is None) == any(f.code == C.NAME_ENCODING for f in findings)


def test_source_file_vanishing_mid_copy_is_a_finding_but_our_failures_raise(tmp_path: Path) -> None:
    from ingest.unpack import _digest_entries, _digest_job, _Walker, _Writer

    source, dest = tmp_path / "src", tmp_path / "dest"
    make_tree(source, bag_files())
    dest.mkdir()
    walker = _Walker(UnpackLimits())
    walker.run(os.fspath(source))
    (source / "data" / "a.txt").unlink()  # the sender's system removes a file after the walk
    files, findings = _digest_entries(walker.entries, _Writer(dest), ["sha256"], 2)
    assert [(f.code, f.location) for f in findings] == [(C.READ_ERROR, "data/a.txt")]
    assert "bagit.txt" in files
    with pytest.raises(FileNotFoundError):  # our side: the staging folder is gone
        _digest_job(("bagit.txt", os.fspath(source / "bagit.txt"), os.fspath(tmp_path / "gone" / "x")), ["sha256"])
