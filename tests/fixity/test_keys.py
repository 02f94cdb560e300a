"""Signing identities: generation, import, protected storage (fixity.keys)."""
from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from fixity.keys import (IdentityError, KeyProtectionError, SigningPaths, generate_identity,
                         import_identity, load_signer, passphrase_from_env)
from fixity.signing import verify_detached

NOW = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def self_signed(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, cn: str) -> x509.Certificate:
    return (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=365))
            .sign(key, hashes.SHA256()))


def write_pem_pair(tmp: Path, key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
                   cert: x509.Certificate, password: bytes | None = None) -> tuple[Path, Path]:
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
    key_path, cert_path = tmp / "in-key.pem", tmp / "in-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


# --- generation -----------------------------------------------------------------------


def test_generated_ec_identity_has_the_documented_certificate_profile(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path / "keys", "电子档案签名", "北京市第一中级人民法院",
                              passphrase=None, now=NOW)
    assert paths == SigningPaths.in_directory(tmp_path / "keys")
    cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "电子档案签名"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "北京市第一中级人民法院"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "CN"
    assert cert.version is x509.Version.v3 and cert.serial_number > 0
    assert cert.not_valid_before_utc == NOW.replace(microsecond=0)
    assert cert.not_valid_after_utc == NOW.replace(year=2044)
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    cert.verify_directly_issued_by(cert)


def test_rsa_identity_is_3072_bits(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW, key_type="rsa")
    public = x509.load_pem_x509_certificate(paths.cert.read_bytes()).public_key()
    assert isinstance(public, rsa.RSAPublicKey) and public.key_size == 3072


def test_key_file_is_0600_in_a_0700_directory_and_plain_pkcs8(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path / "keys", "签名", "法院", passphrase=None, now=NOW)
    assert mode(paths.key) == 0o600
    assert mode(paths.key.parent) == 0o700
    assert paths.key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert sorted(p.name for p in paths.key.parent.iterdir()) == ["signing-cert.pem", "signing-key.pem"]


def test_an_existing_identity_is_never_overwritten(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW)
    before = paths.key.read_bytes(), paths.cert.read_bytes()
    with pytest.raises(IdentityError, match="never overwritten"):
        generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW)
    assert (paths.key.read_bytes(), paths.cert.read_bytes()) == before


def test_generation_rejects_bad_parameters(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone"):
        generate_identity(tmp_path, "签名", "法院", passphrase=None, now=datetime(2024, 1, 1))
    with pytest.raises(IdentityError):
        generate_identity(tmp_path, "", "法院", passphrase=None, now=NOW)
    with pytest.raises(IdentityError):
        generate_identity(tmp_path, "x" * 65, "法院", passphrase=None, now=NOW)
    with pytest.raises(IdentityError):
        generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW, key_type="dsa")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_leap_day_validity_ends_on_28_february(tmp_path: Path) -> None:
    leap = datetime(2024, 2, 29, tzinfo=timezone.utc)
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=leap, valid_years=1)
    cert = x509.load_pem_x509_certificate(paths.cert.read_bytes())
    assert cert.not_valid_after_utc == datetime(2025, 2, 28, tzinfo=timezone.utc)


# --- loading and protection -----------------------------------------------------------


def test_encrypted_key_needs_the_right_passphrase(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "签名", "法院", passphrase="s3cret-口令".encode(), now=NOW)
    assert paths.key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    signer = load_signer(paths, b"s3cret-\xe5\x8f\xa3\xe4\xbb\xa4")
    assert signer.certificate == x509.load_pem_x509_certificate(paths.cert.read_bytes())
    with pytest.raises(KeyProtectionError, match="no passphrase"):
        load_signer(paths, None)
    with pytest.raises(KeyProtectionError, match="wrong passphrase"):
        load_signer(paths, b"wrong")


def test_passphrase_for_a_plain_key_is_refused(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW)
    with pytest.raises(KeyProtectionError, match="not encrypted"):
        load_signer(paths, b"believed-protected")


@pytest.mark.parametrize("bad_mode", [0o644, 0o640, 0o604, 0o660])
def test_key_readable_by_others_is_refused(tmp_path: Path, bad_mode: int) -> None:
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW)
    load_signer(paths, None)
    os.chmod(paths.key, bad_mode)
    with pytest.raises(KeyProtectionError, match="chmod 600"):
        load_signer(paths, None)


def test_missing_or_broken_files_are_protection_errors(tmp_path: Path) -> None:
    with pytest.raises(KeyProtectionError):
        load_signer(SigningPaths.in_directory(tmp_path), None)
    paths = generate_identity(tmp_path, "签名", "法院", passphrase=None, now=NOW)
    paths.cert.write_bytes(b"not a certificate")
    with pytest.raises(KeyProtectionError, match="certificate"):
        load_signer(paths, None)


# --- import -----------------------------------------------------------------------------


