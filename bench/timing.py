"""Wall-clock measurements: best and median of N runs.

Each run is bracketed by ``before`` (warm the page cache, prepare a fresh target,
flush pending writes) and ``after`` (check the result, clean up); only ``run`` is
timed, with :func:`time.perf_counter`.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


def once(run: Callable[[], Any], *, before: Callable[[], None] | None = None,
         after: Callable[[Any], None] | None = None) -> tuple[float, Any]:
    """Time one call of ``run`` (``before`` and ``after`` untimed); return seconds and result."""
    if before is not None:
        before()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    if after is not None:
        after(result)
    return seconds, result


def repeat(run: Callable[[], Any], *, times: int = REPEATS, before: Callable[[], None] | None = None,
           after: Callable[[Any], None] | None = None) -> tuple[Timing, list[Any]]:
    """Time ``run`` ``times`` times; return the timing and each run's result."""
    pairs = [once(run, before=before, after=after) for _ in range(times)]
    return Timing(tuple(s for s, _ in pairs)), [r for _, r in pairs]
