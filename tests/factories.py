"""Valid case files built in code, for every test package.

``make_casefile()`` returns a case file that passes the schema and every rule of
``metadata.rules``; each document points at a real PDF (pypdf, blank pages, the
declared page count) whose size and SHA-256 are the declared ones.  Override any
field to make it fail; ``make_casefile`` recomputes the declared totals from the
documents unless they are overridden too.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
from datetime import date
from typing import Any, Iterable

from pypdf import PdfWriter

from metadata.model import (CaseFile, Digest, Document, OriginalForm, Party, Procedure,
                            RetentionPeriod, SecurityLevel, Volume)

TODAY = date(2024, 6, 30)
CASE_NUMBER = "（2023）京0105民初1234号"


@functools.cache
def pdf_bytes(pages: int = 1, title: str = "") -> bytes:
    """A real PDF with ``pages`` blank A4 pages and ``title``; the same bytes per arguments."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_document(sequence: int = 1, **overrides: Any) -> Document:
    """Document ``sequence`` with a real PDF behind it (see :func:`document_bytes`)."""
    title = overrides.pop("title", f"诉讼文书材料第{sequence}件")
    pages = overrides.pop("page_count", 2)
    content = pdf_bytes(pages, title)
    values: dict[str, Any] = dict(
        sequence=sequence, title=title, creator="北京市朝阳区人民法院", date=date(2023, 3, 1),
        volume=Volume.MAIN, path=f"documents/{sequence:03d}.pdf", page_count=pages,
        start_page=1 + 2 * (sequence - 1), original_form=OriginalForm.BORN_DIGITAL, format="PDF",
        size=len(content), digest=Digest("sha256", hashlib.sha256(content).hexdigest()),
        doc_number=CASE_NUMBER)
    values.update(overrides)
    return Document(**values)


def _default_documents() -> tuple[Document, ...]:
    return (
        make_document(1, title="民事起诉状", creator="张三", date=date(2023, 2, 20), doc_number=None),
        make_document(2, title="受理案件通知书"),
        make_document(3, title="证据材料（借条）", creator="张三", date=date(2022, 5, 1),
                      original_form=OriginalForm.PAPER_SCAN, paper_location="档案室第3柜",
                      doc_number=None),
        make_document(4, title="民事判决书", date=date(2023, 9, 15)),
        make_document(5, title="合议庭评议笔录", volume=Volume.SECONDARY, start_page=1,
                      date=date(2023, 9, 10), doc_number=None),
    )


def make_casefile(**overrides: Any) -> CaseFile:
    """A valid 民初 case file with five documents (four 正卷, one 副卷)."""
    documents = tuple(overrides.pop("documents", _default_documents()))
    values: dict[str, Any] = dict(
        case_number=CASE_NUMBER, cause="民间借贷纠纷",
        parties=(Party("原告", "张三"), Party("被告", "北京某某贸易有限公司")),
        procedure=Procedure.FIRST_INSTANCE, result="判决", court="北京市朝阳区人民法院",
        department="民一庭", judge="李四", clerk="王五", panel=("李四", "赵六", "钱七"),
        filing_date=date(2023, 3, 1), closing_date=date(2023, 9, 15),
        archiving_date=date(2023, 11, 20), security_level=SecurityLevel.PUBLIC,
        retention=RetentionPeriod.YEARS_60, main_volumes=1,
        secondary_volumes=1 if any(d.volume is Volume.SECONDARY for d in documents) else 0,
        document_count=len(documents), page_count=sum(d.page_count for d in documents),
        documents=documents, fonds_number="J001", archive_number=None,
        related_case_numbers=(), archived_by="孙八")
    values.update(overrides)
    return CaseFile(**values)


def document_bytes(doc: Document) -> bytes:
    """The PDF :func:`make_document` made for ``doc`` (by its title and page count)."""
    return pdf_bytes(doc.page_count, doc.title)


def payload_files(cf: CaseFile, extra: Iterable[tuple[str, bytes]] = ()) -> dict[str, bytes]:
    """Payload path (relative to data/) → bytes, for every document, plus ``extra``."""
    files = {doc.path: document_bytes(doc) for doc in cf.documents}
    files.update(extra)
    return files


