"""Plain-text rendering of findings, in one language."""
from __future__ import annotations

from typing import Iterable

from findings.codes import Severity
from findings.finding import Finding
from findings.i18n import Lang

_LABELS = {
    Lang.EN: {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO",
              "expected": "expected", "found": "found", "fix": "how to fix", "none": "no findings"},
    Lang.ZH: {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示",
              "expected": "应为", "found": "实为", "fix": "处理建议", "none": "无问题"},
}


def render_findings(findings: Iterable[Finding], lang: Lang, indent: str = "  ") -> list[str]:
    """One block of lines per finding: severity, code, message, expected/found, hint."""
    labels = _LABELS[lang]
    lines: list[str] = []
    for f in findings:
        lines.append(f"{indent}[{labels[f.level]}] {f.code}: {f.message(lang)}")
        compared = [f"{labels[k]}: {v}" for k, v in (("expected", f.expected), ("found", f.found)) if v is not None]
        if compared:
            lines.append(f"{indent}    " + "  ".join(compared))
        hint = f.hint(lang)
        if hint:
            lines.append(f"{indent}    {labels['fix']}: {hint}")
    if not lines:
        lines.append(f"{indent}{labels['none']}")
    return lines
