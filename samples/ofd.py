"""OFD documents (GB/T 33190-2016): a zip of XML parts describing fixed pages.

Package layout (GB/T 33190 §7.2): ``OFD.xml`` (entry file: DocBody with DocInfo and
DocRoot) → ``Doc_0/Document.xml`` (CommonData with PageArea and PublicRes, Pages)
→ ``Doc_0/PublicRes.xml`` (fonts) and ``Doc_0/Pages/Page_N/Content.xml`` (a Layer
of TextObject/TextCode and, for court documents, the seal as PathObject).
Units are millimetres.  Zip entries carry the document date as a fixed timestamp,
so the same input always gives the same bytes.
"""
from __future__ import annotations

import io
import math
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree

NS = "http://www.ofdspec.org/2016"
_OFD = "{%s}" % NS
PAGE_W, PAGE_H = 210.0, 297.0
# GB/T 9704-2012 §5.2: body in 三号 (5.6 mm), 22 lines of 28 characters per A4 page.
_BODY, _LEADING = 5.6, 10.2
_CHARS_PER_LINE, _LINES_PER_PAGE = 28, 22
_MARGIN_X, _MARGIN_Y = (PAGE_W - _CHARS_PER_LINE * _BODY) / 2, 37.0
_FONT_ID = 1
_NO_LINE_START = set("，。、；：？！）》」』”’")


@dataclass(frozen=True)
class TextLine:
    text: str
    size: float = _BODY
    align: str = "left"


def char_width(ch: str, size: float) -> float:
    """Advance of one glyph: full width for CJK and full-width forms, half otherwise."""
    return size if unicodedata.east_asian_width(ch) in ("W", "F", "A") else size / 2


def text_width(text: str, size: float) -> float:
    return sum(char_width(ch, size) for ch in text)


def wrap(text: str, width: float, size: float = _BODY) -> list[str]:
    """Break ``text`` into lines of at most ``width`` mm, first line indented two chars."""
    lines: list[str] = []
    current = "\u3000\u3000"
    for ch in text:
        if text_width(current + ch, size) > width and ch not in _NO_LINE_START and current.strip():
            lines.append(current)
            current = ""
        current += ch
    if current.strip():
        lines.append(current)
    return lines


def paginate(title: str, paragraphs: Sequence[str], header: str | None,
             doc_number: str | None, max_pages: int) -> list[list[TextLine]]:
    lines: list[TextLine] = [TextLine(header, 6.3, "center")] if header else []
    lines.append(TextLine(title, 7.8, "center"))
    if doc_number:
        lines.append(TextLine(doc_number, _BODY, "right"))
    for paragraph in paragraphs:
        for part in paragraph.split("\n"):
            lines += [TextLine(t) for t in wrap(part, PAGE_W - 2 * _MARGIN_X)]
    per = _LINES_PER_PAGE
    return [lines[i:i + per] for i in range(0, len(lines), per)][:max_pages]


def _delta_x(text: str, size: float) -> str:
    """DeltaX in the compact ``g n v`` form of GB/T 33190 §11.3 for runs of equal advances."""
    advances = [char_width(ch, size) for ch in text[:-1]]
    parts: list[str] = []
    i = 0
    while i < len(advances):
        j = i
        while j < len(advances) and advances[j] == advances[i]:
            j += 1
        parts.append(f"g {j - i} {advances[i]:g}" if j - i > 1 else f"{advances[i]:g}")
        i = j
    return " ".join(parts)


class _Ids:
    """Object identifiers, unique within the document (GB/T 33190 §7.4, MaxUnitID)."""

    def __init__(self) -> None:
        self.last = _FONT_ID

    def next(self) -> str:
        self.last += 1
        return str(self.last)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _OFD + tag, attrs)
    if text is not None:
        el.text = text
    return el


def _root(tag: str, **attrs: str) -> etree._Element:
    return etree.Element(_OFD + tag, attrs, nsmap={"ofd": NS})


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _text_object(layer: etree._Element, ids: _Ids, line: TextLine, y: float) -> None:
    width = text_width(line.text, line.size)
    x = {"center": (PAGE_W - width) / 2, "right": PAGE_W - _MARGIN_X - width}.get(line.align, _MARGIN_X)
    obj = _sub(layer, "TextObject", ID=ids.next(), Boundary=f"{x:.2f} {y:.2f} {width + 1:.2f} {line.size * 1.4:.2f}",
               Font=str(_FONT_ID), Size=f"{line.size:g}")
    code = _sub(obj, "TextCode", line.text, X="0", Y=f"{line.size:g}")
    if len(line.text) > 1:
        code.set("DeltaX", _delta_x(line.text, line.size))


