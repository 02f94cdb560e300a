"""Stage plans: defaults from schemas/check-plans.json, overrides from [checks], unknown keys refused."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from archive.config import ConfigError
from checks.api import Stage, Status
from checks.plans import DEFAULT_SETTINGS, parse_settings, plan_for
from checks.registry import load_registry


def test_receive_is_gd_or_yj_from_another_archive():
    plan = plan_for("receive")
    assert plan.prefix == "GD" and plan.items == tuple(i.number for i in load_registry().for_stage("GD"))
    yj = plan_for("receive", from_archive=True)
    assert yj.prefix == "YJ" and "1-9" in yj.items and "2-9" not in yj.items


def test_store_manage_use_defaults():
    assert plan_for(Stage.STORE).items == tuple(i.number for i in load_registry().for_stage("BC"))
    manage = plan_for("manage").items
    assert set(manage) == {"1-1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "1-8", "1-10", "1-11",
                           "2-3", "2-4", "2-6", "3-1", "3-3", "3-4"}
    use = plan_for("use", files=["data/documents/001.pdf"])
    assert "1-1" in use.items and use.files == ("data/documents/001.pdf",)


def test_failed_auto_items_block_and_indeterminate_does_not():
    plan = plan_for("receive")
    assert plan.blocks("1-14", Status.FAILED)
    assert not plan.blocks("1-14", Status.INDETERMINATE)
    assert not plan.blocks("4-1", Status.FAILED)  # environment probe: warns, does not refuse
    assert not plan.blocks("4-5", Status.MANUAL)


def test_config_overrides_items_and_blocking():
    settings = parse_settings({"plans": {"store": {"items": ["1-14", "BC-2-11"],
                                                  "blocking": {"failed": "all", "indeterminate": ["1-14"]}}},
                               "min_read_mb_s": 5})
    plan = plan_for("store", settings=settings)
    assert plan.items == ("1-14", "2-11")
    assert plan.blocks("2-11", Status.FAILED) and plan.blocks("1-14", Status.INDETERMINATE)
    assert settings.as_mapping()["min_read_mb_s"] == 5
    assert settings.as_mapping()["allowed_formats"] == DEFAULT_SETTINGS["allowed_formats"]


def test_items_option_restricts_the_plan():
    assert plan_for("store", items=["1-1", "3-4"]).items == ("1-1", "3-4")
    with pytest.raises(ConfigError):
        plan_for("store", items=["9-9"])


@pytest.mark.parametrize("section", [
    {"alowed_formats": []},
    {"plans": {"stroe": {}}},
    {"plans": {"store": {"itms": []}}},
    {"plans": {"store": {"blocking": {"passed": "all"}}}},
    {"plans": {"store": {"blocking": {"failed": "some"}}}},
    {"plans": {"store": {"items": "1-1"}}},
])
def test_bad_sections_are_refused(section):
    with pytest.raises(ConfigError):
        plan_for("store", settings=parse_settings(section))


@given(st.text(min_size=1, max_size=20).filter(lambda k: k not in DEFAULT_SETTINGS and k != "plans"))
def test_any_unknown_key_is_refused(key):
    with pytest.raises(ConfigError):
        parse_settings({key: 1})
