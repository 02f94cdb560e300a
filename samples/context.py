"""Case-level facts of one synthetic case: court, parties, people, dates, outcome.

A :class:`CaseContext` is drawn from a seeded RNG and is the single source for the
case-file metadata and the text of every document, so the two always agree.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from metadata.case_number import CaseNumber, parse_case_number
from metadata.model import Party, Procedure, RetentionPeriod, SecurityLevel
from samples import names
from samples.names import Court

CIVIL_DEPARTMENTS = ("民一庭", "民二庭")
EXECUTION = "执行局"
DEPARTMENTS = (*CIVIL_DEPARTMENTS, EXECUTION)

# 案由 by department: 民一庭 family, labour, housing; 民二庭 commercial contracts.
CAUSES: dict[str, tuple[str, ...]] = {
    "民一庭": ("民间借贷纠纷", "离婚纠纷", "劳动争议", "物业服务合同纠纷",
             "机动车交通事故责任纠纷", "房屋租赁合同纠纷"),
    "民二庭": ("买卖合同纠纷", "金融借款合同纠纷", "服务合同纠纷", "承揽合同纠纷"),
    "执行局": ("民间借贷纠纷", "买卖合同纠纷", "金融借款合同纠纷", "劳动争议"),
}
_AMOUNTS: dict[str, tuple[int, int]] = {
    "民间借贷纠纷": (20_000, 800_000), "离婚纠纷": (0, 0), "劳动争议": (8_000, 120_000),
    "物业服务合同纠纷": (2_000, 30_000), "机动车交通事故责任纠纷": (10_000, 400_000),
    "房屋租赁合同纠纷": (10_000, 300_000), "买卖合同纠纷": (50_000, 6_000_000),
    "金融借款合同纠纷": (100_000, 9_000_000), "服务合同纠纷": (20_000, 900_000),
    "承揽合同纠纷": (30_000, 1_500_000),
}


@dataclass(frozen=True)
class CaseContext:
    """Everything the documents of one case file say about the case."""

    case_number: str
    court: Court
    department: str
    procedure: Procedure
    trial_mode: str  # 普通程序 | 简易程序 | 执行实施
    cause: str
    parties: tuple[Party, ...]
    judge: str
    clerk: str
    panel: tuple[str, ...]
    filing_date: date
    closing_date: date
    archiving_date: date
    result: str
    amount: int  # 标的额 in yuan (0 for 离婚纠纷)
    retention: RetentionPeriod
    security_level: SecurityLevel
    related_case_numbers: tuple[str, ...] = ()

    @property
    def is_execution(self) -> bool:
        return self.procedure is Procedure.EXECUTION

    @property
    def claimant(self) -> Party:
        return self.parties[0]

    @property
    def respondent(self) -> Party:
        return self.parties[1]


def case_number(year: int, court: Court, type_code: str, number: int) -> str:
    """案号 per 法〔2015〕137号: （收案年度）法院代字 类型代字 案件编号 号."""
    return f"（{year}）{court.code}{type_code}{number}号"


def draw_dates(rng: random.Random, today: date, execution: bool,
               year: int | None = None) -> tuple[date, date, date]:
    """立案 ≤ 结案 ≤ 归档 ≤ today; 归档 within 3 months of 结案 (法〔2013〕283号)."""
    span = rng.randint(60, 300) if execution else rng.randint(25, 180)
    lag = rng.randint(7, 85)
    latest = today - timedelta(days=span + lag)
    earliest = date(year, 1, 1) if year else today - timedelta(days=4 * 365)
    if year:
        latest = min(latest, date(year, 12, 31))
    if latest < earliest:
        raise ValueError(f"no room for a case filed in {year} before {today}")
    filing = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
    closing = filing + timedelta(days=span)
    return filing, closing, closing + timedelta(days=lag)


_PARTY_KINDS: dict[str, tuple[str, str]] = {
    "民间借贷纠纷": ("person", "person"), "离婚纠纷": ("person", "person"),
    "劳动争议": ("person", "company"), "物业服务合同纠纷": ("property", "person"),
    "机动车交通事故责任纠纷": ("person", "person"), "房屋租赁合同纠纷": ("person", "either"),
    "买卖合同纠纷": ("company", "company"), "金融借款合同纠纷": ("bank", "either"),
    "服务合同纠纷": ("company", "company"), "承揽合同纠纷": ("company", "company"),
}


def _party_name(rng: random.Random, kind: str, city: str) -> str:
    if kind == "either":
        kind = rng.choice(("person", "company"))
    if kind == "person":
        return names.person_name(rng)
    if kind == "bank":
        return names.bank_branch(rng, city)
    return names.company_name(rng, city, "物业管理" if kind == "property" else None)


def draw_parties(rng: random.Random, cause: str, city: str, execution: bool) -> tuple[Party, ...]:
    """Claimant first, respondent second, as the 案号 index lists them."""
    claimant_kind, respondent_kind = _PARTY_KINDS[cause]
    claimant = _party_name(rng, claimant_kind, city)
    respondent = _party_name(rng, respondent_kind, city)
    while respondent == claimant:
        respondent = _party_name(rng, respondent_kind, city)
    roles = ("申请执行人", "被执行人") if execution else ("原告", "被告")
    return (Party(roles[0], claimant), Party(roles[1], respondent))


def draw_amount(rng: random.Random, cause: str) -> int:
    """标的额 rounded like real claims (to 100 yuan)."""
    low, high = _AMOUNTS[cause]
    return 0 if high == 0 else rng.randint(low // 100, high // 100) * 100


def draw_result(rng: random.Random, execution: bool, cause: str) -> str:
    """审理结果 / 结案方式 (执行: 法发〔2014〕26号 Art. 14)."""
    if execution:
        return rng.choices(("执行完毕", "终结本次执行程序", "终结执行"), (5, 4, 1))[0]
    if cause == "离婚纠纷":
        return rng.choices(("判决", "调解", "准予撤诉"), (4, 4, 2))[0]
    return rng.choices(("判决", "调解", "准予撤诉"), (6, 3, 1))[0]


def draw_retention(rng: random.Random, amount: int, result: str) -> RetentionPeriod:
    """保管期限 per the 2013 court schedule: the weightier the case, the longer."""
    if amount >= 5_000_000 or rng.random() < 0.05:
        return RetentionPeriod.PERMANENT
    if result in ("准予撤诉", "执行完毕") and amount < 100_000:
        return RetentionPeriod.YEARS_20
    return RetentionPeriod.YEARS_60


def draw_people(rng: random.Random, execution: bool, result: str, amount: int,
                avoid: set[str]) -> tuple[str, str, tuple[str, ...], str]:
    """(承办人, 书记员, 合议庭, trial mode); 普通程序 and 终本 use a panel of three.

    Claims over a million yuan go to 普通程序: 简易程序 is for simple, small cases.
    """
    judge, clerk, second, third = names.distinct_people(rng, 4, avoid)
    if execution:
        panel = (judge, second, third) if result == "终结本次执行程序" else ()
        return judge, clerk, panel, "执行实施"
    if amount >= 1_000_000 or rng.random() < 0.35:
        return judge, clerk, (judge, second, third), "普通程序"
    return judge, clerk, (), "简易程序"


def _parse(text: str) -> CaseNumber:
    parsed, _ = parse_case_number(text)
    if parsed is None:
        raise ValueError(f"not a 案号: {text!r}")
    return parsed


def _department(index: int, department: str | None, parsed: CaseNumber | None) -> str:
    """Rotate by ``index``; a given 执 case number forces 执行局, a 民 one a civil division."""
    if department:
        return department
    if parsed is not None:
        return EXECUTION if parsed.category == "执行" else CIVIL_DEPARTMENTS[index % 2]
    return DEPARTMENTS[index % len(DEPARTMENTS)]


def make_context(rng: random.Random, index: int, today: date, *,
                 case_number_text: str | None = None, department: str | None = None,
                 court: Court | None = None) -> CaseContext:
    """Draw one case. ``index`` rotates the department so any 3 cases cover 民一/民二/执行."""
    parsed = _parse(case_number_text) if case_number_text else None
    dept = _department(index, department, parsed)
    court = court or (parsed and names.court_by_code(parsed.court_code)) or rng.choice(names.COURTS)
    execution = dept == EXECUTION
    cause = rng.choice(CAUSES[dept])
    filing, closing, archiving = draw_dates(rng, today, execution, parsed.year if parsed else None)
    number = case_number_text or case_number(
        filing.year, court, "执" if execution else "民初", rng.randint(1, 19999 if execution else 29999))
    parties = draw_parties(rng, cause, court.city, execution)
    result = draw_result(rng, execution, cause)
    amount = draw_amount(rng, cause)
    judge, clerk, panel, mode = draw_people(rng, execution, result, amount, {p.name for p in parties})
    # 执行依据: an earlier 民初 judgment of the same court
    related = (case_number(filing.year - 1, court, "民初", rng.randint(1, 29999)),) if execution else ()
    return CaseContext(
        case_number=number, court=court, department=dept,
        procedure=Procedure.EXECUTION if execution else Procedure.FIRST_INSTANCE,
        trial_mode=mode, cause=cause, parties=parties, judge=judge, clerk=clerk, panel=panel,
        filing_date=filing, closing_date=closing, archiving_date=archiving, result=result,
        amount=amount, retention=draw_retention(rng, amount, result),
        security_level=SecurityLevel.INTERNAL if rng.random() < 0.1 else SecurityLevel.PUBLIC,
        related_case_numbers=related)
