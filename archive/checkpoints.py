"""Signed checkpoints of the event log, and the full log verification built on them.

The hash chain (archive.events) catches an edit of one event, but someone who can
write the database can recompute every hash and the head after an edit.  A
checkpoint fixes the log prefix and the AIPs in a signed file *outside* the
database, so that rewrite is caught too.

Rules (cited by the ``CKP-`` codes):

- CKP-1  a checkpoint is canonical JSON (fixity.chain.canonical_json) in
  ``<root>/log/checkpoints/<seq:08d>.json``: format, seq, created_at, archive, the
  events (count N, last event hash, Merkle root over the hashes of events 1..N), the
  AIPs (count, Merkle root over ``"<aip id> <tagmanifest sha256>"`` sorted by id) and
  the previous checkpoint (seq, SHA-256 of its file).  Merkle roots per RFC 6962 §2.1.
- CKP-2  ``<seq>.json.p7s`` is a detached CMS signature of the archive's key over it;
  ``<seq>.json.tsr``, when present, an RFC 3161 token over its SHA-256.
- CKP-3  the ``checkpoint`` table repeats what the files say; the files win.
- CKP-4  checkpoints are numbered 1, 2, … and each names its predecessor's digest.
- CKP-5  the first N events of the current log have the checkpoint's root and last hash.
- CKP-6  the AIPs ingested (``aip.ingest``) among those N events and not removed
  (``aip.dispose``/``aip.destroy``/``aip.delete``) have the checkpoint's AIP root with the
  tag-manifest digests now in the catalogue; on a mismatch each AIP's digest is compared
  with its copy on disk to name the culprit.
- CKP-7..10  the catalogue is not behind the store: archive-number marks, AIPs on disk,
  ingest events, the events the AIPs name, the log head witness (archive.logcheck).

Events after the last checkpoint are protected by the chain only (CKP-UNCOVERED):
checkpoint often ([checkpoints] every_events / every_hours) and keep copies of
``log/checkpoints`` elsewhere, because deleting both the newest checkpoint files and
rows is only visible to someone holding such a copy or the time-stamps.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import archive.integrity_codes as ic
from archive import db
from archive.archive import Archive
from archive.config import ConfigError, Config
from archive.events import append_event, verify_log
from archive.logcheck import check_catalogue_against_store
from archive.models import AipRow, ArchiveNumberCounter, EventRow
from archive.models_integrity import CheckpointRow
from archive.store import named_lock
from findings import Finding, findings_to_json, has_errors
from findings.i18n import Lang
from fixity.chain import canonical_json, merkle_root
from fixity.sign_codes import SIG_UNTRUSTED_SIGNER
from fixity.durable import write_atomic
from fixity.signing import verify_detached

FORMAT = "casearchive-checkpoint/1"
DIRECTORY = Path("log") / "checkpoints"
REMOVAL_EVENTS = ("aip.dispose", "aip.destroy", "aip.delete")
AGENT = "casearchive log checkpoint"


@dataclass(frozen=True)
class CheckpointPolicy:
    """[checkpoints]: how often, and the optional RFC 3161 time-stamping service."""

    every_events: int = 1000
    every_hours: float = 24.0
    tsa_url: str = ""
    tsa_trusted: tuple[Path, ...] = ()
    tsa_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Config) -> "CheckpointPolicy":
        data = dict(config.section("checkpoints"))
        unknown = set(data) - {"every_events", "every_hours", "tsa_url", "tsa_trusted", "tsa_timeout"}
        if unknown:
            raise ConfigError(f"unknown key(s) in [checkpoints]: {', '.join(sorted(unknown))}")
        try:
            policy = cls(int(data.get("every_events", 1000)), float(data.get("every_hours", 24.0)),
                         str(data.get("tsa_url", "")),
                         tuple(config.root / str(p) for p in data.get("tsa_trusted", [])),
                         float(data.get("tsa_timeout", 10.0)))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[checkpoints]: {exc}") from None
        if policy.every_events < 1 or policy.every_hours <= 0 or policy.tsa_timeout <= 0:
            raise ConfigError("[checkpoints] every_events, every_hours and tsa_timeout must be positive")
        if policy.tsa_url and not policy.tsa_url.startswith(("http://", "https://")):
            raise ConfigError("[checkpoints] tsa_url must be an http:// or https:// URL")
        return policy


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint as made (``findings`` holds e.g. a failed time-stamp request)."""

    seq: int
    created_at: datetime
    event_count: int
    last_event_hash: str
    events_root: str
    aip_count: int
    aips_root: str
    body_sha256: str
    path: str
    timestamp_time: datetime | None = None
    findings: tuple[Finding, ...] = ()

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"seq": self.seq, "created_at": self.created_at.isoformat(), "event_count": self.event_count,
                "last_event_hash": self.last_event_hash, "events_root": self.events_root,
                "aip_count": self.aip_count, "aips_root": self.aips_root, "body_sha256": self.body_sha256,
                "path": self.path,
                "timestamp_time": self.timestamp_time.isoformat() if self.timestamp_time else None,
                "findings": findings_to_json(self.findings, lang)}


