"""案号: case numbers per 法〔2015〕137号《关于人民法院案件案号的若干规定》(amended 法〔2018〕335号).

A case number is ``（收案年度）法院代字 类型代字 案件编号 号``, e.g. ``（2023）京0105民初1234号``:
the court code is 最高法 or a province abbreviation followed by 0–4 digits (京 高院,
京01 中院, 京0105 基层法院; 71/72/73 series: railway, maritime, IP courts).  The type
codes come from the annex 《人民法院案件类型及其代字标准》; the table below holds the
common ones.  An unknown type code is a warning, not an error, because the annex
grows with each amendment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from findings import Finding
from metadata import codes

#: Province-level abbreviations used as the first character of a court code.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
#: 新疆生产建设兵团 courts use 兵 (e.g. 兵01).
OTHER_COURT_PREFIXES = "兵"
SUPREME_COURT = "最高法"

_PATTERN = re.compile(
    r"(?P<open>[（(])(?P<year>[0-9]{4})(?P<close>[）)])"
    rf"(?P<court>{SUPREME_COURT}|[{PROVINCES}{OTHER_COURT_PREFIXES}][0-9]{{0,4}})"
    r"(?P<type>[\u4e00-\u9fff]{1,6})(?P<serial>[1-9][0-9]{0,7})号"
)


@dataclass(frozen=True)
class CaseType:
    """One row of the type-code table: 类型代字, its meaning and the case category."""

    code: str
    meaning: str
    category: str


def _types(category: str, rows: str) -> tuple[CaseType, ...]:
    """Rows as ``代字:含义`` separated by spaces."""
    out = []
    for row in rows.split():
        code, meaning = row.split(":", 1)
        out.append(CaseType(code, meaning, category))
    return tuple(out)


# 法〔2015〕137号 附件, 12 categories of case; "legacy" rows predate 2016 but occur in old files.
CASE_TYPES: dict[str, CaseType] = {t.code: t for t in (
    *_types("管辖", "刑辖:刑事管辖 民辖:民事管辖 民辖终:民事管辖上诉 民辖监:民事管辖监督 "
                   "行辖:行政管辖 行辖终:行政管辖上诉"),
    *_types("刑事", "刑初:刑事一审 刑终:刑事二审 刑核:刑事复核 刑申:刑事申诉审查 "
                   "刑抗:刑事抗诉再审审查 刑再:刑事再审 刑监:刑事审判监督 刑更:刑罚与执行变更 "
                   "刑医:强制医疗 刑没:违法所得没收 刑他:其他刑事"),
    *_types("民事", "民初:民事一审 民终:民事二审 民申:民事申请再审审查 民抗:民事抗诉再审审查 "
                   "民再:民事再审 民监:民事审判监督 民撤:第三人撤销之诉 民特:特别程序 "
                   "民催:公示催告 民督:督促程序 民他:其他民事 知民初:知识产权民事一审 "
                   "知民终:知识产权民事二审 商初:商事一审(legacy) 商终:商事二审(legacy)"),
    *_types("行政", "行初:行政一审 行终:行政二审 行申:行政申请再审审查 行抗:行政抗诉再审审查 "
                   "行再:行政再审 行监:行政审判监督 行审:非诉行政行为申请执行审查 "
                   "行审复:非诉行政行为申请执行审查复议 行他:其他行政 知行初:知识产权行政一审 "
                   "知行终:知识产权行政二审"),
    *_types("国家赔偿与司法救助", "法赔:法院作为赔偿义务机关自赔 委赔:赔偿委员会审理赔偿 "
                   "委赔监:国家赔偿监督审查 行赔初:行政赔偿一审 行赔终:行政赔偿二审 "
                   "行赔申:行政赔偿申请再审审查 行赔再:行政赔偿再审 司救:司法救助"),
    *_types("区际司法协助", "认港:认可与执行香港特区法院裁判 认澳:认可与执行澳门特区法院裁判 "
                   "认台:认可与执行台湾地区法院裁判"),
    *_types("国际司法协助", "协外认:承认与执行外国法院裁判"),
    *_types("司法制裁", "司惩:司法制裁审查 司惩复:司法制裁复议"),
    *_types("非诉保全审查", "财保:非诉财产保全审查 行保:非诉行为保全审查 证保:非诉证据保全审查"),
    *_types("执行", "执:首次执行 执恢:恢复执行 执保:财产保全执行 执异:执行异议 执复:执行复议 "
                   "执监:执行监督 执协:执行协调 执他:其他执行"),
    *_types("强制清算与破产", "破申:破产申请审查 破:破产 破终:破产上诉 破监:破产监督 "
                   "强清申:强制清算申请审查 强清:强制清算 强清终:强制清算上诉"),
)}


@dataclass(frozen=True)
class CaseNumber:
    """A parsed 案号."""

    year: int  # 收案年度
    court_code: str  # 法院代字, e.g. 京0105 or 最高法
    type_code: str  # 类型代字, e.g. 民初
    serial: int  # 案件编号

    def __str__(self) -> str:
        return f"（{self.year}）{self.court_code}{self.type_code}{self.serial}号"

    @property
    def case_type(self) -> CaseType | None:
        return CASE_TYPES.get(self.type_code)

    @property
    def category(self) -> str | None:
        """The case category (民事, 执行 …) or None for an unknown type code."""
        known = self.case_type
        return known.category if known else None


def parse_case_number(text: str, *, location: str = "") -> tuple[CaseNumber | None, list[Finding]]:
    """Parse ``text``; findings explain why it is refused or what is irregular."""
    match = _PATTERN.fullmatch(text)
    if match is None:
        return None, [Finding(codes.CASE_NUMBER_INVALID, location, found=text)]
    number = CaseNumber(int(match["year"]), match["court"], match["type"], int(match["serial"]))
    findings: list[Finding] = []
    if match["open"] == "(" or match["close"] == ")":
        findings.append(Finding(codes.CASE_NUMBER_ASCII_PARENS, location,
                                expected=str(number), found=text))
    if number.case_type is None:
        findings.append(Finding(codes.CASE_NUMBER_UNKNOWN_TYPE, location, found=text,
                                params={"type_code": number.type_code}))
    return number, findings
