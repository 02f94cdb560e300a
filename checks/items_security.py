"""DA/T 70-2018 security items (安全性): 4-1, 4-2, 4-3, 4-4, 4-7, 4-8.

4-5 载体外观, 4-6 光盘合格性 and 4-9 保管环境 have no function: a person attests them.
A scanner that is missing or fails never yields "passed" (STYLE.md 4).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import time
import unicodedata
from datetime import timedelta
from typing import Any, Callable, Iterable

from checks import codes_scan, codes_sec as codes
from checks.api import CheckContext, CheckResult, PackageView, Stage, Status
from checks.clamav import ScannerSettings, probe, scan_package
from checks.package import read_manifests, walk
from findings import Finding
from fixity import proc

DEFAULT_MAX_DATABASE_AGE_DAYS = 30
DEFAULT_READ_SAMPLE_MB = 64
ALWAYS_DECLARED = ("bagit.txt", "bag-info.txt")
_SPECIAL_KINDS = {stat.S_IFLNK: ("symbolic link", "符号链接"), stat.S_IFIFO: ("named pipe", "命名管道"),
                  stat.S_IFSOCK: ("socket", "套接字"), stat.S_IFCHR: ("device", "设备文件"),
                  stat.S_IFBLK: ("device", "设备文件")}


def _result(item: str, status: Status, obj: str, findings: Iterable[Finding] = (), **kw: Any) -> CheckResult:
    return CheckResult(item, status, obj, findings=tuple(findings), **kw)


# ------------------------------------------------------------------ 4-1 antivirus installed

def check_antivirus_installed(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 4-1 系统环境是否安装杀毒软件: clamd answers or clamscan is present, with a database."""
    settings = ScannerSettings.from_settings(ctx.settings)
    info = probe(settings)
    if not info.installed:
        looked = f"clamd socket {settings.clamd_socket}, " if settings.clamd_socket else ""
        finding = Finding(codes.AV_NOT_INSTALLED, "host", f"{looked}{settings.clamscan}", info.problem)
        return [_result("4-1", Status.FAILED, "host", [finding], expected="antivirus installed", found="none")]
    found = f"{info.kind}: {info.version or 'version unknown'}; database: {info.database or 'none'}"
    if info.database is None:
        finding = Finding(codes.AV_DB_MISSING, "host", found=settings.clamav_database or "/var/lib/clamav")
        return [_result("4-1", Status.FAILED, "host", [finding], found=found)]
    findings = []
    limit = int(ctx.settings.get("clamav_max_age_days") or DEFAULT_MAX_DATABASE_AGE_DAYS)
    if info.database_date is not None and ctx.now - info.database_date > timedelta(days=limit):
        findings.append(Finding(codes.AV_DB_OLD, "host", str(limit), info.database_date.date().isoformat()))
    remarks = "DA/T 70 4-1 names a domestic product; ClamAV is recorded here — attest per policy"
    return [_result("4-1", Status.PASSED, "host", findings, expected="antivirus installed", found=found,
                    remarks=remarks)]


# ------------------------------------------------------------------ 4-2 virus scan

def _regular_files(view: PackageView) -> list[str]:
    return [rel for rel, st in walk(view.root) if stat.S_ISREG(st.st_mode)]


def virus_scan_mode(settings: Any) -> str:
    """[checks] virus_scan (checks.plans validated it); "required" when absent."""
    return str(settings.get("virus_scan") or "required")


