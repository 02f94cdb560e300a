"""metadata.rules: each semantic rule passing and failing, with expected and found values."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from factories import TODAY, make_casefile, make_document, payload_sizes, replace
from findings import Lang, Severity, all_codes, get_code
from metadata import codes
from metadata.archive_number import ArchiveNumberRule
from metadata.model import CaseFile, Digest, OriginalForm
from metadata.rules import RULES, check_casefile

LOCATION = "data/metadata/casefile.xml"


def check(cf: CaseFile, payload: dict[str, int] | None = None, **kwargs: object) -> list:  # type: ignore[type-arg]
    return check_casefile(cf, payload_sizes(cf) if payload is None else payload, TODAY, **kwargs)  # type: ignore[arg-type]


def with_docs(*docs, **overrides) -> CaseFile:  # type: ignore[no-untyped-def]
    """A case file over ``docs`` whose totals are recomputed (so only the tested rule fires)."""
    return make_casefile(documents=tuple(docs), **overrides)


def codes_of(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in findings]


def test_the_factory_case_file_passes_every_rule() -> None:
    assert check(make_casefile()) == []


def test_every_rule_has_a_docstring_naming_its_clause() -> None:
    for rule in RULES:
        assert rule.__doc__ and any(mark in rule.__doc__ for mark in ("DA/T", "法〔", "暂行办法"))


def test_every_md_code_is_bilingual_with_a_clause() -> None:
    mine = [c for c in all_codes() if c.code.startswith("MD-")]
    assert len(mine) >= 30
    for code in mine:
        assert code.clause and code.en and code.zh and code.hint_en and code.hint_zh
        assert any("\u4e00" <= ch <= "\u9fff" for ch in code.zh)


# ---------------------------------------------------------------- 案号

def test_invalid_case_number() -> None:
    findings = check(make_casefile(case_number="2023-民-1234"))
    assert codes_of(findings) == [codes.CASE_NUMBER_INVALID]
    assert findings[0].location == LOCATION and findings[0].found == "2023-民-1234"


def test_ascii_parentheses_warn() -> None:
    findings = check(make_casefile(case_number="(2023)京0105民初1234号"))
    assert codes_of(findings) == [codes.CASE_NUMBER_ASCII_PARENS]
    assert findings[0].level is Severity.WARNING


def test_related_case_numbers_only_warn() -> None:
    findings = check(make_casefile(related_case_numbers=("（2022）京0105民初1号", "旧号")))
    assert codes_of(findings) == [codes.CASE_NUMBER_INVALID]
    assert findings[0].level is Severity.WARNING and findings[0].found == "旧号"


def test_case_number_year_after_filing_year() -> None:
    findings = check(make_casefile(case_number="（2024）京0105民初1234号"))
    assert codes_of(findings) == [codes.CASE_NUMBER_YEAR]
    assert (findings[0].expected, findings[0].found) == ("2023", "2024")
    assert check(make_casefile(case_number="（2022）京0105民初1234号")) == []


# ---------------------------------------------------------------- dates

def test_closing_before_filing() -> None:
    findings = check(make_casefile(closing_date=date(2023, 2, 28)))
    assert codes_of(findings) == [codes.CLOSING_BEFORE_FILING]
    assert (findings[0].expected, findings[0].found) == ("2023-03-01", "2023-02-28")
    assert check(make_casefile(closing_date=date(2023, 3, 1))) == []


def test_archiving_before_closing() -> None:
    findings = check(make_casefile(archiving_date=date(2023, 9, 14)))
    assert codes_of(findings) == [codes.ARCHIVING_BEFORE_CLOSING]
    assert (findings[0].expected, findings[0].found) == ("2023-09-15", "2023-09-14")
    assert check(make_casefile(archiving_date=None)) == []


@pytest.mark.parametrize("field, name", [("closing_date", "/caseFile/closingDate"),
                                         ("archiving_date", "/caseFile/archivingDate")])
def test_case_dates_after_today(field: str, name: str) -> None:
    findings = check(make_casefile(**{field: TODAY + timedelta(days=1), "archiving_date": None}))
    if field == "archiving_date":
        findings = check(make_casefile(archiving_date=TODAY + timedelta(days=1)))
    assert codes_of(findings) == [codes.DATE_IN_FUTURE]
    assert findings[0].params["field"] == name and findings[0].expected == TODAY.isoformat()
    assert check(make_casefile(**{field: TODAY, "archiving_date": None})) == []


def test_filing_date_after_today() -> None:
    tomorrow = TODAY + timedelta(days=1)
    cf = make_casefile(case_number="（2024）京0105民初1234号", filing_date=tomorrow,
                       closing_date=tomorrow, archiving_date=tomorrow)
    findings = check(cf)
    assert codes_of(findings) == [codes.DATE_IN_FUTURE] * 3
    assert "立案日期" in findings[0].message(Lang.ZH)


def test_document_date_after_today() -> None:
    docs = list(make_casefile().documents)
    docs[1] = replace(docs[1], date=TODAY + timedelta(days=30))
    findings = check(with_docs(*docs))
    assert codes_of(findings) == [codes.DATE_IN_FUTURE]
    assert findings[0].params["field"] == "/caseFile/documents/document[2]/date"
    assert "第2号文件日期" in findings[0].message(Lang.ZH)


# ---------------------------------------------------------------- totals (DA/T 70 2-1)

def test_document_count_mismatch() -> None:
    findings = check(make_casefile(document_count=6))
    assert codes_of(findings) == [codes.DOCUMENT_COUNT]
    assert (findings[0].expected, findings[0].found) == ("6", "5")


def test_page_count_mismatch() -> None:
    findings = check(make_casefile(page_count=11))
    assert codes_of(findings) == [codes.PAGE_COUNT]
    assert (findings[0].expected, findings[0].found) == ("11", "10")


# ---------------------------------------------------------------- 顺序号 and 页号 (DA/T 70 2-6)

def _main_docs(*sequences: int) -> list:  # type: ignore[type-arg]
    """Main-volume documents numbered ``sequences`` with continuous pages."""
    docs, page = [], 1
    for seq in sequences:
        docs.append(make_document(seq, start_page=page, path=f"documents/{seq:03d}-{len(docs)}.pdf"))
        page += docs[-1].page_count
    return docs


def test_sequence_gap_reports_expected_and_found() -> None:
    findings = check(with_docs(*_main_docs(1, 2, 4, 5)))
    assert codes_of(findings) == [codes.SEQUENCE_GAP]
    assert (findings[0].expected, findings[0].found) == ("3", "4")


def test_sequence_must_start_at_one() -> None:
    findings = check(with_docs(*_main_docs(2, 3)))
    assert codes_of(findings) == [codes.SEQUENCE_GAP]
    assert (findings[0].expected, findings[0].found) == ("1", "2")


def test_sequence_duplicate() -> None:
    findings = check(with_docs(*_main_docs(1, 2, 2, 3)))
    assert codes_of(findings) == [codes.SEQUENCE_DUPLICATE]
    assert findings[0].found == "2"


def test_sequence_order_in_the_list_does_not_matter() -> None:
    docs = list(make_casefile().documents)
    assert check(with_docs(*reversed(docs))) == []


def test_start_page_discontinuous() -> None:
    docs = list(make_casefile().documents)
    docs[2] = replace(docs[2], start_page=6)
    findings = check(with_docs(*docs))
    # numbering resynchronises on the found value, so the next document is flagged too
    assert codes_of(findings) == [codes.START_PAGE, codes.START_PAGE]
    assert (findings[1].expected, findings[1].found) == ("8", "7")
    finding = findings[0]
    assert (finding.expected, finding.found) == ("5", "6")
    assert finding.params == {"volume": "正卷", "sequence": 3}
    assert "正卷第 3 号文件起始页号应为 5" in finding.message(Lang.ZH)


def test_wrong_page_count_is_flagged_once_where_numbering_breaks() -> None:
    docs = list(make_casefile().documents)
    docs[1] = replace(docs[1], page_count=3)  # the file really has 2 pages; later starts are right
    findings = check(with_docs(*docs), payload_sizes(make_casefile()))
    assert codes_of(findings) == [codes.START_PAGE]
    assert (findings[0].expected, findings[0].found, findings[0].params["sequence"]) == ("6", "5", 3)


def test_first_page_of_a_volume_is_one() -> None:
    docs = list(make_casefile().documents)
    docs[4] = replace(docs[4], start_page=11)  # 副卷 numbering runs on from 正卷: wrong
    findings = check(with_docs(*docs))
    assert codes_of(findings) == [codes.START_PAGE]
    assert (findings[0].expected, findings[0].found, findings[0].params["volume"]) == ("1", "11", "副卷")


def test_page_numbering_may_restart_once_per_extra_volume() -> None:
    docs = list(make_casefile().documents)
    docs[2] = replace(docs[2], start_page=1)
    docs[3] = replace(docs[3], start_page=3)
    assert codes_of(check(with_docs(*docs))) == [codes.START_PAGE]
    assert check(with_docs(*docs, main_volumes=2)) == []


# ---------------------------------------------------------------- volumes, scans, digests

def test_main_volume_count_zero_with_main_documents() -> None:
    findings = check(make_casefile(main_volumes=0))
    assert codes_of(findings) == [codes.VOLUMES_MISSING]
    assert findings[0].params["field"] == "/caseFile/mainVolumes"
    assert "正卷册数为 0" in findings[0].message(Lang.ZH)


def test_secondary_volume_count_zero_with_secondary_documents() -> None:
    findings = check(make_casefile(secondary_volumes=0))
    assert codes_of(findings) == [codes.VOLUMES_MISSING]
    assert findings[0].params["volume"] == "副卷"


def test_no_secondary_documents_needs_no_secondary_volume() -> None:
    docs = make_casefile().documents[:4]
    assert check(with_docs(*docs, secondary_volumes=0)) == []


@pytest.mark.parametrize("location", [None, "", "  "])
def test_scan_without_paper_location(location: str | None) -> None:
    docs = list(make_casefile().documents)
    assert docs[2].original_form is OriginalForm.PAPER_SCAN
    docs[2] = replace(docs[2], paper_location=location)
    findings = check(with_docs(*docs))
    assert codes_of(findings) == [codes.PAPER_LOCATION]
    assert findings[0].params["sequence"] == 3


def test_born_digital_needs_no_paper_location() -> None:
    assert make_casefile().documents[0].paper_location is None
    assert check(make_casefile()) == []


@pytest.mark.parametrize("algorithm, length, ok", [
    ("sha256", 64, True), ("sm3", 64, True), ("sha512", 128, True),
    ("sha256", 128, False), ("sha512", 64, False), ("sm3", 128, False),
])
def test_digest_length_fits_algorithm(algorithm: str, length: int, ok: bool) -> None:
    docs = list(make_casefile().documents)
    docs[0] = replace(docs[0], digest=Digest(algorithm, "a" * length))
    findings = check(with_docs(*docs))
    assert findings == [] if ok else codes_of(findings) == [codes.DIGEST_LENGTH]


# ---------------------------------------------------------------- paths and payload (DA/T 70 1-10, 1-11)

def test_duplicate_paths() -> None:
    docs = list(make_casefile().documents)
    docs[1] = replace(docs[1], path=docs[0].path, size=docs[0].size)
    findings = check(with_docs(*docs))
    assert codes.PATH_DUPLICATE in codes_of(findings)
    assert next(f for f in findings if f.code == codes.PATH_DUPLICATE).found == "documents/001.pdf"


def test_document_pointing_at_the_metadata_file() -> None:
    docs = list(make_casefile().documents)
    docs[0] = replace(docs[0], path="metadata/casefile.xml")
    cf = with_docs(*docs)
    payload = {**payload_sizes(make_casefile()), "metadata/casefile.xml": docs[0].size}
    del payload["documents/001.pdf"]
    findings = check(cf, payload)
    assert codes_of(findings) == [codes.DOCUMENT_IS_METADATA]


def test_missing_file() -> None:
    cf = make_casefile()
    payload = payload_sizes(cf)
    del payload["documents/004.pdf"]
    findings = check(cf, payload)
    assert codes_of(findings) == [codes.FILE_MISSING]
    assert findings[0].location == "data/documents/004.pdf" and findings[0].params["sequence"] == 4


def test_size_mismatch() -> None:
    cf = make_casefile()
    payload = payload_sizes(cf)
    payload["documents/002.pdf"] += 1
    findings = check(cf, payload)
    assert codes_of(findings) == [codes.SIZE_MISMATCH]
    assert findings[0].location == "data/documents/002.pdf"
    assert findings[0].expected == str(cf.documents[1].size)
    assert findings[0].found == str(cf.documents[1].size + 1)


def test_unreferenced_payload_file() -> None:
    cf = make_casefile()
    payload = payload_sizes(cf, extra=[("documents/extra.pdf", b"%PDF"), ("metadata/casefile.xml", b"<x/>")])
    findings = check(cf, payload)
    assert codes_of(findings) == [codes.FILE_UNREFERENCED]
    assert findings[0].location == "data/documents/extra.pdf"


def test_without_payload_the_file_rules_are_skipped() -> None:
    assert check_casefile(make_casefile(), None, TODAY) == []
    assert check_casefile(make_casefile(), {}, TODAY) != []


# ---------------------------------------------------------------- archive number and reporting

def test_archive_number_checked_when_a_rule_is_given() -> None:
    cf = make_casefile(archive_number="XYZ")
    assert check(cf) == []
    assert codes_of(check(cf, archive_rule=ArchiveNumberRule())) == [codes.ARCHIVE_NUMBER_INVALID]


def test_location_is_configurable() -> None:
    findings = check(make_casefile(document_count=1), location="data/meta/cf.xml")
    assert findings[0].location == "data/meta/cf.xml"


def test_many_faults_are_all_reported() -> None:
    docs = list(make_casefile().documents)
    docs[0] = replace(docs[0], start_page=2, date=TODAY + timedelta(days=1))
    cf = with_docs(*docs, document_count=9, closing_date=date(2023, 1, 1), main_volumes=0)
    found = set(codes_of(check(cf, {})))
    assert {codes.START_PAGE, codes.DATE_IN_FUTURE, codes.DOCUMENT_COUNT, codes.CLOSING_BEFORE_FILING,
            codes.VOLUMES_MISSING, codes.FILE_MISSING} <= found
    for code in found:
        assert get_code(code).clause
