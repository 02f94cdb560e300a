"""Content files real tools open: PDF (pypdf), OFD (zip + XML), JPEG/TIFF (Pillow)."""
from __future__ import annotations

import io
import random
import zipfile
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from samples import ofd, pdf, scan

O = "{%s}" % ofd.NS
# CJK ideographs, full-width punctuation and printable ASCII: what court documents hold.
TEXT = st.text(st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                         st.sampled_from("，。、；：（）《》“”"),
                         st.characters(min_codepoint=0x21, max_codepoint=0x7E)), min_size=1, max_size=400)
TITLE = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=12)


# ---------------------------------------------------------------- PDF

def test_pdf_text_and_page_count_read_back_with_pypdf() -> None:
    paragraphs = ["原告张伟诉被告北京恒泰科技有限公司买卖合同纠纷一案，本院依法审理。"] * 60
    data, pages = pdf.render_pdf("民事判决书", paragraphs, author="北京市朝阳区人民法院",
                                 header="北京市朝阳区人民法院", doc_number="（2024）京0105民初1234号")
    reader = PdfReader(io.BytesIO(data))
    assert pages == len(reader.pages) > 1
    first = reader.pages[0].extract_text()
    assert "民事判决书" in first and "（2024）京0105民初1234号" in first and "北京市朝阳区人民法院" in first
    assert f"第{pages}页 共{pages}页" in reader.pages[-1].extract_text()
    assert reader.metadata is not None and reader.metadata.title == "民事判决书"


def test_pdf_is_capped_at_max_pages() -> None:
    data, pages = pdf.render_pdf("庭审笔录", ["审判员：现在开庭。"] * 400, author="法院", max_pages=3)
    assert pages == 3 == len(PdfReader(io.BytesIO(data)).pages)


@settings(max_examples=30, deadline=None)
@given(title=TITLE, paragraphs=st.lists(TEXT, min_size=0, max_size=8))
def test_pdf_round_trips_any_chinese_text(title: str, paragraphs: list[str]) -> None:
    data, pages = pdf.render_pdf(title, paragraphs, author="测试")
    assert data == pdf.render_pdf(title, paragraphs, author="测试")[0]  # deterministic
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages >= 1
    assert title in reader.pages[0].extract_text()


@given(text=TEXT, width=st.floats(min_value=50, max_value=500))
def test_pdf_wrap_keeps_every_character_and_the_width(text: str, width: float) -> None:
    lines = pdf.wrap(text, width)
    assert "".join(lines) == "\u3000\u3000" + text
    for line in lines:
        # a line may only overflow by closing punctuation, or when one glyph alone is wider
        fits = pdfmetrics.stringWidth(line.rstrip("，。、；：？！）》」』”’"), pdf.FONT, 16) <= width
        assert fits or len(line.lstrip("\u3000")) == 1


# ---------------------------------------------------------------- OFD

def _ofd(title: str = "执行裁定书", paragraphs: list[str] | None = None, seal: bool = True) -> tuple[bytes, int]:
    return ofd.render_ofd(title, paragraphs or ["本裁定送达后立即生效。"] * 50, doc_id="0" * 31 + "1",
                          author="北京市朝阳区人民法院", created=date(2024, 5, 6),
                          header="北京市朝阳区人民法院", doc_number="（2024）京0105执88号", seal=seal)


def _expand_delta_x(value: str) -> list[float]:
    tokens, out = value.split(), []
    while tokens:
        token = tokens.pop(0)
        if token == "g":
            count, advance = int(tokens.pop(0)), float(tokens.pop(0))
            out += [advance] * count
        else:
            out.append(float(token))
    return out


