"""DA/T 70-2018 environment items: 3-6 软硬件环境合规性, 3-7 保存环境变化情况, 3-9 备份数据可恢复性.

3-7 takes a snapshot of the storage environment (OS, Python, OpenSSL, library
versions, ClamAV, file-system type and path of each location) and compares it with
the previous one (``ctx.services["previous_environment"]``); the new snapshot is
returned as JSON in the result's ``found`` for the caller to keep.
"""
from __future__ import annotations

import json
import platform
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from checks import codes_sec as codes
from checks.api import CheckContext, CheckResult, PackageView, Status
from checks.clamav import ScannerSettings, probe
from findings import Finding

LIBRARIES = ("casearchive", "lxml", "xmlschema", "cryptography", "sqlalchemy", "alembic", "bagit", "pyhanko",
             "pypdf", "pillow", "reportlab")
MOUNTINFO = Path("/proc/self/mountinfo")


# ------------------------------------------------------------------ 3-6 environment compliance

def _software(view: PackageView, ctx: CheckContext, path: str) -> Mapping[str, str] | None:
    """Producer/Creator (PDF), DocInfo Creator (OFD), EXIF Software (images) from the content analysis' one read."""
    try:
        from checks.content.analysis import analyse
    except ImportError:
        return None
    content = analyse(view, path, ctx).content
    return None if content is None else dict(content.software)


def _allowed(software: Mapping[str, str], patterns: Iterable[str]) -> bool:
    text = " ".join(software.values()).casefold()
    return any(p.casefold() in text for p in patterns)


def _file_compliance(view: PackageView, ctx: CheckContext, path: str, allowed: list[str] | None) -> CheckResult:
    software = _software(view, ctx, path)
    if software is None:
        return CheckResult("3-6", Status.INDETERMINATE, path, remarks="file not analysable (see items 3-3, 3-4)")
    found = "; ".join(f"{k}: {v}" for k, v in sorted(software.items())) or "none recorded"
    expected = "one of: " + ", ".join(allowed) if allowed else "recorded creating software"
    if not software:
        status = Status.INDETERMINATE if allowed else Status.PASSED
        return CheckResult("3-6", status, path, expected, found, (Finding(codes.ENV_UNRECORDED, path),))
    if allowed and not _allowed(software, allowed):
        return CheckResult("3-6", Status.FAILED, path, expected, found, (Finding(codes.ENV_SOFTWARE, path, found=found),))
    return CheckResult("3-6", Status.PASSED, path, expected, found)


def host_facts() -> dict[str, str]:
    """The host the check runs on: operating system, machine, Python, OpenSSL."""
    return {"os": f"{platform.system()} {platform.release()}", "machine": platform.machine(),
            "python": platform.python_version(), "openssl": ssl.OPENSSL_VERSION}


