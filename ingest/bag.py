"""A complete RFC 8493 BagIt validator (BagIt 1.0 and 0.97) that returns coded findings.

Checks run cheap → expensive and every problem is collected: the bag
declaration (§2.1.1), bag-info.txt (§2.2.2), manifests present (§2.1.3,
§2.2.1), data/ (§2.1.2), fetch.txt (§2.2.3: every ``URL LENGTH FILENAME``
line; nothing is ever fetched, so an entry is fine only when its file is
already in data/), then completeness (§3: every payload file in every payload
manifest, every entry present, tag manifests), Payload-Oxum, file-name
hazards (§5, §6.2), and last the checksums (§3).  Whether fetch.txt is
allowed at all is a profile's decision (Allow-Fetch.txt), not RFC 8493's.

Digests computed while the package was staged are reused; whatever is still
missing is computed with :func:`fixity.digest.digest_many`, reading each file
once for all its missing algorithms.  Links and special files are never
followed or read.
"""
from __future__ import annotations

import codecs
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

import ingest.bag_codes  # noqa: F401 — registers BAG-/PRF- codes
from findings import Finding, has_errors
from fixity.digest import SUPPORTED, FileDigest, available, digest_many, new_hash
from fixity.manifest import (decode_path, decode_text, is_tag_manifest, manifest_algorithm, parse_manifest,
                             path_problem, split_lines)
from fixity.tagfile import parse_tag_file

#: BagIt versions this validator implements, as bagit.txt spells them.
SUPPORTED_VERSIONS = ("0.97", "1.0")
#: Tag files larger than this are refused instead of read into memory (RFC 8493 §5.3).
TAG_FILE_LIMIT = 256 << 20
WEAK_ALGORITHMS = frozenset({"md5", "sha1"})
_DECLARATION = (re.compile(r"^BagIt-Version: [0-9]+\.[0-9]+$"),
                re.compile(r"^Tag-File-Character-Encoding: [^ \t].*$"))
#: BagIt 0.97 allowed optional whitespace around the colon; readers of 0.97 bags accept it (RFC 8493 §2.2.2).
_DECLARATION_097 = (re.compile(r"^BagIt-Version[ \t]*:[ \t]*[0-9]+\.[0-9]+[ \t]*$"),
                    re.compile(r"^Tag-File-Character-Encoding[ \t]*:[ \t]*[^ \t].*$"))
_MANIFEST_ENTRY = re.compile(r"^([ \t]*[^ \t#][^ \t]*[ \t]+)(.+)$", re.DOTALL)
_FETCH_ENTRY = re.compile(r"^([^ \t]+)[ \t]+([^ \t]+)[ \t]+(.+)$")
#: An absolute URI (RFC 3986 §4.3): scheme ":" and only characters a URI may contain.
_ABSOLUTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")
_FETCH_LENGTH = re.compile(r"^(?:[0-9]+|-)$")
_VERSION = re.compile(r"^([0-9]+)\.([0-9]+)$")
_OXUM = re.compile(r"^([0-9]+)\.([0-9]+)$")
_RESERVED_FORMATS = {
    "bagging-date": (re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), "YYYY-MM-DD"),
    "bag-count": (re.compile(r"^[0-9]+ of ([0-9]+|\?)$", re.IGNORECASE), "'n of N' or 'n of ?'"),
    "bag-size": (re.compile(r"^([0-9]+(\.[0-9]+)?|\.[0-9]+) ?[A-Za-z]+$"), "a size with a unit, e.g. 42.6 GB"),
}


