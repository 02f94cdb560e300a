"""The type hints are checked (STYLE.md 13): mypy over every package, as configured in setup.cfg."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None and os.environ.get("CI") != "true",
                    reason="mypy not installed (make test installs it)")
def test_mypy_finds_no_errors():
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "setup.cfg")],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
