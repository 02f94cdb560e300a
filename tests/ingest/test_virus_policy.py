"""[checks] virus_scan: no package is archived unscanned without saying so (issue #7).

Real ClamAV (clamscan), real databases: the EICAR test signatures, an empty signature
folder (clamscan then fails: "no supported database files"), or no scanner at all.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from archive.archive import Archive, InitOptions, init_archive
from archive.config import ConfigError, render_default_config
from helpers import run_cli, set_checks
from ingest.pipeline import ingest_package
from samples.signatures import write_test_signatures


def _clamscan() -> None:
    if shutil.which("clamscan"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("clamscan is required in CI (scripts/sysdeps.sh installs it)")
    pytest.skip("clamscan (ClamAV) not installed")


def _codes(outcome) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in outcome.findings]


def _archive(tmp_path: Path, now, **checks: str) -> Archive:  # type: ignore[no-untyped-def]
    root = tmp_path / "arc"
    init_archive(root, InitOptions(name="测试档案库", fonds_number="J105"), now).close()
    set_checks(root, **checks)
    return Archive.open(root)


def test_init_writes_the_policy_and_required_is_the_default():
    text = render_default_config("库", "J105", "法院")
    assert '\n[checks]\n' in text and '\nvirus_scan = "required"\n' in text


def test_required_without_a_signature_database_refuses(tmp_path, sip, now):
    _clamscan()
    empty = tmp_path / "empty-db"
    empty.mkdir()
    arc = _archive(tmp_path, now, clamav_database=str(empty))
    outcome = ingest_package(arc, sip, now=now)
    arc.close()
    assert outcome.status == "refused"
    assert "CHK-AV-SCAN-REQUIRED" in _codes(outcome) and "ING-CHECK-FAILED" in _codes(outcome)


def test_required_without_a_scanner_refuses_via_the_cli(tmp_path, sip):
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    set_checks(root, clamscan="/nonexistent/clamscan")
    done = run_cli("--root", str(root), "ingest", "--json", str(sip))
    assert done.returncode == 1, done.stderr
    (outcome,) = json.loads(done.stdout)
    assert outcome["status"] == "refused"
    codes = [f["code"] for f in outcome["findings"]]
    assert "CHK-AV-SCAN-REQUIRED" in codes
    text = json.dumps(outcome, ensure_ascii=False)
    assert "virus_scan" in text and "Traceback" not in done.stderr


def test_required_with_a_database_scans_and_archives(tmp_path, sip, now):
    _clamscan()
    arc = _archive(tmp_path, now, clamav_database=str(write_test_signatures(tmp_path / "db")))
    outcome = ingest_package(arc, sip, now=now)
    arc.close()
    assert outcome.status == "archived", _codes(outcome)
    assert not [c for c in _codes(outcome) if c.startswith("CHK-AV")]


def test_optional_archives_with_a_warning(tmp_path, sip, now):
    _clamscan()
    empty = tmp_path / "empty-db"
    empty.mkdir()
    arc = _archive(tmp_path, now, virus_scan="optional", clamav_database=str(empty))
    outcome = ingest_package(arc, sip, now=now)
    arc.close()
    assert outcome.status == "archived"
    assert "CHK-AV-SCAN-ERROR" in _codes(outcome)
    assert all(f.level.value == "warning" for f in outcome.findings if f.code.startswith("CHK-AV"))


def test_off_warns_in_every_output_and_loudly_on_the_cli(tmp_path, sip):
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    set_checks(root, virus_scan="off")
    done = run_cli("--root", str(root), "ingest", "--json", str(sip))
    assert done.returncode == 0, done.stderr
    (outcome,) = json.loads(done.stdout)
    assert outcome["status"] == "archived"
    assert [f["code"] for f in outcome["findings"] if f["code"].startswith("CHK-AV")] == ["CHK-AV-SCAN-OFF"]
    assert "WARNING: virus scanning is OFF" in done.stderr
    plain = run_cli("--root", str(root), "--lang", "zh-CN", "ingest", str(sip))
    assert "病毒检测已关闭" in plain.stderr


def test_receive_checks_off_is_said_too(tmp_path, sip, now):
    root = tmp_path / "arc"
    init_archive(root, InitOptions(extra_toml="\n"), now).close()
    config = root / "casearchive.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("receive_checks = true", "receive_checks = false"),
                      encoding="utf-8")
    arc = Archive.open(root)
    outcome = ingest_package(arc, sip, now=now)
    arc.close()
    assert outcome.status == "archived" and "CHK-AV-SCAN-OFF" in _codes(outcome)


def test_an_unknown_policy_is_a_configuration_error(tmp_path, sip):
    root = tmp_path / "arc"
    assert run_cli("--root", str(root), "init").returncode == 0
    set_checks(root, virus_scan="sometimes")
    done = run_cli("--root", str(root), "ingest", str(sip))
    assert done.returncode == 3 and "[checks] virus_scan" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(ConfigError):
        render_default_config("a", "b", "c", virus_scan="sometimes")
