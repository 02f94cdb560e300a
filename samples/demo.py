"""``casearchive demo``: a demo archive on the embedded defaults, end to end.

Sample case files are generated and ingested; one deliberately damaged copy is
refused into quarantine and one package is pushed twice; then every AIP copy
is verified with SHA-256 and SM3 and the event log is checked.  The printed
report says where everything is.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from archive import catalogue, db
from archive.archive import Archive, InitOptions, init_archive
from archive.audit import VerifyReport, verify_aips
from archive.config import ConfigError
from findings.i18n import Lang
from ingest.pipeline import IngestOutcome, ingest_package
from samples import generate_sips
from samples.signatures import LABEL_EN, LABEL_ZH, scan_with_test_signatures

MARKER = ".casearchive-demo"


@dataclass
class DemoResult:
    root: Path
    outcomes: list[IngestOutcome] = field(default_factory=list)
    verify: VerifyReport | None = None
    checks: Any = None  # checks.engine.BatchReport of the store-stage plan
    healing: dict[str, Any] = field(default_factory=dict)
    reports: list[Path] = field(default_factory=list)
    log_events: int = 0
    log_findings: int = 0
    expected: dict[str, int] = field(default_factory=dict)
    virus_scan: str = ""  # how packages were scanned (the test signature database is labelled as such)

    def counts(self) -> dict[str, int]:
        out = {"archived": 0, "duplicate": 0, "refused": 0}
        for o in self.outcomes:
            out[o.status] += 1
        return out

    @property
    def ok(self) -> bool:
        from checks.api import Status

        return (self.counts() == self.expected and self.verify is not None and self.verify.ok
                and self.healing.get("audit_failures") == 1 and self.healing.get("repair") == "repaired"
                and self.log_findings == 0 and self.checks is not None and self.checks.bottom_line is not Status.FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {"root": str(self.root), "ok": self.ok, "counts": self.counts(), "expected": self.expected,
                "outcomes": [o.to_dict() for o in self.outcomes],
                "verify": self.verify.to_dict() if self.verify else None, "self_healing": self.healing,
                "checks": {"bottom_line": self.checks.bottom_line.value, "counts": self.checks.counts(),
                           "reports": [str(p) for p in self.reports]} if self.checks else None,
                "log": {"events": self.log_events, "findings": self.log_findings}, "virus_scan": self.virus_scan}


def _fresh_root(root: Path) -> None:
    """Only a folder made by an earlier demo is ever wiped."""
    if root.exists() and any(root.iterdir()):
        if not (root / MARKER).exists():
            raise ConfigError(f"{root} exists and is not a demo archive; choose another --root")
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("created by casearchive demo; safe to delete\n", encoding="utf-8")


def _scan_options(root: Path) -> dict[str, str]:
    """The demo scans every package with the real ClamAV and a test signature database it
    writes itself (no download); without ClamAV it scans "optional" and says so."""
    scan, database = scan_with_test_signatures(root / "clamav-test-db")
    return {"virus_scan": scan, **({"clamav_database": database} if database else {})}


def _scan_label(scan: dict[str, str], zh: bool) -> str:
    if "clamav_database" in scan:
        return (f"病毒检测：ClamAV，使用{LABEL_ZH}：{scan['clamav_database']}" if zh else
                f"Virus scan: ClamAV with a {LABEL_EN}: {scan['clamav_database']}")
    return ("警告：未安装 ClamAV，演示中的信息包未经病毒检测即归档（virus_scan = \"optional\"）" if zh else
            "WARNING: ClamAV is not installed: the demo archives packages UNSCANNED (virus_scan = \"optional\")")


def _damaged_copy(sip: Path, target: Path) -> Path:
    """A copy of ``sip`` with one byte of one document flipped (the manifest now lies)."""
    shutil.copytree(sip, target)
    doc = sorted((target / "data" / "documents").iterdir())[0]
    data = bytearray(doc.read_bytes())
    data[len(data) // 2] ^= 0x01
    doc.write_bytes(bytes(data))
    return target


def run_demo(root: Path, *, count: int, seed: int, now: datetime, lang: Lang,
             echo: Callable[[str], None] | None) -> DemoResult:
    say = echo or (lambda _line: None)
    zh = lang is Lang.ZH
    _fresh_root(root)
    scan = _scan_options(root)
    archive = init_archive(root, InitOptions(name="示例人民法院电子诉讼档案库", fonds_number="J105",
                                             organization="北京市朝阳区人民法院",
                                             virus_scan=scan.get("virus_scan", "required"),
                                             clamav_database=scan.get("clamav_database")), now)
    say(("已创建演示档案库：" if zh else "Demo archive created: ") + str(root))
    say(_scan_label(scan, zh))
    sips = generate_sips(root / "incoming", count=count, seed=seed)
    say(("已生成样例信息包 " if zh else "Sample packages generated: ") + str(len(sips)))
    result = DemoResult(root, expected={"archived": count, "duplicate": 1, "refused": 1},
                        virus_scan=_scan_label(scan, False))
    for sip in sips:
        result.outcomes.append(ingest_package(archive, sip, now=now, agent="casearchive demo"))
    bad = _damaged_copy(sips[0], root / "incoming-damaged" / sips[0].name)
    result.outcomes.append(ingest_package(archive, bad, now=now, agent="casearchive demo"))
    result.outcomes.append(ingest_package(archive, sips[-1], now=now, agent="casearchive demo"))
    result.healing = _self_healing(archive, result, now)
    result.verify = verify_aips(archive, None, algorithm="all", now=now, agent="casearchive demo")
    result.checks, result.reports = _store_checks(archive, root, now)
    from archive.checkpoints import make_checkpoint, verify_log_full

    make_checkpoint(archive, now)
    log = verify_log_full(archive, now)
    result.log_events, result.log_findings = log.events, sum(1 for f in log.findings if f.level.value == "error")
    with db.read_session(archive.engine) as s:
        records = catalogue.list_aips(s)
    _report(result, records, lang, say)
    archive.close()
    return result


def _self_healing(archive: Archive, result: DemoResult, now: datetime) -> dict[str, Any]:
    """Bit rot in one replica copy: the audit finds it, repair rebuilds it from the good copy."""
    from archive.auditor import run_audit
    from archive.repair import repair_aip

    victim = next(o for o in result.outcomes if o.status == "archived")
    assert victim.aip_id is not None
    doc = sorted((archive.locations[-1].aip_path(victim.aip_id) / "data" / "documents").iterdir())[0]
    raw = bytearray(doc.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    doc.chmod(0o644)
    doc.write_bytes(bytes(raw))
    audit = run_audit(archive, now, force=True)
    repair = repair_aip(archive, victim.aip_id, now=now, confirm=True)
    return {"damaged": f"{archive.locations[-1].name}:{doc.relative_to(archive.locations[-1].root)}",
            "audit_copies": audit.copies_checked, "audit_failures": audit.failures, "repair": repair.outcome}


def _store_checks(archive: Archive, root: Path, now: datetime) -> tuple[Any, list[Path]]:
    """The DA/T 70 store-stage (长期保存) plan on every AIP; registers in both languages."""
    from archive.checking import run_checks
    from checks.report import render

    batch = run_checks(archive, None, "store", now=now).batch
    out = root / "reports"
    out.mkdir(exist_ok=True)
    paths = [out / "check-store.json"]
    paths[0].write_text(render(batch, "json", Lang.ZH), encoding="utf-8")
    for lang in (Lang.ZH, Lang.EN):
        path = out / f"check-store.{lang.value}.html"
        path.write_text(render(batch, "html", lang), encoding="utf-8")
        paths.append(path)
    return batch, paths


def _report(result: DemoResult, records: list[catalogue.AipRecord], lang: Lang, say: Callable[[str], None]) -> None:
    from findings.report import render_findings

    zh = lang is Lang.ZH
    say("")
    say("== 接收 ==" if zh else "== Receive ==")
    for o in result.outcomes:
        status = {"archived": "已归档", "duplicate": "重复推送", "refused": "拒收"}[o.status] if zh else o.status
        say(f"  {status:8} {Path(o.source).name}  {o.archive_number or ''}")
        if o.status == "refused":
            for line in render_findings(o.findings, lang, indent="      "):
                say(line)
            say(("      隔离区：" if zh else "      quarantine: ") + str(o.report_dir))
    say("")
    say("== 馆藏 ==" if zh else "== Holdings ==")
    for r in records:
        say(f"  {r.archive_number}  {r.case_number}  {r.department}  {r.cause}  "
            f"{r.payload_files} {'个文件' if zh else 'files'}  {r.payload_bytes:,} B")
    say("")
    h = result.healing
    say("== 审计与自我修复 ==" if zh else "== Audit and self-repair ==")
    say(("  人为损坏：" if zh else "  injected bit rot: ") + str(h.get("damaged")))
    say(("  审计：检查副本 {0} 个，发现损坏 {1} 个" if zh else "  audit: {0} copies checked, {1} damaged")
        .format(h.get("audit_copies"), h.get("audit_failures")))
    outcome = str(h.get("repair"))
    say(("  修复：" + {"repaired": "已从完好副本重建并验证", "intact": "无需修复"}.get(outcome, outcome)) if zh
        else f"  repair: {outcome}")
    say("")
    say("== 校验 (SHA-256 + SM3) ==" if zh else "== Verification (SHA-256 + SM3) ==")
    v = result.verify
    assert v is not None
    ok = sum(x.ok for x in v.verdicts)
    say(f"  {ok}/{len(v.verdicts)} " + (f"个副本完好，文件 {v.files} 个，{v.bytes:,} 字节" if zh
                                        else f"copies intact, {v.files} files, {v.bytes:,} B"))
    intact = result.log_findings == 0
    say(f"  事件日志：{result.log_events} 条，签名检查点已写入，" + ("完好" if intact else "已被篡改") if zh else
        f"  event log: {result.log_events} events, signed checkpoint written, " + ("intact" if intact else "TAMPERED"))
    say("")
    say("== 四性检测（长期保存环节）==" if zh else "== Four-property checks (store stage) ==")
    from checks.report import status_text

    say(("  检测结论：" if zh else "  bottom line: ") + status_text(result.checks.bottom_line, lang)
        + f"  {result.checks.counts()}")
    for path in result.reports:
        say(f"  {path}")
    say("")
    verdict = ("结论：演示成功" if result.ok else "结论：演示未达预期") if zh else \
        ("Bottom line: demo OK" if result.ok else "Bottom line: demo FAILED")
    say(verdict + f"  {result.counts()}")
    say(("试试：" if zh else "Try: ") + f"casearchive --root {result.root} list | show <档号> | verify --all | log verify")
