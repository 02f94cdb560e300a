"""Cross-checks of ``log verify``: is the catalogue (and its log) behind what the store says?

The hash chain and the checkpoints catch edits *inside* the log; they cannot see a
log that simply ends early, or a whole catalogue restored from an older backup.
The storage locations remember more, so ``verify_log_full`` compares (rules cited by
the CKP- codes; archive/checkpoints.py holds CKP-1..6):

- CKP-7  archive-number marks (archive.numbering) are valid, and no catalogue counter is
  below the newest checkpoint's counter or below a mark whose AIP is on disk but not
  catalogued: the catalogue is older than the archive (CKP-CATALOGUE-BEHIND).
- CKP-8  every AIP folder in every location is in the catalogue (unless an unfinished
  ingest's marker names it), and every catalogued AIP has its ``aip.ingest`` event.
- CKP-9  each AIP's ``preservation/events.json`` (read from the first location holding
  it: one small file per AIP) names only events the log has, with the same hash.
  Events a ``catalog rebuild --apply`` recorded as lost (``lost_events``) are reported
  as acknowledged, not as errors.
- CKP-10 the head witness ``<root>/log/head.json`` (seq and hash of the newest event, written
  after every commit that appended events, never lowered except by a rebuild) names an event
  the log holds with that hash: a deleted tail is seen even when no AIP names its events.
"""
from __future__ import annotations

import json
from typing import Iterable, Iterator, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import archive.integrity_codes as ic
from archive.archive import HEAD_WITNESS, Archive
from archive.models import AipRow, ArchiveNumberCounter, EventRow
from archive.numbering import all_marks, checkpoint_counters, orphaned, series_marks
from archive.publish import marked_ids
from archive.store import Location
from findings import Finding

EVENTS_FILE = "preservation/events.json"


def scan_aip_ids(locations: Iterable[Location]) -> dict[str, list[Location]]:
    """aip id → the locations holding a folder for it (two directory listings per prefix)."""
    found: dict[str, list[Location]] = {}
    for loc in locations:
        base = loc.root / "aips"
        if not base.is_dir():
            continue
        for prefix in sorted(base.iterdir()):
            if not prefix.is_dir() or prefix.is_symlink():
                continue
            for aip_dir in sorted(prefix.iterdir()):
                if aip_dir.is_dir() and not aip_dir.is_symlink():
                    found.setdefault(aip_dir.name, []).append(loc)
    return found


