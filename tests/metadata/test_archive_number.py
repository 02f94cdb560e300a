"""metadata.archive_number: the configurable 档号 rule."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factories import make_casefile
from findings import Lang
from metadata import codes
from metadata.archive_number import (DEFAULT_DEPARTMENTS, RETENTION_CODES, ArchiveNumberRule,
                                     check_archive_number, department_initials, pinyin_initial)
from metadata.model import RetentionPeriod


def test_default_template() -> None:
    rule = ArchiveNumberRule()
    cf = make_casefile()
    assert rule.format(cf, 7) == "J001-2023-D60-MY-0007"
    assert rule.series_key(cf) == "J001-2023-D60-MY-"
    assert rule.matches("J001-2023-D60-MY-0007")
    assert rule.parse("J001-2023-D60-MY-0007") == {
        "fonds": "J001", "year": "2023", "retention": "D60", "department": "MY", "seq": "0007"}


@pytest.mark.parametrize("retention, code", list(RETENTION_CODES.items()))
def test_retention_codes(retention: RetentionPeriod, code: str) -> None:
    number = ArchiveNumberRule().format(make_casefile(retention=retention), 1)
    assert number.split("-")[2] == code
    assert ArchiveNumberRule().matches(number)


def test_year_comes_from_the_case_number() -> None:
    cf = make_casefile(case_number="（2022）京0105民初9号")
    assert ArchiveNumberRule().format(cf, 1).startswith("J001-2022-")


def test_sequence_grows_past_the_padding() -> None:
    rule = ArchiveNumberRule()
    assert rule.format(make_casefile(), 12345).endswith("-12345")
    assert rule.matches("J001-2023-D60-MY-12345")


@pytest.mark.parametrize("number", [
    "J001-2023-D60-MY-007", "J001-2023-D61-MY-0007", "J001-23-D60-MY-0007", "J001-2023-D60-my-0007",
    "J001-2023-D60-MY-0007-", "J001-2023-D60-MY", "J0 1-2023-D60-MY-0007", "",
])
def test_non_matching_numbers(number: str) -> None:
    assert not ArchiveNumberRule().matches(number)
    assert ArchiveNumberRule().parse(number) is None


@pytest.mark.parametrize("department, code", sorted(DEFAULT_DEPARTMENTS.items()))
def test_fallback_initials_agree_with_the_default_table(department: str, code: str) -> None:
    assert department_initials(department) == code


def test_unknown_department_gets_its_initials() -> None:
    rule = ArchiveNumberRule()
    assert rule.department_code("审判监督庭") == "SPJD"
    assert rule.format(make_casefile(department="环境资源庭"), 3) == "J001-2023-D60-HJZY-0003"


def test_configured_department_code_wins() -> None:
    rule = ArchiveNumberRule(department_codes={"民一庭": "M1"})
    assert rule.format(make_casefile(), 1) == "J001-2023-D60-M1-0001"


def test_pinyin_initials_of_gb2312_boundaries() -> None:
    for char, letter in zip("啊芭擦搭蛾发噶哈击喀垃妈拿哦啪期然撒塌挖昔压匝座", "ABCDEFGHJKLMNOPQRSTWXYZZ"):
        assert pinyin_initial(char) == letter
    assert pinyin_initial("a") == "A" and pinyin_initial("7") == "7"
    assert pinyin_initial("亍") is None  # GB 2312 level 2: sorted by radical, not pinyin
    assert pinyin_initial("𠀀") is None and pinyin_initial("-") is None


def test_underivable_department_raises() -> None:
    with pytest.raises(ValueError, match="department map"):
        ArchiveNumberRule().format(make_casefile(department="亍庭"), 1)


def test_custom_template_with_fields_after_seq() -> None:
    rule = ArchiveNumberRule("{fonds}·{year}-{seq:03d}-{retention}")
    cf = make_casefile()
    assert rule.format(cf, 5) == "J001·2023-005-D60"
    assert rule.series_key(cf) == "J001·2023-{seq}-D60"
    assert rule.matches("J001·2023-005-D60") and not rule.matches("J001·2023-5-D60")


def test_literal_suffix_does_not_split_series() -> None:
    rule = ArchiveNumberRule("{fonds}-{year}-{seq}号")
    assert rule.format(make_casefile(), 42) == "J001-2023-42号"
    assert rule.series_key(make_casefile()) == "J001-2023-"


def test_repeated_field_must_repeat_its_value() -> None:
    rule = ArchiveNumberRule("{year}-{fonds}-{seq:02d}-{year}")
    assert rule.matches("2023-J001-01-2023") and not rule.matches("2023-J001-01-2024")


@pytest.mark.parametrize("template", [
    "{fonds}-{year}", "{fonds}-{seq}-{seq}", "{fonds}-{court}-{seq}", "{fonds:>5}-{seq}",
    "{fonds}-{seq:x}", "{fonds!r}-{seq}", "{fonds-{seq}",
])
def test_bad_templates_are_refused(template: str) -> None:
    with pytest.raises(ValueError):
        ArchiveNumberRule(template)


def test_bad_codes_are_refused() -> None:
    with pytest.raises(ValueError):
        ArchiveNumberRule(department_codes={"民一庭": "my"})


@pytest.mark.parametrize("changes", [{"fonds_number": None}, {"fonds_number": "J 001"}])
def test_case_file_without_usable_fonds_raises(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        ArchiveNumberRule().format(make_casefile(**changes), 1)


@pytest.mark.parametrize("seq", [0, -1, True, 1.0])
def test_bad_sequence_raises(seq: object) -> None:
    with pytest.raises(ValueError):
        ArchiveNumberRule().format(make_casefile(), seq)  # type: ignore[arg-type]


def test_check_archive_number_finding() -> None:
    rule = ArchiveNumberRule()
    assert check_archive_number(make_casefile(archive_number=None), rule) == []
    assert check_archive_number(make_casefile(archive_number="J001-2023-D60-MY-0001"), rule) == []
    findings = check_archive_number(make_casefile(archive_number="2023-民一-1"), rule)
    assert [f.code for f in findings] == [codes.ARCHIVE_NUMBER_INVALID]
    assert findings[0].found == "2023-民一-1" and findings[0].expected == rule.template
    assert "档号" in findings[0].message(Lang.ZH)


@given(seq=st.integers(1, 10**6), retention=st.sampled_from(RetentionPeriod),
       department=st.sampled_from(sorted(DEFAULT_DEPARTMENTS)),
       fonds=st.from_regex(r"[0-9A-Za-z]{1,16}", fullmatch=True))
def test_every_formatted_number_matches_and_starts_with_its_series(
        seq: int, retention: RetentionPeriod, department: str, fonds: str) -> None:
    rule = ArchiveNumberRule()
    cf = make_casefile(retention=retention, department=department, fonds_number=fonds)
    number = rule.format(cf, seq)
    assert rule.matches(number)
    assert number.startswith(rule.series_key(cf))
    assert int(number[len(rule.series_key(cf)):]) == seq
