"""``python -m bench``: run the benchmark and print one table per corpus (see bench/README.md).

Exit codes: 0 the run completed (targets missed are reported, not failures);
1 a tool failed or gave a wrong answer (its figures would mean nothing);
2 bad arguments; 3 a required tool (openssl, bagit.py) is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench import corpus, floor, machine, tools
from bench.render import render
from bench.results import RunResult, to_dict
from bench.run import Plan, run_corpus, say

DEFAULT_WORK = Path(__file__).resolve().parent / "work"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1/10 of each corpus: a smoke run")
    p.add_argument("--json", action="store_true", help="also write every figure to WORK/results.json")
    p.add_argument("--work", type=Path, default=DEFAULT_WORK, help="corpora, archives and results (default: bench/work)")
    p.add_argument("--corpus", action="append", choices=("A", "B"), help="run only this corpus (repeatable)")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per tool (default 3)")
    p.add_argument("--cprofile", action="store_true",
                   help="add one ingest of corpus A under cProfile (exact call counts; every timed ingest is "
                        "sampled anyway)")
    p.add_argument("--a-files", type=int, help="corpus A: number of files (overrides the scale)")
    p.add_argument("--b-files", type=int, help="corpus B: number of files (default 8)")
    p.add_argument("--b-size-mib", type=float, help="corpus B: size of each file in MiB")
    args = p.parse_args(argv)
    if args.repeat < 1 or any((v or 1) <= 0 for v in (args.a_files, args.b_files, args.b_size_mib)):
        p.error("--repeat, --a-files, --b-files and --b-size-mib must be positive")
    return args


def specs(args: argparse.Namespace) -> list[tuple[corpus.CorpusSpec, str]]:
    scale = 0.1 if args.quick else 1.0
    size = int(args.b_size_mib * corpus.MIB) if args.b_size_mib else None
    a = corpus.spec_a(scale, args.a_files)
    b = corpus.spec_b(scale, args.b_files, size)
    chosen = {
        "A": (a, f"one bag, {a.files:,} files of 4–64 KiB"),
        "B": (b, f"one bag, {b.files} files of {b.max_size / corpus.MIB:g} MiB"),
    }
    return [chosen[name] for name in (args.corpus or ["A", "B"])]


def missing_tools() -> list[str]:
    return [name for name, ok in (("openssl", floor.available()), ("bagit.py", tools.bagit_available())) if not ok]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if missing := missing_tools():
        print(f"bench: missing {', '.join(missing)} (apt-get install openssl; pip install bagit)", file=sys.stderr)
        return 3
    work = args.work.resolve()
    load_before = machine.load_average()
    try:
        results = tuple(run_corpus(spec, text, Plan(work, args.repeat, args.cprofile and spec.name == "A"))
                        for spec, text in specs(args))
        baseline = tools.baseline().peak_rss_kib
    except (tools.ToolError, floor.FloorError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    notes = ((f"Load average (1, 5, 15 min) at start: {load_before}; at end: {machine.load_average()} "
             f"on {os.cpu_count()} CPUs — anything above ~0 means other work shared the machine."),)
    run = RunResult(machine.describe(), results, baseline, notes)
    sys.stdout.write(render(run))
    if args.json:
        out = work / "results.json"
        out.write_text(json.dumps(to_dict(run), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        say(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
