"""The AIP store: where packages live on disk, and how they get there atomically.

Layout of one storage location::

    <location>/aips/<id[:2]>/<id>/      one AIP (a BagIt bag), never modified in place
    <location>/.staging/<token>/        work in progress; never visible as an AIP
    <location>/.staging/<token>.lock    held (flock) while its owner is alive
    <location>/.staging/<token>.publishing   marker of a publication in progress (archive.publish)
    <location>/.repair/<id>-<time>/     a repair's journal (archive.repair)
    <location>/.damaged/<id>-<time>/    evidence kept by a repair; never removed by casearchive

An AIP becomes visible by one ``rename`` of a complete, fsynced directory into
``aips/``; a crash leaves at most an unreferenced staging folder, which
:func:`sweep_staging` removes once its owner's lock is gone.

Guarded destruction: every removal and every rename inside a location goes through
:func:`remove_tree`, :func:`remove_file` or :func:`move`, which resolve the path and
refuse (:class:`UnsafeOperation`, a program error) anything but an AIP folder with a
well-formed id, a staging folder (or something in it), a staging lock or marker, or
a repair journal.  The location root, ``aips/`` itself, a prefix folder and the
evidence under ``.damaged/`` can never be removed, whatever id or marker a caller
was handed.

Staging locks: a lock file is only ever unlinked by whoever holds its ``flock``,
and whoever takes a lock checks afterwards that the path still names the inode it
locked (else it was unlinked meanwhile and the lock is worthless).  A staging
folder is created only after its owner holds a checked lock, and removed before
the lock is dropped, so a sweeper that holds the lock of a folder knows no one is
using it.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from archive.config import StorageConfig
from fixity.digest import digest_many
from fixity.durable import fsync_dir, fsync_file
from fixity.proc import hold_lock_fd, release_lock_fd

__all__ = ["Location", "StagingArea", "UnsafeOperation", "copy_tree", "fsync_dir", "fsync_tree", "is_aip_id",
           "lock_is_free", "move", "named_lock", "new_aip_id", "publish", "remove_file", "remove_scratch", "scratch_area",
           "remove_tree", "staging_area", "staging_location", "staging_lock", "sweep_staging"]

#: An AIP id and a staging token: 32 lowercase hex digits (uuid4().hex).
_HEX32 = re.compile(r"[0-9a-f]{32}")
_JOURNAL = re.compile(r"([0-9a-f]{32})-[0-9A-Za-z-]+")
LOCK_SUFFIX = ".lock"
STAGING_FILE_SUFFIXES = (LOCK_SUFFIX, ".publishing")
#: fixity.durable.write_atomic's temp file of a marker: ``.<token>.publishing.<hex>.tmp``
_MARKER_TMP = re.compile(r"\.([0-9a-f]{32})\.publishing\.[0-9a-f]+\.tmp")


class UnsafeOperation(RuntimeError):
    """A destructive file operation aimed at something it must never touch: a program error."""


def is_aip_id(value: object) -> bool:
    return isinstance(value, str) and _HEX32.fullmatch(value) is not None


def new_aip_id() -> str:
    return uuid.uuid4().hex


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
        # an empty or crafted id must never name aips/ itself, a prefix folder or anything outside
        if not is_aip_id(aip_id):
            raise UnsafeOperation(f"not an AIP id: {aip_id!r}")
        return f"aips/{aip_id[:2]}/{aip_id}"

    def aip_path(self, aip_id: str) -> Path:
        return self.root / self.aip_relpath(aip_id)

    def ensure(self) -> None:
        for sub in (self.root, self.staging, self.root / "aips"):
            sub.mkdir(parents=True, exist_ok=True)


def fsync_tree(root: Path) -> None:
    """fsync every file and directory below ``root`` (files first)."""
    for dirpath, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_file(os.path.join(dirpath, name))
        fsync_dir(dirpath)


# ---------------------------------------------------------------- guarded destruction

def _kind(location: Location, path: Path) -> str:
    """What ``path`` is inside ``location``, judged on the resolved path; UnsafeOperation if nothing we may touch."""
    root = os.path.realpath(location.root)
    name = Path(path).name
    if name in ("", ".", ".."):
        raise UnsafeOperation(f"refusing {path}: no name")
    # the last component itself is not resolved: removing a link removes the link
    full = os.path.join(os.path.realpath(Path(path).parent), name)
    rel = os.path.relpath(full, root)
    if rel == "." or rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        raise UnsafeOperation(f"refusing {path}: outside location {location.name} ({root})")
    parts = rel.split(os.sep)
    head, rest = parts[0], parts[1:]
    if head == "aips" and len(rest) == 2 and is_aip_id(rest[1]) and rest[0] == rest[1][:2]:
        return "aip"
    if head == "aips" and len(rest) > 2 and is_aip_id(rest[1]) and rest[0] == rest[1][:2]:
        return "in-aip"
    if head == ".staging" and rest:
        token = rest[0]
        if _HEX32.fullmatch(token):
            return "staging" if len(rest) == 1 else "in-staging"
        if len(rest) == 1 and (_MARKER_TMP.fullmatch(token) or any(
                token.endswith(sfx) and _HEX32.fullmatch(token[:-len(sfx)]) for sfx in STAGING_FILE_SUFFIXES)):
            return "staging-file"
    if head == ".repair" and rest and _JOURNAL.fullmatch(rest[0]):
        return "journal" if len(rest) == 1 else "in-journal"
    if head == ".damaged" and len(rest) == 1 and _JOURNAL.fullmatch(rest[0]):
        return "evidence"
    raise UnsafeOperation(f"refusing {path}: not an AIP, staging or journal path of location {location.name}")


def _require(location: Location, path: Path, allowed: tuple[str, ...], what: str) -> None:
    kind = _kind(location, path)
    if kind not in allowed:
        raise UnsafeOperation(f"refusing to {what} {path}: a {kind} path")


def remove_tree(location: Location, path: Path, *, missing_ok: bool = True) -> None:
    """Remove a whole AIP copy, staging folder or repair journal (or a folder inside one); nothing else."""
    _require(location, path, ("aip", "staging", "in-staging", "journal", "in-journal"), "remove")
    if os.path.islink(path):
        raise UnsafeOperation(f"refusing to remove {path}: a symbolic link where a folder belongs")
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        if not missing_ok:
            raise


def remove_file(location: Location, path: Path) -> None:
    """Unlink a staging lock or marker, or a file inside a staging folder or journal."""
    _require(location, path, ("staging-file", "in-staging", "in-journal"), "unlink")
    Path(path).unlink(missing_ok=True)


def move(location: Location, src: Path, dest: Path, *, replace: bool = False) -> None:
    """Rename within a location, between AIP, staging, journal and evidence paths; never over
    an existing entry unless ``replace`` (then only inside a staging folder)."""
    movable = ("aip", "in-staging", "staging", "journal", "in-journal", "evidence")
    _require(location, src, movable, "move")
    _require(location, dest, ("in-staging",) if replace else movable, "move onto")
    if replace:
        os.replace(src, dest)
        return
    if os.path.lexists(dest):
        raise FileExistsError(errno.EEXIST, "refusing to rename over an existing entry", str(dest))
    os.rename(src, dest)


def staging_location(path: Path) -> Location:
    """The location whose staging folder holds ``path`` (for helpers handed only a path)."""
    for parent in Path(path).parents:
        if parent.parent.name == ".staging" and _HEX32.fullmatch(parent.name):
            return Location("staging", parent.parent.parent)
    raise UnsafeOperation(f"refusing {path}: not inside a staging folder")


def remove_scratch(path: Path, prefix: str) -> None:
    """Remove a scratch folder made with ``tempfile.mkdtemp(prefix=prefix)``; nothing else."""
    path = Path(path)
    if not path.name.startswith(prefix) or len(path.name) <= len(prefix) or os.path.islink(path):
        raise UnsafeOperation(f"refusing to remove {path}: not a {prefix}* scratch folder")
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- staging

def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _drop(fd: int) -> None:
    release_lock_fd(fd)
    os.close(fd)


def _take(lock_path: Path, *, create: bool, exclusive: bool, wait: bool) -> int | None:
    """A descriptor holding ``flock`` on the file that ``lock_path`` names now, or None.

    ``exclusive`` creation fails (FileExistsError) if the lock exists; otherwise the
    lock is created if missing (``create``).  None: held by someone else, or gone.
    """
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_CREAT if create else 0) | (os.O_EXCL if exclusive else 0)
    while True:
        try:
            fd = os.open(lock_path, flags, 0o600)
        except FileNotFoundError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        if _same_file(fd, lock_path):
            hold_lock_fd(fd)  # forked hash workers must not keep the lock alive
            return fd
        # unlinked (and perhaps re-created) between our open and our flock: that lock is dead
        os.close(fd)
        if exclusive or not create:
            return None


@dataclass
class StagingArea:
    """A private work folder in a location, locked while its owner lives."""

    path: Path
    lock_fd: int
    location: Location | None = None

    @property
    def lock_path(self) -> Path:
        return Path(str(self.path) + LOCK_SUFFIX)

    def release(self, remove: bool = True) -> None:
        try:
            if remove:
                loc = self.location or Location("staging", self.path.parent.parent)
                remove_tree(loc, self.path)
                # still holding the flock: no one can take this lock and find it unlinked later
                remove_file(loc, self.lock_path)
        finally:
            _drop(self.lock_fd)


@contextmanager
def staging_area(location: Location, keep: bool = False) -> Iterator[StagingArea]:
    """A fresh locked staging folder, removed on exit unless ``keep``."""
    location.ensure()
    while True:
        token = uuid.uuid4().hex
        path = location.staging / token
        try:
            lock_fd = _take(Path(str(path) + LOCK_SUFFIX), create=True, exclusive=True, wait=False)
        except FileExistsError:
            continue  # a sweeper adopted this name; take another
        if lock_fd is not None:
            break
    try:
        path.mkdir()
    except BaseException:
        _drop(lock_fd)
        raise
    area = StagingArea(path, lock_fd, location)
    try:
        yield area
    finally:
        area.release(remove=not keep)


@contextmanager
def staging_lock(location: Location, token: str) -> Iterator[bool]:
    """Hold the lock of staging token ``token`` if its owner is gone; yields False while it lives.

    A missing lock is created (and so adopted): the folder or marker it guarded was
    left by an owner that is gone.
    """
    if not _HEX32.fullmatch(token):
        raise UnsafeOperation(f"not a staging token: {token!r}")
    lock_path = location.staging / (token + LOCK_SUFFIX)
    fd = _take(lock_path, create=True, exclusive=False, wait=False)
    if fd is None:
        yield False
        return
    try:
        yield True
    finally:
        try:
            remove_file(location, lock_path)
        finally:
            _drop(fd)


def sweep_staging(location: Location) -> list[Path]:
    """Remove staging folders whose owner died (their lock is free), and their stale locks."""
    removed: list[Path] = []
    if not location.staging.is_dir():
        return removed
    tokens: set[str] = set()
    half_written: dict[str, list[Path]] = {}
    for entry in location.staging.iterdir():
        token = entry.name[:-len(LOCK_SUFFIX)] if entry.name.endswith(LOCK_SUFFIX) else entry.name
        tmp = _MARKER_TMP.fullmatch(entry.name)
        if tmp:
            half_written.setdefault(tmp.group(1), []).append(entry)
            tokens.add(tmp.group(1))
        elif _HEX32.fullmatch(token):
            tokens.add(token)
    for token in sorted(tokens):
        folder = location.staging / token
        with staging_lock(location, token) as mine:
            if not mine:
                continue
            for tmp_marker in half_written.get(token, []):  # a marker its dead owner never finished
                remove_file(location, tmp_marker)
            if os.path.lexists(folder):
                remove_tree(location, folder)
                removed.append(folder)
    return removed


@contextmanager
def scratch_area(location: Location) -> Iterator[Path]:
    """A private scratch folder that no ``kill -9`` can leak: a staging area of ``location``.

    Every scratch folder of the product (temporary catalogues, restore drills) is one, so the
    sweep that every ingest, audit and rebuild runs removes what a killed process left.
    """
    sweep_staging(location)
    with staging_area(location) as area:
        yield area.path


def lock_is_free(lock_path: Path) -> bool:
    """True if no live process holds ``lock_path`` (a missing lock is free)."""
    fd = _take(lock_path, create=False, exclusive=False, wait=False)
    if fd is not None:
        _drop(fd)
        return True
    return not os.path.lexists(lock_path)


def publish(staged_aip: Path, location: Location, aip_id: str, *, synced: bool = False) -> Path:
    """Make a complete staged AIP visible in ``location`` with one rename.

    ``synced``: the caller already fsynced the tree (a repair does, before it moves
    the damaged copy away, so the AIP path is empty only between two renames).
    """
    target = location.aip_path(aip_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not synced:
        fsync_tree(staged_aip)
    move(location, staged_aip, target)  # atomic; never over an existing copy
    fsync_dir(target.parent)
    return target


@contextmanager
def named_lock(directory: Path, name: str) -> Iterator[None]:
    """An exclusive inter-process lock (e.g. one per case number during ingest)."""
    import hashlib

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (hashlib.sha256(name.encode("utf-8")).hexdigest()[:32] + ".lock")
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    hold_lock_fd(fd)  # forked hash workers must not keep the lock alive
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        release_lock_fd(fd)
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
