"""Metadata items 1-2 … 1-10, 2-3, 2-4, 2-6 on real bags; every item fails on a variant and passes on the good one."""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, HealthCheck

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the fixtures sit beside us
from security_fixtures import context, view_of, write_package

from checks import items_metadata as md
from checks.api import Status
from factories import casefiles_strategy, make_casefile, replace
from metadata.model import CaseFile

GOOD = make_casefile()


def _docs(cf: CaseFile, index: int, **changes):  # type: ignore[no-untyped-def]
    docs = list(cf.documents)
    docs[index] = replace(docs[index], **changes)
    return tuple(docs)


def _run(check, cf: CaseFile, tmp_path: Path, settings=None, services=None, kind="sip", recorded=None):  # type: ignore[no-untyped-def]
    """Write the good bag; check ``cf`` as edited metadata (the manage stage edits it in place)."""
    root = tmp_path / "bag"
    if not root.exists():
        write_package(root)
    return check(view_of(root, kind, casefile=cf, recorded=recorded), context(settings, services))


def _codes(results) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.code for r in results for f in r.findings}


def _failed(results) -> bool:  # type: ignore[no-untyped-def]
    return any(r.status is Status.FAILED for r in results)


CASES = [  # (check, bad case file, expected code)
    (md.check_field_length, replace(GOOD, cause="纠纷" * 51), "CHK-MD-LENGTH"),
    (md.check_field_format, replace(GOOD, filing_date="2023-03-01"), "CHK-MD-TYPE"),
    (md.check_field_format, replace(GOOD, case_number="2023民初1234"), "CHK-MD-FORMAT"),
    (md.check_field_format, replace(GOOD, documents=_docs(GOOD, 0, digest=replace(GOOD.documents[0].digest, value="ab"))),
     "CHK-MD-FORMAT"),
    (md.check_field_vocabulary, replace(GOOD, security_level="很秘密"), "CHK-MD-VOCABULARY"),
    (md.check_field_vocabulary, replace(GOOD, documents=_docs(GOOD, 1, format="DOCX")), "CHK-MD-VOCABULARY"),
    (md.check_field_plausibility, replace(GOOD, closing_date=date(2027, 1, 1), archiving_date=date(2027, 2, 1)),
     "CHK-MD-DATE-IN-FUTURE"),
    (md.check_field_plausibility, replace(GOOD, closing_date=date(2023, 1, 1)), "CHK-MD-DATE-ORDER"),
    (md.check_field_plausibility, replace(GOOD, page_count=99), "CHK-MD-AGGREGATE-MISMATCH"),
    (md.check_field_plausibility, replace(GOOD, filing_date=date(1900, 1, 1)), "CHK-MD-RANGE"),
    (md.check_special_characters, replace(GOOD, documents=_docs(GOOD, 0, title="★民事起诉状")), "CHK-MD-SPECIAL-CHARACTER"),
    (md.check_special_characters, replace(GOOD, cause="民间借贷\ue000纠纷"), "CHK-MD-SPECIAL-CHARACTER"),
    (md.check_archive_number, replace(GOOD, archive_number="乱写的档号"), "CHK-MD-ARCHIVE-NUMBER-RULE"),
    (md.check_metadata_complete, replace(GOOD, cause=None), "CHK-MD-ELEMENT-MISSING"),
    (md.check_metadata_complete, replace(GOOD, parties=()), "CHK-MD-TOO-FEW-ITEMS"),
    (md.check_mandatory_fields, replace(GOOD, judge="   "), "CHK-MD-MANDATORY-EMPTY"),
    (md.check_mandatory_fields, replace(GOOD, documents=_docs(GOOD, 2, paper_location=None)), "CHK-MD-MANDATORY-EMPTY"),
    (md.check_continuity, replace(GOOD, documents=_docs(GOOD, 3, sequence=7)), "CHK-MD-SEQUENCE-GAP"),
    (md.check_continuity, replace(GOOD, documents=_docs(GOOD, 1, start_page=9)), "CHK-MD-PAGE-DISCONTINUOUS"),
]


