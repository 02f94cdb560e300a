"""OFD packages parsed against their structure (GB/T 33190), signatures found, limits kept."""
from __future__ import annotations

import io
import os
import sys

from hypothesis import given, settings, strategies as st

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from checks.content.ofd import ZipLimits, analyse_ofd  # noqa: E402
from checks.content.report import ContentReport  # noqa: E402

VALID, PAGES = cf.valid_ofd()


def _open(data: bytes, limits: ZipLimits = ZipLimits()) -> ContentReport:
    return analyse_ofd(io.BytesIO(data), "data/documents/d.ofd", limits)


def _codes(report: ContentReport) -> list[str]:
    return sorted(f.code for f in (*report.fatal, *report.defects, *report.compliance, *report.attachment_findings))


def test_sample_ofd_parses_with_all_pages() -> None:
    report = _open(VALID)
    assert (report.pages, _codes(report), report.signatures) == (PAGES, [], ())
    assert report.software == {"Creator": "casearchive samples"}


def test_missing_document_xml() -> None:
    report = _open(cf.rezip(VALID, drop=["Doc_0/Document.xml"]))
    assert [(f.code, f.params["part"]) for f in report.fatal] == [("CHK-OFD-PART-MISSING", "Doc_0/Document.xml")]


def test_missing_page_content() -> None:
    report = _open(cf.rezip(VALID, drop=["Doc_0/Pages/Page_1/Content.xml"]))
    assert [f.params["part"] for f in report.fatal] == ["Doc_0/Pages/Page_1/Content.xml"]


def test_part_with_doctype_is_refused_unexpanded() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">&a;</ofd:Page>'
    report = _open(cf.rezip(VALID, replace={"Doc_0/Pages/Page_0/Content.xml": bomb}))
    [finding] = report.defects
    assert finding.code == "CHK-OFD-PART-INVALID" and "XML-DOCTYPE" in finding.params["reason"]


def test_wrong_root_element_is_a_structure_fault() -> None:
    wrong = b'<?xml version="1.0" encoding="UTF-8"?><Page xmlns="urn:not-ofd"/>'
    report = _open(cf.rezip(VALID, replace={"Doc_0/Pages/Page_0/Content.xml": wrong}))
    assert _codes(report) == ["CHK-OFD-STRUCTURE"]


def test_signature_found_and_left_indeterminate() -> None:
    report = _open(cf.ofd_with_signature())
    [sig] = report.signatures
    assert (sig.kind, sig.status) == ("ofd", "indeterminate")
    assert sig.findings[0].code == "CHK-SIG-OFD-UNVERIFIED"
    assert "Doc_0/Signs/Sign_0/Signature.xml" in sig.field


def test_attachments_present_and_missing() -> None:
    good = _open(cf.ofd_with_attachment())
    assert [(a.name, a.ok) for a in good.attachments] == [("证据.txt", True)]
    bad = _open(cf.ofd_with_attachment(missing=True))
    assert _codes(bad) == ["CHK-OFD-ATTACHMENT-MISSING"]


def test_member_over_the_size_limit_is_not_inflated() -> None:
    big = cf.rezip(VALID, add={"Doc_0/Res/big.bin": b"\x00" * (3 << 20)})
    report = _open(big, ZipLimits(max_entries=100, max_member=1 << 20))
    assert [f.code for f in report.fatal] == ["CHK-OFD-LIMIT"]
    assert report.pages == 0  # nothing was parsed


def _set_encrypted_flag(data: bytes, suffix: bytes) -> bytes:
    """Set general-purpose bit 0 (encrypted) in the central directory, as an encrypting tool does."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(out[pos + 28:pos + 30], "little")
        if bytes(out[pos + 46:pos + 46 + name_len]).endswith(suffix):
            out[pos + 8] |= 0x1
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def test_encrypted_member_flag_is_refused() -> None:
    report = _open(_set_encrypted_flag(VALID, b"Page_0/Content.xml"))
    assert [(f.code, f.params["part"]) for f in report.compliance] == [
        ("CHK-OFD-ENCRYPTED", "Doc_0/Pages/Page_0/Content.xml")]


def test_not_a_zip() -> None:
    assert [f.code for f in _open(b"PK\x03\x04 not really").fatal] == ["CHK-OFD-NOT-ZIP"]


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_damaged_ofd_never_raises(position: int, junk: bytes) -> None:
    data = bytearray(VALID)
    data[position:position + len(junk)] = junk
    assert isinstance(_open(bytes(data)), ContentReport)