def aip_events(locations: Iterable[Location], aip_id: str) -> list[tuple[int, str]] | None:
    """(seq, hash) of the events an AIP's events.json names; None if no copy has a readable one."""
    for loc in locations:
        try:
            events = json.loads((loc.aip_path(aip_id) / EVENTS_FILE).read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(events, list):
            return [(e["seq"], str(e["hash"])) for e in events
                    if isinstance(e, dict) and isinstance(e.get("seq"), int) and "hash" in e]
    return None


def acknowledged_losses(session: Session) -> tuple[dict[tuple[int, str], int], set[str]]:
    """(seq, hash) of events recorded as lost by ``catalog.rebuild`` → that rebuild's event; their AIPs."""
    out: dict[tuple[int, str], int] = {}
    aips: set[str] = set()
    for seq, detail in session.execute(select(EventRow.seq, EventRow.detail).where(EventRow.type == "catalog.rebuild")):
        for lost in (detail or {}).get("lost_events", []) if isinstance(detail, dict) else []:
            if isinstance(lost, dict) and isinstance(lost.get("seq"), int):
                out[(lost["seq"], str(lost.get("hash")))] = seq
                aips.add(str(lost.get("aip_id")))
    return out, aips


def log_hashes(session: Session, seqs: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(seqs))
    out: dict[int, str] = {}
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        out.update({s: str(h) for s, h in session.execute(select(EventRow.seq, EventRow.hash)
                                                           .where(EventRow.seq.in_(chunk)))})
    return out


def event_problems(session: Session, named: Mapping[str, list[tuple[int, str]]]) -> Iterator[tuple[str, int, str, str]]:
    """(aip id, seq, hash, why) for each named event the log lacks: why is ``beyond`` or ``differs``."""
    head = session.execute(select(func.max(EventRow.seq))).scalar_one() or 0
    logged = log_hashes(session, (seq for events in named.values() for seq, _h in events))
    for aip_id, events in sorted(named.items()):
        for seq, digest in events:
            if seq > head or seq not in logged:
                yield aip_id, seq, digest, "beyond"
            elif logged[seq] != digest:
                yield aip_id, seq, digest, "differs"


def check_catalogue_against_store(archive: Archive, session: Session) -> list[Finding]:
    findings: list[Finding] = []
    head = session.execute(select(func.max(EventRow.seq))).scalar_one() or 0
    catalogued = set(session.execute(select(AipRow.id)).scalars())
    on_store = scan_aip_ids(archive.locations)
    unfinished = marked_ids(archive.locations)
    unknown = sorted(a for a in on_store if a not in catalogued and a not in unfinished)
    for aip_id in unknown:
        findings.append(Finding(ic.CKP_AIP_NOT_IN_CATALOGUE, aip_id,
                                params={"copies": ", ".join(loc.name for loc in on_store[aip_id])}))

    acknowledged, acknowledged_aips = acknowledged_losses(session)
    ingested = set(session.execute(select(EventRow.aip_id).where(EventRow.type == "aip.ingest")).scalars())
    for aip_id in sorted(catalogued - ingested - acknowledged_aips):
        findings.append(Finding(ic.CKP_INGEST_EVENT_MISSING, aip_id, found=f"log ends at event {head}"))

    named = {}
    for aip_id in sorted(set(on_store) - unfinished):
        events = aip_events(on_store[aip_id], aip_id)
        if events:
            named[aip_id] = events
    beyond = 0
    for aip_id, seq, digest, why in event_problems(session, named):
        by = acknowledged.get((seq, digest))
        if by is not None:
            findings.append(Finding(ic.CKP_EVENT_LOST_ACKNOWLEDGED, aip_id, params={"event": seq, "by": by}))
        elif why == "beyond":
            beyond += 1
            findings.append(Finding(ic.CKP_AIP_EVENT_BEYOND_LOG, aip_id, expected=digest[:16], found=str(head),
                                    params={"event": seq}))
        else:
            findings.append(Finding(ic.CKP_AIP_EVENT_DIFFERS, aip_id, expected=digest[:16], params={"event": seq}))

    findings.extend(_numbers(archive, session, len(unknown), beyond))
    findings.extend(_witness(archive, session, head))
    return findings


def _witness(archive: Archive, session: Session, head: int) -> list[Finding]:
    """CKP-10: the log reaches the head witness, with the same hash there."""
    path = archive.config.root / HEAD_WITNESS
    location = str(HEAD_WITNESS)
    try:
        body = json.loads(path.read_bytes())
        seq, digest = int(body["seq"]), str(body["hash"])
    except FileNotFoundError:
        return []  # archives older than the witness; it appears with the next commit
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [Finding(ic.CKP_HEAD_WITNESS_UNREADABLE, location, params={"reason": str(exc)})]
    logged = log_hashes(session, [seq]).get(seq)
    if logged == digest:
        return []
    return [Finding(ic.CKP_LOG_BEHIND_WITNESS, location, expected=f"{seq}:{digest[:16]}",
                    found=f"log ends at event {head}" if logged is None else f"{seq}:{logged[:16]}")]


def _numbers(archive: Archive, session: Session, unknown: int, beyond: int) -> list[Finding]:
    """CKP-7: the catalogue's counters against the marks and the newest checkpoint."""
    out: list[Finding] = []
    marks, errors = all_marks(archive.locations)
    for err in errors:
        out.append(Finding(ic.CKP_NUMBER_MARK_INVALID, str(err.path), params={"reason": err.reason}))
    counters: dict[str, int] = {k: v for k, v in session.execute(
        select(ArchiveNumberCounter.series, ArchiveNumberCounter.last_seq))}
    for series, issued in sorted(checkpoint_counters(archive.config.root).items()):
        if counters.get(series, 0) < issued:
            out.append(_behind(series, counters.get(series, 0), issued, "checkpoint", unknown, beyond))
    for series, mark in sorted(series_marks(marks).items()):
        counter = counters.get(series, 0)
        if orphaned(archive, session, mark, counter):
            out.append(_behind(series, counter, mark.seq, f"{mark.location}:{mark.aip_id}", unknown, beyond))
    return out


def _behind(series: str, counter: int, issued: int, source: str, unknown: int, beyond: int) -> Finding:
    return Finding(ic.CKP_CATALOGUE_BEHIND, series, expected=str(issued), found=str(counter),
                   params={"source": source, "aips": unknown, "events": beyond})
