"""Repair: rebuild a damaged or missing AIP copy from a verified good one.

Rules (cited by the ``REP-`` codes):

- REP-1  every copy is verified with every algorithm before anything is changed;
  a copy is a *source* only if that verification passed now.
- REP-2  the new copy is built in the target location's staging area, file by file,
  each byte read once while hashing (fixity.digest) and compared with the source's
  manifests; then the new copy is verified as a whole.  A copy that fails is
  discarded and the damaged one stays: a repair never makes things worse.
- REP-3  the damaged copy is never deleted: it moves to
  ``<location>/.damaged/<aip_id>-<timestamp>/`` (evidence).
- REP-4  the swap is journaled in ``<location>/.repair/<aip_id>-<timestamp>/``
  (``journal.json`` + ``rebuilt/``).  The rebuilt copy is fsynced in the journal
  first; then the damaged copy is moved away and the rebuilt one published by two
  renames back to back, so the AIP path is empty only between them.  A crash there
  is healed by :func:`recover_repairs` (run first by every repair and by every
  audit run), which publishes the verified rebuilt copy or, failing that, puts the
  damaged copy back.  So after recovery the AIP path always holds its best copy.
  The whole repair holds the AIP's repair lock; :func:`verify_settled` (verify and
  audits) waits for it before it calls a copy that vanished or changed under it
  damaged.
- REP-5  no good copy left: the AIP is marked ``damaged``, an ``aip.damaged`` event
  is recorded, an alert is raised, and every copy is kept.

Every change is an event: ``aip.verify``, ``aip.repair``, ``aip.repair.recovered``,
``aip.damaged``.  ``confirm=False`` only plans.
"""
from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

import archive.integrity_codes as ic
from archive import catalogue, db
from archive.archive import Archive
from archive.catalogue import AipRecord
from archive.config import ConfigError
from archive.events import append_event
from archive.failpoints import hit
from archive.models import AipCopyRow, AipRow, EventRow
from archive.store import Location, fsync_dir, fsync_tree, is_aip_id, move, named_lock, publish, remove_tree, \
    staging_area, sweep_staging
from archive.verify import CopyVerdict, verify_stored
from findings import Finding, findings_to_json
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS, digest_many
from fixity.durable import write_atomic
from fixity.manifest import parse_manifest

log = logging.getLogger(__name__)

AGENT = "casearchive repair"
DAMAGED_DIR = ".damaged"
JOURNAL_DIR = ".repair"
JOURNAL = "journal.json"
REBUILT = "rebuilt"


@dataclass(frozen=True)
class RepairPolicy:
    """[repair]: ``auto`` lets the scheduled audit repair without a person confirming."""

    auto: bool = False

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> "RepairPolicy":
        unknown = set(section) - {"auto"}
        if unknown:
            raise ConfigError(f"unknown key(s) in [repair]: {', '.join(sorted(unknown))}")
        auto = section.get("auto", False)
        if not isinstance(auto, bool):
            raise ConfigError("[repair] auto must be true or false")
        return cls(auto)


@dataclass(frozen=True)
class CopyAction:
    """What was (or would be) done to one copy."""

    location: str
    before: str  # ok | damaged | missing
    action: str  # none | rebuild (planned) | rebuilt | failed | kept
    source: str | None = None
    codes: tuple[str, ...] = ()
    evidence: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"location": self.location, "before": self.before, "action": self.action,
                "source": self.source, "codes": list(self.codes), "evidence": self.evidence}


@dataclass(frozen=True)
class RepairReport:
    """Outcome: unknown | intact | planned | repaired | failed | damaged."""

    aip_id: str
    confirm: bool
    outcome: str
    actions: tuple[CopyAction, ...] = ()
    findings: tuple[Finding, ...] = ()
    alert: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("intact", "planned", "repaired")

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"aip_id": self.aip_id, "confirm": self.confirm, "outcome": self.outcome, "ok": self.ok,
                "actions": [a.to_dict() for a in self.actions], "alert": self.alert,
                "findings": findings_to_json(self.findings, lang)}


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


