"""The DA/T 70 store-stage check plan over the sample corpus: packages/min, share of time per item.

    python -m bench.checks_plan [--count N] [--seed S]

Generates N sample case files (samples.generate_sips), ingests them into a scratch archive
(outside the timing), then times `archive.checking.run_checks(..., "store")` over all AIPs and
prints packages per minute and, from the engine's own per-item timings, the share of time each
item takes — and how many times each payload file was opened (the content checks share one
analysis per file).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from archive.archive import InitOptions, init_archive
from archive.checking import run_checks
from ingest.pipeline import ingest_package
from samples import generate_sips


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.checks_plan")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    work = Path(tempfile.mkdtemp(prefix="casearchive-checks-bench-"))
    try:
        from samples.signatures import scan_with_test_signatures

        scan, database = scan_with_test_signatures(work / "clamav-test-db")  # [checks] virus_scan: real ClamAV, test DB
        archive = init_archive(work / "arc", InitOptions(name="bench", fonds_number="J105", virus_scan=scan,
                                                         clamav_database=database), now)
        for sip in generate_sips(work / "sips", count=args.count, seed=args.seed):
            assert ingest_package(archive, sip, now=now).status == "archived"
        t0 = time.perf_counter()
        batch = run_checks(archive, None, "store", now=now).batch
        elapsed = time.perf_counter() - t0
        per_item: dict[str, float] = defaultdict(float)
        for report in batch.reports:
            for outcome in report.outcomes:
                per_item[outcome.item_id] += outcome.seconds
        files = sum(sum(1 for _ in (work / "arc").glob(f"storage/primary/aips/*/{r.identifier}/data/**/*"))
                    for r in batch.reports)
        print(f"store-stage plan, {len(batch.reports)} AIPs ({files} payload entries): {elapsed:.2f} s, "
              f"{len(batch.reports) / elapsed * 60:.0f} packages/min; bottom line {batch.bottom_line.value}")
        total = sum(per_item.values()) or 1.0
        print(f"{'item':10} {'seconds':>8} {'share':>6}")
        for item, seconds in sorted(per_item.items(), key=lambda kv: -kv[1]):
            print(f"{item:10} {seconds:8.3f} {seconds / total:6.1%}")
        archive.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
