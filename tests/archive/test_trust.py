"""Trust is pinned: only the archive's configured certificates make a signature count.

The attack (issue #7 item 2): edit a payload file, recompute the manifests and tag
manifests, re-sign them with a fresh self-signed key whose certificate carries the
genuine subject DN, and (optionally) update the catalogue's tag-manifest digest.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from archive.archive import Archive
from archive.checkpoints import aip_leaf, make_checkpoint, verify_log_full
from archive.rebuild import rebuild_catalogue
from archive.verify import verify_stored
from fixity.chain import canonical_json, merkle_root
from fixity.signing import Signer
from helpers import open_copy, run_cli
from ingest.pipeline import ingest_package

PAYLOAD_ALGS = ("sha256", "sm3")


def impostor(genuine: x509.Certificate, now: datetime) -> Signer:
    """A fresh key with a self-signed certificate that copies the genuine subject DN and extensions."""
    key = ec.generate_private_key(ec.SECP256R1())
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (x509.CertificateBuilder().subject_name(genuine.subject).issuer_name(genuine.subject)
               .public_key(key.public_key()).serial_number(genuine.serial_number)
               .not_valid_before(now - timedelta(days=365)).not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(genuine.extensions.get_extension_for_class(x509.KeyUsage).value, critical=True)
               .add_extension(ski, critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False))
    return Signer(builder.sign(key, hashes.SHA256()), key)


def _manifest(entries: dict[str, str]) -> bytes:
    return "".join(f"{digest}  {rel}\n" for rel, digest in sorted(entries.items())).encode("utf-8")


def _entries(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        out[rel] = digest
    return out


def forge_copy(aip_dir: Path, signer: Signer, now: datetime) -> str:
    """Edit a document, reseal the bag and re-sign it; returns the new tag-manifest SHA-256."""
    target = sorted((aip_dir / "data" / "documents").iterdir())[0]
    body = bytearray(target.read_bytes())
    body[-1] ^= 0xFF  # same size, so Payload-Oxum still holds
    target.write_bytes(bytes(body))
    rel = target.relative_to(aip_dir).as_posix()
    for alg in PAYLOAD_ALGS:
        path = aip_dir / f"manifest-{alg}.txt"
        entries = _entries(path.read_bytes())
        entries[rel] = hashlib.new(alg, bytes(body)).hexdigest()
        path.write_bytes(_manifest(entries))
    (aip_dir / "preservation" / "signer.pem").write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    for alg in PAYLOAD_ALGS:
        path = aip_dir / f"tagmanifest-{alg}.txt"
        entries = {r: hashlib.new(alg, (aip_dir / r).read_bytes()).hexdigest() for r in _entries(path.read_bytes())}
        path.write_bytes(_manifest(entries))
        (aip_dir / f"tagmanifest-{alg}.txt.p7s").write_bytes(signer.sign_detached(path.read_bytes(), signing_time=now))
    return hashlib.sha256((aip_dir / "tagmanifest-sha256.txt").read_bytes()).hexdigest()


def forge_everywhere(archive: Archive, aip_id: str, now: datetime) -> str:
    """The same forgery in every location (so the copies agree)."""
    signer = impostor(archive.signer.certificate, now)
    primary = archive.primary.aip_path(aip_id)
    digest = forge_copy(primary, signer, now)
    for loc in archive.locations[1:]:
        shutil.rmtree(loc.aip_path(aip_id))
        shutil.copytree(primary, loc.aip_path(aip_id))
    return digest


def _db(archive: Archive) -> sqlite3.Connection:
    return sqlite3.connect(archive.config.root / "catalogue.sqlite")


def _catalogue_digest(archive: Archive, aip_id: str) -> str:
    with _db(archive) as con:
        return str(con.execute("SELECT tagmanifest_sha256 FROM aip WHERE id = ?", (aip_id,)).fetchone()[0])


@pytest.fixture
def arc(ingested_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    archive = open_copy(ingested_template, tmp_path)
    yield archive
    archive.close()


def _first(archive: Archive) -> str:
    with _db(archive) as con:
        return str(con.execute("SELECT id FROM aip ORDER BY id").fetchone()[0])


def test_resealed_and_resigned_aip_with_catalogue_update_fails_verify(arc: Archive, now: datetime) -> None:
    aip_id = _first(arc)
    digest = forge_everywhere(arc, aip_id, now)
    with _db(arc) as con:
        con.execute("UPDATE aip SET tagmanifest_sha256 = ? WHERE id = ?", (digest, aip_id))
    done = run_cli("--root", str(arc.config.root), "verify", "--all", "--algorithm", "all", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    forged = [v for v in report["copies"] if v["aip_id"] == aip_id]
    assert len(forged) == len(arc.locations) and not any(v["ok"] for v in forged)
    for verdict in forged:
        codes = {(f["code"], f["location"]) for f in verdict["findings"]}
        assert ("VER-SIGNATURE-UNTRUSTED", "tagmanifest-sha256.txt") in codes
        assert ("VER-SIGNATURE-UNTRUSTED", "tagmanifest-sm3.txt") in codes
        assert {f["severity"] for f in verdict["findings"] if f["code"] == "VER-SIGNATURE-UNTRUSTED"} == {"error"}
    others = [v for v in report["copies"] if v["aip_id"] != aip_id]
    assert others and all(v["ok"] for v in others)


def test_audit_shares_the_pinned_verdict(arc: Archive, now: datetime) -> None:
    aip_id = _first(arc)
    forge_everywhere(arc, aip_id, now)
    verdict = verify_stored(arc, arc.primary.aip_path(aip_id), aip_id=aip_id, location=arc.primary.name,
                            algorithms=("sha256",), now=now, expected_tagmanifest_sha256=None)
    assert not verdict.ok
    assert "VER-SIGNATURE-UNTRUSTED" in {f.code for f in verdict.findings}


def test_resigned_checkpoint_fails_log_verify(archive: Archive, sample_sips: list[Path], now: datetime) -> None:
    ids = [str(ingest_package(archive, sip, now=now).aip_id) for sip in sample_sips[:2]]
    make_checkpoint(archive, now)
    assert verify_log_full(archive, now).ok
    digest = forge_everywhere(archive, ids[0], now)
    with _db(archive) as con:
        con.execute("UPDATE aip SET tagmanifest_sha256 = ? WHERE id = ?", (digest, ids[0]))
        rows = con.execute("SELECT id, tagmanifest_sha256 FROM aip ORDER BY id").fetchall()
    # The forger also rewrites the checkpoint to the forged AIP set and re-signs it.
    cp = archive.config.root / "log" / "checkpoints" / "00000001.json"
    body = json.loads(cp.read_bytes())
    body["aips"]["merkle_root"] = merkle_root([aip_leaf(i, tm) for i, tm in rows])
    data = canonical_json(body)
    cp.write_bytes(data)
    signer = impostor(archive.signer.certificate, now)
    cp.with_name(cp.name + ".p7s").write_bytes(signer.sign_detached(data, signing_time=now))
    with _db(archive) as con:
        con.execute("UPDATE checkpoint SET aips_root = ?, body_sha256 = ? WHERE seq = 1",
                    (body["aips"]["merkle_root"], hashlib.sha256(data).hexdigest()))
    result = verify_log_full(archive, now)
    errors = {f.code for f in result.findings if f.level.value == "error"}
    assert errors == {"CKP-SIGNATURE-UNTRUSTED"}, result.to_dict()
    done = run_cli("--root", str(archive.config.root), "log", "verify")
    assert done.returncode == 1, done.stdout + done.stderr


def test_rebuild_does_not_adopt_a_forged_digest(arc: Archive, now: datetime) -> None:
    aip_id = _first(arc)
    genuine = _catalogue_digest(arc, aip_id)
    forge_everywhere(arc, aip_id, now)
    done = run_cli("--root", str(arc.config.root), "catalog", "rebuild", "--apply", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    rejected = [f for f in report["findings"] if f["code"] == "RBD-AIP-UNVERIFIED"]
    assert [f["location"] for f in rejected] == [aip_id] and rejected[0]["severity"] == "error"
    assert _catalogue_digest(arc, aip_id) == genuine
    done = run_cli("--root", str(arc.config.root), "verify", aip_id)
    assert done.returncode == 1, done.stdout + done.stderr


def test_rebuild_report_without_apply_keeps_rejected_aip_out(arc: Archive, now: datetime) -> None:
    aip_id = _first(arc)
    forge_everywhere(arc, aip_id, now)
    report = rebuild_catalogue(arc, now)
    assert not report.ok
    assert [f.location for f in report.findings if f.code == "RBD-AIP-UNVERIFIED"] == [aip_id]
    assert not any(f.location.startswith(aip_id) and f.code == "RBD-FIELD-DIFFERS" for f in report.differences)


def _tsa_helpers():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location("tsa_helpers_trust", Path(__file__).with_name("test_timestamp.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_timestamp_from_an_unconfigured_tsa_fails_log_verify(archive: Archive, sample_sips: list[Path],
                                                             now: datetime) -> None:
    helpers = _tsa_helpers()
    genuine_root = helpers.make_tsa_identity()[2]
    (archive.config.root / "tsa-root.pem").write_bytes(genuine_root.public_bytes(serialization.Encoding.PEM))
    forger_tsa = helpers.LoopbackTSA(*helpers.make_tsa_identity())  # a TSA of the forger's own
    try:
        with open(archive.config.root / "casearchive.toml", "a", encoding="utf-8") as fh:
            fh.write(f'\n[checkpoints]\ntsa_url = "{forger_tsa.url}"\ntsa_trusted = ["tsa-root.pem"]\n')
        arc = Archive.open(archive.config.root)
        try:
            ingest_package(arc, sample_sips[0], now=now)
            cp = make_checkpoint(arc, now)
            assert (arc.config.root / (cp.path + ".tsr")).exists()
            result = verify_log_full(arc, now)
            assert not result.ok
            assert "CKP-TSA-UNTRUSTED" in {f.code for f in result.findings if f.level.value == "error"}
        finally:
            arc.close()
    finally:
        forger_tsa.close()


# ---------------------------------------------------------------- key rotation

def _signer_of(archive: Archive, aip_id: str) -> bytes:
    return (archive.primary.aip_path(aip_id) / "preservation" / "signer.pem").read_bytes()


def test_key_rotation_keeps_old_aips_verifiable_and_removing_the_anchor_fails_them(
        archive: Archive, sample_sips: list[Path], now: datetime) -> None:
    root = archive.config.root
    old_aip = str(ingest_package(archive, sample_sips[0], now=now).aip_id)
    make_checkpoint(archive, now)
    old_cert = archive.signer.certificate
    archive.close()
    done = run_cli("--root", str(root), "key", "rotate", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    rotation = json.loads(done.stdout)
    assert rotation["old_fingerprint"] != rotation["new_fingerprint"]
    assert (root / rotation["retired_cert"]).is_file() and (root / rotation["retired_key"]).stat().st_mode & 0o077 == 0
    arc = Archive.open(root)
    try:
        assert arc.signer.certificate != old_cert and arc.signer.certificate.subject == old_cert.subject
        assert rotation["retired_cert"] in (root / "casearchive.toml").read_text(encoding="utf-8")
        new_aip = str(ingest_package(arc, sample_sips[1], now=now).aip_id)
        assert _signer_of(arc, new_aip) == arc.signer.certificate.public_bytes(serialization.Encoding.PEM)
        assert _signer_of(arc, old_aip) == old_cert.public_bytes(serialization.Encoding.PEM)
    finally:
        arc.close()
    done = run_cli("--root", str(root), "verify", "--all", "--algorithm", "all")
    assert done.returncode == 0, done.stdout + done.stderr
    done = run_cli("--root", str(root), "log", "verify")  # the checkpoint signed by the old key
    assert done.returncode == 0, done.stdout + done.stderr

    config = root / "casearchive.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(f', "{rotation["retired_cert"]}"', ""),
                      encoding="utf-8")
    done = run_cli("--root", str(root), "verify", "--all", "--json")
    assert done.returncode == 1
    verdicts = {(v["aip_id"], v["ok"]) for v in json.loads(done.stdout)["copies"]}
    assert verdicts == {(old_aip, False), (new_aip, True)}
    done = run_cli("--root", str(root), "log", "verify", "--json")
    assert done.returncode == 1
    assert "CKP-SIGNATURE-UNTRUSTED" in {f["code"] for f in json.loads(done.stdout)["findings"]}


def test_pin_trusted_keeps_the_rest_of_the_configuration(tmp_path: Path) -> None:
    from archive.config import load_config, pin_trusted

    root = tmp_path / "a"
    root.mkdir()
    (root / "casearchive.toml").write_text(
        '[archive]\nname = "x"\nfonds_number = "J1"\n\n[[storage]]\nname = "p"\npath = "s"\n\n'
        '[signing]  # ours\nkey = "k/key.pem"\ncert = "k/cert.pem"\ntrusted = [\n  "k/cert.pem",  # now\n'
        '  "k/old [1].pem",\n]\n\n[ingest]\nworkers = 1\n', encoding="utf-8")
    pin_trusted(root, root / "k" / "retired" / "new.pem")
    config = load_config(root)
    assert [p.relative_to(root).as_posix() for p in config.signing.trusted] == [
        "k/cert.pem", "k/old [1].pem", "k/retired/new.pem"]
    assert config.ingest.workers == 1
    pin_trusted(root, root / "k" / "retired" / "new.pem")  # a rerun adds nothing
    assert len(load_config(root).signing.trusted) == 3


def test_current_certificate_is_always_an_anchor(tmp_path: Path) -> None:
    from archive.config import load_config

    root = tmp_path / "a"
    root.mkdir()
    (root / "casearchive.toml").write_text(
        '[archive]\nname = "x"\nfonds_number = "J1"\n\n[[storage]]\nname = "p"\npath = "s"\n\n'
        '[signing]\nkey = "k/key.pem"\ncert = "k/cert.pem"\ntrusted = ["k/old.pem"]\n', encoding="utf-8")
    assert [p.name for p in load_config(root).signing.trusted] == ["old.pem", "cert.pem"]


def test_check_items_fail_a_resigned_aip(arc: Archive, now: datetime) -> None:
    """DA/T 70 1-16 (package signature) and 1-1 (signed tag manifests) fail, not 'cannot confirm'."""
    from archive.checking import run_checks

    aip_id = _first(arc)
    forge_everywhere(arc, aip_id, now)
    run = run_checks(arc, [aip_id], "store", now=now, items=["1-1", "1-16"])
    report = run.batch.reports[0]
    assert run.bottom_line == "failed"
    assert {"BC-1-16"} <= set(report.blocking)
    codes = {f.code for o in report.outcomes for r in o.results for f in r.findings}
    assert "SIG-UNTRUSTED-SIGNER" in codes
