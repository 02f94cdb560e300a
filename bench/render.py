"""Plain-text tables of a benchmark run (one per corpus), targets beside the figures."""
from __future__ import annotations

from collections.abc import Sequence

from bench.phases import Breakdown
from bench.results import (
    FLOOR_OF,
    FLOOR_WRITE,
    INGEST,
    LABELS,
    CorpusResult,
    RunResult,
    Target,
)

HEADER = ("tool", "best s", "median s", "MB/s", "files/s", "× floor", "peak RSS")


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _rss(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f} MiB"


def _verdict(target: Target, result: CorpusResult) -> str:
    parts = []
    for stat in ("median", "best"):
        met, value = target.met(result, stat), target.value(result, stat)
        mark = {True: "MET", False: "MISSED", None: "n/a"}[met]
        shown = "—" if value is None else (f"{value:.2f}×" if target.measure == "ratio" else f"{value:.1f}× faster")
        parts.append(f"{stat} {shown} → {mark}")
    return f"{target.text}: " + "; ".join(parts)


def row_cells(result: CorpusResult, key: str) -> tuple[str, ...]:
    row = result.row(key)
    assert row is not None
    ratio = result.ratio(key)
    floor = FLOOR_OF.get(key)
    return (LABELS[key], f"{row.timing.best:.2f}", f"{row.timing.median:.2f}",
            _num(result.mb_per_s(key), ".0f"), _num(result.files_per_s(key), ".0f"),
            f"{ratio:.2f} ({floor.removeprefix('floor-')})" if ratio is not None and floor else "",
            _rss(row.peak_rss_kib))


def table(cells: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    out = []
    for n, row in enumerate(cells):
        parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        out.append("  ".join(parts).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


def corpus_lines(result: CorpusResult, run: RunResult) -> list[str]:
    made = ("reused from an earlier run" if result.generated_seconds is None
            else f"generated in {result.generated_seconds:.0f} s")
    lines = [(f"Corpus {result.name}: {result.description} — {result.payload_files:,} payload files, "
             f"{result.payload_bytes / 1e6:,.1f} MB ({made})")]
    lines += table([HEADER] + [row_cells(result, r.key) for r in result.rows])
    write = result.ratio(INGEST, FLOOR_WRITE)
    if write is not None:
        lines.append(f"ingest / write floor (2 durable copies): {write:.2f}×")
    lines += ["target  " + _verdict(t, c) for t, c in run.targets() if c is result]
    return lines


def profile_lines(result: CorpusResult, b: Breakdown) -> list[str]:
    how = ("sampled every 5 ms inside the median timed run" if b.method == "sampling"
           else "one extra run under cProfile, its overhead included: read the shares")
    lines = [f"Corpus {result.name} {b.subject}, where the time goes ({how}): {b.total:.2f} s wall"]
    cells = [("phase", "seconds", "share")]
    for p in b.phases:
        share = "" if p.seconds is None else f"{100 * p.seconds / b.total:.0f} %"
        cells.append((p.label, _num(p.seconds, ".2f") if p.seconds is not None else "not seen", share))
    cells.append(("other (unattributed)", f"{b.other:.2f}", f"{100 * b.other / b.total:.0f} %"))
    lines += table(cells)
    if b.method == "sampling":
        lines.append("main thread, innermost Python function (C calls such as fsync or hashing count to their caller):")
        lines += [f"  {s:7.2f} s  {f}" for f, s, _ in b.top]
        lines.append("worker threads, innermost Python function (thread-seconds; idle pool threads included):")
        lines += [f"  {s:7.2f} s  {f}" for f, s in b.workers]
    else:
        lines.append("top functions by own time (main thread; waits on worker threads show as lock acquire):")
        lines += [f"  {s:7.2f} s  {n or 0:>9,} calls  {f}" for f, s, n in b.top]
    return lines


def render(run: RunResult) -> str:
    m = run.machine
    lines = [(f"casearchive benchmark — {m.get('cpu_model')} × {m.get('nproc')} CPUs, {m.get('memory_gib')} GiB RAM, "
             f"{m.get('openssl')}, Python {m.get('python')}"),
             ("Page cache: not dropped (no privileges); every tool starts warm — each input file is read once "
             "and pending writes are flushed (syncfs) before every timed run."),
             ("Each row: 3 runs unless --repeat, interleaved in rounds (every tool once per round); MB/s, files/s and "
             "× floor use the median; × floor = time / floor time (1.00 = the physical limit, lower is better).")]
    if run.baseline_rss_kib is not None:
        lines.append(f"Peak RSS of a child that only imports casearchive: {_rss(run.baseline_rss_kib)}.")
    lines += run.notes
    for result in run.corpora:
        lines += ["", *corpus_lines(result, run)]
        for profile in result.profiles:
            lines += ["", *profile_lines(result, profile)]
    return "\n".join(lines) + "\n"
