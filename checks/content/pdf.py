"""Open a PDF completely with pypdf: pages, objects, encryption, actions, fonts, PDF/A claim.

One walk over every object reachable from the trailer finds what DA/T 70 3-8 refuses
(JavaScript, Launch/GoToR/SubmitForm/ImportData actions, streams whose data lives in
an external file, non-standard filters), the fonts (3-5) and the embedded files (2-8);
then every page's content stream is decoded and tokenised and its resources resolved
(3-4).  Filters named in ISO 32000-1 7.4 are open standards, JBIG2 (ISO 14492) and
JPX (ISO 15444) included; anything else is a private compression and refused.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import IO, Any, Iterator

from lxml import etree
from pypdf import PdfReader
from pypdf import __version__ as PYPDF_VERSION
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject

import checks.codes_content  # noqa: F401 — registers CHK- codes
from checks.content.report import Attachment, ContentReport, FontInfo
from findings import Finding, Severity

OPEN_FILTERS = frozenset({"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCIIHexDecode", "/AHx",
                          "/ASCII85Decode", "/A85", "/RunLengthDecode", "/RL", "/CCITTFaxDecode", "/CCF",
                          "/DCTDecode", "/DCT", "/JBIG2Decode", "/JPXDecode", "/Crypt"})
#: Actions that start programs, open other files or send data (ISO 32000-1 12.6.4).
EXTERNAL_ACTIONS = frozenset({"/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/RichMediaExecute"})
_EMBEDDING_KEYS = ("/FontFile", "/FontFile2", "/FontFile3")
_SIMPLE_FONTS = frozenset({"/Type1", "/MMType1", "/TrueType", "/CIDFontType0", "/CIDFontType2"})
_PDFAID = "http://www.aiim.org/pdfa/ns/id/"
_SHOW_TEXT = frozenset({b"Tj", b"TJ", b"'", b'"'})
_DECODE_WORDS = ("decompress", "decode", "unsupported filter", "zlib")
_REPAIR_WORDS = ("xref", "rebuil", "startxref", "eof")


@dataclass
class _Walk:
    """What the object walk collects."""

    path: str
    max_objects: int
    seen: int = 0
    fonts: dict[tuple[Any, ...], FontInfo] = field(default_factory=dict)  # by object number
    compliance: list[Finding] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attachment_findings: list[Finding] = field(default_factory=list)
    defects: list[Finding] = field(default_factory=list)
    filters: set[str] = field(default_factory=set)
    uri_severity: Severity = Severity.WARNING


class _LogCapture(logging.Handler):
    """pypdf reports repairs of broken files as log warnings: keep them as findings."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def analyse_pdf(stream: IO[bytes], path: str, *, max_objects: int = 200_000, refuse_uri: bool = False) -> ContentReport:
    """Open ``stream`` as a PDF and report; never raises for bad bytes."""
    reader_name = f"pypdf {PYPDF_VERSION}"
    fatal = _truncation(stream, path)
    capture = _LogCapture()
    logger = logging.getLogger("pypdf")
    logger.addHandler(capture)
    try:
        return _analyse(stream, path, max_objects, refuse_uri, reader_name, fatal, capture)
    except Exception as exc:  # noqa: BLE001 — hostile bytes raise anything inside pypdf
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return ContentReport(reader_name, fatal=(*fatal, Finding("CHK-PDF-UNREADABLE", path, params={"reason": reason})))
    finally:
        logger.removeHandler(capture)


def _analyse(stream: IO[bytes], path: str, max_objects: int, refuse_uri: bool, reader_name: str,
             fatal: list[Finding], capture: _LogCapture) -> ContentReport:
    stream.seek(0)
    reader = PdfReader(stream, strict=False)
    compliance: list[Finding] = []
    encrypted = bool(reader.is_encrypted)
    if encrypted:
        compliance.append(Finding("CHK-PDF-ENCRYPTED", path, found=_encryption(reader)))
        if not reader.decrypt(""):  # an owner-password-only file still opens
            fatal.append(Finding("CHK-PDF-UNREADABLE", path, params={"reason": "a user password is required"}))
            return ContentReport(reader_name, fatal=tuple(fatal), compliance=tuple(compliance), encrypted=True)
    walk = _Walk(path, max_objects, uri_severity=Severity.ERROR if refuse_uri else Severity.WARNING)
    _walk_objects(reader, walk)
    pages, page_defects, used = _parse_pages(reader, path, capture)
    defects = page_defects + walk.defects + _repairs(capture, path)
    pdfa = _pdfa(reader)
    fonts = _used(walk.fonts, used, complete=not page_defects)
    long_term = _font_findings(fonts, path) + _pdfa_findings(pdfa, fonts, encrypted, walk, path)
    return ContentReport(reader_name, pages=pages, fatal=tuple(fatal), defects=tuple(defects),
                         compliance=tuple(compliance + walk.compliance), long_term=tuple(long_term),
                         attachments=tuple(walk.attachments), attachment_findings=tuple(walk.attachment_findings),
                         fonts=fonts, pdfa=pdfa, encrypted=encrypted, software=_software(reader))


