"""checks.clamav against a real ClamAV with a signature database made here (EICAR)."""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from checks.clamav import (ScannerSettings, clamd_scan_stream, clamd_version, parse_clamscan_output, probe,
                           scan_with_clamd, scan_with_clamscan)
sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the fixtures sit beside us
from security_fixtures import EICAR, SIGNATURE, clamscan, signature_db, start_clamd


@pytest.fixture
def files(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "data" / "子目录").mkdir(parents=True)
    (root / "data" / "clean.txt").write_bytes(b"an ordinary file\n")
    (root / "data" / "子目录" / "证据: 附件.com").write_bytes(EICAR)
    return root


def test_clamscan_finds_eicar_with_test_database(tmp_path: Path, files: Path) -> None:
    clamscan()
    report = scan_with_clamscan(files, ScannerSettings(clamav_database=str(signature_db(tmp_path / "db"))))
    assert report.verdict == "infected"
    assert [(p, s.startswith(SIGNATURE)) for p, s in report.infected] == [("data/子目录/证据: 附件.com", True)]


def test_clamscan_clean_directory(tmp_path: Path, files: Path) -> None:
    clamscan()
    (files / "data" / "子目录" / "证据: 附件.com").unlink()
    report = scan_with_clamscan(files, ScannerSettings(clamav_database=str(signature_db(tmp_path / "db"))))
    assert report.verdict == "clean" and not report.errors


def test_clamscan_without_database_is_an_error_not_clean(tmp_path: Path, files: Path) -> None:
    clamscan()
    empty = tmp_path / "empty-db"
    empty.mkdir()
    report = scan_with_clamscan(files, ScannerSettings(clamav_database=str(empty)))
    assert report.verdict == "error" and report.errors


def test_missing_scanner_is_missing(files: Path) -> None:
    report = scan_with_clamscan(files, ScannerSettings(clamscan="no-such-clamscan-binary"))
    assert report.verdict == "missing"
    assert probe(ScannerSettings(clamscan="no-such-clamscan-binary")).installed is False


def test_probe_reports_version_and_database(tmp_path: Path) -> None:
    clamscan()
    info = probe(ScannerSettings(clamav_database=str(signature_db(tmp_path / "db"))))
    assert info.kind == "clamscan" and info.version and "ClamAV" in info.version
    assert info.database and "casearchive-test.hdb" in info.database and info.database_date is not None


def test_clamd_instream(tmp_path: Path, files: Path) -> None:
    clamscan()
    for sock in start_clamd(tmp_path, signature_db(tmp_path / "db")):
        assert clamd_version(str(sock)).startswith("ClamAV")
        assert clamd_scan_stream(str(sock), io.BytesIO(EICAR))[0] == "infected"
        assert clamd_scan_stream(str(sock), io.BytesIO(b"harmless"))== ("clean", None)
        paths = ["data/clean.txt", "data/子目录/证据: 附件.com"]
        report = scan_with_clamd(str(sock), paths, lambda p: open(files / p, "rb"))
        assert report.verdict == "infected" and report.infected[0][0] == paths[1]
        assert probe(ScannerSettings(clamd_socket=str(sock))).kind == "clamd"


def test_clamd_unreachable_socket_is_error(tmp_path: Path) -> None:
    verdict, detail = clamd_scan_stream(str(tmp_path / "nothing.sock"), io.BytesIO(b"x"))
    assert verdict == "error" and "nothing.sock" in str(detail)


@given(st.text(max_size=200))
def test_parse_clamscan_output_never_raises(text: str) -> None:
    infected, errors = parse_clamscan_output(text, Path("/root"))
    assert all(isinstance(p, str) and isinstance(s, str) for p, s in infected)
    assert all(isinstance(e, str) for e in errors)


def test_parse_clamscan_output_lines() -> None:
    out = ("/r/data/a b: c.pdf: Win.Test.EICAR_HDB-1 FOUND\n"
           "/r/data/x: Can't open file or directory ERROR\nLibClamAV Warning: noise\n")
    infected, errors = parse_clamscan_output(out, Path("/r"))
    assert infected == [("data/a b: c.pdf", "Win.Test.EICAR_HDB-1")]
    assert errors == ["data/x: Can't open file or directory"]
