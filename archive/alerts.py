"""Alerts ([alerts]): a command and/or a webhook, and a daily summary (DA/T 92 9.4.3 监控告警).

An alert is JSON: given on stdin to the configured command, POSTed to the
webhook.  Every alert is recorded as an ``alert.sent`` event whether or not a
channel took it; a failing channel is logged and recorded (ALR-HOOK-FAILED) and
never breaks the audit that raised the alert.

The webhook is a server-side request made on a schedule, so its target is
checked twice (SSRF): when [alerts] is read (scheme, and no link-local,
unspecified, multicast or cloud-metadata host) and when an alert is sent (every
address the name resolves to, then the connection goes to exactly the address
that was checked, so a DNS answer that changes in between cannot redirect it).
Redirects are not followed and no proxy is used.  Loopback and private
addresses are allowed: alert receivers usually run on the same host or in the
court's own network.
"""
from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import select

import archive.audit_codes  # noqa: F401 — registers ALR- codes
from archive import db
from archive.archive import Archive
from archive.audit_policy import utc
from archive.config import Config, ConfigError
from archive.events import append_event
from archive.models import EventRow
from findings import Finding, findings_to_json
from findings.i18n import Lang
from fixity import proc

if TYPE_CHECKING:
    from archive.auditor import AuditRun

log = logging.getLogger(__name__)

#: Cloud instance-metadata services by name: credentials live there, never an alert receiver.
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    "metadata.azure.com", "metadata.tencentyun.com", "metadata.platformequinix.com",
})
#: Metadata addresses outside the link-local range (Alibaba Cloud; AWS over IPv6).
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def forbidden_address(address: str) -> str | None:
    """Why an alert must not be sent to this IP address, or None if it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 carried in IPv6 (::ffff:169.254.169.254, NAT64, 6to4) is judged as that IPv4 address
        embedded = ip.ipv4_mapped or ip.sixtofour or \
            (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        ip = embedded or ip
    if ip in METADATA_ADDRESSES:
        return f"{ip} is a cloud metadata address"
    if ip.is_loopback:
        return None
    for test, what in ((ip.is_link_local, "a link-local"), (ip.is_unspecified, "an unspecified"),
                       (ip.is_multicast, "a multicast"), (ip.is_reserved, "a reserved")):
        if test:
            return f"{ip} is {what} address"
    return None


def _forbidden_host(host: str) -> str | None:
    """The host as written: a metadata name, or an address — including the shorthand forms
    the resolver accepts without DNS (``2852039166``, ``0xa9fea9fe``, ``0`` …)."""
    name = host.rstrip(".").lower()
    if name in METADATA_HOSTS:
        return f"{host} is a cloud metadata service"
    try:
        name = socket.inet_ntoa(socket.inet_aton(name))
    except OSError:
        pass
    return forbidden_address(name)


def check_webhook_url(url: object) -> str:
    """The URL if it may be used as [alerts] webhook; ConfigError naming section and key otherwise."""
    if not isinstance(url, str):
        raise ConfigError(f"[alerts] webhook must be an http(s) URL, not {url!r}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ConfigError(f"[alerts] webhook {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise ConfigError(f"[alerts] webhook must be an http(s) URL, not {url!r}")
    if not parts.hostname:
        raise ConfigError(f"[alerts] webhook {url!r} names no host")
    problem = _forbidden_host(parts.hostname)
    if problem is not None:
        raise ConfigError(f"[alerts] webhook {url!r} is refused: {problem}")
    return url


@dataclass(frozen=True)
class AlertsConfig:
    """[alerts]: where alerts go, and when a location counts as running out of space."""

    command: tuple[str, ...] = ()
    webhook: str | None = None
    timeout_seconds: float = 10.0
    min_free_bytes: int = 0
    min_free_percent: float = 5.0


def parse_alerts_config(section: Mapping[str, Any]) -> AlertsConfig:
    """Read [alerts]; unknown keys or wrong types raise ConfigError."""
    unknown = set(section) - set(AlertsConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown key(s) in [alerts]: {', '.join(sorted(unknown))}")
    command = section.get("command", [])
    if not isinstance(command, list) or not all(isinstance(a, str) and a for a in command):
        raise ConfigError("[alerts] command must be a list of strings (argv; the alert JSON arrives on stdin)")
    webhook = section.get("webhook")
    if webhook is not None:
        webhook = check_webhook_url(webhook)
    values: dict[str, Any] = {"command": tuple(command), "webhook": webhook}
    for key, kind in (("timeout_seconds", float), ("min_free_bytes", int), ("min_free_percent", float)):
        if key in section:
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or \
                    (kind is int and not isinstance(value, int)):
                raise ConfigError(f"[alerts] {key} must be a non-negative number, not {value!r}")
            values[key] = kind(value)
    if values.get("min_free_percent", 0) > 100:
        raise ConfigError("[alerts] min_free_percent must be at most 100")
    return AlertsConfig(**values)


def alerts_config(config: Config) -> AlertsConfig:
    return parse_alerts_config(config.section("alerts"))


@dataclass(frozen=True)
class Alert:
    """One alert: kind (audit.failure, restore.failure, storage, summary…), severity, texts, findings."""

    kind: str
    severity: str  # error | warning | info
    at: datetime
    title_en: str
    title_zh: str
    findings: tuple[Finding, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "at": self.at.isoformat(),
                "title": {"en": self.title_en, "zh-CN": self.title_zh}, "details": dict(self.details),
                "findings": findings_to_json(self.findings, lang)}


@dataclass(frozen=True)
class ChannelResult:
    channel: str  # command | webhook
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class AlertDelivery:
    alert: Alert
    channels: tuple[ChannelResult, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.channels)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"ok": self.ok, "alert": self.alert.to_dict(lang),
                "channels": [c.__dict__ for c in self.channels], "findings": findings_to_json(self.findings, lang)}


def _run_command(argv: tuple[str, ...], body: bytes, timeout: float) -> ChannelResult:
    try:
        # proc.run: the hook gets a minimal environment (never the key passphrase) and dies with us
        done = proc.run(argv, input=body, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return ChannelResult("command", False, f"{type(exc).__name__}: {exc}")
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip()[-200:]
        return ChannelResult("command", False, f"exit status {done.returncode}: {tail}")
    return ChannelResult("command", True)


class _Pinned(http.client.HTTPConnection):
    """HTTP to one already checked address; Host header and path as in the URL."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    """HTTPS to one already checked address; the certificate is checked against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _resolve(host: str, port: int) -> tuple[str | None, str]:
    """(address to connect to, or None; why not).  Every address of the name must be allowed:
    a name that also resolves to a metadata address is refused, not cherry-picked."""
    problem = _forbidden_host(host)
    if problem is not None:
        return None, problem
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return None, f"cannot resolve {host}: {exc}"
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        problem = forbidden_address(address)
        if problem is not None:
            return None, f"{host} resolves to {address}: {problem.split(' is ', 1)[1]}"
    return (addresses[0], "") if addresses else (None, f"{host} has no address")


