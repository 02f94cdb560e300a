"""Ingest: a pushed package becomes a signed AIP in every storage location, or is refused.

Order of work (see docs/ingest.md):
1. stage a private copy (one read: copy + digests) and validate it (ingest.sip);
2. refused → quarantine with a coded report and a signed receipt; nothing else changes;
3. under a per-case-number lock: identical package already archived → "duplicate";
   same case number, other content → refused (ING-CASE-ARCHIVED);
4. build the AIP payload in staging, copy it to every other location's staging
   (verifying each copied byte against the staged digests);
5. one write transaction: allocate the archive number, append the event, write
   and sign the tag files, publish every copy with one rename each, register;
6. signed receipt for the sender.
A crash at any point leaves only staging folders or publication markers, which
:func:`recover` (archive.publish) clears: no partial AIP is ever visible and a rerun succeeds.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from archive import catalogue, db
from archive.archive import Archive
from archive.config import ConfigError
from archive.events import append_event
from archive.failpoints import hit
from archive.publish import MARKER_SUFFIX, clear_markers, publish_copies, recover_publications
from archive.store import Location, StagingArea, move, named_lock, new_aip_id, staging_area
from findings import Finding, findings_to_json
from findings.i18n import Lang
from findings.report import render_findings
from fixity.digest import FileDigest, digest_file, digest_many
from fixity.durable import write_atomic
from ingest.aip import AipDeclaration, payload_oxum, prepare_payload, tag_files, tag_manifests, write_tag_files
from ingest.limits import UnpackLimits
from ingest.sip import SipValidation, nfc, validate_sip
from metadata.archive_number import ArchiveNumberRule
from metadata.model import CaseFile

log = logging.getLogger(__name__)
__all__ = ["MARKER_SUFFIX", "IngestOutcome", "ingest_package", "new_aip_id", "recover"]


@dataclass(frozen=True)
class IngestOutcome:
    """What became of one pushed package."""

    source: str
    status: str  # archived | duplicate | refused
    submission_id: str
    findings: tuple[Finding, ...] = ()
    aip_id: str | None = None
    archive_number: str | None = None
    case_number: str | None = None
    report_dir: str | None = None
    receipt: str | None = None

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "findings"}
        out["findings"] = findings_to_json(self.findings, lang)
        return out


def limits_of(archive: Archive) -> UnpackLimits:
    try:
        return UnpackLimits.from_mapping(archive.config.ingest.limits)
    except ValueError as exc:
        raise ConfigError(f"[ingest.limits]: {exc}") from None


def recover(archive: Archive) -> list[str]:
    """Clear what crashed ingests left (archive.publish.recover_publications); one note per finding."""
    return [f"{f.code} {f.location}" for f in recover_publications(archive)]


def ingest_package(archive: Archive, source: Path, *, now: datetime, agent: str = "casearchive ingest") -> IngestOutcome:
    """Ingest one package (directory, .zip, .tar, .tar.gz); never raises for bad input."""
    archive.signer  # fail fast (ConfigError) on an unusable signing key, before any work
    sid = uuid.uuid4().hex
    source = Path(os.path.abspath(source))
    with staging_area(archive.primary) as area:
        v = validate_sip(source, area.path / "sip", level="sip", today=now.date(), limits=limits_of(archive),
                         workers=archive.config.ingest.workers)
        if not v.ok or v.casefile is None:
            return _refuse(archive, sid, v, v.findings, area, now, agent)
        v = _normalise_names(v, archive.primary)
        assert v.casefile is not None
        cf = v.casefile
        problem = _numbering_problem(archive, cf)
        if problem is not None:
            return _refuse(archive, sid, v, v.findings + (problem,), area, now, agent)
        hit("ingest.validated")
        with named_lock(archive.config.root / "locks", cf.case_number):
            fingerprint = sip_fingerprint(v)
            with db.read_session(archive.engine) as s:
                existing = catalogue.find_by_case_number(s, cf.case_number)
            if existing is not None:
                return _existing(archive, sid, v, existing, fingerprint, area, now, agent)
            checked = _receive_checks(archive, v, now)
            if checked is not None and checked.blocking:
                return _refuse(archive, sid, v, v.findings + checked.blocking, area, now, agent, checked.report)
            return _archive(archive, sid, v, fingerprint, area, now, agent, checked)


def _rule(archive: Archive) -> ArchiveNumberRule:
    return ArchiveNumberRule(archive.config.ingest.archive_number_template,
                             department_codes=archive.config.ingest.department_codes)


def _numbered(archive: Archive, cf: CaseFile) -> CaseFile:
    """The case file as numbered: the archive's fonds number unless the metadata names one."""
    from dataclasses import replace

    return cf if cf.fonds_number else replace(cf, fonds_number=archive.config.fonds_number)


