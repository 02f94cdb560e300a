"""One benchmark run over one corpus: floors, bagit.py, casearchive ingest and verify.

The runs are interleaved in rounds — each round runs every tool once (floors, bagit.py,
ingest into a fresh archive, verify SHA-256 and SM3 on the AIP just made) — so a burst
of other work on a shared machine hits every row alike instead of one row's three runs.
Before every timed run the inputs are read once (page cache warm for every tool alike)
and pending writes are flushed, so one tool's write-back never lands in another's time.
"""
from __future__ import annotations

import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import corpus as corpora
from bench import floor, tools
from bench.phases import VERIFY_PHASES, Breakdown, breakdown, from_samples
from bench.results import (
    BAGIT,
    FLOOR_INGEST,
    FLOOR_SHA256,
    FLOOR_SM3,
    FLOOR_WRITE,
    INGEST,
    VERIFY_SHA256,
    VERIFY_SM3,
    CorpusResult,
    Row,
)
from bench.timing import Timing, once

HASH_FLOORS = ((FLOOR_SHA256, ("sha256",)), (FLOOR_SM3, ("sm3",)), (FLOOR_INGEST, ("sm3", "sha256")))
VERIFIES = ((VERIFY_SHA256, "sha256"), (VERIFY_SM3, "sm3"))
ORDER = (FLOOR_SHA256, FLOOR_SM3, FLOOR_INGEST, FLOOR_WRITE, BAGIT, VERIFY_SHA256, VERIFY_SM3, INGEST)


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


class Tally:
    """Seconds, peak RSS and child results per row, across rounds."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.rss: dict[str, list[int]] = defaultdict(list)
        self.children: dict[str, list[tools.ChildResult]] = defaultdict(list)

    def add(self, key: str, seconds: float) -> None:
        self.seconds[key].append(seconds)

    def add_child(self, key: str, result: tools.ChildResult) -> None:
        self.add(key, result.seconds)
        self.rss[key].append(result.peak_rss_kib)
        self.children[key].append(result)

    def rows(self) -> tuple[Row, ...]:
        return tuple(Row(k, Timing(tuple(self.seconds[k])), max(self.rss[k]) if self.rss[k] else None)
                     for k in ORDER if self.seconds[k])

    def median_child(self, key: str) -> tools.ChildResult:
        results = sorted(self.children[key], key=lambda r: r.seconds)
        return results[len(results) // 2]


def floor_round(c: corpora.Corpus, plan: Plan, prep: Prepared, tally: Tally) -> None:
    files = c.files()
    for key, algs in HASH_FLOORS:
        tally.add(key, once(partial(floor.hash_floor, files, algs), before=prep)[0])
    scratch = plan.work / "scratch-write-floor"
    shutil.rmtree(scratch, ignore_errors=True)
    seconds, _ = once(lambda: floor.write_floor(files, c.bag, scratch), before=prep,
                      after=lambda _result: shutil.rmtree(scratch, ignore_errors=True))
    tally.add(FLOOR_WRITE, seconds)


def casearchive_round(c: corpora.Corpus, plan: Plan, prep: Prepared, root: Path, tally: Tally) -> None:
    """Ingest into a fresh archive, then verify the AIP it made with each algorithm."""
    shutil.rmtree(root, ignore_errors=True)
    prep()
    result = tools.ingest(root, c.bag)
    tally.add_child(INGEST, result)
    aip_prep = Prepared(corpora.tree_files(root / "storage" / "primary"), plan.work)
    for key, alg in VERIFIES:
        aip_prep()
        tally.add_child(key, tools.verify(root, result.data["aip_id"], alg, c.payload_bytes))


def one_round(c: corpora.Corpus, plan: Plan, prep: Prepared, root: Path, tally: Tally) -> None:
    floor_round(c, plan, prep, tally)
    tally.add(BAGIT, once(lambda: tools.bagit_validate(c.bag), before=prep)[0])
    casearchive_round(c, plan, prep, root, tally)


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


def sampled(tally: Tally) -> tuple[Breakdown, ...]:
    """The sampled breakdowns of the median ingest and verify runs."""
    ingest = tally.median_child(INGEST)
    out = [from_samples(ingest.data["profile"], ingest.seconds)]
    for key, alg in VERIFIES:
        run = tally.median_child(key)
        out.append(from_samples(run.data["profile"], run.seconds, f"verify {alg}", VERIFY_PHASES))
    return tuple(out)


def run_corpus(spec: corpora.CorpusSpec, description: str, plan: Plan) -> CorpusResult:
    say(f"{spec.name}: corpus {spec.key}")
    start = time.perf_counter()
    c, generated = corpora.ensure(spec, plan.work / "corpora")
    made = time.perf_counter() - start if generated else None
    prep = Prepared(c.files() + c.tag_files(), plan.work)
    root, tally = plan.work / "archives" / c.spec.key, Tally()
    try:
        for n in range(plan.repeats):
            say(f"{spec.name}: round {n + 1}/{plan.repeats}: floors, bagit.py, ingest, verify")
            one_round(c, plan, prep, root, tally)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    profiles = sampled(tally)
    if plan.cprofile:
        profiles = (profiles[0], cprofiled(c, plan, prep), *profiles[1:])
    return CorpusResult(spec.name, description, c.payload_bytes, c.payload_files, tally.rows(), profiles, made)
