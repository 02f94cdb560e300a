"""schemas/field-spec.json loads, is refused when malformed, and classifies special characters."""
from __future__ import annotations

import json
from importlib import resources

import pytest
from hypothesis import given

from checks.fieldspec import (FieldSpecError, all_values, classify_character, load_field_spec, parse_field_spec,
                              policy_from_settings, special_characters)
from factories import casefiles_strategy, make_casefile
from metadata.model import CaseFile, Document


def _shipped() -> dict:  # type: ignore[type-arg]
    return json.loads(resources.files("schemas").joinpath("field-spec.json").read_text(encoding="utf-8"))


def test_shipped_spec_covers_every_model_field() -> None:
    spec = load_field_spec()
    names = {(f.level, f.name.split(".")[0]) for f in spec.fields}
    skipped = {("case", "parties"), ("case", "documents")}  # lists: rules.lists
    for level, cls in (("case", CaseFile), ("document", Document)):
        for field in cls.__dataclass_fields__:
            assert (level, field) in names or (level, field) in skipped, field


@pytest.mark.parametrize("change, message", [
    (lambda d: d["fields"][0].update(colour="red"), "unknown key"),
    (lambda d: d["fields"][0].update(type="blob"), "bad type"),
    (lambda d: d["fields"][0].update(vocabulary={"enum": "Nope"}), "not an enum"),
    (lambda d: d["fields"][0].update(pattern="("), "bad pattern"),
    (lambda d: d.update(fields=[]), "non-empty"),
    (lambda d: d["special_characters"].update(policy="none"), "policy"),
    (lambda d: d["fields"].append(dict(d["fields"][0])), "twice"),
])
def test_malformed_spec_is_refused(change, message) -> None:  # type: ignore[no-untyped-def]
    data = _shipped()
    change(data)
    with pytest.raises(FieldSpecError, match=message):
        parse_field_spec(data)


def test_values_have_xpaths() -> None:
    paths = {fv.xpath for fv in all_values(make_casefile(), load_field_spec())}
    assert {"/caseFile/caseNumber", "/caseFile/panel/member[2]", "/caseFile/parties/party[1]/@role",
            "/caseFile/documents/document[5]/digest/@algorithm"} <= paths


@pytest.mark.parametrize("char, reason", [
    ("★", "listed"), ("\u200b", "control"), ("\x07", "control"), ("\ue000", "private-use"),
    ("①", "gb18030-symbol"), ("α", "gb18030-symbol"), ("😀", "symbol"),
    ("（", None), ("〇", None), ("《", None), ("Ａ", None), ("A", None), ("案", None), ("𠀀", None), ("\n", None)])
def test_classify_default_policy(char: str, reason: str | None) -> None:
    assert classify_character(char, load_field_spec().special) == reason


def test_own_list_policy_from_settings() -> None:
    policy = policy_from_settings(load_field_spec().special, "#@")
    assert [c.char for c in special_characters("①#案@", policy)] == ["#", "@"]
    table = policy_from_settings(load_field_spec().special, {"allowed": "①"})
    assert special_characters("①", table) == []
    with pytest.raises(FieldSpecError):
        policy_from_settings(load_field_spec().special, {"colour": 1})


@given(casefiles_strategy())
def test_values_of_any_casefile(cf: CaseFile) -> None:
    spec = load_field_spec()
    for fv in all_values(cf, spec):
        assert fv.xpath.startswith("/caseFile")
        if isinstance(fv.value, str) and fv.spec.special_characters:
            special_characters(fv.value, spec.special)  # never raises
