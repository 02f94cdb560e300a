"""Signatures embedded in PDFs (DA/T 70 1-1), validated with pyHanko.

For each signature field: are the signed bytes unchanged (intact), does the value
verify (valid), does the signer chain to a configured root (trusted), and what
happened after signing — coverage of the whole file, or of an earlier revision
with pyHanko's difference analysis of the incremental updates that followed
(``ModificationLevel.OTHER`` or a DocMDP violation means the content changed).
Verdicts follow ETSI EN 319 102-1: broken → invalid, no trust path → indeterminate.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Coroutine, Sequence, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

import checks.codes_content  # noqa: F401 — registers CHK- codes
from checks.content.report import SignatureCheck
from findings import Finding

_T = TypeVar("_T")


def load_roots(paths: Sequence[Path]) -> tuple[list[x509.Certificate], list[str]]:
    """Certificates from PEM files; the second list names files that could not be read."""
    certs: list[x509.Certificate] = []
    problems: list[str] = []
    for path in paths:
        try:
            certs.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: {exc}"[:200])
    return certs, problems


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    """pyHanko's coroutine API from synchronous code, also inside a running loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _context(roots: Sequence[x509.Certificate], now: datetime) -> ValidationContext:
    anchors = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots]
    return ValidationContext(trust_roots=anchors, moment=now, allow_fetching=False, revocation_mode="soft-fail")


def validate_pdf_signatures(stream: IO[bytes], path: str, roots: Sequence[x509.Certificate],
                            now: datetime) -> tuple[SignatureCheck, ...]:
    """Every signature field of the PDF in ``stream``; () when it has none or cannot be read."""
    try:
        stream.seek(0)
        reader = PdfFileReader(stream, strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 — unreadable PDFs are reported by checks.content.pdf
        return ()
    return tuple(_one(sig, path, roots, now) for sig in embedded)


def _one(sig: Any, path: str, roots: Sequence[x509.Certificate], now: datetime) -> SignatureCheck:
    name = str(getattr(sig, "field_name", "?"))
    try:
        status = _run(async_validate_pdf_signature(sig, signer_validation_context=_context(roots, now)))
    except Exception as exc:  # noqa: BLE001 — hostile CMS, unknown algorithms …
        reason = f"{type(exc).__name__}: {exc}"[:300]
        finding = Finding("CHK-SIG-PDF-UNREADABLE", path, params={"field": name, "reason": reason})
        return SignatureCheck(name, "pdf", "indeterminate", findings=(finding,))
    return _judge(status, name, path)


def _judge(status: PdfSignatureStatus, name: str, path: str) -> SignatureCheck:
    signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else None
    when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    coverage = status.coverage.name if status.coverage is not None else None
    level = status.modification_level
    modification = level.name if level is not None else None
    base = {"field": name, "coverage": coverage or "?"}
    finding, verdict = _verdict(status, base, path, signer)
    return SignatureCheck(name, "pdf", verdict, signer, when, coverage, modification,
                          (finding,) if finding else ())


def _verdict(status: PdfSignatureStatus, base: dict[str, str], path: str,
             signer: str | None) -> tuple[Finding | None, str]:
    if not status.intact:
        return Finding("CHK-SIG-PDF-NOT-INTACT", path, params=base), "invalid"
    if not status.valid:
        return Finding("CHK-SIG-PDF-INVALID", path, found=str(status.pkcs7_signature_mechanism), params=base), "invalid"
    if _modified(status):
        level = status.modification_level
        found = level.name if level is not None else "unknown (diff analysis failed)"
        return Finding("CHK-SIG-PDF-MODIFIED", path, found=found, params=base), "invalid"
    if not status.trusted:
        reason = str(status.trust_problem_indic or "no trust path")
        return Finding("CHK-SIG-PDF-UNTRUSTED", path, found=signer, params={**base, "reason": reason}), "indeterminate"
    return None, "valid"


def _modified(status: PdfSignatureStatus) -> bool:
    """Content changed after signing: not the whole file signed and the later revisions change content."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return False
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return True  # bytes outside the signed range that are not a clean incremental update
    level = status.modification_level
    return level is None or level == ModificationLevel.OTHER or not status.docmdp_ok


def signature_bytes_present(stream: IO[bytes]) -> bool:
    """Cheap pre-test on the in-memory copy: a signature dictionary always has a /ByteRange.

    Signature dictionaries are written uncompressed (the signer patches /Contents in
    place), so a PDF without the token has nothing for pyHanko to validate.
    """
    stream.seek(0)
    tail = b""
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        if b"/ByteRange" in tail + chunk:
            return True
        tail = chunk[-16:]
    return False
