"""The engine on real packages: every item once, failures contained, manual items, bottom line."""
from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, timezone


from checks.api import CheckContext, Stage, Status
from checks.engine import Attestation, bottom_line, run_batch, run_manage_pair, run_plan
from checks.package import DirectoryPackage
from checks.plans import plan_for
from checks.registry import Registry, load_registry


def _ctx(now, **services) -> CheckContext:  # type: ignore[no-untyped-def]
    return CheckContext(now=now, stage=Stage.RECEIVE, services=services)


def _registry_with(**functions: str) -> Registry:
    """The real registry with some items' functions pointed elsewhere (real callables)."""
    reg = load_registry()
    return Registry(tuple(replace(i, function=functions.get(i.number, i.function)) for i in reg))


def test_package_items_pass_on_a_good_sip(sip, now):
    pkg = DirectoryPackage.from_bag(sip, "sip")
    plan = plan_for("receive", items=["1-11", "1-12", "1-13", "1-14", "2-1", "2-2", "2-9", "2-11", "3-1"])
    report = run_plan(pkg, plan, _ctx(now))
    assert [o.item_id for o in report.outcomes] == [f"GD-{n}" for n in plan.items]
    assert {o.item_id: o.status for o in report.outcomes if o.status is not Status.PASSED} == {}
    assert report.bottom_line is Status.PASSED
    assert report.case_number == pkg.casefile.case_number
    assert set(report.timings()) == {f"GD-{n}" for n in plan.items}


def test_a_damaged_sip_fails_and_blocks(sip, now):
    doc = sorted((sip / "data" / "documents").iterdir())[0]
    doc.write_bytes(doc.read_bytes() + b"tampered")
    report = run_plan(DirectoryPackage.from_bag(sip, "sip"), plan_for("receive", items=["1-14", "2-2", "3-1"]), _ctx(now))
    assert report.outcome("1-14").status is Status.FAILED and report.outcome("1-14").blocking
    assert report.bottom_line is Status.FAILED
    assert "GD-1-14" in report.blocking and "GD-3-1" not in report.blocking
    assert report.by_property()["authenticity"]["failed"] == 1


def test_errors_and_missing_functions_are_indeterminate_never_passed(sip, now):
    reg = _registry_with(**{"1-11": "json:loads", "1-12": "builtins:print", "1-13": "checks.nowhere:check"})
    plan = plan_for("receive", items=["1-11", "1-12", "1-13", "3-1"])
    report = run_plan(DirectoryPackage.from_bag(sip, "sip"), plan, _ctx(now), registry=reg)
    codes = {o.item.number: {f.code for r in o.results for f in r.findings} for o in report.outcomes}
    assert codes["1-11"] == {"CHK-ENGINE-ERROR"}
    assert codes["1-12"] == {"CHK-ENGINE-ERROR"}
    assert codes["1-13"] == {"CHK-ENGINE-NOT-IMPLEMENTED"}
    assert report.outcome("3-1").status is Status.PASSED
    assert report.bottom_line is Status.INDETERMINATE


def test_manual_items_pending_attested_or_refused(sip, now):
    pkg = DirectoryPackage.from_bag(sip, "sip")
    plan = plan_for("receive", items=["4-5", "4-6"])
    pending = run_plan(pkg, plan, _ctx(now))
    assert [o.status for o in pending.outcomes] == [Status.MANUAL, Status.MANUAL]
    assert pending.bottom_line is Status.PASSED  # manual is not blocking by default
    at = datetime(2026, 11, 19, tzinfo=timezone.utc)
    book = {"4-5": Attestation("4-5", "档案员甲", at, "载体外观完好"),
            "4-6": Attestation("4-6", "档案员乙", at, "BLER 超标", failed=True)}
    attested = run_plan(pkg, plan, _ctx(now, attestations=book.get))
    ok, bad = attested.outcomes
    assert ok.status is Status.MANUAL and "档案员甲" in ok.results[0].remarks and ok.attestation == book["4-5"]
    assert bad.status is Status.FAILED and bad.results[0].findings[0].code == "CHK-MANUAL-ATTESTED-FAILED"


def test_bottom_line_of_nothing_is_passed_and_batch_is_worst(sample_sips, tmp_path, now):
    assert bottom_line(()) is Status.PASSED
    copies = []
    for src in sample_sips[:2]:
        copies.append(tmp_path / src.name)
        shutil.copytree(src, copies[-1])
    (copies[1] / "bag-info.txt").write_text("Payload-Oxum: 1.1\n", encoding="utf-8")
    plan = plan_for("receive", items=["2-11"])
    batch = run_batch([DirectoryPackage.from_bag(p, "sip") for p in copies], plan, lambda p: _ctx(now), now=now)
    assert [r.bottom_line for r in batch.reports] == [Status.PASSED, Status.FAILED]
    assert batch.bottom_line is Status.FAILED and batch.item_counts()["2-11"]["failed"] == 1


def test_manage_pair_reports_what_changed(sip, tmp_path, now):
    before = DirectoryPackage.from_bag(sip, "sip")
    after_dir = tmp_path / "after"
    shutil.copytree(sip, after_dir)
    victim = sorted((after_dir / "data" / "documents").iterdir())[-1]
    victim.unlink()
    plan = plan_for("manage", items=["1-11", "3-1"])
    pair = run_manage_pair(before, DirectoryPackage.from_bag(after_dir, "sip"), plan, lambda p: _ctx(now))
    assert [c.item_id for c in pair.changes] == ["BC-1-11"]
    assert pair.regressed and pair.regressed[0].codes_added == ("CHK-PKG-LINK-MISSING",)
    assert pair.to_dict()["regressed"] == ["BC-1-11"]