def checkpoint_dir(archive: Archive) -> Path:
    return archive.config.root / DIRECTORY


def _name(seq: int) -> str:
    return f"{seq:08d}.json"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def aip_leaf(aip_id: str, tagmanifest_sha256: str) -> bytes:
    return f"{aip_id} {tagmanifest_sha256}".encode("utf-8")


# ---------------------------------------------------------------- making a checkpoint

def _event_hashes(session: Session, limit: int | None = None) -> Iterator[tuple[int, str]]:
    """(seq, stored hash) of the first ``limit`` events in seq order, streamed."""
    query = select(EventRow.seq, EventRow.hash).order_by(EventRow.seq)
    if limit is not None:
        query = query.limit(limit)
    for seq, digest in session.execute(query).yield_per(10000):
        yield seq, str(digest)


def _aip_leaves(session: Session) -> list[bytes]:
    rows = session.execute(select(AipRow.id, AipRow.tagmanifest_sha256).order_by(AipRow.id))
    return [aip_leaf(i, tm) for i, tm in rows]


def _file_seqs(directory: Path) -> list[int]:
    if not directory.is_dir():
        return []
    return sorted(int(p.name[:-5]) for p in directory.glob("*.json") if p.name[:-5].isdigit())


def _body(archive: Archive, session: Session, seq: int, now: datetime) -> dict[str, Any]:
    hashes = [h for _s, h in _event_hashes(session)]
    aips = _aip_leaves(session)
    previous = None
    if seq > 1:
        prev_file = checkpoint_dir(archive) / _name(seq - 1)
        previous = {"seq": seq - 1, "sha256": hashlib.sha256(prev_file.read_bytes()).hexdigest()}
    return {"format": FORMAT, "seq": seq, "created_at": now.isoformat(), "archive": archive.config.name,
            "events": {"count": len(hashes), "last_hash": hashes[-1] if hashes else None,
                       "merkle_root": merkle_root([h.encode("ascii", "replace") for h in hashes])},
            "aips": {"count": len(aips), "merkle_root": merkle_root(aips),
                     "leaf": "<aip id> <tagmanifest-sha256.txt sha256>, sorted by aip id"},
            "previous": previous,
            # NUM-2: the counters outlive a catalogue restored from an older backup (archive.numbering).
            "archive_numbers": {k: v for k, v in session.execute(
                select(ArchiveNumberCounter.series, ArchiveNumberCounter.last_seq).order_by(ArchiveNumberCounter.series))}}


def _next_seq(archive: Archive, session: Session) -> int:
    in_db = session.execute(select(func.max(CheckpointRow.seq))).scalar_one() or 0
    on_disk = max(_file_seqs(checkpoint_dir(archive)), default=0)
    return max(in_db, on_disk) + 1


