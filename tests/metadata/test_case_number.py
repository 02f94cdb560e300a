"""metadata.case_number: 案号 per 法〔2015〕137号."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings import Lang, Severity, get_code
from metadata import codes
from metadata.case_number import (CASE_TYPES, PROVINCES, SUPREME_COURT, CaseNumber,
                                  parse_case_number)


@pytest.mark.parametrize("text, expected", [
    ("（2023）京0105民初1234号", CaseNumber(2023, "京0105", "民初", 1234)),
    ("（2023）京01民终77号", CaseNumber(2023, "京01", "民终", 77)),
    ("（2020）京民再9号", CaseNumber(2020, "京", "民再", 9)),
    ("（2019）最高法知民终1号", CaseNumber(2019, "最高法", "知民终", 1)),
    ("（2021）沪72民初100号", CaseNumber(2021, "沪72", "民初", 100)),
    ("（2022）粤0304执恢12号", CaseNumber(2022, "粤0304", "执恢", 12)),
    ("（2022）粤0304执12号", CaseNumber(2022, "粤0304", "执", 12)),
    ("（2018）兵0102刑初3号", CaseNumber(2018, "兵0102", "刑初", 3)),
    ("（2016）京0108民辖终45号", CaseNumber(2016, "京0108", "民辖终", 45)),
])
def test_valid_case_numbers(text: str, expected: CaseNumber) -> None:
    assert parse_case_number(text) == (expected, [])
    assert str(expected) == text


def test_type_table_gives_meaning_and_category() -> None:
    number, _ = parse_case_number("（2022）粤0304执异5号")
    assert number is not None and number.case_type is not None
    assert number.case_type.meaning == "执行异议" and number.category == "执行"
    assert CASE_TYPES["民初"].category == "民事" and CASE_TYPES["刑初"].category == "刑事"
    assert CASE_TYPES["行初"].category == "行政" and CASE_TYPES["民督"].meaning == "督促程序"


@pytest.mark.parametrize("text", ["(2023)京0105民初1234号", "（2023)京0105民初1234号", "(2023）京0105民初1234号"])
def test_ascii_parentheses_are_accepted_with_a_warning(text: str) -> None:
    number, findings = parse_case_number(text, location="data/metadata/casefile.xml")
    assert number == CaseNumber(2023, "京0105", "民初", 1234)
    assert [f.code for f in findings] == [codes.CASE_NUMBER_ASCII_PARENS]
    finding = findings[0]
    assert finding.level is Severity.WARNING
    assert finding.expected == "（2023）京0105民初1234号" and finding.found == text
    assert "全角" in finding.message(Lang.ZH) and "ASCII" in finding.message(Lang.EN)


def test_unknown_type_code_is_a_warning() -> None:
    number, findings = parse_case_number("（2023）京0105民奇1号")
    assert number is not None and number.type_code == "民奇" and number.category is None
    assert [f.code for f in findings] == [codes.CASE_NUMBER_UNKNOWN_TYPE]
    assert "民奇" in findings[0].message(Lang.ZH)


@pytest.mark.parametrize("text", [
    "", "2023京0105民初1234号", "（2023）京0105民初1234", "（23）京0105民初1234号",
    "（2023）美0105民初1234号", "（2023）京010501民初1234号", "（2023）京0105民初0号",
    "（2023）京0105民初01号", "（2023）京0105民初号", "（2023）京01051234号", " （2023）京0105民初1234号",
    "（2023）京0105民初1234号 ", "（２０２３）京0105民初1234号", "（2023）京0105ab1234号",
    "（2014）朝民初字第01234号",
])
def test_invalid_case_numbers(text: str) -> None:
    number, findings = parse_case_number(text)
    assert number is None
    assert [f.code for f in findings] == [codes.CASE_NUMBER_INVALID]
    assert findings[0].found == text and get_code(findings[0].code).severity is Severity.ERROR


def test_every_province_and_the_supreme_court() -> None:
    for prefix in (*PROVINCES, SUPREME_COURT):
        number, findings = parse_case_number(f"（2023）{prefix}民初1号")
        assert number is not None and number.court_code == prefix and findings == []


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_text_gives_a_number_or_an_invalid_finding(text: str) -> None:
    number, findings = parse_case_number(text)
    if number is None:
        assert [f.code for f in findings] == [codes.CASE_NUMBER_INVALID]
    else:
        assert codes.CASE_NUMBER_INVALID not in {f.code for f in findings}


@given(year=st.integers(1000, 9999), province=st.sampled_from(PROVINCES), digits=st.from_regex(r"[0-9]{0,4}", fullmatch=True),
       type_code=st.sampled_from(sorted(CASE_TYPES)), serial=st.integers(1, 99_999_999))
def test_format_and_parse_agree(year: int, province: str, digits: str, type_code: str, serial: int) -> None:
    number = CaseNumber(year, province + digits, type_code, serial)
    assert parse_case_number(str(number)) == (number, [])
