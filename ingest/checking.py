"""DA/T 70 checks on a SIP at receipt (GD items; YJ items for a package from another archive).

Lives in ingest/ because imports point down (ingest → archive → checks): the
checks package never imports the SIP validator.  :func:`receive_checks` runs
the receive plan on an already staged and validated SIP (the ingest pipeline
calls it); :func:`checks_for_sip` validates and stages a package in a
temporary folder first (``casearchive check --sip PATH``).
"""
from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from checks.api import CheckContext, Stage
from checks.engine import PackageCheckReport, run_plan
from checks.package import DirectoryPackage
from checks.plans import ChecksSettings, parse_settings, plan_for
from ingest.sip import SipValidation, validate_sip


def sip_package(v: SipValidation) -> DirectoryPackage:
    """A PackageView over the staged SIP of a validation (which must have staged it)."""
    if v.staged is None or v.staged.root is None:
        raise ValueError("the package was not staged; nothing to check")
    ident = v.casefile.case_number if v.casefile else (v.bag_info("External-Identifier") or v.source.name)
    return DirectoryPackage.from_bag(v.staged.root, "sip", ident, casefile=v.casefile)


def receipt_digests(v: SipValidation) -> dict[str, dict[str, str]]:
    """Digests computed while staging (one read): 1-14 reuses them instead of reading again."""
    return {path: dict(d.digests) for path, d in v.digests.items() if not d.error}


def receive_checks(v: SipValidation, *, now: datetime, settings: ChecksSettings | None = None,
                   services: Mapping[str, Any] | None = None, items: Iterable[str] | None = None,
                   from_archive: bool = False, archive_name: str = "") -> PackageCheckReport:
    """Run the receive plan on a staged SIP; ``report.bottom_line == failed`` means refuse."""
    settings = settings or ChecksSettings()
    plan = plan_for(Stage.RECEIVE, settings=settings, from_archive=from_archive, items=items)
    ctx = CheckContext(now=now, stage=Stage.RECEIVE, settings=settings.as_mapping(),
                       services={"receipt_digests": receipt_digests(v), **dict(services or {})})
    return run_plan(sip_package(v), plan, ctx, archive_name=archive_name)


def checks_for_sip(path: Path, stage: Stage | str = Stage.RECEIVE, *, now: datetime,
                   settings: Mapping[str, Any] | ChecksSettings | None = None,
                   services: Mapping[str, Any] | None = None, items: Iterable[str] | None = None,
                   from_archive: bool = False, archive_name: str = "") -> PackageCheckReport:
    """Validate and stage ``path`` in a temporary folder, then run the receive plan on it.

    ``settings`` is the raw [checks] section or parsed settings.  Packages that cannot
    be staged at all raise ValueError with the findings' codes (nothing to check).
    """
    if Stage(stage) is not Stage.RECEIVE:
        raise ValueError("a SIP is checked with the receive plan (stage receive)")
    parsed = settings if isinstance(settings, ChecksSettings) else parse_settings(settings or {})
    with tempfile.TemporaryDirectory(prefix="casearchive-check-") as tmp:
        v = validate_sip(Path(path), Path(tmp) / "sip", level="sip", today=now.date())
        if v.staged is None or v.staged.root is None:
            codes = ", ".join(sorted({f.code for f in v.findings}))
            raise ValueError(f"{path}: cannot be staged for checking ({codes})")
        return receive_checks(v, now=now, settings=parsed, services=services, items=items,
                              from_archive=from_archive, archive_name=archive_name)
