"""DA/T 70 checks on stored AIPs: the AIP adapter, runs, results in the catalogue, attestations.

Each run is stored (``check_run`` + one ``check_result`` row per verdict) and
recorded as an ``aip.check`` event with the counts per status.  The AIP itself
is immutable: "results as events in the AIP's preservation metadata" is met by
the hash-chained event log now and by versioned AIPs later (docs/checks.md).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import desc, select

from archive import catalogue, db
from archive.archive import Archive
from archive.events import append_event, iter_events, verify_log
from archive.models import AipRow
from archive.models_checks import AttestationRow, CheckResultRow, CheckRunRow
from checks.api import CheckContext, Stage
from checks.engine import Attestation, BatchReport, PackageCheckReport, run_plan
from checks.package import DirectoryPackage
from checks.plans import ChecksSettings, parse_settings, plan_for
from checks.registry import load_registry
from findings import Finding
from findings.i18n import Lang

AGENT = "casearchive check"


class CheckTargetError(LookupError):
    """An AIP named on the command line is not in the catalogue (exit 2 at the CLI)."""


@dataclass(frozen=True)
class CheckRun:
    """What ``casearchive check`` returns: the batch report and the stored run ids."""

    batch: BatchReport
    run_ids: tuple[str, ...]

    @property
    def bottom_line(self) -> str:
        return self.batch.bottom_line.value

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"run_ids": list(self.run_ids), **self.batch.to_dict(lang)}


def settings_of(archive: Archive) -> ChecksSettings:
    return parse_settings(archive.config.section("checks"))


def recorded_of(record: catalogue.AipRecord, description: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``PackageView.recorded`` of an AIP: the catalogue record (files by path) and description.json."""
    out: dict[str, Any] = {k: v for k, v in record.summary().items()}
    out.update(aip_id=record.id, document_count=record.document_count, page_count=record.page_count,
               tagmanifest_sha256=record.tagmanifest_sha256, ingested_at=record.ingested_at.isoformat(),
               files={f.path: {"role": f.role, "size": f.size, "sha256": f.sha256, "sm3": f.sm3} for f in record.files},
               description=dict(description or {}))
    return out


def aip_package(archive: Archive, record: catalogue.AipRecord, location: str | None = None) -> DirectoryPackage:
    """A PackageView over the AIP's copy in ``location`` (default: the primary)."""
    loc = archive.location(location) if location else archive.primary
    root = loc.aip_path(record.id)
    try:
        description = json.loads((root / "preservation" / "description.json").read_bytes())
    except (OSError, ValueError):
        description = {}
    return DirectoryPackage.from_bag(root, "aip", record.id, recorded=recorded_of(record, description))


def _attestations(archive: Archive, aip_id: str) -> Callable[[str], Attestation | None]:
    def lookup(item: str) -> Attestation | None:
        with db.read_session(archive.engine) as s:
            row = s.execute(select(AttestationRow).where(AttestationRow.aip_id == aip_id, AttestationRow.item == item)
                            .order_by(desc(AttestationRow.at), desc(AttestationRow.id)).limit(1)).scalar_one_or_none()
            return Attestation(row.item, row.by, row.at, row.note, row.failed) if row else None
    return lookup


def _events(archive: Archive) -> Callable[[str], list[dict[str, Any]]]:
    def lookup(aip_id: str) -> list[dict[str, Any]]:
        with db.read_session(archive.engine) as s:
            return [e.to_dict() for e in iter_events(s, aip_id=aip_id)]
    return lookup


def _catalogue(archive: Archive) -> Callable[[str], catalogue.AipRecord | None]:
    def lookup(ident: str) -> catalogue.AipRecord | None:
        with db.read_session(archive.engine) as s:
            return catalogue.get_aip(s, ident, with_files=False)
    return lookup


def _duplicates(archive: Archive) -> Callable[[str, str], list[str]]:
    columns = {"archive_number": AipRow.archive_number, "case_number": AipRow.case_number, "title": AipRow.title}

    def lookup(field: str, value: str) -> list[str]:
        column = columns.get(field)
        if column is None:
            return []
        with db.read_session(archive.engine) as s:
            return list(s.execute(select(AipRow.id).where(column == value)).scalars())
    return lookup


def _verify_log(archive: Archive) -> Callable[[], tuple[int, list[Any]]]:
    def run() -> tuple[int, list[Any]]:
        with db.read_session(archive.engine) as s:
            return verify_log(s)
    return run


