"""The check engine: run a stage plan on a package, collect verdicts, judge the bottom line.

Every item's function runs once per package with a shared ``ctx.cache``.  A
function that is missing or raises never stops the run: its item is
``indeterminate`` with a coded finding.  Manual items show ``manual`` — or the
person's attestation.  The bottom line is ``failed`` when a blocking result
exists, ``indeterminate`` when any automated verdict is indeterminate, else
``passed``: "could not decide" is never "passed" (STYLE.md 4).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

import checks.codes_pkg as codes
from checks.api import CheckContext, CheckResult, PackageView, Property, Status
from checks.package import FileSubset
from checks.plans import Plan
from checks.registry import CheckItem, NotImplementedCheck, Registry, load_registry, resolve
from findings import Finding, findings_to_json
from findings.i18n import Lang

log = logging.getLogger(__name__)
#: Order of precedence when one item has several verdicts (worst first).
PRECEDENCE = (Status.FAILED, Status.INDETERMINATE, Status.MANUAL, Status.PASSED, Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class Attestation:
    """A person's verdict on a manual item for one package (``casearchive attest``)."""

    item: str
    by: str
    at: datetime
    note: str
    failed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "by": self.by, "at": self.at.isoformat(), "note": self.note, "failed": self.failed}


@dataclass(frozen=True)
class ItemOutcome:
    """One item of one plan on one package."""

    item: CheckItem
    item_id: str  # with stage prefix, e.g. GD-1-14
    status: Status
    results: tuple[CheckResult, ...]
    blocking: bool
    seconds: float
    attestation: Attestation | None = None

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"item_id": self.item_id, "number": self.item.number, "property": self.item.property.value,
                "kind": self.item.kind, "name_zh": self.item.name.zh, "name_en": self.item.name.en,
                "status": self.status.value, "blocking": self.blocking, "seconds": round(self.seconds, 6),
                "attestation": self.attestation.to_dict() if self.attestation else None,
                "results": [result_to_dict(r, lang) for r in self.results]}


def result_to_dict(result: CheckResult, lang: Lang | None = None) -> dict[str, Any]:
    return {"item": result.item, "status": result.status.value, "object": result.object,
            "expected": result.expected, "found": result.found, "remarks": result.remarks,
            "findings": findings_to_json(result.findings, lang)}


def worst(statuses: Iterable[Status]) -> Status:
    present = set(statuses)
    return next((s for s in PRECEDENCE if s in present), Status.NOT_APPLICABLE)


@dataclass(frozen=True)
class PackageCheckReport:
    """All verdicts of one plan on one package, with the bottom line."""

    kind: str
    identifier: str
    plan: Plan
    started_at: datetime
    outcomes: tuple[ItemOutcome, ...]
    bottom_line: Status
    archive_name: str = ""
    archive_number: str | None = None
    case_number: str | None = None
    run_id: str | None = None

    @property
    def blocking(self) -> tuple[str, ...]:
        return tuple(o.item_id for o in self.outcomes if o.blocking)

    @property
    def counts(self) -> dict[str, int]:
        return status_counts(o.status for o in self.outcomes)

    def by_property(self) -> dict[str, dict[str, int]]:
        """Per four-property class: how many items ended in each status."""
        return {p.value: status_counts(o.status for o in self.outcomes if o.item.property is p) for p in Property}

    def outcome(self, number: str) -> ItemOutcome:
        for o in self.outcomes:
            if o.item.number == number or o.item_id == number:
                return o
        raise KeyError(number)

    def timings(self) -> dict[str, float]:
        """Seconds per item id (bench: share of time per item)."""
        return {o.item_id: o.seconds for o in self.outcomes}

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"kind": self.kind, "identifier": self.identifier, "archive_name": self.archive_name,
                "archive_number": self.archive_number, "case_number": self.case_number, "run_id": self.run_id,
                "plan": self.plan.to_dict(), "started_at": self.started_at.isoformat(),
                "bottom_line": self.bottom_line.value, "blocking": list(self.blocking), "counts": self.counts,
                "by_property": self.by_property(), "items": [o.to_dict(lang) for o in self.outcomes]}


