"""The XML binding of the case file: safe parsing, schema validation, model mapping.

Reading goes cheap to expensive (STYLE.md §5): size, encoding, no DTD, well-formed
(lxml with entity resolution, DTD loading and network access off), then
``schemas/casefile.xsd`` (xmlschema, loaded once), then the frozen model.  Every
fault of the input becomes a finding; nothing here raises on bad bytes.
"""
from __future__ import annotations

import functools
import re
from datetime import date
from importlib import resources
from typing import Callable, Iterator, TypeVar

import xmlschema
from lxml import etree
from xmlschema.validators import (XsdEnumerationFacets, XsdIdentity, XsdLengthFacet,
                                  XsdMaxLengthFacet, XsdMinLengthFacet, XsdPatternFacets)

from findings import Finding
from metadata import codes
from metadata.model import (CaseFile, Digest, Document, OriginalForm, Party, Procedure,
                            RetentionPeriod, SecurityLevel, Volume)
from metadata.vocab import field_zh

NAMESPACE = "urn:casearchive:casefile:1"
VERSION = "1.0"
DEFAULT_LOCATION = "data/metadata/casefile.xml"
DEFAULT_MAX_SIZE = 16 * 1024 * 1024
MAX_SCHEMA_ERRORS = 50

_NS = "{" + NAMESPACE + "}"
_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32 byte-order mark"), (b"\xff\xfe\x00\x00", "UTF-32 byte-order mark"),
         (b"\xfe\xff", "UTF-16 byte-order mark"), (b"\xff\xfe", "UTF-16 byte-order mark"))
_ENCODING_DECL = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[ \t\r\n][^>]{0,200}?encoding[ \t\r\n]*=[ \t\r\n]*"
                            rb"[\"']([A-Za-z][A-Za-z0-9._-]{0,40})[\"']")
_DTD_MARKERS = ("<!DOCTYPE", "<!ENTITY")
_T = TypeVar("_T")


# ---------------------------------------------------------------- safe parsing

def _parser() -> etree.XMLParser:
    """A parser that never reads a DTD, expands an entity or touches the network."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False,
                           no_network=True, huge_tree=False, collect_ids=False, recover=False)


def _encoding_problem(data: bytes) -> str | None:
    """Why ``data`` is not UTF-8 XML, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    declared = _ENCODING_DECL.match(data)
    if declared and declared.group(1).decode("ascii").lower() != "utf-8":
        return f"declared encoding {declared.group(1).decode('ascii')}"
    nul = data.find(b"\x00")
    if nul >= 0:
        return f"NUL byte at offset {nul} (UTF-16 or UTF-32 without a byte-order mark?)"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"invalid UTF-8 byte at offset {exc.start}"
    return None


def _dtd_finding(text: str, location: str) -> Finding | None:
    """Refuse any DOCTYPE/ENTITY text before libxml2 sees it (XXE, billion laughs)."""
    hits = [pos for pos in (text.find(m) for m in _DTD_MARKERS) if pos >= 0]
    if not hits:
        return None
    pos = min(hits)
    snippet = text[pos:pos + 60].replace("\n", " ")
    return Finding(codes.XML_DOCTYPE, location, found=snippet,
                   params={"line": text.count("\n", 0, pos) + 1})


def _malformed(exc: etree.XMLSyntaxError, location: str) -> Finding:
    line, column = exc.position if exc.position else (exc.lineno, 0)
    return Finding(codes.XML_MALFORMED, location,
                   params={"line": line, "column": column, "reason": exc.msg or str(exc)})


def safe_parse(data: bytes, location: str = DEFAULT_LOCATION, *,
               max_size: int = DEFAULT_MAX_SIZE) -> tuple[etree._Element | None, list[Finding]]:
    """Parse UTF-8 XML without DTDs; return the root element or the findings why not."""
    if len(data) > max_size:
        return None, [Finding(codes.XML_TOO_LARGE, location, expected=str(max_size), found=str(len(data)))]
    problem = _encoding_problem(data)
    if problem:
        return None, [Finding(codes.XML_NOT_UTF8, location, params={"reason": problem})]
    dtd = _dtd_finding(data.decode("utf-8"), location)
    if dtd:
        return None, [dtd]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        return None, [_malformed(exc, location)]
    if root.getroottree().docinfo.doctype:  # defence in depth: the text scan should catch it
        return None, [Finding(codes.XML_DOCTYPE, location, found=root.getroottree().docinfo.doctype,
                              params={"line": 1})]
    return root, []