@dataclass(frozen=True)
class BagReport:
    """The outcome of validating one bag; ``digests`` can be reused by the caller."""

    root: Path
    findings: tuple[Finding, ...]
    version: str | None = None
    encoding: str | None = None
    bag_info: tuple[tuple[str, str], ...] = ()
    payload_manifests: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tag_manifests: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    payload_files: Mapping[str, int] = field(default_factory=dict)
    tag_files: Mapping[str, int] = field(default_factory=dict)
    fetch_entries: int = 0
    digests: Mapping[str, FileDigest] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no finding is an error."""
        return not has_errors(self.findings)


def manifest_algorithms(root: Path) -> set[str]:
    """Algorithms named by the manifest and tag manifest file names in ``root`` (no reads)."""
    try:
        names = os.listdir(root)
    except OSError:
        return set()
    return {alg for name in names if (alg := manifest_algorithm(name))}


def _display(name: str) -> str:
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "named pipe"), (stat.S_ISSOCK, "socket"),
             (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"))
    return next((name for test, name in kinds if test(mode)), "special file")


def _nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


class _Inventory:
    """Every entry under the root, found without following any link."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, int] = {}
        self.dirs: set[str] = set()
        self.empty_dirs: list[str] = []
        self.findings: list[Finding] = []
        stack = [(str(root), "")]
        while stack:
            self._scan_dir(stack, *stack.pop())

    def _scan_dir(self, stack: list[tuple[str, str]], path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.findings.append(Finding("BAG-FILE-UNREADABLE", prefix or ".", found=exc.strerror or str(exc)))
            return
        if not entries and prefix.startswith("data/") and prefix != "data/":
            self.empty_dirs.append(prefix.rstrip("/"))
        for entry in entries:
            self._entry(stack, entry, prefix + entry.name)

    def _entry(self, stack: list[tuple[str, str]], entry: os.DirEntry[str], rel: str) -> None:
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            self.findings.append(Finding("BAG-PATH-NOT-UTF8", _display(rel)))
            return
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.findings.append(Finding("BAG-FILE-UNREADABLE", rel, found=exc.strerror or str(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            self.dirs.add(rel)
            stack.append((entry.path, rel + "/"))
        elif stat.S_ISREG(info.st_mode):
            self.files[rel] = info.st_size
        else:
            kind = "symbolic link" if stat.S_ISLNK(info.st_mode) else _kind(info.st_mode)
            self.findings.append(Finding("BAG-SPECIAL-FILE", rel, found=kind))


class _Validation:
    """State shared by the steps of one validation."""

    def __init__(self, root: Path, given: Mapping[str, FileDigest]) -> None:
        self.root = root
        self.inv = _Inventory(root)
        self.findings: list[Finding] = list(self.inv.findings)
        self.version: str | None = None
        self.rules: tuple[int, int] = (1, 0)
        self.encoding = "utf-8"
        self.declared_encoding: str | None = None
        self.bag_info: list[tuple[str, str]] = []
        self.payload_manifests: dict[str, dict[str, str]] = {}
        self.tag_manifests: dict[str, dict[str, str]] = {}
        self.fetch_entries = 0
        self.checks: list[tuple[str, str, str, str]] = []  # disk path, algorithm, expected, manifest
        self.known = self._reusable(given)
        self.tag_algorithms = [a for a in sorted(manifest_algorithms(root)) if _verifiable(a)]
        self.nfc_index = self._nfc_index()
        self.renamed: set[str] = set()

    # -- helpers -------------------------------------------------------
    def add(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def _reusable(self, given: Mapping[str, FileDigest]) -> dict[str, dict[str, str]]:
        """Staged digests whose size still matches the file on disk."""
        return {key: dict(d.digests) for key, d in given.items()
                if d.error is None and self.inv.files.get(key) == d.size}

    def _nfc_index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for path in sorted(self.inv.files):
            other = index.setdefault(_nfc(path), path)
            if other != path:
                self.findings.append(Finding("BAG-NORMALIZATION-CONFLICT", other, found=path))
        return index

    def read_tag(self, rel: str) -> bytes | None:
        """Read a tag file once; hash it for the tag manifests from the same bytes."""
        size = self.inv.files[rel]
        if size > TAG_FILE_LIMIT:
            self.findings.append(Finding("BAG-TAGFILE-TOO-LARGE", rel, expected=str(TAG_FILE_LIMIT), found=str(size)))
            return None
        try:
            fd = os.open(self.root / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            self.findings.append(Finding("BAG-FILE-UNREADABLE", rel, found=exc.strerror or str(exc)))
            return None
        self._hash_bytes(rel, data)
        return data

    def _hash_bytes(self, rel: str, data: bytes) -> None:
        known = self.known.setdefault(rel, {})
        for alg in self.tag_algorithms:
            if alg not in known:
                known[alg] = _hash(alg, data)

    def resolve(self, path: str, manifest: str) -> str | None:
        """The file on disk a manifest path names, allowing a Unicode normalisation difference."""
        if path in self.inv.files:
            return path
        disk = self.nfc_index.get(_nfc(path))
        if disk is not None and path not in self.renamed:
            self.renamed.add(path)
            self.findings.append(Finding("BAG-NORMALIZATION-DIFFERS", disk, expected=path, found=disk,
                                         params={"manifest": manifest}))
        return disk

    def tag_file_names(self) -> list[str]:
        return sorted(p for p in self.inv.files if not p.startswith("data/"))


def _verifiable(algorithm: str) -> bool:
    return algorithm in SUPPORTED and available(algorithm)


def _hash(algorithm: str, data: bytes) -> str:
    h = new_hash(algorithm)
    h.update(data)
    return h.hexdigest()


# -- structure: bagit.txt (§2.1.1) -----------------------------------------
def _declaration(v: _Validation) -> None:
    if "bagit.txt" not in v.inv.files:
        v.add([Finding("BAG-DECLARATION-MISSING", v.root.name or str(v.root))])
        return
    data = v.read_tag("bagit.txt")
    if data is None:
        return
    items, findings = parse_tag_file(data, "bagit.txt", declaration=True)
    values = dict(items)
    _version(v, values.get("BagIt-Version"))
    v.add(_legacy_label_whitespace(v, findings))
    _declaration_lines(v, data)
    _encoding(v, values.get("Tag-File-Character-Encoding"))


def _legacy_label_whitespace(v: _Validation, findings: list[Finding]) -> list[Finding]:
    """BagIt 0.97 allowed whitespace around the colon; RFC 8493 §2.2.2 forbids it from 1.0 only."""
    if v.rules >= (1, 0):
        return findings
    return [f for f in findings if f.code != "BAG-TAGFILE-LABEL-WHITESPACE"]


def _declaration_lines(v: _Validation, data: bytes) -> None:
    text, _ = decode_text(data, "bagit.txt")
    lines = [line for line in split_lines(text) if line.strip(" \t")]
    patterns = _DECLARATION if v.rules >= (1, 0) else _DECLARATION_097
    ok = len(lines) == 2 and all(rx.match(line) for rx, line in zip(patterns, lines))
    if not ok:
        v.add([Finding("BAG-DECLARATION-FORMAT", "bagit.txt",
                       expected="'BagIt-Version: M.N' then 'Tag-File-Character-Encoding: ENCODING'",
                       found=" | ".join(line[:80] for line in lines[:3]) or "(empty)")])


def _version(v: _Validation, value: str | None) -> None:
    match = _VERSION.match(value or "")
    if not match:
        return  # already a BAG-DECLARATION-FORMAT finding
    v.version = value
    number = (int(match.group(1)), int(match.group(2)))
    v.rules = (1, 0) if number >= (1, 0) else (0, 97)
    if value not in SUPPORTED_VERSIONS:
        v.add([Finding("BAG-VERSION-UNSUPPORTED", "bagit.txt", expected=", ".join(SUPPORTED_VERSIONS),
                       found=value)])


def _encoding(v: _Validation, value: str | None) -> None:
    if not value:
        return
    v.declared_encoding = value
    try:
        name = codecs.lookup(value).name
    except LookupError:
        v.add([Finding("BAG-ENCODING-UNSUPPORTED", "bagit.txt", found=value)])
        return
    v.encoding = value
    if name != "utf-8":
        v.add([Finding("BAG-ENCODING-NOT-UTF8", "bagit.txt", found=value)])


# -- structure: bag-info.txt (§2.2.2) --------------------------------------
def _bag_info(v: _Validation) -> None:
    if "bag-info.txt" not in v.inv.files:
        return  # optional in RFC 8493; profiles decide
    data = v.read_tag("bag-info.txt")
    if data is None:
        return
    v.bag_info, findings = parse_tag_file(data, "bag-info.txt", encoding=v.encoding)
    v.add(_legacy_label_whitespace(v, findings))
    for label, value in v.bag_info:
        rule = _RESERVED_FORMATS.get(label.lower())
        if rule and not (rule[0].match(value) and _real_date(label, value)):
            v.add([Finding("BAG-INFO-FORMAT", "bag-info.txt", expected=rule[1], found=value,
                           params={"label": label})])
    _oxum_format(v)


def _real_date(label: str, value: str) -> bool:
    if label.lower() != "bagging-date":
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _oxum_values(v: _Validation) -> list[str]:
    return [value for label, value in v.bag_info if label.lower() == "payload-oxum"]


def _oxum_format(v: _Validation) -> None:
    values = _oxum_values(v)
    if len(values) > 1:
        v.add([Finding("BAG-INFO-OXUM-REPEATED", "bag-info.txt", expected="1", found=str(len(values)))])
    for value in values:
        if not _OXUM.match(value):
            v.add([Finding("BAG-INFO-OXUM-MALFORMED", "bag-info.txt", expected="OctetCount.StreamCount",
                           found=value)])


# -- structure: manifests, data/, fetch.txt --------------------------------
def _manifests(v: _Validation) -> None:
    for name in sorted(p for p in v.inv.files if "/" not in p):
        alg = manifest_algorithm(name)
        if alg is None:
            continue
        if not _verifiable(alg):
            v.add([Finding("BAG-MANIFEST-ALGORITHM-UNSUPPORTED", name, found=alg,
                           expected=", ".join(a for a in SUPPORTED if available(a)))])
        data = v.read_tag(name)
        if data is None:
            continue
        entries, findings = _parse_manifest(v, data, name, alg)
        v.add(findings)
        (v.tag_manifests if is_tag_manifest(name) else v.payload_manifests)[alg] = entries
    _manifest_coverage(v)


def _parse_manifest(v: _Validation, data: bytes, name: str, alg: str) -> tuple[dict[str, str], list[Finding]]:
    """Parse a manifest after undoing two legacy path forms, each with a warning.

    md5sum's binary-mode ``*`` and a leading ``./`` name a file inside the bag,
    so refusing them would refuse valid bags (bagit.py reads both); they still
    fail strict validation, hence the warnings.  Anything else unsafe
    (``./../x``, ``/x``) is left to the parser, which refuses it.
    """
    text, findings = decode_text(data, name, v.encoding)
    lines = split_lines(text)
    for number, line in enumerate(lines, start=1):
        match = _MANIFEST_ENTRY.match(line)
        if match:
            lines[number - 1] = match.group(1) + _legacy_path(v, name, number, match.group(2), findings)
    entries, more = parse_manifest("\n".join(lines).encode("utf-8"), name, v.rules, encoding="utf-8", algorithm=alg)
    return entries, findings + more


def _legacy_path(v: _Validation, name: str, number: int, raw: str, findings: list[Finding]) -> str:
    path = raw
    # From 1.0 on a file may really be called "*x"; only a name that is not there loses its star.
    if path.startswith("*") and len(path) > 1 and (v.rules < (1, 0) or decode_path(path, v.rules) not in v.inv.files):
        path = path[1:]
        findings.append(Finding("BAG-MANIFEST-BINARY-MARKER", name, params={"line": number, "path": path}))
    if path.startswith("./"):
        stripped = path
        while stripped.startswith("./"):
            stripped = stripped[2:]
        findings.append(Finding("BAG-MANIFEST-PATH-DOT-SLASH", name, found=path,
                                params={"line": number, "path": stripped}))
        path = stripped
    return path


def _manifest_coverage(v: _Validation) -> None:
    payload_names = [n for n in v.inv.files if "/" not in n and manifest_algorithm(n) and not is_tag_manifest(n)]
    if not payload_names:
        v.add([Finding("BAG-MANIFEST-MISSING", ".")])
        return
    strong = [a for a in v.payload_manifests if _verifiable(a)]
    if not strong:
        v.add([Finding("BAG-MANIFEST-NONE-VERIFIABLE", ".")])
    elif all(a in WEAK_ALGORITHMS for a in strong):
        v.add([Finding("BAG-ALGORITHM-WEAK", ".", found=", ".join(sorted(strong)))])
    if not any(is_tag_manifest(n) for n in v.inv.files if "/" not in n):
        v.add([Finding("BAG-TAGMANIFEST-MISSING", ".")])


def _payload_dir(v: _Validation) -> None:
    if "data" not in v.inv.dirs:
        v.add([Finding("BAG-PAYLOAD-DIR-MISSING", "data/")])
    for path in v.inv.empty_dirs:
        v.add([Finding("BAG-EMPTY-DIRECTORY", path + "/")])


def _fetch(v: _Validation) -> None:
    if "fetch.txt" not in v.inv.files:
        return
    data = v.read_tag("fetch.txt")
    if data is None:
        return
    text, findings = decode_text(data, "fetch.txt", v.encoding)
    v.add(findings)
    missing = 0
    listed = {alg: {_nfc(p) for p in entries} for alg, entries in sorted(v.payload_manifests.items())}
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip(" \t"):
            continue
        v.fetch_entries += 1
        path = _fetch_entry(v, number, line, listed)
        if path is not None and _nfc(path) not in v.nfc_index:
            missing += 1
    if missing:
        # casearchive never downloads: an entry whose file is already in data/ is harmless.
        v.add([Finding("BAG-FETCH-PRESENT", "fetch.txt", expected="0", found=str(missing))])


def _fetch_entry(v: _Validation, number: int, line: str, listed: Mapping[str, set[str]]) -> str | None:
    """Check one ``URL LENGTH FILENAME`` line (RFC 8493 §2.2.3); the payload path, or None."""
    where = {"line": number}
    match = _FETCH_ENTRY.match(line.strip(" \t"))
    if not match:
        v.add([Finding("BAG-FETCH-LINE-MALFORMED", "fetch.txt", found=line[:200], params=where)])
        return None
    url, length, raw = match.groups()
    if not _ABSOLUTE_URL.match(url):
        v.add([Finding("BAG-FETCH-URL-INVALID", "fetch.txt", found=url[:200], params=where)])
    if not _FETCH_LENGTH.match(length):
        v.add([Finding("BAG-FETCH-LENGTH-INVALID", "fetch.txt", found=length[:50], params=where)])
    # 0.97 had no percent-encoding; decode_path would also drop a leading "*", which fetch.txt never had.
    path = decode_path(raw, v.rules) if v.rules >= (1, 0) else raw
    problem = path_problem(path)
    if problem:
        v.add([Finding("BAG-FETCH-PATH-UNSAFE", "fetch.txt", found=path[:200], params={**where, "reason": problem})])
        return None
    if not path.startswith("data/"):
        v.add([Finding("BAG-FETCH-OUTSIDE-PAYLOAD", "fetch.txt", found=path[:200], params=where)])
        return None
    for alg, names in listed.items():
        if _nfc(path) not in names:
            v.add([Finding("BAG-FETCH-NOT-IN-MANIFEST", path, params={"manifest": f"manifest-{alg}.txt"})])
    return path


# -- completeness (§3, §2.1.3, §2.2.1) -------------------------------------
def _payload_completeness(v: _Validation) -> None:
    payload = [p for p in v.inv.files if p.startswith("data/")]
    for alg, entries in sorted(v.payload_manifests.items()):
        name = f"manifest-{alg}.txt"
        listed: set[str] = set()
        for path, digest in sorted(entries.items()):
            disk = _payload_entry(v, name, path)
            if disk is not None:
                listed.add(disk)
                v.checks.append((disk, alg, digest, name))
        for path in sorted(set(payload) - listed):
            v.add([Finding("BAG-PAYLOAD-NOT-IN-MANIFEST", path, params={"manifest": name})])


def _payload_entry(v: _Validation, name: str, path: str) -> str | None:
    if not path.startswith("data/"):
        v.add([Finding("BAG-MANIFEST-OUTSIDE-PAYLOAD", path, params={"manifest": name})])
        return None
    disk = v.resolve(path, name)
    if disk is None:
        v.add([Finding("BAG-MANIFEST-FILE-MISSING", path, params={"manifest": name})])
    return disk


def _tag_entry(v: _Validation, name: str, path: str) -> str | None:
    if path.startswith("data/"):
        v.add([Finding("BAG-TAGMANIFEST-LISTS-PAYLOAD", path, params={"manifest": name})])
        return None
    if is_tag_manifest(path):
        v.add([Finding("BAG-TAGMANIFEST-LISTS-TAGMANIFEST", path, params={"manifest": name})])
        return None
    disk = v.resolve(path, name)
    if disk is None:
        v.add([Finding("BAG-TAGMANIFEST-FILE-MISSING", path, params={"manifest": name})])
    return disk


def _tag_completeness(v: _Validation) -> None:
    for alg, entries in sorted(v.tag_manifests.items()):
        name = f"tagmanifest-{alg}.txt"
        listed: set[str] = set()
        for path, digest in sorted(entries.items()):
            disk = _tag_entry(v, name, path)
            if disk is not None:
                listed.add(disk)
                v.checks.append((disk, alg, digest, name))
        _unlisted_tag_files(v, name, listed)


def _unlisted_tag_files(v: _Validation, name: str, listed: set[str]) -> None:
    for path in v.tag_file_names():
        if path in listed or is_tag_manifest(path) or path.endswith(".p7s"):
            continue
        alg = manifest_algorithm(path)
        code = "BAG-TAGMANIFEST-MANIFEST-UNLISTED" if alg and "/" not in path else "BAG-TAGFILE-UNLISTED"
        v.add([Finding(code, path, params={"manifest": name})])


def _oxum(v: _Validation) -> None:
    values = _oxum_values(v)
    if not values or not _OXUM.match(values[0]):
        return
    sizes = [size for path, size in v.inv.files.items() if path.startswith("data/")]
    found = f"{sum(sizes)}.{len(sizes)}"
    expected = ".".join(str(int(x)) for x in values[0].split("."))
    if found != expected:
        v.add([Finding("BAG-OXUM-MISMATCH", "bag-info.txt", expected=values[0], found=found)])


def _case_collisions(v: _Validation) -> None:
    seen: dict[str, str] = {}
    for path in sorted(v.inv.files):
        key = _nfc(path).casefold()
        other = seen.setdefault(key, path)
        if other != path and _nfc(other) != _nfc(path):
            v.add([Finding("BAG-CASE-COLLISION", other, found=path)])


# -- checksums (§3) --------------------------------------------------------
def _checksums(v: _Validation) -> None:
    _compute_missing(v)
    for disk, alg, expected, manifest in v.checks:
        found = v.known.get(disk, {}).get(alg)
        if found is not None and found != expected:
            v.add([Finding("BAG-CHECKSUM-MISMATCH", disk, expected=expected, found=found,
                           params={"algorithm": alg, "manifest": manifest})])


def _compute_missing(v: _Validation) -> None:
    """Digest each file once for all of its algorithms not known yet."""
    wanted: dict[str, set[str]] = {}
    for disk, alg, _, _ in v.checks:
        if _verifiable(alg) and alg not in v.known.get(disk, {}):
            wanted.setdefault(disk, set()).add(alg)
    groups: dict[tuple[str, ...], list[str]] = {}
    for disk, algs in wanted.items():
        groups.setdefault(tuple(sorted(algs)), []).append(disk)
    for alg_key, paths in groups.items():
        jobs = [(p, v.root / p, None) for p in sorted(paths)]
        for result in digest_many(jobs, alg_key, fsync=False):
            _record(v, result)


def _record(v: _Validation, result: FileDigest) -> None:
    if result.error is not None:
        v.add([Finding("BAG-FILE-UNREADABLE", result.key, found=result.error)])
        return
    v.known.setdefault(result.key, {}).update(result.digests)


def _frozen(mapping: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: MappingProxyType(dict(m)) for k, m in mapping.items()})


def _report(v: _Validation) -> BagReport:
    files = v.inv.files
    digests = {p: FileDigest(p, size, MappingProxyType(dict(v.known.get(p, {})))) for p, size in files.items()}
    return BagReport(
        root=v.root, findings=tuple(v.findings), version=v.version, encoding=v.declared_encoding,
        bag_info=tuple(v.bag_info), payload_manifests=_frozen(v.payload_manifests),
        tag_manifests=_frozen(v.tag_manifests),
        payload_files=MappingProxyType({p: s for p, s in files.items() if p.startswith("data/")}),
        tag_files=MappingProxyType({p: s for p, s in files.items() if not p.startswith("data/")}),
        fetch_entries=v.fetch_entries, digests=MappingProxyType(digests))


def validate_bag(
    root: Path, digests: Mapping[str, FileDigest] | None = None, *, complete_only: bool = False,
) -> BagReport:
    """Validate the bag at ``root`` against RFC 8493 and return every finding.

    ``digests`` maps bag-relative POSIX paths to digests computed while
    staging; they are trusted when the size still matches.  With
    ``complete_only`` the checksums are not verified (RFC 8493 §3 "complete").
    Raises NotADirectoryError only when ``root`` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"not a bag directory: {root}")
    v = _Validation(root, digests or {})
    for step in (_declaration, _bag_info, _manifests, _payload_dir, _fetch,
                 _oxum, _payload_completeness, _tag_completeness, _case_collisions):
        step(v)
    if not complete_only:
        _checksums(v)
    return _report(v)
