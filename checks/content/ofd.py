"""Open an OFD package against its structure (GB/T 33190-2016 §7) with safe limits.

OFD.xml → DocBody/DocRoot → Document.xml → Pages/Page/@BaseLoc → each Content.xml,
plus the resources and attachments Document.xml names; every part is parsed with
``metadata.xml.safe_parse`` (no DTD, no entities, no network).  Signatures
(DocBody/Signatures → Signatures.xml → Signature/@BaseLoc, GB/T 38540 SM2 seals)
are found and reported *indeterminate*: no verifier for them exists here yet.
Zip limits (entries, member size, compression ratio) keep a zip bomb harmless.
"""
from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import IO

from lxml import etree

import checks.codes_content  # noqa: F401 — registers CHK- codes
from checks.content.report import Attachment, ContentReport, SignatureCheck
from findings import Finding
from metadata.xml import safe_parse

NS = "http://www.ofdspec.org/2016"
_Q = "{%s}" % NS
#: ZIP methods with a public specification that OFD readers support (GB/T 33190 §7.2: deflate).
OPEN_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_MAX_RATIO = 200


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 10_000
    max_member: int = 256 << 20


@dataclass
class _Ofd:
    zf: zipfile.ZipFile
    path: str
    limits: ZipLimits
    fatal: list[Finding] = field(default_factory=list)
    defects: list[Finding] = field(default_factory=list)
    compliance: list[Finding] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attachment_findings: list[Finding] = field(default_factory=list)
    signatures: list[SignatureCheck] = field(default_factory=list)
    software: dict[str, str] = field(default_factory=dict)
    pages: int = 0


def analyse_ofd(stream: IO[bytes], path: str, limits: ZipLimits = ZipLimits()) -> ContentReport:
    """Walk the OFD structure; never raises for bad bytes."""
    try:
        stream.seek(0)
        zf = zipfile.ZipFile(stream)
    except Exception as exc:  # noqa: BLE001
        finding = Finding("CHK-OFD-NOT-ZIP", path, params={"reason": f"{type(exc).__name__}: {exc}"[:300]})
        return ContentReport("casearchive OFD reader", fatal=(finding,))
    with zf:
        state = _Ofd(zf, path, limits)
        if _zip_ok(state):
            _walk(state)
    return ContentReport("casearchive OFD reader (GB/T 33190)", pages=state.pages, fatal=tuple(state.fatal),
                         defects=tuple(state.defects), compliance=tuple(state.compliance),
                         attachments=tuple(state.attachments), attachment_findings=tuple(state.attachment_findings),
                         signatures=tuple(state.signatures), software=state.software)


def _zip_ok(st: _Ofd) -> bool:
    """Entry count, sizes, ratios, encryption and methods, from the directory alone."""
    infos = st.zf.infolist()
    if len(infos) > st.limits.max_entries:
        st.fatal.append(Finding("CHK-OFD-LIMIT", st.path, params={"part": "*", "reason": f"{len(infos)} entries"}))
        return False
    for info in infos:
        if info.flag_bits & 0x1:
            st.compliance.append(Finding("CHK-OFD-ENCRYPTED", st.path, params={"part": info.filename}))
        if info.compress_type not in OPEN_ZIP_METHODS:
            st.compliance.append(Finding("CHK-FMT-PROPRIETARY-COMPRESSION", st.path, expected="stored, deflate",
                                         found=f"zip method {info.compress_type} ({info.filename})"))
        if info.file_size > st.limits.max_member or \
                (info.file_size > (1 << 20) and info.file_size > _MAX_RATIO * max(info.compress_size, 1)):
            st.fatal.append(Finding("CHK-OFD-LIMIT", st.path, params={
                "part": info.filename, "reason": f"{info.file_size} bytes from {info.compress_size}"}))
            return False
    return True


def _read(st: _Ofd, part: str, by: str, root_tag: str) -> etree._Element | None:
    """Parse one part; a finding (missing, unparsable, wrong root) and None when it fails."""
    try:
        info = st.zf.getinfo(part)
    except KeyError:
        st.fatal.append(Finding("CHK-OFD-PART-MISSING", st.path, params={"part": part, "by": by}))
        return None
    if info.flag_bits & 0x1:
        return None  # reported as encrypted; nothing more can be read
    try:
        data = st.zf.read(info)
    except Exception as exc:  # noqa: BLE001 — zlib.error, CRC errors … on damaged members
        st.fatal.append(Finding("CHK-OFD-PART-INVALID", st.path, params={"part": part, "reason": f"{type(exc).__name__}: {exc}"[:200]}))
        return None
    root, problems = safe_parse(data, part, max_size=st.limits.max_member)
    if root is None:
        reason = "; ".join(f"{p.code} {p.params.get('line', '')}".strip() for p in problems)
        st.defects.append(Finding("CHK-OFD-PART-INVALID", st.path, params={"part": part, "reason": reason}))
        return None
    if root.tag != _Q + root_tag:
        st.defects.append(Finding("CHK-OFD-STRUCTURE", st.path, expected=f"ofd:{root_tag} in {NS}",
                                  found=str(root.tag)[:120], params={"part": part}))
        return None
    return root


