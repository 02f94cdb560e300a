"""Coded findings: the shared vocabulary of every validator and check.

A *finding* is one fact about a package (a file is missing, a digest differs, a
date is in the future).  Each finding carries a stable *code* registered once,
with a severity, the clause of the standard it implements and message
templates in zh-CN and en.  Validators return findings; they raise only when
they cannot evaluate (see STYLE.md).
"""
from findings.codes import Code, Severity, register, get_code, all_codes
from findings.finding import Finding, findings_to_json, has_errors
from findings.i18n import Lang, resolve_lang, tr

__all__ = [
    "Code", "Severity", "register", "get_code", "all_codes",
    "Finding", "findings_to_json", "has_errors",
    "Lang", "resolve_lang", "tr",
]
