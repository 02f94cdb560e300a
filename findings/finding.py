"""The Finding value object and its renderings."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from findings.codes import Severity, get_code
from findings.i18n import Lang


class _SafeDict(dict):  # type: ignore[type-arg]
    """Leave unknown template keys visible instead of failing to render."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Finding:
    """One coded fact about a package.

    ``location`` names the file (relative to the package root) or the field the
    finding is about; ``expected``/``found`` hold the compared values when there
    are any.  Severity defaults to the code's registered severity.
    """

    code: str
    location: str = ""
    expected: str | None = None
    found: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None

    @property
    def level(self) -> Severity:
        return self.severity or get_code(self.code).severity

    def _values(self) -> _SafeDict:
        values = _SafeDict(self.params)
        values.update(location=self.location, expected=self.expected, found=self.found)
        return values

    def message(self, lang: Lang = Lang.EN) -> str:
        code = get_code(self.code)
        template = code.zh if lang is Lang.ZH else code.en
        return template.format_map(self._values())

    def hint(self, lang: Lang = Lang.EN) -> str:
        code = get_code(self.code)
        template = code.hint_zh if lang is Lang.ZH else code.hint_en
        return template.format_map(self._values())

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """JSON-ready form; both languages unless ``lang`` picks one."""
        code = get_code(self.code)
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.level.value,
            "clause": code.clause,
            "location": self.location,
            "expected": self.expected,
            "found": self.found,
        }
        langs = [lang] if lang else [Lang.ZH, Lang.EN]
        for one in langs:
            out[f"message_{one.value}"] = self.message(one)
            hint = self.hint(one)
            if hint:
                out[f"hint_{one.value}"] = hint
        if self.params:
            out["params"] = {k: str(v) for k, v in self.params.items()}
        return out


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding is of severity error (the package is refused)."""
    return any(f.level is Severity.ERROR for f in findings)


def findings_to_json(findings: Iterable[Finding], lang: Lang | None = None) -> list[dict[str, Any]]:
    return [f.to_dict(lang) for f in findings]
