"""A repair in progress is busy, not damage: verify and audit wait for the AIP lock; the AIP
path is empty only between two renames, never while the rebuilt copy is being fsynced."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import db
from archive.models import EventRow
from archive.repair import repair_aip
from archive.store import named_lock
from ingest.pipeline import ingest_package

REPO = Path(__file__).resolve().parents[2]


def _lock_inode(root: Path, name: str) -> int:
    return os.stat(root / "locks" / (hashlib.sha256(name.encode("utf-8")).hexdigest()[:32] + ".lock")).st_ino


def _waiting_on(inode: int) -> bool:
    with open("/proc/locks", encoding="ascii") as fh:
        return any("->" in line and line.split()[-3].endswith(f":{inode}") for line in fh)


@pytest.mark.skipif(not os.path.exists("/proc/locks"), reason="needs /proc/locks to see a blocked waiter")
@pytest.mark.parametrize("command", [["verify", "--json", "ID"], ["audit", "run", "--force", "--json"]])
def test_a_copy_missing_during_a_repair_is_waited_for_not_reported(archive, sample_sips, now, command):
    aip_id = ingest_package(archive, sample_sips[0], now=now).aip_id
    root, replica = archive.config.root, archive.locations[1]
    current, aside = replica.aip_path(aip_id), replica.root / ".damaged" / f"{aip_id}-inflight"
    aside.parent.mkdir()
    argv = [sys.executable, "-m", "cli", "--root", str(root), *[aip_id if a == "ID" else a for a in command]]
    with named_lock(root / "locks", f"repair:{aip_id}"):  # what a repair holds from start to end
        os.rename(current, aside)  # the instant between a repair's two renames
        proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "CASEARCHIVE_LANG": "en"})
        inode = _lock_inode(root, f"repair:{aip_id}")
        while proc.poll() is None and not _waiting_on(inode):
            os.sched_yield()
        os.rename(aside, current)  # the repair publishes and lets go
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + err
    assert "VER-AIP-MISSING" not in out, out
    with db.read_session(archive.engine) as s:
        failed = [e.detail for e in s.query(EventRow).filter(EventRow.type == "aip.verify") if e.outcome != "success"]
    assert failed == []


def test_the_aip_path_is_empty_only_between_two_renames(archive, sample_sips, now, monkeypatch):
    aip_id = ingest_package(archive, sample_sips[0], now=now).aip_id
    replica = archive.locations[1]
    victim = sorted((replica.aip_path(aip_id) / "data").rglob("*.pdf"))[0]
    data = bytearray(victim.read_bytes())
    data[200] ^= 0x10
    victim.write_bytes(bytes(data))
    calls: list[tuple[str, str, str]] = []
    real_rename, real_fsync = os.rename, os.fsync
    current = str(replica.aip_path(aip_id))

    def rename(src, dst, *a, **k):  # type: ignore[no-untyped-def]
        calls.append(("rename", str(src), str(dst)))
        return real_rename(src, dst, *a, **k)

    def fsync(fd):  # type: ignore[no-untyped-def]
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"), ""))
        return real_fsync(fd)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "fsync", fsync)
    report = repair_aip(archive, aip_id, now=now, confirm=True)
    monkeypatch.undo()
    assert report.outcome == "repaired", report.to_dict()
    away = next(i for i, c in enumerate(calls) if c[0] == "rename" and c[1] == current)
    back = next(i for i, c in enumerate(calls) if c[0] == "rename" and c[2] == current)
    assert away < back
    between = calls[away + 1:back]
    assert between == [], f"{len(between)} calls while {current} was empty: {between[:5]}"
    assert json.loads(json.dumps(report.to_dict()))["outcome"] == "repaired"
