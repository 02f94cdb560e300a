"""Case drawing and document planning over many seeds, and variants for other tests."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import bagit
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metadata import codes
from metadata.case_number import parse_case_number
from metadata.model import Volume
from metadata.rules import check_casefile
from metadata.xml import parse_casefile
from samples import build_case, case_rng, generate_casefile_bag, names
from samples.context import DEPARTMENTS, make_context
from samples.documents import plan_documents

TODAY = date(2026, 11, 1)
SEEDS = st.integers(min_value=0, max_value=2**32)
TODAYS = st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 12, 31))


@settings(max_examples=200)
@given(seed=SEEDS, index=st.integers(0, 50), today=TODAYS)
def test_a_drawn_case_is_plausible(seed: int, index: int, today: date) -> None:
    ctx = make_context(random.Random(seed), index, today)
    assert ctx.department == DEPARTMENTS[index % 3]
    assert ctx.filing_date <= ctx.closing_date <= ctx.archiving_date <= today
    assert ctx.archiving_date - ctx.closing_date <= timedelta(days=92)
    number, findings = parse_case_number(ctx.case_number)
    assert number is not None and not findings
    assert number.year == ctx.filing_date.year and number.court_code == ctx.court.code
    assert number.category == ("执行" if ctx.is_execution else "民事")
    people = [p.name for p in ctx.parties] + [ctx.judge, ctx.clerk]
    assert len(set(people)) == len(people)
    assert not ctx.panel or (len(ctx.panel) == 3 and ctx.panel[0] == ctx.judge and ctx.clerk not in ctx.panel)


@settings(max_examples=200)
@given(seed=SEEDS, index=st.integers(0, 50))
def test_a_plan_puts_documents_in_order(seed: int, index: int) -> None:
    rng = random.Random(seed)
    ctx = make_context(rng, index, TODAY)
    plan = plan_documents(ctx, rng)
    volumes = [d.volume for d in plan]
    assert volumes == sorted(volumes, key=lambda v: v is Volume.SECONDARY)  # 正卷 before 副卷
    assert {"OFD", "JPEG", "TIFF"} <= {d.format for d in plan}
    assert Volume.SECONDARY in volumes
    assert all(ctx.filing_date <= d.date <= ctx.closing_date for d in plan)
    assert all((d.writer is None) == d.is_scan for d in plan)
    assert all(d.pages == 1 for d in plan if d.format == "JPEG")


def test_case_rng_is_stable_across_processes() -> None:
    # string seeds are hashed with SHA-512, not hash(): the same in every interpreter run
    assert case_rng(7, 3).random() == case_rng(7, 3).random() != case_rng(7, 4).random()


@pytest.mark.parametrize("number, department", [
    ("（2023）京0105民初1234号", {"民一庭", "民二庭"}),
    ("（2021）沪0115执77号", {"执行局"}),
])
def test_a_bag_with_a_given_case_number(tmp_path: Path, number: str, department: set[str]) -> None:
    bag_dir = generate_casefile_bag(tmp_path, random.Random(1), 0, TODAY, case_number=number)
    bagit.Bag(str(bag_dir)).validate()
    cf, findings = parse_casefile((bag_dir / "data/metadata/casefile.xml").read_bytes())
    assert cf is not None and not findings
    assert cf.case_number == number and cf.department in department
    parsed, _ = parse_case_number(number)
    assert parsed is not None and cf.filing_date.year == parsed.year
    court = names.court_by_code(parsed.court_code)
    assert court is not None and cf.court == court.name


def test_variants_can_be_built_from_a_case(tmp_path: Path) -> None:
    """Other packages change one fact and the rules notice it."""
    case = build_case(random.Random(3), 1, TODAY)
    payload = {path: len(data) for path, data in case.files.items()}
    assert check_casefile(case.casefile, payload, TODAY) == []
    first = case.casefile.documents[0].path
    payload[first] += 1
    assert [f.code for f in check_casefile(case.casefile, payload, TODAY)] == [codes.SIZE_MISMATCH]


@pytest.mark.parametrize("number", ["2023京0105民初1234号", "（2023）"])
def test_a_malformed_case_number_is_refused(number: str) -> None:
    with pytest.raises(ValueError):
        build_case(random.Random(0), 0, TODAY, case_number=number)


def test_a_case_number_from_the_future_is_refused() -> None:
    with pytest.raises(ValueError):
        build_case(random.Random(0), 0, TODAY, case_number="（2027）京0105民初1号")
