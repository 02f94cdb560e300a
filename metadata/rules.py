"""Semantic rules on a case file: what the schema cannot say.

Each rule is one function from the case file (and the payload listing) to
findings; its clause is the one registered with its finding codes
(metadata/codes.py): DA/T 70-2018 items 1-5 合理性, 1-10/1-11 电子属性与关联,
2-1 总件数, 2-6 连续性, and the court rules (法〔2013〕283号, 法〔2015〕137号).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Iterator, Mapping

from findings import Finding, Severity
from metadata import codes
from metadata.archive_number import ArchiveNumberRule, check_archive_number
from metadata.case_number import parse_case_number
from metadata.model import CaseFile, Document, OriginalForm, Volume
from metadata.xml import DEFAULT_LOCATION

DOCUMENTS_DIR = "documents/"
DIGEST_HEX_LENGTH = {"sha256": 64, "sm3": 64, "sha512": 128}


@dataclass(frozen=True)
class Context:
    """What one run of the rules looks at."""

    cf: CaseFile
    payload: Mapping[str, int] | None  # path relative to data/ → size in bytes
    today: date
    location: str  # the metadata file, relative to the package root

    def doc_field(self, index: int, name: str) -> str:
        return f"/caseFile/documents/document[{index}]/{name}"

    def by_sequence(self) -> list[Document]:
        return sorted(self.cf.documents, key=lambda d: d.sequence)


Rule = Callable[[Context], Iterable[Finding]]


def case_number(ctx: Context) -> Iterator[Finding]:
    """法〔2015〕137号: the 案号 parses; related numbers that do not are warnings."""
    number, findings = parse_case_number(ctx.cf.case_number, location=ctx.location)
    yield from findings
    for related in ctx.cf.related_case_numbers:
        for finding in parse_case_number(related, location=ctx.location)[1]:
            yield Finding(finding.code, finding.location, finding.expected, finding.found,
                          finding.params, severity=Severity.WARNING)
    if number is not None and number.year > ctx.cf.filing_date.year:  # DA/T 70 1-5
        yield Finding(codes.CASE_NUMBER_YEAR, ctx.location,
                      expected=str(ctx.cf.filing_date.year), found=str(number.year))


def date_order(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-5: 立案日期 ≤ 结案日期 ≤ 归档日期."""
    cf = ctx.cf
    if cf.closing_date < cf.filing_date:
        yield Finding(codes.CLOSING_BEFORE_FILING, ctx.location,
                      expected=cf.filing_date.isoformat(), found=cf.closing_date.isoformat())
    if cf.archiving_date is not None and cf.archiving_date < cf.closing_date:
        yield Finding(codes.ARCHIVING_BEFORE_CLOSING, ctx.location,
                      expected=cf.closing_date.isoformat(), found=cf.archiving_date.isoformat())


def _future(ctx: Context, field: str, field_zh: str, value: date | None) -> Iterator[Finding]:
    if value is not None and value > ctx.today:
        yield Finding(codes.DATE_IN_FUTURE, ctx.location, expected=ctx.today.isoformat(),
                      found=value.isoformat(), params={"field": field, "field_zh": field_zh})


