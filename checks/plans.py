"""Stage plans (收 receive, 管 manage, 用 use, 存 store) and the typed [checks] settings.

Defaults live in schemas/check-plans.json; the archive's ``[checks]`` section may
override a plan's items and blocking rules (``[checks.plans.<stage>]``) and
sets what the check functions read (allowed formats, ClamAV, trust roots …).
Unknown keys are refused (STYLE.md 9).  DA/T 70 4.3.1.1 asks exactly for this:
configurable indicators, cycles and format policies.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from archive.config import ConfigError
from checks.api import Stage, Status
from checks.registry import STAGE_PREFIXES, Registry, load_registry

#: Settings the check functions read, with their defaults (see docs/checks.md); values are
#: shaped as TOML gives them (lists, tables), so defaults and configured values look alike.
DEFAULT_SETTINGS: Mapping[str, Any] = MappingProxyType({
    "eep": False,  # 1-15: AIPs are DA/T 48 EEPs
    "allowed_formats": ["OFD", "PDF", "PDF/A", "JPEG", "TIFF", "PNG", "WAV", "MP3", "MP4", "XML"],  # 3-3
    "long_term_formats": ["PDF/A", "OFD"],  # 3-5: preferred
    "trusted_roots": [],  # 1-1: PEM files trusted for signatures embedded in documents
    "clamav_database": None,  # 4-2: clamscan -d DIR
    "clamd_socket": None,  # 4-1/4-2: clamd UNIX socket
    "scan_timeout_s": 600,  # 4-2
    "virus_scan": "required",  # 4-2: required | optional | off (VIRUS_SCAN_MODES)
    "min_read_mb_s": 20.0,  # 4-4
    "special_characters": None,  # 1-6: None = GB 18030 double-byte non-Hanzi symbols
    "field_spec": None,  # 1-2 … 2-6: path of a field specification; None = schemas/field-spec.json
    "duplicate_fields": ["archive_number", "case_number"],  # 1-8
    "fonds_codes": {},  # 1-9: the receiving archive's fonds/catalogue/class rules
    "archivable_categories": None,  # 2-9: None = every category of 法〔2015〕137号
    "allowed_software": None,  # 3-6: None = no restriction list
    "vulnerability_scanner": None,  # 4-8: command line of a scanner
    "clamscan": None,  # 4-1/4-2: path of the clamscan binary (None = search PATH)
    "clamav_max_age_days": 30,  # 4-1: signature database older than this → warning
    "read_sample_mb": 64,  # 4-4: bytes read to measure the read speed
    "min_free_mb": None,  # 4-4: free space below this → warning (None = no check)
    "long_term_acceptable": None,  # 3-5: formats acceptable (not preferred) for long-term keeping
    "content_max_mb": None,  # 2-7/3-4: larger files are hashed but not opened
    "content_memory_mb": None,  # 3-4: memory budget of one decoder
    "pdf_max_objects": None,  # 3-4: PDFs with more objects are indeterminate
    "zip_max_entries": None,  # 3-4: OFD/zip containers
    "zip_max_member_mb": None,  # 3-4: OFD/zip containers
    "uri_actions": None,  # 3-8: "warn" (default) or "refuse"
})
PLAN_KEYS = frozenset({"items", "blocking"})
#: [checks] virus_scan: "required" — a package that could not be scanned is refused at receipt;
#: "optional" — it is archived with a warning; "off" — never scanned, a warning on every ingest.
VIRUS_SCAN_MODES = ("required", "optional", "off")
BLOCKING_STATUSES = (Status.FAILED, Status.INDETERMINATE, Status.MANUAL)


@dataclass(frozen=True)
class PlanOverride:
    """``[checks.plans.<stage>]`` as written."""

    items: tuple[str, ...] | None = None
    blocking: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ChecksSettings:
    """The ``[checks]`` section: plan overrides plus the settings check functions read."""

    plans: Mapping[str, PlanOverride] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))

    def as_mapping(self) -> Mapping[str, Any]:
        """What ``CheckContext.settings`` holds: every known key, defaults filled in."""
        return MappingProxyType(dict(self.values))


def parse_settings(section: Mapping[str, Any]) -> ChecksSettings:
    """Read ``config.section("checks")``; ConfigError on unknown keys or wrong shapes."""
    unknown = set(section) - set(DEFAULT_SETTINGS) - {"plans"}
    if unknown:
        raise ConfigError(f"unknown key(s) in [checks]: {', '.join(sorted(unknown))}")
    values = dict(DEFAULT_SETTINGS)
    values.update({k: v for k, v in section.items() if k != "plans"})
    if values["virus_scan"] not in VIRUS_SCAN_MODES:
        raise ConfigError(f"[checks] virus_scan must be one of {', '.join(map(repr, VIRUS_SCAN_MODES))}, "
                          f"not {values['virus_scan']!r}")
    plans = section.get("plans", {})
    if not isinstance(plans, Mapping):
        raise ConfigError("[checks.plans] must be a table")
    return ChecksSettings({name: _override(name, data) for name, data in plans.items()}, values)


def _override(name: str, data: Any) -> PlanOverride:
    if name not in {s.value for s in Stage}:
        raise ConfigError(f"[checks.plans.{name}]: unknown stage; use one of {', '.join(s.value for s in Stage)}")
    if not isinstance(data, Mapping) or set(data) - PLAN_KEYS:
        raise ConfigError(f"[checks.plans.{name}]: only the keys {', '.join(sorted(PLAN_KEYS))} are allowed")
    items = data.get("items")
    if items is not None and (not isinstance(items, list) or not all(isinstance(i, str) for i in items)):
        raise ConfigError(f"[checks.plans.{name}] items must be a list of item numbers")
    blocking = data.get("blocking")
    if blocking is not None and not isinstance(blocking, Mapping):
        raise ConfigError(f"[checks.plans.{name}] blocking must be a table")
    return PlanOverride(tuple(items) if items is not None else None, blocking)


@dataclass(frozen=True)
class Plan:
    """Which items run at one stage, under which DA/T 70 prefix, and what blocks."""

    name: str
    stage: Stage
    prefix: str  # GD | YJ | BC
    items: tuple[str, ...]
    blocking: Mapping[str, frozenset[str]]  # status → item numbers whose status blocks
    files: tuple[str, ...] | None = None  # use stage: exactly the files handed out

    def blocks(self, number: str, status: Status) -> bool:
        return number in self.blocking.get(status.value, frozenset())

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "stage": self.stage.value, "prefix": self.prefix, "items": list(self.items),
                "blocking": {k: sorted(v) for k, v in self.blocking.items()},
                "files": list(self.files) if self.files is not None else None}


@functools.cache
def _defaults() -> Mapping[str, Any]:
    raw = resources.files("schemas").joinpath("check-plans.json").read_text(encoding="utf-8")
    return json.loads(raw)["plans"]  # type: ignore[no-any-return]


def _numbers(registry: Registry, items: Iterable[str], where: str) -> tuple[str, ...]:
    out = []
    for number in items:
        try:
            out.append(registry.item(number.strip()).number)
        except KeyError:
            raise ConfigError(f"{where}: unknown check item {number!r}") from None
    return tuple(dict.fromkeys(out))


def _blocking(registry: Registry, spec: Mapping[str, Any], items: tuple[str, ...], where: str) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for status, which in spec.items():
        if status not in {s.value for s in BLOCKING_STATUSES}:
            raise ConfigError(f"{where}: blocking status must be one of failed, indeterminate, manual, not {status!r}")
        if which == "auto":
            out[status] = frozenset(n for n in items if registry.item(n).kind == "auto")
        elif which == "all":
            out[status] = frozenset(items)
        elif which == "none":
            out[status] = frozenset()
        elif isinstance(which, list):
            out[status] = frozenset(_numbers(registry, which, where))
        else:
            raise ConfigError(f"{where}: blocking.{status} must be auto, all, none or a list of items")
    return out


def plan_for(stage: Stage | str, *, settings: ChecksSettings | None = None, from_archive: bool = False,
             items: Iterable[str] | None = None, files: Iterable[str] | None = None,
             registry: Registry | None = None) -> Plan:
    """The plan of ``stage``: defaults, then [checks.plans.<stage>], then ``items`` (``--items``)."""
    stage = Stage(stage)
    registry = registry or load_registry()
    default = _defaults()[stage.value]
    override = (settings or ChecksSettings()).plans.get(stage.value, PlanOverride())
    prefix = default.get("prefix_from_archive", default["prefix"]) if from_archive else default["prefix"]
    assert prefix in STAGE_PREFIXES
    where = f"[checks.plans.{stage.value}]"
    chosen = override.items if override.items is not None else default["items"]
    numbers = (tuple(i.number for i in registry.for_stage(prefix)) if chosen == "stage"
               else _numbers(registry, chosen, where))
    if items is not None:
        numbers = _numbers(registry, items, "--items")
    blocking = _blocking(registry, override.blocking or default["blocking"], numbers, where)
    return Plan(stage.value, stage, prefix, numbers, MappingProxyType(blocking),
                tuple(files) if files is not None else None)