@contextmanager
def repair_lock(archive: Archive, aip_id: str) -> Iterator[None]:
    """The AIP's repair lock: held for a whole repair, and by verifiers waiting one out."""
    with named_lock(archive.config.root / "locks", f"repair:{aip_id}"):
        yield


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def verify_settled(archive: Archive, aip_dir: Path, *, aip_id: str, location: str, algorithms: Sequence[str],
                   now: datetime, expected_tagmanifest_sha256: str | None) -> CopyVerdict:
    """verify_stored, but a copy that is missing, or was swapped while it was read, is *busy*:
    a repair holds the AIP lock and is between its two renames.  Wait for the lock and look
    again, so a repair in progress is never recorded as damage (VER-AIP-MISSING).

    Never call it while holding the repair lock of ``aip_id`` (the repair itself uses verify_stored).
    """
    def once() -> CopyVerdict:
        return verify_stored(archive, aip_dir, aip_id=aip_id, location=location, algorithms=algorithms, now=now,
                             expected_tagmanifest_sha256=expected_tagmanifest_sha256)

    before = _identity(aip_dir)
    verdict = once()
    if verdict.ok or (before is not None and _identity(aip_dir) == before):
        return verdict
    with repair_lock(archive, aip_id):  # a repair in progress finishes first; none: at once
        return once()


def _verify(archive: Archive, loc: Location, rec: AipRecord, now: datetime, path: Path | None = None) -> CopyVerdict:
    """REP-1: every algorithm, signatures and the catalogue's tag-manifest digest."""
    return verify_stored(archive, path or loc.aip_path(rec.id), aip_id=rec.id, location=loc.name,
                         algorithms=AIP_ALGORITHMS, now=now, expected_tagmanifest_sha256=rec.tagmanifest_sha256)


def _before(verdict: CopyVerdict) -> str:
    if verdict.ok:
        return "ok"
    return "missing" if any(f.code == "VER-AIP-MISSING" for f in verdict.findings) else "damaged"


def _codes(verdict: CopyVerdict) -> tuple[str, ...]:
    return tuple(sorted({f.code for f in verdict.findings if f.level.value == "error"}))


# ---------------------------------------------------------------- catalogue updates

def _copy_row(session: Session, aip_id: str, loc: Location, now: datetime) -> AipCopyRow:
    row = session.execute(select(AipCopyRow).where(AipCopyRow.aip_id == aip_id,
                                                   AipCopyRow.location == loc.name)).scalar_one_or_none()
    if row is None:
        row = AipCopyRow(aip_id=aip_id, location=loc.name, relpath=loc.aip_relpath(aip_id), state="ok",
                         written_at=now)
        session.add(row)
    return row


def _record_verdicts(archive: Archive, rec: AipRecord, verdicts: Mapping[str, CopyVerdict], now: datetime) -> None:
    known = {c.location for c in rec.copies}
    with db.write_session(archive.engine) as s:
        for name, v in verdicts.items():
            if name in known:
                catalogue.update_copy_verification(s, rec.id, name, now, v.ok)
            append_event(s, at=now, type="aip.verify", agent=AGENT, aip_id=rec.id,
                         outcome="success" if v.ok else "failure",
                         detail={"location": name, "algorithms": list(v.algorithms), "files": v.files_checked,
                                 "bytes": v.bytes_checked, "codes": sorted({f.code for f in v.findings})})


def _record_repair(archive: Archive, aip_id: str, loc: Location, now: datetime, detail: Mapping[str, Any]) -> None:
    with db.write_session(archive.engine) as s:
        row = _copy_row(s, aip_id, loc, now)
        row.state, row.written_at, row.last_verified_at, row.last_verify_ok = "ok", now, now, True
        aip = s.get(AipRow, aip_id)
        if aip is not None and aip.state == "damaged":
            aip.state = "stored"
        append_event(s, at=now, type="aip.repair", agent=AGENT, aip_id=aip_id, detail={"location": loc.name,
                     **detail})


def _mark_damaged(archive: Archive, rec: AipRecord, verdicts: Mapping[str, CopyVerdict], now: datetime) -> None:
    """REP-5: the AIP state changes, the copies stay where they are."""
    with db.write_session(archive.engine) as s:
        aip = s.get(AipRow, rec.id)
        if aip is not None:
            aip.state = "damaged"
        append_event(s, at=now, type="aip.damaged", agent=AGENT, aip_id=rec.id, outcome="failure",
                     detail={"copies": {n: list(_codes(v)) for n, v in verdicts.items()}})


