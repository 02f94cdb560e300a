"""The scheduler behind ``casearchive serve`` (APScheduler 3, jobs persisted in the catalogue).

Jobs are registered by dotted name with the archive root as their only
argument, so the job store (table ``apscheduler_jobs`` in the catalogue
database) survives restarts.  Jobs run often and decide for themselves whether
their work is due (from ``audit_run``), and every audit holds a lease: a job that
misfires, is coalesced or overlaps another does no harm, and a run cut short is
picked up by the next one — no audit lost, none run twice.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from archive import db
from archive.archive import Archive
from archive.config import Config, ConfigError

log = logging.getLogger(__name__)

#: job id → dotted name of the function it runs (argument: the archive root).
JOBS = {
    "audit.regular": "archive.auditor:scheduled_audit",
    "audit.sample": "archive.auditor:scheduled_sample",
    "audit.full": "archive.auditor:scheduled_full",
    "storage.restore_test": "archive.restore_test:scheduled_restore_test",
    "storage.check": "archive.storage_admin:scheduled_storage_check",
    "alerts.daily_summary": "archive.alerts:scheduled_summary",
}


@dataclass(frozen=True)
class SchedulerConfig:
    """[scheduler]: how often each job wakes up (the [audit] policy decides what is due)."""

    audit_interval_minutes: float = 360.0
    due_check_interval_minutes: float = 1440.0
    storage_check_interval_minutes: float = 60.0
    summary_hour: int = 7
    timezone: str = "Asia/Shanghai"
    misfire_grace_seconds: int = 3600
    workers: int = 4
    jobs: tuple[str, ...] = tuple(JOBS)


def parse_scheduler_config(section: Mapping[str, Any]) -> SchedulerConfig:
    """Read [scheduler]; unknown keys or bad values raise ConfigError."""
    unknown = set(section) - set(SchedulerConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown key(s) in [scheduler]: {', '.join(sorted(unknown))}")
    values = dict(section)
    for key in ("audit_interval_minutes", "due_check_interval_minutes", "storage_check_interval_minutes"):
        if key in values and (isinstance(values[key], bool) or not isinstance(values[key], (int, float))
                              or values[key] <= 0):
            raise ConfigError(f"[scheduler] {key} must be a positive number, not {values[key]!r}")
    for key, low, high in (("summary_hour", 0, 23), ("misfire_grace_seconds", 1, 10**7), ("workers", 1, 64)):
        value = values.get(key, low)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"[scheduler] {key} must be a whole number from {low} to {high}")
    if "jobs" in values:
        jobs = values["jobs"]
        if not isinstance(jobs, list) or any(j not in JOBS for j in jobs):
            raise ConfigError(f"[scheduler] jobs must be a list of: {', '.join(JOBS)}")
        values["jobs"] = tuple(jobs)
    try:
        ZoneInfo(values.get("timezone", SchedulerConfig.timezone))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"[scheduler] unknown timezone {values.get('timezone')!r}") from None
    return SchedulerConfig(**values)


def scheduler_config(config: Config) -> SchedulerConfig:
    return parse_scheduler_config(config.section("scheduler"))


def _triggers(cfg: SchedulerConfig) -> dict[str, BaseTrigger]:
    tz = ZoneInfo(cfg.timezone)
    due = IntervalTrigger(minutes=cfg.due_check_interval_minutes, timezone=tz)
    return {
        "audit.regular": IntervalTrigger(minutes=cfg.audit_interval_minutes, timezone=tz),
        "audit.sample": due, "audit.full": due, "storage.restore_test": due,
        "storage.check": IntervalTrigger(minutes=cfg.storage_check_interval_minutes, timezone=tz),
        "alerts.daily_summary": CronTrigger(hour=cfg.summary_hour, timezone=tz),
    }


def build_scheduler(catalogue_url: str, cfg: SchedulerConfig) -> BackgroundScheduler:
    """A scheduler whose job store is the catalogue database (schedules survive restarts)."""
    store = SQLAlchemyJobStore(engine=db.make_engine(catalogue_url))
    return BackgroundScheduler(jobstores={"default": store},
                               executors={"default": ThreadPoolExecutor(cfg.workers)},
                               job_defaults={"coalesce": True, "max_instances": 1,
                                             "misfire_grace_time": cfg.misfire_grace_seconds},
                               timezone=ZoneInfo(cfg.timezone))


def _same(job: Any, func: str, root: str, trigger: BaseTrigger) -> bool:
    return (job.func_ref == func and list(job.args) == [root] and str(job.trigger) == str(trigger)
            and str(getattr(job.trigger, "timezone", "")) == str(getattr(trigger, "timezone", "")))


def ensure_jobs(scheduler: BaseScheduler, root: str, cfg: SchedulerConfig,
                now: datetime | None = None) -> dict[str, str]:
    """Add or update the default jobs idempotently; returns job id → added | updated | kept | removed.

    An unchanged job is kept as stored, so its next run time survives restarts
    (replacing it would push an interval job's next run ever further away).
    """
    triggers = _triggers(cfg)
    result: dict[str, str] = {}
    for job_id, func in JOBS.items():
        existing = scheduler.get_job(job_id)
        if job_id not in cfg.jobs:
            if existing is not None:
                scheduler.remove_job(job_id)
                result[job_id] = "removed"
            continue
        if existing is not None and _same(existing, func, root, triggers[job_id]):
            result[job_id] = "kept"
            continue
        first = None if job_id == "alerts.daily_summary" else (now or datetime.now(timezone.utc))
        scheduler.add_job(func, triggers[job_id], args=[root], id=job_id, name=job_id, replace_existing=True,
                          coalesce=True, max_instances=1, misfire_grace_time=cfg.misfire_grace_seconds,
                          next_run_time=first)
        result[job_id] = "updated" if existing is not None else "added"
    return result


@dataclass(frozen=True)
class JobInfo:
    id: str
    func: str
    trigger: str
    next_run_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "func": self.func, "trigger": self.trigger,
                "next_run_at": self.next_run_at.isoformat() if self.next_run_at else None}


@dataclass(frozen=True)
class ServeResult:
    root: str
    started_at: datetime
    stopped_at: datetime
    jobs: tuple[JobInfo, ...]
    changes: Mapping[str, str]

    def to_dict(self, lang: Any = None) -> dict[str, Any]:
        return {"root": self.root, "started_at": self.started_at.isoformat(), "stopped_at": self.stopped_at.isoformat(),
                "jobs": [j.to_dict() for j in self.jobs], "changes": dict(self.changes)}


def _jobs(scheduler: BaseScheduler) -> tuple[JobInfo, ...]:
    return tuple(JobInfo(j.id, j.func_ref, str(j.trigger), j.next_run_time)
                 for j in sorted(scheduler.get_jobs(), key=lambda j: j.id))


def _load(root: str) -> tuple[str, str, SchedulerConfig]:
    arc = Archive.open(Path(root))
    try:
        return str(arc.config.root), arc.config.catalogue_url, scheduler_config(arc.config)
    finally:
        arc.close()


def scheduled_jobs(root: str | Path) -> tuple[JobInfo, ...]:
    """The jobs stored in the catalogue and their next run times (nothing runs)."""
    root_s, url, cfg = _load(str(root))
    scheduler = build_scheduler(url, cfg)
    scheduler.start(paused=True)
    try:
        return _jobs(scheduler)
    finally:
        scheduler.shutdown(wait=False)


def _on_signals(stop: threading.Event) -> Callable[[], None]:
    """Let SIGTERM/SIGINT end serve() cleanly (main thread only); returns a restorer."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def serve(root: str | Path, *, stop_after: float | None = None, stop_when: Callable[[], bool] | None = None,
          poll_seconds: float = 1.0) -> ServeResult:
    """Run the scheduler until SIGTERM/SIGINT, ``stop_after`` seconds, or ``stop_when()`` is true.

    On the way out running audits are asked to stop between copies (their
    progress is committed) and the scheduler waits for them.
    """
    from archive.auditor import STOP

    root_s, url, cfg = _load(str(root))
    started = datetime.now(timezone.utc)
    stop = threading.Event()
    restore = _on_signals(stop)
    STOP.clear()
    scheduler = build_scheduler(url, cfg)
    scheduler.start(paused=True)
    try:
        changes = ensure_jobs(scheduler, root_s, cfg)
        scheduler.resume()
        log.info("scheduler running for %s: %s", root_s, changes)
        deadline = None if stop_after is None else time.monotonic() + stop_after
        while not stop.wait(poll_seconds if deadline is None else max(0.0, min(poll_seconds, deadline - time.monotonic()))):
            if (deadline is not None and time.monotonic() >= deadline) or (stop_when is not None and stop_when()):
                break
        jobs = _jobs(scheduler)
    finally:
        STOP.set()
        scheduler.shutdown(wait=True)
        STOP.clear()
        restore()
    return ServeResult(root_s, started, datetime.now(timezone.utc), jobs, changes)
