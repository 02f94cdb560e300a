"""Real packages, a real ClamAV signature database and a real clamd for the security and environment check tests."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from checks.api import CheckContext, Stage
from checks.package import DirectoryPackage
from factories import make_casefile, payload_files
from metadata.model import CaseFile
from metadata.xml import casefile_to_xml
from samples.bag import write_bag

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
# The standard 68-byte EICAR test string (not a virus; every scanner detects it by agreement).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Casearchive.Test.EICAR"
CLAMD = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)


def need(tool: str | None, name: str) -> str:
    """The tool's path; skip when missing, except in CI where a missing tool fails."""
    if tool:
        return tool
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI (scripts/sysdeps.sh installs it)")
    pytest.skip(f"{name} not installed")


def clamscan() -> str:
    return need(shutil.which("clamscan"), "clamscan (ClamAV)")


def signature_db(folder: Path) -> Path:
    """A ClamAV database directory holding one MD5 signature: EICAR's (``md5:size:name``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "casearchive-test.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n", encoding="ascii")
    return folder


def write_package(root: Path, cf: CaseFile | None = None, extra: Mapping[str, bytes] | None = None,
                  bag_info: Mapping[str, str] | None = None) -> Path:
    """A SIP bag of ``cf`` (casefile.xml + its PDFs + ``extra`` payload), as samples.write_bag writes it."""
    cf = cf or make_casefile()
    payload = {"metadata/casefile.xml": casefile_to_xml(cf), **payload_files(cf), **dict(extra or {})}
    return write_bag(root, payload, {"External-Identifier": cf.case_number, **dict(bag_info or {})})


def view_of(root: Path, kind: str = "sip", casefile: CaseFile | None = None,
            recorded: Mapping[str, Any] | None = None) -> DirectoryPackage:
    return DirectoryPackage.from_bag(root, kind, casefile=casefile, recorded=recorded)


def context(settings: Mapping[str, Any] | None = None, services: Mapping[str, Any] | None = None,
            stage: Stage = Stage.RECEIVE) -> CheckContext:
    return CheckContext(now=NOW, stage=stage, settings=dict(settings or {}), services=dict(services or {}))


def start_clamd(tmp: Path, database: Path) -> Iterator[Path]:
    """Run a real clamd on a UNIX socket in ``tmp`` with ``database``; yields the socket path."""
    binary = need(CLAMD, "clamd (clamav-daemon)")
    sock = tmp / "clamd.sock"
    conf = tmp / "clamd.conf"
    conf.write_text(f"LocalSocket {sock}\nDatabaseDirectory {database}\nForeground yes\n"
                    f"PidFile {tmp / 'clamd.pid'}\nLogFile {tmp / 'clamd.log'}\nTemporaryDirectory {tmp}\n",
                    encoding="utf-8")
    proc = subprocess.Popen([binary, "--config-file", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a readiness wait, not a timing assertion
        while not sock.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if not sock.exists():
            pytest.fail(f"clamd did not start: {(tmp / 'clamd.log').read_text(errors='replace')[-500:]}")
        yield sock
    finally:
        proc.terminate()
        proc.wait(timeout=60)
