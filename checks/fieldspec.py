"""The field specification (著录项目规范) that drives the metadata check items.

``schemas/field-spec.json`` says, for every element of the case-file metadata
(case level, party, document), its labels, type, length, pattern, vocabulary,
whether the element must exist (DA/T 70 2-3), whether it must be filled in
(2-4) and whether its value must be unique (1-8), plus cross-field rules
(date order, declared totals, continuity) and the special-character policy
(1-6).  The checks in :mod:`checks.items_metadata` read this file; changing a
rule means editing the JSON, not the code.  A malformed specification raises
:class:`FieldSpecError` (the engine then records ``indeterminate``).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Mapping

from metadata import model
from metadata.model import CaseFile

TYPES = frozenset({"text", "date", "int", "enum", "case_number", "archive_number", "digest", "path"})
LEVELS = {"case": "/caseFile", "party": "/caseFile/parties/party", "document": "/caseFile/documents/document"}
MANDATORY = frozenset({"always", "aip", "never"})
_FIELD_KEYS = frozenset({
    "name", "level", "element", "label_zh", "label_en", "type", "max_length", "pattern", "vocabulary",
    "min", "max", "not_future", "element_required", "mandatory", "mandatory_when", "unique_in_package",
    "unique_except_equal_to", "unique_in_catalogue", "special_characters", "repeated", "length_by"})
_TOP_KEYS = frozenset({"title", "version", "about", "levels", "fields", "rules", "special_characters"})
_RULE_KEYS = frozenset({"lists", "date_order", "aggregates", "duplicate_keys", "continuity"})
_SPECIAL_KEYS = frozenset({"policy", "policies", "forbidden", "allowed", "allowed_ranges",
                           "flag_private_use", "flag_control"})
POLICIES = frozenset({"gb18030-symbols", "list"})


class FieldSpecError(ValueError):
    """The field specification itself is malformed (not a finding about a package)."""


@dataclass(frozen=True)
class Vocabulary:
    values: tuple[str, ...]
    source: str  # "Procedure" (an enum of metadata.model) or "list"
    case_insensitive: bool = False

    def contains(self, value: Any) -> bool:
        text = str(value)
        if self.case_insensitive:
            return text.casefold() in {v.casefold() for v in self.values}
        return text in self.values


@dataclass(frozen=True)
class FieldSpec:
    """One metadata element and its rules."""

    name: str  # attribute of the model, dotted for nested values (digest.value)
    level: str  # case | party | document
    element: str  # XPath step(s) below the level's element: title, panel/member, @role, .
    label_zh: str
    label_en: str
    type: str
    max_length: int | None = None
    pattern: str | None = None
    vocabulary: Vocabulary | None = None
    min: int | date | None = None
    max: int | date | None = None
    not_future: bool = False
    element_required: bool = False
    mandatory: str = "never"
    mandatory_when: tuple[str, str] | None = None  # (sibling field, value)
    unique_in_package: bool = False
    unique_except_equal_to: str | None = None  # a case-level field whose value may repeat
    unique_in_catalogue: bool = False
    special_characters: bool = False
    repeated: bool = False
    length_by: tuple[str, Mapping[str, int]] | None = None  # (sibling field, value → hex length)

    @property
    def key(self) -> str:
        """Unique id of the field: ``document.title``, ``case.case_number``."""
        return f"{self.level}.{self.name}"


@dataclass(frozen=True)
class ListRule:
    name: str
    element: str
    label_zh: str
    label_en: str
    min_items: int


@dataclass(frozen=True)
class DateOrder:
    earlier: str  # case field name, or document.<name>
    later: str


@dataclass(frozen=True)
class Aggregate:
    field: str  # case-level field holding the declared value
    equals: str  # count:<list> | sum:<list>.<field>


@dataclass(frozen=True)
class DuplicateKey:
    level: str
    fields: tuple[str, ...]
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Continuity:
    level: str
    field: str
    start: int = 1
    length: str | None = None  # field giving the run length (page_count for start_page)
    group_by: str | None = None
    restarts_by_group: Mapping[str, str] | None = None  # group value → case field counting 册


@dataclass(frozen=True)
class SpecialCharacterPolicy:
    """DA/T 70 1-6: which characters a text field may not hold."""

    policy: str = "gb18030-symbols"
    forbidden: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()
    allowed_ranges: tuple[tuple[int, int], ...] = ()
    flag_private_use: bool = True
    flag_control: bool = True

    def is_allowed(self, char: str) -> bool:
        code = ord(char)
        return char in self.allowed or any(lo <= code <= hi for lo, hi in self.allowed_ranges)


@dataclass(frozen=True)
class Rules:
    lists: tuple[ListRule, ...] = ()
    date_order: tuple[DateOrder, ...] = ()
    aggregates: tuple[Aggregate, ...] = ()
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    continuity: tuple[Continuity, ...] = ()


@dataclass(frozen=True)
class FieldSpecification:
    fields: tuple[FieldSpec, ...]
    rules: Rules
    special: SpecialCharacterPolicy
    version: int = 1

    def field(self, level: str, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.level == level and spec.name == name:
                return spec
        raise KeyError(f"{level}.{name}")


@dataclass(frozen=True)
class FieldValue:
    """One occurrence of a field in a case file."""

    spec: FieldSpec
    xpath: str  # e.g. /caseFile/documents/document[2]/title
    value: Any
    owner: Any  # the CaseFile, Party or Document holding the value
    index: int  # position of the owner (1-based) or of the repeated value


# ------------------------------------------------------------------ loading

def _check_keys(where: str, data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    if not isinstance(data, Mapping):
        raise FieldSpecError(f"{where}: expected an object")
    unknown = set(data) - allowed
    if unknown:
        raise FieldSpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def _vocabulary(where: str, raw: Mapping[str, Any] | None) -> Vocabulary | None:
    if raw is None:
        return None
    _check_keys(where, raw, frozenset({"enum", "values", "case_insensitive"}))
    if "enum" in raw:
        enum = getattr(model, str(raw["enum"]), None)
        if not (isinstance(enum, type) and issubclass(enum, StrEnum)):
            raise FieldSpecError(f"{where}: {raw['enum']!r} is not an enum of metadata.model")
        return Vocabulary(tuple(m.value for m in enum), str(raw["enum"]))
    values = raw.get("values")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise FieldSpecError(f"{where}: vocabulary needs 'enum' or a non-empty list 'values'")
    return Vocabulary(tuple(values), "list", bool(raw.get("case_insensitive", False)))


def _bound(where: str, kind: str, value: Any) -> int | date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if kind == "date" else int(value)
    except (TypeError, ValueError):
        raise FieldSpecError(f"{where}: bad bound {value!r} for a {kind} field") from None


def _field(raw: Mapping[str, Any], index: int) -> FieldSpec:
    where = f"fields[{index}]"
    _check_keys(where, raw, _FIELD_KEYS)
    try:
        kind, level = raw["type"], raw["level"]
        name, element, zh, en = raw["name"], raw["element"], raw["label_zh"], raw["label_en"]
    except KeyError as exc:
        raise FieldSpecError(f"{where}: missing key {exc.args[0]!r}") from None
    if kind not in TYPES or level not in LEVELS or raw.get("mandatory", "never") not in MANDATORY:
        raise FieldSpecError(f"{where} ({name}): bad type, level or mandatory value")
    pattern = raw.get("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FieldSpecError(f"{where} ({name}): bad pattern: {exc}") from None
    when = raw.get("mandatory_when")
    length_by = raw.get("length_by")
    return FieldSpec(
        name=name, level=level, element=element, label_zh=zh, label_en=en, type=kind,
        max_length=raw.get("max_length"), pattern=pattern,
        vocabulary=_vocabulary(f"{where}.vocabulary", raw.get("vocabulary")),
        min=_bound(where, kind, raw.get("min")), max=_bound(where, kind, raw.get("max")),
        not_future=bool(raw.get("not_future", False)),
        element_required=bool(raw.get("element_required", False)),
        mandatory=raw.get("mandatory", "never"),
        mandatory_when=(when["field"], when["equals"]) if when else None,
        unique_in_package=bool(raw.get("unique_in_package", False)),
        unique_except_equal_to=raw.get("unique_except_equal_to"),
        unique_in_catalogue=bool(raw.get("unique_in_catalogue", False)),
        special_characters=bool(raw.get("special_characters", False)),
        repeated=bool(raw.get("repeated", False)),
        length_by=(length_by["field"], dict(length_by["lengths"])) if length_by else None)


def _special(raw: Mapping[str, Any]) -> SpecialCharacterPolicy:
    _check_keys("special_characters", raw, _SPECIAL_KEYS)
    policy = raw.get("policy", "gb18030-symbols")
    if policy not in POLICIES:
        raise FieldSpecError(f"special_characters.policy must be one of {sorted(POLICIES)}")
    try:
        ranges = tuple((int(lo, 16), int(hi, 16)) for lo, hi in raw.get("allowed_ranges", ()))
    except (TypeError, ValueError):
        raise FieldSpecError("special_characters.allowed_ranges: pairs of hex code points") from None
    return SpecialCharacterPolicy(
        policy=policy, forbidden=frozenset(raw.get("forbidden", "")),
        allowed=frozenset(raw.get("allowed", "")), allowed_ranges=ranges,
        flag_private_use=bool(raw.get("flag_private_use", True)),
        flag_control=bool(raw.get("flag_control", True)))


def _rules(raw: Mapping[str, Any]) -> Rules:
    _check_keys("rules", raw, _RULE_KEYS)
    try:
        return Rules(
            lists=tuple(ListRule(**r) for r in raw.get("lists", ())),
            date_order=tuple(DateOrder(**r) for r in raw.get("date_order", ())),
            aggregates=tuple(Aggregate(**r) for r in raw.get("aggregates", ())),
            duplicate_keys=tuple(DuplicateKey(**{**r, "fields": tuple(r["fields"])})
                                 for r in raw.get("duplicate_keys", ())),
            continuity=tuple(Continuity(**r) for r in raw.get("continuity", ())))
    except (TypeError, KeyError) as exc:
        raise FieldSpecError(f"rules: {exc}") from None


def parse_field_spec(data: Mapping[str, Any]) -> FieldSpecification:
    """Build the specification from its JSON object (FieldSpecError when malformed)."""
    _check_keys("field spec", data, _TOP_KEYS)
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise FieldSpecError("field spec: 'fields' must be a non-empty list")
    fields = tuple(_field(raw, i) for i, raw in enumerate(raw_fields))
    keys = [f.key for f in fields]
    if len(set(keys)) != len(keys):
        raise FieldSpecError("field spec: a field is listed twice")
    return FieldSpecification(fields, _rules(data.get("rules", {})),
                              _special(data.get("special_characters", {})), int(data.get("version", 1)))


@lru_cache(maxsize=8)
def load_field_spec(path: str | None = None) -> FieldSpecification:
    """The shipped schemas/field-spec.json, or the file at ``path`` ([checks] field_spec)."""
    try:
        if path is None:
            text = resources.files("schemas").joinpath("field-spec.json").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FieldSpecError(f"cannot read field specification {path or 'field-spec.json'}: {exc}") from None
    return parse_field_spec(data)


# ------------------------------------------------------------------ values of a case file

def attribute(obj: Any, dotted: str) -> Any:
    """``obj.a.b`` for ``a.b``; None when a step is missing (hostile or partial objects)."""
    for step in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, step, None)
    return obj


def items(value: Any) -> tuple[Any, ...]:
    """The entries of a list-valued attribute; anything else holds none."""
    return tuple(value) if isinstance(value, (tuple, list)) else ()


def _owners(cf: CaseFile, level: str) -> Iterator[tuple[int, str, Any]]:
    if level == "case":
        yield 1, LEVELS["case"], cf
        return
    entries = items(cf.parties if level == "party" else cf.documents)
    for index, owner in enumerate(entries, 1):
        yield index, f"{LEVELS[level]}[{index}]", owner


def _xpath(base: str, element: str) -> str:
    return base if element == "." else f"{base}/{element}"


def field_values(cf: CaseFile, spec: FieldSpec) -> Iterator[FieldValue]:
    """Every occurrence of ``spec`` in ``cf`` (absent optional values included, as None)."""
    for index, base, owner in _owners(cf, spec.level):
        value = attribute(owner, spec.name)
        if not spec.repeated:
            yield FieldValue(spec, _xpath(base, spec.element), value, owner, index)
            continue
        for j, one in enumerate(items(value), 1):
            yield FieldValue(spec, f"{_xpath(base, spec.element)}[{j}]", one, owner, j)


def all_values(cf: CaseFile, spec: FieldSpecification) -> Iterator[FieldValue]:
    """Every value of every specified field; listed once per (case file, specification)."""
    key = (id(cf), id(spec))
    if _LAST[0] != key:
        # the objects are kept alive with the list, so their ids cannot be reused meanwhile
        _LAST[:] = [key, [fv for field in spec.fields for fv in field_values(cf, field)], (cf, spec)]
    return iter(_LAST[1])


# One entry is enough: the metadata items of a plan all walk the same case file in turn.
_LAST: list[Any] = [None, [], None]


# ------------------------------------------------------------------ 1-6 special characters

_REASONS_ZH = {"listed": "列入特殊字符清单", "control": "控制或格式字符", "private-use": "私用区字符",
               "unassigned": "未分配的码位", "gb18030-symbol": "GB 18030 双字节非汉字符号",
               "symbol": "非汉字符号"}


@dataclass(frozen=True)
class SpecialCharacter:
    """One offending character of a value."""

    char: str
    reason: str  # a key of _REASONS_ZH

    def params(self) -> dict[str, str]:
        code = f"{ord(self.char):04X}"
        return {"char": self.char if self.char.isprintable() else f"U+{code}", "codepoint": code,
                "char_name": unicodedata.name(self.char, f"U+{code}"), "reason": self.reason,
                "reason_zh": _REASONS_ZH[self.reason]}


def policy_from_settings(base: SpecialCharacterPolicy, setting: Any) -> SpecialCharacterPolicy:
    """[checks] special_characters: None keeps the spec's policy; a string is the archive's own
    list (policy "list"); a table may set ``policy``, ``forbidden`` and ``allowed``."""
    if setting is None:
        return base
    if isinstance(setting, str):
        return replace(base, policy="list", forbidden=frozenset(setting))
    if not isinstance(setting, Mapping) or set(setting) - {"policy", "forbidden", "allowed"}:
        raise FieldSpecError("[checks] special_characters: a string or a table of policy/forbidden/allowed")
    policy = setting.get("policy", base.policy)
    if policy not in POLICIES:
        raise FieldSpecError(f"[checks] special_characters.policy must be one of {sorted(POLICIES)}")
    return replace(base, policy=policy, forbidden=base.forbidden | frozenset(setting.get("forbidden", "")),
                   allowed=base.allowed | frozenset(setting.get("allowed", "")))


def _is_hanzi(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def classify_character(char: str, policy: SpecialCharacterPolicy) -> str | None:
    """Why ``char`` is special under ``policy`` (a reason key), or None when it is fine."""
    category = unicodedata.category(char)
    if char in policy.forbidden:
        return "listed"
    if policy.flag_control and (category == "Cf" or (category == "Cc" and char not in "\t\n\r")):
        return "control"
    if policy.flag_private_use and category == "Co":
        return "private-use"
    if category in ("Cn", "Cs"):
        return "unassigned"
    if policy.policy != "gb18030-symbols" or char.isascii() or policy.is_allowed(char) or _is_hanzi(char):
        return None
    width = len(char.encode("gb18030"))
    if width == 2:  # GB 18030 double-byte, not a Hanzi: the symbols DA/T 70 1-6 names
        return "gb18030-symbol"
    return "symbol" if category.startswith("S") else None


def special_characters(text: str, policy: SpecialCharacterPolicy) -> list[SpecialCharacter]:
    """Each distinct special character of ``text``, in order of first occurrence."""
    out: dict[str, SpecialCharacter] = {}
    for char in text:
        if char not in out and (reason := classify_character(char, policy)) is not None:
            out[char] = SpecialCharacter(char, reason)
    return list(out.values())
