"""Verify AIPs on request and record what was found (catalogue + event log).

Scheduled audits (selection, budgets, repair) build on this in [store].
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy.orm import Session

from archive import catalogue, db
from archive.archive import Archive
from archive.events import append_event
from archive.repair import verify_settled  # a copy mid-repair is busy, not damaged
from archive.verify import CopyVerdict, resolve_algorithms
from findings.i18n import Lang


@dataclass(frozen=True)
class VerifyReport:
    verdicts: tuple[CopyVerdict, ...]
    algorithms: tuple[str, ...]
    unknown: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # aip id → archive number

    @property
    def ok(self) -> bool:
        return not self.unknown and all(v.ok for v in self.verdicts)

    @property
    def files(self) -> int:
        return sum(v.files_checked for v in self.verdicts)

    @property
    def bytes(self) -> int:
        return sum(v.bytes_checked for v in self.verdicts)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"ok": self.ok, "algorithms": list(self.algorithms), "files": self.files, "bytes": self.bytes,
                "unknown": list(self.unknown),
                "copies": [{**v.to_dict(lang), "archive_number": self.labels.get(v.aip_id)} for v in self.verdicts]}


def verify_aips(archive: Archive, idents: Sequence[str] | None, *, algorithm: str = "sha256",
                location: str | None = None, now: datetime, agent: str = "casearchive verify") -> VerifyReport:
    """Verify the named AIPs (id, 档号 or 案号), or all when ``idents`` is None."""
    algs = resolve_algorithms(algorithm)
    if location is not None:
        archive.location(location)  # unknown name → ConfigError
    with db.read_session(archive.engine) as s:
        ids = catalogue.all_aip_ids(s) if idents is None else []
        unknown = []
        for ident in idents or []:
            rec = catalogue.get_aip(s, ident, with_files=False)
            (ids.append(rec.id) if rec else unknown.append(ident))
        records = [catalogue.get_aip(s, i, with_files=False) for i in ids]
    verdicts = []
    for rec in records:
        assert rec is not None
        for copy in rec.copies:
            if location and copy.location != location:
                continue
            loc = archive.location(copy.location)
            verdict = verify_settled(archive, loc.root / copy.relpath, aip_id=rec.id, location=copy.location,
                                    algorithms=algs, now=now, expected_tagmanifest_sha256=rec.tagmanifest_sha256)
            _record(archive, verdict, now, agent)
            verdicts.append(verdict)
    if idents is None:  # --all: a copy the catalogue does not know is reported too (archive.publish PUB-5)
        from archive.publish import orphan_copies

        for f in orphan_copies(archive, location):
            name, rel = f.location.split(":", 1)
            verdicts.append(CopyVerdict(str(f.params["aip_id"]), name, str(archive.location(name).root / rel),
                                        algs, (f,)))
    labels = {r.id: r.archive_number for r in records if r}
    return VerifyReport(tuple(verdicts), algs, tuple(unknown), labels)


def _record(archive: Archive, verdict: CopyVerdict, now: datetime, agent: str) -> None:
    with db.write_session(archive.engine) as s:
        record_verification(s, verdict, now, agent)


def record_verification(session: Session, verdict: CopyVerdict, at: datetime, agent: str,
                        **detail: Any) -> None:
    """The copy's verification history and the ``aip.verify`` event (catalogue rebuild reads it)."""
    catalogue.update_copy_verification(session, verdict.aip_id, verdict.location, at, verdict.ok)
    append_event(session, at=at, type="aip.verify", agent=agent, aip_id=verdict.aip_id,
                 outcome="success" if verdict.ok else "failure",
                 detail={"location": verdict.location, "algorithms": list(verdict.algorithms),
                         "files": verdict.files_checked, "bytes": verdict.bytes_checked,
                         "codes": sorted({f.code for f in verdict.findings}), **detail})
