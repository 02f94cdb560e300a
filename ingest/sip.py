"""SIP validation, cheap → expensive, shared by ``validate`` and ``ingest``.

1. safe unpacking / staging (one read: copy + every needed digest)
2. BagIt validity (RFC 8493: structure, completeness, every checksum)
3. the SIP BagIt profile (schemas/sip-profile.json)
4. case metadata: XSD, then semantic rules
5. documents vs their declared digests

Every problem is a finding; nothing here raises for bad input.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

import ingest.codes  # noqa: F401 — registers SIP-/ING- codes
from findings import Finding, has_errors
from fixity.digest import AIP_ALGORITHMS, SUPPORTED, FileDigest, digest_file
from fixity.manifest import manifest_algorithm
from ingest.bag import BagReport, validate_bag
from ingest.limits import UnpackLimits
from ingest.profile import load_profile, validate_profile
from ingest.unpack import StagedPackage, detect_kind, list_names, stage
from metadata.model import CaseFile
from metadata.rules import check_casefile
from metadata.xml import parse_casefile

METADATA_PATH = "data/metadata/casefile.xml"


def nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)
LEVELS = ("bag", "sip")
_SERIALIZATION = {"zip": "application/zip", "tar": "application/x-tar", "tar.gz": "application/gzip"}


@dataclass(frozen=True)
class SipValidation:
    """The outcome of validating one package."""

    source: Path
    kind: str | None
    findings: tuple[Finding, ...]
    staged: StagedPackage | None = None
    bag: BagReport | None = None
    casefile: CaseFile | None = None
    digests: Mapping[str, FileDigest] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def bag_info(self, label: str) -> str | None:
        if self.bag is None:
            return None
        for key, value in self.bag.bag_info:
            if key.lower() == label.lower():
                return value
        return None


def needed_algorithms(source: Path, kind: str, extra: Sequence[str], limits: UnpackLimits = UnpackLimits()) -> list[str]:
    """The manifest algorithms the package names, plus ``extra``: all computed in one read."""
    names = list_names(source, kind, limits)
    algs = {alg for name in names if (alg := manifest_algorithm(name.rsplit("/", 1)[-1])) in SUPPORTED}
    return sorted(algs | set(extra))


def validate_sip(source: Path, dest: Path | None, *, level: str = "sip", today: date,
                 limits: UnpackLimits = UnpackLimits(), extra_algorithms: Sequence[str] = AIP_ALGORITHMS,
                 workers: int = 2) -> SipValidation:
    """Validate ``source``; stage it into ``dest`` (None: in place, directories only)."""
    kind = detect_kind(source)
    algorithms = needed_algorithms(source, kind, extra_algorithms) if kind else sorted(set(extra_algorithms))
    if kind not in (None, "directory") and dest is None:
        raise ValueError("an archive file needs a staging destination")
    staged = stage(source, dest, algorithms or ["sha256"], limits, workers=workers)
    kind = staged.kind if staged.kind != "unknown" else kind
    findings = list(staged.findings)
    if not staged.ok or staged.root is None:
        return SipValidation(source, kind, tuple(findings), staged)
    bag = validate_bag(staged.root, staged.files)
    findings += bag.findings
    if level == "bag":
        return SipValidation(source, kind, tuple(findings), staged, bag, digests=bag.digests)
    findings += validate_profile(bag, load_profile(), _SERIALIZATION.get(kind or ""))
    casefile, more = _check_metadata(staged.root, bag, today)
    findings += more
    return SipValidation(source, kind, tuple(findings), staged, bag, casefile, bag.digests)


def _check_metadata(root: Path, bag: BagReport, today: date) -> tuple[CaseFile | None, list[Finding]]:
    meta = root / METADATA_PATH
    if METADATA_PATH not in bag.payload_files or not meta.is_file():
        return None, [Finding("SIP-METADATA-MISSING", location=METADATA_PATH)]
    casefile, findings = parse_casefile(meta.read_bytes(), METADATA_PATH)
    for path in bag.payload_files:
        if not (path.startswith("data/documents/") or path == METADATA_PATH):
            findings.append(Finding("SIP-PAYLOAD-LAYOUT", location=path))
    if casefile is None:
        return None, findings
    # Names are compared in NFC: a sender's file system may decompose them (BAG-NORMALIZATION-DIFFERS).
    payload = {nfc(p[len("data/"):]): size for p, size in bag.payload_files.items()}
    findings += check_casefile(casefile, payload, today)
    ext_id = next((v for k, v in bag.bag_info if k.lower() == "external-identifier"), None)
    if ext_id is not None and ext_id.strip() != casefile.case_number:
        findings.append(Finding("SIP-EXTID-MISMATCH", location="bag-info.txt",
                                expected=casefile.case_number, found=ext_id))
    findings += _check_document_digests(root, casefile, bag.digests)
    return casefile, findings


def _check_document_digests(root: Path, casefile: CaseFile,
                            digests: Mapping[str, FileDigest]) -> list[Finding]:
    """Declared document digests vs the bytes received (computed while staging)."""
    findings = []
    by_nfc = {nfc(k): (k, v) for k, v in digests.items()}
    for doc in casefile.documents:
        rel, known = by_nfc.get(nfc("data/" + doc.path), ("data/" + doc.path, None))
        if known is None or known.error:
            continue  # missing files are reported by the metadata ↔ file rules
        value = known.digests.get(doc.digest.algorithm)
        if value is None:
            if doc.digest.algorithm not in SUPPORTED:
                continue
            _size, computed = digest_file(root / rel, [doc.digest.algorithm])
            value = computed[doc.digest.algorithm]
        if value != doc.digest.value.lower():
            findings.append(Finding("SIP-DOC-DIGEST-MISMATCH", location=rel, expected=doc.digest.value,
                                    found=value, params={"algorithm": doc.digest.algorithm}))
    return findings