def check_environment_compliance(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 3-6: the recorded creating software of each file vs [checks] allowed_software; host facts."""
    allowed = ctx.settings.get("allowed_software")
    allowed = [str(a) for a in allowed] if allowed else None
    out = [_file_compliance(view, ctx, f.path, allowed) for f in view.files()]
    facts = "; ".join(f"{k}: {v}" for k, v in host_facts().items())
    out.append(CheckResult("3-6", Status.PASSED, "host", found=facts, remarks="host facts recorded"))
    return out


# ------------------------------------------------------------------ 3-7 environment changes

@dataclass(frozen=True)
class EnvironmentSnapshot:
    """What DA/T 70 3-7 tracks, as flat ``key → value`` text (stable for comparison)."""

    taken_at: str
    facts: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"taken_at": self.taken_at, "facts": dict(sorted(self.facts.items()))}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_value(cls, value: Any) -> "EnvironmentSnapshot":
        """A snapshot, its dict or its JSON (what a caller stored); ValueError otherwise."""
        if isinstance(value, EnvironmentSnapshot):
            return value
        data = json.loads(value) if isinstance(value, (str, bytes)) else value
        if not isinstance(data, Mapping) or not isinstance(data.get("facts"), Mapping):
            raise ValueError("not an environment snapshot")
        return cls(str(data.get("taken_at", "")), {str(k): str(v) for k, v in data["facts"].items()})


def _mounts() -> list[tuple[str, str]]:
    """(mount point, file-system type) from /proc/self/mountinfo, longest mount point first."""
    try:
        lines = MOUNTINFO.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if sep and len(fields) >= 5 and right.split():
            out.append((fields[4].replace("\\040", " "), right.split()[0]))
    return sorted(out, key=lambda m: -len(m[0]))


def filesystem_type(path: Path) -> str:
    """The file-system type holding ``path`` (``unknown`` where /proc is not available)."""
    resolved = str(Path(path).resolve())
    for mount, fstype in _mounts():
        if resolved == mount or resolved.startswith(mount.rstrip("/") + "/"):
            return fstype
    return "unknown"


def _library_versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[f"library.{name}"] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            out[f"library.{name}"] = "absent"
    return out


def environment_snapshot(locations: Mapping[str, Path], now: datetime,
                         scanner: ScannerSettings | None = None) -> EnvironmentSnapshot:
    """Snapshot of the storage environment: host, libraries, antivirus, each location's file system."""
    facts = {f"host.{k}": v for k, v in host_facts().items()}
    facts.update(_library_versions())
    info = probe(scanner or ScannerSettings())
    engine = (info.version or "").split("/", 1)[0]  # without the daily database number, which moves
    facts["antivirus"] = f"{info.kind} {engine}".strip()
    for name, path in sorted(locations.items()):
        facts[f"location.{name}.path"] = str(path)
        facts[f"location.{name}.filesystem"] = filesystem_type(path)
    return EnvironmentSnapshot(now.isoformat(), facts)


def snapshot_changes(previous: EnvironmentSnapshot, current: EnvironmentSnapshot) -> list[Finding]:
    """One finding per fact that appeared, disappeared or changed (ClamAV's daily DB version aside)."""
    out = []
    for key in sorted(set(previous.facts) | set(current.facts)):
        old, new = previous.facts.get(key, "(absent)"), current.facts.get(key, "(absent)")
        if old != new:
            out.append(Finding(codes.ENV_CHANGED, "environment", old, new, {"key": key}))
    return out


def _locations(view: PackageView, ctx: CheckContext) -> dict[str, Path]:
    given = ctx.services.get("locations")
    if given:
        return {str(k): Path(v) for k, v in dict(given).items()}
    return {"package": Path(view.root)}


def check_environment_changes(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 BC-3-7 保存环境变化情况: the environment snapshot vs the previous one."""
    current = environment_snapshot(_locations(view, ctx), ctx.now, ScannerSettings.from_settings(ctx.settings))
    previous_value = ctx.services.get("previous_environment")
    if previous_value is None:
        return [CheckResult("3-7", Status.PASSED, "environment", found=current.to_json(),
                            remarks="first snapshot: recorded as the baseline")]
    try:
        previous = EnvironmentSnapshot.from_value(previous_value)
    except ValueError as exc:
        return [CheckResult("3-7", Status.INDETERMINATE, "environment", found=current.to_json(),
                            remarks=f"previous snapshot unusable: {exc}")]
    changes = snapshot_changes(previous, current)
    status = Status.FAILED if changes else Status.PASSED
    remarks = (f"{len(changes)} change(s) since {previous.taken_at}: run a full check (DA/T 70 4.3.1.2)"
               if changes else f"unchanged since {previous.taken_at}")
    return [CheckResult("3-7", status, "environment", previous.to_json(), current.to_json(), tuple(changes), remarks)]


# ------------------------------------------------------------------ 3-9 backup restorable

def _restore_verdict(value: Any) -> tuple[bool, list[Finding]]:
    """Accept ``(ok, findings)`` or an object with ``ok`` and ``findings`` (archive.verify.CopyVerdict)."""
    if isinstance(value, tuple) and len(value) == 2:
        return bool(value[0]), list(value[1])
    return bool(getattr(value, "ok")), list(getattr(value, "findings", ()))


def check_backup_restorable(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 BC-3-9 备份数据可恢复性: ``ctx.services["restore_test"](aip_id)`` restores and verifies."""
    if view.kind != "aip":
        return [CheckResult("3-9", Status.NOT_APPLICABLE, "backup", remarks="only stored packages have backups")]
    restore = ctx.services.get("restore_test")
    if restore is None:
        return [CheckResult("3-9", Status.INDETERMINATE, "backup", remarks="no restore_test service")]
    aip_id = str((view.recorded or {}).get("aip_id") or view.identifier)
    try:
        ok, findings = _restore_verdict(restore(aip_id))
    except (OSError, ValueError, LookupError, AttributeError) as exc:
        finding = Finding(codes.ENV_RESTORE_ERROR, aip_id, found=str(exc))
        return [CheckResult("3-9", Status.INDETERMINATE, "backup", found=str(exc), findings=(finding,))]
    if ok:
        return [CheckResult("3-9", Status.PASSED, "backup", "restored intact", "restored intact", tuple(findings))]
    summary = Finding(codes.ENV_RESTORE_FAILED, aip_id, found=f"{len(findings)} problems")
    return [CheckResult("3-9", Status.FAILED, "backup", "restored intact", f"{len(findings)} problems",
                        (summary, *findings))]


