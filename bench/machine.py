"""The machine a run was measured on: CPU, memory, kernel, tool versions."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _version(cmd: list[str]) -> str | None:
    try:
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return run.stdout.decode(errors="replace").strip().splitlines()[0] if run.stdout else None


def describe() -> dict[str, Any]:
    kib = _first("/proc/meminfo", "MemTotal")
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    flags = (_first("/proc/cpuinfo", "flags") or "").split()
    return {
        "nproc": nproc,
        "cpu_model": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cpu_flags": sorted(f for f in flags if f in ("sha_ni", "avx2", "avx512f", "aes")),
        "memory_gib": round(int(kib.split()[0]) / 2**20, 1) if kib else None,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "openssl": _version(["openssl", "version"]),
        "bagit": _version([str(Path(sys.executable).parent / "bagit.py"), "--version"]),
    }


def load_average() -> str | None:
    """The 1, 5 and 15-minute load averages: other work on a shared machine skews every figure."""
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return None