def status_counts(statuses: Iterable[Status]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for s in statuses:
        counts[s.value] += 1
    return counts


@dataclass(frozen=True)
class BatchReport:
    """One plan over many packages."""

    plan: Plan
    started_at: datetime
    reports: tuple[PackageCheckReport, ...]
    archive_name: str = ""

    @property
    def bottom_line(self) -> Status:
        if not self.reports:
            return Status.NOT_APPLICABLE
        return worst(r.bottom_line for r in self.reports)

    def counts(self) -> dict[str, int]:
        """Packages per bottom line."""
        return status_counts(r.bottom_line for r in self.reports)

    def item_counts(self) -> dict[str, dict[str, int]]:
        """Per item number: packages per status."""
        out: dict[str, dict[str, int]] = {}
        for number in self.plan.items:
            out[number] = status_counts(r.outcome(number).status for r in self.reports)
        return out

    def timings(self) -> dict[str, float]:
        total: dict[str, float] = {}
        for r in self.reports:
            for o in r.outcomes:
                total[o.item.number] = total.get(o.item.number, 0.0) + o.seconds
        return total

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"plan": self.plan.to_dict(), "started_at": self.started_at.isoformat(),
                "archive_name": self.archive_name, "bottom_line": self.bottom_line.value,
                "packages": len(self.reports), "counts": self.counts(), "item_counts": self.item_counts(),
                "reports": [r.to_dict(lang) for r in self.reports]}


# ---------------------------------------------------------------- running one item

def _indeterminate(item: CheckItem, code: str, **params: Any) -> list[CheckResult]:
    finding = Finding(code, location="package", params={"item": item.number, **params})
    return [CheckResult(item.number, Status.INDETERMINATE, "package", findings=(finding,))]


