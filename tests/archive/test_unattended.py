"""The [store] bottom line: the scheduler runs unattended, finds and repairs every injected fault.

A real archive, real AIPs (ingested 30 days ago so every copy is overdue), six kinds of damage
in six AIPs, `serve` with auto-repair on; afterwards every copy verifies with SHA-256 and SM3,
every repair is an event, the damaged copies are kept as evidence, the log verifies.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive import db
from archive.archive import Archive, InitOptions, init_archive
from archive.audit import verify_aips
from archive.checkpoints import verify_log_full
from archive.events import iter_events
from archive.scheduler import serve
from ingest.pipeline import ingest_package
from samples import generate_sips

CONFIG = """
[audit]
cycle_days = 1
auto_repair = true

[scheduler]
audit_interval_minutes = 0.05
jobs = ["audit.regular"]
"""


def _flip(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    path.write_bytes(bytes(raw))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _replace_same_size(path: Path) -> None:
    path.write_bytes(b"\x00" * path.stat().st_size)


FAULTS = {
    "flip a bit": ("replica", lambda d: _flip(_doc(d))),
    "truncate": ("primary", lambda d: _truncate(_doc(d))),
    "delete a file": ("replica", lambda d: _doc(d).unlink()),
    "add a file": ("primary", lambda d: (d / "data" / "documents" / "planted.pdf").write_bytes(b"%PDF-1.7\n")),
    "replace, same size": ("replica", lambda d: _replace_same_size(_doc(d))),
    "delete the whole copy": ("primary", lambda d: shutil.rmtree(d)),
}


def _doc(aip_dir: Path) -> Path:
    return sorted((aip_dir / "data" / "documents").iterdir())[0]


@pytest.mark.slow
def test_scheduler_finds_and_repairs_every_fault(tmp_path, virus_db):
    past = datetime.now(timezone.utc) - timedelta(days=30)
    root = tmp_path / "arc"
    init_archive(root, InitOptions(name="无人值守测试", fonds_number="J105", extra_toml=CONFIG, **virus_db), past).close()
    archive = Archive.open(root)
    sips = generate_sips(tmp_path / "sips", count=len(FAULTS), seed=21)
    ids = []
    for sip in sips:
        outcome = ingest_package(archive, sip, now=past)
        assert outcome.status == "archived", outcome.findings
        ids.append(outcome.aip_id)
    for aip_id, (name, (location, damage)) in zip(ids, FAULTS.items()):
        aip_dir = archive.location(location).aip_path(aip_id)
        for p in aip_dir.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        damage(aip_dir)
    assert not verify_aips(archive, None, now=datetime.now(timezone.utc)).ok, "the faults are real"

    result = serve(root, stop_when=lambda: _repairs(archive) >= len(FAULTS), stop_after=120)

    assert result.jobs
    assert _repairs(archive) == len(FAULTS)
    final = verify_aips(archive, None, algorithm="all", now=datetime.now(timezone.utc))
    assert final.ok, [(v.aip_id, v.location, [f.code for f in v.findings]) for v in final.verdicts if not v.ok]
    evidence = [p for loc in archive.locations for p in (loc.root / ".damaged").glob("*")] \
        if any((loc.root / ".damaged").exists() for loc in archive.locations) else []
    assert len(evidence) >= len(FAULTS) - 1  # a deleted copy leaves nothing to keep
    assert verify_log_full(archive, datetime.now(timezone.utc)).ok
    archive.close()


def _repairs(archive: Archive) -> int:
    with db.read_session(archive.engine) as s:
        return sum(1 for e in iter_events(s) if e.type == "aip.repair" and e.outcome == "success")
