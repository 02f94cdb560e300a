"""The AIP store: where packages live on disk, and how they get there atomically.

Layout of one storage location::

    <location>/aips/<id[:2]>/<id>/      one AIP (a BagIt bag), never modified in place
    <location>/.staging/<token>/        work in progress; never visible as an AIP
    <location>/.staging/<token>.lock    held (flock) while its owner is alive

An AIP becomes visible by one ``rename`` of a complete, fsynced directory into
``aips/``; a crash leaves at most an unreferenced staging folder, which
:func:`sweep_staging` removes once its owner's lock is gone.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from archive.config import StorageConfig
from fixity.digest import digest_many


@dataclass(frozen=True)
class Location:
    name: str
    root: Path
    required: bool = True

    @classmethod
    def from_config(cls, cfg: StorageConfig) -> "Location":
        return cls(cfg.name, cfg.path, cfg.required)

    @property
    def staging(self) -> Path:
        return self.root / ".staging"

    def aip_relpath(self, aip_id: str) -> str:
        return f"aips/{aip_id[:2]}/{aip_id}"

    def aip_path(self, aip_id: str) -> Path:
        return self.root / self.aip_relpath(aip_id)

    def ensure(self) -> None:
        for sub in (self.root, self.staging, self.root / "aips"):
            sub.mkdir(parents=True, exist_ok=True)


def new_aip_id() -> str:
    return uuid.uuid4().hex


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and directory below ``root`` (files first)."""
    for dirpath, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))


@dataclass
class StagingArea:
    """A private work folder in a location, locked while its owner lives."""

    path: Path
    lock_fd: int

    def release(self, remove: bool = True) -> None:
        if remove:
            shutil.rmtree(self.path, ignore_errors=True)
        lock_path = Path(str(self.path) + ".lock")
        if remove:
            lock_path.unlink(missing_ok=True)
        os.close(self.lock_fd)


@contextmanager
def staging_area(location: Location, keep: bool = False) -> Iterator[StagingArea]:
    """A fresh locked staging folder, removed on exit unless ``keep``."""
    location.ensure()
    token = uuid.uuid4().hex
    path = location.staging / token
    lock_fd = os.open(str(path) + ".lock", os.O_CREAT | os.O_RDWR | os.O_EXCL, 0o600)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    path.mkdir()
    area = StagingArea(path, lock_fd)
    try:
        yield area
    finally:
        area.release(remove=not keep)


def sweep_staging(location: Location) -> list[Path]:
    """Remove staging folders whose owner died (their lock is free)."""
    removed: list[Path] = []
    if not location.staging.is_dir():
        return removed
    for entry in location.staging.iterdir():
        if entry.suffix == ".lock" or not entry.is_dir():
            continue
        lock_path = Path(str(entry) + ".lock")
        if lock_is_free(lock_path):
            shutil.rmtree(entry, ignore_errors=True)
            lock_path.unlink(missing_ok=True)
            removed.append(entry)
    for lock_path in location.staging.glob("*.lock"):
        if not lock_path.with_suffix("").exists() and lock_is_free(lock_path):
            lock_path.unlink(missing_ok=True)
    return removed


def lock_is_free(lock_path: Path) -> bool:
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def publish(staged_aip: Path, location: Location, aip_id: str) -> Path:
    """Make a complete staged AIP visible in ``location`` with one rename."""
    target = location.aip_path(aip_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    fsync_tree(staged_aip)
    os.rename(staged_aip, target)  # atomic; fails if target exists
    fsync_dir(target.parent)
    return target


@contextmanager
def named_lock(directory: Path, name: str) -> Iterator[None]:
    """An exclusive inter-process lock (e.g. one per case number during ingest)."""
    import hashlib

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (hashlib.sha256(name.encode("utf-8")).hexdigest()[:32] + ".lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def copy_tree(src: Path, dest: Path) -> tuple[int, int]:
    """Copy an AIP directory: every regular file (links are not followed), one read each, fsynced.

    Returns (files, bytes); raises OSError if a file cannot be copied.
    """
    rels = []
    for dirpath, _dirs, files in os.walk(src):
        for name in files:
            full = Path(dirpath) / name
            if full.is_file() and not full.is_symlink():
                rels.append(full.relative_to(src).as_posix())
    for rel in rels:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
    size = 0
    for result in digest_many(((r, src / r, dest / r) for r in rels), ["sha256"], fsync=True):
        if result.error:
            raise OSError(f"{result.key}: {result.error}")
        size += result.size
    return len(rels), size
