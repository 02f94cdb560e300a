"""The content checks' part of the [checks] section, read into a frozen value.

[checks] is shared by the whole engine, so this module reads only its own keys
(``SETTING_KEYS``) and leaves refusing unknown keys to the engine's parser
(checks.plans.DEFAULT_SETTINGS must list them).  A value of None keeps the default.
Defaults follow GB/T 18894-2016 8.3 and DA/T 47 (版式: PDF, PDF/A; OFD per
GB/T 33190 and DA/T 92), the policy quoted in the [checks] issue.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from archive.config import ConfigError

DEFAULT_ALLOWED = ("OFD", "PDF", "PDF/A", "JPEG", "TIFF", "PNG", "WAV", "MP3", "MP4", "XML")
DEFAULT_PREFERRED = ("PDF/A", "OFD")
#: Open formats GB/T 18894 8.3 names for their kind of content: fit, but not preferred.
DEFAULT_ACCEPTABLE = ("PDF", "JPEG", "TIFF", "PNG", "WAV", "MP3", "MP4", "XML", "TEXT", "DOCX", "XLSX")

SETTING_KEYS = frozenset({"allowed_formats", "long_term_formats", "long_term_acceptable", "trusted_roots",
                          "content_max_mb", "content_memory_mb", "pdf_max_objects", "zip_max_entries",
                          "zip_max_member_mb", "uri_actions"})


@dataclass(frozen=True)
class ContentSettings:
    allowed_formats: tuple[str, ...] = DEFAULT_ALLOWED
    long_term_formats: tuple[str, ...] = DEFAULT_PREFERRED
    long_term_acceptable: tuple[str, ...] = DEFAULT_ACCEPTABLE
    trusted_roots: tuple[Path, ...] = ()  # PEM files: roots for signatures embedded in PDFs
    content_max_mb: int = 4096  # files above are hashed but not opened (indeterminate)
    content_memory_mb: int = 256  # larger files are spooled to a temporary file while read
    pdf_max_objects: int = 200_000
    zip_max_entries: int = 10_000
    zip_max_member_mb: int = 256
    uri_actions: str = "warn"  # warn | refuse

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], base: Path | None = None) -> "ContentSettings":
        """Read the content keys of [checks]; ConfigError for a wrong type or value."""
        settings = {k: v for k, v in settings.items() if v is not None}  # None: keep the default
        values: dict[str, Any] = {}
        for key in ("allowed_formats", "long_term_formats", "long_term_acceptable"):
            if key in settings:
                values[key] = _names(key, settings[key])
        for key in ("content_max_mb", "content_memory_mb", "pdf_max_objects", "zip_max_entries", "zip_max_member_mb"):
            if key in settings:
                values[key] = _positive(key, settings[key])
        if "trusted_roots" in settings:
            values["trusted_roots"] = tuple(_path(p, base) for p in _names("trusted_roots", settings["trusted_roots"]))
        if "uri_actions" in settings:
            if settings["uri_actions"] not in ("warn", "refuse"):
                raise ConfigError("[checks] uri_actions must be 'warn' or 'refuse'")
            values["uri_actions"] = settings["uri_actions"]
        return cls(**values)


def _names(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"[checks] {key} must be a list of non-empty strings")
    return tuple(value) if key == "trusted_roots" else tuple(v.upper() for v in value)


def _positive(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"[checks] {key} must be a positive integer")
    return value


def _path(value: str, base: Path | None) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path