# ---------------------------------------------------------------- schema

@functools.cache
def casefile_schema() -> xmlschema.XMLSchema10:
    """schemas/casefile.xsd, loaded once per process."""
    source = resources.files("schemas").joinpath("casefile.xsd")
    with resources.as_file(source) as path:
        return xmlschema.XMLSchema10(str(path))


def _xsd_code(error: xmlschema.XMLSchemaValidationError) -> str:
    """Sort a schema error into the DA/T 70 item it violates."""
    validator = error.validator
    if isinstance(error, xmlschema.XMLSchemaChildrenValidationError):
        return codes.XSD_STRUCTURE
    if isinstance(validator, (XsdMinLengthFacet, XsdMaxLengthFacet, XsdLengthFacet)):
        return codes.XSD_LENGTH
    if isinstance(validator, XsdEnumerationFacets) or "fixed value" in (error.reason or ""):
        return codes.XSD_VALUE
    if isinstance(validator, XsdIdentity) or "duplicated value" in (error.reason or ""):
        return codes.XSD_DUPLICATE
    if "required" in (error.reason or "") or "missing" in (error.reason or ""):
        return codes.XSD_STRUCTURE
    if isinstance(validator, XsdPatternFacets) or callable(validator) or \
            getattr(validator, "is_simple", lambda: False)():
        return codes.XSD_TYPE
    return codes.XSD_INVALID


def _xsd_reason(error: xmlschema.XMLSchemaValidationError) -> str:
    validator = error.validator
    if isinstance(validator, XsdPatternFacets):  # the regex itself helps nobody
        type_name = getattr(validator.parent, "local_name", None) or "its type"
        return f"value {str(error.obj)[:80]!r} does not match the pattern of {type_name}"
    return (error.reason or str(error.message)).strip()[:300]


def _xsd_finding(error: xmlschema.XMLSchemaValidationError, location: str) -> Finding:
    path = re.sub(r"(?<=/)[A-Za-z_][\w.-]*:", "", error.path or "/")
    found = error.obj if isinstance(error.obj, (str, int)) else None
    return Finding(_xsd_code(error), location, found=None if found is None else str(found)[:100], params={
        "field": path, "field_zh": field_zh(path), "reason": _xsd_reason(error),
        "line": getattr(error, "sourceline", None) or 0})


@functools.lru_cache(maxsize=1)
def casefile_schema_libxml2() -> etree.XMLSchema:
    """The same schema compiled by libxml2: the fast verdict for valid documents."""
    source = resources.files("schemas").joinpath("casefile.xsd")
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path), _SCHEMA_PARSER))


_SCHEMA_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def validate_tree(root: etree._Element, location: str = DEFAULT_LOCATION) -> list[Finding]:
    """Validate against casefile.xsd: one finding per error, at most MAX_SCHEMA_ERRORS.

    libxml2 decides first (C speed: a case file of 20,000 documents in well under a
    second); only an invalid document goes through xmlschema, whose errors name the
    violated facet precisely (MD-XSD-LENGTH, -TYPE, -VALUE …).
    """
    fast = casefile_schema_libxml2()
    if fast.validate(root):
        return []
    findings = _detailed_errors(root, location)
    if not findings:  # the two validators disagree: keep libxml2's refusal, never pass silently
        error = fast.error_log.last_error
        findings.append(Finding(codes.XSD_INVALID, location, params={
            "field": error.path or "/", "field_zh": field_zh(error.path or "/"), "reason": error.message[:300],
            "line": error.line}))
    return findings


