"""The archive's configuration: one TOML file read into frozen dataclasses.

Read once at the edge (the CLI), passed down as values.  Unknown keys are
refused so that a typo never silently falls back to a default.
"""
from __future__ import annotations

import json
import os
import re
import stat
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
        signing = _signing(root, sig)
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


def _signing(root: Path, sig: Mapping[str, Any]) -> SigningConfig:
    """[signing]: the trust anchors are the listed certificates plus, always, the current one."""
    cert = _path(root, sig["cert"])
    listed = sig.get("trusted", [])
    if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
        raise ConfigError("[signing] trusted must be a list of PEM file names")
    trusted = tuple(dict.fromkeys([*(_path(root, t) for t in listed), cert]))
    return SigningConfig(_path(root, sig["key"]), cert, trusted)


def pin_trusted(root: Path, certificate: Path) -> None:
    """Add a certificate file to [signing] trusted in ``casearchive.toml``, nothing else changed.

    The file is edited as text (comments and layout stay) and the result is parsed
    again: unless it reads exactly as before plus the one anchor, nothing is written.
    """
    from fixity.durable import write_atomic

    root = root.resolve()
    path = root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    before = parse_config(root, tomllib.loads(text))
    target = _path(root, str(certificate))
    if target in before.signing.trusted and target != before.signing.cert:
        return  # already pinned (a rerun)
    value = os.path.relpath(certificate, root) if Path(certificate).is_absolute() else str(certificate)
    data = tomllib.loads(text)
    names = [*data["signing"].get("trusted", [data["signing"]["cert"]]), value]
    line = "trusted = [" + ", ".join(json.dumps(n, ensure_ascii=False) for n in names) + "]"
    edited = _set_signing_trusted(text, line)
    after = tomllib.loads(edited)
    want = dict(data, signing=dict(data["signing"], trusted=names))
    if after != want:
        raise ConfigError(f"cannot edit [signing] trusted in {path} safely; add {value!r} to it by hand")
    write_atomic(path, edited.encode("utf-8"), mode=stat.S_IMODE(os.stat(path).st_mode))


def _set_signing_trusted(text: str, line: str) -> str:
    """``text`` with the [signing] table's ``trusted = [...]`` replaced by (or given) ``line``."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"\s*\[signing\]\s*(#.*)?$", ln.rstrip("\r\n"))), None)
    if start is None:
        raise ConfigError(f"{CONFIG_NAME}: no [signing] table to edit")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
    for i in range(start + 1, end):
        if re.match(r"\s*trusted\s*=", lines[i]):
            last = i
            while last < end - 1 and _open_brackets("".join(lines[i:last + 1])) > 0:
                last += 1
            return "".join(lines[:i] + [line + "\n"] + lines[last + 1:])
    insert = end
    while insert > start + 1 and not lines[insert - 1].strip():
        insert -= 1
    if insert > 0 and not lines[insert - 1].endswith("\n"):
        lines[insert - 1] += "\n"
    return "".join(lines[:insert] + [line + "\n"] + lines[insert:])


def _open_brackets(value: str) -> int:
    """Unclosed ``[`` in a TOML value, ignoring brackets inside strings and comments."""
    depth, quote, escaped, comment = 0, "", False, False
    for ch in value:
        if comment:
            comment = ch != "\n"
        elif quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
    return depth


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
# trusted: the only certificates whose signatures count (AIPs, checkpoints), compared by
# fingerprint; the current cert is always one of them.  `casearchive key rotate` adds the
# retired certificate here; removing one makes everything it signed fail verification.
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


CHECKS_TOML = """
[checks]
# DA/T 70 4-2 virus scan of every package at receipt (ClamAV: clamd_socket, else clamscan).
# "required": a package that cannot be scanned (no ClamAV, no signature database) is refused;
# "optional": it is archived with a warning; "off": nothing is scanned, every ingest warns.
virus_scan = "{virus_scan}"
{database_line}
"""


def render_default_config(name: str, fonds: str, organization: str, *, virus_scan: str = "required",
                          clamav_database: str | None = None) -> str:
    """The casearchive.toml ``init`` writes; the virus-scan policy is always written out,
    so nobody has to know the default to see whether packages are scanned."""
    for value in (name, fonds, organization, clamav_database or ""):
        if '"' in value or "\\" in value or "\n" in value:
            raise ConfigError(f"unsupported character in {value!r}")
    if virus_scan not in ("required", "optional", "off"):
        raise ConfigError(f"[checks] virus_scan must be 'required', 'optional' or 'off', not {virus_scan!r}")
    database_line = (f'clamav_database = "{clamav_database}"' if clamav_database else
                     '# clamav_database = "/var/lib/clamav"   # signature folder for clamscan (default shown)')
    return (DEFAULT_TOML.format(name=name, fonds=fonds, organization=organization)
            + CHECKS_TOML.format(virus_scan=virus_scan, database_line=database_line))
