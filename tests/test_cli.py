"""The CLI contract: exit codes, --json everywhere, both languages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_cli, scan_with_test_db


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "arc"
    done = run_cli("--root", str(root), "init", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["root"] == str(root)
    scan_with_test_db(root)
    return root


def test_usage_error_exits_2():
    assert run_cli("ingest").returncode == 2
    assert run_cli("no-such-command").returncode == 2
    assert run_cli("verify").returncode == 2  # neither AIPs nor --all


def test_environment_error_exits_3(tmp_path):
    res = run_cli("--root", str(tmp_path / "nowhere"), "list")
    assert res.returncode == 3
    assert "casearchive init" in res.stderr
    assert "Traceback" not in res.stderr


def test_init_twice_is_refused(root):
    res = run_cli("--root", str(root), "init")
    assert res.returncode == 3 and "already" in res.stderr


def test_ingest_list_show_verify_json(root, sip):
    res = run_cli("--root", str(root), "ingest", "--json", str(sip))
    assert res.returncode == 0, res.stdout + res.stderr
    outcome = json.loads(res.stdout)[0]
    assert outcome["status"] == "archived"
    listed = json.loads(run_cli("--root", str(root), "list", "--json").stdout)
    assert [r["archive_number"] for r in listed] == [outcome["archive_number"]]
    year = listed[0]["year"]
    assert json.loads(run_cli("--root", str(root), "list", "--json", "--year", str(year + 1)).stdout) == []
    shown = json.loads(run_cli("--root", str(root), "show", "--json", outcome["archive_number"]).stdout)
    assert shown["case_number"] == outcome["case_number"]
    assert any(e["type"] == "aip.ingest" for e in shown["events"])
    verified = run_cli("--root", str(root), "verify", "--json", "--all", "--algorithm", "all")
    assert verified.returncode == 0
    assert json.loads(verified.stdout)["ok"] is True
    log = json.loads(run_cli("--root", str(root), "log", "verify", "--json").stdout)
    assert log["ok"] is True and log["events"] >= 3


def test_refusal_exits_1_and_speaks_chinese(root, sip):
    (sip / "data" / "documents" / "unlisted.pdf").write_bytes(b"%PDF-1.4\n")
    res = run_cli("--root", str(root), "--lang", "zh-CN", "ingest", str(sip))
    assert res.returncode == 1
    assert "拒收" in res.stdout
    res_json = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    assert res_json["status"] == "refused"
    assert all("message_zh-CN" in f and "message_en" in f for f in res_json["findings"])


def test_verify_detects_damage_exit_1(root, sip):
    outcome = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    aip_dir = next((root / "storage" / "replica" / "aips").glob(f"*/{outcome['aip_id']}"))
    doc = sorted((aip_dir / "data" / "documents").iterdir())[0]
    raw = bytearray(doc.read_bytes())
    raw[-1] ^= 0x01
    doc.chmod(0o644)
    doc.write_bytes(bytes(raw))
    res = run_cli("--root", str(root), "verify", "--json", outcome["archive_number"])
    assert res.returncode == 1
    data = json.loads(res.stdout)
    bad = [c for c in data["copies"] if not c["ok"]]
    assert [c["location"] for c in bad] == ["replica"]
    assert "VER-DIGEST-MISMATCH" in {f["code"] for f in bad[0]["findings"]}


def test_validate_stores_nothing(tmp_path, sip):
    before = sorted(p.name for p in tmp_path.rglob("*"))
    res = run_cli("validate", "--json", str(sip))
    assert res.returncode == 0, res.stdout
    assert json.loads(res.stdout)[0]["ok"] is True
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    bag_level = run_cli("validate", "--level", "bag", str(sip))
    assert bag_level.returncode == 0


def test_sample_sip_is_deterministic(tmp_path):
    a = run_cli("sample-sip", str(tmp_path / "a"), "--count", "2", "--seed", "5", "--json")
    b = run_cli("sample-sip", str(tmp_path / "b"), "--count", "2", "--seed", "5", "--json")
    assert a.returncode == b.returncode == 0
    names_a = [Path(p).name for p in json.loads(a.stdout)]
    assert names_a == [Path(p).name for p in json.loads(b.stdout)]
    for name in names_a:
        fa = sorted((tmp_path / "a" / name).rglob("*"))
        fb = sorted((tmp_path / "b" / name).rglob("*"))
        assert [p.read_bytes() for p in fa if p.is_file()] == [p.read_bytes() for p in fb if p.is_file()]


def test_demo_runs_end_to_end(tmp_path):
    res = run_cli("--root", str(tmp_path / "demo"), "demo", "--count", "2", "--json")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    data = json.loads(res.stdout)
    assert data["ok"] and data["counts"] == {"archived": 2, "duplicate": 1, "refused": 1}
    again = run_cli("--root", str(tmp_path / "demo"), "demo", "--count", "1")
    assert again.returncode == 0, "a second demo run replaces the first"
    other = tmp_path / "not-a-demo"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    refused = run_cli("--root", str(other), "demo")
    assert refused.returncode == 3 and (other / "precious.txt").exists()


def test_language_defaults_to_the_locale(tmp_path):
    env = {"CASEARCHIVE_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
    res = run_cli("--root", str(tmp_path / "none"), "list", env=env)
    assert res.returncode == 3 and "错误" in res.stderr
    env["LANG"] = "en_US.UTF-8"
    assert "error" in run_cli("--root", str(tmp_path / "none"), "list", env=env).stderr


def test_init_with_own_pkcs12(tmp_path, now):
    from cryptography.hazmat.primitives.serialization import pkcs12, BestAvailableEncryption

    from fixity.keys import generate_identity, load_signer

    paths = generate_identity(tmp_path / "mine", "某法院归档", "某法院", passphrase=None, now=now)
    signer = load_signer(paths, None)
    p12 = tmp_path / "mine.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"me", signer.private_key, signer.certificate, None,
                                                          BestAvailableEncryption(b"pw")))
    root = tmp_path / "arc"
    res = run_cli("--root", str(root), "init", "--pkcs12", str(p12), env={"CASEARCHIVE_KEY_PASSPHRASE": "pw"})
    assert res.returncode == 0, res.stderr
    scan_with_test_db(root)
    cert = (root / "keys" / "signing-cert.pem").read_bytes()
    from cryptography import x509

    assert x509.load_pem_x509_certificate(cert) == signer.certificate
    assert oct((root / "keys" / "signing-key.pem").stat().st_mode & 0o777) == "0o600"
    # the key is kept encrypted: without the passphrase the archive cannot sign
    listed = run_cli("--root", str(root), "list")
    assert listed.returncode == 0
    sip_dir = tmp_path / "sips"
    from samples import generate_sips

    pkg = generate_sips(sip_dir, count=1, seed=3)[0]
    no_pass = run_cli("--root", str(root), "ingest", str(pkg), env={"CASEARCHIVE_KEY_PASSPHRASE": ""})
    assert no_pass.returncode == 3 and "signing key" in no_pass.stderr
    assert json.loads(run_cli("--root", str(root), "list", "--json").stdout) == []
    ok = run_cli("--root", str(root), "ingest", str(pkg), env={"CASEARCHIVE_KEY_PASSPHRASE": "pw"})
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_check_reports_in_both_languages_and_attest(root, sip, tmp_path):
    outcome = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    assert outcome["status"] == "archived"
    for lang in ("zh-CN", "en"):
        out = tmp_path / f"report.{lang}.html"
        res = run_cli("--root", str(root), "--lang", lang, "check", "--all", "--stage", "store",
                      "--format", "html", "--out", str(out))
        assert res.returncode in (0, 1), res.stderr
        html = out.read_text(encoding="utf-8")
        assert ("检测结论" if lang == "zh-CN" else "Bottom line") in html
        assert "BC-1-1" in html and "BC-4-9" in html
    data = json.loads(run_cli("--root", str(root), "check", "--json", outcome["archive_number"], "--items", "1-1,2-1").stdout)
    items = [o["item_id"] for r in data["reports"] for o in r["items"]]
    assert items == ["BC-1-1", "BC-2-1"]
    assert all(o["status"] == "passed" for r in data["reports"] for o in r["items"])
    attested = run_cli("--root", str(root), "attest", "4-5", "--aip", outcome["archive_number"], "--by", "张三 档案员",
                       "--note", "光盘外观完好", "--json")
    assert attested.returncode == 0, attested.stderr
    after = json.loads(run_cli("--root", str(root), "check", "--json", outcome["archive_number"], "--items", "4-5").stdout)
    item = after["reports"][0]["items"][0]
    assert item["attestation"] and item["attestation"]["by"] == "张三 档案员"
    assert run_cli("--root", str(root), "attest", "1-1", "--aip", outcome["archive_number"], "--by", "x",
                   "--note", "y").returncode == 2, "automated items cannot be attested"
    assert run_cli("--root", str(root), "log", "verify").returncode == 0


def test_check_detects_damage_in_a_copy(root, sip):
    outcome = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    aip_dir = next((root / "storage" / "primary" / "aips").glob(f"*/{outcome['aip_id']}"))
    doc = sorted((aip_dir / "data" / "documents").iterdir())[0]
    doc.chmod(0o644)
    doc.write_bytes(doc.read_bytes()[:100])
    res = run_cli("--root", str(root), "check", "--json", outcome["archive_number"], "--items", "1-1,2-2,3-4")
    assert res.returncode == 1
    statuses = {o["item_id"]: o["status"] for o in json.loads(res.stdout)["reports"][0]["items"]}
    assert statuses["BC-1-1"] == "failed" and statuses["BC-2-2"] == "failed" and statuses["BC-3-4"] == "failed"


def test_check_a_sip_before_pushing(sip):
    res = run_cli("check", "--sip", str(sip), "--json")
    assert res.returncode in (0, 1), res.stderr
    data = json.loads(res.stdout)
    assert data["plan"]["stage"] == "receive"
    assert {o["item_id"][:3] for o in data["items"]} == {"GD-"}


def test_repair_rebuild_and_checkpoint_commands(root, sip):
    outcome = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    number = outcome["archive_number"]
    assert run_cli("--root", str(root), "log", "checkpoint", "--json").returncode == 0
    aip_dir = next((root / "storage" / "replica" / "aips").glob(f"*/{outcome['aip_id']}"))
    doc = sorted((aip_dir / "data" / "documents").iterdir())[0]
    doc.chmod(0o644)
    doc.write_bytes(b"\x00" + doc.read_bytes()[1:])
    plan = run_cli("--root", str(root), "repair", number, "--json")
    assert plan.returncode == 1 and json.loads(plan.stdout)["outcome"] == "planned"
    done = run_cli("--root", str(root), "repair", number, "--yes", "--json")
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout)["outcome"] == "repaired"
    assert run_cli("--root", str(root), "verify", "--all").returncode == 0
    assert any((root / "storage" / "replica" / ".damaged").iterdir()), "evidence is kept"
    rebuilt = run_cli("--root", str(root), "catalog", "rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert run_cli("--root", str(root), "log", "verify").returncode == 0


def test_audit_storage_restore_and_serve_commands(root, sip):
    outcome = json.loads(run_cli("--root", str(root), "ingest", "--json", str(sip)).stdout)[0]
    status = json.loads(run_cli("--root", str(root), "audit", "status", "--json").stdout)
    assert status["copies"] == 2 and status["failing"] == 0
    forced = run_cli("--root", str(root), "audit", "run", "--force", "--json")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert json.loads(forced.stdout)["copies_checked"] == 2
    sample = run_cli("--root", str(root), "audit", "run", "--kind", "sample", "--json")
    assert sample.returncode in (0, 1), sample.stderr
    assert json.loads(sample.stdout)["copies_checked"] >= 2
    listing = json.loads(run_cli("--root", str(root), "storage", "list", "--json").stdout)
    assert [loc["name"] for loc in listing["locations"]] == ["primary", "replica"]
    assert run_cli("--root", str(root), "storage", "status", "--json").returncode == 0
    third = root.parent / "third"
    added = run_cli("--root", str(root), "storage", "add", "offsite", str(third), "--json")
    assert added.returncode == 0, added.stderr
    replicated = run_cli("--root", str(root), "storage", "replicate", "--json")
    assert replicated.returncode == 0, replicated.stdout + replicated.stderr
    assert list(third.glob(f"aips/*/{outcome['aip_id']}/bagit.txt"))
    restored = run_cli("--root", str(root), "restore-test", "--json")
    assert restored.returncode == 0, restored.stdout
    served = run_cli("--root", str(root), "serve", "--stop-after", "2", "--json")
    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout)["jobs"]
    assert run_cli("--root", str(root), "alerts", "summary", "--json").returncode == 0
    assert run_cli("--root", str(root), "log", "verify").returncode == 0