def _alert(archive: Archive, rec: AipRecord, verdicts: Mapping[str, CopyVerdict], now: datetime,
           finding: Finding) -> str:
    """Raise an alert through archive.alerts."""
    from archive.alerts import Alert, send_alert

    alert = Alert("aip.damaged", "error", now, f"AIP {rec.archive_number} has no good copy left",
                  f"保存信息包 {rec.archive_number} 已无完好副本", (finding,),
                  {"aip_id": rec.id, "copies": {n: list(_codes(v)) for n, v in verdicts.items()}})
    try:
        delivery = send_alert(archive, alert)
    except Exception as exc:  # noqa: BLE001 — a failing alert hook must not undo the damaged marking
        log.warning("alert for damaged AIP %s failed: %s", rec.id, exc)
        return f"alert failed: {exc}"
    return "sent" if getattr(delivery, "ok", True) else "alert delivery failed"


# ---------------------------------------------------------------- copying

def _read_manifest(path: Path, name: str) -> dict[str, str]:
    try:
        entries, _problems = parse_manifest(path.read_bytes(), name, (1, 0))
    except OSError:
        return {}
    return entries


def _expected(source: Path, rec: AipRecord) -> dict[str, dict[str, str]]:
    """rel path → algorithm → digest, from the source's manifests, the catalogue for the rest."""
    out: dict[str, dict[str, str]] = {}
    for alg in AIP_ALGORITHMS:
        for name in (f"manifest-{alg}.txt", f"tagmanifest-{alg}.txt"):
            for rel, digest in _read_manifest(source / name, name).items():
                out.setdefault(rel, {})[alg] = digest
    for alg in AIP_ALGORITHMS:
        for name in (f"tagmanifest-{alg}.txt", f"tagmanifest-{alg}.txt.p7s"):
            out.setdefault(name, {})
    out["tagmanifest-sha256.txt"]["sha256"] = rec.tagmanifest_sha256
    for f in rec.files:
        if f.path in out and not out[f.path]:
            out[f.path] = {"sha256": f.sha256, "sm3": f.sm3}
    return out


def _copy_from(source: Path, dest: Path, rec: AipRecord, source_name: str, workers: int) -> list[Finding]:
    """REP-2: copy every listed file while hashing it; findings for any byte that differs."""
    expected = _expected(source, rec)
    for rel in expected:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
    jobs = ((rel, source / rel, dest / rel) for rel in sorted(expected))
    problems: list[Finding] = []
    for result in digest_many(jobs, AIP_ALGORITHMS, workers=workers, fsync=False):
        if result.error:
            problems.append(Finding(ic.REP_COPY_MISMATCH, result.key, expected="readable", found=result.error,
                                    params={"source": source_name, "algorithm": "-"}))
            continue
        for alg, digest in expected[result.key].items():
            if result.digests.get(alg) != digest:
                problems.append(Finding(ic.REP_COPY_MISMATCH, result.key, expected=digest,
                                        found=result.digests.get(alg), params={"source": source_name,
                                                                               "algorithm": alg}))
    return problems


# ---------------------------------------------------------------- the journaled swap

