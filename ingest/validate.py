"""``casearchive validate``: the ingest validation, storing nothing.

Directories are hashed in place; archives are unpacked into a temporary folder
that is removed afterwards.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from findings import Finding, findings_to_json, has_errors
from findings.i18n import Lang
from fixity.digest import AIP_ALGORITHMS
from ingest.limits import UnpackLimits
from ingest.sip import validate_sip
from ingest.unpack import detect_kind


@dataclass(frozen=True)
class ValidationResult:
    source: str
    level: str
    kind: str | None
    findings: tuple[Finding, ...]
    case_number: str | None = None
    bagit_version: str | None = None

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        return {"source": self.source, "level": self.level, "kind": self.kind, "ok": self.ok,
                "case_number": self.case_number, "bagit_version": self.bagit_version,
                "findings": findings_to_json(self.findings, lang)}


def validate_path(path: Path, *, level: str, today: date, limits: UnpackLimits = UnpackLimits()) -> ValidationResult:
    extra = AIP_ALGORITHMS if level == "sip" else ()
    in_place = detect_kind(path) in ("directory", None) and not path.is_file()
    if in_place:
        v = validate_sip(path, None, level=level, today=today, limits=limits, extra_algorithms=extra)
    else:
        with tempfile.TemporaryDirectory(prefix="casearchive-validate-") as tmp:
            v = validate_sip(path, Path(tmp) / "sip", level=level, today=today, limits=limits, extra_algorithms=extra)
    case_number = v.casefile.case_number if v.casefile else v.bag_info("External-Identifier")
    return ValidationResult(str(path), level, v.kind, v.findings, case_number, v.bag.version if v.bag else None)


def validate_paths(paths: Sequence[Path], *, level: str, today: date) -> list[ValidationResult]:
    return [validate_path(p, level=level, today=today) for p in paths]
