"""Render a planned case file into real files and the matching :class:`CaseFile`.

Page counts, sizes and digests in the metadata are measured from the rendered
bytes, never assumed, so a generated SIP is correct by construction and a test
that changes one byte sees a real mismatch.
"""
from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from metadata.model import CaseFile, Digest, Document, OriginalForm, Volume
from samples import names
from samples.context import CaseContext, make_context
from samples.documents import DocSpec, plan_documents
from samples.names import Court
from samples.ofd import render_ofd
from samples.pdf import render_pdf
from samples.scan import render_scan

EXTENSIONS = {"PDF": "pdf", "OFD": "ofd", "JPEG": "jpg", "TIFF": "tif"}
PAGES_PER_VOLUME = 200  # a bound volume holds about 200 leaves (立卷规范)


@dataclass(frozen=True)
class SampleCase:
    """A case file and its content: ``files`` maps paths relative to data/ to bytes."""

    context: CaseContext
    casefile: CaseFile
    files: Mapping[str, bytes]


def render(spec: DocSpec, ctx: CaseContext, rng: random.Random) -> tuple[bytes, int]:
    """The document's bytes and its real page count."""
    if spec.is_scan:
        return render_scan(rng, spec.pages, spec.format), spec.pages
    assert spec.writer is not None  # every non-scan spec is planned with a writer
    paragraphs = spec.writer(ctx, spec.date, rng)
    court_made = spec.creator == ctx.court.name
    header = ctx.court.name if court_made else None
    if spec.format == "OFD":
        return render_ofd(spec.title, paragraphs, doc_id=f"{rng.getrandbits(128):032x}", author=spec.creator,
                          created=spec.date, header=header, doc_number=spec.doc_number, seal=court_made,
                          max_pages=spec.pages)
    return render_pdf(spec.title, paragraphs, author=spec.creator, header=header,
                      doc_number=spec.doc_number, max_pages=spec.pages)


def document_path(sequence: int, spec: DocSpec) -> str:
    """``documents/003-举证通知书.pdf``: Chinese names, as real senders use them."""
    return f"documents/{sequence:03d}-{spec.title}.{EXTENSIONS[spec.format]}"


def make_document(sequence: int, spec: DocSpec, data: bytes, pages: int, start_page: int,
                  rng: random.Random) -> Document:
    scan = spec.is_scan
    return Document(
        sequence=sequence, title=spec.title, creator=spec.creator, date=spec.date, volume=spec.volume,
        path=document_path(sequence, spec), page_count=pages, start_page=start_page,
        original_form=OriginalForm.PAPER_SCAN if scan else OriginalForm.BORN_DIGITAL,
        format=spec.format, size=len(data), digest=Digest("sha256", hashlib.sha256(data).hexdigest()),
        doc_number=spec.doc_number, paper_location=names.paper_location(rng) if scan else None)


def render_documents(ctx: CaseContext, specs: list[DocSpec],
                     rng: random.Random) -> tuple[list[Document], dict[str, bytes]]:
    """Render in 顺序号 order; 起始页号 runs on within each volume from 1."""
    next_page = {Volume.MAIN: 1, Volume.SECONDARY: 1}
    documents: list[Document] = []
    files: dict[str, bytes] = {}
    for sequence, spec in enumerate(specs, start=1):
        data, pages = render(spec, ctx, rng)
        doc = make_document(sequence, spec, data, pages, next_page[spec.volume], rng)
        next_page[spec.volume] += pages
        documents.append(doc)
        files[doc.path] = data
    return documents, files


def _volumes(documents: list[Document], volume: Volume) -> int:
    pages = sum(d.page_count for d in documents if d.volume is volume)
    return math.ceil(pages / PAGES_PER_VOLUME)


def assemble(ctx: CaseContext, documents: list[Document]) -> CaseFile:
    """Case-level metadata; counts are those of the documents actually rendered."""
    return CaseFile(
        case_number=ctx.case_number, cause=ctx.cause, parties=ctx.parties, procedure=ctx.procedure,
        result=ctx.result, court=ctx.court.name, department=ctx.department, judge=ctx.judge,
        clerk=ctx.clerk, panel=ctx.panel, filing_date=ctx.filing_date, closing_date=ctx.closing_date,
        security_level=ctx.security_level, retention=ctx.retention,
        main_volumes=_volumes(documents, Volume.MAIN), secondary_volumes=_volumes(documents, Volume.SECONDARY),
        document_count=len(documents), page_count=sum(d.page_count for d in documents),
        documents=tuple(documents), fonds_number=ctx.court.fonds, archiving_date=ctx.archiving_date,
        related_case_numbers=ctx.related_case_numbers, archived_by=ctx.clerk)


def build_case(rng: random.Random, index: int, today: date = date(2026, 11, 1), *,
               case_number: str | None = None, department: str | None = None,
               court: Court | None = None) -> SampleCase:
    """Draw, plan and render one case file. Overrides pin what a test needs to pin."""
    ctx = make_context(rng, index, today, case_number_text=case_number, department=department, court=court)
    documents, files = render_documents(ctx, plan_documents(ctx, rng), rng)
    return SampleCase(ctx, assemble(ctx, documents), files)
