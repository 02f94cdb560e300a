"""Realistic synthetic case files (电子卷宗) as SIP bags, for demos, tests and benchmarks.

Deterministic: the same ``seed`` (and the same library builds) gives byte-identical
bags.  Case ``i`` of a set draws from its own RNG, so ``generate_sips(d, 5, s)``
starts with the same three bags as ``generate_sips(d, 3, s)``.
"""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from samples.bag import PROFILE_ID, bag_name, payload_oxum, write_bag, write_sip
from samples.casefile import SampleCase, build_case
from samples.names import COURTS, Court

DEFAULT_TODAY = date(2026, 11, 1)

__all__ = [
    "COURTS", "Court", "DEFAULT_TODAY", "PROFILE_ID", "SampleCase", "bag_name", "build_case",
    "case_rng", "generate_casefile_bag", "generate_sips", "payload_oxum", "write_bag", "write_sip",
]


def case_rng(seed: int, index: int, attempt: int = 0) -> random.Random:
    """The RNG of case ``index`` of set ``seed`` (string seeds hash the same on every run)."""
    return random.Random(f"casearchive-samples:{seed}:{index}:{attempt}")


def generate_casefile_bag(outdir: Path, rng: random.Random, index: int, today: date = DEFAULT_TODAY, *,
                          case_number: str | None = None, department: str | None = None,
                          court: Court | None = None) -> Path:
    """One SIP bag under ``outdir``, optionally pinned to a 案号, 承办部门 or court."""
    case = build_case(rng, index, today, case_number=case_number, department=department, court=court)
    return write_sip(outdir, case)


def generate_sips(outdir: Path, count: int, seed: int, today: date = DEFAULT_TODAY) -> list[Path]:
    """``count`` SIP bags under ``outdir`` (created if absent), one per case file.

    Departments rotate 民一庭 → 民二庭 → 执行局, so any three consecutive cases cover all.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    bags: list[Path] = []
    for index in range(count):
        attempt = 0
        case = build_case(case_rng(seed, index), index, today)
        while bag_name(case.casefile.case_number) in taken:  # a 案号 drawn twice: redraw
            attempt += 1
            case = build_case(case_rng(seed, index, attempt), index, today)
        taken.add(bag_name(case.casefile.case_number))
        bags.append(write_sip(outdir, case))
    return bags