def _numbering_problem(archive: Archive, cf: CaseFile) -> Finding | None:
    """Refuse early, before any work, if the archive-number rule cannot number this case."""
    try:
        _rule(archive).format(_numbered(archive, cf), 1)
    except (ValueError, KeyError) as exc:
        return Finding("ING-ARCHIVE-NUMBER-RULE", location="data/metadata/casefile.xml", params={"reason": str(exc)})
    return None


def sip_fingerprint(v: SipValidation) -> str:
    """Identity of a package's content: SHA-256 over its sorted payload manifest."""
    assert v.bag is not None
    h = hashlib.sha256()
    for path in sorted(v.bag.payload_files):
        h.update(f"{v.digests[path].digests['sha256']}  {path}\n".encode("utf-8"))
    return h.hexdigest()


def _existing(archive: Archive, sid: str, v: SipValidation, existing: catalogue.AipRecord, fingerprint: str,
              area: StagingArea, now: datetime, agent: str) -> IngestOutcome:
    if existing.sip_fingerprint != fingerprint:
        finding = Finding("ING-CASE-ARCHIVED", location=existing.case_number,
                          params={"archive_number": existing.archive_number})
        return _refuse(archive, sid, v, v.findings + (finding,), area, now, agent)
    finding = Finding("ING-DUPLICATE", location=existing.case_number,
                      params={"archive_number": existing.archive_number, "aip_id": existing.id})
    outcome = IngestOutcome(str(v.source), "duplicate", sid, (finding,), existing.id, existing.archive_number,
                            existing.case_number)
    with db.write_session(archive.engine) as s:
        append_event(s, at=now, type="submission.duplicate", agent=agent, aip_id=existing.id,
                     detail={"submission": sid, "source": str(v.source), "case_number": existing.case_number})
        receipt = _receipt_path(archive, sid)
        catalogue.record_submission(s, id=sid, received_at=now, source=str(v.source), kind=v.kind or "",
                                    external_identifier=existing.case_number, container_sha256=_container(v),
                                    outcome="duplicate", aip_id=existing.id, codes=["ING-DUPLICATE"],
                                    receipt_path=str(receipt))
    _write_receipt(archive, outcome, v, now)
    return IngestOutcome(**{**asdict(outcome), "findings": (finding,), "receipt": str(receipt)})


def _container(v: SipValidation) -> str | None:
    return v.staged.container_sha256 if v.staged else None


def _refuse(archive: Archive, sid: str, v: SipValidation, findings: tuple[Finding, ...], area: StagingArea,
            now: datetime, agent: str, check_report: Any = None) -> IngestOutcome:
    """Quarantine the package with a report (JSON + text in both languages; check register if any)."""
    qdir = archive.config.quarantine / f"{now:%Y%m%d}-{sid}"
    qdir.mkdir(parents=True)
    _keep_package(v, area, qdir / "package", limits_of(archive))
    if check_report is not None:
        _write_check_reports(qdir, check_report)
    case_number = v.casefile.case_number if v.casefile else v.bag_info("External-Identifier")
    outcome = IngestOutcome(str(v.source), "refused", sid, findings, case_number=case_number, report_dir=str(qdir))
    _write_report(qdir, outcome, now)
    codes = sorted({f.code for f in findings if f.level.value == "error"})
    with db.write_session(archive.engine) as s:
        append_event(s, at=now, type="submission.refused", agent=agent, outcome="failure",
                     detail={"submission": sid, "source": str(v.source), "codes": codes,
                             "case_number": case_number, "quarantine": str(qdir)})
        receipt = _receipt_path(archive, sid)
        catalogue.record_submission(s, id=sid, received_at=now, source=str(v.source), kind=v.kind or "unknown",
                                    external_identifier=case_number, container_sha256=_container(v),
                                    outcome="refused", codes=codes, report_path=str(qdir), receipt_path=str(receipt))
    _write_receipt(archive, outcome, v, now)
    return IngestOutcome(**{**asdict(outcome), "findings": findings, "receipt": str(receipt)})


def _keep_package(v: SipValidation, area: StagingArea, target: Path, limits: UnpackLimits) -> None:
    """Keep what was received: the staged copy of a directory, or the archive file itself."""
    staged = area.path / "sip"
    if v.kind == "directory" and v.staged is not None and v.staged.root is not None and v.staged.root.exists():
        os.rename(v.staged.root, target)  # into a new quarantine folder: nothing is replaced
    elif v.kind == "directory" and staged.exists():
        os.rename(staged, target)
    elif v.kind == "directory" and v.source.is_dir() and not v.source.is_symlink():
        _keep_regular_files(v.source, target, limits)
    elif v.kind not in (None, "directory") and v.source.is_file():
        target.mkdir()
        shutil.copyfile(v.source, target / v.source.name, follow_symlinks=False)