def make_checkpoint(archive: Archive, now: datetime) -> Checkpoint:
    """Sign (and optionally time-stamp) the current log prefix and AIP set (CKP-1, CKP-2)."""
    policy = CheckpointPolicy.from_config(archive.config)
    directory = checkpoint_dir(archive)
    directory.mkdir(parents=True, exist_ok=True)
    with named_lock(archive.config.root / "locks", "checkpoint"):
        with db.read_session(archive.engine) as s:
            seq = _next_seq(archive, s)
            body = _body(archive, s, seq, now)
        data = canonical_json(body)
        path = directory / _name(seq)
        write_atomic(path.with_name(path.name + ".p7s"), archive.signer.sign_detached(data, signing_time=now),
                     overwrite=False)
        token, when, findings = _timestamp(policy, data, path)
        write_atomic(path, data, overwrite=False)  # last: a checkpoint file always has its signature
        return _register(archive, body, data, path, token, when, tuple(findings), now)


def _timestamp(policy: CheckpointPolicy, data: bytes, path: Path) -> tuple[bytes | None, datetime | None,
                                                                             list[Finding]]:
    if not policy.tsa_url:
        return None, None, []
    from archive.timestamp import request_timestamp

    result = request_timestamp(data, policy.tsa_url, timeout=policy.tsa_timeout)
    if result.token is not None:
        write_atomic(path.with_name(path.name + ".tsr"), result.token, overwrite=False)
    return result.token, result.gen_time, list(result.findings)


def _register(archive: Archive, body: Mapping[str, Any], data: bytes, path: Path, token: bytes | None,
              when: datetime | None, findings: tuple[Finding, ...], now: datetime) -> Checkpoint:
    ev, aips = body["events"], body["aips"]
    cp = Checkpoint(body["seq"], now, ev["count"], ev["last_hash"] or "", ev["merkle_root"], aips["count"],
                    aips["merkle_root"], hashlib.sha256(data).hexdigest(),
                    str(path.relative_to(archive.config.root)), when, findings)
    with db.write_session(archive.engine) as s:
        s.add(CheckpointRow(seq=cp.seq, created_at=now, event_count=cp.event_count,
                            last_event_hash=cp.last_event_hash, events_root=cp.events_root,
                            aip_count=cp.aip_count, aips_root=cp.aips_root, body_sha256=cp.body_sha256,
                            path=cp.path, timestamp_token=token, timestamp_time=when))
        append_event(s, at=now, type="log.checkpoint", agent=AGENT, detail={
            "seq": cp.seq, "event_count": cp.event_count, "events_root": cp.events_root,
            "aip_count": cp.aip_count, "aips_root": cp.aips_root, "body_sha256": cp.body_sha256,
            "path": cp.path, "timestamped": token is not None})
    return cp


def checkpoint_due(archive: Archive, now: datetime) -> bool:
    """True when every_events events or every_hours hours passed since the last checkpoint."""
    policy = CheckpointPolicy.from_config(archive.config)
    with db.read_session(archive.engine) as s:
        last = s.execute(select(CheckpointRow).order_by(CheckpointRow.seq.desc()).limit(1)).scalar_one_or_none()
        events = s.execute(select(func.count()).select_from(EventRow)).scalar_one()
        if last is None:
            return events > 0
        if events - last.event_count > policy.every_events:  # the checkpoint's own event is not counted
            return True
        return now - _utc(last.created_at) >= timedelta(hours=policy.every_hours) and events > last.event_count + 1


def maybe_checkpoint(archive: Archive, now: datetime) -> Checkpoint | None:
    """For the scheduler: make a checkpoint when one is due."""
    return make_checkpoint(archive, now) if checkpoint_due(archive, now) else None


# ---------------------------------------------------------------- verification

@dataclass(frozen=True)
class LogVerification:
    """The verdict on the event log: chain, signed checkpoints, and what they cover."""

    events: int
    checkpoints: int
    covered: int
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "checkpoints": self.checkpoints, "covered": self.covered,
                "findings": findings_to_json(self.findings, lang)}


@dataclass(frozen=True)
class _Loaded:
    """One checkpoint file as read from disk."""

    seq: int
    data: bytes
    body: Mapping[str, Any]

    @property
    def location(self) -> str:
        return str(DIRECTORY / _name(self.seq))

    @property
    def count(self) -> int:
        return int(self.body["events"]["count"])


