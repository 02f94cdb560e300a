"""Storage locations: list, status, add, replicate missing copies (``casearchive storage …``).

"An AIP counts as safely stored only when every required copy is written and
verified" (the [store] issue): :func:`safely_stored`.  Location health — reachable,
writable, free space — feeds ``storage status`` and the alerts (DA/T 92 9.4.3).
"""
from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

import archive.audit_codes  # noqa: F401 — registers STO- codes
from archive import db
from archive.alerts import Alert, AlertDelivery, AlertsConfig, alerts_config, send_alert
from archive.archive import Archive
from archive.audit_policy import audit_policy, utc
from archive.catalogue import ensure_locations
from archive.config import CONFIG_NAME, ConfigError, parse_config
from archive.events import append_event
from archive.models import AipCopyRow, AipRow, StorageLocationRow
from archive.store import Location, copy_tree, publish, staging_area
from archive.verify import verify_stored
from findings import Finding, findings_to_json
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS
from fixity.durable import write_atomic

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")


@dataclass(frozen=True)
class LocationInfo:
    name: str
    path: str
    required: bool
    configured: bool
    catalogued: bool
    added_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "added_at": self.added_at.isoformat() if self.added_at else None}


@dataclass(frozen=True)
class StorageList:
    locations: tuple[LocationInfo, ...]

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"locations": [loc.to_dict() for loc in self.locations]}


def storage_list(archive: Archive) -> StorageList:
    """Locations of the configuration and of the catalogue (a location in only one is a warning sign)."""
    with db.read_session(archive.engine) as s:
        rows = {r.name: r for r in s.execute(select(StorageLocationRow)).scalars()}
        out = [LocationInfo(loc.name, str(loc.root), loc.required, True, loc.name in rows,
                            utc(rows[loc.name].added_at) if loc.name in rows else None) for loc in archive.locations]
        configured = {loc.name for loc in archive.locations}
        out += [LocationInfo(r.name, r.path, r.required, False, True, utc(r.added_at))
                for name, r in sorted(rows.items()) if name not in configured]
    return StorageList(tuple(out))


@dataclass(frozen=True)
class LocationStatus:
    """Health and audit coverage of one location."""

    name: str
    path: str
    required: bool
    reachable: bool
    writable: bool
    free_bytes: int | None
    total_bytes: int | None
    copies: int
    verified_within_cycle: int
    failing: int
    missing: int  # AIPs with no copy here
    findings: tuple[Finding, ...] = ()

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "findings"}
        return {**out, "findings": findings_to_json(self.findings, lang)}


@dataclass(frozen=True)
class StorageStatus:
    at: datetime
    locations: tuple[LocationStatus, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for loc in self.locations for f in loc.findings)

    @property
    def ok(self) -> bool:
        return not any(f.level.value == "error" for f in self.findings)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "ok": self.ok, "locations": [loc.to_dict(lang) for loc in self.locations]}


def _probe(loc: Location) -> tuple[bool, bool, list[Finding]]:
    """Reachable (a listable directory) and writable (a file can be created and removed)."""
    try:
        if not loc.root.is_dir():
            raise NotADirectoryError(f"{loc.root} is not a directory")
        os.listdir(loc.root)
    except OSError as exc:
        return False, False, [Finding("STO-LOCATION-UNREACHABLE", location=loc.name, params={"reason": str(exc)})]
    try:
        with tempfile.NamedTemporaryFile(dir=loc.root, prefix=".probe-") as fh:
            fh.write(b"casearchive")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return True, False, [Finding("STO-LOCATION-UNWRITABLE", location=loc.name, params={"reason": str(exc)})]
    return True, True, []


def _space(loc: Location, cfg: AlertsConfig) -> tuple[int | None, int | None, list[Finding]]:
    try:
        usage = shutil.disk_usage(loc.root)
    except OSError:
        return None, None, []
    needed = max(cfg.min_free_bytes, math.ceil(usage.total * cfg.min_free_percent / 100))
    if usage.free < needed:
        return usage.free, usage.total, [Finding("STO-LOCATION-LOW-SPACE", location=loc.name, expected=str(needed),
                                                 found=str(usage.free))]
    return usage.free, usage.total, []


def _coverage(session: Session, name: str, cutoff: datetime) -> tuple[int, int, int, int]:
    def count(*where: Any) -> int:
        return session.execute(select(func.count()).select_from(AipCopyRow)
                               .where(AipCopyRow.location == name, *where)).scalar_one()

    present = select(AipCopyRow.id).where(AipCopyRow.aip_id == AipRow.id, AipCopyRow.location == name).exists()
    missing = session.execute(select(func.count()).select_from(AipRow).where(~present)).scalar_one()
    return (count(), count(AipCopyRow.last_verified_at >= cutoff, AipCopyRow.last_verify_ok.is_(True)),
            count(AipCopyRow.last_verify_ok.is_(False)), missing)


