"""One benchmark run over one corpus: floors, bagit.py, casearchive ingest and verify.

Order per corpus: floors (hash, then write), bagit.py, ingest ×N (fresh archive each
time, each sampled for a phase breakdown; the last archive is kept), verify SHA-256
×N and SM3 ×N on that AIP, and on request one extra ingest under cProfile.  Before every timed run the inputs are read once (page
cache warm for every tool alike) and pending writes are flushed, so one tool's
write-back never lands in another's time.
"""
from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench import corpus as corpora
from bench import floor, tools
from bench.phases import VERIFY_PHASES, Breakdown, breakdown, from_samples
from bench.results import (BAGIT, FLOOR_INGEST, FLOOR_SHA256, FLOOR_SM3, FLOOR_WRITE, INGEST, VERIFY_SHA256,
                           VERIFY_SM3, CorpusResult, Row)
from bench.timing import Timing, repeat


@dataclass(frozen=True)
class Plan:
    """What to run: the work directory, repetitions, and whether to add a cProfile'd ingest."""

    work: Path
    repeats: int = 3
    cprofile: bool = False


def say(message: str) -> None:
    """Progress on stderr, so stdout keeps only the tables."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Prepared:
    """Warm-up and flush before each timed run."""

    def __init__(self, files: list[Path], work: Path):
        self.files, self.work = files, work

    def __call__(self) -> None:
        corpora.warm(self.files)
        floor.syncfs(self.work)


def floors(c: corpora.Corpus, plan: Plan, prep: Prepared) -> list[Row]:
    files = c.files()
    rows = []
    for key, algs in ((FLOOR_SHA256, ["sha256"]), (FLOOR_SM3, ["sm3"]), (FLOOR_INGEST, ["sm3", "sha256"])):
        say(f"{c.spec.name}: {key} ×{plan.repeats}")
        timing, _ = repeat(lambda algs=algs: floor.hash_floor(files, algs), times=plan.repeats, before=prep)
        rows.append(Row(key, timing))
    scratch = plan.work / "scratch-write-floor"
    shutil.rmtree(scratch, ignore_errors=True)
    say(f"{c.spec.name}: {FLOOR_WRITE} ×{plan.repeats}")
    timing, _ = repeat(lambda: floor.write_floor(files, c.bag, scratch), times=plan.repeats, before=prep,
                       after=lambda _: shutil.rmtree(scratch, ignore_errors=True))
    return rows + [Row(FLOOR_WRITE, timing)]


def children(call: Callable[[], tools.ChildResult], times: int, before: Callable[[], None]) -> tuple[Row, list]:
    """Run a child-process tool ``times`` times; its own timing of the library call counts."""
    results = []
    for _ in range(times):
        before()
        results.append(call())
    return Row("", Timing(tuple(r.seconds for r in results)), max(r.peak_rss_kib for r in results)), results


def _row(key: str, row: Row) -> Row:
    return Row(key, row.timing, row.peak_rss_kib)


def ingest_rows(c: corpora.Corpus, plan: Plan, prep: Prepared, root: Path) -> tuple[Row, str, Breakdown]:
    """Ingest ×N into a fresh archive each time; the last archive stays for verify.

    Every run is sampled (bench.sampler); the breakdown is that of the median run.
    """
    def before() -> None:
        shutil.rmtree(root, ignore_errors=True)
        prep()
    say(f"{c.spec.name}: casearchive ingest ×{plan.repeats}")
    row, results = children(lambda: tools.ingest(root, c.bag), plan.repeats, before)
    median = median_run(results)
    return _row(INGEST, row), results[-1].data["aip_id"], from_samples(median.data["profile"], median.seconds)


def median_run(results: list[tools.ChildResult]) -> tools.ChildResult:
    return sorted(results, key=lambda r: r.seconds)[len(results) // 2]


def verify_rows(c: corpora.Corpus, plan: Plan, root: Path, aip_id: str) -> tuple[list[Row], list[Breakdown]]:
    """Verify ×N per algorithm, page cache warm for the AIP; every run sampled."""
    prep = Prepared(corpora.tree_files(root / "storage" / "primary"), plan.work)
    rows, profiles = [], []
    for key, alg in ((VERIFY_SHA256, "sha256"), (VERIFY_SM3, "sm3")):
        say(f"{c.spec.name}: casearchive verify {alg} ×{plan.repeats}")
        row, results = children(lambda alg=alg: tools.verify(root, aip_id, alg, c.payload_bytes), plan.repeats, prep)
        rows.append(_row(key, row))
        median = median_run(results)
        profiles.append(from_samples(median.data["profile"], median.seconds, f"verify {alg}", VERIFY_PHASES))
    return rows, profiles


def bagit_row(c: corpora.Corpus, plan: Plan, prep: Prepared) -> Row:
    say(f"{c.spec.name}: bagit.py --validate ×{plan.repeats}")
    timing, _ = repeat(lambda: tools.bagit_validate(c.bag), times=plan.repeats, before=prep)
    return Row(BAGIT, timing)


def cprofiled(c: corpora.Corpus, plan: Plan, prep: Prepared) -> Breakdown:
    """One extra ingest under cProfile (slower; exact call counts)."""
    root, stats = plan.work / "archives" / f"{c.spec.key}-profile", plan.work / f"profile-{c.spec.key}.pstats"
    say(f"{c.spec.name}: casearchive ingest under cProfile")
    shutil.rmtree(root, ignore_errors=True)
    prep()
    try:
        result = tools.run_child("profile", str(root), str(c.bag), str(stats))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return breakdown(stats, result.seconds)


def run_corpus(spec: corpora.CorpusSpec, description: str, plan: Plan) -> CorpusResult:
    say(f"{spec.name}: corpus {spec.key}")
    start = time.perf_counter()
    c, generated = corpora.ensure(spec, plan.work / "corpora")
    made = time.perf_counter() - start if generated else None
    prep = Prepared(c.files() + c.tag_files(), plan.work)
    rows = floors(c, plan, prep) + [bagit_row(c, plan, prep)]
    root = plan.work / "archives" / c.spec.key
    try:
        ingest, aip_id, sampled = ingest_rows(c, plan, prep, root)
        verify, verify_profiles = verify_rows(c, plan, root, aip_id)
        rows += verify + [ingest]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    extra = (cprofiled(c, plan, prep),) if plan.cprofile else ()
    profiles = (sampled, *extra, *verify_profiles)
    return CorpusResult(spec.name, description, c.payload_bytes, c.payload_files, tuple(rows), profiles, made)
