from datetime import date

import pytest

from metadata.model import RetentionPeriod
from retention import COURT_LITIGATION, GENERAL_RECORDS


def test_periods_count_from_the_year_after_closing():
    rule = COURT_LITIGATION.rule(RetentionPeriod.YEARS_20)
    assert rule.expires(date(2024, 12, 31)) == date(2045, 1, 1)
    assert rule.expires(date(2024, 1, 1)) == date(2045, 1, 1)


def test_permanent_never_expires():
    assert COURT_LITIGATION.rule(RetentionPeriod.PERMANENT).expires(date(2000, 5, 1)) is None


def test_legacy_values_are_understood():
    assert COURT_LITIGATION.rule(RetentionPeriod.LEGACY_SHORT).expires(date(1995, 3, 1)) == date(2026, 1, 1)


def test_period_outside_schedule_is_an_error():
    with pytest.raises(KeyError):
        GENERAL_RECORDS.rule(RetentionPeriod.YEARS_60)