def _resolve(base_part: str, loc: str) -> str:
    """GB/T 33190 §7.5 ST_Loc: absolute from the package root, else relative to the referring part."""
    loc = loc.strip().replace("\\", "/")
    joined = loc.lstrip("/") if loc.startswith("/") else posixpath.join(posixpath.dirname(base_part), loc)
    return posixpath.normpath(joined)


def _walk(st: _Ofd) -> None:
    root = _read(st, "OFD.xml", "package", "OFD")
    if root is None:
        return
    bodies = root.findall(_Q + "DocBody")
    if not bodies:
        st.defects.append(Finding("CHK-OFD-STRUCTURE", st.path, expected="ofd:DocBody", found="none", params={"part": "OFD.xml"}))
    for body in bodies:
        _doc_info(st, body)
        doc_root = (body.findtext(_Q + "DocRoot") or "").strip()
        if not doc_root:
            st.defects.append(Finding("CHK-OFD-STRUCTURE", st.path, expected="ofd:DocRoot", found="empty", params={"part": "OFD.xml"}))
            continue
        doc_part = _resolve("OFD.xml", doc_root)
        _document(st, doc_part)
        signatures = (body.findtext(_Q + "Signatures") or "").strip()
        if signatures:
            _signatures(st, _resolve("OFD.xml", signatures))
    _stray_signatures(st)


def _doc_info(st: _Ofd, body: etree._Element) -> None:
    info = body.find(_Q + "DocInfo")
    if info is None:
        return
    for tag in ("Creator", "CreatorVersion"):
        value = info.findtext(_Q + tag)
        if value:
            st.software[tag] = value.strip()[:200]


def _document(st: _Ofd, part: str) -> None:
    doc = _read(st, part, "OFD.xml", "Document")
    if doc is None:
        return
    common = doc.find(_Q + "CommonData")
    for tag in ("PublicRes", "DocumentRes"):
        for res in (common.findall(_Q + tag) if common is not None else []):
            if res.text and res.text.strip():
                _read(st, _resolve(part, res.text), part, "Res")
    pages = doc.find(_Q + "Pages")
    for page in (pages.findall(_Q + "Page") if pages is not None else []):
        st.pages += 1
        loc = page.get("BaseLoc")
        if not loc:
            st.defects.append(Finding("CHK-OFD-STRUCTURE", st.path, expected="Page/@BaseLoc", found="missing", params={"part": part}))
            continue
        _read(st, _resolve(part, loc), part, "Page")
    attachments = (doc.findtext(_Q + "Attachments") or "").strip()
    if attachments:
        _attachments(st, _resolve(part, attachments))


def _attachments(st: _Ofd, part: str) -> None:
    """GB/T 33190 §20: each Attachment's FileLoc must be in the package."""
    root = _read(st, part, "Document.xml", "Attachments")
    if root is None:
        return
    for att in root.findall(_Q + "Attachment"):
        name = att.get("Name") or att.get("ID") or "?"
        target = _resolve(part, att.findtext(_Q + "FileLoc") or "")
        try:
            info = st.zf.getinfo(target)
            st.attachments.append(Attachment(name, info.file_size, True))
        except KeyError:
            st.attachments.append(Attachment(name, None, False))
            st.attachment_findings.append(Finding("CHK-OFD-ATTACHMENT-MISSING", st.path,
                                                  params={"name": name, "by": part, "part": target}))


def _signatures(st: _Ofd, part: str) -> None:
    root = _read(st, part, "OFD.xml", "Signatures")
    if root is None:
        return
    for sig in root.findall(_Q + "Signature"):
        loc = sig.get("BaseLoc") or "?"
        ident = f"{sig.get('ID') or '?'} ({_resolve(part, loc)})"
        finding = Finding("CHK-SIG-OFD-UNVERIFIED", st.path, found=ident)
        st.signatures.append(SignatureCheck(ident, "ofd", "indeterminate", findings=(finding,)))


def _stray_signatures(st: _Ofd) -> None:
    """Signatures.xml files under Doc_N/Signs/ that no DocBody names: still report them."""
    if st.signatures:
        return
    for name in st.zf.namelist():
        if name.endswith("/Signs/Signatures.xml") or name == "Signs/Signatures.xml":
            _signatures(st, name)
