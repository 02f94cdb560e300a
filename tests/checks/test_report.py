"""Reports as a check register: HTML well-formed and self-contained, every item row, both languages."""
from __future__ import annotations

import json

import lxml.html
import pytest

from checks.api import CheckContext, Stage
from checks.engine import run_batch, run_plan
from checks.package import DirectoryPackage
from checks.plans import plan_for
from checks.report import render
from findings.i18n import Lang


@pytest.fixture
def report(sip, now):  # type: ignore[no-untyped-def]
    doc = sorted((sip / "data" / "documents").iterdir())[0]
    doc.write_bytes(doc.read_bytes() + b"<script>alert(1)</script>")
    return run_plan(DirectoryPackage.from_bag(sip, "sip"), plan_for("receive"),
                    CheckContext(now=now, stage=Stage.RECEIVE), archive_name="测试档案库 <&>")


@pytest.mark.parametrize("lang,heading,failed", [(Lang.ZH, "检测项目编号", "不通过"), (Lang.EN, "Item no.", "FAILED")])
def test_html_register_has_every_item_and_is_self_contained(report, lang, heading, failed):
    page = render(report, "html", lang)
    tree = lxml.html.document_fromstring(page)
    rows = tree.xpath('//table[@class="register"]/tbody/tr')
    assert [r.get("data-item") for r in rows] == [o.item_id for o in report.outcomes]
    assert len(rows) == 36 and all(len(r.findall("td")) == 8 for r in rows)
    assert heading in page and failed in page
    assert not tree.xpath("//script|//link|//img|//*[@src]"), "no external assets, no scripts"
    assert "测试档案库 <&>" in tree.text_content() and "<script>" not in page
    assert ("检测人" if lang is Lang.ZH else "Checked by") in page


def test_text_and_json(report):
    text = render(report, "text", Lang.ZH)
    assert "GD-1-14" in text and "检测结论: 不通过" in text
    data = json.loads(render(report, "json", Lang.EN))
    assert data["bottom_line"] == "failed" and "GD-1-14" in data["blocking"]
    assert len(data["items"]) == 36 and set(data["by_property"]) == {"authenticity", "integrity", "usability", "security"}


def test_batch_html(sample_sips, now):
    plan = plan_for("receive", items=["1-11", "2-11"])
    batch = run_batch([DirectoryPackage.from_bag(p, "sip") for p in sample_sips], plan,
                      lambda p: CheckContext(now=now, stage=Stage.RECEIVE), now=now)
    tree = lxml.html.document_fromstring(render(batch, "html", Lang.ZH))
    assert len(tree.xpath('//table[@class="register"]')) == len(sample_sips)
    with pytest.raises(ValueError):
        render(batch, "pdf", Lang.ZH)