@pytest.mark.parametrize("check, bad, code", CASES, ids=lambda v: getattr(v, "__name__", None))
def test_item_fails_on_bad_metadata_and_passes_on_good(check, bad, code, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = _run(check, GOOD, tmp_path)
    assert not _failed(good) and not _codes(good)
    results = _run(check, bad, tmp_path)
    assert _failed(results) and code in _codes(results)
    failed = [r for r in results if r.status is Status.FAILED]
    assert all(r.object.startswith("/caseFile") for r in failed)
    assert all(f.message() and f.message(lang=__import__("findings").Lang.ZH) for r in failed for f in r.findings)


def test_future_date_names_the_field(tmp_path: Path) -> None:
    bad = replace(GOOD, documents=_docs(GOOD, 4, date=date(2030, 1, 1)))
    failed = [r for r in _run(md.check_field_plausibility, bad, tmp_path) if r.status is Status.FAILED]
    assert failed[0].object == "/caseFile/documents/document[5]/date" and failed[0].found == "2030-01-01"


def test_special_characters_own_list(tmp_path: Path) -> None:
    cf = replace(GOOD, cause="民间借贷纠纷#")
    assert not _failed(_run(md.check_special_characters, cf, tmp_path))
    assert _failed(_run(md.check_special_characters, cf, tmp_path, settings={"special_characters": "#"}))


def test_1_7_aip_numbers_agree_and_follow_rule(tmp_path: Path) -> None:
    good_number = "J001-2023-D60-MY-0001"
    write_package(tmp_path / "bag", bag_info={"Archive-Number": good_number})
    ok = _run(md.check_archive_number, GOOD, tmp_path, kind="aip", recorded={"archive_number": good_number})
    assert {r.status for r in ok} == {Status.PASSED}
    differs = _run(md.check_archive_number, GOOD, tmp_path, kind="aip", recorded={"archive_number": "J001-2023-D60-MY-0002"})
    assert "CHK-MD-ARCHIVE-NUMBER-DIFFERS" in _codes(differs)
    assert _run(md.check_archive_number, GOOD, tmp_path)[0].status is Status.NOT_APPLICABLE


def test_1_7_aip_without_number_fails(tmp_path: Path) -> None:
    assert "CHK-MD-ARCHIVE-NUMBER-MISSING" in _codes(_run(md.check_archive_number, GOOD, tmp_path, kind="aip"))


def _catalogue(index: dict[tuple[str, str], list[str]]):  # type: ignore[no-untyped-def]
    """A real lookup function over an in-memory index: (field, value) → AIP ids."""
    return lambda field, value: list(index.get((field, value), []))


def test_1_8_duplicates_within_package_and_catalogue(tmp_path: Path) -> None:
    clean = _run(md.check_duplicates, GOOD, tmp_path, services={"catalogue_duplicates": _catalogue({})})
    assert {r.status for r in clean} == {Status.PASSED}  # 文号 = 案号 repeats legitimately
    repeated = replace(GOOD, documents=_docs(replace(GOOD, documents=_docs(GOOD, 0, doc_number="京朝法〔2023〕1号")),
                                             2, doc_number="京朝法〔2023〕1号"))
    assert "CHK-MD-DUPLICATE-IN-PACKAGE" in _codes(_run(md.check_duplicates, repeated, tmp_path,
                                                        services={"catalogue_duplicates": _catalogue({})}))
    numbered = replace(GOOD, archive_number="J001-2023-D60-MY-0001")
    index = {("archive_number", "J001-2023-D60-MY-0001"): ["AIP-OTHER"]}
    dup = _run(md.check_duplicates, numbered, tmp_path, services={"catalogue_duplicates": _catalogue(index)})
    assert "CHK-MD-DUPLICATE-IN-CATALOGUE" in _codes(dup) and _failed(dup)
    assert any(r.status is Status.INDETERMINATE for r in _run(md.check_duplicates, GOOD, tmp_path))


def test_1_8_same_title_date_creator_is_a_warning(tmp_path: Path) -> None:
    twin = replace(GOOD.documents[1], sequence=6, path="documents/006.pdf", start_page=GOOD.documents[3].start_page + 2)
    cf = replace(GOOD, documents=GOOD.documents + (twin,))
    results = _run(md.check_duplicates, cf, tmp_path, services={"catalogue_duplicates": _catalogue({})})
    assert "CHK-MD-DUPLICATE-KEY" in _codes(results) and not _failed(results)


def test_1_9_fonds_codes(tmp_path: Path) -> None:
    assert _run(md.check_fonds_codes, GOOD, tmp_path)[0].status is Status.INDETERMINATE
    rule = {"fonds_codes": {"fonds_numbers": ["J001"], "class_codes": ["MY", "ME"]}}
    assert not _failed(_run(md.check_fonds_codes, replace(GOOD, archive_number="J001-2023-D60-MY-0001"), tmp_path, rule))
    assert "CHK-MD-FONDS-NOT-ALLOWED" in _codes(_run(md.check_fonds_codes, replace(GOOD, fonds_number="X999"), tmp_path, rule))
    mixed = replace(GOOD, archive_number="J002-2023-D60-ZX-0001")
    assert {"CHK-MD-FONDS-MISMATCH", "CHK-MD-CLASS-NOT-ALLOWED"} <= _codes(_run(md.check_fonds_codes, mixed, tmp_path, rule))


def test_1_10_attributes(tmp_path: Path) -> None:
    good = _run(md.check_electronic_attributes, GOOD, tmp_path)
    assert {r.status for r in good} == {Status.PASSED} and len(good) == 5
    bad = replace(GOOD, documents=_docs(replace(GOOD, documents=_docs(GOOD, 0, size=1)), 1, format="OFD"))
    results = _run(md.check_electronic_attributes, bad, tmp_path)
    assert {"CHK-MD-ATTR-SIZE", "CHK-MD-ATTR-FORMAT"} <= _codes(results)
    renamed = replace(GOOD, documents=_docs(GOOD, 2, path="documents/003.PDF"))
    assert "CHK-MD-ATTR-NAME" in _codes(_run(md.check_electronic_attributes, renamed, tmp_path))


def test_unreadable_metadata_is_indeterminate(tmp_path: Path) -> None:
    root = write_package(tmp_path / "bag")
    (root / "data" / "metadata" / "casefile.xml").write_bytes(b"<broken")
    view = view_of(root)
    for check in (md.check_field_length, md.check_mandatory_fields, md.check_archive_number, md.check_duplicates):
        assert [r.status for r in check(view, context())] == [Status.INDETERMINATE]


@hsettings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(casefiles_strategy())
def test_no_check_raises_on_any_casefile(tmp_path: Path, cf: CaseFile) -> None:
    for check in (md.check_field_length, md.check_field_format, md.check_field_vocabulary, md.check_field_plausibility,
                  md.check_special_characters, md.check_duplicates, md.check_metadata_complete,
                  md.check_mandatory_fields, md.check_continuity):
        results = _run(check, cf, tmp_path)
        assert results and all(r.item for r in results)
