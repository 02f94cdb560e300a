"""Archive numbers (档号) are never issued twice: a high-water mark that outlives the catalogue.

The catalogue's ``archive_number_counter`` is the working counter, but a catalogue
restored from a backup has an old counter and would hand out numbers that AIPs on
disk already carry.  So every number is also recorded outside the database:

- NUM-1  each storage location keeps ``numbers/<sha256(series)[:32]>.json`` per series:
  canonical JSON with the series, the highest sequence number issued, the AIP it was
  issued to and a SHA-256 over those fields; written atomically (temp file, fsync,
  rename, fsync of the folder) inside the ingest's write transaction, before the AIP
  is published and before the catalogue commits.
- NUM-2  every signed checkpoint carries the catalogue's counters (``archive_numbers``).
- NUM-3  the next number is max(catalogue counter, every location's mark, the newest
  checkpoint's counter) + 1.  A catalogue counter below the newest checkpoint's, or
  below a mark whose AIP is on disk but not in the catalogue, means the catalogue is
  older than the archive: ingest refuses to number (ConfigError, exit 3) until
  ``casearchive catalog rebuild --apply`` has brought it up to date — numbering on
  would also fork the event log, whose lost tail the AIPs still name.  A mark whose
  AIP is on no location (an ingest that died before publishing) is simply skipped.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.archive import Archive
from archive.config import ConfigError
from archive.models import AipRow, ArchiveNumberCounter
from archive.publish import marked_ids
from archive.store import Location
from fixity.chain import canonical_json
from fixity.durable import write_atomic

FORMAT = "casearchive-number-mark/1"
DIRECTORY = "numbers"


class MarkError(ValueError):
    """A mark file that cannot be trusted (unreadable, wrong shape or checksum)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


@dataclass(frozen=True)
class Mark:
    series: str
    seq: int
    aip_id: str
    location: str
    path: Path


def mark_path(location: Location, series: str) -> Path:
    return location.root / DIRECTORY / (hashlib.sha256(series.encode("utf-8")).hexdigest()[:32] + ".json")


def _fields(series: str, seq: int, aip_id: str) -> dict[str, Any]:
    return {"format": FORMAT, "series": series, "seq": seq, "aip_id": aip_id}


def _parse(location: Location, path: Path, data: bytes) -> Mark:
    try:
        body = json.loads(data)
        fields = _fields(body["series"], body["seq"], body["aip_id"])
        checksum = body["sha256"]
    except (ValueError, KeyError, TypeError) as exc:
        raise MarkError(path, f"not a mark file ({exc})") from None
    if (body.get("format") != FORMAT or not isinstance(fields["seq"], int) or isinstance(fields["seq"], bool)
            or not isinstance(fields["series"], str) or not isinstance(fields["aip_id"], str)):
        raise MarkError(path, "unexpected format or field types")
    if hashlib.sha256(canonical_json(fields)).hexdigest() != checksum:
        raise MarkError(path, "checksum does not match its content")
    return Mark(fields["series"], fields["seq"], fields["aip_id"], location.name, path)


def read_mark(location: Location, series: str) -> Mark | None:
    """The mark of ``series`` in ``location``; None if there is none; MarkError if damaged."""
    path = mark_path(location, series)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise MarkError(path, exc.strerror or str(exc)) from None
    mark = _parse(location, path, data)
    if mark.series != series:
        raise MarkError(path, f"names series {mark.series!r}, expected {series!r}")
    return mark


def all_marks(locations: Iterable[Location]) -> tuple[list[Mark], list[MarkError]]:
    """Every mark of every location, and the files that failed validation."""
    marks: list[Mark] = []
    errors: list[MarkError] = []
    for loc in locations:
        folder = loc.root / DIRECTORY
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                marks.append(_parse(loc, path, path.read_bytes()))
            except MarkError as exc:
                errors.append(exc)
            except OSError as exc:
                errors.append(MarkError(path, exc.strerror or str(exc)))
    return marks, errors


