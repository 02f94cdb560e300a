"""Tag-file parsing: bagit.txt and bag-info.txt (RFC 8493 §2.1.1, §2.2.2)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixity.tagfile import format_tag_file, parse_tag_file


def codes(findings):
    return [f.code for f in findings]


def test_order_and_repeats_are_kept():
    data = "Contact-Name: 张三\nSource-Organization: 北京市海淀区人民法院\nContact-Name: 李四\n".encode()
    items, findings = parse_tag_file(data, "bag-info.txt")
    assert items == [("Contact-Name", "张三"), ("Source-Organization", "北京市海淀区人民法院"),
                     ("Contact-Name", "李四")]
    assert findings == []


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_folding_and_line_endings(ending):
    data = ending.join(["External-Description: first part", "  second part", "\tthird",
                        "", "Bagging-Date: 2024-05-01", ""]).encode()
    items, findings = parse_tag_file(data, "bag-info.txt")
    assert items == [("External-Description", "first part  second part\tthird"), ("Bagging-Date", "2024-05-01")]
    assert findings == []


def test_value_colons_and_missing_space():
    items, _ = parse_tag_file(b"Contact-Email:a@b.cn\nNote: 10:30 a.m.\n", "bag-info.txt")
    assert items == [("Contact-Email", "a@b.cn"), ("Note", "10:30 a.m.")]


def test_missing_colon_is_reported_with_line_number():
    items, findings = parse_tag_file(b"Good: yes\nno colon here\n\n: empty label\n", "bag-info.txt")
    assert items == [("Good", "yes")]
    assert [(f.code, f.params["line"]) for f in findings] == [
        ("BAG-TAGFILE-LINE-MALFORMED", 2), ("BAG-TAGFILE-LINE-MALFORMED", 4)]


def test_label_with_trailing_whitespace():
    items, findings = parse_tag_file(b"Source-Organization : court\n", "bag-info.txt")
    assert items == [("Source-Organization", "court")]
    assert codes(findings) == ["BAG-TAGFILE-LABEL-WHITESPACE"]


def test_continuation_before_any_label():
    items, findings = parse_tag_file(b"  orphan\nA: b\n", "bag-info.txt")
    assert items == [("A", "b")] and codes(findings) == ["BAG-TAGFILE-LINE-MALFORMED"]


def test_bom_is_an_error_in_bagit_txt_only():
    data = b"\xef\xbb\xbfBagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    items, findings = parse_tag_file(data, "bagit.txt")
    assert items[0] == ("BagIt-Version", "1.0")
    assert codes(findings) == ["BAG-DECLARATION-BOM"] and findings[0].level == "error"
    _, info = parse_tag_file(data, "bag-info.txt")
    assert codes(info) == ["BAG-TAGFILE-BOM"] and info[0].level == "warning"


def test_invalid_utf8_and_declared_encoding():
    _, findings = parse_tag_file(b"A: \xff\xfe\n", "bag-info.txt")
    assert codes(findings) == ["BAG-TAGFILE-DECODE"] and findings[0].params["offset"] == 3
    items, findings = parse_tag_file("A: 法院\n".encode("gb18030"), "bag-info.txt", encoding="GB18030")
    assert items == [("A", "法院")] and findings == []


def test_format_tag_file_refuses_what_it_cannot_write():
    assert format_tag_file([("A", "b"), ("A", "")]) == b"A: b\nA: \n"
    for bad in [("A:B", "x"), (" A", "x"), ("A", "x\ny"), ("A", " x"), ("", "x")]:
        with pytest.raises(ValueError):
            format_tag_file([bad])


_label = st.text(min_size=1, max_size=20).filter(
    lambda s: not any(c in s for c in ":\r\n") and s == s.strip(" \t"))
_value = st.text(max_size=40).filter(lambda s: "\r" not in s and "\n" not in s).map(lambda s: s.strip(" \t"))


@settings(max_examples=300)
@given(st.lists(st.tuples(_label, _value), max_size=8))
def test_round_trip(items):
    parsed, findings = parse_tag_file(format_tag_file(items), "bag-info.txt")
    assert parsed == items
    assert findings == []


@settings(max_examples=500)
@given(st.binary(max_size=300), st.sampled_from(["bagit.txt", "bag-info.txt"]),
       st.sampled_from(["utf-8", "gb18030", "no-such-codec"]))
def test_never_raises(data, location, encoding):
    items, findings = parse_tag_file(data, location, encoding=encoding)
    for label, value in items:
        assert ":" not in label and label == label.strip(" \t")
    for f in findings:
        f.to_dict()
