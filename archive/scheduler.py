"""The scheduler behind ``casearchive serve`` (APScheduler 3, jobs persisted in the catalogue).

Jobs are registered by dotted name with the archive root as their only
argument, so the job store (table ``apscheduler_jobs`` in the catalogue
database) survives restarts.  Jobs run often and decide for themselves whether
their work is due (from ``audit_run``), and every audit holds a lease: a job that
misfires, is coalesced or overlaps another does no harm, and a run cut short is
picked up by the next one — no audit lost, none run twice.

Every job runs through :func:`run_job`, which catches what the job raises: the
failure becomes a ``scheduler.job`` event (outcome failure) and a ``job.failure``
alert, and a one-off retry is scheduled with back-off (``retry_seconds``, doubling
up to ``retry_max_seconds``) instead of waiting for the job's next regular firing.
No traceback reaches stderr.  The catalogue schema is migrated once per process
(archive.db.upgrade), not by every job that opens the archive.
"""
from __future__ import annotations

import importlib
import logging
import queue
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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
from archive.events import append_event

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
#: what the job store holds for every job: the runner, with (job id, dotted function, root).
RUNNER = "archive.scheduler:run_job"
AGENT = "casearchive serve"


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
    retry_seconds: float = 60.0
    retry_max_seconds: float = 3600.0


