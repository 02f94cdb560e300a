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


def set_checks(root: Path, **values: str) -> None:
    """Set [checks] keys in an archive's casearchive.toml (init writes a [checks] table)."""
    import json as _json

    path = root / "casearchive.toml"
    text = path.read_text(encoding="utf-8")
    lines = "".join(f"{key} = {_json.dumps(value)}\n" for key, value in values.items())
    if "\n[checks]\n" in text:
        kept = [ln for ln in text.split("\n") if not any(ln.startswith(f"{k} =") for k in values)]
        text = "\n".join(kept).replace("\n[checks]\n", "\n[checks]\n" + lines, 1)
    else:
        text += "\n[checks]\n" + lines
    path.write_text(text, encoding="utf-8")


def scan_with_test_db(root: Path) -> None:
    """A CLI-initialised test archive scans with the real ClamAV and the test signatures
    (conftest.scan_options: "optional" where ClamAV is missing outside CI)."""
    from conftest import scan_options

    set_checks(root, **scan_options(root.parent / "clamav-test-db"))
