"""One casearchive library call in a child process: its time, result and peak memory.

Run as ``python -m bench.child <op> ...``; prints one JSON object on stdout.
Only the library call is timed (interpreter start-up and imports are not).
Peak RSS is this process's own (``RUSAGE_SELF``) and that of its reaped children
(``RUSAGE_CHILDREN``: worker processes, if the library used any), in KiB.

Ops:
  baseline                         imports only: the floor of the RSS figures
  ingest ROOT BAG                  fresh archive at ROOT, then ingest BAG (sampled, bench.sampler)
  verify ROOT AIP_ID ALGORITHM     verify one AIP in the primary location (sampled)
  profile ROOT BAG STATS           ingest under cProfile, statistics dumped to STATS
"""
from __future__ import annotations

import cProfile
import json
import resource
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.archive import Archive, InitOptions, init_archive
from archive.audit import verify_aips
from bench.phases import VERIFY_PHASES
from bench.sampler import Sampler
from ingest.pipeline import ingest_package

#: The benchmark's clock: the day after the corpora's "today" (10:00 China Standard Time).
#: Given in UTC: with a +08:00 offset the event log's hash chain does not verify after a
#: catalogue round trip (CHK-SEC-LOG-BROKEN), reported to the lead engineer.
NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
LOCATION = "primary"


def fresh_archive(root: Path) -> Archive:
    """A new, empty archive at ``root`` (anything there before is removed)."""
    shutil.rmtree(root, ignore_errors=True)
    # Without the virus scan, as in the figures before it became required: the scan's cost at volume
    # (clamd vs clamscan, packages per minute) is its own row to add (issue #9, item 6).
    return init_archive(root, InitOptions(name="casearchive bench", fonds_number="J105", virus_scan="off"), NOW)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def peak_rss() -> dict[str, int]:
    return {"maxrss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "maxrss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def op_ingest(root: str, bag: str) -> dict[str, Any]:
    archive = fresh_archive(Path(root))
    with Sampler() as sampler:
        seconds, out = timed(lambda: ingest_package(archive, Path(bag), now=NOW))
    return {"seconds": seconds, "status": out.status, "aip_id": out.aip_id,
            "codes": sorted({f.code for f in out.findings}), "profile": sampler.to_dict()}


def op_verify(root: str, aip_id: str, algorithm: str) -> dict[str, Any]:
    archive = Archive.open(Path(root))
    with Sampler(VERIFY_PHASES) as sampler:
        seconds, rep = timed(lambda: verify_aips(archive, [aip_id], algorithm=algorithm, now=NOW, location=LOCATION))
    codes = sorted({f.code for v in rep.verdicts for f in v.findings})
    return {"seconds": seconds, "ok": rep.ok, "files": rep.files, "bytes": rep.bytes, "codes": codes,
            "profile": sampler.to_dict()}


def op_profile(root: str, bag: str, stats: str) -> dict[str, Any]:
    archive = fresh_archive(Path(root))
    profiler = cProfile.Profile()
    seconds, out = timed(lambda: profiler.runcall(ingest_package, archive, Path(bag), now=NOW))
    profiler.dump_stats(stats)
    return {"seconds": seconds, "status": out.status, "aip_id": out.aip_id}


OPS: dict[str, Callable[..., dict[str, Any]]] = {
    "baseline": lambda: {"seconds": 0.0}, "ingest": op_ingest, "verify": op_verify, "profile": op_profile,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in OPS:
        print(__doc__, file=sys.stderr)
        return 2
    result = OPS[argv[0]](*argv[1:])
    print(json.dumps({**result, **peak_rss()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