def _post(url: str, body: bytes, timeout: float) -> ChannelResult:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return ChannelResult("webhook", False, f"{type(exc).__name__}: {exc}")
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return ChannelResult("webhook", False, f"refused: not an http(s) URL with a host: {url!r}")
    # checked again here, not only when [alerts] was read: what the name resolves to now counts
    address, problem = _resolve(host, port)
    if address is None:
        return ChannelResult("webhook", False, f"refused: {problem}")
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    conn = kind(host, port, address, timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", target, body=body, headers={"Content-Type": "application/json; charset=utf-8",
                                                          "User-Agent": "casearchive-alerts"})
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return ChannelResult("webhook", False, f"{type(exc).__name__}: {exc}")
    finally:
        conn.close()
    if 300 <= response.status < 400:
        # a redirect could point anywhere, including a metadata address: never followed
        return ChannelResult("webhook", False, f"HTTP {response.status} (redirects are not followed)")
    return ChannelResult("webhook", 200 <= response.status < 300, f"HTTP {response.status}")


def deliver(cfg: AlertsConfig, alert: Alert) -> tuple[ChannelResult, ...]:
    """Hand the alert to every configured channel; never raises."""
    body = json.dumps(alert.to_dict(), ensure_ascii=False).encode("utf-8")
    results = []
    if cfg.command:
        results.append(_run_command(cfg.command, body, cfg.timeout_seconds))
    if cfg.webhook:
        results.append(_post(cfg.webhook, body, cfg.timeout_seconds))
    return tuple(results)


