"""Staging well-formed packages: one read, digests equal hashlib's, the right bag root."""
from __future__ import annotations

import gzip
import hashlib
import os
import stat
import sys
import time
from pathlib import Path

import pytest

from findings import Lang, all_codes, get_code
from fixity.digest import UnsupportedAlgorithm, available
from ingest import unpack_codes as C
from ingest.limits import UnpackLimits
from ingest.unpack import BAG_DIR, StagedPackage, detect_kind, list_names, stage
sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
from test_unpack_support import (RawMember, bag_files, build_zip, make_tree, snapshot, staged_files,
                                 tar_of, zip_of)

ALGS = ["sha256", "sha512"] + (["sm3"] if available("sm3") else [])


def codes(pkg: StagedPackage) -> list[str]:
    return [f.code for f in pkg.findings]


def write_package(tmp_path: Path, kind: str, files: dict[str, bytes]) -> Path:
    if kind == "directory":
        make_tree(tmp_path / "src", files)
        return tmp_path / "src"
    builders = {"zip": zip_of, "tar": tar_of, "tar.gz": lambda f: tar_of(f, compressed=True)}
    path = tmp_path / f"package.{kind}"
    path.write_bytes(builders[kind](files))
    return path


@pytest.mark.parametrize("kind", ["directory", "zip", "tar", "tar.gz"])
@pytest.mark.parametrize("prefix", ["", "卷宗-2024-001/"])
def test_stage_each_kind_digests_equal_hashlib(tmp_path: Path, kind: str, prefix: str) -> None:
    files = bag_files(prefix)
    source = write_package(tmp_path, kind, files)
    pkg = stage(source, tmp_path / "dest", ALGS)
    assert pkg.ok, pkg.findings
    assert pkg.kind == kind and not pkg.in_place
    top = tmp_path / "dest" / BAG_DIR
    assert pkg.root == (top / prefix.rstrip("/") if prefix else top)
    assert sorted(pkg.files) == sorted(k[len(prefix):] for k in files)
    for name, data in files.items():
        key = name[len(prefix):]
        digest = pkg.files[key]
        assert digest.key == key and digest.size == len(data)
        assert digest.digests == {a: hashlib.new(a, data).hexdigest() for a in ALGS}
        assert (pkg.root / key).read_bytes() == data


@pytest.mark.parametrize("kind", ["zip", "tar", "tar.gz"])
def test_container_digest_and_size(tmp_path: Path, kind: str) -> None:
    source = write_package(tmp_path, kind, bag_files())
    pkg = stage(source, tmp_path / "dest", ["sha256"])
    raw = source.read_bytes()
    assert pkg.container_sha256 == hashlib.sha256(raw).hexdigest()
    assert pkg.container_size == len(raw)


def test_staged_modes_are_ours_not_the_packages(tmp_path: Path) -> None:
    odd = RawMember(b"data/a.txt", b"x", external_attr=(stat.S_IFREG | 0o4777) << 16)
    members = [RawMember(b"bagit.txt", b"BagIt-Version: 1.0\n"), odd]
    (tmp_path / "p.zip").write_bytes(build_zip(members))
    old_umask = os.umask(0o077)
    try:
        pkg = stage(tmp_path / "p.zip", tmp_path / "dest", ["sha256"])
    finally:
        os.umask(old_umask)
    assert pkg.ok
    assert stat.S_IMODE(os.stat(pkg.root / "data/a.txt").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(pkg.root / "data").st_mode) == 0o755
    # the zip says 1980; the staged copy keeps no mtime from the package
    assert os.stat(pkg.root / "data/a.txt").st_mtime > time.time() - 3600


def test_directory_source_is_left_unchanged(tmp_path: Path) -> None:
    source = write_package(tmp_path, "directory", bag_files("bag/"))
    before = snapshot(source)
    pkg = stage(source, tmp_path / "dest", ALGS)
    assert pkg.ok
    assert snapshot(source) == before
    assert staged_files(tmp_path / "dest" / BAG_DIR) == {k: (source / k).read_bytes() for k in bag_files("bag/")}


def test_directory_in_place_writes_nothing(tmp_path: Path) -> None:
    source = write_package(tmp_path, "directory", bag_files())
    before = snapshot(tmp_path)
    pkg = stage(source, None, ["sha256"])
    assert pkg.ok and pkg.in_place and pkg.root == source
    assert snapshot(tmp_path) == before
    assert pkg.files["data/a.txt"].digests["sha256"] == hashlib.sha256(b"hello\n").hexdigest()


def test_archive_in_place_is_a_caller_error(tmp_path: Path) -> None:
    source = write_package(tmp_path, "zip", bag_files())
    with pytest.raises(ValueError):
        stage(source, None, ["sha256"])


def test_unknown_algorithm_is_a_caller_error(tmp_path: Path) -> None:
    source = write_package(tmp_path, "zip", bag_files())
    with pytest.raises(UnsupportedAlgorithm):
        stage(source, tmp_path / "dest", ["crc32"])


def test_reused_staging_area_raises_oserror(tmp_path: Path) -> None:
    source = write_package(tmp_path, "zip", bag_files())
    (tmp_path / "dest" / BAG_DIR).mkdir(parents=True)
    with pytest.raises(FileExistsError):
        stage(source, tmp_path / "dest", ["sha256"])


