"""Sweeping staging areas while others create and use them: a live folder is never removed.

The old protocol created the lock file before locking it and before the folder existed; a
sweep in that gap unlinked the lock, and a later sweep removed a folder in use.
"""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from archive.store import Location, lock_is_free, staging_area, sweep_staging

USERS, SWEEPERS, ROUNDS, MAX_SWEEPS = 3, 2, 300, 100_000


def _use(root: str, rounds: int) -> list[str]:
    """Create staging areas, write into each, read back at the end; return what went wrong."""
    loc = Location("primary", Path(root))
    problems = []
    for i in range(rounds):
        payload = os.urandom(64)
        try:
            with staging_area(loc) as area:
                (area.path / "work").write_bytes(payload)
                os.sched_yield()
                (area.path / "more").mkdir()
                if (area.path / "work").read_bytes() != payload:
                    problems.append(f"round {i}: content changed")
        except OSError as exc:
            problems.append(f"round {i}: {type(exc).__name__}: {exc}")
    return problems


def _sweep(root: str, done: str) -> int:
    loc = Location("primary", Path(root))
    sweeps = 0
    while not os.path.exists(done) and sweeps < MAX_SWEEPS:
        sweep_staging(loc)
        sweeps += 1
    return sweeps


def test_sweeps_never_remove_a_live_staging_folder(tmp_path):
    root = tmp_path / "loc"
    Location("primary", root).ensure()
    done = tmp_path / "users-done"
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(USERS + SWEEPERS) as pool:
        sweepers = [pool.apply_async(_sweep, (str(root), str(done))) for _ in range(SWEEPERS)]
        users = [pool.apply_async(_use, (str(root), ROUNDS)) for _ in range(USERS)]
        problems = [p for u in users for p in u.get(timeout=600)]
        done.touch()
        assert all(s.get(timeout=600) >= 1 for s in sweepers)
    assert problems == [], f"{len(problems)} of {USERS * ROUNDS} uses broken: {problems[:5]}"
    staging = Location("primary", root).staging
    sweep_staging(Location("primary", root))
    assert sorted(p.name for p in staging.iterdir()) == []


def test_a_dead_owner_is_swept_and_a_live_one_is_not(tmp_path):
    loc = Location("primary", tmp_path / "loc")
    ctx = multiprocessing.get_context("fork")
    child = ctx.Process(target=_die_holding_area, args=(str(loc.root),))
    child.start()
    child.join()
    with staging_area(loc) as live:
        (live.path / "x").write_bytes(b"1")
        removed = sweep_staging(loc)
        assert live.path.is_dir() and live.path not in removed and len(removed) == 1
        assert not lock_is_free(live.lock_path)
    assert list(loc.staging.iterdir()) == []


def _die_holding_area(root: str) -> None:
    held = staging_area(Location("primary", Path(root)))  # kept referenced: no cleanup may run
    area = held.__enter__()
    (area.path / "partial").write_bytes(b"x")
    os._exit(0)  # no cleanup: like kill -9, the lock dies with the process