def _detailed_errors(root: etree._Element, location: str) -> list[Finding]:
    findings: list[Finding] = []
    try:
        for error in casefile_schema().iter_errors(root):
            finding = _xsd_finding(error, location)
            if finding in findings:  # xmlschema repeats some pattern errors
                continue
            if len(findings) == MAX_SCHEMA_ERRORS:
                findings.append(Finding(codes.XSD_TRUNCATED, location, expected=str(MAX_SCHEMA_ERRORS)))
                break
            findings.append(finding)
    except (xmlschema.XMLSchemaException, RecursionError, ValueError, TypeError) as exc:
        # hostile shapes xmlschema cannot walk are an input fault, not a crash
        findings.append(Finding(codes.XSD_UNEVALUABLE, location,
                                params={"reason": f"{type(exc).__name__}: {exc}"[:300]}))
    return findings


# ---------------------------------------------------------------- XML → model

class _MapError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field, self.reason = field, reason


class _Reader:
    """Typed access to the children of one schema-valid element."""

    def __init__(self, element: etree._Element, path: str) -> None:
        self.element, self.path = element, path

    def opt(self, name: str) -> str | None:
        child = self.element.find(_NS + name)
        return None if child is None else (child.text or "")

    def text(self, name: str) -> str:
        value = self.opt(name)
        if value is None:
            raise _MapError(f"{self.path}/{name}", "element missing")
        return value

    def convert(self, name: str, convert: Callable[[str], _T]) -> _T:
        try:
            return convert(self.text(name).strip())
        except ValueError as exc:
            raise _MapError(f"{self.path}/{name}", str(exc)[:200]) from None

    def number(self, name: str) -> int:
        return self.convert(name, int)

    def day(self, name: str) -> date:
        return self.convert(name, date.fromisoformat)

    def opt_day(self, name: str) -> date | None:
        return None if self.opt(name) is None else self.day(name)

    def children(self, container: str, child: str) -> Iterator[etree._Element]:
        parent = self.element.find(_NS + container)
        return iter(()) if parent is None else parent.iterfind(_NS + child)


def _document(element: etree._Element, index: int) -> Document:
    r = _Reader(element, f"/caseFile/documents/document[{index}]")
    digest = element.find(_NS + "digest")
    return Document(
        sequence=r.number("sequence"), title=r.text("title"), creator=r.text("creator"),
        date=r.day("date"), volume=Volume(r.text("volume")), path=r.text("path"),
        page_count=r.number("pageCount"), start_page=r.number("startPage"),
        original_form=OriginalForm(r.text("originalForm")), format=r.text("format"),
        size=r.number("size"),
        digest=Digest(digest.get("algorithm", ""), (digest.text or "").strip().lower()),
        doc_number=r.opt("docNumber"), paper_location=r.opt("paperLocation"), remarks=r.opt("remarks"))


def _casefile(root: etree._Element) -> CaseFile:
    r = _Reader(root, "/caseFile")
    return CaseFile(
        case_number=r.text("caseNumber"), cause=r.text("cause"),
        parties=tuple(Party(p.get("role", ""), p.text or "") for p in r.children("parties", "party")),
        procedure=Procedure(r.text("procedure")), result=r.text("result"), court=r.text("court"),
        department=r.text("department"), judge=r.text("judge"), clerk=r.text("clerk"),
        panel=tuple(m.text or "" for m in r.children("panel", "member")),
        filing_date=r.day("filingDate"), closing_date=r.day("closingDate"),
        archiving_date=r.opt_day("archivingDate"),
        security_level=SecurityLevel(r.text("securityLevel")),
        retention=RetentionPeriod(r.text("retention")),
        main_volumes=r.number("mainVolumes"), secondary_volumes=r.number("secondaryVolumes"),
        document_count=r.number("documentCount"), page_count=r.number("pageCount"),
        fonds_number=r.opt("fondsNumber"), archive_number=r.opt("archiveNumber"),
        related_case_numbers=tuple(c.text or "" for c in r.children("relatedCaseNumbers", "caseNumber")),
        archived_by=r.opt("archivedBy"),
        documents=tuple(_document(d, i) for i, d in enumerate(r.children("documents", "document"), 1)))


