"""Catalogue rebuild: reconstruct the catalogue from the AIPs and the event log, and diff.

The catalogue is an index (ARCHITECTURE.md): every AIP explains itself (DA/T 92
9.2.3), so the catalogue can be rebuilt from the store and the log alone.

Rules (cited by the ``RBD-`` codes):

- RBD-1  every ``<location>/aips/<xx>/<id>/`` is read — tag files only (bag-info.txt,
  preservation/description.json, the manifests, the signed tag manifest) plus the small
  ``data/metadata/casefile.xml``; payload files are only ``stat``-ed for their size.
  Only a copy whose tag manifest is signed by a trust anchor ([signing] trusted) and whose
  tag files match it is adopted; an AIP without one is reported (RBD-AIP-UNVERIFIED, an
  error) and left out of the rebuilt catalogue.
- RBD-2  AIP fields come from bag-info.txt (档号, 案号, identifiers, times), description.json
  (归档日期, container digest), casefile.xml (court, cause, dates…) and the ``aip.ingest``
  event (SIP fingerprint); the AIP state from ``aip.damaged``/``aip.repair`` events.
- RBD-3  files: payload from the manifests (+ size), tag files hashed (SHA-256, SM3).
- RBD-4  copies: written at ingest or at the last successful ``aip.repair`` of that location,
  verification from the last ``aip.verify``/``aip.repair`` event of that location.
- RBD-5  archive-number counters: the highest sequence number issued in each series, by
  the AIPs and by the newest checkpoint (archive.numbering NUM-2).  Applying never lowers
  a counter: a number is never issued twice (GB/T 18894 8.6).
- RBD-6  two AIPs with one 档号 or 案号 are a finding, never a crash: the one whose
  ``aip.ingest`` event names that 档号 (else the earlier archived) is rebuilt, the other
  is reported and left out of the catalogue.
- RBD-7  an AIP without an ``aip.ingest`` event is rebuilt from its own preservation
  metadata (Archived-At for the time written); events its ``preservation/events.json``
  names that the log lacks are reported, and ``--apply`` records them as lost in the
  ``catalog.rebuild`` event (``lost_events``) so ``log verify`` knows they were seen.

The rebuilt catalogue is written to a fresh temporary SQLite database (same schema,
migrated with Alembic) in ``<root>/tmp/rebuild-<token>/`` — locked while its run lives,
removed by the next run if the process was killed — and compared with the current one table by table.  With
``apply=True`` the current catalogue is reconciled in one write transaction with a
``catalog.rebuild`` event, after a backup copy of the SQLite file (SQLite online backup).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

import archive.integrity_codes as ic
from archive import catalogue, db
from archive.archive import Archive
from archive.catalogue import AipRecord, CopyRecord, FileRecord
from archive.events import append_event, iter_events
from archive.failpoints import hit
from archive.models import AipCopyRow, AipFileRow, AipRow, ArchiveNumberCounter, EventRow
from archive.store import is_aip_id, scratch_area
from findings import Finding, findings_to_json, has_errors
from findings.i18n import Lang
from fixity.manifest import parse_manifest
from fixity.signing import verify_detached
from fixity.tagfile import parse_tag_file
from metadata.archive_number import ArchiveNumberRule
from metadata.xml import parse_casefile

AGENT = "casearchive catalog rebuild"
CASEFILE = "data/metadata/casefile.xml"
_SCALARS = [f for f in AipRecord.__dataclass_fields__ if f not in ("files", "copies")]
_COPY_FIELDS = ("relpath", "state", "written_at", "last_verified_at", "last_verify_ok")


@dataclass(frozen=True)
class RebuildReport:
    """Differences between the catalogue and what the store and log say (expected = store/log)."""

    aips_on_disk: int
    aips_in_catalogue: int
    differences: tuple[Finding, ...]
    findings: tuple[Finding, ...] = ()  # reading problems of copies, log verification
    applied: bool = False
    backup: str | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.differences) and not has_errors(self.findings)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"ok": self.ok, "aips_on_disk": self.aips_on_disk, "aips_in_catalogue": self.aips_in_catalogue,
                "applied": self.applied, "backup": self.backup,
                "differences": findings_to_json(self.differences, lang), "findings": findings_to_json(self.findings, lang)}


# ---------------------------------------------------------------- the event log (RBD-2, RBD-4)

@dataclass
class _History:
    """What the log says about one AIP."""

    ingest: Mapping[str, Any] | None = None
    ingested_at: datetime | None = None
    state: str = "stored"
    copies: dict[str, dict[str, Any]] | None = None


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _apply_event(h: _History, type_: str, at: datetime, outcome: str, detail: Mapping[str, Any]) -> None:
    copies = h.copies if h.copies is not None else {}
    h.copies = copies
    loc = detail.get("location")
    if type_ == "aip.ingest":
        h.ingest, h.ingested_at = detail, at
        names = [str(n) for n in detail.get("locations", [])]
        verified = len(names) > 1  # replication verified every byte at write (ingest.pipeline)
        for name in names:
            copies[name] = {"state": "ok", "written_at": at, "last_verified_at": at if verified else None,
                            "last_verify_ok": True if verified else None}
    elif type_ == "aip.verify" and isinstance(loc, str) and loc in copies:
        ok = outcome == "success"
        copies[loc].update(state="ok" if ok else "damaged", last_verified_at=at, last_verify_ok=ok)
    elif type_ == "aip.repair" and outcome == "success" and isinstance(loc, str):
        copies[loc] = {"state": "ok", "written_at": at, "last_verified_at": at, "last_verify_ok": True}
        h.state = "stored" if h.state == "damaged" else h.state
    elif type_ == "aip.damaged":
        h.state = "damaged"


def _histories(archive: Archive) -> tuple[dict[str, _History], dict[int, str]]:
    """What the log says per AIP, and every event's hash by seq (RBD-7)."""
    out: dict[str, _History] = {}
    hashes: dict[int, str] = {}
    with db.read_session(archive.engine) as s:
        for ev in iter_events(s):
            hashes[ev.seq] = ev.hash
            if ev.aip_id is None or not ev.type.startswith("aip."):
                continue
            _apply_event(out.setdefault(ev.aip_id, _History()), ev.type, _utc(ev.at) or ev.at, ev.outcome,
                         ev.detail if isinstance(ev.detail, Mapping) else {})
    return out, hashes