def test_import_pem_pair_signs_and_verifies(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    cert = self_signed(key, "用户证书")
    key_in, cert_in = write_pem_pair(tmp_path, key, cert, password=b"in-pass")
    paths = import_identity(tmp_path / "keys", key_pem=key_in, cert_pem=cert_in, passphrase=b"in-pass")
    assert mode(paths.key) == 0o600
    signer = load_signer(paths, b"in-pass")
    assert signer.certificate == cert
    sig = signer.sign_detached(b"receipt", signing_time=NOW + timedelta(hours=1))
    verdict = verify_detached(b"receipt", sig, trusted=[cert], now=NOW + timedelta(days=1))
    assert verdict.status == "valid", verdict


def test_import_rejects_a_key_that_does_not_match_the_certificate(tmp_path: Path) -> None:
    cert = self_signed(ec.generate_private_key(ec.SECP256R1()), "甲")
    key_in, cert_in = write_pem_pair(tmp_path, ec.generate_private_key(ec.SECP256R1()), cert)
    with pytest.raises(IdentityError, match="does not match"):
        import_identity(tmp_path / "keys", key_pem=key_in, cert_pem=cert_in, passphrase=None)
    assert not (tmp_path / "keys" / "signing-key.pem").exists()


def test_import_needs_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(IdentityError):
        import_identity(tmp_path, key_pem=None, cert_pem=None, pkcs12=None, passphrase=None)
    with pytest.raises(IdentityError):
        import_identity(tmp_path, key_pem=tmp_path / "k", cert_pem=tmp_path / "c",
                        pkcs12=tmp_path / "p", passphrase=None)
    with pytest.raises(IdentityError):
        import_identity(tmp_path, key_pem=tmp_path / "k", cert_pem=None, passphrase=None)
    with pytest.raises(IdentityError, match="cannot read"):
        import_identity(tmp_path, key_pem=tmp_path / "k", cert_pem=tmp_path / "c", passphrase=None)


def test_pkcs12_round_trip_keeps_key_certificate_and_chain(tmp_path: Path) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = self_signed(ca_key, "测试 CA")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (x509.CertificateBuilder().subject_name(name("用户")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW).not_valid_after(NOW + timedelta(days=300))
            .sign(ca_key, hashes.SHA256()))
    bundle = tmp_path / "user.p12"
    bundle.write_bytes(pkcs12.serialize_key_and_certificates(
        b"user", key, leaf, [ca], serialization.BestAvailableEncryption(b"p12-pass")))
    paths = import_identity(tmp_path / "keys", pkcs12=bundle, passphrase=b"p12-pass")
    signer = load_signer(paths, b"p12-pass")
    assert signer.certificate == leaf and signer.chain == (ca,)
    assert signer.private_key.private_numbers() == key.private_numbers()
    with pytest.raises(IdentityError, match="PKCS#12"):
        import_identity(tmp_path / "other", pkcs12=bundle, passphrase=b"wrong")


# --- passphrase source --------------------------------------------------------------------


def test_passphrase_from_environment_variable_and_file(tmp_path: Path) -> None:
    assert passphrase_from_env({}) is None
    assert passphrase_from_env({"CASEARCHIVE_KEY_PASSPHRASE": "口令"}) == "口令".encode()
    secret = tmp_path / "pass"
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"from-file\n")
    os.close(fd)
    assert passphrase_from_env({"CASEARCHIVE_KEY_PASSPHRASE_FILE": str(secret)}) == b"from-file"
    with pytest.raises(KeyProtectionError, match="only one"):
        passphrase_from_env({"CASEARCHIVE_KEY_PASSPHRASE": "a",
                             "CASEARCHIVE_KEY_PASSPHRASE_FILE": str(secret)})
    os.chmod(secret, 0o644)
    with pytest.raises(KeyProtectionError, match="chmod 600"):
        passphrase_from_env({"CASEARCHIVE_KEY_PASSPHRASE_FILE": str(secret)})
    with pytest.raises(KeyProtectionError):
        passphrase_from_env({"CASEARCHIVE_KEY_PASSPHRASE_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
def test_rotation_keeps_the_old_identity_and_signs_with_a_new_key(tmp_path: Path, key_type: str) -> None:
    from fixity.keys import rotate_identity

    directory = tmp_path / "keys"
    paths = generate_identity(directory, "档案馆签名", "某法院", passphrase=b"pw", now=NOW, key_type=key_type)  # type: ignore[arg-type]
    old = load_signer(paths, b"pw")
    later = NOW + timedelta(days=400)
    rotated = rotate_identity(paths, passphrase=b"pw", now=later)
    new = load_signer(paths, b"pw")
    assert new.certificate.subject == old.certificate.subject
    assert type(new.private_key) is type(old.private_key)
    assert new.certificate.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
        old.certificate.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert x509.load_pem_x509_certificate(rotated.retired_cert.read_bytes()) == old.certificate
    assert mode(rotated.retired_key) == 0o600 and mode(rotated.retired_key.parent) == 0o700
    assert mode(paths.key) == 0o600
    assert not list(directory.glob(".rotate-*"))
    signature = new.sign_detached(b"x", signing_time=later)
    assert verify_detached(b"x", signature, trusted=[new.certificate, old.certificate], now=later).valid
    assert not verify_detached(b"x", signature, trusted=[old.certificate], now=later).valid
