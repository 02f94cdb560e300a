"""Children started by the checks get a minimal environment: never the key passphrase (issue #7).

The scanner itself is not under test here, our environment passing is: a script named
``clamscan`` placed first on PATH dumps what it was given (and then behaves like a clean scan);
the real clamscan runs in tests/checks/test_clamav.py under the same minimal environment.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from checks.api import Status
from checks.clamav import ScannerSettings, probe, scan_with_clamscan
from checks.items_security import check_vulnerability_scan
sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the fixtures sit beside us
from security_fixtures import context, view_of, write_package

SECRETS = {"CASEARCHIVE_KEY_PASSPHRASE": "geheim-passphrase", "SCANNER_API_TOKEN": "tok-123",
           "DB_PASSWORD": "pw-456", "MY_SECRET": "s-789"}


def _dumper(path: Path, out: Path) -> Path:
    path.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                    f"open({str(out)!r}, 'a').write(json.dumps(dict(os.environ)) + '\\n')\n"
                    "print('ClamAV 1.0.0/1/Mon Jan  1 00:00:00 2024' if '--version' in sys.argv else '')\n",
                    encoding="utf-8")
    path.chmod(0o755)
    return path


def _leaks(out: Path) -> list[dict[str, str]]:
    envs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert envs, "the child did not run"
    return [{k: v for k, v in env.items() if v in SECRETS.values() or k in SECRETS} for env in envs]


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)


def test_clamscan_gets_no_secrets(tmp_path: Path, secrets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "env.jsonl"
    _dumper(bin_dir / "clamscan", out)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.txt").write_text("x")
    assert probe(ScannerSettings()).kind == "clamscan"  # clamscan --version
    assert scan_with_clamscan(tmp_path / "pkg", ScannerSettings()).verdict == "clean"
    assert _leaks(out) == [{}, {}]


def test_the_vulnerability_scanner_gets_no_secrets(tmp_path: Path, secrets: None) -> None:
    out = tmp_path / "env.jsonl"
    scanner = _dumper(tmp_path / "scanner", out)
    view = view_of(write_package(tmp_path / "sip"))
    (result,) = check_vulnerability_scan(view, context({"vulnerability_scanner": [str(scanner)]}))
    assert result.status is Status.PASSED, result
    assert _leaks(out) == [{}]