def _previous_environment(archive: Archive) -> Mapping[str, Any] | None:
    """The snapshot returned by the last 3-7 verdict (item 3-7 puts it in ``found`` as JSON)."""
    with db.read_session(archive.engine) as s:
        found = s.execute(select(CheckResultRow.found).where(CheckResultRow.item == "3-7", CheckResultRow.status != "indeterminate")
                          .order_by(desc(CheckResultRow.id)).limit(1)).scalar_one_or_none()
    try:
        return json.loads(found) if found else None
    except ValueError:
        return None


def _number_rule(archive: Archive) -> Any:
    from metadata.archive_number import ArchiveNumberRule

    return ArchiveNumberRule(archive.config.ingest.archive_number_template,
                             department_codes=archive.config.ingest.department_codes)


def _restore_service(archive: Archive) -> Any:
    """3-9 备份数据可恢复性: restore one AIP's backup copies to scratch and verify them there."""
    def restore(aip_id: str) -> tuple[bool, list[Finding]]:
        from archive.restore_test import restore_one

        with db.read_session(archive.engine) as s:
            record = catalogue.get_aip(s, aip_id, with_files=False)
        if record is None:
            return False, []
        backups = [c for c in record.copies if c.location != archive.primary.name] or list(record.copies)
        findings: list[Finding] = []
        ok = bool(backups)
        for copy in backups:
            check = restore_one(archive, archive.location(copy.location), aip_id, copy.relpath,
                                 record.tagmanifest_sha256, datetime.now(timezone.utc), None)
            ok = ok and check.ok
            findings.extend(check.findings)
        return ok, findings

    return restore


def store_plan_hook(archive: Archive, copy: Any, aip_dir: Path, now: datetime) -> list[Finding]:
    """The auditor's hook (archive.auditor.CheckPlan): the store-stage plan on one copy.

    Blocking failures come back as findings, so the audit fails the copy; the run itself is
    stored and logged like any ``casearchive check`` run.
    """
    run = run_checks(archive, [copy.aip_id], Stage.STORE, now=now, location=copy.location)
    out: list[Finding] = []
    for report in run.batch.reports:
        for outcome in report.outcomes:
            if outcome.blocking:
                out.extend(f for r in outcome.results for f in r.findings)
    return out


def services_for(archive: Archive, aip_id: str | None) -> dict[str, Any]:
    """The services a check may call (see checks.api.CheckContext and docs/checks.md)."""
    services: dict[str, Any] = {
        "catalogue": _catalogue(archive), "trusted": archive.trusted, "events": _events(archive),
        "verify_log": _verify_log(archive), "catalogue_duplicates": _duplicates(archive),
        "previous_environment": _previous_environment(archive), "archive_root": archive.config.root,
        "locations": {loc.name: loc.root for loc in archive.locations}, "archive_number_rule": _number_rule(archive),
        "restore_test": _restore_service(archive)}
    if aip_id is not None:
        services["attestations"] = _attestations(archive, aip_id)
    return services


def _resolve(archive: Archive, targets: Sequence[str] | None) -> list[catalogue.AipRecord]:
    with db.read_session(archive.engine) as s:
        idents = catalogue.all_aip_ids(s) if targets is None else list(targets)
        records = []
        for ident in idents:
            record = catalogue.get_aip(s, ident)
            if record is None:
                raise CheckTargetError(f"no AIP {ident!r} in the catalogue")
            records.append(record)
    return records


def run_checks(archive: Archive, targets: Sequence[str] | None, stage: Stage | str, *, now: datetime,
               items: Iterable[str] | None = None, files: Iterable[str] | None = None,
               location: str | None = None, from_archive: bool = False) -> CheckRun:
    """Run the ``stage`` plan on each AIP (``targets`` None = all); store and log each run."""
    settings = settings_of(archive)
    plan = plan_for(stage, settings=settings, from_archive=from_archive, items=items, files=files)
    reports, run_ids = [], []
    for record in _resolve(archive, targets):
        package = aip_package(archive, record, location)
        ctx = CheckContext(now=now, stage=plan.stage, settings=settings.as_mapping(),
                           services=services_for(archive, record.id))
        report = run_plan(package, plan, ctx, registry=load_registry(), archive_name=archive.config.name)
        run_id = store_report(archive, report, now=now, aip_id=record.id, location=location or archive.primary.name)
        reports.append(_with_run(report, run_id))
        run_ids.append(run_id)
    return CheckRun(BatchReport(plan, now, tuple(reports), archive.config.name), tuple(run_ids))


