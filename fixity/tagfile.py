"""Text tag files of the ``label: value`` kind: bagit.txt and bag-info.txt.

RFC 8493 §2.2.2: a metadata element is a label, a colon, a linear whitespace
and a value ended by LF, CR or CRLF; a value may continue on lines that start
with linear whitespace (folding); labels must not start or end with
whitespace; labels may repeat and their order is kept.  §2.1.1: bagit.txt is
UTF-8 without a byte-order mark.
"""
from __future__ import annotations

from typing import Iterable

from findings import Code, Finding, Severity, register
from fixity.manifest import decode_text, split_lines

_LWSP = " \t"
register(
    Code("BAG-TAGFILE-LINE-MALFORMED", Severity.ERROR, "RFC 8493 §2.2.2",
         "{location} line {line}: not a 'label: value' line: {found}",
         "{location} 第 {line} 行：不是“标签: 值”格式：{found}",
         "Write each element as 'Label: value'; indent continuation lines with a space or tab.",
         "每个元素写作“标签: 值”；续行须以空格或制表符缩进。"),
    Code("BAG-TAGFILE-LABEL-WHITESPACE", Severity.ERROR, "RFC 8493 §2.2.2",
         "{location} line {line}: label {found} starts or ends with whitespace",
         "{location} 第 {line} 行：标签 {found} 以空白字符开头或结尾",
         "Remove the spaces around the label, e.g. 'Source-Organization: …'.",
         "删除标签两侧的空格，例如“Source-Organization: …”。"),
    Code("BAG-DECLARATION-BOM", Severity.ERROR, "RFC 8493 §2.1.1",
         "{location} starts with a byte-order mark; the bag declaration must not contain one",
         "{location} 以字节顺序标记（BOM）开头；BagIt 声明文件不得包含 BOM",
         "Save bagit.txt as UTF-8 without a BOM.", "请以不带 BOM 的 UTF-8 保存 bagit.txt。"),
)


def _decode(data: bytes, location: str, encoding: str, declaration: bool) -> tuple[str, list[Finding]]:
    text, findings = decode_text(data, location, encoding)
    if declaration:
        findings = [Finding("BAG-DECLARATION-BOM", location) if f.code == "BAG-TAGFILE-BOM" else f
                    for f in findings]
    return text, findings


def _malformed(location: str, number: int, line: str) -> Finding:
    return Finding("BAG-TAGFILE-LINE-MALFORMED", location, found=line[:200], params={"line": number})


def _element(location: str, number: int, line: str) -> tuple[tuple[str, str] | None, list[Finding]]:
    """One ``label: value`` line; None with a finding when it is not one."""
    label, colon, value = line.partition(":")
    if not colon or not label.strip(_LWSP):
        return None, [_malformed(location, number, line)]
    findings: list[Finding] = []
    if label != label.strip(_LWSP):
        findings.append(Finding("BAG-TAGFILE-LABEL-WHITESPACE", location, found=repr(label),
                                params={"line": number}))
    return (label.strip(_LWSP), value), findings


def parse_tag_file(
    data: bytes, location: str, *, encoding: str = "utf-8", declaration: bool | None = None,
) -> tuple[list[tuple[str, str]], list[Finding]]:
    """Parse tag-file bytes into ordered ``(label, value)`` pairs plus findings.

    Folded lines are unfolded by removing the line break (RFC 5322 style) and
    values are stripped of surrounding linear whitespace.  ``declaration``
    (default: the file is named bagit.txt) makes a BOM an error.
    """
    if declaration is None:
        declaration = location.rsplit("/", 1)[-1] == "bagit.txt"
    text, findings = _decode(data, location, encoding, declaration)
    items: list[list[str]] = []
    for number, line in enumerate(split_lines(text), start=1):
        if line.strip(_LWSP) == "":
            continue
        if line[0] in _LWSP:
            if items:
                items[-1][1] += line
            else:
                findings.append(_malformed(location, number, line))
            continue
        element, more = _element(location, number, line)
        findings += more
        if element:
            items.append(list(element))
    return [(label, value.strip(_LWSP)) for label, value in items], findings


def _check_item(label: str, value: str) -> None:
    if not label or label != label.strip(_LWSP) or any(c in label for c in ":\r\n"):
        raise ValueError(f"tag label {label!r} cannot be written (RFC 8493 §2.2.2)")
    if value != value.strip(_LWSP) or "\r" in value or "\n" in value:
        raise ValueError(f"tag value {value!r} of {label!r} cannot be written on one line")


def format_tag_file(items: Iterable[tuple[str, str]]) -> bytes:
    """``Label: value`` lines in the given order, LF line ends, UTF-8.

    Raises ValueError for a label or value that the format cannot carry
    (colon or line break in a label, line break or edge whitespace in a value).
    """
    out = []
    for label, value in items:
        _check_item(label, value)
        out.append(f"{label}: {value}\n")
    return "".join(out).encode("utf-8")