# ---------------------------------------------------------------- reading one AIP copy (RBD-1..3)

class _Unreadable(Exception):
    """A copy cannot serve the rebuild; the message says why."""


@dataclass(frozen=True)
class _CopyFacts:
    record: AipRecord
    verified: bool
    series: tuple[str, int] | None
    events: tuple[tuple[int, str], ...] = ()  # (seq, hash) named by preservation/events.json


def _named_events(tags: Mapping[str, bytes]) -> tuple[tuple[int, str], ...]:
    try:
        events = json.loads(tags.get("preservation/events.json", b"[]"))
    except ValueError:
        return ()
    if not isinstance(events, list):
        return ()
    return tuple((e["seq"], str(e["hash"])) for e in events
                 if isinstance(e, dict) and isinstance(e.get("seq"), int) and "hash" in e)


def _read(aip_dir: Path, rel: str) -> bytes:
    try:
        with open(aip_dir / rel, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as fh:
            return fh.read()
    except OSError as exc:
        raise _Unreadable(f"{rel}: {exc.strerror or exc}") from None


def _tag_values(aip_dir: Path) -> dict[str, str]:
    items, _problems = parse_tag_file(_read(aip_dir, "bag-info.txt"), "bag-info.txt")
    values: dict[str, str] = {}
    for label, value in items:
        values.setdefault(label, value)
    for label in ("AIP-Identifier", "Archive-Number", "External-Identifier", "Archived-At"):
        if label not in values:
            raise _Unreadable(f"bag-info.txt: no {label}")
    return values


def _tag_files(aip_dir: Path) -> dict[str, bytes]:
    """Every file outside data/ (tag files, manifests, signatures)."""
    out: dict[str, bytes] = {}
    for dirpath, dirs, files in os.walk(aip_dir):
        rel_dir = os.path.relpath(dirpath, aip_dir)
        if rel_dir == "data":
            dirs[:] = []
            continue
        for name in files:
            rel = os.path.normpath(os.path.join(rel_dir, name)).replace(os.sep, "/")
            out[rel] = _read(aip_dir, rel)
    return out


def _signed_ok(tags: Mapping[str, bytes], archive: Archive, now: datetime) -> bool:
    """The SHA-256 tag manifest's signature is valid *by a trust anchor* ([signing] trusted,
    pinned by fingerprint) and every tag file it lists matches.

    Only such a copy may feed the catalogue: a copy resealed and re-signed with any other
    key (even one whose certificate copies the archive's name) is a forgery (RBD-1).
    """
    manifest, sig = tags.get("tagmanifest-sha256.txt"), tags.get("tagmanifest-sha256.txt.p7s")
    if manifest is None or sig is None:
        return False
    if not verify_detached(manifest, sig, trusted=archive.trusted, now=now, location="tagmanifest-sha256.txt").valid:
        return False
    entries, _ = parse_manifest(manifest, "tagmanifest-sha256.txt", (1, 0))
    return all(rel in tags and hashlib.sha256(tags[rel]).hexdigest() == d for rel, d in entries.items())


def _payload(aip_dir: Path, tags: Mapping[str, bytes]) -> list[FileRecord]:
    sha = parse_manifest(tags.get("manifest-sha256.txt", b""), "manifest-sha256.txt", (1, 0))[0]
    sm3 = parse_manifest(tags.get("manifest-sm3.txt", b""), "manifest-sm3.txt", (1, 0))[0]
    if not sha:
        raise _Unreadable("manifest-sha256.txt: missing or empty")
    files = []
    for rel in sorted(sha):
        try:
            size = os.lstat(aip_dir / rel).st_size
        except OSError as exc:
            raise _Unreadable(f"{rel}: {exc.strerror or exc}") from None
        files.append(FileRecord(rel, "payload", size, sha[rel], sm3.get(rel, "")))
    return files


def _tag_records(tags: Mapping[str, bytes]) -> list[FileRecord]:
    return [FileRecord(rel, "tag", len(data), hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest())
            for rel, data in sorted(tags.items())]


def _casefile(aip_dir: Path, payload: list[FileRecord]) -> Any:
    data = _read(aip_dir, CASEFILE)
    listed = next((f.sha256 for f in payload if f.path == CASEFILE), None)
    if listed != hashlib.sha256(data).hexdigest():
        raise _Unreadable(f"{CASEFILE}: digest differs from manifest-sha256.txt")
    cf, problems = parse_casefile(data, CASEFILE)
    if cf is None:
        raise _Unreadable(f"{CASEFILE}: " + ", ".join(p.code for p in problems))
    return cf


def _fingerprint(payload: list[FileRecord], history: _History) -> str:
    """From the ingest event; else as ingest computes it (SHA-256 over the sorted manifest)."""
    if history.ingest and isinstance(history.ingest.get("sip_fingerprint"), str):
        return str(history.ingest["sip_fingerprint"])
    h = hashlib.sha256()
    for f in sorted(payload, key=lambda f: f.path):
        h.update(f"{f.sha256}  {f.path}\n".encode("utf-8"))
    return h.hexdigest()


def _series(archive: Archive, cf: Any, number: str) -> tuple[str, int] | None:
    try:
        rule = ArchiveNumberRule(archive.config.ingest.archive_number_template,
                                 department_codes=archive.config.ingest.department_codes)
        numbered = cf if cf.fonds_number else replace(cf, fonds_number=archive.config.fonds_number)
        parts = rule.parse(number)
        return (rule.series_key(numbered), int(parts["seq"])) if parts else None
    except (ValueError, KeyError):
        return None


def _read_copy(archive: Archive, aip_dir: Path, history: _History, now: datetime) -> _CopyFacts:
    info = _tag_values(aip_dir)
    tags = _tag_files(aip_dir)
    payload = _payload(aip_dir, tags)
    cf = _casefile(aip_dir, payload)
    try:
        description = json.loads(tags.get("preservation/description.json", b"{}"))
        received = description.get("received") or {}
        archiving = date.fromisoformat(description["archiving_date"])
        ingested_at = _utc(datetime.fromisoformat(info["Archived-At"]))
        version = int(info.get("AIP-Version", "1"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _Unreadable(f"preservation/description.json or bag-info.txt: {exc}") from None
    record = AipRecord(
        id=info["AIP-Identifier"], case_number=info["External-Identifier"], archive_number=info["Archive-Number"],
        sip_fingerprint=_fingerprint(payload, history), source_organization=info.get("Source-Organization", cf.court),
        court=cf.court, department=cf.department, year=cf.year, cause=cf.cause, procedure=cf.procedure.value,
        retention=cf.retention.value, security_level=cf.security_level.value, filing_date=cf.filing_date,
        closing_date=cf.closing_date, archiving_date=archiving, document_count=len(cf.documents),
        page_count=cf.page_count, payload_files=len(payload), payload_bytes=sum(f.size for f in payload),
        tagmanifest_sha256=hashlib.sha256(tags.get("tagmanifest-sha256.txt", b"")).hexdigest(),
        container_sha256=received.get("container_sha256"), ingested_at=ingested_at,  # type: ignore[arg-type]
        title=cf.title, state=history.state, version=version,
        files=tuple(payload + _tag_records(tags)))
    return _CopyFacts(record, _signed_ok(tags, archive, now), _series(archive, cf, record.archive_number),
                      _named_events(tags))


# ---------------------------------------------------------------- scanning the store

def _scan(archive: Archive) -> dict[str, dict[str, Path]]:
    """aip id → location name → copy directory, for every AIP directory in every location."""
    found: dict[str, dict[str, Path]] = {}
    for loc in archive.locations:
        base = loc.root / "aips"
        if not base.is_dir():
            continue
        for prefix in sorted(base.iterdir()):
            if not prefix.is_dir():
                continue
            for aip_dir in sorted(prefix.iterdir()):
                if aip_dir.is_dir() and not aip_dir.is_symlink() and is_aip_id(aip_dir.name):
                    found.setdefault(aip_dir.name, {})[loc.name] = aip_dir
    return found


def _copies(archive: Archive, aip_id: str, on_disk: Mapping[str, Path], history: _History,
            archived_at: datetime) -> tuple[CopyRecord, ...]:
    out = []
    seen = dict(history.copies or {})
    for loc in archive.locations:
        facts = seen.get(loc.name)
        if facts is None and loc.name not in on_disk:
            continue
        # RBD-7: without an ingest event (a crash between publish and commit, a truncated log)
        # the AIP's own Archived-At is the best witness of when it was written.
        facts = facts or {"state": "ok", "written_at": history.ingested_at or archived_at, "last_verified_at": None,
                          "last_verify_ok": None}
        out.append(CopyRecord(loc.name, loc.aip_relpath(aip_id), facts["state"], facts["written_at"],
                              facts["last_verified_at"], facts["last_verify_ok"]))
    return tuple(out)


def _choose(archive: Archive, aip_id: str, copies: Mapping[str, Path], history: _History, now: datetime,
            problems: list[Finding]) -> _CopyFacts | None:
    """RBD-1: read every copy; prefer one whose signed tag manifest holds; note disagreements."""
    readable: list[tuple[str, _CopyFacts]] = []
    for name, path in copies.items():
        try:
            readable.append((name, _read_copy(archive, path, history, now)))
        except _Unreadable as exc:
            problems.append(Finding(ic.RBD_AIP_UNREADABLE, f"{name}:{aip_id}", params={"reason": str(exc)}))
    if not readable:
        return None
    digests = {f.record.tagmanifest_sha256 for _n, f in readable}
    if len(digests) > 1:
        problems.append(Finding(ic.RBD_COPIES_DISAGREE, aip_id, expected=readable[0][1].record.tagmanifest_sha256,
                                found=", ".join(sorted(digests - {readable[0][1].record.tagmanifest_sha256}))))
    good = [(n, f) for n, f in readable if f.verified]
    if not good:
        # Never adopted: the catalogue keeps what it had, and verify/repair deal with the copies.
        problems.append(Finding(ic.RBD_AIP_UNVERIFIED, aip_id,
                                params={"source": "checked: " + ", ".join(n for n, _f in readable)}))
        return None
    name, facts = good[0]
    if facts.record.id != aip_id:
        problems.append(Finding(ic.RBD_FIELD_DIFFERS, f"{name}:{aip_id}/bag-info.txt AIP-Identifier",
                                expected=aip_id, found=facts.record.id))
    return facts


@dataclass(frozen=True)
class _Rebuilt:
    records: dict[str, AipRecord]
    counters: dict[str, int]
    problems: tuple[Finding, ...]
    on_disk: int
    lost_events: tuple[dict[str, Any], ...] = field(default=())


def _rebuild_records(archive: Archive, now: datetime) -> _Rebuilt:
    from archive.numbering import checkpoint_counters

    histories, log = _histories(archive)
    problems: list[Finding] = []
    records: dict[str, AipRecord] = {}
    counters: dict[str, int] = dict(checkpoint_counters(archive.config.root))
    lost: list[dict[str, Any]] = []
    store = _scan(archive)
    for aip_id, copies in sorted(store.items()):
        history = histories.get(aip_id, _History())
        if history.ingest is None:
            problems.append(Finding(ic.RBD_NO_INGEST_EVENT, aip_id))
        facts = _choose(archive, aip_id, copies, history, now, problems)
        if facts is None:
            continue
        records[aip_id] = replace(facts.record, id=aip_id,
                                  copies=_copies(archive, aip_id, copies, history, facts.record.ingested_at))
        if facts.series:
            counters[facts.series[0]] = max(counters.get(facts.series[0], 0), facts.series[1])
        for seq, digest in facts.events:
            if log.get(seq) != digest:
                reason = "beyond the end of the log" if seq not in log else "the log holds another event there"
                problems.append(Finding(ic.RBD_EVENT_NOT_IN_LOG, aip_id, params={"event": seq, "reason": reason}))
                lost.append({"seq": seq, "hash": digest, "aip_id": aip_id})
    _drop_duplicates(records, histories, problems)
    return _Rebuilt(records, counters, tuple(problems), len(store), tuple(lost))


def _drop_duplicates(records: dict[str, AipRecord], histories: Mapping[str, _History],
                     problems: list[Finding]) -> None:
    """RBD-6: one AIP per 档号 and per 案号 (the catalogue's unique keys); report the others."""
    def rank(rec: AipRecord) -> tuple[int, str, str]:
        ingest = histories.get(rec.id, _History()).ingest or {}
        confirmed = ingest.get("archive_number") == rec.archive_number
        return (0 if confirmed else 1, _norm(rec.ingested_at), rec.id)

    for attr, label in (("archive_number", "档号"), ("case_number", "案号")):
        groups: dict[str, list[AipRecord]] = {}
        for rec in records.values():
            groups.setdefault(getattr(rec, attr), []).append(rec)
        for value, recs in sorted(groups.items()):
            if len(recs) < 2:
                continue
            keep, *others = sorted(recs, key=rank)
            problems.append(Finding(ic.RBD_DUPLICATE_NUMBER, ", ".join(sorted(r.id for r in recs)), found=value,
                                    params={"field": label, "kept": keep.id}))
            for rec in others:
                del records[rec.id]


# ---------------------------------------------------------------- the temporary catalogue

def _write_temporary(archive: Archive, rebuilt: _Rebuilt, url: str, now: datetime) -> None:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        with db.write_session(engine) as s:
            catalogue.ensure_locations(s, [(c.name, str(c.path), c.required) for c in archive.config.storage], now)
            for rec in rebuilt.records.values():
                catalogue.register_aip(s, rec)
            for series, last in rebuilt.counters.items():
                s.add(ArchiveNumberCounter(series=series, last_seq=last))
    finally:
        engine.dispose()


def _load_all(engine: Any) -> tuple[dict[str, AipRecord], dict[str, int]]:
    with db.read_session(engine) as s:
        ids = s.execute(select(AipRow.id)).scalars().all()
        records = {i: catalogue.get_aip(s, i) for i in ids}
        counters = {k: v for k, v in s.execute(select(ArchiveNumberCounter.series, ArchiveNumberCounter.last_seq))}
    return {k: v for k, v in records.items() if v is not None}, counters


# ---------------------------------------------------------------- comparison

def _norm(value: Any) -> str:
    if isinstance(value, datetime):
        return (_utc(value) or value).isoformat()
    return "" if value is None else str(value)


def _diff_aip(want: AipRecord, have: AipRecord) -> Iterator[Finding]:
    for name in _SCALARS:
        a, b = _norm(getattr(want, name)), _norm(getattr(have, name))
        if a != b:
            yield Finding(ic.RBD_FIELD_DIFFERS, f"{want.id}/{name}", expected=a, found=b, params={"field": name})
    yield from _diff_files(want, have)
    yield from _diff_copies(want, have)


def _diff_files(want: AipRecord, have: AipRecord) -> Iterator[Finding]:
    mine, theirs = {f.path: f for f in want.files}, {f.path: f for f in have.files}
    for path in sorted(set(mine) - set(theirs)):
        yield Finding(ic.RBD_FILE_NOT_IN_CATALOGUE, f"{want.id}/{path}")
    for path in sorted(set(theirs) - set(mine)):
        yield Finding(ic.RBD_FILE_NOT_IN_AIP, f"{want.id}/{path}")
    for path in sorted(set(mine) & set(theirs)):
        for name in ("role", "size", "sha256", "sm3"):
            a, b = getattr(mine[path], name), getattr(theirs[path], name)
            if a != b:
                yield Finding(ic.RBD_FILE_DIFFERS, f"{want.id}/{path}", expected=str(a), found=str(b),
                              params={"field": name})


def _diff_copies(want: AipRecord, have: AipRecord) -> Iterator[Finding]:
    mine, theirs = {c.location: c for c in want.copies}, {c.location: c for c in have.copies}
    for name in sorted(set(mine) - set(theirs)):
        yield Finding(ic.RBD_COPY_NOT_IN_CATALOGUE, f"{want.id}@{name}")
    for name in sorted(set(theirs) - set(mine)):
        yield Finding(ic.RBD_COPY_EXTRA, f"{want.id}@{name}")
    for name in sorted(set(mine) & set(theirs)):
        for field_name in _COPY_FIELDS:
            a, b = _norm(getattr(mine[name], field_name)), _norm(getattr(theirs[name], field_name))
            if a != b:
                yield Finding(ic.RBD_COPY_DIFFERS, f"{want.id}@{name}", expected=a, found=b,
                              params={"field": field_name})


def _diff_counters(want: Mapping[str, int], have: Mapping[str, int]) -> Iterator[Finding]:
    for series in sorted(set(want) | set(have)):
        issued, counter = want.get(series, 0), have.get(series)
        if counter is None or counter < issued:
            yield Finding(ic.RBD_COUNTER_BEHIND, series, expected=str(issued), found=str(counter))
        elif counter > issued:
            yield Finding(ic.RBD_COUNTER_AHEAD, series, expected=str(issued), found=str(counter))


def _diff(want: Mapping[str, AipRecord], have: Mapping[str, AipRecord], want_counters: Mapping[str, int],
          have_counters: Mapping[str, int]) -> list[Finding]:
    out: list[Finding] = []
    for aip_id in sorted(set(want) - set(have)):
        out.append(Finding(ic.RBD_AIP_NOT_IN_CATALOGUE, aip_id, expected=want[aip_id].archive_number))
    for aip_id in sorted(set(have) - set(want)):
        out.append(Finding(ic.RBD_AIP_NOT_ON_DISK, aip_id, found=have[aip_id].archive_number))
    for aip_id in sorted(set(want) & set(have)):
        out.extend(_diff_aip(want[aip_id], have[aip_id]))
    out.extend(_diff_counters(want_counters, have_counters))
    return out


# ---------------------------------------------------------------- the public operation

def rebuild_catalogue(archive: Archive, now: datetime, *, apply: bool = False) -> RebuildReport:
    """Rebuild into a temporary catalogue, compare, and (``apply``) reconcile the current one."""
    from archive.checkpoints import verify_log_full

    log_findings = tuple(f for f in verify_log_full(archive, now).findings if f.level.value == "error")
    rebuilt = _rebuild_records(archive, now)
    with scratch_area(archive.primary) as tmp:
        url = f"sqlite:///{tmp / 'rebuilt.sqlite'}"
        _write_temporary(archive, rebuilt, url, now)
        hit("rebuild.temporary-written")
        engine = db.make_engine(url)
        try:
            want, want_counters = _load_all(engine)
        finally:
            engine.dispose()
    have, have_counters = _load_all(archive.engine)
    differences = _diff(want, have, want_counters, have_counters)
    findings = log_findings + rebuilt.problems
    if not apply or not (differences or rebuilt.lost_events):
        return RebuildReport(rebuilt.on_disk, len(have), tuple(differences), findings)
    backup = _backup(archive, now)
    _reconcile(archive, want, have, want_counters, differences, backup, now, rebuilt.lost_events)
    return RebuildReport(rebuilt.on_disk, len(have), tuple(differences), findings, True, backup)


def _backup(archive: Archive, now: datetime) -> str | None:
    """A consistent copy of the SQLite catalogue beside it (other databases: use their own backups)."""
    if archive.engine.url.get_backend_name() != "sqlite" or not archive.engine.url.database:
        return None
    source = Path(archive.engine.url.database)
    target = source.with_name(f"{source.stem}.before-rebuild-{now.strftime('%Y%m%dT%H%M%SZ')}{source.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{source.stem}.before-rebuild-{now.strftime('%Y%m%dT%H%M%SZ')}-{n}{source.suffix}")
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # the online backup API: a consistent snapshot while others may write
    finally:
        dst.close()
        src.close()
    return str(target)


def _reconcile(archive: Archive, want: Mapping[str, AipRecord], have: Mapping[str, AipRecord],
               want_counters: Mapping[str, int], differences: list[Finding], backup: str | None,
               now: datetime, lost_events: tuple[dict[str, Any], ...] = ()) -> None:
    with db.write_session(archive.engine) as s:
        s.info[db.LOG_HEAD_RESET] = True  # the rebuild accepts the log as it now is (CKP-10)
        ingested = set(s.execute(select(EventRow.aip_id).where(EventRow.type == "aip.ingest")).scalars())
        skipped = []
        for aip_id, rec in want.items():
            if aip_id not in have and _number_taken(s, rec):
                skipped.append(aip_id)  # RBD-6: another catalogued AIP holds its 档号/案号; never a crash
                continue
            _replace_aip(s, rec, exists=aip_id in have)
        removed = [a for a in set(have) - set(want) if a not in ingested]  # never ingested: not ours
        for aip_id in removed:
            row = s.get(AipRow, aip_id)
            if row is not None:
                s.delete(row)
        for series, last in want_counters.items():
            counter = s.get(ArchiveNumberCounter, series)
            if counter is None:
                s.add(ArchiveNumberCounter(series=series, last_seq=last))
            elif counter.last_seq < last:
                counter.last_seq = last
        append_event(s, at=now, type="catalog.rebuild", agent=AGENT, detail={
            "differences": len(differences), "codes": sorted({f.code for f in differences}),
            "aips": len(want), "removed": sorted(removed), "kept_without_copy": sorted(set(have) - set(want) - set(removed)),
            "backup": backup, "lost_events": list(lost_events), "skipped_duplicates": sorted(skipped)})


def _number_taken(s: Session, rec: AipRecord) -> bool:
    return s.execute(select(AipRow.id).where(AipRow.id != rec.id, (AipRow.archive_number == rec.archive_number)
                                             | (AipRow.case_number == rec.case_number))).first() is not None


def _replace_aip(s: Session, rec: AipRecord, *, exists: bool) -> None:
    if not exists:
        catalogue.register_aip(s, rec)
        return
    row = s.get(AipRow, rec.id)
    assert row is not None
    for name in _SCALARS:
        setattr(row, name, getattr(rec, name))
    s.execute(delete(AipFileRow).where(AipFileRow.aip_id == rec.id))
    s.execute(insert(AipFileRow), [
        {"aip_id": rec.id, "path": f.path, "role": f.role, "size": f.size, "sha256": f.sha256, "sm3": f.sm3}
        for f in rec.files])
    copies = {c.location: c for c in rec.copies}
    for copy_row in list(row.copies):
        if copy_row.location not in copies:
            s.delete(copy_row)
    for name, c in copies.items():
        found_row = next((r for r in row.copies if r.location == name), None)
        if found_row is not None:
            copy_row = found_row
        else:
            copy_row = AipCopyRow(aip_id=rec.id, location=name)
            s.add(copy_row)
        copy_row.relpath, copy_row.state, copy_row.written_at = c.relpath, c.state, c.written_at
        copy_row.last_verified_at, copy_row.last_verify_ok = c.last_verified_at, c.last_verify_ok
    s.flush()
    s.expire(row)