def test_zero_byte_member_and_stored_method(tmp_path: Path) -> None:
    members = [RawMember(b"bagit.txt", b"BagIt-Version: 1.0\n", method=0), RawMember(b"data/empty.txt", b"")]
    (tmp_path / "p.zip").write_bytes(build_zip(members))
    pkg = stage(tmp_path / "p.zip", tmp_path / "dest", ["sha256"])
    assert pkg.ok
    assert pkg.files["data/empty.txt"].size == 0
    assert pkg.files["data/empty.txt"].digests["sha256"] == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "directory"])
def test_files_outside_the_bag_root_are_extra(tmp_path: Path, kind: str) -> None:
    files = {**bag_files("mybag/"), "readme.txt": b"x", "__MACOSX/mybag/._bagit.txt": b"y"}
    pkg = stage(write_package(tmp_path, kind, files), tmp_path / "dest", ["sha256"])
    extra = sorted(f.location for f in pkg.findings if f.code == C.EXTRA_FILE)
    assert extra == ["__MACOSX/mybag/._bagit.txt", "readme.txt"]
    assert pkg.root == tmp_path / "dest" / BAG_DIR / "mybag"
    assert "bagit.txt" in pkg.files and not pkg.ok


def test_no_bagit_and_two_bags(tmp_path: Path) -> None:
    pkg = stage(write_package(tmp_path, "zip", {"data/a.txt": b"x"}), tmp_path / "d1", ["sha256"])
    assert codes(pkg) == [C.NO_BAG_ROOT] and pkg.files
    two = {**bag_files("a/"), **bag_files("b/")}
    (tmp_path / "two.zip").write_bytes(zip_of(two))
    pkg = stage(tmp_path / "two.zip", tmp_path / "d2", ["sha256"])
    assert codes(pkg) == [C.BAG_ROOT_AMBIGUOUS]


@pytest.mark.parametrize("content,code", [
    (b"", C.EMPTY),
    (build_zip([]), C.EMPTY),
    (tar_of({}), C.EMPTY),
    (gzip.compress(tar_of({}), mtime=0), C.EMPTY),
    (b"just some text, not an archive\n", C.UNKNOWN_FORMAT),
    (gzip.compress(b"a gzip of text, not of a tar" * 40, mtime=0), C.UNKNOWN_FORMAT),
])
def test_empty_and_unknown_packages(tmp_path: Path, content: bytes, code: str) -> None:
    (tmp_path / "p.bin").write_bytes(content)
    pkg = stage(tmp_path / "p.bin", tmp_path / "dest", ["sha256"])
    assert codes(pkg) == [code] and pkg.root is None and not pkg.files and not pkg.ok


def test_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "src" / "sub").mkdir(parents=True)
    pkg = stage(tmp_path / "src", None, ["sha256"])
    assert codes(pkg) == [C.EMPTY]


def test_detect_kind_reads_content_not_extension(tmp_path: Path) -> None:
    samples = {"a.dat": zip_of(bag_files()), "b.bin": tar_of(bag_files(), compressed=True),
               "c.zip": tar_of(bag_files()), "d.zip": b"not a zip at all", "e.tar.gz": gzip.compress(b"x" * 600, mtime=0)}
    for name, data in samples.items():
        (tmp_path / name).write_bytes(data)
    kinds = {name: detect_kind(tmp_path / name) for name in samples}
    assert kinds == {"a.dat": "zip", "b.bin": "tar.gz", "c.zip": "tar", "d.zip": None, "e.tar.gz": None}
    assert detect_kind(tmp_path) == "directory"
    assert detect_kind(tmp_path / "missing") is None


@pytest.mark.parametrize("kind", ["directory", "zip", "tar", "tar.gz"])
def test_list_names(tmp_path: Path, kind: str) -> None:
    files = bag_files("bag/")
    source = write_package(tmp_path, kind, files)
    assert sorted(list_names(source, kind)) == sorted(files)


def test_list_names_of_damaged_archives_never_raises(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(zip_of(bag_files())[:50])
    (tmp_path / "bad.tgz").write_bytes(tar_of(bag_files(), compressed=True)[:60])
    assert list_names(tmp_path / "bad.zip", "zip") == []
    assert list_names(tmp_path / "bad.tgz", "tar.gz") == []
    assert list_names(tmp_path / "missing.zip", "zip") == []


def test_limits_from_mapping() -> None:
    limits = UnpackLimits.from_mapping({"max_files": 10, "max_ratio": 50})
    assert limits.max_files == 10 and limits.max_ratio == 50 and limits.max_depth == 32
    assert UnpackLimits() == UnpackLimits.from_mapping({})
    with pytest.raises(ValueError, match="max_filez"):
        UnpackLimits.from_mapping({"max_filez": 10})
    for bad in (0, -1, "10", 1.5, True):
        with pytest.raises(ValueError):
            UnpackLimits.from_mapping({"max_files": bad})


def test_every_pkg_code_is_bilingual_and_renders() -> None:
    pkg_codes = [c for c in all_codes() if c.code.startswith("PKG-")]
    assert len(pkg_codes) >= 30
    for code in pkg_codes:
        assert code.clause and code.en and code.zh and code.hint_en and code.hint_zh
        assert "{location}" in code.en and "{location}" in code.zh
    from findings import Finding
    for code in pkg_codes:
        f = Finding(code.code, location="data/a.pdf", expected="1", found="2")
        assert f.message(Lang.ZH) != f.message(Lang.EN)
        assert "{" not in f.message(Lang.EN) + f.message(Lang.ZH) + f.hint(Lang.EN)
    assert get_code(C.NAME_GB18030).severity.value == "warning"
