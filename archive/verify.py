"""Verify AIP copies: completeness, every digest, the signed tag manifests, exactness.

A copy is exactly what its manifests list (docs/aip.md): the payload manifests,
the tag manifests, and the tag manifests with their signatures.  Anything else in
the copy — an unlisted file anywhere, a symbolic link, a device file, FIFO or
socket, a regular file with more than one hard link (copies in different
locations are independent files) — is damage, and so is a copy directory that is
itself a link.  One ``os.scandir`` walk finds all of it, with the ``lstat`` data
the walk already has.

A signature that does not chain to a configured trust anchor ([signing] trusted)
is damage (VER-SIGNATURE-UNTRUSTED); one that cannot be confirmed either way
(VER-SIGNATURE-INDETERMINATE) never counts as intact: the copy is *unconfirmed*.

By default the fastest recorded algorithm (SHA-256) is checked; SM3 or all
algorithms on request.  All requested algorithms are computed in one read of
each file.  Many small files go to worker processes, large ones to threads
(hashlib releases the GIL), so both cores are busy either way.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

import archive.codes  # noqa: F401 — registers VER- codes
from archive.failpoints import hit
from cryptography import x509

from findings import Finding, findings_to_json, has_errors
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS, BatchDigests, FileDigest, digest_many
from fixity.manifest import parse_manifest
from fixity.sign_codes import SIG_UNTRUSTED_SIGNER
from fixity.signing import SIGNATURE_SUFFIX, verify_detached
from fixity.tagfile import parse_tag_file

if TYPE_CHECKING:
    from archive.archive import Archive

#: Above this many payload files, hashing goes to worker processes (per-file cost dominates).
MANY_FILES = 256
#: Errors that say how a copy is laid out on disk, not that its bytes are wrong: such a copy
#: can still be the source of a repair (which writes independent files).
LAYOUT_CODES = frozenset({"VER-HARD-LINK"})
#: Errors that say a signature could not be confirmed, not that anything is wrong.
UNCONFIRMED_CODES = frozenset({"VER-SIGNATURE-INDETERMINATE"})
CopyStatus = Literal["intact", "unconfirmed", "damaged"]


@dataclass(frozen=True)
class CopyVerdict:
    """The verdict on one copy of one AIP in one location."""

    aip_id: str
    location: str
    path: str
    algorithms: tuple[str, ...]
    findings: tuple[Finding, ...]
    files_checked: int = 0
    bytes_checked: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def status(self) -> CopyStatus:
        """``unconfirmed`` when the only errors are signatures that could not be confirmed."""
        errors = {f.code for f in self.findings if f.level.value == "error"}
        if not errors:
            return "intact"
        return "unconfirmed" if errors <= UNCONFIRMED_CODES else "damaged"

    @property
    def bytes_ok(self) -> bool:
        """Every byte verified; at most the layout is wrong (a hard link), so it may serve a repair."""
        return all(f.code in LAYOUT_CODES for f in self.findings if f.level.value == "error")

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"aip_id": self.aip_id, "location": self.location, "path": self.path, "ok": self.ok,
                "status": self.status,
                "algorithms": list(self.algorithms), "files_checked": self.files_checked,
                "bytes_checked": self.bytes_checked, "findings": findings_to_json(self.findings, lang)}


def resolve_algorithms(choice: str) -> tuple[str, ...]:
    """``sha256`` (default, fastest), ``sm3``, or ``all``."""
    if choice == "all":
        return AIP_ALGORITHMS
    if choice not in AIP_ALGORITHMS:
        raise ValueError(f"unknown algorithm {choice!r}; choose one of {', '.join(AIP_ALGORITHMS)} or all")
    return (choice,)


def verify_copy(aip_dir: Path, *, aip_id: str, location: str, algorithms: Sequence[str],
                trusted: Sequence[x509.Certificate], now: datetime, workers: int = 2,
                expected_tagmanifest_sha256: str | None = None) -> CopyVerdict:
    """Verify one AIP directory; never raises for damage, only reports it."""
    algs = tuple(algorithms)
    problem = _copy_root(aip_dir)
    if problem is not None:
        return CopyVerdict(aip_id, location, str(aip_dir), algs, (problem,))
    listing = _list_copy(aip_dir)
    findings: list[Finding] = list(listing.findings)
    on_disk = listing.payload
    # Many small files: worker processes start hashing now, while this thread checks the
    # signed tag manifests and parses the payload manifests (restic/borg-style overlap).
    pending = BatchDigests(aip_dir, on_disk, algs, workers) if len(on_disk) > MANY_FILES else None
    if pending is not None:
        hit("verify.hashing")  # crash tests: kill -9 while the hash workers run
    manifests: dict[str, dict[str, str]] = {}
    for alg in algs:
        manifests[alg] = _check_tags(aip_dir, alg, trusted, now, findings)
    if expected_tagmanifest_sha256:
        _check_catalogue(aip_dir, expected_tagmanifest_sha256, findings)
    digests = pending.results() if pending is not None else _digest_threads(aip_dir, on_disk, algs, workers)
    files, size = _check_payload(manifests, digests, findings, listing.not_regular)
    _check_unlisted(aip_dir, listing, findings)
    _check_oxum(aip_dir, digests, findings)
    return CopyVerdict(aip_id, location, str(aip_dir), algs, tuple(findings), files, size)


def verify_stored(archive: "Archive", aip_dir: Path, *, aip_id: str, location: str, algorithms: Sequence[str],
                  now: datetime, expected_tagmanifest_sha256: str | None) -> CopyVerdict:
    """verify_copy with the archive's trust anchors and worker count."""
    return verify_copy(aip_dir, aip_id=aip_id, location=location, algorithms=algorithms, trusted=archive.trusted,
                       now=now, workers=archive.config.ingest.workers,
                       expected_tagmanifest_sha256=expected_tagmanifest_sha256)