def _evidence_path(loc: Location, aip_id: str, stamp: str) -> Path:
    base = loc.root / DAMAGED_DIR / f"{aip_id}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def _open_journal(loc: Location, aip_id: str, stamp: str, evidence: Path, detail: Mapping[str, Any]) -> Path:
    journal = loc.root / JOURNAL_DIR / f"{aip_id}-{stamp}"
    journal.mkdir(parents=True)
    body = {"aip_id": aip_id, "location": loc.name, "evidence": str(evidence.relative_to(loc.root)), **detail}
    write_atomic(journal / JOURNAL, json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    fsync_dir(journal.parent)
    return journal


def _swap(loc: Location, aip_id: str, evidence: Path, rebuilt: Path) -> str | None:
    """REP-3, REP-4: the damaged copy becomes evidence and the fsynced rebuilt copy takes its
    place — two renames back to back, every slow step (fsync, mkdir) before or after them."""
    current = loc.aip_path(aip_id)
    evidence.parent.mkdir(parents=True, exist_ok=True)
    moved = os.path.lexists(current)
    if moved:  # nothing to move when the copy is missing
        move(loc, current, evidence)
    hit("repair.damaged-moved")
    hit("repair.before-publish")
    publish(rebuilt, loc, aip_id, synced=True)
    if moved:
        fsync_dir(evidence.parent)
    return str(evidence.relative_to(loc.root)) if moved else None


@dataclass(frozen=True)
class _Job:
    rec: AipRecord
    source: Location
    target: Location
    damaged: CopyVerdict


def _rebuild(archive: Archive, job: _Job, now: datetime) -> tuple[CopyAction, list[Finding]]:
    """Stage, verify, journal, swap, record (REP-2..REP-4)."""
    rec, target, codes = job.rec, job.target, _codes(job.damaged)
    before = _before(job.damaged)
    try:
        return _rebuild_unsafe(archive, job, now, before, codes)
    except OSError as exc:
        _restore_after_error(target, rec.id)
        finding = Finding(ic.REP_WRITE_FAILED, target.name, params={"reason": f"{type(exc).__name__}: {exc}"})
        _record_failure(archive, job, now, [finding])
        return CopyAction(target.name, before, "failed", job.source.name, codes), [finding]


def _rebuild_unsafe(archive: Archive, job: _Job, now: datetime, before: str,
                    codes: tuple[str, ...]) -> tuple[CopyAction, list[Finding]]:
    rec, target, stamp = job.rec, job.target, _stamp(now)
    with staging_area(target) as area:
        staged = area.path / "aip"
        problems = _copy_from(job.source.aip_path(rec.id), staged, rec, job.source.name,
                              archive.config.ingest.workers)
        verdict = _verify(archive, target, rec, now, staged) if not problems else None
        if problems or verdict is None or not verdict.ok:
            found = problems or list(verdict.findings if verdict else [])
            finding = Finding(ic.REP_REBUILD_FAILED, target.name,
                              params={"codes": ", ".join(sorted({f.code for f in found}))})
            _record_failure(archive, job, now, [finding, *problems])
            return CopyAction(target.name, before, "kept", job.source.name, codes), [finding, *problems]
        hit("repair.staged")
        evidence_path = _evidence_path(target, rec.id, stamp)
        detail = {"source": job.source.name, "codes": list(codes), "before": before}
        journal = _open_journal(target, rec.id, stamp, evidence_path, detail)
        move(target, staged, journal / REBUILT)
        fsync_tree(journal / REBUILT)  # now, not between the renames: the AIP path must not stay empty
        fsync_dir(journal)
    evidence = _swap(target, rec.id, evidence_path, journal / REBUILT)
    hit("repair.published")
    _record_repair(archive, rec.id, target, now, {**detail, "evidence": evidence, "journal": journal.name,
                                                   "files": verdict.files_checked, "bytes": verdict.bytes_checked})
    _discard(target, journal)
    done = Finding(ic.REP_COPY_REPAIRED, target.name, params={"source": job.source.name, "evidence": evidence or "-"})
    return CopyAction(target.name, before, "rebuilt", job.source.name, codes, evidence), [done]


def _record_failure(archive: Archive, job: _Job, now: datetime, findings: list[Finding]) -> None:
    with db.write_session(archive.engine) as s:
        append_event(s, at=now, type="aip.repair", agent=AGENT, aip_id=job.rec.id, outcome="failure",
                     detail={"location": job.target.name, "source": job.source.name,
                             "codes": list(_codes(job.damaged)), "problems": sorted({f.code for f in findings})})


def _restore_after_error(loc: Location, aip_id: str) -> None:
    """After an OS error mid-swap, put things back now rather than waiting for recovery."""
    for journal in _journals(loc, aip_id):
        try:
            _recover_one_fs(loc, journal)
        except OSError:
            log.exception("could not undo the interrupted repair in %s", journal)


# ---------------------------------------------------------------- recovery (REP-4)

def _discard(loc: Location, path: Path) -> None:
    """Remove a journal or its rebuilt copy (guarded: nothing outside ``.repair/<aip>-<time>/``)."""
    try:
        remove_tree(loc, path)
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)


def _journals(loc: Location, aip_id: str | None = None) -> Iterator[Path]:
    base = loc.root / JOURNAL_DIR
    if not base.is_dir():
        return
    for entry in sorted(base.iterdir()):
        name_id = entry.name.split("-", 1)[0]
        # only what a repair names: an entry of any other shape is never touched
        if entry.is_dir() and not entry.is_symlink() and is_aip_id(name_id) and "-" in entry.name and \
                (aip_id is None or name_id == aip_id):
            yield entry