def _check_package(data: bytes, title: str) -> int:
    """Structure of GB/T 33190 §7; returns the page count the package declares."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        entry = etree.fromstring(zf.read("OFD.xml"))
        assert entry.tag == O + "OFD" and entry.get("DocType") == "OFD"
        assert entry.findtext(f"{O}DocBody/{O}DocInfo/{O}Title") == title
        assert len(entry.findtext(f"{O}DocBody/{O}DocInfo/{O}DocID") or "") == 32
        root_loc = entry.findtext(f"{O}DocBody/{O}DocRoot")
        doc = etree.fromstring(zf.read(root_loc))
        assert doc.findtext(f"{O}CommonData/{O}PageArea/{O}PhysicalBox") == "0 0 210 297"
        res = etree.fromstring(zf.read("Doc_0/" + doc.findtext(f"{O}CommonData/{O}PublicRes")))
        font_ids = {f.get("ID") for f in res.iter(O + "Font")}
        pages = doc.findall(f"{O}Pages/{O}Page")
        all_text = ""
        ids = [int(p.get("ID")) for p in pages]
        for page in pages:
            content = etree.fromstring(zf.read("Doc_0/" + page.get("BaseLoc")))
            for obj in content.iter(O + "TextObject"):
                assert obj.get("Font") in font_ids
                code = obj.find(O + "TextCode")
                if code.get("DeltaX"):
                    assert len(_expand_delta_x(code.get("DeltaX"))) == len(code.text) - 1
                all_text += code.text
            ids += [int(el.get("ID")) for el in content.iter() if el.get("ID")]
        assert title in all_text
        assert len(ids) == len(set(ids)) and max(ids) <= int(doc.findtext(f"{O}CommonData/{O}MaxUnitID"))
        return len(pages)


def test_ofd_is_a_gbt33190_package() -> None:
    data, pages = _ofd()
    assert pages > 1 and _check_package(data, "执行裁定书") == pages
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names[:3] == ["OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml"]
        assert all(i.date_time == (2024, 5, 6, 0, 0, 0) for i in zf.infolist())
        last = etree.fromstring(zf.read(f"Doc_0/Pages/Page_{pages - 1}/Content.xml"))
        assert last.find(f".//{O}PathObject/{O}StrokeColor") is not None  # the seal


def test_ofd_is_deterministic() -> None:
    assert _ofd()[0] == _ofd()[0]
    assert _ofd()[0] != _ofd(seal=False)[0]


@settings(max_examples=30, deadline=None)
@given(title=TITLE, paragraphs=st.lists(TEXT, min_size=1, max_size=8))
def test_ofd_round_trips_any_text(title: str, paragraphs: list[str]) -> None:
    data, pages = _ofd(title, paragraphs)
    assert _check_package(data, title) == pages >= 1


# ---------------------------------------------------------------- scans

def test_jpeg_scan_is_an_a4_page_with_a_red_seal() -> None:
    data = scan.render_scan(random.Random(5), 1, "JPEG")
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == scan.PAGE_SIZE
        assert round(im.info["dpi"][0]) == scan.DPI
        colours = im.convert("RGB").getcolors(1 << 20) or []
    assert sum(n for n, (r, g, b) in colours if r > 150 and g < 90 and b < 90) > 200


@pytest.mark.parametrize("pages", [1, 2, 4])
def test_tiff_scan_has_one_frame_per_page(pages: int) -> None:
    data = scan.render_scan(random.Random(pages), pages, "TIFF")
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "TIFF" and im.n_frames == pages
        im.seek(pages - 1)
        assert im.size == scan.PAGE_SIZE
        colours = {c for _, c in im.convert("RGB").getcolors(1 << 16) or []}
    assert any(r > 150 and g < 90 for r, g, _b in colours)  # the seal survives the palette


def test_scans_are_deterministic_per_seed() -> None:
    assert scan.render_scan(random.Random(1), 2, "TIFF") == scan.render_scan(random.Random(1), 2, "TIFF")
    assert scan.render_scan(random.Random(1), 1, "JPEG") != scan.render_scan(random.Random(2), 1, "JPEG")


@pytest.mark.parametrize("pages, fmt", [(2, "JPEG"), (0, "TIFF"), (1, "PNG")])
def test_impossible_scans_are_refused(pages: int, fmt: str) -> None:
    with pytest.raises(ValueError):
        scan.render_scan(random.Random(0), pages, fmt)
