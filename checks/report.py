"""Check reports as a check register (检测登记表): text, JSON and a self-contained HTML page.

Columns follow DA/T 70's tables (编号, 检测项目, 检测目的, 检测对象, 检测依据和方法)
plus 属性, 检测结果 and 备注; a summary per property, a bottom line, and lines for
the 检测人 and 审核人 to sign the printed page.  HTML is escaped with
``html.escape`` and carries its CSS inline: no external asset, printable offline.
"""
from __future__ import annotations

import html
import json
from typing import Any, Iterable

from checks.api import CheckResult, Property, Status
from checks.engine import BatchReport, ItemOutcome, PackageCheckReport
from findings.i18n import Lang

MAX_REMARKS = 6  # verdict lines shown per item; the JSON report holds all

_L: dict[str, tuple[str, str]] = {  # key → (en, zh)
    "title": ("Four-property check register (DA/T 70-2018)", "电子档案四性检测登记表（DA/T 70-2018）"),
    "batch": ("Batch check report", "批量检测报告"),
    "archive": ("Archive", "档案馆（室）"), "package": ("Package", "信息包"),
    "archive_number": ("Archive number (档号)", "档号"), "case_number": ("Case number (案号)", "案号"),
    "stage": ("Stage", "检测环节"), "plan": ("Plan", "检测方案"), "time": ("Checked at", "检测时间"),
    "run": ("Run", "检测批次号"),
    "id": ("Item no.", "检测项目编号"), "item": ("Check item", "检测项目"), "property": ("Property", "属性"),
    "object": ("Object", "检测对象"), "purpose": ("Purpose", "检测目的"), "method": ("Method", "检测依据和方法"),
    "result": ("Result", "检测结果"), "remarks": ("Remarks", "备注"),
    "summary": ("Summary per property", "分类汇总"), "bottom": ("Bottom line", "检测结论"),
    "blocking": ("Blocking items", "阻断项"), "checker": ("Checked by (检测人)", "检测人"),
    "reviewer": ("Reviewed by (审核人)", "审核人"), "date": ("Date", "日期"), "sign": ("Signature", "签字"),
    "packages": ("Packages", "信息包数"), "more": ("… {n} more in the JSON report", "……另有 {n} 条，见 JSON 报告"),
    "attested": ("attested", "已确认"),
}
STATUS = {Status.PASSED: ("passed", "通过"), Status.FAILED: ("FAILED", "不通过"),
          Status.INDETERMINATE: ("indeterminate", "无法判定"), Status.MANUAL: ("manual", "待人工确认"),
          Status.NOT_APPLICABLE: ("not applicable", "不适用")}
PROPERTY = {Property.AUTHENTICITY: ("authenticity", "真实性"), Property.INTEGRITY: ("integrity", "完整性"),
            Property.USABILITY: ("usability", "可用性"), Property.SECURITY: ("security", "安全性")}
STAGE = {"GD": ("archiving (GD)", "归档环节（GD）"), "YJ": ("transfer and receipt (YJ)", "移交与接收环节（YJ）"),
         "BC": ("long-term preservation (BC)", "长期保存环节（BC）")}


