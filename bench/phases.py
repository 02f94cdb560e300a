"""Where ingest spends its time: profiles folded into pipeline phases.

Two sources: the sampling profiler (:mod:`bench.sampler`) running inside every
timed ingest, and, on request (``--cprofile``), one extra ingest under cProfile.

A phase is the cumulative time of the pipeline functions that implement it (see
ingest/pipeline.py "Order of work").  cProfile sees only the main thread, so work
done in digest worker threads shows up as the main thread waiting inside the
phase that started it — which is the wall time we want per phase.  Profiling
slows Python-heavy phases more than I/O- and hash-bound ones; read the shares,
not the absolute seconds.
"""
from __future__ import annotations

import pstats
from dataclasses import dataclass
from pathlib import Path

Part = tuple[str, str, "str | None"]  # (file suffix, function, caller function or None)
PhaseList = tuple[tuple[str, tuple[Part, ...]], ...]

#: Ingest phases, in pipeline order (label, the functions that implement it).
PHASES: PhaseList = (
    ("staging: copy + SHA-256 + SM3 (one read)", (("ingest/unpack.py", "stage", None),)),
    ("BagIt validation (RFC 8493)", (("ingest/bag.py", "validate_bag", None),)),
    ("SIP profile", (("ingest/profile.py", "validate_profile", None),)),
    ("metadata: parse + XSD", (("metadata/xml.py", "parse_casefile", None),)),
    ("metadata: rules", (("metadata/rules.py", "check_casefile", None),)),
    ("metadata: document digests", (("ingest/sip.py", "_check_document_digests", None),)),
    ("receive-stage checks (DA/T 70 GD items)", (("ingest/pipeline.py", "_receive_checks", None),)),
    ("SIP fingerprint", (("ingest/pipeline.py", "sip_fingerprint", None),)),
    ("AIP payload layout", (("ingest/aip.py", "prepare_payload", None),)),
    ("replication: copy + verify", (("ingest/pipeline.py", "_replicate", None),)),
    ("tag files + manifests", (("ingest/aip.py", "tag_files", None), ("ingest/aip.py", "tag_manifests", None),
                               ("ingest/aip.py", "write_tag_files", None))),
    ("signing (tag manifests)", (("fixity/signing.py", "sign_detached", "_commit"),)),
    ("publish (rename)", (("archive/store.py", "publish", None),)),
    ("catalogue insert + events", (("archive/catalogue.py", "register_aip", None),
                                   ("archive/catalogue.py", "record_submission", None),
                                   ("archive/catalogue.py", "allocate_sequence", None),
                                   ("archive/catalogue.py", "find_by_case_number", None),
                                   ("archive/events.py", "append_event", None))),
    ("catalogue transactions (begin/commit)", (("archive/db.py", "write_session", None),
                                               ("archive/db.py", "read_session", None))),
    ("receipt (JSON + signature)", (("ingest/pipeline.py", "_write_receipt", None),)),
)

#: Verify phases (archive/audit.py → archive/verify.py), in order.
VERIFY_PHASES: PhaseList = (
    ("catalogue lookup", (("archive/catalogue.py", "get_aip", None),)),
    ("tag manifest signatures (CMS)", (("fixity/signing.py", "verify_detached", None),)),
    ("tag files + manifests", (("archive/verify.py", "_check_tags", None),)),
    ("payload listing", (("archive/verify.py", "_walk_payload", None),)),
    ("payload digests (workers)", (("fixity/digest.py", "digest_many", None),)),
    ("Payload-Oxum", (("archive/verify.py", "_check_oxum", None),)),
    ("record result (catalogue + event)", (("archive/audit.py", "_record", None),)),
)


@dataclass(frozen=True)
class Phase:
    label: str
    seconds: float | None  # None: none of its functions was seen (renamed?)


@dataclass(frozen=True)
class Breakdown:
    """Phases of one profiled ingest, the unattributed rest, and the top functions by own time."""

    total: float
    phases: tuple[Phase, ...]
    top: tuple[tuple[str, float, int | None], ...]  # (function, own seconds, calls; None when sampled)
    method: str = "cprofile"  # or "sampling" (bench.sampler)
    subject: str = "ingest"  # what was profiled: ingest, verify sha256 …
    workers: tuple[tuple[str, float], ...] = ()  # sampling only: worker thread-seconds by function

    @property
    def other(self) -> float:
        return self.total - sum(p.seconds or 0.0 for p in self.phases)


def _matches(key: tuple[str, int, str], suffix: str, name: str) -> bool:
    return key[2] == name and key[0].replace("\\", "/").endswith(suffix)


def cumulative(stats: dict, suffix: str, name: str, caller: str | None) -> float | None:
    """Cumulative seconds of ``name`` in a file ending in ``suffix`` (only calls from ``caller``)."""
    total, seen = 0.0, False
    for key, (_cc, _nc, _tt, ct, callers) in stats.items():
        if not _matches(key, suffix, name):
            continue
        seen = True
        if caller is None:
            total += ct
        else:
            total += sum(v[3] for k, v in callers.items() if k[2] == caller)
    return total if seen else None


def _label(key: tuple[str, int, str]) -> str:
    path = key[0].replace("\\", "/")
    short = "/".join(path.split("/")[-2:]) if path != "~" else ""
    return f"{short}:{key[2]}" if short else key[2]


def breakdown(stats_file: Path, total: float, top: int = 8) -> Breakdown:
    """Fold the dumped statistics into :data:`PHASES`; ``total`` is the profiled wall time."""
    stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    phases = []
    for label, parts in PHASES:
        found = [cumulative(stats, *part) for part in parts]
        seen = [s for s in found if s is not None]
        phases.append(Phase(label, sum(seen) if seen else None))
    by_own = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    tops = tuple((_label(key), value[2], value[1]) for key, value in by_own)
    return Breakdown(total, tuple(phases), tops)


def from_samples(data: dict, total: float, subject: str = "ingest", phases: PhaseList = PHASES) -> Breakdown:
    """A breakdown from :meth:`bench.sampler.Sampler.to_dict`; ``total`` is the run's wall time.

    Phases never sampled are reported as 0 s (sampling cannot tell "absent" from "too quick").
    """
    seen = data.get("phases", {})
    folded = tuple(Phase(label, float(seen.get(label, 0.0))) for label, _ in phases)
    tops = tuple((str(name), float(seconds), None) for name, seconds in data.get("top", []))
    workers = tuple((str(name), float(seconds)) for name, seconds in data.get("workers", []))
    return Breakdown(total, folded, tops, method="sampling", workers=workers, subject=subject)