def _read(aip_dir: Path, rel: str, findings: list[Finding], manifest: str) -> bytes | None:
    try:
        with open(aip_dir / rel, "rb", opener=_nofollow) as fh:
            return fh.read()
    except OSError:
        findings.append(Finding("VER-FILE-MISSING", location=rel, params={"manifest": manifest}))
        return None


def _nofollow(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW)


def _manifest(aip_dir: Path, name: str, findings: list[Finding]) -> dict[str, str] | None:
    data = _read(aip_dir, name, findings, "bag")
    if data is None:
        return None
    entries, problems = parse_manifest(data, name, (1, 0))
    if has_errors(problems):
        findings.append(Finding("VER-MANIFEST-UNREADABLE", location=name,
                                params={"reason": "; ".join(p.code for p in problems)}))
    return entries


def _check_tags(aip_dir: Path, alg: str, trusted: Sequence[x509.Certificate], now: datetime,
                findings: list[Finding]) -> dict[str, str]:
    """Signature over tagmanifest-<alg>.txt, then every tag file it lists; returns the payload manifest."""
    tm_name = f"tagmanifest-{alg}.txt"
    tm_bytes = _read(aip_dir, tm_name, findings, "bag")
    sig = _read(aip_dir, tm_name + ".p7s", findings, "bag")
    if tm_bytes is not None and sig is not None:
        verdict = verify_detached(tm_bytes, sig, trusted=trusted, now=now, location=tm_name)
        if verdict.code == SIG_UNTRUSTED_SIGNER:
            findings.append(Finding("VER-SIGNATURE-UNTRUSTED", location=tm_name,
                                    found=next((f.found for f in verdict.findings if f.code == SIG_UNTRUSTED_SIGNER),
                                               verdict.signer), params={"reason": verdict.reason}))
        elif verdict.status == "invalid":
            findings.append(Finding("VER-SIGNATURE-INVALID", location=tm_name, params={"reason": verdict.reason}))
        elif verdict.status == "indeterminate":
            findings.append(Finding("VER-SIGNATURE-INDETERMINATE", location=tm_name, params={"reason": verdict.reason}))
    tag_entries = _manifest(aip_dir, tm_name, findings) or {}
    import hashlib

    for rel, digest in sorted(tag_entries.items()):
        data = _read(aip_dir, rel, findings, tm_name)
        if data is None:
            continue
        found = hashlib.new(alg, data).hexdigest()
        if found != digest:
            findings.append(Finding("VER-DIGEST-MISMATCH", location=rel, expected=digest, found=found,
                                    params={"algorithm": alg}))
    if f"manifest-{alg}.txt" not in tag_entries:
        findings.append(Finding("VER-ALGORITHM-UNAVAILABLE", location=f"manifest-{alg}.txt", params={"algorithm": alg}))
    return _manifest(aip_dir, f"manifest-{alg}.txt", findings) or {}