def storage_status(archive: Archive, now: datetime) -> StorageStatus:
    """Per location: path, reachable, writable, free/total bytes, copies, verified within cycle, failing."""
    cfg = alerts_config(archive.config)
    cutoff = utc(now) - audit_policy(archive.config).cycle
    out = []
    with db.read_session(archive.engine) as s:
        for loc in archive.locations:
            reachable, writable, findings = _probe(loc)
            free, total, space = _space(loc, cfg) if reachable else (None, None, [])
            copies, verified, failing, missing = _coverage(s, loc.name, cutoff)
            out.append(LocationStatus(loc.name, str(loc.root), loc.required, reachable, writable, free, total,
                                      copies, verified, failing, missing, tuple(findings + space)))
    return StorageStatus(utc(now), tuple(out))


def check_storage(archive: Archive, now: datetime) -> tuple[StorageStatus, AlertDelivery | None]:
    """Status, and an alert when a location is unreachable, unwritable or running out of space."""
    status = storage_status(archive, now)
    if not status.findings:
        return status, None
    names = sorted({f.location for f in status.findings})
    alert = Alert("storage", "error" if not status.ok else "warning", now,
                  f"Storage locations need attention: {', '.join(names)}",
                  f"存储位置需要处理：{'、'.join(names)}", status.findings,
                  {"locations": [loc.to_dict(Lang.EN) for loc in status.locations if loc.findings]})
    return status, send_alert(archive, alert)


def scheduled_storage_check(root: str) -> dict[str, Any]:
    """Scheduler job ``archive.storage_admin:scheduled_storage_check``."""
    from datetime import timezone

    arc = Archive.open(Path(root))
    try:
        status, _ = check_storage(arc, datetime.now(timezone.utc))
        return status.to_dict(Lang.EN)
    finally:
        arc.close()


