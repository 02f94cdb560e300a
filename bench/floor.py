"""Physical limits ("floors") of this machine for the work casearchive does.

* hashing floors: ``openssl dgst`` in two parallel lanes (one per core), each lane
  handed half the files by bytes and many files per invocation, so process
  start-up does not dominate (Debian's ``sha256sum`` is ~4× slower than OpenSSL's
  SHA-NI code and would flatter us; it is no floor);
* the write floor: two copies of the payload (the primary and the replica location)
  copied in-kernel (``copy_file_range``) on two lanes, then one ``syncfs`` per
  copy — the least work that leaves two durable copies on this disk.

Every run checks its own output (one digest line per file), so a floor that did
not hash everything fails instead of looking fast.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

LANES = 2
ARGV_BYTES = 96 * 1024  # well under ARG_MAX; ~1,000 file names per openssl run
MAX_BATCH = 2_000


class FloorError(RuntimeError):
    """A floor tool failed or did not hash every file: its time would be meaningless."""


def split_by_bytes(files: Sequence[Path], lanes: int = LANES) -> list[list[Path]]:
    """Consecutive runs of ``files`` holding about equal bytes each (path order kept)."""
    sizes = [p.stat().st_size for p in files]
    parts: list[list[Path]] = [[] for _ in range(lanes)]
    total, acc = sum(sizes), 0
    for path, size in zip(files, sizes):
        lane = min(lanes - 1, (acc + size // 2) * lanes // max(total, 1))
        parts[lane].append(path)
        acc += size
    return parts


def batches(files: Sequence[Path]) -> list[list[Path]]:
    """xargs-style: as many paths per command line as fit in :data:`ARGV_BYTES`."""
    out: list[list[Path]] = [[]]
    used = 0
    for path in files:
        cost = len(os.fsencode(path)) + 1
        if out[-1] and (used + cost > ARGV_BYTES or len(out[-1]) >= MAX_BATCH):
            out.append([])
            used = 0
        out[-1].append(path)
        used += cost
    return [b for b in out if b]


def openssl_dgst(algorithm: str, files: Sequence[Path]) -> int:
    """Hash ``files`` with ``openssl dgst -<algorithm>``; return the digest lines seen."""
    lines = 0
    for batch in batches(files):
        run = subprocess.run(["openssl", "dgst", f"-{algorithm}", *map(str, batch)],
                             capture_output=True, check=False)
        if run.returncode != 0:
            raise FloorError(f"openssl dgst -{algorithm} failed: {run.stderr.decode(errors='replace')[:300]}")
        lines += run.stdout.count(b"\n")
    return lines


def lane_job(algorithms: Sequence[str], files: Sequence[Path]) -> Callable[[], int]:
    """One lane: every algorithm over the lane's files, one after the other."""
    def job() -> int:
        return sum(openssl_dgst(alg, files) for alg in algorithms)
    return job


def run_lanes(jobs: Sequence[Callable[[], int]]) -> list[int]:
    """Run the lanes in parallel (threads only wait on child processes)."""
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(lambda job: job(), jobs))


def hash_floor(files: Sequence[Path], algorithms: Sequence[str]) -> None:
    """The hashing floor: every algorithm over every file, two lanes; checks the output."""
    try:
        lanes = split_by_bytes(files)
    except OSError as exc:
        raise FloorError(f"cannot size the floor's input: {exc}") from exc
    seen = sum(run_lanes([lane_job(algorithms, lane) for lane in lanes]))
    if seen != len(files) * len(algorithms):
        raise FloorError(f"openssl printed {seen} digests for {len(files)} files × {len(algorithms)} algorithms")


def available() -> bool:
    return shutil.which("openssl") is not None


# ---- the write floor ---------------------------------------------------------------

def syncfs(directory: Path) -> None:
    """syncfs(2) on the file system holding ``directory``; plain sync(2) where unavailable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def copy_lane(files: Sequence[Path], base: Path, dests: Sequence[Path]) -> int:
    """Copy each file (relative to ``base``) into every destination tree; return bytes written."""
    written = 0
    for path in files:
        rel = path.relative_to(base)
        for dest in dests:
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            written += _copy(path, target)
    return written


def _copy(src: Path, dst: Path) -> int:
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        size = os.fstat(fin.fileno()).st_size
        done = 0
        while done < size:
            n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
            if n == 0:
                break
            done += n
    return done


def write_floor(files: Sequence[Path], base: Path, scratch: Path, copies: int = 2) -> None:
    """``copies`` durable copies of ``files`` under ``scratch`` (must not exist), two lanes.

    The caller removes ``scratch`` afterwards, outside the timed region.
    """
    dests = [scratch / f"copy{i}" for i in range(copies)]
    lanes = split_by_bytes(files)
    jobs = [lambda lane=lane: copy_lane(lane, base, dests) for lane in lanes]
    written = sum(run_lanes(jobs))
    for dest in dests:
        syncfs(dest)
    expected = copies * sum(p.stat().st_size for p in files)
    if written != expected:
        raise FloorError(f"write floor wrote {written} bytes, expected {expected}")
