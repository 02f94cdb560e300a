"""The tools under test, as the parent process runs them: bagit.py and casearchive.

casearchive runs in a child process per call (:mod:`bench.child`) so that every
timed run also yields its peak RSS, untouched by what the parent holds.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_ROOT = Path(__file__).resolve().parent.parent


class ToolError(RuntimeError):
    """A tool failed or gave the wrong answer: its time would be meaningless."""


@dataclass(frozen=True)
class ChildResult:
    """What one child run reported (seconds of the library call alone, RSS in KiB)."""

    seconds: float
    peak_rss_kib: int
    data: dict[str, Any]


def run_child(*args: str) -> ChildResult:
    """``python -m bench.child ARGS``; the last stdout line is its JSON report."""
    run = subprocess.run([sys.executable, "-m", "bench.child", *args], cwd=BENCH_ROOT,
                         capture_output=True, check=False)
    if run.returncode != 0:
        raise ToolError(f"bench.child {args[0]} failed ({run.returncode}): {run.stderr.decode(errors='replace')[-800:]}")
    data = json.loads(run.stdout.decode().strip().splitlines()[-1])
    peak = max(int(data["maxrss_self_kib"]), int(data["maxrss_children_kib"]))
    return ChildResult(float(data["seconds"]), peak, data)


def ingest(root: Path, bag: Path) -> ChildResult:
    """Fresh archive at ``root``, then ingest ``bag``; the AIP must be archived."""
    result = run_child("ingest", str(root), str(bag))
    if result.data["status"] != "archived":
        raise ToolError(f"ingest of {bag} was {result.data['status']}: {result.data.get('codes')}")
    return result


def verify(root: Path, aip_id: str, algorithm: str, payload_bytes: int) -> ChildResult:
    """Verify one AIP in the primary location; it must pass and read the whole payload."""
    result = run_child("verify", str(root), aip_id, algorithm)
    if not result.data["ok"] or int(result.data["bytes"]) < payload_bytes:
        raise ToolError(f"verify {algorithm} of {aip_id}: ok={result.data['ok']} bytes={result.data['bytes']} "
                        f"codes={result.data['codes']}")
    return result


def baseline() -> ChildResult:
    return run_child("baseline")


def bagit_command(bag: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "bagit.py"), "--validate", "--processes", "2", str(bag)]


def bagit_validate(bag: Path) -> None:
    """The reference tool, as a user runs it; its log goes to a pipe, as it would to a terminal."""
    run = subprocess.run(bagit_command(bag), capture_output=True, check=False,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:]
    if run.returncode != 0 or not tail or not tail[0].endswith("is valid"):
        raise ToolError(f"bagit.py --validate {bag} failed ({run.returncode}): {tail}")


def bagit_available() -> bool:
    return (Path(sys.executable).parent / "bagit.py").is_file()
