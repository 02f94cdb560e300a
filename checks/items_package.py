"""Package-level DA/T 70 items: links, catalogue and description files, structure,
consistency, EEP, package signature, totals, process metadata, scope, package
metadata and content, metadata readability, catalogue access.

Each function reads the package only through the PackageView (plus ``root`` for
walking the tree without following links) and returns CheckResults; bad input
becomes a failed or indeterminate result, never an exception.
"""
from __future__ import annotations

import json
import re
import stat
import unicodedata
from typing import Any, Iterable, Mapping

import checks.codes_pkg as c
from checks.api import CheckContext, CheckResult, PackageFile, PackageView, Status
from checks.package import METADATA_PATH, UnsafePath, read_manifests, walk
from findings import Finding, Severity
from fixity.digest import new_hash
from fixity.signing import verify_detached
from fixity.tagfile import parse_tag_file
from metadata.case_number import parse_case_number
from metadata.xml import parse_casefile, safe_parse
from retention.schedule import COURT_LITIGATION

CHUNK = 1 << 20
#: AIP tag files (docs/aip.md); kept here because checks/ must not import ingest/.
AIP_INFO_LABELS = ("Source-Organization", "External-Identifier", "Bagging-Date", "Payload-Oxum",
                   "BagIt-Profile-Identifier", "Archive-Number", "AIP-Identifier", "AIP-Version", "Archived-At",
                   "Archive-Name", "Submission-Identifier")
AIP_DESCRIPTION_KEYS = ("archive_number", "fonds_number", "case_number", "archiving_date", "retention",
                        "security_level", "department", "court", "original_forms", "received")
AIP_PRESERVATION = ("description.json", "validation.json", "events.json", "signer.pem")
#: Written when the receive-stage checks ran at ingest ([ingest] receive_checks).
AIP_PRESERVATION_OPTIONAL = ("receive-checks.json",)
AIP_ALGORITHMS = ("sha256", "sm3")
_OXUM = re.compile(r"^([0-9]+)\.([0-9]+)$")


# ---------------------------------------------------------------- helpers

def nfc(path: str) -> str:
    return unicodedata.normalize("NFC", path)


def _read(package: PackageView, path: str) -> bytes | None:
    try:
        with package.open(path) as fh:
            return fh.read()
    except (OSError, UnsafePath):
        return None


def _files(package: PackageView) -> dict[str, PackageFile]:
    return {nfc(f.path): f for f in package.files()}


def _passed(item: str, obj: str = "package", expected: str | None = None, found: str | None = None,
            remarks: str = "") -> CheckResult:
    return CheckResult(item, Status.PASSED, obj, expected, found, (), remarks)


def _verdict(item: str, status: Status, finding: Finding, remarks: str = "") -> CheckResult:
    return CheckResult(item, status, finding.location or "package", finding.expected, finding.found,
                       (finding,), remarks)


def _failed(item: str, finding: Finding, remarks: str = "") -> CheckResult:
    return _verdict(item, Status.FAILED, finding, remarks)


def _no_metadata(item: str) -> list[CheckResult]:
    return [_verdict(item, Status.INDETERMINATE, Finding(c.NO_METADATA, METADATA_PATH))]


def _na(item: str, remarks: str) -> list[CheckResult]:
    return [CheckResult(item, Status.NOT_APPLICABLE, "package", remarks=remarks)]


def _or_passed(results: list[CheckResult], passed: CheckResult) -> list[CheckResult]:
    return results or [passed]


def _json(package: PackageView, path: str) -> tuple[Any, str | None]:
    data = _read(package, path)
    if data is None:
        return None, "missing"
    try:
        return json.loads(data.decode("utf-8")), None
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]


def digests_now(package: PackageView, ctx: CheckContext, path: str, algorithms: Iterable[str]) -> dict[str, str]:
    """Digests of ``path`` as it is now; shared through ``ctx.cache[("digests", path)]`` so a
    file is read once for all items (1-1 uses the same key)."""
    known: dict[str, str] = dict(ctx.cache.get(("digests", path), {}))
    missing = [a for a in algorithms if a not in known]
    if missing:
        hashers = {a: new_hash(a) for a in missing}
        with package.open(path) as fh:
            while chunk := fh.read(CHUNK):
                for h in hashers.values():
                    h.update(chunk)
        known.update({a: h.hexdigest() for a, h in hashers.items()})
        ctx.cache[("digests", path)] = known
    return known


