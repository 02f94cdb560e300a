"""Durable writes: a file is either absent, or complete and on disk under its final name.

Receipts, checkpoints, keys, publication markers and configuration files are written
here: an exclusive temp file beside the target, fsynced, then renamed (or linked)
into place and the directory fsynced, so a crash or a power loss never leaves a
half-written file under the final name.

Modes follow the process umask (``os.open`` applies it), as every other file the
process creates does: an operator who runs with ``umask 077`` gets 0600 receipts.
``mode`` only narrows further (0600 for a private key).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable

#: What a file gets before the umask: the usual ``open()`` default.
DEFAULT_MODE = 0o666


def write_atomic(path: Path, data: bytes, *, mode: int = DEFAULT_MODE, overwrite: bool = True,
                 before_content: Callable[[], None] | None = None) -> None:
    """Write ``path`` via an exclusive temp file, fsync, then rename/link into place.

    With ``overwrite=False`` the final step is ``link()``, which fails if ``path``
    appeared meanwhile (``rename()`` would silently replace it).  ``before_content``
    is called once the temp file exists and before it has content (a fail point for
    crash tests: the final name must never show an empty file).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            if before_content is not None:
                before_content()
            # a default ACL can widen what the umask would have allowed; never beyond ``mode``
            os.fchmod(out.fileno(), os.fstat(out.fileno()).st_mode & mode & 0o7777)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        place(tmp, path, overwrite)
    finally:
        tmp.unlink(missing_ok=True)  # our own temp name, never anyone else's file
    fsync_dir(path.parent)


def place(tmp: Path, path: Path, overwrite: bool) -> None:
    """Give the complete temp file its final name (``overwrite=False``: never replace)."""
    if overwrite:
        os.replace(tmp, path)
    else:
        os.link(tmp, path)  # FileExistsError if present: never replace a key


def _fsync(path: Path | str, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path | str) -> None:
    """Make a rename or a new entry in ``directory`` durable."""
    _fsync(directory, os.O_RDONLY | os.O_DIRECTORY)


def fsync_file(path: Path | str) -> None:
    """Make a file's content durable (a link is never followed)."""
    _fsync(path, os.O_RDONLY | os.O_NOFOLLOW)
