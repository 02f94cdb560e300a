"""The guards of issue #7 under load: parallel ingests, serve, staging sweeps and kill -9 at random moments.

Each round starts `serve` (audits every second), several `ingest` processes and a sweeper on one
archive, kills some of them with SIGKILL at a random instant, lets the rest finish, and then
checks what must always hold: every registered copy verifies, the event log verifies, every AIP on
disk is registered, no archive number was issued twice, no process or live lock is left behind and
no process printed a traceback.  Rounds: CASEARCHIVE_STRESS_ROUNDS (default 20); the seed is printed
so that a failing round can be replayed (CASEARCHIVE_STRESS_SEED).
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import run_cli, scan_with_test_db

ROOT_DIR = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("CASEARCHIVE_STRESS_ROUNDS", "20"))

SWEEPER = """
import sys, time
from pathlib import Path
from archive.archive import Archive
from archive.store import sweep_staging
arc = Archive.open(Path(sys.argv[1]))
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    for loc in arc.locations:
        sweep_staging(loc)
    time.sleep(0.005)
"""

FAST_SERVE = """
[scheduler]
audit_interval_minutes = 0.02
storage_check_interval_minutes = 0.02
due_check_interval_minutes = 1440
"""


def _env() -> dict[str, str]:
    return {**os.environ, "CASEARCHIVE_LANG": "en", "PYTHONPATH": str(ROOT_DIR)}


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, cwd=ROOT_DIR, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _cli(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "cli", "--root", str(root), *args]


def _survivors(root: Path, pids: set[int]) -> list[str]:
    """Processes still alive that belong to this archive (workers of killed commands included)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat.rsplit(")", 1)[1].split()[0]
        if state == "Z":
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if str(root) in cmdline or ppid in pids or int(entry.name) in pids:
            alive.append(f"{entry.name} ({state}): {cmdline[:200]}")
    return alive


def _wait_gone(root: Path, pids: set[int]) -> list[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = _survivors(root, pids)
        if not left:
            return []
        time.sleep(0.2)
    return _survivors(root, pids)


def _invariants(root: Path) -> None:
    from archive import catalogue, db
    from archive.archive import Archive
    from archive.store import lock_is_free

    res = run_cli("--root", str(root), "verify", "--all", "--json")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    res = run_cli("--root", str(root), "log", "verify", "--json")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    arc = Archive.open(root)
    try:
        from ingest.pipeline import recover

        recover(arc)
        with db.read_session(arc.engine) as s:
            records = catalogue.list_aips(s)
        ids = {r.id for r in records}
        numbers = [r.archive_number for r in records]
        assert len(numbers) == len(set(numbers)), "an archive number was issued twice"
        for loc in arc.locations:
            on_disk = {p.name for p in (loc.root / "aips").glob("*/*") if p.is_dir()}
            assert on_disk == ids, f"{loc.name}: unregistered {on_disk - ids}, missing {ids - on_disk}"
            leftovers = [p.name for p in loc.staging.iterdir()] if loc.staging.is_dir() else []
            assert not [n for n in leftovers if not n.endswith(".lock")], f"{loc.name}: staging left {leftovers}"
            assert all(lock_is_free(p) for p in loc.staging.glob("*.lock"))
    finally:
        arc.close()


@pytest.mark.slow
def test_parallel_ingests_serve_sweeps_and_random_kills(tmp_path: Path, sample_sips: list[Path]) -> None:
    from samples import generate_sips

    seed = int(os.environ.get("CASEARCHIVE_STRESS_SEED", str(random.randrange(1 << 30))))
    print(f"stress seed {seed}")
    rng = random.Random(seed)
    sips = list(sample_sips) + generate_sips(tmp_path / "more", count=5, seed=seed % 1000 + 100)
    root = tmp_path / "archive"
    assert run_cli("--root", str(root), "init").returncode == 0
    scan_with_test_db(root)  # [checks] virus_scan = "required": the test signatures
    with open(root / "casearchive.toml", "a", encoding="utf-8") as fh:
        fh.write(FAST_SERVE)
    for rnd in range(ROUNDS):
        procs: dict[str, subprocess.Popen[str]] = {
            "serve": _start(_cli(root, "serve", "--stop-after", "4")),
            "sweeper": _start([sys.executable, "-c", SWEEPER, str(root), "4"]),
        }
        for n in range(3):
            chosen = rng.sample(sips, 2)
            procs[f"ingest{n}"] = _start(_cli(root, "ingest", "--json", *map(str, chosen)))
        time.sleep(rng.uniform(0.2, 3.0))
        victims = rng.sample(sorted(k for k in procs if k != "sweeper"), rng.randint(0, 2))
        for name in victims:
            os.kill(procs[name].pid, signal.SIGKILL)
        outputs = {name: p.communicate(timeout=300) for name, p in procs.items()}
        context = f"round {rnd}, seed {seed}, killed {victims}"
        for name, (out, err) in outputs.items():
            assert "Traceback" not in out + err, f"{context}: {name} printed a traceback:\n{err[-3000:]}"
            if name not in victims:
                assert procs[name].returncode in (0, 1), f"{context}: {name} exit {procs[name].returncode}: {err[-2000:]}"
            if name.startswith("ingest") and name not in victims:
                for outcome in json.loads(out):
                    assert outcome["status"] in ("archived", "duplicate"), f"{context}: {outcome}"
        left = _wait_gone(root, {p.pid for p in procs.values()})
        assert not left, f"{context}: processes left behind: {left}"
        _invariants(root)
    res = run_cli("--root", str(root), "ingest", "--json", *map(str, sips))
    assert res.returncode == 0, res.stdout[-3000:]
    assert {o["status"] for o in json.loads(res.stdout)} <= {"archived", "duplicate"}
    _invariants(root)
