"""metadata.xml: safe parsing, schema findings, mapping, round trip, fuzzing."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from factories import casefiles_strategy, make_casefile, make_document
from findings import Lang, findings_to_json
from metadata import codes
from metadata.model import Digest
from metadata.xml import (MAX_SCHEMA_ERRORS, NAMESPACE, casefile_to_xml, parse_casefile,
                          safe_parse, validate_tree)

FUZZ = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def valid_xml() -> str:
    return casefile_to_xml(make_casefile()).decode("utf-8")


def only_codes(data: bytes, **kwargs: object) -> list[str]:
    cf, findings = parse_casefile(data, **kwargs)  # type: ignore[arg-type]
    assert cf is None
    return [f.code for f in findings]


# ---------------------------------------------------------------- the valid case

def test_valid_casefile_parses_to_the_model(valid_xml: str) -> None:
    cf, findings = parse_casefile(valid_xml.encode())
    assert findings == []
    assert cf == make_casefile()


def test_output_is_pretty_utf8_with_declaration(valid_xml: str) -> None:
    data = casefile_to_xml(make_casefile())
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<caseFile")
    assert "\n    <document>\n" in valid_xml
    assert "（2023）京0105民初1234号".encode() in data


def test_optional_elements_are_omitted_and_read_back_as_absent() -> None:
    doc = make_document(1, doc_number=None)
    cf = make_casefile(documents=(doc,), panel=(), fonds_number=None, archiving_date=None,
                       archived_by=None, related_case_numbers=())
    data = casefile_to_xml(cf)
    for name in (b"<panel", b"<fondsNumber", b"<archivingDate", b"<archivedBy", b"<docNumber",
                 b"<relatedCaseNumbers", b"<remarks", b"<paperLocation"):
        assert name not in data
    assert parse_casefile(data) == (cf, [])


def test_uppercase_digest_is_accepted_and_normalised(valid_xml: str) -> None:
    digest = make_casefile().documents[0].digest.value
    cf, findings = parse_casefile(valid_xml.replace(digest, digest.upper()).encode())
    assert findings == [] and cf is not None
    assert cf.documents[0].digest == Digest("sha256", digest)


def test_whitespace_around_numbers_and_dates_is_collapsed(valid_xml: str) -> None:
    text = valid_xml.replace("<size>", "<size>\n  ").replace("<filingDate>2023-03-01", "<filingDate> 2023-03-01 ")
    cf, findings = parse_casefile(text.encode())
    assert findings == [] and cf == make_casefile()


def test_safe_parse_returns_an_lxml_root() -> None:
    root, findings = safe_parse(b"<?xml version='1.0' encoding='utf-8'?><a><b>\xe4\xb8\xad</b></a>", "x.xml")
    assert findings == [] and root is not None and root.findtext("b") == "中"


# ---------------------------------------------------------------- hostile XML

XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>'
BILLION_LAUGHS = ("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n"
                  + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
                  + "]>\n<lolz>&lol9;</lolz>").encode()
EXTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE caseFile SYSTEM "http://127.0.0.1:9/casefile.dtd">\n<caseFile/>'
PARAMETER_ENTITY = b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><x/>'


@pytest.mark.parametrize("data", [XXE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY],
                         ids=["xxe", "billion-laughs", "external-dtd", "parameter-entity"])
def test_any_doctype_is_refused_before_parsing(data: bytes) -> None:
    cf, findings = parse_casefile(data)
    assert cf is None
    assert [f.code for f in findings] == [codes.XML_DOCTYPE]
    assert findings[0].found is not None and findings[0].found.startswith("<!DOCTYPE")


def test_doctype_finding_names_the_line() -> None:
    finding = parse_casefile(XXE)[1][0]
    assert finding.params["line"] == 2
    assert "第 2 行" in finding.message(Lang.ZH) and "line 2" in finding.message(Lang.EN)


def test_doctype_in_a_valid_document_is_refused(valid_xml: str) -> None:
    text = valid_xml.replace("<caseFile", '<!DOCTYPE caseFile [<!ENTITY court "法院">]>\n<caseFile', 1)
    assert only_codes(text.encode()) == [codes.XML_DOCTYPE]


def test_undeclared_entity_reference_is_malformed() -> None:
    assert only_codes(b"<x>&e;</x>") == [codes.XML_MALFORMED]


def test_malformed_xml_reports_line_and_column() -> None:
    cf, findings = parse_casefile(b"<a>\n  <b></a>\n")
    assert cf is None and [f.code for f in findings] == [codes.XML_MALFORMED]
    assert findings[0].params["line"] == 2 and findings[0].params["column"] > 0
    assert "mismatch" in findings[0].params["reason"]


@pytest.mark.parametrize("data, reason", [
    ('<?xml version="1.0" encoding="GB18030"?><a>中文</a>'.encode("gb18030"), "declared encoding GB18030"),
    ("<a>中文</a>".encode("gbk"), "invalid UTF-8 byte at offset 3"),
    ("<a/>".encode("utf-16"), "UTF-16 byte-order mark"),
    ("<a/>".encode("utf-16-le"), "NUL byte"),
    ("<a/>".encode("utf-32"), "UTF-32 byte-order mark"),
], ids=["gb18030-declared", "gbk-undeclared", "utf16-bom", "utf16-no-bom", "utf32"])
def test_non_utf8_is_refused(data: bytes, reason: str) -> None:
    cf, findings = parse_casefile(data)
    assert cf is None and [f.code for f in findings] == [codes.XML_NOT_UTF8]
    assert reason in findings[0].params["reason"]


def test_utf8_bom_and_lowercase_declaration_are_fine(valid_xml: str) -> None:
    text = valid_xml.replace("encoding='UTF-8'", "encoding='utf-8'")
    assert parse_casefile(b"\xef\xbb\xbf" + text.encode())[1] == []


def test_oversize_is_refused_before_parsing(valid_xml: str) -> None:
    data = valid_xml.encode()
    cf, findings = parse_casefile(data, max_size=len(data) - 1)
    assert cf is None and [f.code for f in findings] == [codes.XML_TOO_LARGE]
    assert findings[0].expected == str(len(data) - 1) and findings[0].found == str(len(data))
    assert parse_casefile(data, max_size=len(data))[1] == []


def test_excessive_nesting_is_malformed_not_a_crash() -> None:
    assert only_codes(b"<a>" * 5000 + b"</a>" * 5000) == [codes.XML_MALFORMED]


def test_nesting_inside_the_schema_root_is_a_schema_finding() -> None:
    data = (f'<caseFile xmlns="{NAMESPACE}" version="1.0"><caseNumber>'.encode()
            + b"<a>" * 250 + b"</a>" * 250 + b"</caseNumber></caseFile>")
    found = only_codes(data)
    assert found and all(code.startswith("MD-XSD-") for code in found)


# ---------------------------------------------------------------- schema findings

XSD_VIOLATIONS = [
    # (code, old, new, field)
    ("MD-XSD-LENGTH", "<cause>民间借贷纠纷</cause>", "<cause>" + "纠" * 101 + "</cause>", "/caseFile/cause"),
    ("MD-XSD-LENGTH", "<judge>李四</judge>", "<judge></judge>", "/caseFile/judge"),
    ("MD-XSD-VALUE", "<securityLevel>公开</securityLevel>", "<securityLevel>普通</securityLevel>",
     "/caseFile/securityLevel"),
    ("MD-XSD-VALUE", "<retention>定期60年</retention>", "<retention>定期5年</retention>", "/caseFile/retention"),
    ("MD-XSD-VALUE", "<volume>正卷</volume>", "<volume>附卷</volume>", "/caseFile/documents/document[1]/volume"),
    ("MD-XSD-VALUE", 'algorithm="sha256"', 'algorithm="md5"', "/caseFile/documents/document[1]/digest"),
    ("MD-XSD-VALUE", 'version="1.0"', 'version="2.0"', "/caseFile"),
    ("MD-XSD-TYPE", "<closingDate>2023-09-15</closingDate>", "<closingDate>2023/09/15</closingDate>",
     "/caseFile/closingDate"),
    ("MD-XSD-TYPE", "<closingDate>2023-09-15</closingDate>", "<closingDate>2023-09-15Z</closingDate>",
     "/caseFile/closingDate"),
    ("MD-XSD-TYPE", "<documentCount>5</documentCount>", "<documentCount>0</documentCount>",
     "/caseFile/documentCount"),
    ("MD-XSD-TYPE", "<documentCount>5</documentCount>", "<documentCount>５</documentCount>",
     "/caseFile/documentCount"),
    ("MD-XSD-TYPE", "<sequence>1</sequence>", "<sequence>-1</sequence>", "/caseFile/documents/document[1]/sequence"),
    ("MD-XSD-TYPE", "<startPage>1</startPage>", "<startPage>1.5</startPage>",
     "/caseFile/documents/document[1]/startPage"),
    ("MD-XSD-TYPE", "documents/001.pdf", "../etc/passwd", "/caseFile/documents/document[1]/path"),
    ("MD-XSD-TYPE", "documents/001.pdf", "/etc/passwd", "/caseFile/documents/document[1]/path"),
    ("MD-XSD-TYPE", "documents/001.pdf", "documents\\001.pdf", "/caseFile/documents/document[1]/path"),
    ("MD-XSD-TYPE", "documents/001.pdf", "documents/./001.pdf", "/caseFile/documents/document[1]/path"),
    ("MD-XSD-TYPE", "documents/001.pdf", "C:/documents/001.pdf", "/caseFile/documents/document[1]/path"),
    ("MD-XSD-TYPE", ">" + make_casefile().documents[0].digest.value[:6], ">zz",
     "/caseFile/documents/document[1]/digest"),
    ("MD-XSD-TYPE", "<judge>李四</judge>", "<judge> 李四</judge>", "/caseFile/judge"),
    ("MD-XSD-TYPE", "<fondsNumber>J001</fondsNumber>", "<fondsNumber>全宗1</fondsNumber>", "/caseFile/fondsNumber"),
    ("MD-XSD-STRUCTURE", "<cause>民间借贷纠纷</cause>", "", "/caseFile"),
    ("MD-XSD-STRUCTURE", "<cause>", "<unknown>x</unknown><cause>", "/caseFile"),
    ("MD-XSD-STRUCTURE", '<party role="原告">', "<party>", "/caseFile/parties/party[1]"),
    ("MD-XSD-STRUCTURE", "<result>判决</result>\n  <court>北京市朝阳区人民法院</court>",
     "<court>北京市朝阳区人民法院</court>\n  <result>判决</result>", "/caseFile"),
    ("MD-XSD-DUPLICATE", "documents/002.pdf", "documents/001.pdf", "/caseFile/documents/document[2]"),
    ("MD-XSD-DUPLICATE", "<sequence>2</sequence>", "<sequence>01</sequence>", "/caseFile/documents/document[2]"),
    ("MD-XSD-INVALID", f'xmlns="{NAMESPACE}"', 'xmlns="urn:other"', "/caseFile"),
]


@pytest.mark.parametrize("code, old, new, field", XSD_VIOLATIONS,
                         ids=[f"{v[0]}-{i}" for i, v in enumerate(XSD_VIOLATIONS)])
def test_each_schema_violation_has_its_code_and_field(valid_xml: str, code: str, old: str, new: str,
                                                      field: str) -> None:
    assert old in valid_xml
    cf, findings = parse_casefile(valid_xml.replace(old, new, 1).encode())
    assert cf is None
    assert (code, field) in {(f.code, f.params["field"]) for f in findings}, findings_to_json(findings, Lang.EN)


def test_schema_findings_render_in_both_languages(valid_xml: str) -> None:
    finding = parse_casefile(valid_xml.replace("<procedure>一审", "<procedure>三审").encode())[1][0]
    out = finding.to_dict()
    assert out["clause"] == "DA/T 70 1-4"
    assert "审判程序" in out["message_zh-CN"] and "/caseFile/procedure" in out["message_en"]
    assert finding.found == "三审"


def test_schema_errors_are_capped(valid_xml: str) -> None:
    head, tail = valid_xml.split("<documents>")
    docs = tail.split("</documents>")[0]
    bad_docs = docs.replace("<volume>正卷</volume>", "<volume>附卷</volume>").replace(
        "<volume>副卷</volume>", "<volume>附卷</volume>") * 30
    cf, findings = parse_casefile(f"{head}<documents>{bad_docs}</documents></caseFile>".encode())
    assert cf is None
    assert len(findings) == MAX_SCHEMA_ERRORS + 1
    assert findings[-1].code == codes.XSD_TRUNCATED


def test_validate_tree_accepts_a_valid_root(valid_xml: str) -> None:
    root, _ = safe_parse(valid_xml.encode())
    assert root is not None and validate_tree(root) == []


def test_year_zero_is_refused(valid_xml: str) -> None:
    codes_found = only_codes(valid_xml.replace("2023-03-01", "0000-03-01", 1).encode())
    assert codes_found and set(codes_found) <= {codes.XSD_TYPE, codes.XML_UNMAPPABLE}


# ---------------------------------------------------------------- round trip

@FUZZ
@given(casefiles_strategy())
def test_round_trip(cf) -> None:  # type: ignore[no-untyped-def]
    back, findings = parse_casefile(casefile_to_xml(cf))
    assert findings == []
    assert back == cf


def test_round_trip_keeps_gb18030_and_line_breaks() -> None:
    doc = make_document(1, title="𠀀㐀鿿 判决书\r\n第二行\t€", remarks="〇々\n备注")
    cf = make_casefile(documents=(doc,), parties=(dataclasses.replace(make_casefile().parties[0], name="𪛖某"),))
    assert parse_casefile(casefile_to_xml(cf)) == (cf, [])


def test_control_characters_cannot_be_written() -> None:
    with pytest.raises(ValueError):
        casefile_to_xml(make_casefile(cause="纠纷\x01"))


# ---------------------------------------------------------------- fuzzing

@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    cf, findings = parse_casefile(data)
    assert cf is None and findings


XMLISH = st.lists(st.sampled_from(list("<>/?!&;=\"' \n-[]xyz:案号") + ["<caseFile", "</caseFile>",
                 f'xmlns="{NAMESPACE}"', "<!DOCTYPE", "<!ENTITY", "&#0;", "&#x10FFFF;", "<![CDATA[",
                 "]]>", "<!--", "-->", "<?xml", "?>", 'version="1.0"', "<documents>", "<document>"]),
                  max_size=200).map("".join)


@FUZZ
@given(XMLISH)
def test_random_xmlish_text_never_raises(text: str) -> None:
    cf, findings = parse_casefile(text.encode("utf-8"))
    assert cf is None and findings


@FUZZ
@given(st.data())
def test_mutated_valid_document_never_raises(valid_xml: str, data: st.DataObject) -> None:
    raw = bytearray(valid_xml.encode())
    for _ in range(data.draw(st.integers(1, 5))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = data.draw(st.integers(0, 255))
        if action == "replace":
            raw[pos] = byte
        elif action == "insert":
            raw.insert(pos, byte)
        else:
            del raw[pos]
    cf, findings = parse_casefile(bytes(raw))
    assert (cf is None) == bool(findings)


@FUZZ
@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=80))
def test_any_text_in_any_field_never_raises(valid_xml: str, text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    size = make_casefile().documents[0].size
    for old in ("<cause>民间借贷纠纷</cause>", f"<size>{size}</size>", "<date>2023-02-20</date>"):
        name = old[1:old.index(">")]
        mutated = valid_xml.replace(old, f"<{name}>{escaped}</{name}>", 1)
        cf, findings = parse_casefile(mutated.encode("utf-8", "surrogatepass"))
        assert (cf is None) == bool(findings)


def test_parse_result_is_the_frozen_model(valid_xml: str) -> None:
    cf = parse_casefile(valid_xml.encode())[0]
    assert cf is not None and isinstance(cf.documents, tuple) and isinstance(cf.parties, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cf.cause = "x"  # type: ignore[misc]
    assert cf.filing_date == date(2023, 3, 1)
    assert etree.iselement(safe_parse(valid_xml.encode())[0])
