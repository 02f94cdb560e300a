"""The case-file model (电子卷宗): volume level (案卷级) and document level (卷内文件).

Field groups follow the court rules summarised in shared/standards.md §4.2–4.3
(《人民法院电子诉讼档案管理暂行办法》, 法〔2013〕283号).  Values of controlled
vocabularies are the Chinese terms themselves, as they appear in the XML.
Frozen dataclasses: data crosses package boundaries as values, never as lxml
elements or ORM rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Volume(StrEnum):
    """正卷 (open to users) or 副卷 (trial secrets: 合议庭评议 etc.)."""

    MAIN = "正卷"
    SECONDARY = "副卷"


class OriginalForm(StrEnum):
    """What the archived file is: the born-digital original, or a scan of paper."""

    BORN_DIGITAL = "电子原件"
    PAPER_SCAN = "纸质原件扫描件"


class Procedure(StrEnum):
    """审判程序 / 执行程序."""

    FIRST_INSTANCE = "一审"
    SECOND_INSTANCE = "二审"
    RETRIAL = "再审"
    RETRIAL_REVIEW = "再审审查"
    SPECIAL = "特别程序"
    SUPERVISION = "督促程序"
    EXECUTION = "执行"
    EXECUTION_REVIEW = "执行审查"
    OTHER = "其他"


class SecurityLevel(StrEnum):
    """密级."""

    PUBLIC = "公开"
    INTERNAL = "内部"
    SECRET = "秘密"
    CONFIDENTIAL = "机密"
    TOP_SECRET = "绝密"


class RetentionPeriod(StrEnum):
    """保管期限: court litigation schedule (2013) plus legacy and GB/T 18894 values."""

    PERMANENT = "永久"
    YEARS_60 = "定期60年"
    YEARS_20 = "定期20年"
    YEARS_30 = "定期30年"
    YEARS_10 = "定期10年"
    LEGACY_LONG = "长期"
    LEGACY_SHORT = "短期"


@dataclass(frozen=True)
class Party:
    """当事人: a party and its procedural role (原告, 被告, 申请执行人 …)."""

    role: str
    name: str


@dataclass(frozen=True)
class Digest:
    algorithm: str  # sha256 | sha512 | sm3
    value: str  # lowercase hex


@dataclass(frozen=True)
class Document:
    """卷内文件: one document of the case file."""

    sequence: int  # 顺序号, from 1, gap-free within the case file
    title: str  # 题名
    creator: str  # 责任者
    date: date  # 日期
    volume: Volume  # 正卷/副卷
    path: str  # relative to the bag's data/ directory, e.g. documents/001.pdf
    page_count: int  # 页数
    start_page: int  # 起始页号
    original_form: OriginalForm
    format: str  # declared format: PDF, OFD, JPEG, TIFF, PNG …
    size: int  # bytes
    digest: Digest
    doc_number: str | None = None  # 文号 (= 案号 for court-made documents)
    paper_location: str | None = None  # where the paper original is kept (scans only)
    remarks: str | None = None  # 备注


@dataclass(frozen=True)
class CaseFile:
    """案卷: one case's electronic case file (电子卷宗)."""

    case_number: str  # 案号, e.g. （2023）京0105民初1234号
    cause: str  # 案由
    parties: tuple[Party, ...]
    procedure: Procedure  # 审判程序
    result: str  # 审理结果 / 结案方式
    court: str  # 审判法院
    department: str  # 承办部门: 民一庭, 民二庭, 执行局 …
    judge: str  # 承办人
    clerk: str  # 书记员
    panel: tuple[str, ...]  # 合议庭成员 (empty for a sole judge)
    filing_date: date  # 立案日期
    closing_date: date  # 结案日期
    security_level: SecurityLevel  # 密级
    retention: RetentionPeriod  # 保管期限
    main_volumes: int  # 正卷册数
    secondary_volumes: int  # 副卷册数
    document_count: int  # declared number of 卷内文件
    page_count: int  # declared total pages
    documents: tuple[Document, ...] = field(default_factory=tuple)
    fonds_number: str | None = None  # 全宗号 of the court
    archiving_date: date | None = None  # 归档日期 (set by the archive if absent)
    archive_number: str | None = None  # 档号 (assigned by the archive)
    related_case_numbers: tuple[str, ...] = ()  # 相关案号
    archived_by: str | None = None  # 归档者

    @property
    def title(self) -> str:
        """案卷题名 for listings: case number, the first three parties, cause."""
        parties = "、".join(p.name for p in self.parties[:3])
        return f"{self.case_number} {parties} {self.cause}"

    @property
    def year(self) -> int:
        """收案年度 from the case number when it parses, else the filing year."""
        digits = "".join(ch for ch in self.case_number[1:5] if ch.isdigit())
        return int(digits) if len(digits) == 4 else self.filing_date.year
