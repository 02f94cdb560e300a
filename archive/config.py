"""The archive's configuration: one TOML file read into frozen dataclasses.

Read once at the edge (the CLI), passed down as values.  Unknown keys are
refused so that a typo never silently falls back to a default.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

CONFIG_NAME = "casearchive.toml"
ROOT_ENV = "CASEARCHIVE_ROOT"

DEFAULT_DEPARTMENT_CODES = {
    "民一庭": "MY", "民二庭": "ME", "民三庭": "MS", "商事庭": "SS", "执行局": "ZX",
    "立案庭": "LA", "刑一庭": "XY", "行政庭": "XZ", "审监庭": "SJ",
}


#: Top-level tables owned by feature modules rather than by this one.
FEATURE_SECTIONS = ("audit", "alerts", "scheduler", "repair", "checkpoints", "checks", "storage_policy")


class ConfigError(Exception):
    """The configuration is missing or wrong: an environment failure (exit 3)."""


@dataclass(frozen=True)
class StorageConfig:
    """One storage location; every AIP is written to each required location."""

    name: str
    path: Path
    required: bool = True


@dataclass(frozen=True)
class SigningConfig:
    key: Path
    cert: Path
    trusted: tuple[Path, ...]


@dataclass(frozen=True)
class IngestConfig:
    workers: int = 2
    #: Run the DA/T 70 receive-stage check plan (checks/) and refuse on blocking failures.
    receive_checks: bool = True
    archive_number_template: str = "{fonds}-{year}-{retention}-{department}-{seq:04d}"
    department_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_DEPARTMENT_CODES))
    #: [ingest.limits] as written; ingest.limits.UnpackLimits checks the keys and values.
    limits: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole configuration of one archive rooted at ``root``."""

    root: Path
    name: str
    fonds_number: str
    organization: str
    catalogue_url: str
    storage: tuple[StorageConfig, ...]
    signing: SigningConfig
    ingest: IngestConfig
    quarantine: Path
    receipts: Path
    #: Sections of later features ([audit], [alerts], [scheduler], [repair], [checkpoints],
    #: [checks]) as written; each feature reads its own section into a frozen dataclass
    #: that rejects unknown keys (see e.g. archive.audit_policy).
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any]:
        if name not in FEATURE_SECTIONS:
            raise KeyError(name)
        return self.sections.get(name, {})

    @property
    def primary(self) -> StorageConfig:
        return self.storage[0]


def _check_keys(section: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(f"unknown key(s) in [{section}]: {', '.join(sorted(unknown))}")


def _path(root: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else root / p


def load_config(root: Path) -> Config:
    """Read ``root/casearchive.toml``; raise ConfigError with a clear message."""
    root = root.resolve()
    path = root / CONFIG_NAME
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"no archive at {root} ({CONFIG_NAME} missing); run 'casearchive init' first") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_config(root, data)


def parse_config(root: Path, data: Mapping[str, Any]) -> Config:
    _check_keys("top level", data, {"archive", "catalogue", "storage", "signing", "ingest", "paths", *FEATURE_SECTIONS})
    try:
        arch = data["archive"]
        _check_keys("archive", arch, {"name", "fonds_number", "organization"})
        cat = data.get("catalogue", {})
        _check_keys("catalogue", cat, {"url"})
        storage = tuple(_storage(root, s) for s in data["storage"])
        sig = data["signing"]
        _check_keys("signing", sig, {"key", "cert", "trusted"})
        signing = SigningConfig(_path(root, sig["key"]), _path(root, sig["cert"]),
                                tuple(_path(root, t) for t in sig.get("trusted", [sig["cert"]])))
        ingest = _ingest(data.get("ingest", {}))
        paths = data.get("paths", {})
        _check_keys("paths", paths, {"quarantine", "receipts"})
    except KeyError as exc:
        raise ConfigError(f"missing required key {exc.args[0]!r} in {CONFIG_NAME}") from None
    except TypeError as exc:
        raise ConfigError(f"wrong value type in {CONFIG_NAME}: {exc}") from None
    if not storage:
        raise ConfigError("at least one [[storage]] location is required")
    if len({s.name for s in storage}) != len(storage):
        raise ConfigError("storage location names must be unique")
    url = cat.get("url", "sqlite:///catalogue.sqlite")
    return Config(root, arch["name"], arch["fonds_number"], arch.get("organization", arch["name"]),
                  _catalogue_url(root, url), storage, signing, ingest,
                  _path(root, paths.get("quarantine", "quarantine")), _path(root, paths.get("receipts", "receipts")),
                  {name: dict(data[name]) for name in FEATURE_SECTIONS if name in data})


def _storage(root: Path, data: Mapping[str, Any]) -> StorageConfig:
    _check_keys("storage", data, {"name", "path", "required"})
    return StorageConfig(data["name"], _path(root, data["path"]), bool(data.get("required", True)))


def _ingest(data: Mapping[str, Any]) -> IngestConfig:
    _check_keys("ingest", data, {"workers", "archive_number_template", "department_codes", "limits", "receive_checks"})
    limits = dict(data.get("limits", {}))
    codes = dict(DEFAULT_DEPARTMENT_CODES)
    codes.update(data.get("department_codes", {}))
    kwargs = {k: v for k, v in data.items() if k in {"workers", "archive_number_template", "receive_checks"}}
    return IngestConfig(department_codes=codes, limits=limits, **kwargs)


def _catalogue_url(root: Path, url: str) -> str:
    """Relative SQLite paths are relative to the archive root."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(root / url[len(prefix):])
    return url


def find_root(explicit: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--root`` wins, then CASEARCHIVE_ROOT, then the current directory."""
    env = os.environ if environ is None else environ
    return Path(explicit or env.get(ROOT_ENV) or ".").resolve()


DEFAULT_TOML = """\
# casearchive configuration.  Paths are relative to this file's folder.
[archive]
name = "{name}"
fonds_number = "{fonds}"
organization = "{organization}"

[catalogue]
# SQLite embedded by default; a PostgreSQL URL works too
# (postgresql+psycopg://user@host/dbname).
url = "sqlite:///catalogue.sqlite"

# Every AIP is written to every required location and verified there.
[[storage]]
name = "primary"
path = "storage/primary"

[[storage]]
name = "replica"
path = "storage/replica"

[signing]
# The private key is kept with mode 0600; set CASEARCHIVE_KEY_PASSPHRASE (or
# CASEARCHIVE_KEY_PASSPHRASE_FILE) to keep it encrypted.
key = "keys/signing-key.pem"
cert = "keys/signing-cert.pem"
trusted = ["keys/signing-cert.pem"]

[paths]
quarantine = "quarantine"
receipts = "receipts"

[ingest]
workers = 2
# Run the DA/T 70 receive-stage (归档) check plan on every package; see [checks] and docs/checks.md.
receive_checks = true
# 档号 rule (DA/T 13 style). Fields: fonds, year, retention, department, seq.
archive_number_template = "{{fonds}}-{{year}}-{{retention}}-{{department}}-{{seq:04d}}"

[ingest.department_codes]
# 承办部门 → code used in the archive number; add your court's departments.

[ingest.limits]
max_files = 100000
max_total_bytes = 68719476736
max_file_bytes = 17179869184
max_ratio = 200
"""


def render_default_config(name: str, fonds: str, organization: str) -> str:
    for value in (name, fonds, organization):
        if '"' in value or "\\" in value or "\n" in value:
            raise ConfigError(f"unsupported character in {value!r}")
    return DEFAULT_TOML.format(name=name, fonds=fonds, organization=organization)
