"""Docs are tested: every command documented, the code table current, the two commands present."""
from __future__ import annotations

from pathlib import Path

import click

import cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix}{name} ")
        else:
            out.append(prefix + name)
    return out


def test_every_command_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [c for c in _commands(cli.main) if f"### `{c}" not in text]
    assert missing == []


def test_finding_codes_doc_is_current():
    current = (ROOT / "docs" / "finding-codes.md").read_text(encoding="utf-8")
    assert current == cli.codes_markdown(), "run: casearchive codes --markdown > docs/finding-codes.md"


def test_every_code_has_both_languages_and_a_clause():
    for code in cli.load_all_codes():
        assert code.en and code.zh and code.clause, code.code


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