def _with_run(report: PackageCheckReport, run_id: str) -> PackageCheckReport:
    from dataclasses import replace

    return replace(report, run_id=run_id)


def _rows(run_id: str, report: PackageCheckReport) -> list[CheckResultRow]:
    rows = []
    for o in report.outcomes:
        for r in o.results:
            rows.append(CheckResultRow(run_id=run_id, item_id=o.item_id, item=o.item.number, status=r.status.value,
                                       object=r.object, expected=r.expected, found=r.found,
                                       codes=sorted({f.code for f in r.findings}), remarks=r.remarks))
    return rows


def store_report(archive: Archive, report: PackageCheckReport, *, now: datetime, aip_id: str | None = None,
                 sip: str | None = None, location: str | None = None) -> str:
    """Store one run and its verdicts, and append the ``aip.check`` event (``sip.check`` for a SIP)."""
    run_id = uuid.uuid4().hex
    counts = report.counts
    with db.write_session(archive.engine) as s:
        s.add(CheckRunRow(id=run_id, stage=report.plan.stage.value, plan=report.plan.to_dict(),
                          prefix=report.plan.prefix, started_at=report.started_at, finished_at=now, aip_id=aip_id,
                          sip=sip, location=location, bottom_line=report.bottom_line.value, counts=counts))
        s.flush()
        s.add_all(_rows(run_id, report))
        append_event(s, at=now, type="aip.check" if aip_id else "sip.check", agent=AGENT, aip_id=aip_id,
                     outcome="success" if report.bottom_line.value == "passed" else "failure",
                     detail={"run": run_id, "stage": report.plan.stage.value, "prefix": report.plan.prefix,
                             "bottom_line": report.bottom_line.value, "counts": counts,
                             "blocking": list(report.blocking), "location": location, "sip": sip})
    return run_id


@dataclass(frozen=True)
class AttestOutcome:
    """What ``casearchive attest`` returns."""

    item: str
    aip_id: str
    archive_number: str
    by: str
    at: datetime
    note: str
    failed: bool

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "aip_id": self.aip_id, "archive_number": self.archive_number, "by": self.by,
                "at": self.at.isoformat(), "note": self.note, "failed": self.failed}


def attest(archive: Archive, item: str, aip: str, by: str, note: str, now: datetime, *,
           failed: bool = False) -> AttestOutcome:
    """Record a person's verdict on a manual item; ValueError for a non-manual item or empty name."""
    check_item = load_registry().item(item)
    if check_item.kind != "manual":
        raise ValueError(f"item {check_item.number} is {check_item.kind}, not manual: it cannot be attested")
    if not by.strip() or not note.strip():
        raise ValueError("an attestation needs the name of the person (--by) and a note (--note)")
    record = _resolve(archive, [aip])[0]
    with db.write_session(archive.engine) as s:
        s.add(AttestationRow(item=check_item.number, aip_id=record.id, by=by.strip(), at=now, note=note.strip(),
                             failed=failed))
        append_event(s, at=now, type="check.attest", agent=by.strip(), aip_id=record.id,
                     outcome="failure" if failed else "success",
                     detail={"item": check_item.number, "note": note.strip(), "failed": failed})
    return AttestOutcome(check_item.number, record.id, record.archive_number, by.strip(), now, note.strip(), failed)


def stored_runs(archive: Archive, aip_id: str) -> list[dict[str, Any]]:
    """The stored runs of one AIP, newest first, with their verdicts (for `casearchive show`)."""
    with db.read_session(archive.engine) as s:
        runs = s.execute(select(CheckRunRow).where(CheckRunRow.aip_id == aip_id)
                         .order_by(desc(CheckRunRow.started_at), desc(CheckRunRow.finished_at))).scalars().all()
        out = []
        for run in runs:
            rows = s.execute(select(CheckResultRow).where(CheckResultRow.run_id == run.id)
                             .order_by(CheckResultRow.id)).scalars().all()
            out.append({"run": run.id, "stage": run.stage, "bottom_line": run.bottom_line, "counts": run.counts,
                        "results": [{"item_id": r.item_id, "status": r.status, "object": r.object,
                                     "codes": r.codes} for r in rows]})
    return out
