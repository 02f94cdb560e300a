"""DA/T 70 content items: 1-1, 2-7, 2-8, 3-3, 3-4, 3-5, 3-8 — one result per file.

Every item reads files only through :func:`checks.content.analysis.analyse`, which
reads each file once per run and caches what it found.  Verdicts: any error
finding → failed; else a "could not decide" code → indeterminate; else passed
(warnings stay attached as findings and are counted in the remarks).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Sequence

from checks.api import CheckContext, CheckResult, PackageView, Status
from checks.codes_content import INDETERMINATE
from checks.content.analysis import FileAnalysis, analyse, declared_documents, package_files, settings_of
from checks.content.report import SignatureCheck
from findings import Finding, Severity
from fixity.manifest import parse_manifest
from fixity.signing import verify_detached

_SIG_STATUS = {"valid": Status.PASSED, "invalid": Status.FAILED, "indeterminate": Status.INDETERMINATE}
#: Formats whose reader already looked for encryption and compression (3-8).
_INSPECTED = frozenset({"PDF", "OFD", "JPEG", "PNG", "TIFF", "GIF", "BMP", "WEBP", "WAV", "MP3", "MP4", "MOV",
                        "XML", "TEXT", "ZIP", "DOCX", "XLSX", "PPTX", "ODF"})
#: Formats built on a compression whose specification is not public.
_PROPRIETARY = frozenset({"RAR"})


def verdict(findings: Iterable[Finding]) -> Status:
    """Errors fail; "could not decide" codes make it indeterminate; warnings alone pass."""
    found = list(findings)
    if any(f.level is Severity.ERROR for f in found):
        return Status.FAILED
    if any(f.code in INDETERMINATE for f in found):
        return Status.INDETERMINATE
    return Status.PASSED


def _result(item: str, path: str, findings: Sequence[Finding], expected: str | None, found: str | None,
            remarks: str = "") -> CheckResult:
    warnings = sum(1 for f in findings if f.level is not Severity.ERROR)
    note = f"{warnings} warning(s)" if warnings and verdict(findings) is Status.PASSED else ""
    return CheckResult(item, verdict(findings), path, expected, found, tuple(findings),
                       "; ".join(x for x in (remarks, note) if x))


def _analyses(pkg: PackageView, ctx: CheckContext) -> list[FileAnalysis]:
    return [analyse(pkg, path, ctx) for path in sorted(package_files(pkg, ctx))]


def _opened(a: FileAnalysis) -> list[Finding]:
    """Why the file was not opened (read error, no reader, too large), or []."""
    return [f for f in a.problems if f.code != "CHK-FIX-ALGORITHM-UNAVAILABLE"]


# ---------------------------------------------------------------- 1-1 固化信息有效性

def check_fixity_information(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-1: recomputed digests, embedded PDF/OFD signatures, the AIP's signed tag manifests."""
    results: list[CheckResult] = []
    for a in _analyses(pkg, ctx):
        results.append(_digest_result(a))
        for sig in (a.content.signatures if a.content else ()):
            results.append(_signature_result(a.path, sig))
    if pkg.kind == "aip":
        results += _tag_manifest_results(pkg, ctx)
    return results


def _digest_result(a: FileAnalysis) -> CheckResult:
    findings = [f for f in a.problems if f.code in ("CHK-CNT-READ-ERROR", "CHK-FIX-ALGORITHM-UNAVAILABLE")]
    compared = []
    for algorithm, expected in sorted(a.recorded.items()):
        found = a.digests.get(algorithm)
        if found is None:
            continue
        compared.append(algorithm)
        if found != expected.lower():
            findings.append(Finding("CHK-FIX-DIGEST-MISMATCH", a.path, expected=expected, found=found,
                                    params={"algorithm": algorithm, "source": "recorded"}))
    if not a.recorded:
        findings.append(Finding("CHK-FIX-NO-DIGEST", a.path))
    found_text = ", ".join(f"{alg} {a.digests[alg][:16]}…" for alg in compared) or None
    return _result("1-1", a.path, findings, "recomputed digest = recorded digest", found_text,
                   "digests recomputed: " + (", ".join(compared) or "none"))


def _signature_result(path: str, sig: SignatureCheck) -> CheckResult:
    detail = ", ".join(f"{k} {v}" for k, v in (("signer", sig.signer), ("time", sig.signing_time),
                                                ("coverage", sig.coverage), ("after signing", sig.modification)) if v)
    status = _SIG_STATUS[sig.status] if not sig.findings else verdict(sig.findings)
    return CheckResult("1-1", status, f"{path}#{sig.field}", "intact, valid, trusted signature",
                       f"{sig.status}" + (f" ({detail})" if detail else ""), sig.findings,
                       "pyHanko" if sig.kind == "pdf" else "OFD signature (GB/T 38540) not verified")