def _keep_regular_files(source: Path, target: Path, limits: UnpackLimits) -> None:
    """A directory refused before staging (a link, a device …): keep a copy of its regular files.

    Only what the unpacker would have staged — regular files with acceptable names, found
    without following links, within the limits; links and special files are left out.
    """
    from ingest.unpack import list_names

    top = os.path.realpath(source)
    target.mkdir()
    for rel in list_names(source, "directory", limits):
        src = source / rel
        if not os.path.realpath(src).startswith(top + os.sep):
            continue  # a folder on the way was swapped for a link meanwhile
        try:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            digest_file(src, ["sha256"], target / rel)
        except OSError as exc:  # hostile input: a file that cannot be read is simply not kept
            log.warning("quarantine copy of %s: %s", rel, exc)


@dataclass(frozen=True)
class ReceiveChecks:
    """The receive-stage check run on a staged SIP, and the findings that block it."""

    report: Any  # checks.engine.PackageCheckReport
    blocking: tuple[Finding, ...]


def _receive_checks(archive: Archive, v: SipValidation, now: datetime) -> ReceiveChecks | None:
    """DA/T 70 归档环节 checks (GD items) on the staged copy; None when switched off."""
    if not archive.config.ingest.receive_checks:
        return None
    from archive.checking import services_for, settings_of
    from checks.api import Status
    from ingest.checking import receive_checks

    report = receive_checks(v, now=now, settings=settings_of(archive), services=services_for(archive, None),
                            archive_name=archive.config.name)
    blocking: list[Finding] = []
    for outcome in report.outcomes:
        if not outcome.blocking:
            continue
        blocking.append(Finding("ING-CHECK-FAILED", location=outcome.item_id, params={"name": outcome.item.name.zh}))
        for result in outcome.results:
            if result.status is Status.FAILED:
                blocking.extend(result.findings)
    return ReceiveChecks(report, tuple(blocking))


def _write_check_reports(target: Path, report: Any) -> None:
    from checks.report import render

    (target / "checks.json").write_text(render(report, "json", Lang.ZH), encoding="utf-8")
    for lang in (Lang.ZH, Lang.EN):
        (target / f"checks.{lang.value}.html").write_text(render(report, "html", lang), encoding="utf-8")


