"""Digests computed in one read of each byte, for any set of algorithms.

The same pass can copy the bytes to a destination, so staging a package and
hashing it cost one read of the source.  Files are spread over worker threads:
hashlib, read() and write() release the GIL on large buffers, so two workers
keep two cores busy on large files.  For corpora of many small files
:func:`digest_many` can use worker processes instead (``mode="process"``),
which avoids the per-file interpreter overhead being serialised by the GIL.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.context
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from fixity.proc import worker_init

#: Algorithm names as they appear in BagIt manifest file names.
SUPPORTED = ("sha256", "sha512", "sm3", "sha384", "sha224", "sha1", "md5")
#: Manifest algorithms a SIP may carry (docs/sip.md).
SIP_ALGORITHMS = ("sha256", "sha512", "sm3")
#: Manifests every AIP carries; sha256 is the fastest to verify, sm3 the national one.
AIP_ALGORITHMS = ("sha256", "sm3")
#: Order in which verification prefers algorithms (fastest first).
SPEED_ORDER = ("sha256", "sha512", "sha384", "sha224", "sha1", "md5", "sm3")

CHUNK = 1 << 20


class UnsupportedAlgorithm(ValueError):
    """The named digest algorithm is not available in this Python/OpenSSL."""


def new_hash(algorithm: str) -> "hashlib._Hash":
    """A fresh hash object; SM3 comes from OpenSSL through hashlib."""
    if algorithm not in SUPPORTED:
        raise UnsupportedAlgorithm(algorithm)
    try:
        return hashlib.new(algorithm)
    except ValueError as exc:  # OpenSSL built without SM3
        raise UnsupportedAlgorithm(f"{algorithm}: {exc}") from exc


def available(algorithm: str) -> bool:
    try:
        new_hash(algorithm)
    except UnsupportedAlgorithm:
        return False
    return True


@dataclass(frozen=True)
class FileDigest:
    """Size and digests of one file; ``key`` is the caller's name for it."""

    key: str
    size: int
    digests: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None


