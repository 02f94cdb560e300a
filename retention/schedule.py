"""Retention periods and when they end.

Court litigation archives (《人民法院诉讼档案管理办法》, 法〔2013〕283号, Art. 21, 24):
永久, 定期60年, 定期20年, counted from the year after the judgment took effect (for
several instances: after final closure).  The older three-tier rule (永久 / 长期 60 /
短期 30) still appears in legacy data.  General (文书) records follow GB/T 18894
7.2.4: 永久, 定期30年, 定期10年.  See shared/standards.md §4.4.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from metadata.model import RetentionPeriod


@dataclass(frozen=True)
class RetentionRule:
    """One period: ``years`` None means permanent."""

    period: RetentionPeriod
    years: int | None
    clause: str

    def expires(self, closing_date: date) -> date | None:
        """The first day the record may be appraised for disposal; None when permanent.

        Counting starts on 1 January of the year after closing, so a period of N years
        ends on 1 January of closing year + 1 + N.
        """
        if self.years is None:
            return None
        return date(closing_date.year + 1 + self.years, 1, 1)


@dataclass(frozen=True)
class RetentionSchedule:
    name: str
    rules: tuple[RetentionRule, ...]

    def rule(self, period: RetentionPeriod) -> RetentionRule:
        for rule in self.rules:
            if rule.period is period:
                return rule
        raise KeyError(f"{period.value} is not in the schedule {self.name}")


COURT_LITIGATION = RetentionSchedule("court-litigation", (
    RetentionRule(RetentionPeriod.PERMANENT, None, "法〔2013〕283号 Art. 21"),
    RetentionRule(RetentionPeriod.YEARS_60, 60, "法〔2013〕283号 Art. 21"),
    RetentionRule(RetentionPeriod.YEARS_20, 20, "法〔2013〕283号 Art. 21"),
    RetentionRule(RetentionPeriod.LEGACY_LONG, 60, "关于人民法院诉讼档案保管期限的规定 (legacy 长期)"),
    RetentionRule(RetentionPeriod.LEGACY_SHORT, 30, "关于人民法院诉讼档案保管期限的规定 (legacy 短期)"),
))

GENERAL_RECORDS = RetentionSchedule("general-records", (
    RetentionRule(RetentionPeriod.PERMANENT, None, "GB/T 18894-2016 7.2.4"),
    RetentionRule(RetentionPeriod.YEARS_30, 30, "GB/T 18894-2016 7.2.4"),
    RetentionRule(RetentionPeriod.YEARS_10, 10, "GB/T 18894-2016 7.2.4"),
))
