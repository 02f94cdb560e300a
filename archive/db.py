"""Engine and sessions for the catalogue, and schema migration with Alembic.

SQLite is the embedded default: WAL journal (readers never block the writer),
foreign keys on, and write transactions opened with ``BEGIN IMMEDIATE`` so that
two processes appending to the event chain serialise instead of failing late.
PostgreSQL needs none of this; the same code paths use ``SELECT … FOR UPDATE``.
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).with_name("migrations")
WRITE = "sqlite_begin_immediate"

# Alembic keeps its running context in module globals (alembic.context, alembic.op):
# two upgrades in one process at once fail with KeyError 'config'/'script'.  One lock
# for the whole process, a file lock across processes, and each database is brought
# to head once per process (a scheduler job opening the archive costs no migration).
_MIGRATION_LOCK = threading.Lock()
_UPGRADED: set[str] = set()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get the pragmas above."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


#: session.info key under which archive.events.append_event leaves the new chain head (seq, hash).
LOG_HEAD = "casearchive_log_head"
#: session.info key: write the head witness even if it goes back (a catalogue rebuild after a restore).
LOG_HEAD_RESET = "casearchive_log_head_reset"
_WITNESSES: dict[str, Path] = {}


def set_head_witness(engine: Engine, path: Path) -> None:
    """After every commit that appended events, write the chain head to ``path`` (outside the database)."""
    _WITNESSES[engine.url.render_as_string(hide_password=True)] = path


def head_witness_path(engine: Engine) -> Path | None:
    return _WITNESSES.get(engine.url.render_as_string(hide_password=True))


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its first statement.

    Commits on success, rolls back on any exception.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE: True})
        with Session(bind=conn) as session:
            with conn.begin():
                yield session
                session.flush()
            head, reset = session.info.get(LOG_HEAD), bool(session.info.get(LOG_HEAD_RESET))
    if head is not None:
        _write_witness(engine, head, reset)


def _write_witness(engine: Engine, head: tuple[int, str], reset: bool) -> None:
    """The log head, written after the commit so it never names an event the log lacks; never lowered
    (commits of several processes finish in any order) unless ``reset``.  A failure is logged, not
    raised: the commit has happened, and ``log verify`` treats a witness behind the log as normal."""
    import json
    import logging

    from fixity.durable import write_atomic

    path = head_witness_path(engine)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{path}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = int(json.loads(path.read_bytes())["seq"])
            except (OSError, ValueError, KeyError, TypeError):
                current = 0
            if reset or head[0] > current:
                write_atomic(path, json.dumps({"seq": head[0], "hash": head[1]}).encode("ascii"))
        finally:
            os.close(fd)
    except OSError as exc:
        logging.getLogger(__name__).warning("log head witness %s not written: %s", path, exc)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, lock_dir: Path | None = None, *, once: bool = False) -> None:
    """Bring the catalogue schema to the newest migration, serialised within and across processes.

    ``lock_dir`` holds the inter-process lock file (default: beside a SQLite file;
    other databases without one rely on the process lock and their own DDL locks).
    ``once``: skip a database this process has already brought to head.
    """
    from alembic import command

    key = engine.url.render_as_string(hide_password=True)
    with _MIGRATION_LOCK:
        if once and key in _UPGRADED:
            return
        with _file_lock(lock_dir or _default_lock_dir(engine)):
            cfg = alembic_config(engine)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        _UPGRADED.add(key)


def _default_lock_dir(engine: Engine) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).resolve().parent


@contextmanager
def _file_lock(directory: Path | None) -> Iterator[None]:
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / ".casearchive-migrate.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def has_schema(engine: Engine) -> bool:
    return inspect(engine).has_table("aip")


def current_revision_in(session: Session) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(session.connection()).get_current_revision()