def send_alert(archive: Archive, alert: Alert) -> AlertDelivery:
    """Deliver ``alert`` and record it as an ``alert.sent`` event (outcome failure if a channel failed)."""
    try:
        channels = deliver(alerts_config(archive.config), alert)
    except ConfigError as exc:
        channels = (ChannelResult("config", False, str(exc)),)
    failed = [Finding("ALR-HOOK-FAILED", location=c.channel, params={"reason": c.reason}) for c in channels if not c.ok]
    for finding in failed:
        log.warning("alert %s: channel %s failed: %s", alert.kind, finding.location, finding.params["reason"])
    with db.write_session(archive.engine) as s:
        append_event(s, at=alert.at, type="alert.sent", agent="casearchive alerts",
                     outcome="failure" if failed else "success",
                     detail={"kind": alert.kind, "severity": alert.severity, "title": alert.title_en,
                             "codes": sorted({f.code for f in alert.findings}),
                             "channels": [c.__dict__ for c in channels]})
    return AlertDelivery(alert, channels, tuple(failed))


def alert_for_run(run: "AuditRun", at: datetime) -> Alert:
    """The alert raised by an audit run that found damaged copies."""
    return Alert("audit.failure", "error", at,
                 f"Audit ({run.kind}) found {run.failures} damaged cop{'y' if run.failures == 1 else 'ies'}",
                 f"巡检（{run.kind}）发现 {run.failures} 个受损副本", run.findings,
                 {"run": run.id, "copies_checked": run.copies_checked, "repairs": run.repairs,
                  "failed": [{"aip_id": v.aip_id, "location": v.location} for v in run.failed]})


def _recent(archive: Archive, since: datetime) -> dict[str, list[dict[str, Any]]]:
    with db.read_session(archive.engine) as s:
        rows = s.execute(select(EventRow.type, EventRow.aip_id, EventRow.outcome, EventRow.detail)
                         .where(EventRow.at >= utc(since), EventRow.type.in_(
                             ["aip.verify", "aip.repair", "aip.damaged", "storage.restore_test",
                              "storage.replicate"]))).all()
    failures = [{"aip_id": a, "location": (d or {}).get("location")} for t, a, o, d in rows
                if t == "aip.verify" and o == "failure"]
    repairs = [{"aip_id": a, "outcome": o} for t, a, o, _ in rows if t in ("aip.repair", "aip.damaged")]
    restores = [{"location": (d or {}).get("location"), "outcome": o} for t, _, o, d in rows
                if t == "storage.restore_test"]
    return {"failures": failures, "repairs": repairs, "restore_tests": restores}


def daily_summary(archive: Archive, now: datetime) -> Alert:
    """The last 24 hours: failures, repairs, restore tests; now: overdue audits and space."""
    from archive.auditor import audit_status
    from archive.storage_admin import storage_status

    recent = _recent(archive, now - timedelta(days=1))
    status = audit_status(archive, now)
    storage = storage_status(archive, now)
    findings = status.findings + storage.findings
    bad = recent["failures"] or status.failing or any(f.level.value == "error" for f in findings)
    severity = "error" if bad else ("warning" if findings else "info")
    details = {**recent, "failing_copies": status.failing, "overdue_copies": status.overdue,
               "never_verified": status.never_verified,
               "locations": [{"name": loc.name, "free_bytes": loc.free_bytes, "total_bytes": loc.total_bytes,
                              "reachable": loc.reachable, "writable": loc.writable} for loc in storage.locations]}
    return Alert("summary", severity, now,
                 f"Daily summary: {len(recent['failures'])} failed verifications, {len(recent['repairs'])} repairs, "
                 f"{status.overdue} overdue copies",
                 f"每日摘要：校验失败 {len(recent['failures'])} 次，修复 {len(recent['repairs'])} 次，"
                 f"逾期未巡检副本 {status.overdue} 个", tuple(findings), details)


def scheduled_summary(root: str) -> dict[str, Any]:
    """Scheduler job ``archive.alerts:scheduled_summary``: build and send the daily summary."""
    from datetime import timezone
    from pathlib import Path

    arc = Archive.open(Path(root))
    try:
        return send_alert(arc, daily_summary(arc, datetime.now(timezone.utc))).to_dict(Lang.EN)
    finally:
        arc.close()
