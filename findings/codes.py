"""The registry of finding codes.

Codes are stable identifiers (``BAG-MANIFEST-MISMATCH``): once published they are
never renamed or reused, because senders script against them.  Each module that
produces findings registers its codes at import time with :func:`register`.
``docs/finding-codes.md`` is generated from this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How a finding weighs: ``error`` refuses a package, ``warning`` does not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    """One registered finding code.

    ``en`` and ``zh`` are :py:meth:`str.format` templates; they may use
    ``{location}``, ``{expected}``, ``{found}`` and any key of the finding's
    ``params``.  ``hint_en``/``hint_zh`` tell the sender how to fix it.
    """

    code: str
    severity: Severity
    clause: str
    en: str
    zh: str
    hint_en: str = ""
    hint_zh: str = ""


_REGISTRY: dict[str, Code] = {}


def register(*codes: Code) -> None:
    """Register codes; registering the same code twice with other text is a bug."""
    for code in codes:
        known = _REGISTRY.get(code.code)
        if known is not None and known != code:
            raise ValueError(f"finding code {code.code} registered twice with different definitions")
        _REGISTRY[code.code] = code


def get_code(code: str) -> Code:
    """Return the registered definition of ``code`` (KeyError if unknown)."""
    return _REGISTRY[code]


def all_codes() -> list[Code]:
    """Every registered code, sorted by identifier."""
    return sorted(_REGISTRY.values(), key=lambda c: c.code)