def _check_body(body: Any, seq: int) -> str | None:
    """Why a parsed checkpoint is not of the expected shape, or None."""
    try:
        ok = (body["format"] == FORMAT and body["seq"] == seq and isinstance(body["events"]["count"], int)
              and isinstance(body["events"]["merkle_root"], str) and isinstance(body["aips"]["merkle_root"], str)
              and isinstance(body["aips"]["count"], int))
    except (KeyError, TypeError):
        return "fields missing"
    return None if ok else "unexpected format, seq or field types"


def _load(directory: Path, seq: int, findings: list[Finding]) -> _Loaded | None:
    location = str(DIRECTORY / _name(seq))
    try:
        data = (directory / _name(seq)).read_bytes()
        body = json.loads(data)
    except OSError as exc:
        findings.append(Finding(ic.CKP_FILE_UNREADABLE, location, params={"reason": str(exc)}))
        return None
    except ValueError as exc:
        findings.append(Finding(ic.CKP_FILE_UNREADABLE, location, params={"reason": f"not JSON: {exc}"}))
        return None
    problem = _check_body(body, seq)
    if problem is not None:
        findings.append(Finding(ic.CKP_FILE_UNREADABLE, location, params={"reason": problem}))
        return None
    return _Loaded(seq, data, body)


def _check_signature(archive: Archive, cp: _Loaded, now: datetime, findings: list[Finding]) -> None:
    sig_path = checkpoint_dir(archive) / (_name(cp.seq) + ".p7s")
    try:
        signature = sig_path.read_bytes()
    except OSError:
        findings.append(Finding(ic.CKP_FILE_MISSING, cp.location + ".p7s"))
        return
    verdict = verify_detached(cp.data, signature, trusted=archive.trusted, now=now, location=cp.location)
    untrusted = next((f for f in verdict.findings if f.code == SIG_UNTRUSTED_SIGNER), None)
    if untrusted is not None:  # pinned trust: a checkpoint signed by any other key is forged
        findings.append(Finding(ic.CKP_SIGNATURE_UNTRUSTED, cp.location, found=untrusted.found,
                                params={"reason": verdict.reason}))
    elif verdict.status == "invalid":
        findings.append(Finding(ic.CKP_SIGNATURE_INVALID, cp.location, params={"reason": verdict.reason}))
    elif verdict.status == "indeterminate":
        findings.append(Finding(ic.CKP_SIGNATURE_INDETERMINATE, cp.location, params={"reason": verdict.reason}))


def _check_timestamp(archive: Archive, cp: _Loaded, now: datetime, findings: list[Finding]) -> None:
    path = checkpoint_dir(archive) / (_name(cp.seq) + ".tsr")
    if not path.exists():
        return
    from archive.timestamp import load_trusted, verify_timestamp

    policy = CheckpointPolicy.from_config(archive.config)
    try:
        token = path.read_bytes()
    except OSError as exc:
        findings.append(Finding(ic.CKP_TSA_INVALID, cp.location + ".tsr", params={"reason": exc.strerror or str(exc)}))
        return
    # Pinned like the signature: a token from a TSA outside [checkpoints] tsa_trusted is an error.
    verdict = verify_timestamp(token, cp.data, trusted=load_trusted(policy.tsa_trusted), now=now,
                               location=cp.location + ".tsr")
    findings.extend(verdict.findings)


def _check_chain(loaded: Sequence[_Loaded], findings: list[Finding]) -> None:
    """CKP-4: 1, 2, 3 … each naming its predecessor's digest."""
    previous: _Loaded | None = None
    for cp in loaded:
        want = None if previous is None else {"seq": previous.seq, "sha256": hashlib.sha256(previous.data).hexdigest()}
        found = cp.body.get("previous")
        if cp.seq == 1 and found is None:
            pass
        elif previous is None or previous.seq != cp.seq - 1:
            findings.append(Finding(ic.CKP_CHAIN_BROKEN, cp.location, expected=f"checkpoint {cp.seq - 1}",
                                    found="missing"))
        elif found != want:
            findings.append(Finding(ic.CKP_CHAIN_BROKEN, cp.location, expected=json.dumps(want), found=json.dumps(found)))
        previous = cp