# --- storage add ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StorageAddResult:
    name: str
    path: str
    required: bool
    config_path: str

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {**self.__dict__, "next": "casearchive storage replicate"}


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML escapes)."""
    import json

    return json.dumps(value, ensure_ascii=False)


def _new_config_text(text: str, name: str, path: str, required: bool) -> str:
    table = (f"\n# Added by 'casearchive storage add'.\n[[storage]]\nname = {_toml_string(name)}\n"
             f"path = {_toml_string(path)}\nrequired = {'true' if required else 'false'}\n")
    return text + ("" if text.endswith("\n") else "\n") + table


def _check_new(archive: Archive, name: str, target: Path) -> None:
    if not NAME.match(name):
        raise ConfigError(f"storage location name {name!r}: use letters, digits, '_', '.', '-' (at most 50)")
    for loc in archive.locations:
        if loc.name == name:
            raise ConfigError(f"a storage location named {name!r} exists already")
        other = loc.root.resolve()
        if target == other or target.is_relative_to(other) or other.is_relative_to(target):
            raise ConfigError(f"{target} overlaps storage location {loc.name!r} ({other})")


def storage_add(archive: Archive, name: str, path: str, now: datetime, *, required: bool = True) -> StorageAddResult:
    """Append a [[storage]] table to casearchive.toml (comments kept), register it, record ``storage.add``.

    The edited text is re-parsed before it atomically replaces the file. New
    copies of existing AIPs are made by :func:`replicate_missing` (reopen the archive first).
    """
    root = archive.config.root
    target = (Path(os.path.expanduser(path)) if os.path.isabs(os.path.expanduser(path)) else root / path).resolve()
    _check_new(archive, name, target)
    config_path = root / CONFIG_NAME
    text = _new_config_text(config_path.read_text(encoding="utf-8"), name, path, required)
    parsed = parse_config(root, tomllib.loads(text))
    if name not in {s.name for s in parsed.storage}:
        raise ConfigError("the edited configuration lost the new location; file left unchanged")
    try:
        Location(name, target, required).ensure()
    except OSError as exc:
        raise ConfigError(f"cannot create storage location at {target}: {exc}") from exc
    write_atomic(config_path, text.encode("utf-8"))
    with db.write_session(archive.engine) as s:
        ensure_locations(s, [(name, str(target), required)], now)
        append_event(s, at=now, type="storage.add", agent="casearchive storage add",
                     detail={"name": name, "path": str(target), "required": required})
    return StorageAddResult(name, str(target), required, str(config_path))


# --- replication and "safely stored" ---------------------------------------------------------

@dataclass(frozen=True)
class Replica:
    aip_id: str
    location: str
    source: str
    files: int
    bytes: int


@dataclass(frozen=True)
class ReplicationReport:
    made: tuple[Replica, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"ok": self.ok, "made": [r.__dict__ for r in self.made], "findings": findings_to_json(self.findings, lang)}


def _missing(session: Session, location: str) -> list[tuple[str, str]]:
    """(aip id, tagmanifest sha256) of AIPs with no copy row in ``location``."""
    present = select(AipCopyRow.id).where(AipCopyRow.aip_id == AipRow.id, AipCopyRow.location == location).exists()
    return [(r[0], r[1]) for r in session.execute(select(AipRow.id, AipRow.tagmanifest_sha256)
                                                  .where(~present).order_by(AipRow.id))]


def _sources(session: Session, aip_id: str, configured: set[str]) -> list[tuple[str, str]]:
    """Copies last verified good, most recently verified first: (location, relpath)."""
    rows = session.execute(select(AipCopyRow.location, AipCopyRow.relpath)
                           .where(and_(AipCopyRow.aip_id == aip_id, AipCopyRow.last_verify_ok.is_(True),
                                       AipCopyRow.state == "ok"))
                           .order_by(AipCopyRow.last_verified_at.desc())).all()
    return [(loc, rel) for loc, rel in rows if loc in configured]


def _replicate_one(archive: Archive, aip_id: str, tm_sha256: str, target: Location, source: tuple[str, str],
                   now: datetime) -> Replica | Finding:
    src_dir = archive.location(source[0]).root / source[1]
    with staging_area(target) as area:
        staged = area.path / "aip"
        files, size = copy_tree(src_dir, staged)
        verdict = verify_stored(archive, staged, aip_id=aip_id, location=target.name, algorithms=AIP_ALGORITHMS,
                                now=now, expected_tagmanifest_sha256=tm_sha256)
        if not verdict.ok:
            codes = ", ".join(sorted({f.code for f in verdict.findings}))
            return Finding("STO-REPLICA-FAILED", location=target.name, params={"aip_id": aip_id, "reason": codes})
        publish(staged, target, aip_id)
    with db.write_session(archive.engine) as s:
        s.add(AipCopyRow(aip_id=aip_id, location=target.name, relpath=target.aip_relpath(aip_id), state="ok",
                         written_at=now, last_verified_at=now, last_verify_ok=True))
        append_event(s, at=now, type="storage.replicate", agent="casearchive storage replicate", aip_id=aip_id,
                     detail={"location": target.name, "source": source[0], "files": files, "bytes": size,
                             "algorithms": list(AIP_ALGORITHMS)})
    return Replica(aip_id, target.name, source[0], files, size)


def replicate_missing(archive: Archive, now: datetime) -> ReplicationReport:
    """Give every AIP a copy in every configured location, each copied from a good copy and verified."""
    made: list[Replica] = []
    findings: list[Finding] = []
    configured = {loc.name for loc in archive.locations}
    for target in archive.locations:
        with db.read_session(archive.engine) as s:
            todo = [(a, tm, _sources(s, a, configured - {target.name})) for a, tm in _missing(s, target.name)]
        for aip_id, tm_sha256, sources in todo:
            result = _first_good(archive, aip_id, tm_sha256, target, sources, now)
            (made if isinstance(result, Replica) else findings).append(result)  # type: ignore[arg-type]
    return ReplicationReport(tuple(made), tuple(findings))


def _first_good(archive: Archive, aip_id: str, tm_sha256: str, target: Location, sources: list[tuple[str, str]],
                now: datetime) -> Replica | Finding:
    problem: Finding | None = None
    for source in sources:
        try:
            result = _replicate_one(archive, aip_id, tm_sha256, target, source, now)
        except OSError as exc:  # source unreadable or target unwritable: try the next source
            problem = Finding("STO-REPLICA-FAILED", location=target.name,
                              params={"aip_id": aip_id, "reason": f"{type(exc).__name__}: {exc}"})
            continue
        if isinstance(result, Replica):
            return result
        problem = result
    return problem or Finding("STO-NO-GOOD-COPY", location=target.name, params={"aip_id": aip_id})


def safely_stored(session: Session, aip_id: str) -> bool:
    """True when every required location holds a copy that is ok and whose last verification passed."""
    required = set(session.execute(select(StorageLocationRow.name).where(StorageLocationRow.required.is_(True)))
                   .scalars())
    good = set(session.execute(select(AipCopyRow.location).where(
        AipCopyRow.aip_id == aip_id, AipCopyRow.state == "ok", AipCopyRow.last_verify_ok.is_(True))).scalars())
    return bool(required) and required <= good
