"""schemas/casefile.xsd: XSD 1.0, documented in Chinese, vocabularies equal to the model enums."""
from __future__ import annotations

from enum import StrEnum
from importlib import resources

import pytest
import xmlschema
from lxml import etree

from metadata.model import OriginalForm, Procedure, RetentionPeriod, SecurityLevel, Volume
from metadata.xml import NAMESPACE, casefile_schema

XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def xsd() -> etree._Element:
    return etree.fromstring(resources.files("schemas").joinpath("casefile.xsd").read_bytes())


def test_schema_is_xsd_1_0(xsd: etree._Element) -> None:
    assert isinstance(casefile_schema(), xmlschema.XMLSchema10)
    assert casefile_schema().target_namespace == NAMESPACE
    for construct in ("assert", "assertion", "alternative", "openContent", "override"):
        assert xsd.find(f".//{XS}{construct}") is None


def test_every_element_is_documented_with_its_chinese_term(xsd: etree._Element) -> None:
    elements = xsd.findall(f".//{XS}element")
    assert len(elements) > 40
    for element in elements:
        doc = element.findtext(f"{XS}annotation/{XS}documentation") or ""
        assert any("\u4e00" <= ch <= "\u9fff" for ch in doc), element.get("name")


@pytest.mark.parametrize("type_name, enum", [
    ("procedure", Procedure), ("securityLevel", SecurityLevel), ("retentionPeriod", RetentionPeriod),
    ("volume", Volume), ("originalForm", OriginalForm)])
def test_vocabularies_equal_the_model(xsd: etree._Element, type_name: str, enum: type[StrEnum]) -> None:
    simple = xsd.find(f"{XS}simpleType[@name='{type_name}']")
    assert simple is not None
    values = [e.get("value") for e in simple.iter(f"{XS}enumeration")]
    assert values == [member.value for member in enum]


@pytest.mark.parametrize("type_name, good, bad", [
    ("hexDigest", ["a" * 64, "F" * 128], ["a" * 63, "a" * 96, "g" * 64, ""]),
    ("relativePath", ["documents/001.pdf", "a/..b/c", "文书/起诉状 1.pdf"],
     ["/abs", "a/../b", "..", "a\\b", "a//b", "a/", "c:/x", "a/./b"]),
    ("isoDate", ["2024-02-29"], ["2023-02-29", "2023-1-01", "2023-01-01+08:00", "0000-01-01"]),
    ("positiveCount", ["1", "999999999"], ["0", "1000000000", "+1", "1e3"]),
    ("count", ["0"], ["-1", "x"]),
    ("text500", ["题" * 500], ["题" * 501, " 题", "题\n", ""]),
    ("fondsNumber", ["J001"], ["J-001", "全宗"]),
    ("formatName", ["PDF", "PDF/A-1b", "OFD"], ["", "-PDF", "P D F"]),
])
def test_facets(type_name: str, good: list[str], bad: list[str]) -> None:
    simple = casefile_schema().types[type_name]
    for value in good:
        assert simple.is_valid(value), value
    for value in bad:
        assert not simple.is_valid(value), value
