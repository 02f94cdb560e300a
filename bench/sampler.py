"""A sampling profiler for the main thread, cheap enough to run inside a timed ingest.

Every ``interval`` seconds a daemon thread looks at the main thread's Python stack
and charges the time since its previous look to (a) the innermost pipeline phase
on the stack (:data:`bench.phases.PHASES` or ``VERIFY_PHASES``) and (b) the innermost Python function;
the other threads (digest workers) are charged by innermost function too.
C code (hashing, fsync, sqlite) shows up as the Python function that called it.
Unlike cProfile it adds no per-call cost, so a sampled run is also a timed run;
unlike cProfile it cannot count calls.
"""
from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict
from types import FrameType
from typing import Any, Self

from bench.phases import PHASES, PhaseList

INTERVAL = 0.005


def _match(frame: FrameType, suffix: str, name: str, caller: str | None) -> bool:
    code = frame.f_code
    if code.co_name != name or not code.co_filename.replace("\\", "/").endswith(suffix):
        return False
    return caller is None or (frame.f_back is not None and frame.f_back.f_code.co_name == caller)


def phase_of(frame: FrameType | None, phases: PhaseList = PHASES) -> str | None:
    """The innermost phase on the stack that ends in ``frame``."""
    while frame is not None:
        for label, parts in phases:
            if any(_match(frame, *part) for part in parts):
                return label
        frame = frame.f_back
    return None


def leaf(frame: FrameType) -> str:
    path = frame.f_code.co_filename.replace("\\", "/")
    return f"{'/'.join(path.split('/')[-2:])}:{frame.f_code.co_name}"


class Sampler:
    """Use as a context manager around the call to profile (from the main thread)."""

    def __init__(self, phases: PhaseList = PHASES, interval: float = INTERVAL):
        self.interval, self.phase_list = interval, phases
        self.phases: dict[str, float] = defaultdict(float)
        self.leaves: dict[str, float] = defaultdict(float)
        self.workers: dict[str, float] = defaultdict(float)  # thread-seconds of the other threads, by innermost function
        self.samples = 0
        self._target = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="bench-sampler", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        last = time.perf_counter()
        while not self._stop.wait(self.interval):
            frames = sys._current_frames()
            now, me = time.perf_counter(), threading.get_ident()
            frame = frames.pop(self._target, None) if self._target is not None else None
            if frame is not None:
                self.phases[phase_of(frame, self.phase_list) or "other (unattributed)"] += now - last
                self.leaves[leaf(frame)] += now - last
                self.samples += 1
            for ident, other in frames.items():
                if ident != me:
                    self.workers[leaf(other)] += now - last
            last = now

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        return {"interval": self.interval, "samples": self.samples, "phases": dict(self.phases),
                "top": _most(self.leaves, top), "workers": _most(self.workers, top)}


def _most(seconds: dict[str, float], top: int) -> list[list[Any]]:
    return [[name, s] for name, s in sorted(seconds.items(), key=lambda kv: kv[1], reverse=True)[:top]]