def write_mark(location: Location, series: str, seq: int, aip_id: str) -> None:
    fields = _fields(series, seq, aip_id)
    path = mark_path(location, series)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, canonical_json({**fields, "sha256": hashlib.sha256(canonical_json(fields)).hexdigest()}))


def checkpoint_counters(root: Path) -> dict[str, int]:
    """The archive-number counters of the newest checkpoint file (empty if none or unreadable).

    Read without checking the signature: a forged file can only make ingest refuse,
    never reissue a number; ``log verify`` checks the signatures.
    """
    folder = root / "log" / "checkpoints"
    seqs = sorted(int(p.name[:-5]) for p in folder.glob("*.json") if p.name[:-5].isdigit()) if folder.is_dir() else []
    if not seqs:
        return {}
    try:
        numbers = json.loads((folder / f"{seqs[-1]:08d}.json").read_bytes()).get("archive_numbers") or {}
        return {str(k): int(v) for k, v in numbers.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def on_disk(locations: Iterable[Location], aip_id: str) -> bool:
    return any(loc.aip_path(aip_id).is_dir() for loc in locations)


def orphaned(archive: Archive, session: Session, mark: Mark, counter: int) -> bool:
    """The mark is ahead of the catalogue and its AIP is on disk, unknown to the catalogue and
    not an unfinished ingest: the catalogue is older than the archive."""
    return (mark.seq > counter and on_disk(archive.locations, mark.aip_id)
            and session.get(AipRow, mark.aip_id) is None and mark.aip_id not in marked_ids(archive.locations))


def reserve_sequence(archive: Archive, session: Session, series: str, aip_id: str) -> int:
    """NUM-3: the next sequence number of ``series`` for ``aip_id``, recorded in every location.

    Call inside the ingest's write transaction before anything is published; the
    catalogue counter is raised in the same transaction.
    """
    row = session.execute(select(ArchiveNumberCounter).where(ArchiveNumberCounter.series == series)
                          .with_for_update()).scalar_one_or_none()
    counter = row.last_seq if row is not None else 0
    marks: list[Mark] = []
    for loc in archive.locations:
        try:
            mark = read_mark(loc, series)
        except MarkError as exc:
            raise ConfigError(f"archive-number mark {exc.path} is damaged ({exc.reason}); no 档号 is issued until "
                              "it is checked (casearchive log verify) and restored or removed") from None
        if mark is not None:
            marks.append(mark)
    checkpointed = checkpoint_counters(archive.config.root).get(series, 0)
    if checkpointed > counter:
        raise ConfigError(_behind(series, counter, checkpointed, "the newest signed checkpoint"))
    for mark in marks:
        if orphaned(archive, session, mark, counter):
            raise ConfigError(_behind(series, counter, mark.seq, f"AIP {mark.aip_id} in {mark.location}"))
    seq = max([counter, checkpointed, *(m.seq for m in marks)]) + 1
    for loc in archive.locations:
        write_mark(loc, series, seq, aip_id)
    if row is None:
        session.add(ArchiveNumberCounter(series=series, last_seq=seq))
    else:
        row.last_seq = seq
    session.flush()
    return seq


def _behind(series: str, counter: int, issued: int, where: str) -> str:
    return (f"the catalogue is older than the archive (restored from a backup?): archive-number series {series} "
            f"is at {counter} in the catalogue but {issued} was already issued ({where}); no 档号 is issued until "
            "'casearchive catalog rebuild --apply' has brought the catalogue up to date")


def series_marks(marks: Iterable[Mark]) -> Mapping[str, Mark]:
    """The highest mark of each series over all locations."""
    out: dict[str, Mark] = {}
    for mark in marks:
        if mark.series not in out or mark.seq > out[mark.series].seq:
            out[mark.series] = mark
    return out