_ROW_FIELDS = (("event_count", ("events", "count")), ("last_event_hash", ("events", "last_hash")),
               ("events_root", ("events", "merkle_root")), ("aip_count", ("aips", "count")),
               ("aips_root", ("aips", "merkle_root")))


def _check_rows(session: Session, loaded: Mapping[int, _Loaded], seqs: Iterable[int],
                findings: list[Finding]) -> None:
    """CKP-3: rows and files agree; a row without its file is a deleted file."""
    rows = {r.seq: r for r in session.execute(select(CheckpointRow)).scalars()}
    for seq in sorted(set(rows) - set(seqs)):
        findings.append(Finding(ic.CKP_FILE_MISSING, rows[seq].path or str(DIRECTORY / _name(seq))))
    for seq, cp in sorted(loaded.items()):
        row = rows.get(seq)
        if row is None:
            findings.append(Finding(ic.CKP_ROW_MISSING, cp.location))
            continue
        for column, (part, key) in _ROW_FIELDS:
            want, have = cp.body[part][key], getattr(row, column)
            if (want or "") != (have or ""):
                findings.append(Finding(ic.CKP_ROW_DIFFERS, cp.location, expected=str(want), found=str(have),
                                        params={"field": column}))
        if row.body_sha256 != hashlib.sha256(cp.data).hexdigest():
            findings.append(Finding(ic.CKP_ROW_DIFFERS, cp.location, expected=hashlib.sha256(cp.data).hexdigest(),
                                    found=row.body_sha256, params={"field": "body_sha256"}))


class _Frontier:
    """RFC 6962 Merkle tree hash of every prefix, one leaf at a time (O(log n) per root)."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (height, root of a perfect subtree)
        self.size = 0

    def add(self, leaf: bytes) -> None:
        node = (0, hashlib.sha256(b"\x00" + leaf).digest())
        while self._stack and self._stack[-1][0] == node[0]:
            height, left = self._stack.pop()
            node = (height + 1, hashlib.sha256(b"\x01" + left + node[1]).digest())
        self._stack.append(node)
        self.size += 1

    def root(self) -> str:
        if not self._stack:
            return hashlib.sha256(b"").hexdigest()
        acc = self._stack[-1][1]
        for _height, left in reversed(self._stack[:-1]):
            acc = hashlib.sha256(b"\x01" + left + acc).digest()
        return acc.hex()


def _check_events(session: Session, loaded: Sequence[_Loaded], findings: list[Finding]) -> None:
    """CKP-5: stream the log once; compare the root and last hash at each checkpoint's N."""
    pending = sorted(loaded, key=lambda c: c.count)
    frontier, previous_n, index = _Frontier(), 0, 0
    last = ("", 0)
    for seq, digest in _event_hashes(session):
        while index < len(pending) and pending[index].count == frontier.size:
            previous_n = _compare_events(pending[index], frontier, last, previous_n, findings)
            index += 1
        frontier.add(digest.encode("ascii", "replace"))
        last = (digest, seq)
    for cp in pending[index:]:
        if cp.count == frontier.size:
            previous_n = _compare_events(cp, frontier, last, previous_n, findings)
        else:
            findings.append(Finding(ic.CKP_LOG_TRUNCATED, cp.location, expected=str(cp.count),
                                    found=str(frontier.size)))


def _compare_events(cp: _Loaded, frontier: _Frontier, last: tuple[str, int], previous_n: int,
                    findings: list[Finding]) -> int:
    events = cp.body["events"]
    root = frontier.root()
    if root != events["merkle_root"]:
        findings.append(Finding(ic.CKP_EVENTS_ROOT_MISMATCH, cp.location, expected=events["merkle_root"], found=root,
                                params={"range": f"{previous_n + 1}..{cp.count}"}))
    if cp.count and last[0] != events.get("last_hash"):
        findings.append(Finding(ic.CKP_LAST_EVENT_MISMATCH, cp.location, expected=str(events.get("last_hash")),
                                found=last[0], params={"event": last[1]}))
    return cp.count if root == events["merkle_root"] else previous_n


