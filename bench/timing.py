"""Repeated wall-clock measurements: best and median of N runs.

Each run is bracketed by ``before`` (warm the page cache, prepare a fresh target,
flush pending writes) and ``after`` (check the result, clean up); only ``run`` is
timed, with :func:`time.perf_counter`.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable

REPEATS = 3


@dataclass(frozen=True)
class Timing:
    """The wall-clock seconds of each run."""

    runs: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {"runs": list(self.runs), "best": self.best, "median": self.median}


def repeat(run: Callable[[], Any], *, times: int = REPEATS, before: Callable[[], None] | None = None,
           after: Callable[[Any], None] | None = None) -> tuple[Timing, list[Any]]:
    """Time ``run`` ``times`` times; return the timing and each run's result."""
    seconds, results = [], []
    for _ in range(times):
        if before is not None:
            before()
        start = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - start)
        if after is not None:
            after(result)
        results.append(result)
    return Timing(tuple(seconds)), results
