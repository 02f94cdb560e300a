"""Environment items 3-6, 3-7, 3-9 on real packages, a real host snapshot and a real archive."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the fixtures sit beside us
from security_fixtures import context, view_of, write_package

from checks import items_environment as env
from checks.api import Status


def test_3_6_recorded_software_against_allowed_list(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))  # the factory PDFs are written by pypdf
    open_list = env.check_environment_compliance(view, context())
    assert {r.status for r in open_list} == {Status.PASSED}
    pdfs = [r for r in open_list if r.object.endswith(".pdf")]
    assert len(pdfs) == 5 and all("pypdf" in (r.found or "") for r in pdfs)
    assert any(r.object == "host" and "python" in (r.found or "") for r in open_list)
    ok = env.check_environment_compliance(view, context({"allowed_software": ["PyPDF", "WPS"]}))
    assert all(r.status is Status.PASSED for r in ok if r.object.endswith(".pdf"))
    bad = env.check_environment_compliance(view, context({"allowed_software": ["Adobe Acrobat"]}))
    failed = [r for r in bad if r.status is Status.FAILED]
    assert len(failed) == 5 and failed[0].findings[0].code == "CHK-ENV-SOFTWARE-NOT-ALLOWED"


def test_3_7_baseline_unchanged_and_changed(tmp_path: Path) -> None:
    view = view_of(write_package(tmp_path / "bag"))
    locations = {"locations": {"primary": tmp_path}}
    first = env.check_environment_changes(view, context(services=locations))[0]
    assert first.status is Status.PASSED and "baseline" in first.remarks
    snapshot = json.loads(first.found or "")
    assert snapshot["facts"]["location.primary.path"] == str(tmp_path)
    assert snapshot["facts"]["location.primary.filesystem"] != ""
    same = env.check_environment_changes(view, context(services={**locations, "previous_environment": first.found}))
    assert same[0].status is Status.PASSED
    older = dict(snapshot, facts={**snapshot["facts"], "host.python": "3.8.0", "library.legacy": "1.0"})
    changed = env.check_environment_changes(view, context(services={**locations, "previous_environment": older}))
    assert changed[0].status is Status.FAILED
    keys = {f.params["key"] for f in changed[0].findings}
    assert keys == {"host.python", "library.legacy"}
    assert env.check_environment_changes(view, context(services={"previous_environment": "nonsense"}))[0].status \
        is Status.INDETERMINATE


def test_filesystem_type_of_root() -> None:
    assert env.filesystem_type(Path("/")) != ""


def test_3_9_restore_from_a_real_backup_copy(archive, sip: Path, now) -> None:  # type: ignore[no-untyped-def]
    from archive.verify import verify_copy
    from ingest.pipeline import ingest_package

    outcome = ingest_package(archive, sip, now=now)
    backup = archive.locations[1]

    def restore(aip_id: str):  # type: ignore[no-untyped-def]
        return verify_copy(backup.aip_path(aip_id), aip_id=aip_id, location=backup.name, algorithms=("sha256",),
                           trusted=archive.trusted, now=now)

    view = view_of(archive.primary.aip_path(outcome.aip_id), "aip", recorded={"aip_id": outcome.aip_id})
    ok = env.check_backup_restorable(view, context(services={"restore_test": restore}))
    assert [r.status for r in ok] == [Status.PASSED]
    damaged = next(p for p in (backup.aip_path(outcome.aip_id) / "data" / "documents").iterdir())
    damaged.write_bytes(damaged.read_bytes()[:-10])
    bad = env.check_backup_restorable(view, context(services={"restore_test": restore}))
    assert bad[0].status is Status.FAILED and bad[0].findings[0].code == "CHK-ENV-RESTORE-FAILED"
    assert env.check_backup_restorable(view, context())[0].status is Status.INDETERMINATE
    assert env.check_backup_restorable(view_of(sip), context())[0].status is Status.NOT_APPLICABLE
