"""The registry of the 45 DA/T 70-2018 check items (data: schemas/check-items.json).

Each :class:`CheckItem` says what the standard asks (name, purpose, object,
method — clause 5 tables), which stages use it (Appendix A, table A.1) and how
this system covers it: ``auto`` (a function decides), ``environment`` (a probe
of the host) or ``manual`` (a person attests).  Functions are named by dotted
path and resolved lazily, so a module that is missing or incomplete never
breaks loading: the engine reports such an item as ``indeterminate``.
"""
from __future__ import annotations

import builtins

import functools
import importlib
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterator, Mapping

from checks.api import CheckFunction, Property

STAGE_PREFIXES = ("GD", "YJ", "BC")  # 归档 / 移交与接收 / 长期保存 (DA/T 70 clause 4)
KINDS = ("auto", "environment", "manual")
ITEM_COUNT = 45  # DA/T 70 clause 6


class RegistryError(ValueError):
    """schemas/check-items.json is malformed: a packaging bug, not user input."""


@dataclass(frozen=True)
class Text:
    """One text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if str(lang).startswith("zh") else self.en


@dataclass(frozen=True)
class CheckItem:
    """One DA/T 70 item (number without stage prefix, e.g. ``1-14``)."""

    number: str
    property: Property
    stages: tuple[str, ...]
    name: Text
    purpose: Text
    object: Text
    method: Text
    kind: str
    function: str | None
    coverage: str

    def item_id(self, prefix: str) -> str:
        """``GD-1-14`` when the stage uses the item, else the bare number."""
        return f"{prefix}-{self.number}" if prefix in self.stages else self.number

    @builtins.property
    def sort_key(self) -> tuple[int, int]:
        group, n = self.number.split("-")
        return int(group), int(n)


class NotImplementedCheck(LookupError):
    """The item's function cannot be imported (yet)."""


@functools.cache
def resolve(dotted: str) -> CheckFunction:
    """``package.module:function`` → the callable; NotImplementedCheck when absent."""
    module_name, _, attr = dotted.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise NotImplementedCheck(f"module {module_name} not found ({exc.name})") from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise NotImplementedCheck(f"{module_name} has no function {attr}")
    return function  # type: ignore[no-any-return]


def is_implemented(item: CheckItem) -> bool:
    if item.function is None:
        return False
    try:
        resolve(item.function)
    except NotImplementedCheck:
        return False
    except Exception:  # noqa: BLE001 — a module that fails to import is not implemented either
        return False
    return True


class Registry:
    """All items, in the standard's order."""

    def __init__(self, items: tuple[CheckItem, ...]):
        self.items = tuple(sorted(items, key=lambda i: i.sort_key))
        self._by_number = {i.number: i for i in self.items}

    def __iter__(self) -> Iterator[CheckItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def item(self, number: str) -> CheckItem:
        """By number (``1-1``) or prefixed id (``GD-1-1``); KeyError if unknown."""
        bare = number.split("-", 1)[1] if number[:2] in STAGE_PREFIXES else number
        return self._by_number[bare]

    def for_stage(self, prefix: str) -> tuple[CheckItem, ...]:
        """The items DA/T 70 Appendix A assigns to ``GD``, ``YJ`` or ``BC``."""
        if prefix not in STAGE_PREFIXES:
            raise KeyError(prefix)
        return tuple(i for i in self.items if prefix in i.stages)


def _text(data: Mapping[str, Any], key: str) -> Text:
    value = data[key]
    return Text(value["zh-CN"], value["en"])


def _item(data: Mapping[str, Any]) -> CheckItem:
    try:
        item = CheckItem(
            number=data["number"], property=Property(data["property"]), stages=tuple(data["stages"]),
            name=_text(data, "name"), purpose=_text(data, "purpose"), object=_text(data, "object"),
            method=_text(data, "method"), kind=data["kind"], function=data.get("function"),
            coverage=data.get("coverage", ""))
    except (KeyError, ValueError, TypeError) as exc:
        raise RegistryError(f"check item {data.get('number')!r}: {exc!r}") from None
    if item.kind not in KINDS or not set(item.stages) <= set(STAGE_PREFIXES) or not item.stages:
        raise RegistryError(f"check item {item.number}: bad kind or stages")
    if (item.kind == "manual") != (item.function is None):
        raise RegistryError(f"check item {item.number}: manual items have no function, others need one")
    return item


@functools.cache
def load_registry() -> Registry:
    """The registry from schemas/check-items.json (read once per process)."""
    raw = resources.files("schemas").joinpath("check-items.json").read_text(encoding="utf-8")
    items = tuple(_item(d) for d in json.loads(raw)["items"])
    if len({i.number for i in items}) != len(items):
        raise RegistryError("duplicate item numbers in check-items.json")
    return Registry(items)