def _check_catalogue(aip_dir: Path, expected: str, findings: list[Finding]) -> None:
    import hashlib

    try:
        found = hashlib.sha256((aip_dir / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    except OSError:
        return  # already reported as missing
    if found != expected:
        findings.append(Finding("VER-CATALOGUE-MISMATCH", location="tagmanifest-sha256.txt",
                                expected=expected, found=found))


def _copy_root(aip_dir: Path) -> Finding | None:
    """The copy must be a real directory: a link to another copy is not a copy."""
    try:
        info = os.lstat(aip_dir)
    except FileNotFoundError:
        return Finding("VER-AIP-MISSING", location=str(aip_dir))
    except OSError as exc:
        return Finding("VER-COPY-NOT-DIRECTORY", location=str(aip_dir), found=exc.strerror or str(exc))
    if stat.S_ISDIR(info.st_mode):
        return None
    return Finding("VER-COPY-NOT-DIRECTORY", location=str(aip_dir), found=_describe(aip_dir, info.st_mode))


def _describe(path: Path | str, mode: int) -> str:
    if stat.S_ISLNK(mode):
        try:
            return f"symbolic link to {os.readlink(path)}"
        except OSError:
            return "symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "regular file" if stat.S_ISREG(mode) else "directory" if stat.S_ISDIR(mode) else "unknown file type"


@dataclass
class _Listing:
    """Every entry of one copy, from one walk that never follows a link."""

    payload: list[str] = field(default_factory=list)      # regular files under data/, to hash
    tags: list[str] = field(default_factory=list)         # regular files outside data/
    not_regular: set[str] = field(default_factory=set)    # links and special files (already reported)
    findings: list[Finding] = field(default_factory=list)


def _list_copy(aip_dir: Path) -> _Listing:
    out = _Listing()
    stack = [str(aip_dir)]
    root = str(aip_dir)
    while stack:
        current = stack.pop()
        try:
            it = os.scandir(current)
        except OSError as exc:
            rel = os.path.relpath(current, root).replace(os.sep, "/")
            out.findings.append(Finding("VER-FILE-MISSING", location=rel, params={"manifest": exc.strerror or "scan"}))
            continue
        with it:
            for entry in it:
                rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue  # vanished during the walk: the manifests report it if it was listed
                _classify(out, entry.path, rel, info, stack)
    out.payload.sort()
    out.tags.sort()
    return out


def _classify(out: _Listing, path: str, rel: str, info: os.stat_result, stack: list[str]) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        stack.append(path)
    elif stat.S_ISREG(mode):
        (out.payload if rel.startswith("data/") else out.tags).append(rel)
        if info.st_nlink > 1:
            out.findings.append(Finding("VER-HARD-LINK", location=rel, found=str(info.st_nlink)))
    else:
        out.not_regular.add(rel)
        code = "VER-SYMLINK" if stat.S_ISLNK(mode) else "VER-SPECIAL-FILE"
        out.findings.append(Finding(code, location=rel, found=_describe(path, mode)))


def _check_unlisted(aip_dir: Path, listing: _Listing, findings: list[Finding]) -> None:
    """Files outside data/ that no tag manifest lists (and are not a tag manifest or its signature)."""
    allowed: set[str] = set()
    readable = False
    for alg in AIP_ALGORITHMS:
        name = f"tagmanifest-{alg}.txt"
        allowed |= {name, name + SIGNATURE_SUFFIX}
        if name in listing.tags:
            try:
                data = (aip_dir / name).read_bytes()
            except OSError:
                continue
            entries, _problems = parse_manifest(data, name, (1, 0))
            allowed |= set(entries)
            readable = readable or bool(entries)
    if not readable:
        return  # no tag manifest to judge by; its absence is reported already
    for rel in listing.tags:
        if rel not in allowed:
            findings.append(Finding("VER-FILE-EXTRA", location=rel))


def _digest_threads(aip_dir: Path, rels: Sequence[str], algs: Sequence[str], workers: int) -> dict[str, FileDigest]:
    """Few (usually large) files: threads, since hashlib and read() release the GIL."""
    jobs = ((rel, aip_dir / rel, None) for rel in rels)
    return {r.key: r for r in digest_many(jobs, algs, workers=workers, mode="thread", fsync=False)}


def _check_payload(manifests: Mapping[str, Mapping[str, str]], digests: Mapping[str, FileDigest],
                   findings: list[Finding], not_regular: set[str]) -> tuple[int, int]:
    listed: set[str] = set()
    for alg, entries in manifests.items():
        listed |= set(entries)
        # A link or special file in a listed place is reported as such, not also as missing.
        for rel in sorted(set(entries) - set(digests) - not_regular):
            findings.append(Finding("VER-FILE-MISSING", location=rel, params={"manifest": f"manifest-{alg}.txt"}))
    for rel in sorted(set(digests) - listed):
        findings.append(Finding("VER-FILE-EXTRA", location=rel))
    present = sorted(listed & set(digests))
    for rel in present:
        result = digests[rel]
        if result.error:
            findings.append(Finding("VER-FILE-MISSING", location=rel, params={"manifest": result.error}))
            continue
        for alg, entries in manifests.items():
            expected = entries.get(rel)
            if expected is not None and expected != result.digests[alg]:
                findings.append(Finding("VER-DIGEST-MISMATCH", location=rel, expected=expected,
                                        found=result.digests[alg], params={"algorithm": alg}))
    return len(present), sum(max(digests[r].size, 0) for r in present)


def _check_oxum(aip_dir: Path, digests: Mapping[str, FileDigest], findings: list[Finding]) -> None:
    try:
        items, _problems = parse_tag_file((aip_dir / "bag-info.txt").read_bytes(), "bag-info.txt")
    except OSError:
        findings.append(Finding("VER-FILE-MISSING", location="bag-info.txt", params={"manifest": "bag"}))
        return
    declared = next((v for k, v in items if k == "Payload-Oxum"), None)
    found = f"{sum(max(d.size, 0) for d in digests.values())}.{len(digests)}"
    if declared is not None and declared.strip() != found:
        findings.append(Finding("VER-OXUM-MISMATCH", location="bag-info.txt", expected=declared, found=found))