def digest_file(
    path: str | os.PathLike[str],
    algorithms: Sequence[str],
    copy_to: str | os.PathLike[str] | None = None,
    fsync: bool = True,
    chunk: int = CHUNK,
) -> tuple[int, dict[str, str]]:
    """Hash ``path`` with every algorithm in one read; optionally copy it too.

    The copy is created exclusively (an existing destination is an error) and
    fsynced before returning when ``fsync`` is true.  Symbolic links are not
    followed.
    """
    hashers = [new_hash(a) for a in algorithms]
    size = 0
    # O_NONBLOCK: a FIFO swapped in for a file must not hang us (harmless on regular files).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    src = os.open(path, flags)
    dst = None
    try:
        if copy_to is not None:
            dst = os.open(copy_to, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        size = _pump(src, dst, hashers, chunk)
        if dst is not None and fsync:
            os.fsync(dst)
    finally:
        os.close(src)
        if dst is not None:
            os.close(dst)
    return size, {a: h.hexdigest() for a, h in zip(algorithms, hashers)}


_BUFFERS = threading.local()


def _buffer(chunk: int) -> bytearray:
    """One read buffer per thread, reused: allocating (and zeroing) 1 MiB for every small
    file would cost more than hashing it."""
    buf = getattr(_BUFFERS, "buf", None)
    if buf is None or len(buf) != chunk:
        buf = _BUFFERS.buf = bytearray(chunk)
    return buf


def _pump(src: int, dst: int | None, hashers: list["hashlib._Hash"], chunk: int) -> int:
    buf = _buffer(chunk)
    view = memoryview(buf)
    size = 0
    while True:
        n = os.readv(src, [buf])
        if n == 0:
            return size
        part = view[:n]
        for h in hashers:
            h.update(part)
        if dst is not None:
            written = 0
            while written < n:
                written += os.write(dst, part[written:])
        size += n


def _processes_safe() -> bool:
    """Worker processes are forked (fast), and forking a process that runs other threads
    (the scheduler, a web server) can copy a lock one of them holds: such processes hash
    in threads instead — slower on many tiny files, never stuck."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("fork")


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Forked workers that die with this process (a kill -9 of the command leaves none behind)
    and hold none of its locks (fixity.proc closes registered lock fds in every child)."""
    return ProcessPoolExecutor(workers, mp_context=_context(), initializer=worker_init, initargs=(os.getpid(),))


def _digest_job(job: tuple[str, str, str | None, tuple[str, ...], bool]) -> FileDigest:
    key, src, dst, algorithms, fsync = job
    try:
        size, digests = digest_file(src, algorithms, dst, fsync)
    except OSError as exc:
        return FileDigest(key, -1, {}, f"{type(exc).__name__}: {exc.strerror or exc}")
    return FileDigest(key, size, digests)


def digest_many(
    jobs: Iterable[tuple[str, str | os.PathLike[str], str | os.PathLike[str] | None]],
    algorithms: Sequence[str],
    workers: int | None = None,
    mode: str = "thread",
    fsync: bool = True,
) -> Iterator[FileDigest]:
    """Digest (and optionally copy) many files in parallel.

    ``jobs`` yields ``(key, source, destination-or-None)``.  Results come back
    in completion order; an unreadable file yields a FileDigest with ``error``
    set instead of raising, so one bad file never hides the others.
    """
    algs = tuple(algorithms)
    work = [(k, os.fspath(s), None if d is None else os.fspath(d), algs, fsync) for k, s, d in jobs]
    workers = workers or min(2, os.cpu_count() or 1)
    if workers <= 1 or len(work) <= 1:
        yield from map(_digest_job, work)
        return
    executor: Executor
    if mode == "process" and _processes_safe():
        executor = _process_pool(workers)
        chunksize = max(1, min(256, len(work) // (workers * 8)))
        with executor:
            yield from executor.map(_digest_job, work, chunksize=chunksize)
        return
    with ThreadPoolExecutor(workers) as executor:
        yield from executor.map(_digest_job, work)


def _digest_batch(job: tuple[str, list[str], tuple[str, ...]]) -> list[tuple[str, int, dict[str, str], str | None]]:
    """Worker: digest every file of one batch; results as plain tuples (cheap to send back)."""
    root, rels, algorithms = job
    out: list[tuple[str, int, dict[str, str], str | None]] = []
    for rel in rels:
        try:
            size, digests = digest_file(os.path.join(root, rel), algorithms, fsync=False)
        except OSError as exc:
            out.append((rel, -1, {}, f"{type(exc).__name__}: {exc.strerror or exc}"))
            continue
        out.append((rel, size, digests, None))
    return out


class BatchDigests:
    """Digests of many small files in a few worker processes, started now, collected later.

    Each worker gets one contiguous share of the list and sends its results back in one
    message, so the cost per file is the hashing itself, not inter-process traffic; the
    caller can do other work (parse manifests, check signatures) while the workers run.
    """

    def __init__(self, root: str | os.PathLike[str], rels: Sequence[str], algorithms: Sequence[str],
                 workers: int | None = None):
        workers = max(1, workers or min(2, os.cpu_count() or 1))
        self._pool: Executor | None = None
        shares = [list(rels[i::workers]) for i in range(workers)]  # interleaved: sizes balance out
        job = [(os.fspath(root), share, tuple(algorithms)) for share in shares if share]
        self._futures: list[Any] = []
        self._results: list[Any] = []
        if workers == 1 or len(rels) < 64:
            self._results = [_digest_batch(j) for j in job]
        else:
            self._pool = _process_pool(len(job)) if _processes_safe() \
                else ThreadPoolExecutor(len(job))
            self._futures = [self._pool.submit(_digest_batch, j) for j in job]

    def results(self) -> dict[str, FileDigest]:
        """Wait for the workers; path → FileDigest (``error`` set for an unreadable file)."""
        batches = self._results + [f.result() for f in self._futures]
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        return {rel: FileDigest(rel, size, digests, error) for batch in batches for rel, size, digests, error in batch}
