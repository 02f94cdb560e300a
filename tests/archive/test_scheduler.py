"""Scheduler: jobs persisted in the catalogue, idempotent registration, restart mid-cycle (kill -9)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from archive import db
from archive.archive import Archive, InitOptions, init_archive
from archive.config import ConfigError
from archive.models import AipCopyRow, EventRow
from archive.models_audit import AuditRunRow
from archive.scheduler import (JOBS, SchedulerConfig, build_scheduler, ensure_jobs, parse_scheduler_config,
                               scheduled_jobs, serve)
from ingest.pipeline import ingest_package

REPO = Path(__file__).resolve().parents[2]


def test_config_defaults_and_errors():
    cfg = parse_scheduler_config({})
    assert cfg == SchedulerConfig() and cfg.jobs == tuple(JOBS)
    assert parse_scheduler_config({"audit_interval_minutes": 0.5, "jobs": ["audit.regular"]}).jobs == ("audit.regular",)
    for bad in ({"audit_interval_minutes": 0}, {"summary_hour": 24}, {"jobs": ["audit.weekly"]},
                {"timezone": "Mars/Olympus"}, {"every": 1}, {"workers": True}):
        with pytest.raises(ConfigError):
            parse_scheduler_config(bad)


def _scheduler(arc: Archive, cfg: SchedulerConfig):  # type: ignore[no-untyped-def]
    scheduler = build_scheduler(arc.config.catalogue_url, cfg)
    scheduler.start(paused=True)
    return scheduler


def test_jobs_are_registered_idempotently_and_survive_a_restart(archive, now):
    root = str(archive.config.root)
    cfg = SchedulerConfig()
    first = _scheduler(archive, cfg)
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)  # so that no job fires during the test
    assert set(ensure_jobs(first, root, cfg, now=tomorrow).values()) == {"added"}
    times = {j.id: j.next_run_time for j in first.get_jobs()}
    assert ensure_jobs(first, root, cfg) == {j: "kept" for j in JOBS}
    first.shutdown(wait=False)
    second = _scheduler(archive, cfg)  # a new process would see the same store
    assert {j.id: j.next_run_time for j in second.get_jobs()} == times
    job = second.get_job("audit.regular")
    assert job.func_ref == "archive.auditor:scheduled_audit" and job.args == (root,)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
    changed = SchedulerConfig(audit_interval_minutes=60, jobs=("audit.regular", "audit.sample"))
    result = ensure_jobs(second, root, changed)
    assert result["audit.regular"] == "updated" and result["audit.sample"] == "kept"
    assert result["alerts.daily_summary"] == "removed"
    second.shutdown(wait=False)
    assert [j.id for j in scheduled_jobs(root)] == ["audit.regular", "audit.sample"]


def test_serve_runs_the_jobs_until_told_to_stop(tmp_path, sample_sips):
    real_now = datetime.now(timezone.utc)
    arc = init_archive(tmp_path / "arc", InitOptions(extra_toml=_toml(["audit.regular", "storage.check"])),
                       real_now - timedelta(days=200))
    ingest_package(arc, sample_sips[0], now=real_now - timedelta(days=200))
    result = serve(arc.config.root, stop_after=60, poll_seconds=0.2,
                   stop_when=lambda: len(_verified(arc)) == 2)
    assert len(_verified(arc)) == 2
    assert {j.id for j in result.jobs} == {"audit.regular", "storage.check"}
    arc.close()


def _toml(jobs: list[str]) -> str:
    return f"\n[scheduler]\naudit_interval_minutes = 0.02\njobs = {jobs!r}\n".replace("'", '"')


def _verified(arc: Archive) -> list[tuple[str, str, int]]:
    with db.read_session(arc.engine) as s:
        return [(a, d["location"], d["run"]) for a, d in s.execute(
            select(EventRow.aip_id, EventRow.detail).where(EventRow.type == "aip.verify"))]


SERVE = textwrap.dedent("""
    import sys
    from sqlalchemy import func, select
    from archive import db
    from archive.archive import Archive
    from archive.models import EventRow
    from archive.scheduler import serve

    from pathlib import Path

    root, want = sys.argv[1], int(sys.argv[2])
    arc = Archive.open(Path(root))

    def done():
        with db.read_session(arc.engine) as s:
            return s.execute(select(func.count()).select_from(EventRow)
                             .where(EventRow.type == "aip.verify")).scalar_one() >= want

    serve(root, stop_after=120, stop_when=done, poll_seconds=0.2)
""")


def _serve(root: Path, want: int, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SERVE, str(root), str(want)], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_restart_mid_cycle_loses_no_audit_and_repeats_none(tmp_path, sample_sips):
    """kill -9 right after the first copy is recorded; the restarted scheduler does the other five, once each."""
    then = datetime.now(timezone.utc) - timedelta(days=200)
    arc = init_archive(tmp_path / "arc", InitOptions(extra_toml=_toml(["audit.regular"])), then)
    for sip in sample_sips:
        assert ingest_package(arc, sip, now=then).status == "archived"
    killed = _serve(arc.config.root, 6, {"CASEARCHIVE_FAILPOINT": "audit.copy-recorded"})
    assert killed.returncode == -9, killed.stderr
    assert len(_verified(arc)) == 1
    with db.read_session(arc.engine) as s:
        assert [r.status for r in s.execute(select(AuditRunRow)).scalars()] == ["running"]
    finished = _serve(arc.config.root, 6)
    assert finished.returncode == 0, finished.stderr
    verified = _verified(arc)
    copies = [(a, loc) for a, loc, _ in verified]
    assert len(copies) == len(set(copies)) == 6, "every copy verified exactly once"
    with db.read_session(arc.engine) as s:
        assert {(r.aip_id, r.location) for r in s.execute(select(AipCopyRow)).scalars()} == set(copies)
        runs = s.execute(select(AuditRunRow).order_by(AuditRunRow.id)).scalars().all()
        assert runs[0].status == "abandoned" and runs[0].copies_checked == 1
        assert sum(r.copies_checked for r in runs) == 6
    arc.close()
