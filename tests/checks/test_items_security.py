"""Security items 4-1, 4-2, 4-3, 4-4, 4-7, 4-8 on real packages; each passes and fails."""
from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the fixtures sit beside us
from security_fixtures import EICAR, SIGNATURE, clamscan, context, signature_db, start_clamd, view_of, write_package

from checks import items_security as sec
from checks.api import Stage, Status
from findings import Finding


def _statuses(results):  # type: ignore[no-untyped-def]
    return {r.status for r in results}


def test_4_1_installed_with_database(tmp_path: Path) -> None:
    clamscan()
    view = view_of(write_package(tmp_path / "bag"))
    results = sec.check_antivirus_installed(view, context({"clamav_database": str(signature_db(tmp_path / "db"))}))
    assert _statuses(results) == {Status.PASSED} and "ClamAV" in (results[0].found or "")


def test_4_1_not_installed_fails(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    results = sec.check_antivirus_installed(view, context({"clamscan": "no-such-scanner"}))
    assert results[0].status is Status.FAILED and results[0].findings[0].code == "CHK-AV-NOT-INSTALLED"


def test_4_1_empty_database_fails(tmp_path: Path) -> None:
    clamscan()
    (tmp_path / "empty").mkdir()
    view = view_of(write_package(tmp_path / "bag"))
    results = sec.check_antivirus_installed(view, context({"clamav_database": str(tmp_path / "empty")}))
    assert results[0].status is Status.FAILED and results[0].findings[0].code == "CHK-AV-DATABASE-MISSING"


def test_4_2_eicar_in_package_fails_with_signature(tmp_path: Path) -> None:
    clamscan()
    view = view_of(write_package(tmp_path / "bag", extra={"attachments/readme.com": EICAR}))
    results = sec.check_virus_scan(view, context({"clamav_database": str(signature_db(tmp_path / "db"))}))
    assert [(r.status, r.object) for r in results] == [(Status.FAILED, "data/attachments/readme.com")]
    assert results[0].findings[0].code == "CHK-AV-INFECTED" and SIGNATURE in (results[0].found or "")


def test_4_2_clean_package_passes(tmp_path: Path) -> None:
    clamscan()
    view = view_of(write_package(tmp_path / "bag"))
    results = sec.check_virus_scan(view, context({"clamav_database": str(signature_db(tmp_path / "db"))}))
    assert _statuses(results) == {Status.PASSED}


def test_4_2_no_scanner_is_indeterminate_never_passed(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag", extra={"x.com": EICAR}))
    results = sec.check_virus_scan(view, context({"clamscan": "no-such-scanner", "virus_scan": "optional"}))
    assert _statuses(results) == {Status.INDETERMINATE}
    assert results[0].findings[0].code == "CHK-AV-SCANNER-MISSING"
    # the default, "required": at receipt an unscanned package fails (ingest refuses it)
    required = sec.check_virus_scan(view, context({"clamscan": "no-such-scanner"}))
    assert _statuses(required) == {Status.FAILED}
    assert required[0].findings[0].code == "CHK-AV-SCAN-REQUIRED"
    stored = sec.check_virus_scan(view, context({"clamscan": "no-such-scanner"}, stage=Stage.STORE))
    assert _statuses(stored) == {Status.INDETERMINATE}, "an archived package is not failed for a missing scanner"
    off = sec.check_virus_scan(view, context({"virus_scan": "off"}))
    assert _statuses(off) == {Status.INDETERMINATE} and off[0].findings[0].code == "CHK-AV-SCAN-OFF"


def test_4_2_through_clamd(tmp_path: Path) -> None:
    clamscan()
    view = view_of(write_package(tmp_path / "bag", extra={"evil.com": EICAR}))
    for sock in start_clamd(tmp_path, signature_db(tmp_path / "db")):
        results = sec.check_virus_scan(view, context({"clamd_socket": str(sock)}))
        assert [(r.status, r.object) for r in results] == [(Status.FAILED, "data/evil.com")]
        assert results[0].remarks == "scanner: clamd"


def test_4_3_declared_only_passes_and_extra_fails(tmp_path: Path) -> None:
    root = write_package(tmp_path / "bag")
    assert _statuses(sec.check_extra_files(view_of(root), context())) == {Status.PASSED}
    (root / "data" / "Thumbs.db").write_bytes(b"junk")
    (root / ".DS_Store").write_bytes(b"junk")
    os.symlink("/etc/passwd", root / "data" / "link")
    results = sec.check_extra_files(view_of(root), context())
    codes = {(r.object, r.findings[0].code) for r in results}
    assert codes == {("data/Thumbs.db", "CHK-SEC-EXTRA-FILE"), (".DS_Store", "CHK-SEC-EXTRA-FILE"),
                     ("data/link", "CHK-SEC-SPECIAL-FILE")}
    assert _statuses(results) == {Status.FAILED}


def _clock(step: float):  # type: ignore[no-untyped-def]
    """A clock advancing ``step`` seconds per reading: time is a parameter."""
    ticks = itertools.count()
    return lambda: next(ticks) * step


def test_4_4_read_speed_against_minimum(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    size = sum(f.size for f in view.files())
    fast = sec.check_read_speed(view, context({"min_read_mb_s": 0.0001}, {"clock": _clock(1.0)}))
    assert [r.status for r in fast] == [Status.PASSED, Status.PASSED]
    assert fast[1].found == f"{size / 1e6:.1f} MB/s over {size} bytes"
    slow = sec.check_read_speed(view, context({"min_read_mb_s": 20}, {"clock": _clock(1000.0)}))
    assert slow[1].status is Status.FAILED and slow[1].findings[0].code == "CHK-SEC-READ-SLOW"


def test_4_4_real_clock_and_free_space(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    results = sec.check_read_speed(view, context({"min_read_mb_s": 0, "min_free_mb": 10**12}))
    assert results[0].findings[0].code == "CHK-SEC-FREE-SPACE-LOW" and results[1].status is Status.PASSED


def test_4_4_unreachable_storage_fails(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    gone = view.__class__(tmp_path / "gone", "aip", "x")
    results = sec.check_read_speed(gone, context())
    assert results[0].status is Status.FAILED and results[0].findings[0].code == "CHK-SEC-STORAGE-UNREACHABLE"


def _aip_with_events(tmp_path: Path, events: list[dict]) -> Path:  # type: ignore[type-arg]
    root = write_package(tmp_path / "bag")
    (root / "preservation").mkdir()
    (root / "preservation" / "events.json").write_text(json.dumps(events), encoding="utf-8")
    return root


def test_4_7_log_intact_and_events_present(tmp_path: Path) -> None:
    events = [{"seq": 1, "type": "aip.ingest", "aip_id": "A1", "hash": "ab" * 32}]
    log = {"A1": events}
    view = view_of(_aip_with_events(tmp_path, events), "aip", recorded={"aip_id": "A1"})
    ok = sec.check_operation_security(view, context(services={"verify_log": lambda: (1, []),
                                                              "events": lambda aip: log.get(aip, [])}))
    assert _statuses(ok) == {Status.PASSED} and len(ok) == 2
    broken = sec.check_operation_security(view, context(services={
        "verify_log": lambda: (1, [Finding("LOG-HEAD-MISMATCH", "event_head")]), "events": lambda aip: []}))
    assert [r.status for r in broken] == [Status.FAILED, Status.FAILED]
    assert broken[1].findings[0].code == "CHK-SEC-EVENT-MISSING"


def test_4_7_without_log_service_is_indeterminate(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    assert _statuses(sec.check_operation_security(view, context())) == {Status.INDETERMINATE}


def test_4_7_with_a_real_archive_log(archive, sip: Path, now) -> None:  # type: ignore[no-untyped-def]
    from archive import db
    from archive.events import iter_events, verify_log
    from ingest.pipeline import ingest_package

    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "archived"
    aip_dir = archive.primary.aip_path(outcome.aip_id)

    def check():  # type: ignore[no-untyped-def]
        with db.read_session(archive.engine) as s:
            count, problems = verify_log(s)
            logged = [e.to_dict() for e in iter_events(s, outcome.aip_id)]
        return sec.check_operation_security(view_of(aip_dir, "aip", recorded={"aip_id": outcome.aip_id}), context(
            services={"verify_log": lambda: (count, problems), "events": lambda aip: logged}))

    assert _statuses(check()) == {Status.PASSED}
    with db.write_session(archive.engine) as s:
        s.execute(db_text("UPDATE event SET agent = 'mallory' WHERE seq = 1"))
    assert Status.FAILED in _statuses(check())


def db_text(sql: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    return text(sql)


def test_4_8_scanner_passes_fails_or_manual(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    assert _statuses(sec.check_vulnerability_scan(view, context())) == {Status.MANUAL}
    ok = sec.check_vulnerability_scan(view, context({"vulnerability_scanner": [sys.executable, "-c", "print('0 issues')"]}))
    assert _statuses(ok) == {Status.PASSED}
    bad = sec.check_vulnerability_scan(view, context({"vulnerability_scanner": [
        sys.executable, "-c", "import sys; print('CVE-2024-0001 in {root}'); sys.exit(3)"]}))
    assert bad[0].status is Status.FAILED and bad[0].found == "exit status 3"
    missing = sec.check_vulnerability_scan(view, context({"vulnerability_scanner": "/no/such/scanner --all"}))
    assert _statuses(missing) == {Status.INDETERMINATE}
