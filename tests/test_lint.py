"""pyflakes-class errors (undefined names, unused imports and variables) never land: ruff's F rules."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(importlib.util.find_spec("ruff") is None and os.environ.get("CI") != "true",
                    reason="ruff not installed (make test installs it)")
def test_ruff_finds_no_pyflakes_errors():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F", "--exclude", ".venv,bench/work",
                           "."], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
