"""Which documents a case file holds, in which order, form and volume.

The lists follow 《人民法院诉讼文书材料立卷规范》 as summarised in shared/standards.md
§4.3: 正卷 in procedural order, trial secrets (审理报告, 合议庭评议笔录) in the 副卷.
Every case file gets at least one OFD (the final ruling), one multi-page TIFF scan
(evidence or the 执行依据) and one JPEG scan (a 送达回证), so any set of SIPs
exercises every format.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from metadata.model import Volume
from samples import text
from samples.context import CaseContext
from samples.text import Writer


@dataclass(frozen=True)
class DocSpec:
    """A document before rendering: what it is, not yet its bytes."""

    title: str
    creator: str
    date: date
    volume: Volume
    format: str  # PDF | OFD | JPEG | TIFF
    pages: int  # scans: exact page count; text documents: upper bound
    writer: Writer | None = None  # None for scans, which carry no text layer
    doc_number: str | None = None

    @property
    def is_scan(self) -> bool:
        return self.format in ("JPEG", "TIFF")


def on(ctx: CaseContext, fraction: float) -> date:
    """The date ``fraction`` of the way from 立案 to 结案."""
    span = (ctx.closing_date - ctx.filing_date).days
    return ctx.filing_date + timedelta(days=round(span * fraction))


def _court(ctx: CaseContext, title: str, at: float, fmt: str, writer: Writer,
           volume: Volume = Volume.MAIN, pages: int = 6) -> DocSpec:
    return DocSpec(title, ctx.court.name, on(ctx, at), volume, fmt, pages, writer, ctx.case_number)


def _receipt(ctx: CaseContext, at: float) -> DocSpec:
    """送达回证: signed by the recipient on paper, so always a one-page scan."""
    return DocSpec("送达回证", ctx.court.name, on(ctx, at), Volume.MAIN, "JPEG", 1, None, ctx.case_number)


def _party_filing(ctx: CaseContext, rng: random.Random, title: str, writer: Writer) -> DocSpec:
    """Filed online (born-digital PDF) or on paper (scanned multi-page TIFF)."""
    if rng.random() < 0.6:
        return DocSpec(title, ctx.claimant.name, ctx.filing_date, Volume.MAIN, "PDF", 6, writer)
    return DocSpec(title, ctx.claimant.name, ctx.filing_date, Volume.MAIN, "TIFF", rng.randint(2, 3))


def _final_title(ctx: CaseContext) -> str:
    return {"判决": "民事判决书", "调解": "民事调解书"}.get(ctx.result, "民事裁定书")


def _secret(ctx: CaseContext, report_title: str) -> list[DocSpec]:
    """副卷: the report of the judge and, with a panel, its deliberation record."""
    docs = [_court(ctx, report_title, 0.9, "PDF", text.trial_report, Volume.SECONDARY)]
    if ctx.panel:
        docs.append(_court(ctx, "合议庭评议笔录", 0.93, "PDF", text.deliberation, Volume.SECONDARY))
    return docs


def civil_plan(ctx: CaseContext, rng: random.Random) -> list[DocSpec]:
    """民事一审: 起诉 → 受理 → 举证/传票 → 证据 → 答辩 → 庭审 → 裁判 → 送达."""
    docs = [_party_filing(ctx, rng, "起诉状", text.complaint),
            _court(ctx, "受理案件通知书", 0.0, rng.choice(("PDF", "PDF", "OFD")), text.acceptance_notice),
            _court(ctx, "举证通知书", 0.02, "PDF", text.evidence_notice),
            _court(ctx, "传票", 0.03, "PDF", text.summons),
            DocSpec("证据材料", ctx.claimant.name, ctx.filing_date, Volume.MAIN, "TIFF", rng.randint(2, 4)),
            _receipt(ctx, 0.05)]
    if ctx.result != "准予撤诉" or rng.random() < 0.5:
        defence_date = on(ctx, 0.2)
        docs.append(DocSpec("答辩状", ctx.respondent.name, defence_date, Volume.MAIN, "PDF", 3, text.defence)
                    if rng.random() < 0.5 else
                    DocSpec("答辩状", ctx.respondent.name, defence_date, Volume.MAIN, "JPEG", 1))
        docs.append(_court(ctx, "庭审笔录", 0.5, "PDF", text.hearing_record))
    docs += [_court(ctx, _final_title(ctx), 1.0, "OFD", text.judgment), _receipt(ctx, 1.0)]
    return docs + _secret(ctx, "审理报告")


def execution_plan(ctx: CaseContext, rng: random.Random) -> list[DocSpec]:
    """首次执行: 申请 → 执行依据 → 受理 → 执行通知 → 查控 → 裁定 → 结案."""
    basis = DocSpec("执行依据（民事判决书）", ctx.court.name, ctx.filing_date, Volume.MAIN, "TIFF",
                    rng.randint(2, 4), None, ctx.related_case_numbers[0])
    docs = [_party_filing(ctx, rng, "强制执行申请书", text.complaint), basis,
            _court(ctx, "受理案件通知书", 0.0, "PDF", text.acceptance_notice),
            _court(ctx, "执行通知书", 0.03, rng.choice(("PDF", "OFD")), text.execution_notice),
            _receipt(ctx, 0.06),
            _court(ctx, "财产调查报告", 0.25, "PDF", text.property_report),
            _court(ctx, "执行裁定书", 0.97 if ctx.result != "执行完毕" else 0.6, "OFD", text.execution_ruling),
            _court(ctx, "结案通知书", 1.0, "PDF", text.closing_notice)]
    return docs + _secret(ctx, "执行案件结案审查报告")


def plan_documents(ctx: CaseContext, rng: random.Random) -> list[DocSpec]:
    """正卷 first, then 副卷, each in plan (= date) order: the order of 顺序号."""
    docs = execution_plan(ctx, rng) if ctx.is_execution else civil_plan(ctx, rng)
    return [d for d in docs if d.volume is Volume.MAIN] + [d for d in docs if d.volume is Volume.SECONDARY]
