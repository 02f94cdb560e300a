"""Building an AIP from a validated, staged SIP.

The AIP is a BagIt 1.0 bag (see docs/aip.md)::

    bagit.txt, bag-info.txt           AIP declaration (Archive-Number, AIP-Identifier …)
    manifest-sha256.txt, manifest-sm3.txt
    data/                             the SIP's payload, byte for byte
    sip/                              the SIP's own tag files, verbatim (provenance, DA/T 70 1-14)
    preservation/description.json     what the archive assigned (档号, dates) and recorded
    preservation/validation.json      the receive-stage findings (warnings included)
    preservation/events.json          this AIP's events from the event log
    preservation/signer.pem           the signing certificate
    tagmanifest-sha256.txt, tagmanifest-sm3.txt
    tagmanifest-sha256.txt.p7s, tagmanifest-sm3.txt.p7s   detached CMS signatures

Digests come from the single read made while staging: building an AIP never
re-reads the payload.  The payload layout (:func:`prepare_payload`) is built
before the archive number is known; the tag files (:func:`tag_files`) are
generated afterwards inside the registering transaction.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping

from archive.store import move, staging_location
from fixity.digest import AIP_ALGORITHMS, FileDigest, new_hash
from fixity.manifest import format_manifest
from fixity.tagfile import format_tag_file

AIP_PROFILE = "urn:casearchive:profile:aip:1"
SIP_TAG_DIR = "sip"
SIGNED_TAG_MANIFESTS = tuple(f"tagmanifest-{alg}.txt" for alg in AIP_ALGORITHMS)


@dataclass(frozen=True)
class AipDeclaration:
    """What the archive states about a new AIP in its tag files."""

    aip_id: str
    archive_number: str
    case_number: str
    source_organization: str
    archive_name: str
    archived_at: datetime
    submission_id: str
    description: Mapping[str, Any]
    validation: Mapping[str, Any]
    events: list[Mapping[str, Any]]
    signer_pem: bytes


def prepare_payload(sip_root: Path, aip_dir: Path, sip_tag_files: list[str]) -> None:
    """Move the staged SIP into AIP shape: data/ stays, SIP tag files go to sip/ (staging only, never over a file)."""
    loc = staging_location(aip_dir)
    aip_dir.mkdir()
    move(loc, sip_root / "data", aip_dir / "data")
    for rel in sip_tag_files:
        target = aip_dir / SIP_TAG_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        move(loc, sip_root / rel, target)


def payload_oxum(payload: Mapping[str, FileDigest]) -> str:
    return f"{sum(f.size for f in payload.values())}.{len(payload)}"


def payload_manifests(payload: Mapping[str, FileDigest]) -> dict[str, bytes]:
    """manifest-<alg>.txt contents from the staged digests."""
    return {f"manifest-{alg}.txt": format_manifest({p: d.digests[alg] for p, d in payload.items()})
            for alg in AIP_ALGORITHMS}


def _one_line(value: str) -> str:
    """Tag values are single lines without surrounding blanks (RFC 8493 §2.2.2)."""
    return " ".join(value.split())


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def tag_files(decl: AipDeclaration, payload: Mapping[str, FileDigest],
              sip_tags: Mapping[str, bytes], bagging_date: str) -> dict[str, bytes]:
    """Every tag file except the tag manifests and their signatures."""
    info = [
        ("Source-Organization", decl.source_organization),
        ("External-Identifier", decl.case_number),
        ("Bagging-Date", bagging_date),
        ("Payload-Oxum", payload_oxum(payload)),
        ("BagIt-Profile-Identifier", AIP_PROFILE),
        ("Archive-Number", decl.archive_number),
        ("AIP-Identifier", decl.aip_id),
        ("AIP-Version", "1"),
        ("Archived-At", decl.archived_at.isoformat()),
        ("Archive-Name", decl.archive_name),
        ("Submission-Identifier", decl.submission_id),
    ]
    info = [(label, _one_line(value)) for label, value in info]
    files: dict[str, bytes] = {
        "bagit.txt": b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": format_tag_file(info),
        "preservation/description.json": _json(decl.description),
        "preservation/validation.json": _json(decl.validation),
        "preservation/events.json": _json(decl.events),
        "preservation/signer.pem": decl.signer_pem,
    }
    files.update(payload_manifests(payload))
    files.update({f"{SIP_TAG_DIR}/{rel}": data for rel, data in sip_tags.items()})
    return files


def tag_manifests(tags: Mapping[str, bytes]) -> dict[str, bytes]:
    """tagmanifest-<alg>.txt over every tag file (SIP tag files included)."""
    out = {}
    for alg in AIP_ALGORITHMS:
        entries = {}
        for rel, data in tags.items():
            h = new_hash(alg)
            h.update(data)
            entries[rel] = h.hexdigest()
        out[f"tagmanifest-{alg}.txt"] = format_manifest(entries)
    return out


def write_tag_files(aip_dir: Path, files: Mapping[str, bytes]) -> None:
    """Write (or replace) tag files in a staged AIP; the SIP's own copies under sip/ already exist."""
    loc = staging_location(aip_dir)
    for rel, data in files.items():
        path = aip_dir / rel
        if rel.startswith(SIP_TAG_DIR + "/") and path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        move(loc, tmp, path, replace=True)
