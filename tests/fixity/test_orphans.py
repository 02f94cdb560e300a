"""kill -9 of a command while its hash workers run: no worker survives, no lock stays held.

Real processes throughout: the CLI is started in its own process group, stopped by a
failpoint (SIGKILL at ``verify.hashing``, right after the worker pool forked), and the
process group is then searched for survivors.  Before the fix the forked workers lived on
forever and kept the flock of the AIP's repair lock, so every later repair blocked.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.store import lock_is_free
from ingest.pipeline import ingest_package

REPO = Path(__file__).resolve().parents[2]
MANY = 300  # > archive.verify.MANY_FILES: verification forks hash workers


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            out.append(int(entry))
    return out


def _wait_until_gone(pgid: int, limit: float = 60.0) -> list[int]:
    """Poll until the group is empty or ``limit`` seconds passed (a bound, not a speed check)."""
    deadline = time.monotonic() + limit
    while (alive := _group_members(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _locks(root: Path) -> list[Path]:
    found = list((root / "locks").glob("*.lock"))
    for staging in root.glob("storage/*/.staging"):
        found += list(staging.glob("*.lock"))
    return found


def _bloat(aip_dir: Path) -> None:
    """Many small files in one copy: verification of that copy uses worker processes."""
    extra = aip_dir / "data" / "extra"
    extra.mkdir()
    for i in range(MANY):
        (extra / f"{i:04d}.txt").write_bytes(b"x" * 100)


@pytest.mark.parametrize("command", [["verify", "--all"], ["repair", "{aip}", "--yes"],
                                     ["audit", "run", "--force"]])
def test_kill_9_leaves_no_worker_and_no_lock(archive, sample_sips, now, command, tmp_path):
    aip_id = ingest_package(archive, sample_sips[0], now=now).aip_id
    assert aip_id is not None
    _bloat(archive.locations[1].aip_path(aip_id))
    root = archive.config.root
    args = [a.replace("{aip}", aip_id) for a in command]
    env = {**os.environ, "CASEARCHIVE_FAILPOINT": "verify.hashing", "PYTHONPATH": str(REPO),
           "CASEARCHIVE_LANG": "en"}
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:  # a file, not a pipe: a surviving worker would keep a pipe open
        proc = subprocess.Popen([sys.executable, "-m", "cli", "--root", str(root), *args], cwd=REPO, env=env,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        proc.wait(timeout=300)
        assert proc.returncode == -signal.SIGKILL, log.read_text()
        survivors = _wait_until_gone(proc.pid)
        assert survivors == [], "hash workers outlived the killed command"
        held = [p.name for p in _locks(root) if not lock_is_free(p)]
        assert held == [], "a lock is still held after the command died"
    finally:
        for pid in _group_members(proc.pid):  # never leave a stray process to the next test
            os.kill(pid, signal.SIGKILL)
    from archive.repair import repair_aip

    # the lock is free: a repair runs to the end (it blocked forever before the fix)
    report = repair_aip(archive, aip_id, now=now, confirm=True)
    assert report.outcome == "repaired", report.to_dict()
    for loc in archive.locations:
        assert not any(loc.staging.iterdir()) if loc.staging.is_dir() else True


def _fds_to(pid: int, target: Path) -> list[str]:
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(target):
                out.append(fd)
        except OSError:
            continue
    return out


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        text = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        out += [int(c) for c in text]
    return out


def test_workers_do_not_inherit_lock_fds(tmp_path):
    """A worker forked while a named lock is held has no fd on the lock file."""
    rels = []
    for i in range(100):
        (tmp_path / f"{i}.bin").write_bytes(b"y" * 10)
        rels.append(f"{i}.bin")
    locks = tmp_path / "locks"
    lock_file = locks / (hashlib.sha256(b"repair:x").hexdigest()[:32] + ".lock")
    code = f"""
import os, sys
from pathlib import Path
from archive.store import named_lock
from fixity.digest import BatchDigests
with named_lock(Path({str(locks)!r}), "repair:x"):
    batch = BatchDigests({str(tmp_path)!r}, {rels!r}, ["sha256"], workers=2)
    print("ready", flush=True)
    sys.stdin.readline()
    batch.results()
"""
    # a fresh interpreter: the test process itself runs threads, where digests never fork
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        workers = _children(proc.pid)
        assert workers, "no worker processes were forked"
        assert _fds_to(proc.pid, lock_file), "the parent holds the lock"
        # A worker closes its copy in the at-fork hook, which runs when the kernel first schedules
        # it: on a loaded machine that can be after "ready".  Wait for that (a readiness wait,
        # not a timing assertion); a worker that keeps the fd for good fails after the bound.
        bound = time.monotonic() + 60
        while any(_fds_to(w, lock_file) for w in workers) and time.monotonic() < bound:
            time.sleep(0.05)
        assert {w: _fds_to(w, lock_file) for w in workers} == {w: [] for w in workers}
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.close()
        proc.wait(timeout=120)
    assert proc.returncode == 0
    fd = os.open(lock_file, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_worker_exits_when_parent_is_already_gone():
    """The race fixity.proc closes: a worker whose parent died before prctl exits at once."""
    code = """
import os
from fixity.proc import die_with_parent
die_with_parent(os.getppid() + 1_000_000)  # not our parent: behave as if it had died
raise SystemExit(0)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                          timeout=120)
    assert done.returncode == 1



def test_an_external_child_dies_with_its_parent():
    """fixity.proc.run gives programs (clamscan, the alert hook) the same parent-death signal."""
    code = "from fixity import proc; proc.run(['sleep', '600'])"
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 60  # readiness wait, not a timing assertion
        while len(_group_members(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_group_members(parent.pid)) == 2, "sleep was not started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=60)
        assert _wait_until_gone(parent.pid) == []
    finally:
        for pid in _group_members(parent.pid):
            os.kill(pid, signal.SIGKILL)