def no_future_dates(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-5: no date of the case file or its documents lies after today."""
    cf = ctx.cf
    yield from _future(ctx, "/caseFile/filingDate", "立案日期", cf.filing_date)
    yield from _future(ctx, "/caseFile/closingDate", "结案日期", cf.closing_date)
    yield from _future(ctx, "/caseFile/archivingDate", "归档日期", cf.archiving_date)
    for index, doc in enumerate(cf.documents, 1):
        yield from _future(ctx, ctx.doc_field(index, "date"), f"第{doc.sequence}号文件日期", doc.date)


def totals(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 2-1: declared 总件数 and 总页数 equal what the document list holds."""
    cf = ctx.cf
    if cf.document_count != len(cf.documents):
        yield Finding(codes.DOCUMENT_COUNT, ctx.location,
                      expected=str(cf.document_count), found=str(len(cf.documents)))
    pages = sum(d.page_count for d in cf.documents)
    if cf.page_count != pages:
        yield Finding(codes.PAGE_COUNT, ctx.location, expected=str(cf.page_count), found=str(pages))


def sequence_numbers(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 2-6: 顺序号 run 1, 2, 3 … without gaps or repeats."""
    expected = 1
    for number, count in sorted(Counter(d.sequence for d in ctx.cf.documents).items()):
        if number != expected:
            yield Finding(codes.SEQUENCE_GAP, ctx.location, expected=str(expected), found=str(number))
        if count > 1:
            yield Finding(codes.SEQUENCE_DUPLICATE, ctx.location, found=str(number))
        expected = number + 1


def _start_pages(ctx: Context, volume: Volume, volumes: int) -> Iterator[Finding]:
    expected, restarts = 1, 0
    for doc in (d for d in ctx.by_sequence() if d.volume is volume):
        # a 1 where pages should run on starts the next 册 of a multi-册 volume
        if doc.start_page == 1 and expected != 1 and restarts < volumes - 1:
            restarts += 1
        elif doc.start_page != expected:
            yield Finding(codes.START_PAGE, ctx.location, expected=str(expected),
                          found=str(doc.start_page),
                          params={"volume": volume.value, "sequence": doc.sequence})
        expected = doc.start_page + doc.page_count


def start_pages(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 2-6, 立卷规范: page numbers run on within 正卷 and within 副卷, from 1."""
    yield from _start_pages(ctx, Volume.MAIN, ctx.cf.main_volumes)
    yield from _start_pages(ctx, Volume.SECONDARY, ctx.cf.secondary_volumes)


def volume_counts(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-5: a volume kind that holds documents has at least one 册."""
    used = {d.volume for d in ctx.cf.documents}
    for volume, name, name_zh, declared in (
            (Volume.MAIN, "/caseFile/mainVolumes", "正卷册数", ctx.cf.main_volumes),
            (Volume.SECONDARY, "/caseFile/secondaryVolumes", "副卷册数", ctx.cf.secondary_volumes)):
        if volume in used and declared < 1:
            yield Finding(codes.VOLUMES_MISSING, ctx.location, expected="≥ 1", found=str(declared),
                          params={"field": name, "field_zh": name_zh, "volume": volume.value})


def paper_locations(ctx: Context) -> Iterator[Finding]:
    """暂行办法 Art. 2: a scan of paper says where the paper original is kept."""
    for doc in ctx.cf.documents:
        if doc.original_form is OriginalForm.PAPER_SCAN and not (doc.paper_location or "").strip():
            yield Finding(codes.PAPER_LOCATION, ctx.location, params={"sequence": doc.sequence})


def digest_lengths(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-3: the digest has the length of its algorithm (an XSD 1.0 co-constraint)."""
    for doc in ctx.cf.documents:
        want = DIGEST_HEX_LENGTH.get(doc.digest.algorithm)
        if want is not None and len(doc.digest.value) != want:
            yield Finding(codes.DIGEST_LENGTH, ctx.location, expected=str(want),
                          found=str(len(doc.digest.value)),
                          params={"sequence": doc.sequence, "algorithm": doc.digest.algorithm})


def document_paths(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-8, 1-11: paths are unique and none is the metadata file itself."""
    metadata_path = ctx.location.removeprefix("data/")
    counts = Counter(d.path for d in ctx.cf.documents)
    for path in sorted(p for p, n in counts.items() if n > 1):
        yield Finding(codes.PATH_DUPLICATE, ctx.location, found=path)
    for doc in ctx.cf.documents:
        if doc.path == metadata_path:
            yield Finding(codes.DOCUMENT_IS_METADATA, ctx.location, found=doc.path,
                          params={"sequence": doc.sequence})


def payload_links(ctx: Context) -> Iterator[Finding]:
    """DA/T 70 1-11, 1-10, 2-11: metadata ↔ files, one to one, with the declared sizes."""
    if ctx.payload is None:
        return
    for doc in ctx.cf.documents:
        size = ctx.payload.get(doc.path)
        if size is None:
            yield Finding(codes.FILE_MISSING, "data/" + doc.path, params={"sequence": doc.sequence})
        elif size != doc.size:
            yield Finding(codes.SIZE_MISMATCH, "data/" + doc.path, expected=str(doc.size),
                          found=str(size), params={"sequence": doc.sequence})
    referenced = {d.path for d in ctx.cf.documents}
    for path in sorted(p for p in ctx.payload if p.startswith(DOCUMENTS_DIR) and p not in referenced):
        yield Finding(codes.FILE_UNREFERENCED, "data/" + path)


RULES: tuple[Rule, ...] = (
    case_number, date_order, no_future_dates, totals, sequence_numbers, start_pages,
    volume_counts, paper_locations, digest_lengths, document_paths, payload_links,
)


def check_casefile(cf: CaseFile, payload: Mapping[str, int] | None, today: date, *,
                   location: str = DEFAULT_LOCATION,
                   archive_rule: ArchiveNumberRule | None = None) -> list[Finding]:
    """Run every rule on ``cf``.

    ``payload`` maps each payload file (relative to data/, e.g. ``documents/001.pdf``)
    to its size; None skips the rules that compare metadata with files.
    ``archive_rule`` adds the DA/T 70 1-7 档号 check of a declared archive number.
    """
    ctx = Context(cf, payload, today, location)
    findings = [finding for rule in RULES for finding in rule(ctx)]
    if archive_rule is not None:
        findings.extend(check_archive_number(cf, archive_rule, location))
    return findings
