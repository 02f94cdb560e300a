"""What the metadata items share: the effective case file, findings on fields, results.

An AIP's casefile.xml is kept as received; what the archive assigned (档号, 全宗号,
归档日期) lives in preservation/description.json (``view.recorded``).  The checks
look at the *effective* case file: the received one completed with the recorded
values, since both are "the metadata" in DA/T 70's sense (DB and package).
"""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date
from typing import Any, Iterable, Mapping

from checks import codes_meta as codes
from checks.api import CheckContext, CheckResult, PackageView, Status
from checks.fieldspec import FieldSpec, FieldSpecification, FieldValue, load_field_spec
from findings import Finding, Severity
from metadata.model import CaseFile

METADATA_PATH = "data/metadata/casefile.xml"


def field_spec(ctx: CheckContext) -> FieldSpecification:
    """[checks] field_spec (a path) or the shipped specification."""
    path = ctx.settings.get("field_spec")
    return load_field_spec(str(path) if path else None)


def _recorded_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def effective_casefile(view: PackageView) -> CaseFile | None:
    """The package's case file completed with what the archive recorded for it."""
    cf = view.casefile
    if cf is None or view.kind != "aip":
        return cf
    rec = view.recorded or {}
    changes: dict[str, Any] = {}
    if cf.archive_number is None and isinstance(rec.get("archive_number"), str):
        changes["archive_number"] = rec["archive_number"]
    if cf.fonds_number is None and isinstance(rec.get("fonds_number"), str):
        changes["fonds_number"] = rec["fonds_number"]
    if cf.archiving_date is None and _recorded_date(rec.get("archiving_date")):
        changes["archiving_date"] = _recorded_date(rec.get("archiving_date"))
    return dataclasses.replace(cf, **changes) if changes else cf


def field_params(spec: FieldSpec, xpath: str, **extra: Any) -> dict[str, Any]:
    return {"field": xpath, "field_zh": spec.label_zh, "field_en": spec.label_en, **extra}


def on_field(code: str, fv: FieldValue, expected: Any = None, found: Any = None, **extra: Any) -> Finding:
    """A finding about one occurrence of a field (location: the metadata file)."""
    return Finding(code, METADATA_PATH, None if expected is None else str(expected),
                   None if found is None else str(found), field_params(fv.spec, fv.xpath, **extra))


def unavailable(item: str) -> list[CheckResult]:
    """No readable metadata: the item cannot be decided (never "passed")."""
    finding = Finding(codes.UNAVAILABLE, METADATA_PATH, params={"item": item})
    return [CheckResult(item, Status.INDETERMINATE, "metadata", findings=(finding,),
                        remarks="case-file metadata unreadable (see item 3-1)")]


def _status(findings: Iterable[Finding]) -> Status:
    return Status.FAILED if any(f.level is Severity.ERROR for f in findings) else Status.PASSED


def results(item: str, findings: Iterable[Finding], *, checked: str, remarks: str = "") -> list[CheckResult]:
    """One result per offending object (the field's XPath or file); one "passed" when none."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[str(finding.params.get("field") or finding.location)].append(finding)
    out = [CheckResult(item, _status(group), obj, group[0].expected, group[0].found, tuple(group), remarks)
           for obj, group in groups.items()]
    if not any(r.status is Status.FAILED for r in out):
        out.insert(0, CheckResult(item, Status.PASSED, "metadata", found=checked, remarks=remarks))
    return out


def settings_mapping(ctx: CheckContext, key: str) -> Mapping[str, Any]:
    value = ctx.settings.get(key)
    return value if isinstance(value, Mapping) else {}
