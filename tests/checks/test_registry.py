"""The registry holds exactly DA/T 70's 45 items, assigned to stages as Appendix A says."""
from __future__ import annotations

import pytest

from checks.api import Property
from checks.docs import DOC, markdown
from checks.registry import NotImplementedCheck, load_registry, resolve

# DA/T 70-2018 Appendix A, table A.1, column by column (checked against the standard's text).
GD = ("1-1 1-2 1-3 1-4 1-5 1-6 1-7 1-8 1-10 1-11 1-12 1-13 1-14 2-1 2-2 2-3 2-4 2-5 2-6 2-7 2-8 2-9 2-11 "
      "3-1 3-2 3-3 3-4 3-6 3-8 4-1 4-2 4-3 4-4 4-5 4-6 4-7").split()
YJ = ("1-1 1-2 1-3 1-4 1-5 1-6 1-7 1-8 1-9 1-10 1-11 1-12 1-13 1-14 2-1 2-2 2-3 2-4 2-5 2-6 2-7 2-8 2-11 "
      "3-1 3-2 3-3 3-4 3-6 3-8 4-1 4-2 4-3 4-4 4-5 4-7").split()
BC = ("1-1 1-2 1-3 1-4 1-5 1-6 1-7 1-10 1-11 1-14 1-15 1-16 2-1 2-2 2-4 2-6 2-7 2-8 2-10 2-11 "
      "3-1 3-2 3-4 3-5 3-7 3-9 4-1 4-2 4-4 4-5 4-8 4-9").split()


def test_all_45_items_with_the_standards_property_counts():
    reg = load_registry()
    assert len(reg) == 45
    counts = {p: sum(1 for i in reg if i.property is p) for p in Property}
    assert counts == {Property.AUTHENTICITY: 16, Property.INTEGRITY: 11, Property.USABILITY: 9, Property.SECURITY: 9}


@pytest.mark.parametrize("prefix,expected", [("GD", GD), ("YJ", YJ), ("BC", BC)])
def test_stage_columns_follow_appendix_a(prefix, expected):
    assert [i.number for i in load_registry().for_stage(prefix)] == expected


def test_no_gd_1_9_and_prefixed_ids():
    reg = load_registry()
    assert "1-9" not in [i.number for i in reg.for_stage("GD")]
    assert reg.item("YJ-1-9").item_id("YJ") == "YJ-1-9"
    assert reg.item("1-9").item_id("GD") == "1-9"  # not a GD item: no invented id
    with pytest.raises(KeyError):
        reg.item("1-17")


def test_every_item_has_both_languages_and_a_kind():
    for item in load_registry():
        for text in (item.name, item.purpose, item.object, item.method):
            assert text.zh and text.en, item.number
        assert item.kind in ("auto", "environment", "manual")
        assert (item.function is None) == (item.kind == "manual")
    assert {i.number for i in load_registry() if i.kind == "manual"} == {"4-5", "4-6", "4-9"}


def test_package_items_resolve_and_a_missing_function_does_not_break_loading():
    for item in load_registry():
        if item.function and item.function.startswith("checks.items_package:"):
            assert callable(resolve(item.function))
    with pytest.raises(NotImplementedCheck):
        resolve("checks.items_nowhere:check_nothing")
    with pytest.raises(NotImplementedCheck):
        resolve("checks.items_package:check_nothing")


def test_check_items_doc_is_current():
    assert DOC.read_text(encoding="utf-8") == markdown(), "run: python -m checks.docs"
    text = DOC.read_text(encoding="utf-8")
    for item in load_registry():
        assert f"| {item.number} |" in text
