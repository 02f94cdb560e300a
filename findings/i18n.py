"""Language selection and the small catalogue of user-facing texts.

Finding messages live with their codes (findings.codes); this module holds the
other texts the CLI and reports print, keyed by a stable message id.
"""
from __future__ import annotations

import os
from enum import StrEnum
from typing import Any, Mapping


class Lang(StrEnum):
    ZH = "zh-CN"
    EN = "en"


def resolve_lang(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Lang:
    """``--lang`` wins; otherwise the locale (LC_ALL, LC_MESSAGES, LANG) decides."""
    if explicit:
        value = explicit.lower()
        if value.startswith("zh"):
            return Lang.ZH
        if value.startswith("en"):
            return Lang.EN
        raise ValueError(f"unsupported language {explicit!r}: use zh-CN or en")
    env = os.environ if environ is None else environ
    for var in ("CASEARCHIVE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return Lang.ZH if value.lower().startswith("zh") else Lang.EN
    return Lang.EN


_TEXTS: dict[str, tuple[str, str]] = {}


def add_texts(texts: Mapping[str, tuple[str, str]]) -> None:
    """Register texts as ``id -> (en, zh)``; modules call this at import time."""
    for key, pair in texts.items():
        if key in _TEXTS and _TEXTS[key] != pair:
            raise ValueError(f"text {key} registered twice with different content")
        _TEXTS[key] = pair


def tr(key: str, lang: Lang, **params: Any) -> str:
    """The text ``key`` in ``lang``, formatted with ``params``."""
    en, zh = _TEXTS[key]
    return (zh if lang is Lang.ZH else en).format(**params)
