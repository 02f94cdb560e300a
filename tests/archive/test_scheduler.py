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
                               retry_delay, scheduled_jobs, serve)
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
    assert job.func_ref == "archive.scheduler:run_job"
    assert job.args == ("audit.regular", "archive.auditor:scheduled_audit", root)
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 3600)
    changed = SchedulerConfig(audit_interval_minutes=60, jobs=("audit.regular", "audit.sample"))
    result = ensure_jobs(second, root, changed)
    assert result["audit.regular"] == "updated" and result["audit.sample"] == "kept"
    assert result["alerts.daily_summary"] == "removed"
    second.shutdown(wait=False)
    assert [j.id for j in scheduled_jobs(root)] == ["audit.regular", "audit.sample"]


def test_serve_runs_the_jobs_until_told_to_stop(tmp_path, sample_sips, virus_db):
    real_now = datetime.now(timezone.utc)
    arc = init_archive(tmp_path / "arc", InitOptions(extra_toml=_toml(["audit.regular", "storage.check"]), **virus_db),
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


def test_restart_mid_cycle_loses_no_audit_and_repeats_none(tmp_path, sample_sips, virus_db):
    """kill -9 right after the first copy is recorded; the restarted scheduler does the other five, once each."""
    then = datetime.now(timezone.utc) - timedelta(days=200)
    arc = init_archive(tmp_path / "arc", InitOptions(extra_toml=_toml(["audit.regular"]), **virus_db), then)
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


OPEN_RACE = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from archive.archive import Archive

    root, errors = Path(sys.argv[1]), []
    barrier = threading.Barrier(12)

    def work():
        barrier.wait()
        for _ in range(4):
            try:
                Archive.open(root).close()
            except Exception as exc:
                errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(len(errors), errors[:3])
""")


def test_overlapping_opens_never_race_the_migration(tmp_path):
    """Item 6: every scheduler job opens the archive; Alembic's globals are not thread-safe."""
    root = tmp_path / "arc"
    init_archive(root, InitOptions(), datetime.now(timezone.utc)).close()
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_RACE, str(root)], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0 and out.startswith("0 "), out + err
        assert "Traceback" not in err, err


RETRY = textwrap.dedent("""
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from sqlalchemy import select
    from apscheduler.triggers.interval import IntervalTrigger
    from archive import db
    from archive.archive import Archive
    from archive.models import EventRow
    from archive.scheduler import RUNNER, SchedulerConfig, activate, apply_requests, build_scheduler, deactivate

    arc = Archive.open(Path(sys.argv[1]))
    root = str(arc.config.root)
    cfg = SchedulerConfig(retry_seconds=0.2, retry_max_seconds=1)
    scheduler = build_scheduler(arc.config.catalogue_url, cfg)
    scheduler.start(paused=True)
    activate(scheduler, root, cfg)
    scheduler.add_job(RUNNER, IntervalTrigger(days=1), args=["test.flaky", "flaky_job:flaky", root],
                      id="test.flaky", next_run_time=datetime.now(timezone.utc))
    scheduler.resume()

    def succeeded():
        with db.read_session(arc.engine) as s:
            return s.execute(select(EventRow).where(EventRow.type == "scheduler.job",
                                                    EventRow.outcome == "success")).first() is not None

    bound = time.monotonic() + 120
    while not succeeded() and time.monotonic() < bound:
        apply_requests(root)  # what serve()'s loop does: jobs never call the scheduler themselves
        time.sleep(0.1)
    print(scheduler.get_job("test.flaky").next_run_time.isoformat())
    scheduler.shutdown(wait=True)
    deactivate(root)
""")


def test_failed_job_is_retried_with_back_off_recorded_and_alerted(archive):
    root = archive.config.root
    done = subprocess.run([sys.executable, "-c", RETRY, str(root)], cwd=REPO, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "simulated outage, run 1" in done.stderr  # one log line, no traceback
    with db.read_session(archive.engine) as s:
        jobs = [(e.outcome, e.detail["attempt"], e.detail["error"]) for e in s.execute(
            select(EventRow).where(EventRow.type == "scheduler.job").order_by(EventRow.seq)).scalars()]
        alerts = [e.detail for e in s.execute(select(EventRow).where(EventRow.type == "alert.sent")).scalars()]
    assert jobs == [("failure", 1, "OSError: simulated outage, run 1"),
                    ("failure", 2, "OSError: simulated outage, run 2"), ("success", 3, None)]
    assert [a["kind"] for a in alerts] == ["job.failure", "job.failure"], alerts
    # the retries came long before the job's next regular run, which stays where its trigger put it
    assert datetime.fromisoformat(done.stdout.strip()) - datetime.now(timezone.utc) > timedelta(hours=23)


def test_retry_back_off_doubles_up_to_the_cap():
    cfg = parse_scheduler_config({"retry_seconds": 60, "retry_max_seconds": 600})
    assert [retry_delay(cfg, n) for n in range(6)] == [60, 120, 240, 480, 600, 600]
    with pytest.raises(ConfigError):
        parse_scheduler_config({"retry_seconds": 0})


def test_stopping_serve_while_a_job_asks_for_a_retry_never_hangs(archive):
    """A job that fails (or succeeds) while serve() shuts down must not wait for the job store lock
    that shutdown holds: jobs queue their requests; serve's loop applies them."""
    root = archive.config.root
    with open(root / "casearchive.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[scheduler]\naudit_interval_minutes = 0.005\nstorage_check_interval_minutes = 0.005\n')
    for _ in range(3):
        done = subprocess.run([sys.executable, "-m", "cli", "--root", str(root), "serve", "--stop-after", "1.5"],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
