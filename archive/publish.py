"""Publishing a new AIP to every storage location, and recovering a publication cut short.

Rules (cited by the ``STO-`` codes of archive/store_codes.py):

- PUB-1  before a copy is renamed into ``aips/``, its staging area gets a marker
  ``.staging/<token>.publishing`` naming the AIP, written durably (temp file, fsync,
  link into place, fsync the folder) and carrying a SHA-256 over its own content,
  its staging token and its location: the marker's final name never shows a
  half-written, empty or foreign marker.
- PUB-2  each copy becomes visible with one ``rename`` (archive.store.publish).
- PUB-3  the catalogue commit is the point of no return; the markers go after it.
  A marker whose owner is gone and whose AIP the catalogue does not know names a
  copy of a dead ingest: that copy is removed (guarded: only ``aips/<id[:2]>/<id>``
  whose ``bag-info.txt`` names that same id).
- PUB-4  a marker that is unreadable, malformed or fails its checksum is never
  acted on: it is reported (``STO-MARKER-INVALID``) and kept for an operator.
- PUB-5  a copy in ``aips/`` that the catalogue does not know and no valid marker
  accounts for is reported (``STO-ORPHAN-COPY``) and kept: casearchive never
  deletes what it cannot prove it made.

:func:`recover_publications` runs before every ingest and at the start of every
audit run; it also sweeps dead staging folders.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import archive.store_codes as sc
from archive.failpoints import hit
from archive.store import Location, UnsafeOperation, is_aip_id, publish, remove_file, remove_tree, staging_lock, \
    sweep_staging
from findings import Finding
from fixity.durable import write_atomic
from fixity.tagfile import parse_tag_file

if TYPE_CHECKING:
    from archive.archive import Archive

log = logging.getLogger(__name__)

MARKER_SUFFIX = ".publishing"
MARKER_FORMAT = "casearchive-publishing/1"
#: A marker is a few hundred bytes; anything much larger is not one of ours.
MARKER_MAX_BYTES = 4096


@dataclass(frozen=True)
class Marker:
    """A validated publication marker."""

    path: Path
    token: str
    aip_id: str


def _checksum(body: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(body), sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def marker_bytes(aip_id: str, token: str, location: str) -> bytes:
    body = {"format": MARKER_FORMAT, "aip_id": aip_id, "token": token, "location": location}
    return (json.dumps({**body, "sha256": _checksum(body)}, sort_keys=True) + "\n").encode("utf-8")


def read_marker(path: Path, location: Location) -> tuple[Marker | None, str]:
    """The marker at ``path``, or None and why it cannot be trusted (PUB-4)."""
    token = path.name[:-len(MARKER_SUFFIX)] if path.name.endswith(MARKER_SUFFIX) else ""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MARKER_MAX_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    if not data.strip():
        return None, "empty"
    if len(data) > MARKER_MAX_BYTES:
        return None, "too large"
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, "not a marker (no JSON)"
    if not isinstance(body, dict) or set(body) != {"format", "aip_id", "token", "location", "sha256"} or \
            not all(isinstance(v, str) for v in body.values()):
        return None, "not a marker (fields)"
    claimed = body.pop("sha256")
    if body["format"] != MARKER_FORMAT:
        return None, f"unknown format {body['format']!r}"
    if claimed != _checksum(body):
        return None, "checksum does not match"
    if not is_aip_id(body["aip_id"]):
        return None, f"malformed AIP id {body['aip_id']!r}"
    if body["token"] != token or body["location"] != location.name:
        return None, f"written for {body['location']}:{body['token']}, found as {location.name}:{path.name}"
    return Marker(path, token, body["aip_id"]), ""


def publish_copies(archive: "Archive", copies: Mapping[str, Path], aip_id: str) -> list[tuple[Location, Path]]:
    """PUB-1, PUB-2: marker, then one rename, for each staged copy (``location name → staging/<token>/aip``).

    Returns the markers, to be removed by :func:`clear_markers` after the commit (PUB-3).
    """
    markers: list[tuple[Location, Path]] = []
    for loc_name, staged_dir in copies.items():
        loc = archive.location(loc_name)
        token = staged_dir.parent.name
        marker = loc.staging / (token + MARKER_SUFFIX)
        write_atomic(marker, marker_bytes(aip_id, token, loc.name), overwrite=False,
                     before_content=lambda: hit("ingest.marker-created"))
        markers.append((loc, marker))
        publish(staged_dir, loc, aip_id)
        hit(f"ingest.published.{loc_name}")
    return markers


def clear_markers(markers: Sequence[tuple[Location, Path]]) -> None:
    for loc, marker in markers:
        remove_file(loc, marker)


def _registered(archive: "Archive", aip_ids: set[str]) -> set[str]:
    from sqlalchemy import select

    from archive import db
    from archive.models import AipRow

    if not aip_ids:
        return set()
    out: set[str] = set()
    ids = sorted(aip_ids)
    with db.read_session(archive.engine) as s:
        for start in range(0, len(ids), 500):
            out.update(s.execute(select(AipRow.id).where(AipRow.id.in_(ids[start:start + 500]))).scalars())
    return out


def _copies_on_disk(loc: Location) -> dict[str, Path]:
    """name → folder of every entry two levels below ``aips/`` (malformed names included)."""
    base = loc.root / "aips"
    found: dict[str, Path] = {}
    if not base.is_dir():
        return found
    for prefix in sorted(base.iterdir()):
        if prefix.is_dir() and not prefix.is_symlink():
            for entry in sorted(prefix.iterdir()):
                found[f"{prefix.name}/{entry.name}"] = entry
    return found


def _names_itself(copy: Path, aip_id: str) -> bool:
    """The copy's own bag-info.txt says it is ``aip_id`` (so we remove what the marker means)."""
    try:
        with open(copy / "bag-info.txt", "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as fh:
            items, _problems = parse_tag_file(fh.read(1 << 20), "bag-info.txt")
    except OSError:
        return False
    return any(k == "AIP-Identifier" and v.strip() == aip_id for k, v in items)


def _marker_finding(loc: Location, marker: Path, reason: str) -> Finding:
    return Finding(sc.STO_MARKER_INVALID, f"{loc.name}:{marker.relative_to(loc.root).as_posix()}",
                   params={"reason": reason})


def _recover_marker(archive: "Archive", loc: Location, marker: Path, found: list[Finding]) -> str | None:
    """One marker whose owner is gone (we hold its lock); returns the AIP id it accounts for."""
    checked, reason = read_marker(marker, loc)
    if checked is None:
        found.append(_marker_finding(loc, marker, reason))
        log.warning("publication marker %s kept: %s", marker, reason)
        return None
    if checked.aip_id not in _registered(archive, {checked.aip_id}):
        copy = loc.aip_path(checked.aip_id)
        if os.path.lexists(copy):
            if not _names_itself(copy, checked.aip_id):
                found.append(_marker_finding(loc, marker, f"{copy.name} does not carry AIP-Identifier "
                                                          f"{checked.aip_id}"))
                return None
            remove_tree(loc, copy)
            found.append(Finding(sc.STO_PUBLICATION_UNDONE, f"{loc.name}:{loc.aip_relpath(checked.aip_id)}",
                                 params={"aip_id": checked.aip_id}))
    remove_file(loc, marker)
    return checked.aip_id


def _live_marker_id(loc: Location, marker: Path) -> str | None:
    checked, _reason = read_marker(marker, loc)
    return checked.aip_id if checked else None


def recover_publications(archive: "Archive", *, orphans: bool = True) -> tuple[Finding, ...]:
    """Undo the publications of dead ingests (PUB-3), report what cannot be trusted (PUB-4, PUB-5),
    and sweep dead staging folders."""
    found: list[Finding] = []
    for loc in archive.locations:
        if not loc.root.is_dir():
            continue
        # order matters: copies listed before markers, markers before the catalogue — a copy
        # published after the listing is not judged, one committed meanwhile is registered by then
        on_disk = _copies_on_disk(loc) if orphans else {}
        accounted: set[str] = set()
        markers = sorted(loc.staging.glob("*" + MARKER_SUFFIX)) if loc.staging.is_dir() else []
        for marker in markers:
            token = marker.name[:-len(MARKER_SUFFIX)]
            try:
                with staging_lock(loc, token) as ours:
                    aip_id = _recover_marker(archive, loc, marker, found) if ours else _live_marker_id(loc, marker)
            except UnsafeOperation as exc:  # a marker name no ingest writes
                found.append(_marker_finding(loc, marker, str(exc)))
                continue
            if aip_id is not None:
                accounted.add(aip_id)
        for path in sweep_staging(loc):
            log.info("removed abandoned staging %s:%s", loc.name, path.name)
        if orphans:
            found.extend(_orphans(archive, loc, on_disk, accounted))
    return tuple(found)


def orphan_copies(archive: "Archive", location: str | None = None) -> tuple[Finding, ...]:
    """PUB-5 without changing anything (``casearchive verify --all``): copies that neither the
    catalogue nor a valid marker accounts for."""
    found: list[Finding] = []
    for loc in archive.locations:
        if (location is not None and loc.name != location) or not loc.root.is_dir():
            continue
        found.extend(_orphans(archive, loc, _copies_on_disk(loc), marked_ids([loc])))
    return tuple(found)


def marked_ids(locations: Iterable[Location]) -> set[str]:
    """AIP ids named by valid publication markers: copies of ingests that have not committed (yet)."""
    out: set[str] = set()
    for loc in locations:
        markers = sorted(loc.staging.glob("*" + MARKER_SUFFIX)) if loc.staging.is_dir() else []
        out.update(m.aip_id for m in (read_marker(p, loc)[0] for p in markers) if m is not None)
    return out


def _orphans(archive: "Archive", loc: Location, on_disk: Mapping[str, Path], accounted: set[str]) -> list[Finding]:
    """PUB-5: copies nobody can account for, reported and kept."""
    candidates = {rel: path for rel, path in on_disk.items()
                  if path.name not in accounted and os.path.lexists(path)}
    known = _registered(archive, {p.name for p in candidates.values() if is_aip_id(p.name)})
    out = []
    for rel, path in sorted(candidates.items()):
        if path.name in known and rel.split("/")[0] == path.name[:2]:
            continue
        out.append(Finding(sc.STO_ORPHAN_COPY, f"{loc.name}:aips/{rel}", params={"aip_id": path.name}))
        log.warning("copy %s:aips/%s is not in the catalogue; kept", loc.name, rel)
    return out