def _truncation(stream: IO[bytes], path: str) -> list[Finding]:
    """ISO 32000-1 7.5.5: the last line is %%EOF (some writers add a little padding)."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 1024))
    tail = stream.read()
    return [] if b"%%EOF" in tail else [Finding("CHK-PDF-TRUNCATED", path)]


def _encryption(reader: PdfReader) -> str:
    try:
        enc: Any = reader.trailer["/Encrypt"].get_object()
        return f"{enc.get('/Filter')} V{enc.get('/V')} R{enc.get('/R')}"
    except Exception:  # noqa: BLE001 — a hostile /Encrypt is still encryption
        return "encryption dictionary present"


def _software(reader: PdfReader) -> dict[str, str]:
    try:
        info: Any = reader.metadata or {}
        return {k.lstrip("/"): str(info[k])[:200] for k in ("/Producer", "/Creator") if k in info}
    except Exception:  # noqa: BLE001
        return {}


def _repairs(capture: _LogCapture, path: str) -> list[Finding]:
    reasons = [m for m in capture.messages if any(w in m.lower() for w in _REPAIR_WORDS)]
    if not reasons:
        return []
    return [Finding("CHK-PDF-REPAIRED", path, params={"reason": "; ".join(dict.fromkeys(reasons))[:300]})]


# ---------------------------------------------------------------- pages

def _parse_pages(reader: PdfReader, path: str,
                 capture: _LogCapture) -> tuple[int | None, list[Finding], set[tuple[Any, ...]]]:
    """Decode and tokenise every page's content, resolve its resources (DA/T 70 3-4).

    Also returns the fonts the content really selects (``Tf``), in pages and in the
    form XObjects they draw: a font listed in resources but never used need not be embedded.
    """
    try:
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        reason = f"page tree: {type(exc).__name__}: {exc}"[:300]
        return None, [Finding("CHK-PDF-UNREADABLE", path, params={"reason": reason})], set()
    defects: list[Finding] = []
    used: set[tuple[Any, ...]] = set()
    for number in range(count):
        logged = len(capture.messages)
        try:
            page = reader.pages[number]
            _used_fonts(page.get_contents(), page.get("/Resources"), used, depth=0)
        except Exception as exc:  # noqa: BLE001
            defects.append(Finding("CHK-PDF-PAGE-UNREADABLE", path,
                                   params={"page": number + 1, "reason": f"{type(exc).__name__}: {exc}"[:300]}))
            continue
        # pypdf logs (and papers over) a stream it cannot decode: that page is not readable
        decode = [m for m in capture.messages[logged:] if any(w in m.lower() for w in _DECODE_WORDS)]
        if decode:
            defects.append(Finding("CHK-PDF-PAGE-UNREADABLE", path,
                                   params={"page": number + 1, "reason": "; ".join(decode)[:300]}))
    return count, defects, used


def _key(ref: Any) -> tuple[Any, ...]:
    return (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else ("direct", id(ref))


def _used_fonts(contents: Any, resources: Any, used: set[tuple[Any, ...]], depth: int) -> None:
    """Tokenise ``contents`` (every operator) and collect the fonts it shows text with."""
    resources = resources.get_object() if resources is not None else DictionaryObject()
    operations = contents.operations if contents is not None else []
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else DictionaryObject()
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    current = None
    for operands, operator in operations:
        if operator == b"Tf" and operands and operands[0] in fonts:
            current = fonts.raw_get(operands[0])
        elif operator in _SHOW_TEXT and current is not None:  # a Tf with no text shown draws nothing
            used.add(_key(current))
            font: Any = current.get_object()
            for child in font.get("/DescendantFonts", ArrayObject()).get_object():
                used.add(_key(child))
        elif operator == b"Do" and operands and operands[0] in xobjects and depth < 4:
            form: Any = xobjects[operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                _used_fonts(ContentStream(form, None), form.get("/Resources", resources), used, depth + 1)


def _used(fonts: dict[tuple[Any, ...], FontInfo], used: set[tuple[Any, ...]], complete: bool) -> tuple[FontInfo, ...]:
    """The fonts drawn with (all of them when a page could not be parsed: no guessing)."""
    chosen: dict[str, FontInfo] = {}
    for key, font in fonts.items():
        if key in used or not complete or key[0] == "direct":
            known = chosen.get(font.name)
            chosen[font.name] = font if known is None or known.embedded else known
    return tuple(chosen.values())


# ---------------------------------------------------------------- object walk

def _children(obj: Any) -> Iterator[Any]:
    if isinstance(obj, DictionaryObject):
        yield from obj.values()
    elif isinstance(obj, ArrayObject):
        yield from obj


def _walk_objects(reader: PdfReader, walk: _Walk) -> None:
    """Every object reachable from the trailer, once (cycles and shared objects included)."""
    stack: list[Any] = [reader.trailer]
    visited: set[tuple[int, int]] = set()
    while stack:
        obj = stack.pop()
        key: tuple[Any, ...] = ("direct", id(obj))
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in visited:
                continue
            visited.add(key)
            try:
                obj = obj.get_object()
            except Exception as exc:  # noqa: BLE001
                walk.defects.append(Finding("CHK-PDF-PAGE-UNREADABLE", walk.path, params={
                    "page": "-", "reason": f"object {key[0]} {key[1]} R: {type(exc).__name__}"}))
                continue
        walk.seen += 1
        if walk.seen > walk.max_objects:
            walk.defects.append(Finding("CHK-PDF-TOO-COMPLEX", walk.path, expected=str(walk.max_objects)))
            return
        if isinstance(obj, DictionaryObject):
            _inspect(obj, walk, key)
        stack.extend(_children(obj))


def _inspect(d: DictionaryObject, walk: _Walk, key: tuple[Any, ...]) -> None:
    action = d.get("/S")
    if action == "/JavaScript":
        walk.compliance.append(Finding("CHK-PDF-JAVASCRIPT", walk.path, found=_js_text(d)))
    elif action in EXTERNAL_ACTIONS:
        walk.compliance.append(Finding("CHK-PDF-EXTERNAL-ACTION", walk.path, found=str(action).lstrip("/"),
                                       params={"detail": _target(d)}))
    elif action == "/URI":
        walk.compliance.append(Finding("CHK-PDF-URI-ACTION", walk.path, found=str(d.get("/URI", ""))[:200],
                                       severity=walk.uri_severity))
    if d.get("/Type") == "/Font":
        _font(d, walk, key)
    if isinstance(d, StreamObject):
        _stream(d, walk)
    if "/EF" in d or d.get("/Subtype") == "/FileAttachment":
        _attachment(d, walk)


def _js_text(d: DictionaryObject) -> str:
    try:
        js = d.get("/JS")
        js = js.get_object() if js is not None else ""
        text = js.get_data().decode("latin-1") if isinstance(js, StreamObject) else str(js)
    except Exception:  # noqa: BLE001
        text = "?"
    return " ".join(text.split())[:80]


def _target(d: DictionaryObject) -> str:
    for key in ("/F", "/Win", "/URL"):
        if key in d:
            try:
                value: Any = d[key].get_object()
                if isinstance(value, DictionaryObject):
                    value = value.get("/F") or value.get("/UF") or value.get("/FS") or ""
                return str(value)[:200]
            except Exception:  # noqa: BLE001
                return "?"
    return ""


def _font(d: DictionaryObject, walk: _Walk, key: tuple[Any, ...]) -> None:
    subtype = str(d.get("/Subtype", ""))
    if subtype not in _SIMPLE_FONTS and subtype != "/Type3":
        return  # Type0: its descendant CIDFont is inspected on its own
    name = str(d.get("/BaseFont", d.get("/Name", "?"))).lstrip("/")
    embedded = subtype == "/Type3"  # Type 3 glyphs are content streams in the file
    try:
        descriptor = d.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else None
        if isinstance(descriptor, DictionaryObject):
            embedded = embedded or any(k in descriptor for k in _EMBEDDING_KEYS)
    except Exception:  # noqa: BLE001
        pass
    walk.fonts[key] = FontInfo(name, subtype.lstrip("/"), embedded)


def _stream(d: StreamObject, walk: _Walk) -> None:
    if "/F" in d:  # ISO 32000-1 7.3.8.2: the stream's data is in an external file
        walk.compliance.append(Finding("CHK-PDF-EXTERNAL-STREAM", walk.path, found=str(d.get("/F"))[:200]))
    filters = d.get("/Filter")
    names = list(filters) if isinstance(filters, ArrayObject) else [filters] if filters is not None else []
    for name in names:
        walk.filters.add(str(name))
        if str(name) not in OPEN_FILTERS:
            walk.compliance.append(Finding("CHK-FMT-PROPRIETARY-COMPRESSION", walk.path,
                                           expected="ISO 32000-1 7.4 filters", found=str(name)))


def _attachment(d: DictionaryObject, walk: _Walk) -> None:
    """A file specification with /EF, or a FileAttachment annotation whose file is missing."""
    if d.get("/Subtype") == "/FileAttachment":
        fs = d.get("/FS")
        fs = fs.get_object() if fs is not None else None
        if not isinstance(fs, DictionaryObject) or "/EF" not in fs:
            _broken(walk, str(d.get("/Contents", "?")), "declared by an annotation but not embedded")
        return
    name = str(d.get("/UF") or d.get("/F") or "?")
    ef = d["/EF"].get_object()
    target = ef.get("/F") or ef.get("/UF") if isinstance(ef, DictionaryObject) else None
    target = target.get_object() if target is not None else None
    if not isinstance(target, StreamObject):
        _broken(walk, name, "no embedded file stream")
        return
    _check_embedded(target, name, walk)


def _check_embedded(target: StreamObject, name: str, walk: _Walk) -> None:
    try:
        data = target.get_data()
    except Exception as exc:  # noqa: BLE001
        _broken(walk, name, f"cannot be decoded ({type(exc).__name__})")
        return
    params = target.get("/Params")
    params = params.get_object() if params is not None else {}
    problem = None
    if "/Size" in params and int(params["/Size"]) != len(data):
        problem = f"{len(data)} bytes, {int(params['/Size'])} declared"
    elif "/CheckSum" in params and bytes(params["/CheckSum"].original_bytes) != hashlib.md5(data).digest():
        problem = "MD5 differs from the declared /CheckSum"
    walk.attachments.append(Attachment(name, len(data), problem is None))
    if problem:
        walk.attachment_findings.append(Finding("CHK-PDF-ATTACHMENT-BROKEN", walk.path, found=problem,
                                                params={"name": name}))


def _broken(walk: _Walk, name: str, problem: str) -> None:
    walk.attachments.append(Attachment(name, None, False))
    walk.attachment_findings.append(Finding("CHK-PDF-ATTACHMENT-BROKEN", walk.path, found=problem, params={"name": name}))


# ---------------------------------------------------------------- fonts, PDF/A

def _font_findings(fonts: tuple[FontInfo, ...], path: str) -> list[Finding]:
    return [Finding("CHK-PDF-FONT-NOT-EMBEDDED", path, found=f.name) for f in fonts if not f.embedded]


def _pdfa(reader: PdfReader) -> str | None:
    """pdfaid:part + conformance from the catalogue's /Metadata XMP stream (ISO 19005-1 6.7.11)."""
    from metadata.xml import safe_parse

    try:
        catalog: Any = reader.trailer["/Root"].get_object()
        meta = catalog.get("/Metadata")
        data = meta.get_object().get_data() if meta is not None else None
    except Exception:  # noqa: BLE001
        return None
    if not data:
        return None
    start = data.find(b"<x:xmpmeta")
    end = data.rfind(b"</x:xmpmeta>")
    root, _ = safe_parse(data[start:end + 12] if start >= 0 and end > start else data, "XMP")
    if root is None:
        return None
    return _pdfaid(root)


