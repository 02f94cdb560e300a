"""What one reader found in one file: the shared shape of the PDF, image, OFD and media readers.

Findings are sorted by the DA/T 70 item that judges them, so each item picks its
part of one analysis instead of opening the file again:
``fatal`` — the file does not open completely (2-7, 3-4); ``defects`` — parts of
it cannot be parsed (3-4, 2-7); ``compliance`` — encryption, scripts, external
content, non-open compression (3-8); ``long_term`` — fonts, PDF/A claim (3-5);
``attachment_findings`` (2-8).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from findings import Finding


@dataclass(frozen=True)
class Attachment:
    """A file carried inside another one (PDF embedded file, OFD attachment)."""

    name: str
    size: int | None
    ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "ok": self.ok}


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on one signature embedded in a file (DA/T 70 1-1)."""

    field: str  # PDF signature field name, or the OFD signature's ID / BaseLoc
    kind: str  # "pdf" | "ofd"
    status: str  # "valid" | "invalid" | "indeterminate"
    signer: str | None = None
    signing_time: str | None = None
    coverage: str | None = None
    modification: str | None = None
    findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "kind": self.kind, "status": self.status, "signer": self.signer,
                "signing_time": self.signing_time, "coverage": self.coverage, "modification": self.modification}


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded: bool


@dataclass(frozen=True)
class ContentReport:
    reader: str  # the library that opened the file, for the report's remarks
    pages: int | None = None  # pages (PDF, OFD) or frames (images)
    fatal: tuple[Finding, ...] = ()
    defects: tuple[Finding, ...] = ()
    compliance: tuple[Finding, ...] = ()
    long_term: tuple[Finding, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    attachment_findings: tuple[Finding, ...] = ()
    signatures: tuple[SignatureCheck, ...] = ()
    fonts: tuple[FontInfo, ...] = ()
    pdfa: str | None = None  # the PDF/A claim read from the document's own XMP
    encrypted: bool = False
    software: Mapping[str, str] = field(default_factory=dict)  # Producer/Creator (item 3-6 reads it)