def payload_sizes(cf: CaseFile, extra: Iterable[tuple[str, bytes]] = ()) -> dict[str, int]:
    """The ``payload`` mapping metadata.rules.check_casefile expects (path → size)."""
    return {path: len(data) for path, data in payload_files(cf, extra).items()}


def replace(obj: Any, **changes: Any) -> Any:
    """dataclasses.replace, re-exported for brevity in tests."""
    return dataclasses.replace(obj, **changes)


# ------------------------------------------------------------------ hypothesis strategies

def _strategies():  # type: ignore[no-untyped-def]
    """Imported lazily so that plain factories do not need hypothesis."""
    from hypothesis import strategies as st

    return st


#: Characters a GB 18030 text may hold beyond the BMP basics: Ext A, Ext B, symbols.
GB18030_SAMPLES = "㐀䶵𠀀𪛖𫝀鿿€々〇﹏㊣・ー—…《》【】﹝﹞（）"
_XML_WS = " \t\n\r"


def xml_texts(max_size: int):  # type: ignore[no-untyped-def]
    """Non-blank text the schema accepts: XML characters, no outer XSD whitespace."""
    st = _strategies()
    chars = st.one_of(
        st.characters(exclude_categories=("Cs", "Cc", "Cn")),  # Cn holds U+FFFE/U+FFFF
        st.sampled_from(GB18030_SAMPLES + "\t\n\r"))
    return st.text(chars, min_size=1, max_size=max_size).filter(
        lambda s: s.strip(_XML_WS) == s and s != "")


def _segments():  # type: ignore[no-untyped-def]
    st = _strategies()
    chars = st.characters(exclude_categories=("Cs", "Cc", "Cn"), exclude_characters='/\\:*?"<>|')
    return st.text(chars, min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))


def documents_strategy():  # type: ignore[no-untyped-def]
    st = _strategies()
    algorithms = st.sampled_from([("sha256", 64), ("sha512", 128), ("sm3", 64)])
    digests = algorithms.flatmap(lambda a: st.text("0123456789abcdef", min_size=a[1], max_size=a[1])
                                 .map(lambda v, name=a[0]: Digest(name, v)))
    return st.builds(
        Document, sequence=st.integers(1, 999_999_999), title=xml_texts(500), creator=xml_texts(200),
        date=st.dates(), volume=st.sampled_from(Volume),
        path=st.lists(_segments(), min_size=1, max_size=4).map("/".join),
        page_count=st.integers(1, 999_999_999), start_page=st.integers(1, 999_999_999),
        original_form=st.sampled_from(OriginalForm),
        format=st.from_regex(r"[0-9A-Za-z][0-9A-Za-z/._+\-]{0,31}", fullmatch=True),
        size=st.integers(0, 10**18 - 1), digest=digests,
        doc_number=st.none() | xml_texts(100), paper_location=st.none() | xml_texts(200),
        remarks=st.none() | xml_texts(1000))


def casefiles_strategy():  # type: ignore[no-untyped-def]
    """Any case file the schema accepts (semantic rules are not respected)."""
    st = _strategies()
    short = xml_texts(50)
    documents = st.lists(documents_strategy(), min_size=1, max_size=4,
                         unique_by=(lambda d: d.sequence, lambda d: d.path)).map(tuple)
    return st.builds(
        CaseFile, case_number=xml_texts(64), cause=xml_texts(100),
        parties=st.lists(st.builds(Party, role=short, name=xml_texts(200)), min_size=1, max_size=3).map(tuple),
        procedure=st.sampled_from(Procedure), result=xml_texts(200), court=xml_texts(100),
        department=short, judge=short, clerk=short, panel=st.lists(short, max_size=3).map(tuple),
        filing_date=st.dates(), closing_date=st.dates(), archiving_date=st.none() | st.dates(),
        security_level=st.sampled_from(SecurityLevel), retention=st.sampled_from(RetentionPeriod),
        main_volumes=st.integers(0, 999_999_999), secondary_volumes=st.integers(0, 999_999_999),
        document_count=st.integers(1, 999_999_999), page_count=st.integers(1, 999_999_999),
        documents=documents,
        fonds_number=st.none() | st.from_regex(r"[0-9A-Za-z]{1,16}", fullmatch=True),
        archive_number=st.none() | xml_texts(100),
        related_case_numbers=st.lists(xml_texts(64), max_size=2).map(tuple),
        archived_by=st.none() | short)