def _pdfaid(root: etree._Element) -> str | None:
    values: dict[str, str] = {}
    for el in root.iter():
        for key in ("part", "conformance"):
            attr = el.get(f"{{{_PDFAID}}}{key}")
            if attr:
                values[key] = attr.strip()
            if el.tag == f"{{{_PDFAID}}}{key}" and el.text:
                values[key] = el.text.strip()
    if "part" not in values:
        return None
    return values["part"] + values.get("conformance", "").upper()


def _pdfa_findings(pdfa: str | None, fonts: tuple[FontInfo, ...], encrypted: bool, walk: _Walk,
                   path: str) -> list[Finding]:
    """ISO 19005 rules a claim breaks that this reader can see."""
    if pdfa is None:
        return []
    broken = [f"font {f.name} is not embedded" for f in fonts if not f.embedded]
    if encrypted:
        broken.append("the file is encrypted")
    if any(f.code in ("CHK-PDF-JAVASCRIPT", "CHK-PDF-EXTERNAL-ACTION", "CHK-PDF-EXTERNAL-STREAM") for f in walk.compliance):
        broken.append("it holds JavaScript or external content")
    if pdfa.startswith("1") and (walk.attachments or {"/LZWDecode", "/JPXDecode"} & walk.filters):
        broken.append("PDF/A-1 forbids embedded files, LZW and JPX")
    return [Finding("CHK-PDF-PDFA-CLAIM-BROKEN", path, expected=pdfa, found=b) for b in broken]