def check_virus_scan(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 4-2 病毒感染检测: every file of the package through ClamAV.

    ``[checks] virus_scan``: "required" (default) — at receipt, a scan that could not run
    fails the item, so ingest refuses the package; "optional" — undecided with a warning;
    "off" — not scanned, a warning says so.  Later stages (store, audits) report a missing
    scanner as undecided: the packages are already in the archive.
    """
    mode = virus_scan_mode(ctx.settings)
    if mode == "off":
        finding = Finding(codes_scan.SCAN_OFF, "package", found='[checks] virus_scan = "off"')
        return [_result("4-2", Status.INDETERMINATE, "package", [finding], found="not scanned",
                        remarks="virus scanning switched off")]
    settings = ScannerSettings.from_settings(ctx.settings)
    report = scan_package(view.root, _regular_files(view), view.open, settings)
    remarks = f"scanner: {report.scanner}"
    if report.verdict == "infected":
        return [_result("4-2", Status.FAILED, path, [Finding(codes.AV_INFECTED, path, found=name)],
                        expected="no virus", found=name, remarks=remarks) for path, name in report.infected]
    if report.verdict == "clean":
        return [_result("4-2", Status.PASSED, "package", expected="no virus", found="clean", remarks=remarks)]
    code = codes.AV_SCANNER_MISSING if report.verdict == "missing" else codes.AV_SCAN_ERROR
    detail = "; ".join(report.errors)[:500] or report.verdict
    if mode == "required" and ctx.stage is Stage.RECEIVE:
        finding = Finding(codes_scan.SCAN_REQUIRED, "package", found=detail)
        return [_result("4-2", Status.FAILED, "package", [finding], expected="scanned", found=report.verdict,
                        remarks=remarks)]
    return [_result("4-2", Status.INDETERMINATE, "package", [Finding(code, "package", found=detail)],
                    found=report.verdict, remarks=remarks)]


# ------------------------------------------------------------------ 4-3 extra files

def declared_files(view: PackageView) -> set[str]:
    """Every path the package's manifests declare, plus its manifests and their signatures."""
    declared = set(ALWAYS_DECLARED)
    for tag in (False, True):
        for entries in read_manifests(view.root, tag=tag).values():
            declared.update(entries)
    for name in os.listdir(view.root):
        if name.startswith(("manifest-", "tagmanifest-")) and name.endswith((".txt", ".txt.p7s")):
            declared.add(name)
    return {unicodedata.normalize("NFC", p) for p in declared}


def _carrier_finding(rel: str, st: os.stat_result, declared: set[str]) -> Finding | None:
    kind = _SPECIAL_KINDS.get(stat.S_IFMT(st.st_mode))
    if kind is not None:
        return Finding(codes.SPECIAL_FILE, rel, found=kind[0], params={"found_zh": kind[1]})
    if stat.S_ISREG(st.st_mode) and unicodedata.normalize("NFC", rel) not in declared:
        return Finding(codes.EXTRA_FILE, rel, expected="declared in a manifest")
    return None


def check_extra_files(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 4-3 载体中多余文件: nothing on the carrier outside the declared payload and tag files."""
    declared = declared_files(view)
    findings = [f for rel, st in walk(view.root) if (f := _carrier_finding(rel, st, declared))]
    if not findings:
        return [_result("4-3", Status.PASSED, "package", expected="declared files only",
                        found=f"{len(declared)} declared files")]
    return [_result("4-3", Status.FAILED, f.location, [f], expected="declared files only", found=f.location)
            for f in findings]


# ------------------------------------------------------------------ 4-4 read speed and storage

def _storage(view: PackageView, ctx: CheckContext) -> CheckResult:
    try:
        usage = shutil.disk_usage(view.root)
    except OSError as exc:
        finding = Finding(codes.STORAGE_UNREACHABLE, str(view.root), found=str(exc))
        return _result("4-4", Status.FAILED, "storage", [finding], found=str(exc))
    free_mb = usage.free // 1_000_000
    found = f"reachable, {free_mb} MB free of {usage.total // 1_000_000} MB"
    minimum = ctx.settings.get("min_free_mb")
    findings = [Finding(codes.FREE_SPACE_LOW, "storage", str(minimum), str(free_mb))] \
        if minimum is not None and free_mb < float(minimum) else []
    return _result("4-4", Status.PASSED, "storage", findings, found=found)


def _drop_cache(fh: Any) -> None:
    """Ask the kernel to forget cached pages, so the carrier is measured and not memory."""
    try:
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    except (AttributeError, OSError, ValueError):
        pass


def _timed_read(view: PackageView, budget: int, clock: Callable[[], float]) -> tuple[int, float]:
    """(bytes, seconds) reading at most ``budget`` bytes of the payload, largest files first."""
    done, start = 0, clock()
    for file in sorted(view.files(), key=lambda f: -f.size):
        if done >= budget:
            break
        with view.open(file.path) as fh:
            _drop_cache(fh)
            while done < budget and (chunk := fh.read(min(1 << 20, budget - done))):
                done += len(chunk)
    return done, clock() - start


def check_read_speed(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 4-4 载体读取速度: bounded read of the package vs [checks] min_read_mb_s; storage reachable."""
    storage = _storage(view, ctx)
    if storage.status is Status.FAILED:
        return [storage]
    budget = int(float(ctx.settings.get("read_sample_mb") or DEFAULT_READ_SAMPLE_MB) * 1_000_000)
    clock = ctx.services.get("clock") or time.perf_counter
    try:
        size, seconds = _timed_read(view, budget, clock)
    except OSError as exc:
        finding = Finding(codes.READ_ERROR, "package", found=str(exc))
        return [storage, _result("4-4", Status.FAILED, "read speed", [finding], found=str(exc))]
    if size == 0:
        return [storage, _result("4-4", Status.NOT_APPLICABLE, "read speed", remarks="no payload bytes")]
    speed = size / 1_000_000 / seconds if seconds > 0 else float("inf")
    minimum = float(ctx.settings.get("min_read_mb_s") or 0)
    found, remarks = f"{speed:.1f} MB/s over {size} bytes", f"bounded read of {size} bytes, page cache dropped"
    if speed < minimum:
        finding = Finding(codes.READ_SLOW, "package", f"{minimum:g}", f"{speed:.1f}")
        return [storage, _result("4-4", Status.FAILED, "read speed", [finding], expected=f"≥ {minimum:g} MB/s",
                                 found=found, remarks=remarks)]
    return [storage, _result("4-4", Status.PASSED, "read speed", expected=f"≥ {minimum:g} MB/s", found=found,
                             remarks=remarks)]


# ------------------------------------------------------------------ 4-7 operation security

def _package_events(view: PackageView) -> tuple[list[dict[str, Any]], str | None]:
    try:
        with view.open("preservation/events.json") as fh:
            events = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        return [], str(exc)
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return [], "not a list of events"
    return events, None


def _event_findings(view: PackageView, lookup: Callable[[str], Iterable[Any]]) -> list[Finding]:
    path = "preservation/events.json"
    events, problem = _package_events(view)
    if problem is not None:
        return [Finding(codes.EVENT_UNREADABLE, path, found=problem)]
    aip_id = str((view.recorded or {}).get("aip_id") or view.identifier)
    logged = {str(e.get("hash") if isinstance(e, dict) else getattr(e, "hash", "")) for e in lookup(aip_id)}
    return [Finding(codes.EVENT_MISSING, path, found=f"{e.get('type')} #{e.get('seq')}")
            for e in events if str(e.get("hash")) not in logged]


def check_operation_security(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 4-7 操作过程安全性: the event log's hash chain is intact; the package's events are in it."""
    verify = ctx.services.get("verify_log")
    if verify is None:
        return [_result("4-7", Status.INDETERMINATE, "event log", remarks="no verify_log service")]
    count, problems = verify()
    out = []
    if problems:
        summary = Finding(codes.LOG_BROKEN, "event log", found=str(len(problems)), params={"count": count})
        out.append(_result("4-7", Status.FAILED, "event log", [summary, *problems], expected="intact chain",
                           found=f"{len(problems)} problems in {count} events"))
    else:
        out.append(_result("4-7", Status.PASSED, "event log", expected="intact chain", found=f"{count} events"))
    lookup = ctx.services.get("events")
    if view.kind == "aip" and lookup is not None:
        missing = _event_findings(view, lookup)
        status = Status.FAILED if missing else Status.PASSED
        out.append(_result("4-7", status, "preservation/events.json", missing,
                           expected="every package event in the log"))
    return out


# ------------------------------------------------------------------ 4-8 vulnerability scan

def _scanner_command(setting: Any, view: PackageView) -> list[str]:
    args = shlex.split(setting) if isinstance(setting, str) else [str(a) for a in setting]
    return [a.replace("{root}", str(view.root)) for a in args]


def check_vulnerability_scan(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 BC-4-8 软件系统安全漏洞: run the configured scanner; without one a person attests."""
    setting = ctx.settings.get("vulnerability_scanner")
    if not setting:
        return [_result("4-8", Status.MANUAL, "storage system",
                        remarks="no [checks] vulnerability_scanner configured: attest the last scan")]
    command = _scanner_command(setting, view)
    try:
        done = proc.run(command, capture_output=True, text=True, errors="replace",
                        timeout=float(ctx.settings.get("scan_timeout_s") or 600))
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        finding = Finding(codes.VULN_SCANNER_ERROR, "storage system", found=str(exc))
        return [_result("4-8", Status.INDETERMINATE, "storage system", [finding], found=str(exc))]
    tail = (done.stdout + done.stderr).strip()[-300:]
    if done.returncode != 0:
        finding = Finding(codes.VULN_FOUND, "storage system", "0", str(done.returncode), {"output": tail})
        return [_result("4-8", Status.FAILED, "storage system", [finding], expected="exit status 0",
                        found=f"exit status {done.returncode}", remarks=command[0])]
    return [_result("4-8", Status.PASSED, "storage system", expected="exit status 0", found="exit status 0",
                    remarks=f"{command[0]}: {tail[:200]}")]


# ------------------------------------------------------------------ what ingest says about the scan

def scan_notices(report: Any) -> list[Finding]:
    """Warnings an archived package carries when it was not (fully) scanned for viruses.

    ``report`` is the receive-stage PackageCheckReport, or None when the receive checks were
    switched off ([ingest] receive_checks = false) — then nothing was scanned at all.  These
    go into every ingest outcome, so an unscanned package is never silently archived.
    """
    if report is None:
        return [Finding(codes_scan.SCAN_OFF, "package", found="[ingest] receive_checks = false")]
    out: list[Finding] = []
    for outcome in report.outcomes:
        if outcome.item.number == "4-2":
            out += [f for r in outcome.results if r.status is not Status.FAILED for f in r.findings
                    if f.level.value == "warning"]
    return out


def scan_off_banner(settings: Any, lang_zh: bool) -> str | None:
    """One loud line for the CLI when [checks] virus_scan = "off"."""
    if virus_scan_mode(settings) != "off":
        return None
    return ("警告：病毒检测已关闭（[checks] virus_scan = \"off\"），信息包未经病毒检测即归档" if lang_zh else
            "WARNING: virus scanning is OFF ([checks] virus_scan = \"off\"): packages are archived unscanned")