def parse_scheduler_config(section: Mapping[str, Any]) -> SchedulerConfig:
    """Read [scheduler]; unknown keys or bad values raise ConfigError."""
    unknown = set(section) - set(SchedulerConfig.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown key(s) in [scheduler]: {', '.join(sorted(unknown))}")
    values = dict(section)
    for key in ("audit_interval_minutes", "due_check_interval_minutes", "storage_check_interval_minutes",
                "retry_seconds", "retry_max_seconds"):
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


def _same(job: Any, job_id: str, func: str, root: str, trigger: BaseTrigger) -> bool:
    return (job.func_ref == RUNNER and list(job.args) == [job_id, func, root] and str(job.trigger) == str(trigger)
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
        if existing is not None and _same(existing, job_id, func, root, triggers[job_id]):
            result[job_id] = "kept"
            continue
        first = None if job_id == "alerts.daily_summary" else (now or datetime.now(timezone.utc))
        scheduler.add_job(RUNNER, triggers[job_id], args=[job_id, func, root], id=job_id, name=job_id,
                          replace_existing=True,
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
    return tuple(JobInfo(j.id, _func_of(j), str(j.trigger), j.next_run_time)
                 for j in sorted(scheduler.get_jobs(), key=lambda j: j.id))


def _func_of(job: Any) -> str:
    return str(job.args[1]) if job.func_ref == RUNNER and len(job.args) >= 2 else str(job.func_ref)


# ---------------------------------------------------------------- running a job: failures and retries

@dataclass(frozen=True)
class _Active:
    """A running scheduler, its config, and the changes its jobs ask for.

    Jobs never call the scheduler from a worker thread: ``shutdown(wait=True)`` holds the job
    store lock while it waits for the workers, so a worker calling ``add_job``/``get_jobs`` then
    would wait for ever.  Jobs queue their requests; serve()'s own loop applies them.
    """

    scheduler: BaseScheduler
    cfg: SchedulerConfig
    requests: "queue.SimpleQueue[tuple[Any, ...]]"


_ACTIVE: dict[str, _Active] = {}  # root → the running scheduler
_ACTIVE_LOCK = threading.Lock()


def activate(scheduler: BaseScheduler, root: str, cfg: SchedulerConfig) -> None:
    """Let jobs of ``root`` ask for retries on ``scheduler`` (serve() does this)."""
    with _ACTIVE_LOCK:
        _ACTIVE[root] = _Active(scheduler, cfg, queue.SimpleQueue())


def apply_requests(root: str) -> None:
    """Apply the retries and clean-ups that jobs of ``root`` queued (serve()'s loop, never a worker)."""
    active = _ACTIVE.get(root)
    if active is None:
        return
    while True:
        try:
            request = active.requests.get_nowait()
        except queue.Empty:
            return
        try:
            if request[0] == "retry":
                _, retry_id, run_date, args = request
                active.scheduler.add_job(RUNNER, "date", run_date=run_date, args=list(args), id=retry_id,
                                         name=retry_id, replace_existing=True,
                                         misfire_grace_time=active.cfg.misfire_grace_seconds)
            else:  # "clear": the regular run did the work that pending retries were for
                for job in active.scheduler.get_jobs():
                    if job.id.startswith(f"{request[1]}.retry."):
                        job.remove()
        except Exception as err:  # noqa: BLE001 — e.g. JobLookupError: the retry ran meanwhile
            log.error("scheduler: cannot apply %s: %s", request[0], err)


def deactivate(root: str) -> None:
    with _ACTIVE_LOCK:
        _ACTIVE.pop(root, None)


def retry_delay(cfg: SchedulerConfig, attempt: int) -> float:
    """Back-off before retry number ``attempt + 1``: retry_seconds doubling, at most retry_max_seconds."""
    return float(min(cfg.retry_seconds * 2 ** min(attempt, 30), cfg.retry_max_seconds))


def _resolve(func: str) -> Callable[[str], Any]:
    module, _, name = func.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def run_job(job_id: str, func: str, root: str, attempt: int = 0) -> Any:
    """Run one scheduled job; a failure is recorded, alerted and retried — never raised.

    ``attempt`` is 0 for a regular firing and n for the n-th retry (job id ``<id>.retry.<n>``).
    """
    try:
        result = _resolve(func)(root)
    except Exception as exc:  # noqa: BLE001 — a job's failure of any kind must not kill the schedule
        _failed(job_id, func, root, attempt, exc)
        return None
    if attempt:
        _record(root, job_id, func, attempt, "success", None, None)
    active = _ACTIVE.get(root)
    if active is not None and attempt == 0:
        active.requests.put(("clear", job_id))
    return result


def _failed(job_id: str, func: str, root: str, attempt: int, exc: Exception) -> None:
    reason = f"{type(exc).__name__}: {exc}"
    active = _ACTIVE.get(root)
    retry_at = None
    if active is not None:
        retry_at = datetime.now(timezone.utc) + timedelta(seconds=retry_delay(active.cfg, attempt))
        # One id per attempt: the scheduler removes a fired one-off job after handing it to a
        # worker, which would race with a retry re-using the id of the job that is failing now.
        active.requests.put(("retry", f"{job_id}.retry.{attempt + 1}", retry_at, (job_id, func, root, attempt + 1)))
    log.error("job %s failed (attempt %d): %s; %s", job_id, attempt + 1, reason,
              f"retry at {retry_at.isoformat()}" if retry_at else "no retry scheduled")
    _record(root, job_id, func, attempt, "failure", reason, retry_at)


def _record(root: str, job_id: str, func: str, attempt: int, outcome: str, reason: str | None,
            retry_at: datetime | None) -> None:
    """A ``scheduler.job`` event, and for a failure a ``job.failure`` alert; never raises."""
    from archive.alerts import Alert, send_alert

    now = datetime.now(timezone.utc)
    detail = {"job": job_id, "func": func, "attempt": attempt + 1, "error": reason,
              "retry_at": retry_at.isoformat() if retry_at else None}
    try:
        arc = Archive.open(Path(root))
    except Exception as err:  # noqa: BLE001 — the archive itself may be what fails
        log.error("job %s: cannot record the %s: %s", job_id, outcome, err)
        return
    try:
        with db.write_session(arc.engine) as s:
            append_event(s, at=now, type="scheduler.job", agent=AGENT, outcome=outcome, detail=detail)
        if outcome == "failure":
            send_alert(arc, Alert("job.failure", "error", now, f"Scheduled job {detail['job']} failed: {reason}",
                                  f"计划任务 {detail['job']} 失败：{reason}", details=detail))
    except Exception as err:  # noqa: BLE001
        log.error("job %s: cannot record the %s: %s", job_id, outcome, err)
    finally:
        arc.close()


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
    activate(scheduler, root_s, cfg)
    try:
        changes = ensure_jobs(scheduler, root_s, cfg)
        scheduler.resume()
        log.info("scheduler running for %s: %s", root_s, changes)
        deadline = None if stop_after is None else time.monotonic() + stop_after
        while not stop.wait(poll_seconds if deadline is None else max(0.0, min(poll_seconds, deadline - time.monotonic()))):
            apply_requests(root_s)
            if (deadline is not None and time.monotonic() >= deadline) or (stop_when is not None and stop_when()):
                break
        jobs = _jobs(scheduler)
    finally:
        STOP.set()
        deactivate(root_s)  # retries still queued are dropped: the regular schedule runs the job again
        scheduler.shutdown(wait=True)
        STOP.clear()
        restore()
    return ServeResult(root_s, started, datetime.now(timezone.utc), jobs, changes)
