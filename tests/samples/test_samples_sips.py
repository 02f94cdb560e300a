"""Generated SIPs: deterministic, valid BagIt, metadata that matches the real files."""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import bagit
import pytest
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from metadata.case_number import parse_case_number
from metadata.model import CaseFile, OriginalForm, Volume
from metadata.rules import check_casefile
from metadata.xml import parse_casefile
from samples import PROFILE_ID, bag_name, generate_sips, names
from samples.ofd import NS as OFD_NS

SEED = 2024
TODAY = date(2026, 11, 1)
SECRET_TITLES = {"审理报告", "合议庭评议笔录", "执行案件结案审查报告"}


@pytest.fixture(scope="module")
def five_sips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Five SIPs of one seed (read-only: copy before changing)."""
    return generate_sips(tmp_path_factory.mktemp("five"), count=5, seed=SEED, today=TODAY)


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def casefile_of(bag: Path) -> CaseFile:
    cf, findings = parse_casefile((bag / "data/metadata/casefile.xml").read_bytes())
    assert cf is not None and not findings, findings
    return cf


def real_page_count(data: bytes, fmt: str) -> int:
    """Pages as a reader of each format counts them."""
    if fmt == "PDF":
        return len(PdfReader(io.BytesIO(data)).pages)
    if fmt == "OFD":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            doc = etree.fromstring(zf.read("Doc_0/Document.xml"))
        return len(doc.findall(f"{{{OFD_NS}}}Pages/{{{OFD_NS}}}Page"))
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == fmt
        return getattr(im, "n_frames", 1)


def bag_info(bag: Path) -> dict[str, str]:
    lines = (bag / "bag-info.txt").read_text("utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines)


# ---------------------------------------------------------------- determinism

def test_same_seed_gives_byte_identical_trees(tmp_path: Path, five_sips: list[Path]) -> None:
    again = generate_sips(tmp_path, count=5, seed=SEED, today=TODAY)
    assert [p.name for p in again] == [p.name for p in five_sips]
    assert tree(tmp_path) == tree(five_sips[0].parent)


def test_another_process_gives_the_same_bytes(tmp_path: Path, five_sips: list[Path]) -> None:
    """No dependence on hash randomisation, the clock or the working directory."""
    code = ("import sys; from datetime import date; from pathlib import Path; from samples import generate_sips;"
            f"generate_sips(Path(sys.argv[1]), count=3, seed={SEED}, today=date.fromisoformat('{TODAY}'))")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONHASHSEED": "4242", "PYTHONPATH": str(root), "TZ": "Pacific/Kiritimati"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env, cwd=tmp_path, timeout=300)
    for path in five_sips[:3]:
        assert tree(tmp_path / path.name) == tree(path)


def test_other_seed_gives_other_case_files(tmp_path: Path, five_sips: list[Path]) -> None:
    other = generate_sips(tmp_path, count=2, seed=SEED + 1, today=TODAY)
    assert {p.name for p in other}.isdisjoint(p.name for p in five_sips)
    assert tree(other[0]) != tree(five_sips[0])


def test_a_smaller_set_is_a_prefix_of_a_larger_one(tmp_path: Path, five_sips: list[Path]) -> None:
    three = generate_sips(tmp_path, count=3, seed=SEED, today=TODAY)
    for small, large in zip(three, five_sips):
        assert tree(small) == tree(large)


# ---------------------------------------------------------------- BagIt

def test_every_bag_validates_with_bagit_python(five_sips: list[Path]) -> None:
    for path in five_sips:
        bag = bagit.Bag(str(path))
        bag.validate()  # raises BagValidationError with the details on failure
        assert bag.version_info == (1, 0)
        assert bag.algorithms == ["sha256"]


def test_bag_info_names_the_case_and_the_profile(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf, info = casefile_of(path), bag_info(path)
        assert path.name == bag_name(cf.case_number)
        assert info["External-Identifier"] == cf.case_number
        assert info["Source-Organization"] == cf.court
        assert info["Contact-Name"] == cf.clerk
        assert info["BagIt-Profile-Identifier"] == PROFILE_ID
        assert cf.closing_date.isoformat() <= info["Bagging-Date"] <= TODAY.isoformat()


def test_tag_files_are_utf8_lf_and_sorted(five_sips: list[Path]) -> None:
    for path in five_sips:
        assert (path / "bagit.txt").read_bytes() == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
        for name in ("bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"):
            raw = (path / name).read_bytes()
            assert b"\r" not in raw and raw.endswith(b"\n")
        lines = (path / "manifest-sha256.txt").read_text("utf-8").splitlines()
        paths = [line.split("  ", 1)[1] for line in lines]
        assert paths == sorted(paths)
        assert all(p.startswith("data/") for p in paths)


def test_bags_stay_small(five_sips: list[Path]) -> None:
    for path in five_sips:
        assert sum(len(b) for b in tree(path).values()) < 2_000_000


# ---------------------------------------------------------------- metadata ↔ files

def test_metadata_parses_without_findings(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf = casefile_of(path)
        number, findings = parse_case_number(cf.case_number)
        assert number is not None and not findings
        court = names.court_by_code(number.court_code)
        assert court is not None and court.name == cf.court and court.fonds == cf.fonds_number
        assert number.year == cf.filing_date.year


def test_semantic_rules_find_nothing(five_sips: list[Path]) -> None:
    for path in five_sips:
        payload = {str(p.relative_to(path / "data")): p.stat().st_size
                   for p in (path / "data").rglob("*") if p.is_file()}
        assert check_casefile(casefile_of(path), payload, TODAY) == []


def test_every_document_is_a_real_file_as_declared(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf = casefile_of(path)
        payload = {str(p.relative_to(path / "data")) for p in (path / "data/documents").iterdir()}
        assert payload == {d.path for d in cf.documents}
        for doc in cf.documents:
            data = (path / "data" / doc.path).read_bytes()
            assert len(data) == doc.size, doc.path
            assert doc.digest.algorithm == "sha256"
            assert hashlib.sha256(data).hexdigest() == doc.digest.value, doc.path
            assert real_page_count(data, doc.format) == doc.page_count, doc.path


def test_sequences_pages_and_totals_are_consistent(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf = casefile_of(path)
        assert [d.sequence for d in cf.documents] == list(range(1, len(cf.documents) + 1))
        assert cf.document_count == len(cf.documents)
        assert cf.page_count == sum(d.page_count for d in cf.documents)
        for volume in Volume:
            docs = [d for d in cf.documents if d.volume is volume]
            starts = [1 + sum(d.page_count for d in docs[:i]) for i in range(len(docs))]
            assert [d.start_page for d in docs] == starts
        assert cf.main_volumes >= 1
        assert cf.secondary_volumes == (1 if any(d.volume is Volume.SECONDARY for d in cf.documents) else 0)


def test_dates_are_ordered_and_documents_fall_inside_the_case(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf = casefile_of(path)
        assert cf.archiving_date is not None
        assert cf.filing_date <= cf.closing_date <= cf.archiving_date <= TODAY
        assert cf.archiving_date - cf.closing_date <= timedelta(days=92)  # 3 months (法〔2013〕283号)
        for doc in cf.documents:
            assert cf.filing_date <= doc.date <= cf.closing_date, doc.path


def test_documents_follow_the_filing_rules(five_sips: list[Path]) -> None:
    for path in five_sips:
        cf = casefile_of(path)
        for doc in cf.documents:
            assert doc.path.startswith(f"documents/{doc.sequence:03d}-{doc.title}.")
            assert (doc.volume is Volume.SECONDARY) == (doc.title in SECRET_TITLES)
            scan = doc.format in ("JPEG", "TIFF")
            assert (doc.original_form is OriginalForm.PAPER_SCAN) == scan
            assert (doc.paper_location is not None) == scan
            if doc.creator == cf.court and not doc.title.startswith("执行依据"):
                assert doc.doc_number == cf.case_number
            if doc.creator != cf.court:
                assert doc.creator in {p.name for p in cf.parties} and doc.doc_number is None


# ---------------------------------------------------------------- variety

def test_three_sips_cover_every_format_and_both_volumes(five_sips: list[Path]) -> None:
    docs = [d for path in five_sips[:3] for d in casefile_of(path).documents]
    assert {"PDF", "OFD", "JPEG", "TIFF"} <= {d.format for d in docs}
    assert {Volume.MAIN, Volume.SECONDARY} == {d.volume for d in docs}
    assert any(d.format == "TIFF" and d.page_count > 1 for d in docs)


def test_five_sips_span_three_departments(five_sips: list[Path]) -> None:
    cases = [casefile_of(path) for path in five_sips]
    assert {"民一庭", "民二庭", "执行局"} <= {cf.department for cf in cases}
    for cf in cases:
        execution = cf.department == "执行局"
        assert ("执" in cf.case_number) == execution
        assert (cf.procedure.value == "执行") == execution
        assert bool(cf.related_case_numbers) == execution


@pytest.mark.parametrize("count", [1, 2])
def test_every_set_has_an_ofd(tmp_path: Path, count: int) -> None:
    bags = generate_sips(tmp_path, count=count, seed=99, today=TODAY)
    assert any(d.format == "OFD" for bag in bags for d in casefile_of(bag).documents)
