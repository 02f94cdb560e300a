"""Alerts: a command and a loopback webhook receive the JSON; failures are recorded, never raised."""
from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import open_copy
from archive import db
from archive.alerts import Alert, AlertsConfig, daily_summary, parse_alerts_config, send_alert
from archive.archive import Archive
from archive.auditor import run_audit
from archive.config import ConfigError
from archive.models import EventRow

LATER = timedelta(days=100)


@pytest.fixture
def template(ingested_template):
    return ingested_template


def _open(template: Path, tmp_path: Path, alerts: str) -> Archive:
    return open_copy(template, tmp_path, "[alerts]\n" + alerts)


class _Sink(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 — http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"type": self.headers["Content-Type"], "body": json.loads(body)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    handler = type("Sink", (_Sink,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _writer(path: Path) -> str:
    code = f"import sys; open({str(path)!r}, 'wb').write(sys.stdin.buffer.read())"
    return json.dumps([sys.executable, "-c", code])


def _alerts(arc: Archive) -> list[EventRow]:
    with db.read_session(arc.engine) as s:
        rows = s.execute(select(EventRow).where(EventRow.type == "alert.sent")).scalars().all()
        s.expunge_all()
        return list(rows)


def test_config_defaults_and_errors():
    assert parse_alerts_config({}) == AlertsConfig()
    cfg = parse_alerts_config({"command": ["notify", "-x"], "webhook": "http://127.0.0.1:9/x", "min_free_bytes": 5})
    assert cfg.command == ("notify", "-x") and cfg.min_free_bytes == 5
    for bad in ({"command": "notify"}, {"webhook": "ftp://x"}, {"min_free_percent": 200}, {"hook": 1},
                {"timeout_seconds": -1}, {"min_free_bytes": 1.5}):
        with pytest.raises(ConfigError):
            parse_alerts_config(bad)


def test_command_and_webhook_receive_the_alert(template, tmp_path, now, webhook):
    url, sink = webhook
    out = tmp_path / "alert.json"
    arc = _open(template, tmp_path, f"command = {_writer(out)}\nwebhook = \"{url}\"")
    alert = Alert("storage", "warning", now, "Location low on space", "存储空间不足", details={"free": 1})
    delivery = send_alert(arc, alert)
    assert delivery.ok and [c.channel for c in delivery.channels] == ["command", "webhook"]
    by_command = json.loads(out.read_text(encoding="utf-8"))
    assert by_command["title"]["zh-CN"] == "存储空间不足" and by_command["kind"] == "storage"
    assert sink.received[0]["body"] == by_command and sink.received[0]["type"].startswith("application/json")
    (event,) = _alerts(arc)
    assert event.outcome == "success" and event.detail["kind"] == "storage"
    arc.close()


def test_failing_channels_are_recorded_not_raised(template, tmp_path, now):
    failing = json.dumps([sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"])
    arc = _open(template, tmp_path, f"command = {failing}\nwebhook = \"http://127.0.0.1:{_closed_port()}/\"\n"
                                    "timeout_seconds = 5")
    delivery = send_alert(arc, Alert("summary", "info", now, "t", "t"))
    assert not delivery.ok and [f.code for f in delivery.findings] == ["ALR-HOOK-FAILED"] * 2
    assert "exit status 3: boom" in delivery.channels[0].reason
    assert _alerts(arc)[0].outcome == "failure"
    arc.close()


def test_a_missing_command_and_an_http_error_are_failures(template, tmp_path, now, webhook):
    url, sink = webhook
    sink.status = 500
    arc = _open(template, tmp_path, f'command = ["/nonexistent/notify"]\nwebhook = "{url}"')
    delivery = send_alert(arc, Alert("summary", "info", now, "t", "t"))
    assert [c.ok for c in delivery.channels] == [False, False] and delivery.channels[1].reason == "HTTP 500"
    arc.close()


def test_an_audit_with_a_broken_hook_still_completes(template, tmp_path, now):
    arc = _open(template, tmp_path, f"webhook = \"http://127.0.0.1:{_closed_port()}/\"")
    aip_dir = arc.location("replica").aip_path(sorted(p.name for p in (arc.location("replica").root / "aips")
                                                       .glob("*/*"))[0])
    (aip_dir / "data" / "extra.txt").write_text("x")
    run = run_audit(arc, now + LATER)
    assert run.copies_checked == 6 and run.failures == 1
    (event,) = _alerts(arc)
    assert event.outcome == "failure" and event.detail["kind"] == "audit.failure"
    arc.close()


def test_daily_summary_counts_failures_overdue_and_space(template, tmp_path, now, webhook):
    url, sink = webhook
    arc = _open(template, tmp_path, f'webhook = "{url}"\nmin_free_bytes = {2**62}')
    quiet = daily_summary(arc, now + timedelta(hours=1))
    assert quiet.details["overdue_copies"] == 0 and quiet.details["failures"] == []
    assert {f.code for f in quiet.findings} >= {"STO-LOCATION-LOW-SPACE", "AUD-SAMPLE-DUE"}
    aip_dir = sorted((arc.location("primary").root / "aips").glob("*/*"))[0]
    shutil.rmtree(aip_dir)
    overdue = daily_summary(arc, now + LATER)
    assert overdue.details["overdue_copies"] == 6 and "AUD-COPIES-OVERDUE" in {f.code for f in overdue.findings}
    run_audit(arc, now + LATER)
    summary = daily_summary(arc, now + LATER + timedelta(hours=2))
    assert summary.severity == "error" and summary.kind == "summary"
    assert len(summary.details["failures"]) == 1 and summary.details["failing_copies"] == 1
    assert summary.details["overdue_copies"] == 0
    assert len(summary.details["locations"]) == 2 and "每日摘要" in summary.title_zh
    send_alert(arc, summary)
    assert sink.received[-1]["body"]["kind"] == "summary"
    arc.close()


# ------------------------------------------------------------------ issue #7: secrets and alert targets

def _env_dumper(path: Path) -> str:
    code = f"import json, os, sys; sys.stdin.read(); open({str(path)!r}, 'w').write(json.dumps(dict(os.environ)))"
    return json.dumps([sys.executable, "-c", code])


def test_the_command_hook_never_sees_the_key_passphrase(template, tmp_path, now, monkeypatch):
    monkeypatch.setenv("CASEARCHIVE_KEY_PASSPHRASE", "geheim-passphrase")
    monkeypatch.setenv("CASEARCHIVE_KEY_PASSPHRASE_FILE", "/run/secrets/pass")
    monkeypatch.setenv("WEBHOOK_TOKEN", "tok-123")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("LC_TIME", "zh_CN.UTF-8")
    out = tmp_path / "env.json"
    arc = _open(template, tmp_path, f"command = {_env_dumper(out)}")
    delivery = send_alert(arc, Alert("summary", "info", now, "t", "t"))
    arc.close()
    assert delivery.ok, delivery.to_dict()
    env = json.loads(out.read_text(encoding="utf-8"))
    leaked = {k: v for k, v in env.items() if v in ("geheim-passphrase", "/run/secrets/pass", "tok-123", "aws-secret")}
    assert leaked == {}
    assert env["LC_TIME"] == "zh_CN.UTF-8" and "PATH" in env
    assert not [k for k in env if any(word in k.upper() for word in ("PASS", "SECRET", "TOKEN", "KEY"))]


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook", "http://metadata.google.internal/x",
    "http://METADATA.google.internal./x", "http://100.100.100.200/latest/meta-data/", "http://0.0.0.0:8080/",
    "http://224.0.0.1/", "http://[::ffff:169.254.169.254]/", "http://2852039166/", "http://0xa9fea9fe/",
    "http://0/", "http://[::]/", "ftp://example.org/", "http:///nohost", "http://example.org:port/",
])
def test_webhook_targets_that_are_refused_when_the_config_is_read(url):
    with pytest.raises(ConfigError, match=r"\[alerts\] webhook"):
        parse_alerts_config({"webhook": url})


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://[::1]/hook", "https://alerts.example.org/x",
                                 "http://10.1.2.3/hook", "http://192.168.7.9:9000/"])
def test_loopback_private_and_named_webhooks_are_accepted(url):
    assert parse_alerts_config({"webhook": url}).webhook == url


def test_the_webhook_is_checked_again_when_sending(now, webhook):
    """What the host resolves to at send time counts: a name that now points at a forbidden
    address is refused (the parse-time check cannot see DNS changes)."""
    from archive.alerts import deliver

    url, sink = webhook
    # a config object as it was accepted earlier; the resolver now answers with a link-local address
    changed = AlertsConfig(webhook="http://2852039166:80/latest/meta-data/")
    (result,) = deliver(changed, Alert("summary", "info", now, "t", "t"))
    assert not result.ok and "169.254.169.254" in result.reason and "link-local" in result.reason
    (ok,) = deliver(AlertsConfig(webhook=url.replace("127.0.0.1", "localhost")), Alert("summary", "info", now, "t", "t"))
    assert ok.ok and len(sink.received) == 1


class _Redirect(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 — http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(302)
        self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_redirect_is_not_followed(now):
    from archive.alerts import deliver

    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        (result,) = deliver(AlertsConfig(webhook=f"http://127.0.0.1:{server.server_address[1]}/"),
                            Alert("summary", "info", now, "t", "t"))
    finally:
        server.shutdown()
        server.server_close()
    assert not result.ok and result.reason.startswith("HTTP 302")
