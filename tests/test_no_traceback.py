"""Every CLI command over the hostile-input corpus: a coded answer and an exit code, never a traceback.

Issue #7 guard: library logging (pyHanko, pypdf, Pillow …) and program errors must never reach the
terminal as tracebacks; bad input is a finding (exit 1), a usage error (2) or an environment error (3).
Each command runs as a real subprocess, in both languages.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import bagit
import pytest

from helpers import run_cli, scan_with_test_db
from hostile_corpus import CASES

sys.path.insert(0, str(Path(__file__).parent / "checks"))
import content_fixtures as cfx  # noqa: E402

NS = "{urn:casearchive:casefile:1}"


def _clean(res, args) -> None:  # type: ignore[no-untyped-def]
    text = res.stdout + res.stderr
    assert "Traceback" not in text, f"{args}:\n{text[-3000:]}"
    assert res.returncode in (0, 1, 2, 3), (args, res.returncode, res.stderr[-2000:])


def _run(root: Path, *args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    res = run_cli("--root", str(root), "--lang", lang, *args)
    _clean(res, args)
    return res


def _with_untrusted_signed_pdf(sip: Path) -> Path:
    """Replace one born-digital PDF by the same PDF signed with a certificate nobody trusts."""
    from lxml import etree

    xml_path = sip / "data" / "metadata" / "casefile.xml"
    tree = etree.parse(str(xml_path))
    for doc in tree.iter(f"{NS}document"):
        rel = doc.findtext(f"{NS}path")
        if rel and rel.endswith(".pdf"):
            target = sip / "data" / rel
            signed = cfx.sign_pdf(target.read_bytes(), cfx.make_signer("伪造的签名证书"))
            target.write_bytes(signed)
            doc.find(f"{NS}size").text = str(len(signed))  # type: ignore[union-attr]
            doc.find(f"{NS}digest").text = hashlib.sha256(signed).hexdigest()  # type: ignore[union-attr]
            break
    tree.write(str(xml_path), xml_declaration=True, encoding="UTF-8")
    bagit.Bag(str(sip)).save(manifests=True)
    return sip


@pytest.fixture(scope="module")
def damaged_archive(tmp_path_factory: pytest.TempPathFactory, sample_sips: list[Path]) -> tuple[Path, str, str]:
    """An archive holding two AIPs, one of whose copies has been tampered with in three ways."""
    tmp = tmp_path_factory.mktemp("notb")
    root = tmp / "archive"
    assert run_cli("--root", str(root), "init").returncode == 0
    scan_with_test_db(root)  # [checks] virus_scan = "required": the test signatures
    signed = tmp / "push" / sample_sips[1].name
    shutil.copytree(sample_sips[1], signed)
    _with_untrusted_signed_pdf(signed)
    res = run_cli("--root", str(root), "ingest", "--json", str(sample_sips[0]), str(signed))
    _clean(res, ("ingest",))
    outcomes = json.loads(res.stdout)
    archived = [o for o in outcomes if o["status"] == "archived"]
    assert archived, res.stdout
    aip_id, number = archived[0]["aip_id"], archived[0]["archive_number"]
    replica = sorted(p for p in root.rglob(aip_id) if p.is_dir())[-1]
    payload = sorted(p for p in (replica / "data").rglob("*") if p.is_file())[0]
    raw = bytearray(payload.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    payload.write_bytes(bytes(raw))
    (replica / "preservation" / "injected.json").write_text("{}", encoding="utf-8")
    return root, aip_id, number


COMMANDS: list[tuple[str, ...]] = [
    ("list",), ("list", "--case-number", "（2023）不存在"), ("list", "--year", "0"), ("show", "nosuch"),
    ("show", "{number}"), ("show", "{aip}", "--json"), ("verify", "--all"), ("verify", "nosuch"),
    ("verify", "--all", "--algorithm", "all", "--json"), ("check", "--all", "--stage", "store"),
    ("check", "nosuch", "--stage", "store"), ("check", "--all", "--items", "NOSUCH-9-9"),
    ("attest", "NOSUCH-1", "nosuch"), ("repair", "nosuch"), ("repair", "{aip}"), ("repair", "{aip}", "--yes"),
    ("catalog", "rebuild"), ("catalog", "rebuild", "--json"), ("audit", "run"), ("audit", "status"),
    ("log", "verify"), ("log", "show"), ("log", "show", "--aip", "nosuch"), ("log", "checkpoint"),
    ("storage", "list"), ("storage", "status"), ("storage", "add", "x", "/dev/null/x"), ("storage", "replicate"),
    ("restore-test",), ("alerts", "summary"), ("codes",), ("serve", "--stop-after", "1"),
    ("validate", "/nonexistent/package"), ("ingest", "/nonexistent/package"), ("check", "--sip", "/nonexistent"),
    ("sample-sip", "/dev/null/out"),
]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_command_answers_without_a_traceback(damaged_archive, lang):
    root, aip_id, number = damaged_archive
    for args in COMMANDS:
        _run(root, *(a.format(aip=aip_id, number=number) for a in args), lang=lang)


@pytest.mark.parametrize("name,make,code", CASES, ids=[c[0] for c in CASES])
def test_hostile_package_through_every_reading_command(damaged_archive, sip, tmp_path, name, make, code):
    root = damaged_archive[0]
    package = make(sip, tmp_path)
    for args in (("validate", "--level", "bag"), ("validate", "--level", "sip"), ("check", "--stage", "receive",
                                                                                     "--sip"), ("ingest",)):
        res = _run(root, *args, str(package), lang="zh-CN" if name[0] < "m" else "en")
        if args[0] in ("validate", "ingest") and (args[-1] == "sip" or args[0] == "ingest"):
            assert res.returncode == 1, (name, args, res.stdout[-2000:], res.stderr[-2000:])
            assert re.search("|".join(code.split("|")), res.stdout + res.stderr), (name, args)


def test_environment_faults_are_one_line_errors(tmp_path):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    for args in (("--root", str(not_a_dir), "list"), ("--root", str(not_a_dir), "init"),
                 ("--root", str(tmp_path / "none"), "verify", "--all")):
        res = run_cli(*args)
        _clean(res, args)
        assert res.returncode == 3, (args, res.stderr)
    bad = tmp_path / "bad"
    assert run_cli("--root", str(bad), "init").returncode == 0
    (bad / "casearchive.toml").write_text("[storage\nnot toml", encoding="utf-8")
    res = run_cli("--root", str(bad), "list")
    _clean(res, ("bad toml",))
    assert res.returncode == 3