# ---------------------------------------------------------------- 1-11 metadata ↔ content

def check_metadata_links(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-11: a content file exists at every path the metadata records."""
    cf = package.casefile
    if cf is None:
        return _no_metadata("1-11")
    present = set(_files(package))
    results = [_failed("1-11", Finding(c.LINK_MISSING, "data/" + d.path, params={"sequence": d.sequence}))
               for d in cf.documents if nfc("data/" + d.path) not in present]
    n = len(cf.documents)
    return _or_passed(results, _passed("1-11", expected=f"{n} linked documents", found=f"{n}/{n} present"))


# ---------------------------------------------------------------- 1-12 catalogue and description files

def check_catalog_files(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-12: 目录文件 (casefile.xml: present, parses, XSD-valid) and 说明文件 (bag-info.txt)."""
    results: list[CheckResult] = []
    data = _read(package, METADATA_PATH)
    if data is None:
        results.append(_failed("1-12", Finding(c.CATALOG_MISSING, METADATA_PATH)))
    else:
        casefile, findings = parse_casefile(data, METADATA_PATH)
        if casefile is None:
            found = ", ".join(sorted({f.code for f in findings}))[:300]
            results.append(CheckResult("1-12", Status.FAILED, METADATA_PATH, "schemas/casefile.xsd", found,
                                       (Finding(c.CATALOG_INVALID, METADATA_PATH, found=found), *findings[:20])))
        else:
            results.append(_passed("1-12", METADATA_PATH, "schemas/casefile.xsd", "valid"))
    results.append(_description_file(package))
    return results


def _description_file(package: PackageView) -> CheckResult:
    data = _read(package, "bag-info.txt")
    if data is None:
        return _failed("1-12", Finding(c.DESCRIPTION_INVALID, "bag-info.txt", found="missing"))
    pairs, findings = parse_tag_file(data, "bag-info.txt")
    errors = [f for f in findings if f.level is Severity.ERROR]
    if errors or not pairs:
        found = ", ".join(sorted({f.code for f in errors})) or "empty"
        return CheckResult("1-12", Status.FAILED, "bag-info.txt", "RFC 8493 §2.2.2", found,
                           (Finding(c.DESCRIPTION_INVALID, "bag-info.txt", found=found), *errors[:20]))
    return _passed("1-12", "bag-info.txt", "RFC 8493 §2.2.2", f"{len(pairs)} elements")


# ---------------------------------------------------------------- 1-13 structure

_SIP_TOP = re.compile(r"^(bagit\.txt|bag-info\.txt|(tag)?manifest-[a-z0-9]+\.txt)$")
_AIP_TOP = re.compile(r"^(bagit\.txt|bag-info\.txt|(tag)?manifest-(sha256|sm3)\.txt|tagmanifest-(sha256|sm3)\.txt\.p7s)$")
_PAYLOAD = re.compile(r"^data/(metadata|metadata/casefile\.xml|documents(/.+)?)$")


def _layout(kind: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """Allowed top-level file names and required entries (path → what) of a SIP or an AIP."""
    required = {"bagit.txt": "bagit.txt", "bag-info.txt": "bag-info.txt", "data": "data/",
                METADATA_PATH: "casefile.xml", "data/documents": "data/documents/"}
    if kind != "aip":
        return _SIP_TOP, required
    required.update({f"manifest-{a}.txt": f"manifest-{a}.txt" for a in AIP_ALGORITHMS})
    required.update({f"tagmanifest-{a}.txt": f"tagmanifest-{a}.txt" for a in AIP_ALGORITHMS})
    required.update({f"preservation/{n}": n for n in AIP_PRESERVATION})
    required["sip"] = "sip/"
    return _AIP_TOP, required


def _allowed(kind: str, top: re.Pattern[str], path: str, is_dir: bool) -> bool:
    if "/" not in path:
        return (is_dir and (path == "data" or (kind == "aip" and path in ("sip", "preservation")))) or \
            (not is_dir and bool(top.match(path)))
    head, rest = path.split("/", 1)
    if head == "data":
        return bool(_PAYLOAD.match(path))
    if head == "preservation":
        return not is_dir and (rest in AIP_PRESERVATION or rest in AIP_PRESERVATION_OPTIONAL)
    return head == "sip" and "/" not in rest and not is_dir and bool(_SIP_TOP.match(rest))


def check_package_structure(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-13: folder names and tree of the package (docs/sip.md, docs/aip.md)."""
    top, required = _layout(package.kind)
    results: list[CheckResult] = []
    seen: set[str] = set()
    for path, st in walk(package.root):
        seen.add(path)
        if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            what = "symbolic link" if stat.S_ISLNK(st.st_mode) else "special file"
            results.append(_failed("1-13", Finding(c.STRUCTURE_SPECIAL, path, found=what)))
        elif not _allowed(package.kind, top, path, stat.S_ISDIR(st.st_mode)):
            results.append(_failed("1-13", Finding(c.STRUCTURE_UNEXPECTED, path,
                                                   found="folder" if stat.S_ISDIR(st.st_mode) else "file")))
    results += [_failed("1-13", Finding(c.STRUCTURE_MISSING, path, expected=what))
                for path, what in required.items() if path not in seen]
    layout = "docs/aip.md" if package.kind == "aip" else "docs/sip.md"
    return _or_passed(results, _passed("1-13", expected=layout, found=f"{len(seen)} entries conform"))


# ---------------------------------------------------------------- 1-14 consistency

def _mismatch(path: str, alg: str, expected: str, found: str, when: tuple[str, str],
              reference: tuple[str, str]) -> Finding:
    return Finding(c.DIGEST_MISMATCH, path, expected=expected, found=found, params={
        "algorithm": alg, "when": when[0], "when_zh": when[1], "reference": reference[0], "reference_zh": reference[1]})


def _compare(path: str, now: Mapping[str, str], refs: Mapping[str, Mapping[str, str]],
             when: tuple[str, str], label: tuple[str, str]) -> list[Finding]:
    out = []
    for alg, manifest in sorted(refs.items()):
        if path in manifest and alg in now and manifest[path] != now[alg]:
            ref = (label[0].format(alg=alg), label[1].format(alg=alg))
            out.append(_mismatch(path, alg, manifest[path], now[alg], when, ref))
    return out


def _presence(package: PackageView, present: Mapping[str, PackageFile],
              manifests: Mapping[str, Mapping[str, str]], name: str) -> list[Finding]:
    if getattr(package, "selection", None) is not None:
        return []  # a subset view (stage use) checks only what it holds
    declared = set().union(*manifests.values()) if manifests else set()
    out = [Finding(c.FILE_MISSING, p, found=name) for p in sorted(declared - set(present))]
    out += [Finding(c.FILE_UNDECLARED, p, expected=name) for p in sorted(set(present) - declared)]
    return out


def _file_results(findings: list[Finding]) -> list[CheckResult]:
    by_path: dict[str, list[Finding]] = {}
    for f in findings:
        by_path.setdefault(f.location, []).append(f)
    return [CheckResult("1-14", Status.FAILED, path, fs[0].expected, fs[0].found, tuple(fs))
            for path, fs in by_path.items()]


def _now(package: PackageView, ctx: CheckContext, path: str, algs: Iterable[str],
         findings: list[Finding]) -> dict[str, str]:
    try:
        return digests_now(package, ctx, path, algs)
    except (OSError, UnsafePath) as exc:
        findings.append(Finding(c.FILE_UNREADABLE, path, found=str(exc)[:200]))
        return {}


def _sip_consistency(package: PackageView, ctx: CheckContext) -> list[Finding]:
    manifests = read_manifests(package.root)
    if not manifests:
        return [Finding(c.MANIFEST_UNREADABLE, "manifest-<alg>.txt", found="missing")]
    present = _files(package)
    receipt: Mapping[str, Mapping[str, str]] = ctx.services.get("receipt_digests") or {}
    findings = _presence(package, present, manifests, "manifest")
    for path in sorted(present):
        if path in receipt:
            ctx.cache.setdefault(("digests", path), dict(receipt[path]))
        now = _now(package, ctx, path, [a for a, m in manifests.items() if path in m], findings)
        findings += _compare(path, now, manifests, ("recomputed at receipt", "接收时重新计算"),
                             ("declared by the sender in manifest-{alg}.txt", "发送方声明（manifest-{alg}.txt）"))
    return findings


def _aip_consistency(package: PackageView, ctx: CheckContext) -> list[Finding]:
    aip_m, sip_m = read_manifests(package.root), read_manifests(package.root, "sip")
    if not aip_m:
        return [Finding(c.MANIFEST_UNREADABLE, "manifest-sha256.txt", found="missing")]
    present = _files(package)
    catalogue = {p: {"sha256": v.get("sha256")} for p, v in (package.recorded.get("files") or {}).items()
                 if v.get("role", "payload") == "payload"}
    findings = _presence(package, present, aip_m, "manifest-sha256.txt")
    for path in sorted(present):
        now = _now(package, ctx, path, sorted(set(aip_m) | set(sip_m)), findings)
        findings += _compare(path, now, aip_m, ("now", "现在重新计算"),
                             ("recorded at ingest in manifest-{alg}.txt", "入库时记录（manifest-{alg}.txt）"))
        at_ingest = {a: m[path] for a, m in aip_m.items() if path in m}
        findings += _compare(path, at_ingest, sip_m, ("at ingest", "入库时"),
                             ("declared by the sender in sip/manifest-{alg}.txt", "发送方声明（sip/manifest-{alg}.txt）"))
        findings += _compare(path, at_ingest, catalogue, ("in the AIP manifest", "保存信息包清单中"),
                             ("recorded in the catalogue", "目录数据库记录"))
    return findings


def check_package_consistency(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-14: digests at send vs at receipt (SIP); at send vs at ingest vs now (AIP)."""
    findings = _aip_consistency(package, ctx) if package.kind == "aip" else _sip_consistency(package, ctx)
    n = len(_files(package))
    basis = "sip/manifest-* = manifest-* = now" if package.kind == "aip" else "manifest-* = recomputed at receipt"
    return _or_passed(_file_results(findings), _passed("1-14", expected=basis, found=f"{n} files agree"))


# ---------------------------------------------------------------- 1-15 EEP, 1-16 package signature

def check_eep_conformance(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-15: our AIP is a BagIt bag, not a DA/T 48 EEP — not applicable unless [checks] eep."""
    if not ctx.settings.get("eep", False):
        finding = Finding(c.EEP_NOT_APPLICABLE, "package")
        return [CheckResult("1-15", Status.NOT_APPLICABLE, "package", "DA/T 48 EEP", "BagIt AIP (RFC 8493)",
                            (finding,), "AIP = BagIt bag (docs/aip.md); [checks] eep = false")]
    eeps = [f.path for f in package.files() if f.path.lower().endswith((".eep", ".xml")) and _is_eep(package, f.path)]
    if not eeps:
        return [_failed("1-15", Finding(c.EEP_MISSING, "package"))]
    return [_verdict("1-15", Status.INDETERMINATE, Finding(c.EEP_NO_SCHEMA, path)) for path in eeps]


def _is_eep(package: PackageView, path: str) -> bool:
    data = _read(package, path)
    root, _ = safe_parse(data or b"", path)
    return root is not None and str(root.tag).rsplit("}", 1)[-1] == "电子文件封装包"


def check_package_signature(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-16: the detached CMS signatures over the AIP's tag manifests."""
    if package.kind != "aip":
        return _na("1-16", "a SIP carries no package signature; its documents' signatures are item 1-1")
    trusted = ctx.services.get("trusted")
    if trusted is None:
        return [_verdict("1-16", Status.INDETERMINATE, Finding(c.NO_TRUST, "package"))]
    names = sorted(p for p, st in walk(package.root) if "/" not in p and re.match(r"^tagmanifest-[a-z0-9]+\.txt$", p))
    if not names:
        return [_failed("1-16", Finding(c.SIGNATURE_MISSING, "package", expected="tagmanifest-<alg>.txt.p7s"))]
    return [_signature(package, ctx, name, trusted) for name in names]


def _signature(package: PackageView, ctx: CheckContext, name: str, trusted: Any) -> CheckResult:
    data, sig = _read(package, name), _read(package, name + ".p7s")
    if data is None or sig is None:
        return _failed("1-16", Finding(c.SIGNATURE_MISSING, name, expected=name + ".p7s"))
    verdict = verify_detached(data, sig, trusted=list(trusted), now=ctx.now, location=name)
    if verdict.valid:
        return CheckResult("1-16", Status.PASSED, name, "valid CMS signature", f"valid, signer {verdict.signer}",
                           verdict.findings, f"signed {verdict.signing_time:%Y-%m-%d}" if verdict.signing_time else "")
    code, status = ((c.SIGNATURE_INVALID, Status.FAILED) if verdict.status == "invalid"
                    else (c.SIGNATURE_INDETERMINATE, Status.INDETERMINATE))
    return CheckResult("1-16", status, name, "valid CMS signature", verdict.reason[:200],
                       (Finding(code, name, found=verdict.reason[:200]), *verdict.findings))


# ---------------------------------------------------------------- 2-1, 2-2 totals; 2-11 content

def _documents(package: PackageView) -> list[PackageFile]:
    return [f for f in _files(package).values() if f.path.startswith("data/documents/")]


def _count(item: str, code: str, what: tuple[str, str], expected: int, found: int, obj: str) -> CheckResult:
    if expected == found:
        return _passed(item, obj, str(expected), str(found), what[0])
    return _failed(item, Finding(code, obj, expected=str(expected), found=str(found),
                                 params={"what": what[0], "what_zh": what[1]}))


def check_total_count(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-1: number of files registered vs present (SIP: documentCount; AIP: catalogue)."""
    rec, cf = package.recorded, package.casefile
    if package.kind == "aip" and "payload_files" in rec:
        out = [_count("2-1", c.COUNT_MISMATCH, ("payload files (catalogue)", "内容文件数（目录数据库）"),
                      int(rec["payload_files"]), len(_files(package)), "data/")]
        if cf is not None and "document_count" in rec:
            out.append(_count("2-1", c.COUNT_MISMATCH, ("documents (catalogue vs casefile.xml)", "卷内文件数（目录数据库与目录文件）"),
                              int(rec["document_count"]), len(cf.documents), METADATA_PATH))
        return out
    if cf is None:
        return _no_metadata("2-1")
    return [_count("2-1", c.COUNT_MISMATCH, ("documents (documentCount)", "卷内文件数（documentCount）"),
                   cf.document_count, len(_documents(package)), "data/documents/")]


def check_total_bytes(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-2: bytes registered vs present (SIP: declared document sizes; AIP: catalogue)."""
    rec, cf = package.recorded, package.casefile
    if package.kind == "aip" and "payload_bytes" in rec:
        found = sum(f.size for f in _files(package).values())
        return [_count("2-2", c.BYTES_MISMATCH, ("payload bytes (catalogue)", "内容字节数（目录数据库）"),
                       int(rec["payload_bytes"]), found, "data/")]
    if cf is None:
        return _no_metadata("2-2")
    found = sum(f.size for f in _documents(package))
    return [_count("2-2", c.BYTES_MISMATCH, ("document bytes (declared sizes)", "卷内文件字节数（著录的文件大小）"),
                   sum(d.size for d in cf.documents), found, "data/documents/")]


def check_package_content(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-11: Payload-Oxum and manifest entries (declared counts) vs files present."""
    oxum = package.bag_info.get("Payload-Oxum", "")
    match = _OXUM.match(oxum)
    if match is None:
        return [_failed("2-11", Finding(c.OXUM_INVALID, "bag-info.txt", found=oxum or "missing"))]
    files = _files(package)
    out = [_count("2-11", c.COUNT_MISMATCH, ("files (Payload-Oxum)", "文件数（Payload-Oxum）"),
                  int(match[2]), len(files), "bag-info.txt"),
           _count("2-11", c.BYTES_MISMATCH, ("bytes (Payload-Oxum)", "字节数（Payload-Oxum）"),
                  int(match[1]), sum(f.size for f in files.values()), "bag-info.txt")]
    for alg, manifest in sorted(read_manifests(package.root).items()):
        out.append(_count("2-11", c.COUNT_MISMATCH, (f"files (manifest-{alg}.txt)", f"文件数（manifest-{alg}.txt）"),
                          len(manifest), len(files), f"manifest-{alg}.txt"))
    return out


# ---------------------------------------------------------------- 2-5 process metadata

def _ingest_event(events: Any, aip_id: str) -> Mapping[str, Any] | None:
    if not isinstance(events, list):
        return None
    return next((e for e in events if isinstance(e, Mapping) and e.get("type") == "aip.ingest"
                 and e.get("aip_id") == aip_id), None)


def _aip_process(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    path = "preservation/events.json"
    events, problem = _json(package, path)
    if problem:
        return [_failed("2-5", Finding(c.TAG_INVALID, path, found=problem))]
    aip_id = str(package.recorded.get("aip_id") or package.identifier)
    mine = _ingest_event(events, aip_id)
    if mine is None:
        return [_failed("2-5", Finding(c.EVENT_MISSING, path, expected="aip.ingest"))]
    out = [_passed("2-5", path, "aip.ingest", f"event {mine.get('seq')} hash {str(mine.get('hash'))[:12]}")]
    lookup = ctx.services.get("events")
    if lookup is not None:
        logged = _ingest_event(list(lookup(aip_id)), aip_id)
        if logged is None:
            out.append(_failed("2-5", Finding(c.EVENT_MISSING, "event log", expected="aip.ingest")))
        elif logged.get("hash") != mine.get("hash"):
            out.append(_failed("2-5", Finding(c.EVENT_DIFFERS, path, expected="aip.ingest", found=str(logged.get("hash")))))
        else:
            out.append(_passed("2-5", "event log", "aip.ingest", "same event in the log"))
    return out


def check_process_metadata(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-5: AIP — the ingest event in events.json and in the log; SIP — sender, date, 归档者."""
    if package.kind == "aip":
        return _aip_process(package, ctx)
    cf = package.casefile
    wanted = {"bag-info.txt Source-Organization": package.bag_info.get("Source-Organization"),
              "bag-info.txt Bagging-Date": package.bag_info.get("Bagging-Date"),
              "casefile.xml archivedBy (归档者)": cf.archived_by if cf else None}
    results = [_failed("2-5", Finding(c.PROCESS_INFO_MISSING, "package", expected=label))
               for label, value in wanted.items() if not (value or "").strip()]
    return _or_passed(results, _passed("2-5", expected=", ".join(wanted), found="present",
                                       remarks="partly: the SIP profile records no further processing history"))


# ---------------------------------------------------------------- 2-9 archiving scope

def check_archiving_scope(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-9: retention within the court schedule; the case type within the archiving scope."""
    cf = package.casefile
    if cf is None:
        return _no_metadata("2-9")
    allowed = ", ".join(r.period.value for r in COURT_LITIGATION.rules)
    try:
        COURT_LITIGATION.rule(cf.retention)
        out = [_passed("2-9", "retention", allowed, cf.retention.value, COURT_LITIGATION.name)]
    except KeyError:
        out = [_failed("2-9", Finding(c.RETENTION_SCHEDULE, METADATA_PATH, expected=allowed, found=cf.retention.value))]
    return out + [_case_type(cf.case_number, ctx.settings.get("archivable_categories"))]


def _case_type(case_number: str, categories: Any) -> CheckResult:
    number, _ = parse_case_number(case_number, location=METADATA_PATH)
    category = number.category if number else None
    if category is None:
        return _verdict("2-9", Status.INDETERMINATE, Finding(c.CASE_TYPE_UNKNOWN, METADATA_PATH, found=case_number))
    if categories is not None and category not in categories:
        return _failed("2-9", Finding(c.CASE_TYPE, METADATA_PATH, expected=", ".join(categories), found=category))
    return _passed("2-9", "case type", "archivable category",
                   f"{category} ({number.type_code if number else '?'})")


# ---------------------------------------------------------------- 2-10 package metadata (AIP)

def _info_fields(package: PackageView) -> list[CheckResult]:
    missing = [label for label in AIP_INFO_LABELS if not package.bag_info.get(label, "").strip()]
    out = [_failed("2-10", Finding(c.TAG_FIELD_MISSING, "bag-info.txt", expected=label)) for label in missing]
    rec = package.recorded
    for label, key in (("Archive-Number", "archive_number"), ("AIP-Identifier", "aip_id")):
        value = package.bag_info.get(label)
        if key in rec and value and value != rec[key]:
            out.append(_failed("2-10", Finding(c.TAG_DIFFERS, "bag-info.txt", expected=str(rec[key]), found=value,
                                               params={"field": label})))
    return out


def _description(package: PackageView) -> list[CheckResult]:
    path = "preservation/description.json"
    data, problem = _json(package, path)
    if problem == "missing":
        return [_failed("2-10", Finding(c.TAG_MISSING, path))]
    if problem or not isinstance(data, Mapping):
        return [_failed("2-10", Finding(c.TAG_INVALID, path, found=problem or type(data).__name__))]
    out = [_failed("2-10", Finding(c.TAG_FIELD_MISSING, path, expected=key))
           for key in AIP_DESCRIPTION_KEYS if data.get(key) in (None, "", [])]
    recorded = package.recorded.get("archive_number")
    if recorded and data.get("archive_number") not in (None, recorded):
        out.append(_failed("2-10", Finding(c.TAG_DIFFERS, path, expected=recorded, found=str(data["archive_number"]),
                                           params={"field": "archive_number"})))
    return out


def _preservation_files(package: PackageView) -> list[CheckResult]:
    from cryptography import x509

    out = []
    for name in ("events.json", "validation.json"):
        data, problem = _json(package, f"preservation/{name}")
        if problem:
            code = c.TAG_MISSING if problem == "missing" else c.TAG_INVALID
            out.append(_failed("2-10", Finding(code, f"preservation/{name}", found=problem)))
    pem = _read(package, "preservation/signer.pem")
    try:
        if pem is None:
            out.append(_failed("2-10", Finding(c.TAG_MISSING, "preservation/signer.pem")))
        else:
            x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        out.append(_failed("2-10", Finding(c.TAG_INVALID, "preservation/signer.pem", found=str(exc)[:200])))
    return out


def check_package_metadata(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-10: the AIP's tag files are complete (bag-info, description, events, signer)."""
    if package.kind != "aip":
        return _na("2-10", "storage-stage item: a SIP has no AIP tag files yet")
    results = _info_fields(package) + _description(package) + _preservation_files(package)
    return _or_passed(results, _passed("2-10", expected="docs/aip.md tag files",
                                       found=f"{len(AIP_INFO_LABELS)} bag-info elements, "
                                             f"{len(AIP_DESCRIPTION_KEYS)} description keys, events, signer"))


# ---------------------------------------------------------------- 3-1, 3-2 metadata usability

def check_metadata_readable(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-1: the metadata XML (and the AIP's JSON metadata) parses and can be read."""
    data = _read(package, METADATA_PATH)
    if data is None:
        return [_failed("3-1", Finding(c.METADATA_UNREADABLE, METADATA_PATH, found="missing"))]
    root, findings = safe_parse(data, METADATA_PATH)
    if root is None:
        found = ", ".join(sorted({f.code for f in findings}))
        out = [CheckResult("3-1", Status.FAILED, METADATA_PATH, "well-formed UTF-8 XML", found,
                           (Finding(c.METADATA_UNREADABLE, METADATA_PATH, found=found), *findings))]
    else:
        out = [_passed("3-1", METADATA_PATH, "well-formed UTF-8 XML", f"parsed, {len(root)} elements")]
    if package.kind == "aip":
        for name in ("description.json", "events.json"):
            _, problem = _json(package, f"preservation/{name}")
            out.append(_failed("3-1", Finding(c.METADATA_UNREADABLE, f"preservation/{name}", found=problem))
                       if problem else _passed("3-1", f"preservation/{name}", "JSON", "parsed"))
    return out


def check_catalogue_accessible(package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-2: the catalogue answers; for an AIP it holds the package's record."""
    lookup = ctx.services.get("catalogue")
    if lookup is None:
        return [_verdict("3-2", Status.INDETERMINATE, Finding(c.CATALOGUE_NO_SERVICE, package.identifier))]
    key = str(package.recorded.get("aip_id") or package.identifier)
    if package.kind != "aip" and package.casefile is not None:
        key = package.casefile.case_number
    try:
        record = lookup(key)
    except Exception as exc:  # noqa: BLE001 — any driver error means "not accessible"
        return [_failed("3-2", Finding(c.CATALOGUE_UNREACHABLE, key, found=f"{type(exc).__name__}: {exc}"[:200]))]
    if package.kind == "aip":
        if record is None:
            return [_failed("3-2", Finding(c.CATALOGUE_ROW_MISSING, "catalogue", expected=key))]
        return [_passed("3-2", "catalogue", key, f"record {getattr(record, 'archive_number', key)} read")]
    state = "not yet archived" if record is None else f"already archived as {getattr(record, 'archive_number', '?')}"
    return [_passed("3-2", "catalogue", "reachable", f"reachable; {state}")]