def _aip_events(session: Session, upto: int) -> tuple[dict[str, int], dict[str, int]]:
    """(aip id → ingest event seq within 1..upto, aip id → seq of its removal anywhere)."""
    query = select(EventRow.seq, EventRow.type, EventRow.aip_id).where(
        EventRow.type.in_(("aip.ingest", *REMOVAL_EVENTS)), EventRow.aip_id.is_not(None)).order_by(EventRow.seq)
    ingested: dict[str, int] = {}
    removed: dict[str, int] = {}
    for seq, type_, aip_id in session.execute(query):
        if aip_id is None:
            continue
        if type_ == "aip.ingest" and seq <= upto:
            ingested.setdefault(aip_id, seq)
        elif type_ != "aip.ingest":
            removed[aip_id] = seq
    return ingested, removed


def _check_aips(archive: Archive, session: Session, cp: _Loaded, findings: list[Finding]) -> None:
    """CKP-6 for the newest checkpoint (its AIP set includes every older one's, less removals)."""
    ingested, removed = _aip_events(session, cp.count)
    current = dict(((i, tm) for i, tm in session.execute(select(AipRow.id, AipRow.tagmanifest_sha256))))
    covered = sorted(a for a in ingested if not (a in removed and removed[a] <= cp.count))
    missing = [a for a in covered if a not in current]
    for aip_id in missing:
        if aip_id in removed:
            findings.append(Finding(ic.CKP_AIPS_UNVERIFIABLE, cp.location,
                                    params={"reason": f"AIP {aip_id} was removed by event {removed[aip_id]}"}))
        else:
            findings.append(Finding(ic.CKP_AIP_MISSING, aip_id, params={"event": ingested[aip_id]}))
    if missing:
        return
    root = merkle_root([aip_leaf(a, current[a]) for a in covered])
    if root != cp.body["aips"]["merkle_root"]:
        findings.append(Finding(ic.CKP_AIPS_ROOT_MISMATCH, cp.location, expected=cp.body["aips"]["merkle_root"],
                                found=root))
        findings.extend(_localise_aips(archive, {a: current[a] for a in covered}))


def _localise_aips(archive: Archive, digests: Mapping[str, str]) -> list[Finding]:
    """Name each AIP whose catalogue tag-manifest digest differs from a copy on disk."""
    out = []
    for aip_id, recorded in sorted(digests.items()):
        for loc in archive.locations:
            try:
                data = (loc.aip_path(aip_id) / "tagmanifest-sha256.txt").read_bytes()
            except OSError:
                continue
            on_disk = hashlib.sha256(data).hexdigest()
            if on_disk != recorded:
                out.append(Finding(ic.CKP_AIP_DIGEST_DIFFERS, aip_id, expected=on_disk, found=recorded,
                                   params={"copy": loc.name}))
            break
    return out


def verify_log_full(archive: Archive, now: datetime) -> LogVerification:
    """The chain (archive.events.verify_log), every checkpoint's signature and roots."""
    directory = checkpoint_dir(archive)
    findings: list[Finding] = []
    seqs = _file_seqs(directory)
    loaded = [cp for cp in (_load(directory, seq, findings) for seq in seqs) if cp is not None]
    for cp in loaded:
        _check_signature(archive, cp, now, findings)
        _check_timestamp(archive, cp, now, findings)
    _check_chain(loaded, findings)
    with db.read_session(archive.engine) as s:
        count, chain = verify_log(s)
        findings[:0] = chain
        _check_rows(s, {cp.seq: cp for cp in loaded}, seqs, findings)
        _check_events(s, loaded, findings)
        if loaded:
            _check_aips(archive, s, loaded[-1], findings)
        findings.extend(check_catalogue_against_store(archive, s))
    covered = max((cp.count for cp in loaded), default=0)
    _coverage(loaded, seqs, count, covered, findings)
    return LogVerification(count, len(loaded), covered, tuple(findings))


def _coverage(loaded: Sequence[_Loaded], seqs: Sequence[int], count: int, covered: int,
              findings: list[Finding]) -> None:
    if not seqs:
        findings.append(Finding(ic.CKP_NONE))
    elif count > covered and loaded:
        findings.append(Finding(ic.CKP_UNCOVERED, loaded[-1].location, found=str(count - covered)))
