"""The figures of one benchmark run, the issue's targets, and their verdicts.

Targets (from the performance issue), judged on median times (best times shown too);
``× floor`` is time / floor time, so lower is better and 1.0 is the physical limit:

* verify B (SHA-256) ≥ 0.9 × the openssl SHA-256 floor throughput  (× floor ≤ 1/0.9 ≈ 1.11)
* verify A (SHA-256) ≤ 1.5 × the floor time, and ≥ 3× faster than bagit.py
* ingest B ≥ 0.7 × the SM3 + SHA-256 two-core hashing limit       (× floor ≤ 1/0.7 ≈ 1.43)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.phases import Breakdown
from bench.timing import Timing

# Row keys, in table order.
FLOOR_SHA256 = "floor-sha256"
FLOOR_SM3 = "floor-sm3"
FLOOR_INGEST = "floor-sm3+sha256"
FLOOR_WRITE = "floor-write"
BAGIT = "bagit.py"
VERIFY_SHA256 = "verify-sha256"
VERIFY_SM3 = "verify-sm3"
INGEST = "ingest"

LABELS = {
    FLOOR_SHA256: "floor: openssl dgst -sha256, 2 processes",
    FLOOR_SM3: "floor: openssl dgst -sm3, 2 processes",
    FLOOR_INGEST: "floor: openssl -sm3 + -sha256, 2 processes",
    FLOOR_WRITE: "floor: 2 durable copies (copy_file_range+syncfs)",
    BAGIT: "bagit.py --validate --processes 2 (SIP)",
    VERIFY_SHA256: "casearchive verify --algorithm sha256",
    VERIFY_SM3: "casearchive verify --algorithm sm3",
    INGEST: "casearchive ingest (SIP → AIP ×2 locations)",
}
#: Which floor a row's "× floor" compares with.
FLOOR_OF = {BAGIT: FLOOR_SHA256, VERIFY_SHA256: FLOOR_SHA256, VERIFY_SM3: FLOOR_SM3, INGEST: FLOOR_INGEST}


@dataclass(frozen=True)
class Row:
    key: str
    timing: Timing
    peak_rss_kib: int | None = None


@dataclass(frozen=True)
class CorpusResult:
    name: str
    description: str
    payload_bytes: int
    payload_files: int
    rows: tuple[Row, ...]
    profiles: tuple[Breakdown, ...] = ()  # ingest sampled, ingest cProfile'd (on request), verify sampled
    generated_seconds: float | None = None  # None: reused from an earlier run

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def ratio(self, key: str, floor: str | None = None, stat: str = "median") -> float | None:
        """Time of ``key`` / time of its floor, both ``stat`` ("median" or "best")."""
        row, base = self.row(key), self.row(floor or FLOOR_OF.get(key, ""))
        if row is None or base is None or getattr(base.timing, stat) <= 0:
            return None
        return getattr(row.timing, stat) / getattr(base.timing, stat)

    def mb_per_s(self, key: str) -> float | None:
        row = self.row(key)
        return None if row is None else self.payload_bytes / 1e6 / row.timing.median

    def files_per_s(self, key: str) -> float | None:
        row = self.row(key)
        return None if row is None else self.payload_files / row.timing.median


@dataclass(frozen=True)
class Target:
    """One target of the issue: ``limit`` on ``measure`` (lower is better when ``at_most``)."""

    corpus: str
    row: str
    text: str
    measure: str  # "ratio": time / floor time; "vs-bagit": bagit.py time / our time
    limit: float
    at_most: bool

    def value(self, result: CorpusResult, stat: str = "median") -> float | None:
        if self.measure == "ratio":
            return result.ratio(self.row, stat=stat)
        ours, theirs = result.row(self.row), result.row(BAGIT)
        if ours is None or theirs is None or getattr(ours.timing, stat) <= 0:
            return None
        return getattr(theirs.timing, stat) / getattr(ours.timing, stat)

    def met(self, result: CorpusResult, stat: str = "median") -> bool | None:
        value = self.value(result, stat)
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit


TARGETS = (
    Target("A", VERIFY_SHA256, "verify A ≤ 1.5 × floor time", "ratio", 1.5, True),
    Target("A", VERIFY_SHA256, "verify A ≥ 3× faster than bagit.py", "vs-bagit", 3.0, False),
    Target("B", VERIFY_SHA256, "verify B ≥ 0.9 × floor throughput", "ratio", 1 / 0.9, True),
    Target("B", INGEST, "ingest B ≥ 0.7 × SM3+SHA-256 limit", "ratio", 1 / 0.7, True),
)


@dataclass(frozen=True)
class RunResult:
    machine: dict[str, Any]
    corpora: tuple[CorpusResult, ...]
    baseline_rss_kib: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def targets(self) -> list[tuple[Target, CorpusResult]]:
        by_name = {c.name: c for c in self.corpora}
        return [(t, by_name[t.corpus]) for t in TARGETS if t.corpus in by_name]


def row_dict(result: CorpusResult, row: Row) -> dict[str, Any]:
    return {"key": row.key, "label": LABELS[row.key], **row.timing.to_dict(),
            "mb_per_s": result.mb_per_s(row.key), "files_per_s": result.files_per_s(row.key),
            "floor": FLOOR_OF.get(row.key), "ratio_to_floor": result.ratio(row.key),
            "ratio_to_write_floor": result.ratio(row.key, FLOOR_WRITE) if row.key == INGEST else None,
            "peak_rss_kib": row.peak_rss_kib}


def profile_dict(b: Breakdown) -> dict[str, Any]:
    return {"subject": b.subject, "method": b.method, "total_seconds": b.total, "other_seconds": b.other,
            "phases": [{"phase": p.label, "seconds": p.seconds} for p in b.phases],
            "top_own_time": [{"function": f, "seconds": s, "calls": n} for f, s, n in b.top],
            "worker_threads": [{"function": f, "thread_seconds": s} for f, s in b.workers]}


def corpus_dict(c: CorpusResult) -> dict[str, Any]:
    return {"name": c.name, "description": c.description, "payload_bytes": c.payload_bytes,
            "payload_files": c.payload_files, "generated_seconds": c.generated_seconds,
            "rows": [row_dict(c, r) for r in c.rows],
            "profiles": [profile_dict(p) for p in c.profiles]}


def to_dict(run: RunResult) -> dict[str, Any]:
    targets = [{"corpus": t.corpus, "target": t.text, "value": t.value(c), "limit": t.limit,
                "at_most": t.at_most, "met": t.met(c), "value_best": t.value(c, "best"),
                "met_best": t.met(c, "best")} for t, c in run.targets()]
    return {"machine": run.machine, "baseline_rss_kib": run.baseline_rss_kib, "notes": list(run.notes),
            "corpora": [corpus_dict(c) for c in run.corpora], "targets": targets}