def _seal(layer: etree._Element, ids: _Ids, cx: float, cy: float, r: float = 21.0) -> None:
    """The court's round seal: a red ring and a five-pointed star, as vector paths."""
    ring = _sub(layer, "PathObject", ID=ids.next(), Boundary=f"{cx - r:g} {cy - r:g} {2 * r:g} {2 * r:g}", LineWidth="1.2")
    _sub(ring, "StrokeColor", Value="200 32 36")
    _sub(ring, "AbbreviatedData", f"M 0 {r:g} A {r:g} {r:g} 0 1 0 {2 * r:g} {r:g} A {r:g} {r:g} 0 1 0 0 {r:g} C")
    points = [(r + (0.32 if i % 2 == 0 else 0.13) * r * math.cos(math.radians(-90 + 36 * i)),
               r + (0.32 if i % 2 == 0 else 0.13) * r * math.sin(math.radians(-90 + 36 * i))) for i in range(10)]
    star = _sub(layer, "PathObject", ID=ids.next(), Boundary=f"{cx - r:g} {cy - r:g} {2 * r:g} {2 * r:g}",
                Stroke="false", Fill="true")
    _sub(star, "FillColor", Value="200 32 36")
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.2f} {y:.2f}" for i, (x, y) in enumerate(points))
    _sub(star, "AbbreviatedData", path + " C")


def page_content(lines: Sequence[TextLine], ids: _Ids, seal: bool) -> bytes:
    page = _root("Page")
    layer = _sub(_sub(page, "Content"), "Layer", ID=ids.next())
    y = _MARGIN_Y
    for line in lines:
        if line.text:
            _text_object(layer, ids, line, y)
        y += _LEADING
    if seal:
        _seal(layer, ids, PAGE_W - _MARGIN_X - 30, min(y + 5, PAGE_H - _MARGIN_Y - 25))
    return _xml(page)


def _entry_file(doc_id: str, title: str, author: str, created: date) -> bytes:
    root = _root("OFD", Version="1.0", DocType="OFD")
    body = _sub(root, "DocBody")
    info = _sub(body, "DocInfo")
    _sub(info, "DocID", doc_id)
    _sub(info, "Title", title)
    _sub(info, "Author", author)
    _sub(info, "CreationDate", created.isoformat())
    _sub(info, "Creator", "casearchive samples")
    _sub(body, "DocRoot", "Doc_0/Document.xml")
    return _xml(root)


def _document(page_ids: Sequence[str], max_id: int) -> bytes:
    root = _root("Document")
    common = _sub(root, "CommonData")
    _sub(common, "MaxUnitID", str(max_id))
    _sub(_sub(common, "PageArea"), "PhysicalBox", f"0 0 {PAGE_W:g} {PAGE_H:g}")
    _sub(common, "PublicRes", "PublicRes.xml")
    pages = _sub(root, "Pages")
    for n, page_id in enumerate(page_ids):
        _sub(pages, "Page", ID=page_id, BaseLoc=f"Pages/Page_{n}/Content.xml")
    return _xml(root)


def _public_res() -> bytes:
    root = _root("Res", BaseLoc="Res")
    _sub(_sub(root, "Fonts"), "Font", ID=str(_FONT_ID), FontName="宋体", FamilyName="宋体")
    return _xml(root)


def _zip(parts: Sequence[tuple[str, bytes]], when: date) -> bytes:
    buf = io.BytesIO()
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix; the default depends on the platform
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def render_ofd(title: str, paragraphs: Sequence[str], *, doc_id: str, author: str, created: date,
               header: str | None = None, doc_number: str | None = None, seal: bool = False,
               max_pages: int = 6) -> tuple[bytes, int]:
    """An OFD package; returns (bytes, page count). ``doc_id`` is the 32-hex DocID."""
    pages = paginate(title, paragraphs, header, doc_number, max_pages)
    ids = _Ids()
    page_ids = [ids.next() for _ in pages]
    contents = [page_content(p, ids, seal and n == len(pages) - 1) for n, p in enumerate(pages)]
    parts = [("OFD.xml", _entry_file(doc_id, title, author, created)),
             ("Doc_0/Document.xml", _document(page_ids, ids.last)),
             ("Doc_0/PublicRes.xml", _public_res()),
             *((f"Doc_0/Pages/Page_{n}/Content.xml", c) for n, c in enumerate(contents))]
    return _zip(parts, created), len(pages)
