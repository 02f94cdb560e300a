"""Born-digital PDF documents with Chinese text (reportlab, CID font STSong-Light).

STSong-Light is one of the Adobe CJK fonts every PDF reader knows, so nothing is
embedded and files stay small; ``invariant=1`` fixes the dates and file ID so the
same input always gives the same bytes.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_WIDTH, _HEIGHT = A4
# GB/T 9704-2012 §5.2: body in 三号 (16 pt), 22 lines of 28 characters per A4 page.
_BODY_SIZE = 16.0
_CHARS_PER_LINE, _LINES_PER_PAGE = 28, 22
_MARGIN = (_WIDTH - _CHARS_PER_LINE * _BODY_SIZE) / 2
_TOP = 105.0  # 37 mm
_LEADING = 29.0
# Closing punctuation never starts a line (line-breaking rule of Chinese typesetting).
_NO_LINE_START = set("，。、；：？！）》」』”’")


@dataclass(frozen=True)
class Line:
    text: str
    size: float = _BODY_SIZE
    align: str = "left"  # left | center | right


def wrap(text: str, width: float, size: float = _BODY_SIZE, indent: int = 2) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points (first line indented)."""
    lines: list[str] = []
    current = "\u3000" * indent
    for ch in text:
        too_wide = pdfmetrics.stringWidth(current + ch, FONT, size) > width
        if too_wide and ch not in _NO_LINE_START and current.strip():
            lines.append(current)
            current = ""
        current += ch
    if current.strip():
        lines.append(current)
    return lines


def layout(title: str, paragraphs: Sequence[str], header: str | None,
           doc_number: str | None, max_pages: int) -> list[list[Line]]:
    """Split heading and body into pages of lines; at most ``max_pages`` pages."""
    lines: list[Line] = []
    if header:
        lines.append(Line(header, 18, "center"))
    lines += [Line(title, 22, "center")]
    if doc_number:
        lines += [Line(doc_number, _BODY_SIZE, "right")]
    for paragraph in paragraphs:
        for part in paragraph.split("\n"):
            lines += [Line(t) for t in wrap(part, _WIDTH - 2 * _MARGIN)]
    per = _LINES_PER_PAGE
    pages = [lines[i:i + per] for i in range(0, len(lines), per)]
    return pages[:max_pages]


def _draw_line(c: canvas.Canvas, line: Line, y: float) -> None:
    c.setFont(FONT, line.size)
    if line.align == "center":
        c.drawCentredString(_WIDTH / 2, y, line.text)
    elif line.align == "right":
        c.drawRightString(_WIDTH - _MARGIN, y, line.text)
    else:
        c.drawString(_MARGIN, y, line.text)


def render_pdf(title: str, paragraphs: Sequence[str], *, author: str, header: str | None = None,
               doc_number: str | None = None, max_pages: int = 6) -> tuple[bytes, int]:
    """A multi-page PDF; returns (bytes, page count). Deterministic for equal input."""
    pages = layout(title, paragraphs, header, doc_number, max_pages)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(author)
    c.setSubject(doc_number or title)
    c.setCreator("casearchive samples")
    for number, page in enumerate(pages, start=1):
        y = _HEIGHT - _TOP
        for line in page:
            _draw_line(c, line, y)
            y -= _LEADING
        c.setFont(FONT, 10.5)
        c.drawCentredString(_WIDTH / 2, 50, f"第{number}页 共{len(pages)}页")
        c.showPage()
    c.save()
    return buf.getvalue(), len(pages)