def _checked(item: CheckItem, value: Any) -> list[CheckResult]:
    """The function's return value, if it is a non-empty list of CheckResults."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(r, CheckResult) for r in value):
        return _indeterminate(item, codes.ENGINE_ERROR, reason=f"returned {type(value).__name__}, not CheckResults")
    if not value:
        return _indeterminate(item, codes.ENGINE_NO_RESULT)
    return [r if r.item == item.number else replace(r, item=item.number) for r in value]


def _run_function(item: CheckItem, package: PackageView, ctx: CheckContext) -> list[CheckResult]:
    assert item.function is not None
    try:
        function = resolve(item.function)
    except NotImplementedCheck as exc:
        return _indeterminate(item, codes.ENGINE_NOT_IMPLEMENTED, function=item.function, reason=str(exc))
    except Exception as exc:  # noqa: BLE001 — a broken module must not stop the other items
        return _indeterminate(item, codes.ENGINE_NOT_IMPLEMENTED, function=item.function,
                              reason=f"{type(exc).__name__}: {exc}"[:300])
    try:
        return _checked(item, function(package, ctx))
    except Exception as exc:  # noqa: BLE001 — the engine's promise: never crash the run
        log.warning("check %s raised on %s", item.number, package.identifier, exc_info=True)
        return _indeterminate(item, codes.ENGINE_ERROR, reason=f"{type(exc).__name__}: {exc}"[:300])


def _manual(item: CheckItem, ctx: CheckContext) -> tuple[list[CheckResult], Attestation | None]:
    lookup: Callable[[str], Attestation | None] | None = ctx.services.get("attestations")
    attestation = lookup(item.number) if lookup else None
    if attestation is None:
        finding = Finding(codes.MANUAL_PENDING, location="package", params={"item": item.number})
        return [CheckResult(item.number, Status.MANUAL, "package", findings=(finding,))], None
    params = {"item": item.number, "by": attestation.by, "at": attestation.at.isoformat(), "note": attestation.note}
    code = codes.MANUAL_REFUSED if attestation.failed else codes.MANUAL_ATTESTED
    status = Status.FAILED if attestation.failed else Status.MANUAL
    remark = f"{'不通过' if attestation.failed else '已人工确认'} attested by {attestation.by} {attestation.at:%Y-%m-%d}: {attestation.note}"
    return [CheckResult(item.number, status, "package", findings=(Finding(code, "package", params=params),),
                        remarks=remark)], attestation


def run_item(item: CheckItem, plan: Plan, package: PackageView, ctx: CheckContext) -> ItemOutcome:
    """One item on one package: function, manual placeholder or attestation; timed."""
    started = time.perf_counter()
    attestation = None
    if item.kind == "manual":
        results, attestation = _manual(item, ctx)
    else:
        results = _run_function(item, package, ctx)
    status = worst(r.status for r in results)
    blocking = plan.blocks(item.number, status)
    return ItemOutcome(item, item.item_id(plan.prefix), status, tuple(results), blocking,
                       time.perf_counter() - started, attestation)


def bottom_line(outcomes: Sequence[ItemOutcome]) -> Status:
    """failed if anything blocks; indeterminate if any verdict is; else passed."""
    if any(o.blocking for o in outcomes):
        return Status.FAILED
    if any(o.status is Status.INDETERMINATE for o in outcomes):
        return Status.INDETERMINATE
    return Status.PASSED


def run_plan(package: PackageView, plan: Plan, ctx: CheckContext, *, registry: Registry | None = None,
             archive_name: str = "") -> PackageCheckReport:
    """Run every item of ``plan`` on ``package`` once."""
    registry = registry or load_registry()
    view: Any = FileSubset(package, frozenset(plan.files)) if plan.files is not None else package
    outcomes = tuple(run_item(registry.item(n), plan, view, ctx) for n in plan.items)
    cf = package.casefile
    recorded = package.recorded
    return PackageCheckReport(
        kind=package.kind, identifier=package.identifier, plan=plan, started_at=ctx.now, outcomes=outcomes,
        bottom_line=bottom_line(outcomes), archive_name=archive_name,
        archive_number=recorded.get("archive_number") or package.bag_info.get("Archive-Number"),
        case_number=cf.case_number if cf else package.bag_info.get("External-Identifier"))


def run_batch(packages: Iterable[PackageView], plan: Plan, ctx_factory: Callable[[PackageView], CheckContext], *,
              now: datetime, registry: Registry | None = None, archive_name: str = "") -> BatchReport:
    """``plan`` on each package, each with its own context (and cache)."""
    reports = tuple(run_plan(p, plan, ctx_factory(p), registry=registry, archive_name=archive_name)
                    for p in packages)
    return BatchReport(plan, now, reports, archive_name)


# ---------------------------------------------------------------- manage: before and after

@dataclass(frozen=True)
class Change:
    """One item whose verdict differs between before and after an operation."""

    item_id: str
    before: Status
    after: Status
    codes_added: tuple[str, ...] = ()
    codes_removed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "before": self.before.value, "after": self.after.value,
                "codes_added": list(self.codes_added), "codes_removed": list(self.codes_removed)}


@dataclass(frozen=True)
class ManagePair:
    """The manage plan run before and after a metadata edit, a conversion or a migration."""

    before: PackageCheckReport
    after: PackageCheckReport
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def regressed(self) -> tuple[Change, ...]:
        """Items that were better before (e.g. passed → failed)."""
        rank = {s: i for i, s in enumerate(PRECEDENCE)}
        return tuple(c for c in self.changes if rank[c.after] < rank[c.before])

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"before": self.before.to_dict(lang), "after": self.after.to_dict(lang),
                "changes": [c.to_dict() for c in self.changes], "regressed": [c.item_id for c in self.regressed]}


def _codes(outcome: ItemOutcome) -> set[str]:
    return {f.code for r in outcome.results for f in r.findings}


def compare_reports(before: PackageCheckReport, after: PackageCheckReport) -> tuple[Change, ...]:
    """Every item whose status or finding codes differ."""
    after_by = {o.item.number: o for o in after.outcomes}
    changes = []
    for b in before.outcomes:
        a = after_by.get(b.item.number)
        if a is None:
            continue
        added, removed = sorted(_codes(a) - _codes(b)), sorted(_codes(b) - _codes(a))
        if a.status is not b.status or added or removed:
            changes.append(Change(b.item_id, b.status, a.status, tuple(added), tuple(removed)))
    return tuple(changes)


def run_manage_pair(before: PackageView, after: PackageView, plan: Plan,
                    ctx_factory: Callable[[PackageView], CheckContext], *,
                    registry: Registry | None = None, archive_name: str = "") -> ManagePair:
    """Run the manage plan on the package before and after an operation; report what changed."""
    b = run_plan(before, plan, ctx_factory(before), registry=registry, archive_name=archive_name)
    a = run_plan(after, plan, ctx_factory(after), registry=registry, archive_name=archive_name)
    return ManagePair(b, a, compare_reports(b, a))
