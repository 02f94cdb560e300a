"""Helpers the tests share (importable as ``helpers``)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console script in a subprocess (exit codes, stdout, stderr)."""
    full_env = {**os.environ, "CASEARCHIVE_LANG": "en", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=full_env,
                          cwd=cwd or Path(__file__).resolve().parents[1], timeout=600)


def openssl_available() -> bool:
    if shutil.which("openssl"):
        return True
    if os.environ.get("CI") == "true":
        raise RuntimeError("openssl is required in CI (scripts/sysdeps.sh installs it)")
    return False


def tree_snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    """Names, sizes, mtimes and contents of every file below ``root``."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, path.read_bytes())
    return out


def open_copy(template: Path, tmp_path: Path, extra_toml: str = ""):  # type: ignore[no-untyped-def]
    """Open a private copy of a template archive, with extra configuration appended."""
    from archive.archive import Archive

    root = tmp_path / "archive"
    shutil.copytree(template, root)
    if extra_toml:
        with open(root / "casearchive.toml", "a", encoding="utf-8") as fh:
            fh.write("\n" + extra_toml + "\n")
    return Archive.open(root)
