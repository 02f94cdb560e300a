"""档号: a configurable archive-number rule in the manner of DA/T 13-2022.

No national format for court 档号 exists (shared/standards.md §4.5), so the rule is a
template such as ``{fonds}-{year}-{retention}-{department}-{seq:04d}``: levels joined
by "-", 全宗号, 年度 (收案年度 from the case number), 保管期限 code, 承办部门 code,
and the 案卷号 ``seq`` counted within the series the other fields define.

Fields: ``fonds`` (全宗号), ``year``, ``retention``, ``department``, ``seq``
(format spec ``d`` or ``0Nd`` only).  A department missing from the configured map
gets the pinyin initials of its name without the trailing 庭/局/室/处/科, derived
from the GB 2312 code order of the level-1 Hanzi (which are sorted by pinyin):
民一庭 → MY, 执行局 → ZX.  Level-2 Hanzi (sorted by radical) cannot be derived
this way; a department using them must be configured.
"""
from __future__ import annotations

import bisect
import re
import string
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping

from findings import Finding
from metadata import codes
from metadata.model import CaseFile, RetentionPeriod

DEFAULT_TEMPLATE = "{fonds}-{year}-{retention}-{department}-{seq:04d}"

RETENTION_CODES: Mapping[RetentionPeriod, str] = {
    RetentionPeriod.PERMANENT: "Y", RetentionPeriod.YEARS_60: "D60",
    RetentionPeriod.YEARS_20: "D20", RetentionPeriod.YEARS_30: "D30",
    RetentionPeriod.YEARS_10: "D10", RetentionPeriod.LEGACY_LONG: "C",
    RetentionPeriod.LEGACY_SHORT: "D",
}
DEFAULT_DEPARTMENTS: Mapping[str, str] = {
    "民一庭": "MY", "民二庭": "ME", "民三庭": "MS", "商事庭": "SS", "执行局": "ZX",
    "立案庭": "LA", "刑一庭": "XY", "行政庭": "XZ",
}
DEPARTMENT_SUFFIXES = "庭局室处科"

# First GB 2312 code of each initial (啊 芭 擦 搭 蛾 发 噶 哈 击 喀 垃 妈 拿 哦 啪 期 然 撒 塌 挖 昔 压 匝).
_GB_STARTS = (0xB0A1, 0xB0C5, 0xB2C1, 0xB4EE, 0xB6EA, 0xB7A2, 0xB8C1, 0xB9FE, 0xBBF7, 0xBFA6,
              0xC0AC, 0xC2E8, 0xC4C3, 0xC5B6, 0xC5BE, 0xC6DA, 0xC8BB, 0xC8F6, 0xCBFA, 0xCDDA,
              0xCEF4, 0xD1B9, 0xD4D1)
_GB_LETTERS = "ABCDEFGHJKLMNOPQRSTWXYZ"
_GB_LEVEL1_END = 0xD7F9
_FIELDS = ("fonds", "year", "retention", "department", "seq")
_SEQ_SPEC = re.compile(r"(0(?P<width>[1-9][0-9]?))?d?")
_CODE = re.compile(r"[0-9A-Z]+")
_FONDS = r"[0-9A-Za-z]{1,16}"


def pinyin_initial(char: str) -> str | None:
    """The pinyin initial of a level-1 GB 2312 Hanzi, an ASCII letter or digit, else None."""
    if char.isascii():
        return char.upper() if char.isalnum() else None
    try:
        raw = char.encode("gb2312")
    except UnicodeEncodeError:
        return None
    value = int.from_bytes(raw, "big")
    if len(raw) != 2 or not _GB_STARTS[0] <= value <= _GB_LEVEL1_END:
        return None
    return _GB_LETTERS[bisect.bisect_right(_GB_STARTS, value) - 1]


def department_initials(name: str) -> str:
    """Initials of ``name`` without its 庭/局… suffix; ValueError if not derivable."""
    stem = name[:-1] if len(name) > 1 and name[-1] in DEPARTMENT_SUFFIXES else name
    letters = [pinyin_initial(ch) for ch in stem]
    if not stem or None in letters:
        raise ValueError(f"no code for department {name!r}: add it to the department map")
    return "".join(letters)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Piece:
    literal: str
    name: str | None
    spec: str