def parse_casefile(data: bytes, location: str = DEFAULT_LOCATION, *,
                   max_size: int = DEFAULT_MAX_SIZE) -> tuple[CaseFile | None, list[Finding]]:
    """Read casefile.xml: the model when it is safe, well-formed and schema-valid, with findings."""
    root, findings = safe_parse(data, location, max_size=max_size)
    if root is None:
        return None, findings
    findings = validate_tree(root, location)
    if findings:
        return None, findings
    try:
        return _casefile(root), []
    except _MapError as exc:
        return None, [Finding(codes.XML_UNMAPPABLE, location, params={
            "field": exc.field, "field_zh": field_zh(exc.field), "reason": exc.reason})]


# ---------------------------------------------------------------- model → XML

def _add(parent: etree._Element, name: str, value: object | None) -> etree._Element | None:
    """Append <name>value</name>; None means the optional element is absent."""
    if value is None:
        return None
    child = etree.SubElement(parent, _NS + name)
    child.text = value.isoformat() if isinstance(value, date) else str(value)
    return child


def _add_list(parent: etree._Element, container: str, child: str, values: tuple[str, ...]) -> None:
    if values:
        holder = etree.SubElement(parent, _NS + container)
        for value in values:
            _add(holder, child, value)


def _document_xml(parent: etree._Element, doc: Document) -> None:
    el = etree.SubElement(parent, _NS + "document")
    for name, value in (("sequence", doc.sequence), ("title", doc.title), ("creator", doc.creator),
                        ("docNumber", doc.doc_number), ("date", doc.date), ("volume", doc.volume.value),
                        ("pageCount", doc.page_count), ("startPage", doc.start_page),
                        ("originalForm", doc.original_form.value), ("paperLocation", doc.paper_location),
                        ("format", doc.format), ("size", doc.size), ("path", doc.path)):
        _add(el, name, value)
    digest = _add(el, "digest", doc.digest.value)
    assert digest is not None
    digest.set("algorithm", doc.digest.algorithm)
    _add(el, "remarks", doc.remarks)


def _head_xml(root: etree._Element, cf: CaseFile) -> None:
    """The 案卷级 elements up to the panel, in schema order."""
    _add(root, "caseNumber", cf.case_number)
    _add(root, "cause", cf.cause)
    parties = etree.SubElement(root, _NS + "parties")
    for party in cf.parties:
        el = _add(parties, "party", party.name)
        assert el is not None
        el.set("role", party.role)
    for name, value in (("procedure", cf.procedure.value), ("result", cf.result), ("court", cf.court),
                        ("department", cf.department), ("judge", cf.judge), ("clerk", cf.clerk)):
        _add(root, name, value)
    _add_list(root, "panel", "member", cf.panel)


def casefile_to_xml(cf: CaseFile) -> bytes:
    """casefile.xml for ``cf``: pretty-printed UTF-8 with an XML declaration.

    Raises ValueError when a value cannot be written as XML (control characters).
    """
    root = etree.Element(_NS + "caseFile", nsmap={None: NAMESPACE})
    root.set("version", VERSION)
    _head_xml(root, cf)
    for name, value in (("filingDate", cf.filing_date), ("closingDate", cf.closing_date),
                        ("archivingDate", cf.archiving_date), ("securityLevel", cf.security_level.value),
                        ("retention", cf.retention.value), ("mainVolumes", cf.main_volumes),
                        ("secondaryVolumes", cf.secondary_volumes), ("documentCount", cf.document_count),
                        ("pageCount", cf.page_count), ("fondsNumber", cf.fonds_number),
                        ("archiveNumber", cf.archive_number)):
        _add(root, name, value)
    _add_list(root, "relatedCaseNumbers", "caseNumber", cf.related_case_numbers)
    _add(root, "archivedBy", cf.archived_by)
    documents = etree.SubElement(root, _NS + "documents")
    for doc in cf.documents:
        _document_xml(documents, doc)
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
