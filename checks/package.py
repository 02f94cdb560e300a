"""PackageView adapters: a bag directory on disk (a staged SIP or an AIP copy).

Reading never follows a symbolic link: every path component is opened with
``O_NOFOLLOW`` relative to its parent, so a link planted in a package cannot
make a check read outside it.
"""
from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from checks.api import PackageFile
from fixity.manifest import manifest_algorithm, parse_manifest
from fixity.tagfile import parse_tag_file
from metadata.model import CaseFile
from metadata.xml import parse_casefile

METADATA_PATH = "data/metadata/casefile.xml"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class UnsafePath(ValueError):
    """A path that leaves the package or crosses a link."""


def _parts(path: str) -> list[str]:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise UnsafePath(f"unsafe package path {path!r}")
    return parts


def open_nofollow(root: Path, path: str) -> BinaryIO:
    """Open ``root/path`` for reading without following any link on the way."""
    parts = _parts(path)
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
        leaf = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
    finally:
        os.close(fd)
    if not stat.S_ISREG(os.fstat(leaf).st_mode):
        os.close(leaf)
        raise UnsafePath(f"{path} is not a regular file")
    return os.fdopen(leaf, "rb")


def walk(root: Path, top: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Every entry below ``root/top`` (relative POSIX path, lstat), links not followed."""
    stack = [top]
    while stack:
        rel = stack.pop()
        try:
            with os.scandir(root / rel if rel else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            st = entry.stat(follow_symlinks=False)
            yield path, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(path)


def read_manifests(root: Path, prefix: str = "", tag: bool = False) -> dict[str, dict[str, str]]:
    """``manifest-<alg>.txt`` (or tag manifests) under ``root/prefix`` → alg → path → digest."""
    out: dict[str, dict[str, str]] = {}
    base = root / prefix if prefix else root
    want = "tagmanifest-" if tag else "manifest-"
    for name in sorted(os.listdir(base)) if base.is_dir() else []:
        alg = manifest_algorithm(name)
        if alg is None or not name.startswith(want):
            continue
        try:
            with open_nofollow(root, f"{prefix}/{name}" if prefix else name) as fh:
                entries, _ = parse_manifest(fh.read(), name, (1, 0))
        except (OSError, UnsafePath):
            continue
        out[alg] = {unicodedata.normalize("NFC", p): d for p, d in entries.items()}
    return out


@dataclass(frozen=True)
class DirectoryPackage:
    """A bag directory as a :class:`checks.api.PackageView`."""

    root: Path
    kind: str  # sip | aip
    identifier: str
    casefile_value: CaseFile | None = None
    bag_info_value: Mapping[str, str] = field(default_factory=dict)
    file_list: tuple[PackageFile, ...] = ()
    recorded_value: Mapping[str, Any] = field(default_factory=dict)

    @property
    def casefile(self) -> CaseFile | None:
        return self.casefile_value

    @property
    def bag_info(self) -> Mapping[str, str]:
        return self.bag_info_value

    @property
    def recorded(self) -> Mapping[str, Any]:
        return self.recorded_value

    def files(self) -> Iterable[PackageFile]:
        return self.file_list

    def open(self, path: str) -> BinaryIO:
        return open_nofollow(self.root, path)

    @classmethod
    def from_bag(cls, root: Path, kind: str, identifier: str | None = None, *,
                 casefile: CaseFile | None = None, recorded: Mapping[str, Any] | None = None) -> "DirectoryPackage":
        """Read bag-info.txt, the payload manifests and casefile.xml (if not given) from ``root``."""
        root = Path(root)
        info = _bag_info(root)
        if casefile is None:
            casefile = _casefile(root)
        ident = identifier or info.get("External-Identifier") or (casefile.case_number if casefile else root.name)
        return cls(root, kind, ident, casefile, info, payload_files(root), dict(recorded or {}))


def payload_files(root: Path) -> tuple[PackageFile, ...]:
    """Regular files under data/ with the digests the payload manifests record for them."""
    manifests = read_manifests(root)
    out = []
    for rel, st in walk(root, "data"):
        if stat.S_ISREG(st.st_mode):
            nfc = unicodedata.normalize("NFC", rel)
            digests = {alg: m[nfc] for alg, m in manifests.items() if nfc in m}
            out.append(PackageFile(rel, st.st_size, digests))
    return tuple(sorted(out, key=lambda f: f.path))


def _bag_info(root: Path) -> dict[str, str]:
    try:
        with open_nofollow(root, "bag-info.txt") as fh:
            pairs, _ = parse_tag_file(fh.read(), "bag-info.txt")
    except (OSError, UnsafePath):
        return {}
    out: dict[str, str] = {}
    for label, value in pairs:
        out.setdefault(label, value)
    return out


def _casefile(root: Path) -> CaseFile | None:
    try:
        with open_nofollow(root, METADATA_PATH) as fh:
            data = fh.read()
    except (OSError, UnsafePath):
        return None
    casefile, _ = parse_casefile(data, METADATA_PATH)
    return casefile


@dataclass(frozen=True)
class FileSubset:
    """A view restricted to the files handed out (stage ``use``): ``selection`` names them."""

    base: Any  # a PackageView
    selection: frozenset[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def files(self) -> Iterable[PackageFile]:
        return tuple(f for f in self.base.files() if f.path in self.selection)