def _read_tag(root: Path, name: str) -> bytes | None:
    try:
        fd = os.open(root / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _tag_manifest_results(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """docs/aip.md: signature → tag manifest → payload manifest (the chain down to each document)."""
    names = sorted(p.name for p in pkg.root.glob("tagmanifest-*.txt"))
    if not names:
        missing = Finding("CHK-SIG-TAGMANIFEST-MISSING", "tagmanifest-sha256.txt.p7s")
        return [_result("1-1", "tagmanifest-sha256.txt", [missing], "signed tag manifest", "none")]
    return [_tag_manifest(pkg.root, name, ctx) for name in names]


def _tag_manifest(root: Path, name: str, ctx: CheckContext) -> CheckResult:
    data, signature = _read_tag(root, name), _read_tag(root, name + ".p7s")
    if data is None or signature is None:
        return _result("1-1", name, [Finding("CHK-SIG-TAGMANIFEST-MISSING", name + ".p7s")], "signed tag manifest", "missing")
    trusted = list(ctx.services.get("trusted", ()))
    if not trusted:  # trust is pinned to [signing] trusted: without anchors nothing can be judged
        finding = Finding("CHK-SIG-TAGMANIFEST-INDETERMINATE", name, params={"reason": "no trust anchors given"})
        return _result("1-1", name, [finding], "valid signature by a trusted signer", "not judged")
    result = verify_detached(data, signature, trusted=trusted, now=ctx.now, location=name)
    findings: list[Finding] = []
    if result.status == "invalid":
        findings.append(Finding("CHK-SIG-TAGMANIFEST-INVALID", name, params={"reason": result.reason}))
    elif result.status == "indeterminate":
        findings.append(Finding("CHK-SIG-TAGMANIFEST-INDETERMINATE", name, params={"reason": result.reason}))
    findings += _payload_manifest_chain(root, name, data)
    return _result("1-1", name, findings, "valid signature by a trusted signer", result.status,
                   f"CMS detached signature; signer {result.signer or '?'}")


def _payload_manifest_chain(root: Path, name: str, data: bytes) -> list[Finding]:
    algorithm = name[len("tagmanifest-"):-len(".txt")]
    entries, _problems = parse_manifest(data, name, (1, 0))
    manifest = f"manifest-{algorithm}.txt"
    listed, content = entries.get(manifest), _read_tag(root, manifest)
    if listed is None or content is None:
        return []  # the package items (1-13, 2-10) report missing tag files
    try:
        found = hashlib.new(algorithm, content).hexdigest()
    except ValueError:
        return [Finding("CHK-FIX-ALGORITHM-UNAVAILABLE", manifest, params={"algorithm": algorithm})]
    if found == listed:
        return []
    return [Finding("CHK-FIX-TAGMANIFEST-MISMATCH", manifest, expected=listed, found=found, params={"algorithm": algorithm})]


# ---------------------------------------------------------------- 2-7 内容数据完整性

def check_content_integrity(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-7: the file opens completely and has the pages casefile.xml declares."""
    documents = declared_documents(pkg, ctx)
    results = []
    for a in _analyses(pkg, ctx):
        findings = _opened(a)
        content = a.content
        if content is not None:
            findings += [*content.fatal, *content.defects]
        doc = documents.get(a.path)
        real = content.pages if content else None
        if doc is not None and real is not None and real != doc.page_count:
            findings.append(Finding("CHK-CNT-PAGES-MISMATCH", a.path, expected=str(doc.page_count), found=str(real)))
        expected = f"{doc.page_count} page(s), complete" if doc is not None else "opens completely"
        found = f"{real} page(s)" if real is not None else ("opened" if content else "not opened")
        results.append(_result("2-7", a.path, findings, expected, found, content.reader if content else ""))
    return results


# ---------------------------------------------------------------- 2-8 附件数据完整性

def check_attachments(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-8: attachments embedded in PDFs / declared in OFDs are present and complete."""
    results: list[CheckResult] = []
    for a in _analyses(pkg, ctx):
        content = a.content
        if a.format.format not in ("PDF", "OFD"):
            continue
        if content is None or content.fatal:
            results.append(CheckResult("2-8", Status.INDETERMINATE, a.path, "attachments complete", "not opened",
                                       tuple(content.fatal if content else _opened(a)), "see 3-4"))
        elif content.attachments:
            names = ", ".join(f"{x.name} ({x.size if x.size is not None else 'missing'})" for x in content.attachments)
            results.append(_result("2-8", a.path, content.attachment_findings, "every declared attachment present", names))
    if not results:
        results.append(CheckResult("2-8", Status.NOT_APPLICABLE, "package", "attachments complete",
                                   "no attachments in any document"))
    return results


# ---------------------------------------------------------------- 3-3 内容数据格式检测

def allowed(label_format: str, pdfa: str | None, policy: Sequence[str]) -> bool:
    """PDF/A matches "PDF/A" and "PDF"; plain PDF only "PDF"."""
    if label_format == "PDF" and pdfa and "PDF/A" in policy:
        return True
    return label_format in policy


def check_format_allowed(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-3: the format identified by content is allowed, and the extension tells the truth."""
    policy = settings_of(ctx).allowed_formats
    results = []
    for a in _analyses(pkg, ctx):
        fmt, findings = a.format, [f for f in a.problems if f.code == "CHK-CNT-READ-ERROR"]
        if not findings and fmt.format == "UNKNOWN":
            findings.append(Finding("CHK-FMT-UNKNOWN", a.path))
        elif not findings and not allowed(fmt.format, fmt.pdfa, policy):
            findings.append(Finding("CHK-FMT-NOT-ALLOWED", a.path, expected=", ".join(policy), found=fmt.label))
        if not findings and not fmt.extension_matches:
            findings.append(Finding("CHK-FMT-EXTENSION-MISMATCH", a.path, expected=Path(a.path).suffix or "(none)",
                                    found=fmt.label))
        results.append(_result("3-3", a.path, findings, ", ".join(policy), f"{fmt.label} ({fmt.mime})", fmt.evidence))
    return results


# ---------------------------------------------------------------- 3-4 内容数据可读性

def check_readable(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-4: every PDF page parsed, every image frame decoded, OFD parsed against its structure."""
    results = []
    for a in _analyses(pkg, ctx):
        content = a.content
        findings = _opened(a) + ([*content.fatal, *content.defects] if content else [])
        pages = f"{content.pages} page(s)/frame(s) parsed" if content and content.pages is not None else None
        results.append(_result("3-4", a.path, findings, "opens and every part parses",
                               pages or ("parsed" if content else "not opened"), content.reader if content else ""))
    return results


# ---------------------------------------------------------------- 3-5 内容数据格式长期可用性

def check_long_term_format(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-5: PDF/A or OFD preferred; other open formats acceptable; proprietary fails."""
    settings = settings_of(ctx)
    preferred, acceptable = settings.long_term_formats, settings.long_term_acceptable
    results = []
    for a in _analyses(pkg, ctx):
        fmt = a.format
        findings = list(a.content.long_term) if a.content else []
        findings += [f for f in a.problems if f.code == "CHK-CNT-READ-ERROR"]
        if a.content is not None and a.content.fatal:
            findings.append(Finding("CHK-CNT-NOT-INSPECTED", a.path, found="fonts and PDF/A conformance"))
        if allowed(fmt.format, fmt.pdfa, preferred):
            remark = "preferred for long-term keeping"
        elif fmt.format in acceptable:
            remark = "acceptable (GB/T 18894-2016 8.3)"
            if fmt.format == "PDF":
                findings.append(Finding("CHK-FMT-NOT-PREFERRED", a.path, expected=", ".join(preferred), found=fmt.label))
        else:
            remark = "not suitable"
            findings.append(Finding("CHK-FMT-NOT-LONG-TERM", a.path, expected=", ".join(preferred + acceptable),
                                    found=fmt.label))
        results.append(_result("3-5", a.path, findings, ", ".join(preferred), fmt.label, remark))
    return results


# ---------------------------------------------------------------- 3-8 信息包内容数据格式合规性

def check_no_encryption_or_proprietary_compression(pkg: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-8 (DA/T 92 8.1.3): no encryption, no non-open compression, no scripts or external content.

    Refused: encrypted PDFs and zip members; PDF filters outside ISO 32000-1 7.4; zip
    methods other than stored/deflate in OFD; TIFF compressions outside TIFF 6.0; RAR;
    JavaScript, Launch/GoToR/GoToE/SubmitForm/ImportData actions and external streams.
    URI links are warnings unless [checks] uri_actions = "refuse".
    """
    results = []
    for a in _analyses(pkg, ctx):
        findings = list(a.content.compliance) if a.content else []
        if a.content is not None and a.content.fatal:
            findings.append(Finding("CHK-CNT-NOT-INSPECTED", a.path, found="encryption, compression, active content"))
        if a.format.format in _PROPRIETARY:
            findings.append(Finding("CHK-FMT-PROPRIETARY-COMPRESSION", a.path, expected="open compression",
                                    found=a.format.label))
        elif a.content is None or a.format.format not in _INSPECTED:
            findings += _opened(a) or [Finding("CHK-CNT-NO-READER", a.path, found=a.format.label)]
        found = "; ".join(sorted({f.code for f in findings})) or "none"
        results.append(_result("3-8", a.path, findings, "no encryption, open compression, no active content", found))
    return results
