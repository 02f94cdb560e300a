"""The contract between the check engine and the check functions.

A *check function* implements one DA/T 70 item (or a part of one) for one
package.  It reads the package only through :class:`PackageView` — which a
staged SIP and a stored AIP copy both satisfy, so the same check runs at
receipt and in storage — and returns :class:`CheckResult` values; it raises
only when it cannot evaluate at all (the engine then records
``indeterminate``).  Expensive per-file work (opening a PDF, decoding an image,
identifying a format) goes through ``ctx.cache`` so that no file is read more
often than needed across all items of a plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Mapping, Protocol

from findings import Finding
from metadata.model import CaseFile


class Status(StrEnum):
    """Verdict of one item on one object (STYLE.md 4: three values + manual)."""

    PASSED = "passed"  # 通过
    FAILED = "failed"  # 不通过
    INDETERMINATE = "indeterminate"  # 无法判定
    MANUAL = "manual"  # 待人工确认 / attested by a person
    NOT_APPLICABLE = "not_applicable"  # 不适用 (e.g. no signatures to check)


class Stage(StrEnum):
    RECEIVE = "receive"  # 收 (DA/T 70 GD items; YJ items when from another archive)
    MANAGE = "manage"  # 管
    USE = "use"  # 用
    STORE = "store"  # 存 (DA/T 70 BC items)


class Property(StrEnum):
    AUTHENTICITY = "authenticity"  # 真实性 (1)
    INTEGRITY = "integrity"  # 完整性 (2)
    USABILITY = "usability"  # 可用性 (3)
    SECURITY = "security"  # 安全性 (4)


@dataclass(frozen=True)
class CheckResult:
    """One verdict of one item on one object (the package, a file, a field)."""

    item: str  # DA/T 70 item number without stage prefix, e.g. "1-1", "3-4"
    status: Status
    object: str  # "package", a file path relative to the package root, or a metadata field
    expected: str | None = None
    found: str | None = None
    findings: tuple[Finding, ...] = ()  # coded details (messages in zh-CN and en)
    remarks: str = ""  # short free text, e.g. the tool that decided


@dataclass(frozen=True)
class PackageFile:
    """One file of a package as the checks see it."""

    path: str  # relative to the package root, POSIX, e.g. "data/documents/001.pdf"
    size: int
    digests: Mapping[str, str] = field(default_factory=dict)  # recorded digests (algorithm → hex)


class PackageView(Protocol):
    """Read-only access to a SIP being received or an AIP copy in storage."""

    @property
    def kind(self) -> str: ...  # "sip" | "aip"

    @property
    def identifier(self) -> str: ...  # case number for a SIP, AIP id for an AIP

    @property
    def root(self) -> Path: ...  # bag root on disk

    @property
    def casefile(self) -> CaseFile | None: ...

    @property
    def bag_info(self) -> Mapping[str, str]: ...

    def files(self) -> Iterable[PackageFile]: ...  # every payload file (data/…)

    def open(self, path: str) -> BinaryIO: ...  # path as in PackageFile.path; never follows links

    @property
    def recorded(self) -> Mapping[str, Any]: ...  # what the archive recorded (catalogue / description.json); {} for a SIP


@dataclass
class CheckContext:
    """What a check may use besides the package.  ``cache`` is shared by all items of one run."""

    now: datetime
    stage: Stage
    settings: Mapping[str, Any] = field(default_factory=dict)  # [checks] config section
    cache: dict[tuple[str, str], Any] = field(default_factory=dict)  # (analysis name, file path) → result
    services: Mapping[str, Any] = field(default_factory=dict)  # e.g. "catalogue": a session factory, "trusted": certs


CheckFunction = Callable[[PackageView, CheckContext], list[CheckResult]]
