"""A scheduler job that fails the first two times it runs (tests of archive.scheduler.run_job)."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def flaky(root: str) -> dict[str, Any]:
    counter = Path(root) / "flaky.count"
    runs = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(runs))
    if runs <= 2:
        raise OSError(f"simulated outage, run {runs}")
    return {"runs": runs}