def _write_report(qdir: Path, outcome: IngestOutcome, now: datetime) -> None:
    (qdir / "report.json").write_text(json.dumps({"generated_at": now.isoformat(), **outcome.to_dict()},
                                                 ensure_ascii=False, indent=2), encoding="utf-8")
    for lang, title in ((Lang.ZH, "信息包被拒收"), (Lang.EN, "Package refused")):
        lines = [f"{title}: {outcome.source}", f"submission: {outcome.submission_id}", ""]
        lines += render_findings(outcome.findings, lang)
        (qdir / f"report.{lang.value}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _receipt_path(archive: Archive, sid: str) -> Path:
    return archive.config.receipts / f"{sid}.json"


def _write_receipt(archive: Archive, outcome: IngestOutcome, v: SipValidation, now: datetime) -> Path:
    """A signed receipt (JSON + detached CMS signature) for the sender; written after the commit."""
    body = {
        "receipt_version": 1, "archive": archive.config.name, "submission_id": outcome.submission_id,
        "status": outcome.status, "received_at": now.isoformat(), "source": outcome.source,
        "case_number": outcome.case_number, "archive_number": outcome.archive_number, "aip_id": outcome.aip_id,
        "container_sha256": _container(v), "codes": sorted({f.code for f in outcome.findings}),
    }
    data = (json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
    archive.config.receipts.mkdir(parents=True, exist_ok=True)
    path = _receipt_path(archive, outcome.submission_id)
    write_atomic(path, data)
    write_atomic(path.with_name(path.name + ".p7s"), archive.signer.sign_detached(data, signing_time=now))
    return path


def _archive(archive: Archive, sid: str, v: SipValidation, fingerprint: str, area: StagingArea,
             now: datetime, agent: str, checked: ReceiveChecks | None) -> IngestOutcome:
    assert v.staged is not None and v.staged.root is not None and v.bag is not None and v.casefile is not None
    cf = v.casefile
    aip_id = new_aip_id()
    sip_tag_names = sorted(rel for rel in v.staged.files if not rel.startswith("data/"))
    sip_tags = {rel: (v.staged.root / rel).read_bytes() for rel in sip_tag_names}
    payload = {rel: v.digests[rel] for rel in sorted(v.bag.payload_files)}
    primary_dir = area.path / "aip"
    prepare_payload(v.staged.root, primary_dir, sip_tag_names)
    with ExitStack() as stack:
        copies = {archive.primary.name: primary_dir}
        for loc in archive.locations[1:]:
            replica_area = stack.enter_context(staging_area(loc))
            copies[loc.name] = _replicate(primary_dir, replica_area.path / "aip", payload, sip_tag_names,
                                          archive.config.ingest.workers)
        hit("ingest.replicated")
        outcome = _commit(archive, sid, v, cf, aip_id, fingerprint, payload, sip_tags, copies, now, agent,
                          checked.report if checked else None)
    if checked is not None:
        from archive.checking import store_report

        store_report(archive, checked.report, now=now, aip_id=aip_id, location=archive.primary.name)
    return outcome


def _normalise_names(v: SipValidation, staged_in: Location) -> SipValidation:
    """Rename decomposed (NFD) payload names to NFC in staging, so the checks, the AIP, its
    manifests and the metadata all spell every name the same way for decades.
    (The bag validator already reported the difference: BAG-NORMALIZATION-DIFFERS.)"""
    from dataclasses import replace

    assert v.staged is not None and v.staged.root is not None and v.bag is not None
    renamed = {rel: nfc(rel) for rel in v.bag.payload_files if nfc(rel) != rel}
    if not renamed:
        return v
    for rel, target in renamed.items():
        move(staged_in, v.staged.root / rel, v.staged.root / target)
    digests = {renamed.get(k, k): (FileDigest(renamed[k], d.size, d.digests) if k in renamed else d)
               for k, d in v.digests.items()}
    payload_files = {renamed.get(k, k): size for k, size in v.bag.payload_files.items()}
    files = {renamed.get(k, k): d for k, d in v.staged.files.items()}
    return replace(v, digests=digests, bag=replace(v.bag, payload_files=payload_files, digests=digests),
                   staged=replace(v.staged, files=files))


class ReplicationError(OSError):
    """A byte copied to another location differs from the staged original."""


def _replicate(src: Path, dest: Path, payload: Mapping[str, FileDigest], sip_tag_names: list[str],
               workers: int) -> Path:
    """Copy the staged AIP payload and SIP tags to another location, verifying as we copy."""
    rels = list(payload) + [f"sip/{rel}" for rel in sip_tag_names]
    for rel in rels:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
    jobs = ((rel, src / rel, dest / rel) for rel in rels)
    for result in digest_many(jobs, ["sha256"], workers=workers):
        if result.error:
            raise ReplicationError(f"copy of {result.key} failed: {result.error}")
        expected = payload.get(result.key)
        if expected is not None and expected.digests["sha256"] != result.digests["sha256"]:
            raise ReplicationError(f"copy of {result.key} differs from the staged original")
    return dest


def _commit(archive: Archive, sid: str, v: SipValidation, cf: CaseFile, aip_id: str, fingerprint: str,
            payload: Mapping[str, FileDigest], sip_tags: Mapping[str, bytes], copies: Mapping[str, Path],
            now: datetime, agent: str, check_report: Any = None) -> IngestOutcome:
    rule = _rule(archive)
    cf_for_number = _numbered(archive, cf)
    fonds = cf_for_number.fonds_number or archive.config.fonds_number
    from checks.items_security import scan_notices

    # an unscanned package is never archived silently ([checks] virus_scan optional/off)
    warnings = [f for f in v.findings if f.level.value != "error"] + scan_notices(check_report)
    with db.write_session(archive.engine) as s:
        from archive.numbering import reserve_sequence  # never reissues a 档号 an AIP on disk carries

        seq = reserve_sequence(archive, s, rule.series_key(cf_for_number), aip_id)
        archive_number = rule.format(cf_for_number, seq)
        event = append_event(s, at=now, type="aip.ingest", agent=agent, aip_id=aip_id, detail={
            "submission": sid, "source": str(v.source), "case_number": cf.case_number,
            "archive_number": archive_number, "sip_fingerprint": fingerprint,
            "container_sha256": _container(v), "payload_oxum": payload_oxum(payload),
            "locations": list(copies), "warnings": sorted({f.code for f in warnings})})
        decl = AipDeclaration(
            aip_id=aip_id, archive_number=archive_number, case_number=cf.case_number,
            source_organization=v.bag_info("Source-Organization") or cf.court, archive_name=archive.config.name,
            archived_at=now, submission_id=sid,
            description=_description(cf, archive_number, fonds, now, v),
            validation={"validated_at": now.isoformat(), "findings": findings_to_json(v.findings)},
            events=[event.to_dict()], signer_pem=_cert_pem(archive))
        tags = tag_files(decl, payload, sip_tags, now.date().isoformat())
        if check_report is not None:
            from checks.report import render

            tags["preservation/receive-checks.json"] = render(check_report, "json", Lang.ZH).encode("utf-8")
        manifests = tag_manifests(tags)
        signatures = {f"{name}.p7s": archive.signer.sign_detached(data, signing_time=now)
                      for name, data in manifests.items()}
        for loc_name, staged_dir in copies.items():
            write_tag_files(staged_dir, {**tags, **manifests, **signatures})
        markers = publish_copies(archive, copies, aip_id)
        tm_sha256 = hashlib.sha256(manifests["tagmanifest-sha256.txt"]).hexdigest()
        catalogue.register_aip(s, _record(archive, cf, aip_id, archive_number, fingerprint, payload, tags,
                                          manifests, signatures, tm_sha256, v, now))
        outcome = IngestOutcome(str(v.source), "archived", sid, tuple(warnings), aip_id, archive_number,
                                cf.case_number)
        receipt = _receipt_path(archive, sid)
        hit("ingest.before-commit")
        catalogue.record_submission(s, id=sid, received_at=now, source=str(v.source), kind=v.kind or "",
                                    external_identifier=cf.case_number, container_sha256=_container(v),
                                    outcome="archived", aip_id=aip_id, codes=sorted({f.code for f in warnings}),
                                    receipt_path=str(receipt))
    hit("ingest.committed")
    clear_markers(markers)
    _write_receipt(archive, outcome, v, now)
    return IngestOutcome(**{**asdict(outcome), "findings": tuple(warnings), "receipt": str(receipt)})


def _cert_pem(archive: Archive) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return archive.signer.certificate.public_bytes(Encoding.PEM)


def _description(cf: CaseFile, archive_number: str, fonds: str, now: datetime, v: SipValidation) -> dict[str, Any]:
    return {
        "archive_number": archive_number, "fonds_number": fonds, "case_number": cf.case_number,
        "archiving_date": (cf.archiving_date or now.date()).isoformat(), "retention": cf.retention.value,
        "security_level": cf.security_level.value, "department": cf.department, "court": cf.court,
        "original_forms": sorted({d.original_form.value for d in cf.documents}),
        "received": {"source": v.source.name, "kind": v.kind, "container_sha256": _container(v),
                     "bagit_version": v.bag.version if v.bag else None},
    }


def _record(archive: Archive, cf: CaseFile, aip_id: str, archive_number: str, fingerprint: str,
            payload: Mapping[str, FileDigest], tags: Mapping[str, bytes], manifests: Mapping[str, bytes],
            signatures: Mapping[str, bytes], tm_sha256: str, v: SipValidation, now: datetime) -> catalogue.AipRecord:
    files = [catalogue.FileRecord(rel, "payload", d.size, d.digests["sha256"], d.digests["sm3"])
             for rel, d in payload.items()]
    for rel, data in {**tags, **manifests, **signatures}.items():
        files.append(catalogue.FileRecord(rel, "tag", len(data), hashlib.sha256(data).hexdigest(),
                                          hashlib.new("sm3", data).hexdigest()))
    # Replication re-reads the staged primary and compares every digest, so with
    # two or more locations every copy is verified at write; a lone copy is not.
    verified = len(archive.locations) > 1
    copies = tuple(catalogue.CopyRecord(loc.name, loc.aip_relpath(aip_id), "ok", now,
                                        now if verified else None, True if verified else None)
                   for loc in archive.locations)
    return catalogue.AipRecord(
        id=aip_id, case_number=cf.case_number, archive_number=archive_number, sip_fingerprint=fingerprint,
        source_organization=v.bag_info("Source-Organization") or cf.court, court=cf.court,
        department=cf.department, year=cf.year, cause=cf.cause, procedure=cf.procedure.value,
        retention=cf.retention.value, security_level=cf.security_level.value, filing_date=cf.filing_date,
        closing_date=cf.closing_date, archiving_date=cf.archiving_date or now.date(),
        document_count=len(cf.documents), page_count=cf.page_count, payload_files=len(payload),
        payload_bytes=sum(d.size for d in payload.values()), tagmanifest_sha256=tm_sha256,
        container_sha256=_container(v), ingested_at=now, title=cf.title, files=tuple(files), copies=copies)
