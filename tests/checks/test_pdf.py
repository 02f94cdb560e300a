"""Opening PDFs completely: pages, encryption, scripts, external content, fonts, PDF/A, attachments."""
from __future__ import annotations

import io
import os
import sys

from hypothesis import given, settings, strategies as st

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from checks.content.pdf import analyse_pdf  # noqa: E402
from checks.content.report import ContentReport  # noqa: E402

PLAIN = cf.plain_pdf(3)
EMBEDDED = cf.embedded_font_pdf()


def _codes(report: ContentReport) -> list[str]:
    return sorted(f.code for f in (*report.fatal, *report.defects, *report.compliance, *report.long_term,
                                    *report.attachment_findings))


def _open(data: bytes) -> ContentReport:
    return analyse_pdf(io.BytesIO(data), "data/documents/x.pdf")


def test_sample_pdf_opens_with_its_pages_and_reports_the_cid_font_not_embedded() -> None:
    report = _open(PLAIN)
    assert report.pages == 3
    assert _codes(report) == ["CHK-PDF-FONT-NOT-EMBEDDED"]
    assert [(f.name, f.embedded) for f in report.fonts] == [("STSong-Light", False)]
    assert report.software["Creator"] == "casearchive samples"


def test_embedded_truetype_font_is_clean() -> None:
    report = _open(EMBEDDED)
    assert _codes(report) == []
    assert all(f.embedded for f in report.fonts) and report.fonts


def test_pdfa_claim_kept_when_fonts_are_embedded() -> None:
    report = _open(cf.pdfa_claiming_pdf(EMBEDDED, "2", "B"))
    assert report.pdfa == "2B" and _codes(report) == []


def test_pdfa_claim_with_non_embedded_font_is_broken() -> None:
    report = _open(cf.pdfa_claiming_pdf(PLAIN, "1", "B"))
    assert report.pdfa == "1B"
    assert "CHK-PDF-PDFA-CLAIM-BROKEN" in _codes(report)


def test_javascript_open_action_is_refused() -> None:
    report = _open(cf.javascript_pdf())
    js = [f for f in report.compliance if f.code == "CHK-PDF-JAVASCRIPT"]
    assert js and "app.alert" in (js[0].found or "")


def test_launch_action_is_refused() -> None:
    report = _open(cf.launch_pdf())
    found = [(f.code, f.found, f.params.get("detail")) for f in report.compliance]
    assert ("CHK-PDF-EXTERNAL-ACTION", "Launch", "cmd.exe") in found


def test_encrypted_with_user_password_cannot_be_opened() -> None:
    report = _open(cf.encrypted_pdf("secret"))
    assert report.encrypted and report.pages is None
    assert _codes(report) == ["CHK-PDF-ENCRYPTED", "CHK-PDF-UNREADABLE"]
    assert "AES" in (report.compliance[0].found or "") or "V4" in (report.compliance[0].found or "")


def test_encrypted_with_owner_password_only_opens_but_is_still_refused() -> None:
    report = _open(cf.encrypted_pdf(""))
    assert report.pages == 1 and report.encrypted
    assert "CHK-PDF-ENCRYPTED" in _codes(report) and not report.fatal


def test_truncated_pdf_is_incomplete() -> None:
    report = _open(cf.truncated(PLAIN, 0.5))
    assert "CHK-PDF-TRUNCATED" in [f.code for f in report.fatal]


def _with_page_stream(filter_name: str, data: bytes) -> bytes:
    """EMBEDDED with page 1's content replaced by ``data`` under ``filter_name``."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(EMBEDDED)))
    stream = StreamObject()
    stream._data = data
    stream[NameObject("/Filter")] = NameObject(filter_name)
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_corrupt_page_content_is_a_page_defect() -> None:
    report = _open(_with_page_stream("/FlateDecode", b"this is not deflate data at all"))
    assert [(f.code, f.params["page"]) for f in report.defects] == [("CHK-PDF-PAGE-UNREADABLE", 1)]


def test_private_filter_is_refused() -> None:
    report = _open(_with_page_stream("/AcmeSecretDecode", b"xyz"))
    found = [(f.code, f.found) for f in report.compliance]
    assert ("CHK-FMT-PROPRIETARY-COMPRESSION", "/AcmeSecretDecode") in found


def test_embedded_file_listed_and_checked() -> None:
    good = _open(cf.attachment_pdf())
    assert [(a.name, a.size, a.ok) for a in good.attachments] == [("evidence.txt", 120, True)]
    assert not good.attachment_findings
    bad = _open(cf.attachment_pdf(size_lie=True))
    assert [a.ok for a in bad.attachments] == [False]
    assert bad.attachment_findings[0].found == "120 bytes, 9999 declared"


def test_not_a_pdf_at_all() -> None:
    report = _open(b"%PDF-1.7\n" + b"garbage " * 100)
    assert report.fatal and report.pages is None


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=len(EMBEDDED) - 1), st.binary(min_size=1, max_size=16))
def test_damaged_pdf_never_raises(position: int, junk: bytes) -> None:
    data = bytearray(EMBEDDED)
    data[position:position + len(junk)] = junk
    report = _open(bytes(data))
    assert isinstance(report, ContentReport)