def _load_journal(journal: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((journal / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not is_aip_id(data.get("aip_id")) or \
            not journal.name.startswith(f"{data['aip_id']}-"):
        return None
    evidence = data.get("evidence")
    # the evidence a journal may name: this AIP's own folder under .damaged/, nothing else
    if evidence is not None and (not isinstance(evidence, str) or "/" in evidence[len(DAMAGED_DIR) + 1:]
                                 or not evidence.startswith(f"{DAMAGED_DIR}/{data['aip_id']}-")):
        return None
    return data


def _recover_one_fs(loc: Location, journal: Path) -> str:
    """Filesystem part of recovery without verification: roll back to the damaged copy."""
    data = _load_journal(journal)
    rebuilt = journal / REBUILT
    if data is None:
        _discard(loc, rebuilt)
        return "abandoned"
    current = loc.aip_path(data["aip_id"])
    evidence = loc.root / str(data.get("evidence", ""))
    if not os.path.lexists(current) and data.get("evidence") and evidence.is_dir():
        current.parent.mkdir(parents=True, exist_ok=True)
        move(loc, evidence, current)
        fsync_dir(current.parent)
        _discard(loc, rebuilt)
        return "restored damaged copy"
    _discard(loc, rebuilt)
    return "abandoned"


def _already_recorded(archive: Archive, journal_name: str, aip_id: str) -> bool:
    with db.read_session(archive.engine) as s:
        rows = s.execute(select(EventRow.detail).where(EventRow.aip_id == aip_id,
                                                       EventRow.type == "aip.repair")).scalars()
        return any(isinstance(d, dict) and d.get("journal") == journal_name for d in rows)


def _recover_journal(archive: Archive, loc: Location, journal: Path, now: datetime) -> Finding | None:
    data = _load_journal(journal)
    if data is None:
        action = _recover_one_fs(loc, journal)
        _discard(loc, journal)
        return Finding(ic.REP_RECOVERED, loc.name, params={"action": action})
    with db.read_session(archive.engine) as s:
        rec = catalogue.get_aip(s, data["aip_id"])
    if rec is None:  # not ours to judge; keep everything
        return None
    action = _roll(archive, loc, journal, rec, data, now)
    _discard(loc, journal)
    return Finding(ic.REP_RECOVERED, loc.name, params={"action": action})


def _roll(archive: Archive, loc: Location, journal: Path, rec: AipRecord, data: Mapping[str, Any],
          now: datetime) -> str:
    """Roll forward when the rebuilt copy is complete and verifies, else back to the damaged copy."""
    current, rebuilt = loc.aip_path(rec.id), journal / REBUILT
    detail = {k: data.get(k) for k in ("source", "codes", "before")}
    evidence = data.get("evidence") if (loc.root / str(data.get("evidence", ""))).is_dir() else None
    recorded = {**detail, "journal": journal.name, "recovered": True, "evidence": evidence}
    if not os.path.lexists(current) and rebuilt.is_dir() and _verify(archive, loc, rec, now, rebuilt).ok:
        publish(rebuilt, loc, rec.id)
        _record_repair(archive, rec.id, loc, now, recorded)
        return "published the verified rebuilt copy"
    if os.path.lexists(current) and not rebuilt.exists():
        if _already_recorded(archive, journal.name, rec.id):
            return "repair already recorded"
        swapped = evidence is not None or data.get("before") == "missing"
        if swapped and _verify(archive, loc, rec, now).ok:
            _record_repair(archive, rec.id, loc, now, recorded)
            return "recorded the published rebuilt copy"
    action = _recover_one_fs(loc, journal)
    with db.write_session(archive.engine) as s:
        append_event(s, at=now, type="aip.repair.recovered", agent=AGENT, aip_id=rec.id,
                     detail={"location": loc.name, "journal": journal.name, "action": action})
    return action


def recover_repairs(archive: Archive, now: datetime) -> tuple[Finding, ...]:
    """REP-4: finish or undo repairs interrupted by a crash; sweep dead staging folders."""
    found: list[Finding] = []
    for loc in archive.locations:
        if not loc.root.is_dir():
            continue
        sweep_staging(loc)
        for journal in list(_journals(loc)):
            aip_id = journal.name.rsplit("-", 1)[0]
            with repair_lock(archive, aip_id):
                if journal.is_dir():
                    finding = _recover_journal(archive, loc, journal, now)
                    if finding is not None:
                        found.append(finding)
    return tuple(found)


# ---------------------------------------------------------------- the public operation

def _targets(archive: Archive, location: str | None) -> tuple[Location, ...]:
    if location is None:
        return archive.locations
    return (archive.location(location),)  # unknown name → ConfigError


def _source(archive: Archive, verdicts: Mapping[str, CopyVerdict]) -> Location | None:
    """The primary when it is good, else the first good copy in configuration order."""
    for loc in archive.locations:
        if verdicts[loc.name].bytes_ok:  # a hard link shared with another copy: bytes good, layout not
            return loc
    return None


def repair_aip(archive: Archive, aip_id: str, *, now: datetime, confirm: bool,
               location: str | None = None) -> RepairReport:
    """Verify every copy of an AIP (id, 档号 or 案号) and rebuild the bad ones from a good one.

    ``location`` limits which copies are rebuilt (all copies are still verified to
    find a source).  ``confirm=False`` returns the plan and changes nothing.
    """
    targets = _targets(archive, location)
    recovered = recover_repairs(archive, now) if confirm else ()
    with db.read_session(archive.engine) as s:
        rec = catalogue.get_aip(s, aip_id)
    if rec is None:
        return RepairReport(aip_id, confirm, "unknown", findings=recovered)
    with repair_lock(archive, rec.id):
        report = _repair_locked(archive, rec, targets, now, confirm)
    return RepairReport(report.aip_id, confirm, report.outcome, report.actions, recovered + report.findings,
                        report.alert)


def _repair_locked(archive: Archive, rec: AipRecord, targets: tuple[Location, ...], now: datetime,
                   confirm: bool) -> RepairReport:
    verdicts = {loc.name: _verify(archive, loc, rec, now) for loc in archive.locations}
    if confirm:
        _record_verdicts(archive, rec, verdicts, now)
    bad = [loc for loc in targets if not verdicts[loc.name].ok]
    noted = [Finding(ic.REP_COPY_DAMAGED, loc.name, params={"codes": ", ".join(_codes(verdicts[loc.name]))})
             for loc in bad]
    if not bad:
        return RepairReport(rec.id, confirm, "intact", _none(verdicts, targets))
    source = _source(archive, verdicts)
    if source is None:
        return _no_good_copy(archive, rec, verdicts, now, confirm, noted)
    if not confirm:
        actions = tuple(CopyAction(loc.name, _before(verdicts[loc.name]), "rebuild", source.name,
                                   _codes(verdicts[loc.name])) for loc in bad)
        return RepairReport(rec.id, confirm, "planned", actions, tuple(noted))
    return _run_jobs(archive, rec, source, bad, verdicts, now, noted)


def _none(verdicts: Mapping[str, CopyVerdict], targets: tuple[Location, ...]) -> tuple[CopyAction, ...]:
    return tuple(CopyAction(loc.name, "ok", "none") for loc in targets if loc.name in verdicts)


def _no_good_copy(archive: Archive, rec: AipRecord, verdicts: Mapping[str, CopyVerdict], now: datetime,
                  confirm: bool, noted: list[Finding]) -> RepairReport:
    finding = Finding(ic.REP_NO_GOOD_COPY, ", ".join(verdicts))
    actions = tuple(CopyAction(n, _before(v), "kept", None, _codes(v)) for n, v in verdicts.items())
    alert = None
    if confirm:
        _mark_damaged(archive, rec, verdicts, now)
        alert = _alert(archive, rec, verdicts, now, finding)
    return RepairReport(rec.id, confirm, "damaged", actions, (*noted, finding), alert)


def _run_jobs(archive: Archive, rec: AipRecord, source: Location, bad: list[Location],
              verdicts: Mapping[str, CopyVerdict], now: datetime, noted: list[Finding]) -> RepairReport:
    actions: list[CopyAction] = []
    findings: list[Finding] = list(noted)
    for target in bad:
        action, found = _rebuild(archive, _Job(rec, source, target, verdicts[target.name]), now)
        actions.append(action)
        findings.extend(found)
    outcome = "repaired" if all(a.action == "rebuilt" for a in actions) else "failed"
    return RepairReport(rec.id, True, outcome, tuple(actions), tuple(findings))