def _t(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang is Lang.ZH else pair[0]


def label(key: str, lang: Lang) -> str:
    return _t(_L[key], lang)


def status_text(status: Status, lang: Lang) -> str:
    return _t(STATUS[status], lang)


def _result_line(r: CheckResult, lang: Lang) -> str:
    parts = [f"{r.object}: {status_text(r.status, lang)}"]
    if r.findings:
        parts.append(r.findings[0].message(lang))
    elif r.expected is not None or r.found is not None:
        parts.append(f"{r.expected or ''} → {r.found or ''}")
    if r.remarks:
        parts.append(r.remarks)
    return " — ".join(parts)


def remarks(outcome: ItemOutcome, lang: Lang) -> list[str]:
    """The remark lines of one register row: non-passed verdicts first, truncated."""
    ordered = sorted(outcome.results, key=lambda r: r.status is Status.PASSED)
    lines = [_result_line(r, lang) for r in ordered[:MAX_REMARKS]]
    if len(ordered) > MAX_REMARKS:
        lines.append(label("more", lang).format(n=len(ordered) - MAX_REMARKS))
    return lines


def _header(report: PackageCheckReport, lang: Lang) -> list[tuple[str, str]]:
    return [(label("archive", lang), report.archive_name), (label("package", lang), f"{report.kind.upper()} {report.identifier}"),
            (label("archive_number", lang), report.archive_number or "—"), (label("case_number", lang), report.case_number or "—"),
            (label("stage", lang), f"{report.plan.name} — {_t(STAGE[report.plan.prefix], lang)}"),
            (label("plan", lang), ", ".join(report.plan.items)),
            (label("time", lang), report.started_at.isoformat()), (label("run", lang), report.run_id or "—")]


def _summary(report: PackageCheckReport, lang: Lang) -> list[tuple[str, str]]:
    rows = []
    for prop, counts in report.by_property().items():
        text = ", ".join(f"{status_text(Status(s), lang)} {n}" for s, n in counts.items() if n)
        rows.append((_t(PROPERTY[Property(prop)], lang), text or "—"))
    return rows


# ---------------------------------------------------------------- text

def render_text(report: PackageCheckReport, lang: Lang) -> str:
    lines = [label("title", lang), ""]
    lines += [f"{k}: {v}" for k, v in _header(report, lang)] + [""]
    for o in report.outcomes:
        lines.append(f"{o.item_id:8} [{status_text(o.status, lang)}] {o.item.name.get(lang)} "
                     f"({_t(PROPERTY[o.item.property], lang)}){' *' if o.blocking else ''}")
        lines += [f"           {line}" for line in remarks(o, lang) if o.status is not Status.PASSED]
    lines += ["", label("summary", lang)] + [f"  {k}: {v}" for k, v in _summary(report, lang)]
    lines.append(f"{label('bottom', lang)}: {status_text(report.bottom_line, lang)}")
    if report.blocking:
        lines.append(f"{label('blocking', lang)}: {', '.join(report.blocking)}")
    return "\n".join(lines) + "\n"


def render_batch_text(batch: BatchReport, lang: Lang) -> str:
    head = [label("batch", lang), f"{label('archive', lang)}: {batch.archive_name}",
            f"{label('stage', lang)}: {batch.plan.name}", f"{label('time', lang)}: {batch.started_at.isoformat()}",
            f"{label('packages', lang)}: {len(batch.reports)}", ""]
    rows = [f"{r.archive_number or r.identifier}  {status_text(r.bottom_line, lang)}  "
            f"{', '.join(r.blocking)}" for r in batch.reports]
    tail = ["", f"{label('bottom', lang)}: {status_text(batch.bottom_line, lang)}", ""]
    return "\n".join(head + rows + tail) + "\n".join(render_text(r, lang) for r in batch.reports)


# ---------------------------------------------------------------- JSON

def render_json(report: PackageCheckReport | BatchReport, lang: Lang | None = None) -> str:
    return json.dumps(report.to_dict(lang), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- HTML

CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",SimSun,sans-serif;margin:24px;color:#111}
h1{font-size:20px;text-align:center}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:12px}
th,td{border:1px solid #444;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}td.st{white-space:nowrap;font-weight:bold}
.passed{color:#135e1a}.failed{color:#b00020}.indeterminate{color:#8a5a00}.manual{color:#1b4f9c}.not_applicable{color:#666}
.sign td{height:48px}ul{margin:0;padding-left:16px}
table.register{table-layout:fixed}
table.register col.id{width:5.5em}table.register col.item{width:10em}table.register col.prop{width:4.5em}
table.register col.obj{width:8em}table.register col.purpose{width:11em}table.register col.method{width:14em}
table.register col.result{width:6em}
table.register td{overflow-wrap:anywhere}table.register td:first-child{white-space:nowrap}
@media print{body{margin:8mm}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _kv_table(rows: Iterable[tuple[str, str]], cls: str = "meta") -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<table class="{cls}">{body}</table>'


def _row(o: ItemOutcome, lang: Lang) -> str:
    item = o.item
    notes = "".join(f"<li>{_e(line)}</li>" for line in remarks(o, lang))
    cells = [_e(o.item_id), _e(item.name.get(lang)), _e(_t(PROPERTY[item.property], lang)), _e(item.object.get(lang)),
             _e(item.purpose.get(lang)), _e(item.method.get(lang))]
    result = f'<td class="st {o.status.value}">{_e(status_text(o.status, lang))}{" ★" if o.blocking else ""}</td>'
    return (f'<tr data-item="{_e(o.item_id)}">' + "".join(f"<td>{c}</td>" for c in cells) + result
            + f"<td><ul>{notes}</ul></td></tr>")


def _register(report: PackageCheckReport, lang: Lang) -> str:
    head = "".join(f"<th>{_e(label(k, lang))}</th>" for k in
                   ("id", "item", "property", "object", "purpose", "method", "result", "remarks"))
    rows = "".join(_row(o, lang) for o in report.outcomes)
    cols = "".join(f'<col class="{c}">' for c in ("id", "item", "prop", "obj", "purpose", "method", "result", "remarks"))
    return f'<table class="register"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _signatures(lang: Lang) -> str:
    cells = "".join(f"<tr><th>{_e(label(who, lang))}</th><td>{_e(label('sign', lang))}:</td>"
                    f"<td>{_e(label('date', lang))}:</td></tr>" for who in ("checker", "reviewer"))
    return f'<table class="sign">{cells}</table>'


def _package_section(report: PackageCheckReport, lang: Lang) -> str:
    bottom = f'<p class="bottom">{_e(label("bottom", lang))}: <b class="{report.bottom_line.value}">' \
             f'{_e(status_text(report.bottom_line, lang))}</b>'
    if report.blocking:
        bottom += f" — {_e(label('blocking', lang))}: {_e(', '.join(report.blocking))}"
    return (f"<section>{_kv_table(_header(report, lang))}{_register(report, lang)}"
            f"<h2>{_e(label('summary', lang))}</h2>{_kv_table(_summary(report, lang), 'summary')}{bottom}</p>"
            f"{_signatures(lang)}</section>")


def _page(title: str, body: str, lang: Lang) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{_e(lang.value)}"><head><meta charset="utf-8">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body><h1>{_e(title)}</h1>{body}</body></html>\n")


def render_html(report: PackageCheckReport, lang: Lang) -> str:
    """One package's register as a complete, self-contained HTML page."""
    return _page(label("title", lang), _package_section(report, lang), lang)


def render_batch_html(batch: BatchReport, lang: Lang) -> str:
    """A batch: an overview table, then one register per package."""
    rows = [(r.archive_number or r.identifier, f"{status_text(r.bottom_line, lang)} {', '.join(r.blocking)}")
            for r in batch.reports]
    head = _kv_table([(label("archive", lang), batch.archive_name), (label("stage", lang), batch.plan.name),
                      (label("time", lang), batch.started_at.isoformat()),
                      (label("packages", lang), str(len(batch.reports))),
                      (label("bottom", lang), status_text(batch.bottom_line, lang))])
    sections = "".join(f"<h2>{_e(r.archive_number or r.identifier)}</h2>{_package_section(r, lang)}"
                       for r in batch.reports)
    return _page(label("batch", lang) + " — " + label("title", lang), head + _kv_table(rows, "overview") + sections, lang)


def render(report: PackageCheckReport | BatchReport, fmt: str, lang: Lang) -> str:
    """``fmt`` text | json | html, for a package or a batch."""
    if fmt == "json":
        return render_json(report, lang)
    batch = isinstance(report, BatchReport)
    if fmt == "html":
        return render_batch_html(report, lang) if batch else render_html(report, lang)  # type: ignore[arg-type]
    if fmt == "text":
        return render_batch_text(report, lang) if batch else render_text(report, lang)  # type: ignore[arg-type]
    raise ValueError(f"unknown report format {fmt!r}: use text, json or html")