@dataclass(frozen=True)
class ArchiveNumberRule:
    """A 档号 template with its code tables; raises ValueError for a bad template."""

    template: str = DEFAULT_TEMPLATE
    department_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_DEPARTMENTS))
    retention_codes: Mapping[RetentionPeriod, str] = field(default_factory=lambda: dict(RETENTION_CODES))

    def __post_init__(self) -> None:
        pieces = self._pieces  # parses and checks the template
        if [p.name for p in pieces].count("seq") != 1:
            raise ValueError(f"template {self.template!r} must contain {{seq}} exactly once")
        for code in (*self.department_codes.values(), *self.retention_codes.values()):
            if not _CODE.fullmatch(code):
                raise ValueError(f"code {code!r} must be upper-case letters and digits")

    @cached_property
    def _pieces(self) -> tuple[_Piece, ...]:
        pieces = []
        for literal, name, spec, conversion in string.Formatter().parse(self.template):
            if name is not None and (name not in _FIELDS or conversion):
                raise ValueError(f"unknown field {{{name}}} in template {self.template!r}")
            if name is not None and spec and (name != "seq" or not _SEQ_SPEC.fullmatch(spec)):
                raise ValueError(f"format spec {spec!r} not allowed for {{{name}}}")
            pieces.append(_Piece(literal, name, spec or ""))
        return tuple(pieces)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The regular expression every archive number of this rule matches."""
        seen: set[str] = set()
        parts = []
        for piece in self._pieces:
            parts.append(re.escape(piece.literal))
            if piece.name in seen:
                parts.append(f"(?P={piece.name})")
            elif piece.name is not None:
                seen.add(piece.name)
                parts.append(f"(?P<{piece.name}>{self._field_regex(piece)})")
        return re.compile("".join(parts))

    def _field_regex(self, piece: _Piece) -> str:
        if piece.name == "seq":
            spec = _SEQ_SPEC.fullmatch(piece.spec)
            width = spec["width"] if spec else None
            return f"[0-9]{{{width},}}" if width else "[0-9]+"
        if piece.name == "retention":
            return "|".join(re.escape(c) for c in sorted(set(self.retention_codes.values()), key=len, reverse=True))
        return {"fonds": _FONDS, "year": "[0-9]{4}", "department": "[0-9A-Z]+"}[piece.name or ""]

    def department_code(self, department: str) -> str:
        """The configured code, else the derived initials (ValueError if neither)."""
        return self.department_codes.get(department) or department_initials(department)

    def _values(self, cf: CaseFile) -> dict[str, str]:
        fonds = cf.fonds_number or ""
        if not re.fullmatch(_FONDS, fonds):
            raise ValueError(f"case file {cf.case_number}: fonds number {cf.fonds_number!r} unusable in 档号")
        if not 1000 <= cf.year <= 9999:
            raise ValueError(f"case file {cf.case_number}: year {cf.year} is not four digits")
        if cf.retention not in self.retention_codes:
            raise ValueError(f"no code for retention period {cf.retention}")
        return {"fonds": fonds, "year": str(cf.year),
                "retention": self.retention_codes[cf.retention],
                "department": self.department_code(cf.department)}

    def _render(self, cf: CaseFile, seq: int | None) -> list[str | None]:
        """Rendered text per piece: literal + field; the seq field is None when seq is None."""
        values = self._values(cf)
        out: list[str | None] = []
        for piece in self._pieces:
            out.append(piece.literal)
            if piece.name == "seq":
                out.append(None if seq is None else format(seq, piece.spec))
            elif piece.name is not None:
                out.append(values[piece.name])
        return out

    def format(self, cf: CaseFile, seq: int) -> str:
        """The 档号 of ``cf`` as number ``seq`` (from 1) of its series."""
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise ValueError(f"sequence number must be an integer ≥ 1, got {seq!r}")
        return "".join(self._render(cf, seq))  # type: ignore[arg-type]

    def series_key(self, cf: CaseFile) -> str:
        """What sequence numbers are counted within: the 档号 up to ``seq``.

        When fields follow ``seq`` they also split series; the key then keeps
        them, with ``{seq}`` marking the place of the number.
        """
        parts = self._render(cf, None)
        cut = parts.index(None)
        prefix, suffix = "".join(parts[:cut]), "".join(parts[cut + 1:])  # type: ignore[arg-type]
        after_seq = self._pieces[[p.name for p in self._pieces].index("seq") + 1:]
        return prefix + "{seq}" + suffix if any(p.name for p in after_seq) else prefix

    def matches(self, archive_number: str) -> bool:
        return self.pattern.fullmatch(archive_number) is not None

    def parse(self, archive_number: str) -> dict[str, str] | None:
        """The field values of ``archive_number``, or None when it does not match."""
        match = self.pattern.fullmatch(archive_number)
        return match.groupdict() if match else None


def check_archive_number(cf: CaseFile, rule: ArchiveNumberRule,
                         location: str = "data/metadata/casefile.xml") -> list[Finding]:
    """DA/T 70 1-7: a declared 档号 follows the rule (an absent one is assigned later)."""
    if cf.archive_number is None or rule.matches(cf.archive_number):
        return []
    return [Finding(codes.ARCHIVE_NUMBER_INVALID, location,
                    expected=rule.template, found=cf.archive_number)]
