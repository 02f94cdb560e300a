"""Detached CMS signatures, checked against OpenSSL (fixity.signing)."""
from __future__ import annotations

import asyncio
import hashlib
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from findings import Finding, Lang, all_codes
from fixity.keys import SigningPaths, generate_identity, load_signer
from fixity.signing import Signer, fingerprint, sign_file, verify_detached, verify_file

OPENSSL = "/usr/bin/openssl"
NOW = datetime(2024, 6, 1, 8, 0, tzinfo=timezone.utc)
SIGNED_AT = NOW + timedelta(days=2, hours=3, minutes=4, seconds=5)
LATER = NOW + timedelta(days=30)
TAG_MANIFEST = ("5d41402abc4b2a76b9719d911017c592  bagit.txt\n"
                "7d793037a0760186574b0282f2f435e7  manifest-sm3.txt\n").encode()


@pytest.fixture(scope="module", params=["ec", "rsa"])
def identity(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[SigningPaths, Signer]:
    directory = tmp_path_factory.mktemp(f"id-{request.param}") / "keys"
    paths = generate_identity(directory, "档案馆签名", "某某市中级人民法院", passphrase=None,
                              now=NOW, key_type=request.param)
    return paths, load_signer(paths, None)


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Signer:
    paths = generate_identity(tmp_path_factory.mktemp("foreign") / "keys", "他人", "别的单位",
                              passphrase=None, now=NOW)
    return load_signer(paths, None)


def openssl_verify(content: Path, signature: Path, ca_file: Path,
                   at: datetime = LATER) -> subprocess.CompletedProcess[str]:
    """``openssl cms -verify`` as documented, at a fixed time (``-attime``) not the clock."""
    return subprocess.run([OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(signature),
                           "-content", str(content), "-CAfile", str(ca_file), "-out", "/dev/null",
                           "-attime", str(int(at.timestamp()))],
                          capture_output=True, text=True, check=False)


def signer_info(signature: bytes) -> cms.SignerInfo:
    return cms.ContentInfo.load(signature)["content"]["signer_infos"][0]


def signed_attr(signature: bytes, name: str) -> object:
    for attr in signer_info(signature)["signed_attrs"]:
        if attr["type"].native == name:
            return attr["values"][0].native
    raise KeyError(name)


# --- OpenSSL agrees ---------------------------------------------------------------------


def test_openssl_accepts_our_signature_and_rejects_a_flipped_byte(identity: tuple[SigningPaths, Signer],
                                                                  tmp_path: Path) -> None:
    paths, signer = identity
    content = tmp_path / "tagmanifest-sha256.txt"
    content.write_bytes(TAG_MANIFEST)
    signature = sign_file(content, signer, SIGNED_AT)
    assert signature == tmp_path / "tagmanifest-sha256.txt.p7s"
    done = openssl_verify(content, signature, paths.cert)
    assert done.returncode == 0, done.stderr
    assert verify_file(content, signature, [signer.certificate], LATER).status == "valid"

    flipped = bytearray(TAG_MANIFEST)
    flipped[10] ^= 0x01
    content.write_bytes(bytes(flipped))
    assert openssl_verify(content, signature, paths.cert).returncode != 0
    verdict = verify_file(content, signature, [signer.certificate], LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-DIGEST-MISMATCH")
    finding = verdict.findings[0]
    assert finding.location == "tagmanifest-sha256.txt"
    assert finding.expected == hashlib.sha256(TAG_MANIFEST).hexdigest()
    assert finding.found == hashlib.sha256(bytes(flipped)).hexdigest()


def test_signature_structure_is_detached_sha256_with_the_given_signing_time(
        identity: tuple[SigningPaths, Signer]) -> None:
    _, signer = identity
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    info = cms.ContentInfo.load(signature)
    assert info["content_type"].native == "signed_data"
    signed = info["content"]
    assert signed["encap_content_info"]["content"].native is None  # detached
    assert signed["encap_content_info"]["content_type"].native == "data"
    certs = [c.chosen.dump() for c in signed["certificates"]]
    assert certs == [signer.certificate.public_bytes(serialization.Encoding.DER)]
    assert signer_info(signature)["digest_algorithm"]["algorithm"].native == "sha256"
    assert signed_attr(signature, "content_type") == "data"
    assert signed_attr(signature, "message_digest") == hashlib.sha256(TAG_MANIFEST).digest()
    assert signed_attr(signature, "signing_time") == SIGNED_AT
    again = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    assert signed_attr(again, "signing_time") == SIGNED_AT


def test_naive_times_are_refused(identity: tuple[SigningPaths, Signer]) -> None:
    _, signer = identity
    with pytest.raises(ValueError):
        signer.sign_detached(b"x", signing_time=datetime(2024, 1, 1))
    signature = signer.sign_detached(b"x", signing_time=SIGNED_AT)
    with pytest.raises(ValueError):
        verify_detached(b"x", signature, trusted=[signer.certificate], now=datetime(2024, 7, 1))


# --- verdicts -----------------------------------------------------------------------------


def test_valid_verdict_names_signer_and_time(identity: tuple[SigningPaths, Signer]) -> None:
    _, signer = identity
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[signer.certificate], now=LATER)
    assert verdict.status == "valid" and verdict.code is None and verdict.findings == ()
    assert verdict.signer == "CN=档案馆签名,O=某某市中级人民法院,C=CN"
    assert verdict.signing_time == SIGNED_AT


def test_foreign_signer_is_invalid(identity: tuple[SigningPaths, Signer], foreign: Signer) -> None:
    """Pinned trust: an intact signature by a key that is not an anchor is a failure, not an open question."""
    _, signer = identity
    signature = foreign.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[signer.certificate], now=LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-UNTRUSTED-SIGNER")
    assert verdict.signer == "CN=他人,O=别的单位,C=CN"
    assert fingerprint(foreign.certificate) in str(verdict.findings[0].found)
    assert verify_detached(TAG_MANIFEST, signature, trusted=[], now=LATER).status == "invalid"


def _impostor(genuine: x509.Certificate, *, copy_key_ids: bool) -> Signer:
    """A fresh key whose self-signed certificate copies the genuine subject DN, serial and extensions."""
    key = ec.generate_private_key(ec.SECP256R1())
    ski = (genuine.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value if copy_key_ids
           else x509.SubjectKeyIdentifier.from_public_key(key.public_key()))
    cert = (x509.CertificateBuilder().subject_name(genuine.subject).issuer_name(genuine.issuer)
            .public_key(key.public_key()).serial_number(genuine.serial_number)
            .not_valid_before(genuine.not_valid_before_utc).not_valid_after(genuine.not_valid_after_utc)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(genuine.extensions.get_extension_for_class(x509.KeyUsage).value, critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    return Signer(cert, key)


@pytest.mark.parametrize("copy_key_ids", [False, True])
def test_certificate_with_the_genuine_name_is_not_trusted(identity: tuple[SigningPaths, Signer],
                                                          copy_key_ids: bool) -> None:
    _, signer = identity
    forger = _impostor(signer.certificate, copy_key_ids=copy_key_ids)
    assert forger.certificate.subject == signer.certificate.subject
    signature = forger.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[signer.certificate], now=LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-UNTRUSTED-SIGNER")
    assert not verdict.valid


def test_rotated_keys_old_and_new_anchors_both_verify(identity: tuple[SigningPaths, Signer], foreign: Signer) -> None:
    _, old = identity
    old_sig = old.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    new_sig = foreign.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    anchors = [foreign.certificate, old.certificate]
    assert verify_detached(TAG_MANIFEST, old_sig, trusted=anchors, now=LATER).valid
    assert verify_detached(TAG_MANIFEST, new_sig, trusted=anchors, now=LATER).valid
    assert verify_detached(TAG_MANIFEST, old_sig, trusted=[foreign.certificate], now=LATER).code == "SIG-UNTRUSTED-SIGNER"


def test_foreign_signer_over_changed_content_is_invalid(foreign: Signer) -> None:
    signature = foreign.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST + b"x", signature, trusted=[], now=LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-DIGEST-MISMATCH")


@pytest.mark.parametrize("cut", [1, 10, 100, 400])
def test_truncated_signature_is_invalid(identity: tuple[SigningPaths, Signer], cut: int) -> None:
    _, signer = identity
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature[:-cut], trusted=[signer.certificate], now=LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-PARSE")
    assert verdict.findings[0].found


@pytest.mark.parametrize("garbage", [b"", b"\x00", b"not a signature", b"\x30\x80" * 50,
                                     bytes.fromhex("3003020101")])
def test_garbage_signature_is_invalid(identity: tuple[SigningPaths, Signer], garbage: bytes) -> None:
    _, signer = identity
    verdict = verify_detached(TAG_MANIFEST, garbage, trusted=[signer.certificate], now=LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-PARSE")


def _resigned(signature: bytes, change: str) -> bytes:
    """The signature with one part altered the way an attacker might."""
    info = cms.ContentInfo.load(signature)
    signed = info["content"]
    if change == "value":
        value = bytearray(signed["signer_infos"][0]["signature"].native)
        value[len(value) // 2] ^= 0x40
        signed["signer_infos"][0]["signature"] = bytes(value)
    elif change == "time":
        attrs = signed["signer_infos"][0]["signed_attrs"]
        for attr in attrs:
            if attr["type"].native == "signing_time":
                attr["values"] = [cms.Time({"utc_time": datetime(2020, 1, 1, tzinfo=timezone.utc)})]
    elif change == "certs":
        del signed["certificates"]
    return cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump(force=True)


@pytest.mark.parametrize("change, status, code", [
    ("value", "invalid", "SIG-SIGNATURE-INVALID"),
    ("time", "invalid", "SIG-SIGNATURE-INVALID"),
    ("certs", "indeterminate", "SIG-NO-SIGNER-CERT"),
])
def test_altered_signature_parts(identity: tuple[SigningPaths, Signer], tmp_path: Path,
                                 change: str, status: str, code: str) -> None:
    paths, signer = identity
    altered = _resigned(signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT), change)
    verdict = verify_detached(TAG_MANIFEST, altered, trusted=[signer.certificate], now=LATER)
    assert (verdict.status, verdict.code) == (status, code)
    content, sig = tmp_path / "c", tmp_path / "c.p7s"
    content.write_bytes(TAG_MANIFEST)
    sig.write_bytes(altered)
    assert openssl_verify(content, sig, paths.cert).returncode != 0


def test_expired_certificate_valid_at_signing_time_is_valid_with_a_note(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "短期证书", "法院", passphrase=None, now=NOW, valid_years=1)
    signer = load_signer(paths, None)
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[signer.certificate],
                              now=NOW + timedelta(days=3650), location="tagmanifest-sm3.txt")
    assert verdict.status == "valid" and verdict.code is None
    assert [f.code for f in verdict.findings] == ["SIG-CERT-EXPIRED-NOW"]
    assert verdict.findings[0].found == SIGNED_AT.isoformat()
    assert verdict.findings[0].location == "tagmanifest-sm3.txt"


def test_signature_made_after_expiry_is_indeterminate(tmp_path: Path) -> None:
    paths = generate_identity(tmp_path, "短期证书", "法院", passphrase=None, now=NOW, valid_years=1)
    signer = load_signer(paths, None)
    late = NOW + timedelta(days=800)
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=late)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[signer.certificate], now=late)
    assert (verdict.status, verdict.code) == ("indeterminate", "SIG-CERT-OUT-OF-VALIDITY")
    changed = verify_detached(TAG_MANIFEST + b"!", signature, trusted=[signer.certificate], now=late)
    assert (changed.status, changed.code) == ("invalid", "SIG-DIGEST-MISMATCH")


def _certificate(key: ec.EllipticCurvePrivateKey, subject: str, issuer: x509.Certificate | None,
                 issuer_key: ec.EllipticCurvePrivateKey, usage: x509.KeyUsage, ca: bool) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (x509.CertificateBuilder().subject_name(name)
            .issuer_name(issuer.subject if issuer else name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=900))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))


def _usage(sign: bool, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=sign, content_commitment=sign, key_encipherment=not sign,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def test_certificate_issued_by_a_trusted_ca_is_valid(tmp_path: Path) -> None:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(ca_key, "测试根 CA", None, ca_key, _usage(True, cert_sign=True), ca=True)
    leaf = _certificate(key, "档案馆", ca, ca_key, _usage(True), ca=False)
    signer = Signer(leaf, key)
    signature = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    assert verify_detached(TAG_MANIFEST, signature, trusted=[ca], now=LATER).status == "valid"
    content, sig, ca_file = tmp_path / "m", tmp_path / "m.p7s", tmp_path / "ca.pem"
    content.write_bytes(TAG_MANIFEST)
    sig.write_bytes(signature)
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    assert openssl_verify(content, sig, ca_file).returncode == 0


def test_certificate_without_signing_usage_is_indeterminate() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate(key, "仅加密", None, key, _usage(False), ca=False)
    signature = Signer(cert, key).sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    verdict = verify_detached(TAG_MANIFEST, signature, trusted=[cert], now=LATER)
    assert (verdict.status, verdict.code) == ("indeterminate", "SIG-CERT-USAGE")


def test_signer_refuses_a_key_of_another_certificate(identity: tuple[SigningPaths, Signer],
                                                     foreign: Signer) -> None:
    _, signer = identity
    with pytest.raises(ValueError, match="does not belong"):
        Signer(signer.certificate, foreign.private_key)


# --- files --------------------------------------------------------------------------------


def test_missing_files_are_invalid_verdicts(identity: tuple[SigningPaths, Signer], tmp_path: Path) -> None:
    _, signer = identity
    content = tmp_path / "tagmanifest-sha256.txt"
    content.write_bytes(TAG_MANIFEST)
    verdict = verify_file(content, tmp_path / "absent.p7s", [signer.certificate], LATER)
    assert (verdict.status, verdict.code) == ("invalid", "SIG-FILE-MISSING")
    assert "absent.p7s" in (verdict.findings[0].found or "")
    signature = sign_file(content, signer, SIGNED_AT)
    content.unlink()
    verdict = verify_file(content, signature, [signer.certificate], LATER, location="data/x")
    assert (verdict.status, verdict.code, verdict.findings[0].location) == ("invalid", "SIG-FILE-MISSING", "data/x")


def test_sign_file_replaces_an_old_signature_atomically(identity: tuple[SigningPaths, Signer],
                                                        tmp_path: Path) -> None:
    _, signer = identity
    content = tmp_path / "receipt.xml"
    content.write_bytes(b"<receipt/>")
    first = sign_file(content, signer, SIGNED_AT).read_bytes()
    second = sign_file(content, signer, SIGNED_AT + timedelta(days=1))
    assert second.read_bytes() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["receipt.xml", "receipt.xml.p7s"]
    assert verify_file(content, second, [signer.certificate], LATER).signing_time == SIGNED_AT + timedelta(days=1)


def test_works_inside_a_running_event_loop(identity: tuple[SigningPaths, Signer]) -> None:
    _, signer = identity

    async def inside() -> str:
        signature = signer.sign_detached(b"async", signing_time=SIGNED_AT)
        return verify_detached(b"async", signature, trusted=[signer.certificate], now=LATER).status

    assert asyncio.run(inside()) == "valid"


# --- properties ---------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000), other=st.binary(max_size=2000))
def test_round_trip_and_any_other_content_is_invalid(identity: tuple[SigningPaths, Signer],
                                                     data: bytes, other: bytes) -> None:
    _, signer = identity
    signature = signer.sign_detached(data, signing_time=SIGNED_AT)
    assert verify_detached(data, signature, trusted=[signer.certificate], now=LATER).status == "valid"
    if other != data:
        verdict = verify_detached(other, signature, trusted=[signer.certificate], now=LATER)
        assert (verdict.status, verdict.code) == ("invalid", "SIG-DIGEST-MISMATCH")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), mask=st.integers(min_value=1, max_value=255),
       cut=st.integers(min_value=0, max_value=64))
def test_mutated_signatures_never_raise(identity: tuple[SigningPaths, Signer],
                                        position: int, mask: int, cut: int) -> None:
    _, signer = identity
    if id(signer) not in _SIGNATURES:
        _SIGNATURES[id(signer)] = signer.sign_detached(TAG_MANIFEST, signing_time=SIGNED_AT)
    signature = bytearray(_SIGNATURES[id(signer)])
    signature[position % len(signature)] ^= mask
    mutated = bytes(signature[:len(signature) - cut])
    verdict = verify_detached(TAG_MANIFEST, mutated, trusted=[signer.certificate], now=LATER)
    assert verdict.status in ("valid", "invalid", "indeterminate")
    assert (verdict.code is None) == (verdict.status == "valid")
    if cut:  # the signature value ends the structure: a shortened one cannot verify
        assert verdict.status != "valid"


_SIGNATURES: dict[int, bytes] = {}


@given(st.binary(max_size=300))
def test_random_bytes_are_never_a_valid_signature(garbage: bytes) -> None:
    key = _RANDOM_KEY
    verdict = verify_detached(b"content", garbage, trusted=[key.certificate], now=LATER)
    assert verdict.status == "invalid" and verdict.code == "SIG-PARSE"


def _random_signer() -> Signer:
    key = ec.generate_private_key(ec.SECP256R1())
    return Signer(_certificate(key, "随机", None, key, _usage(True), ca=False), key)


_RANDOM_KEY = _random_signer()


# --- codes --------------------------------------------------------------------------------


def test_sig_codes_render_in_both_languages() -> None:
    codes = [c for c in all_codes() if c.code.startswith("SIG-")]
    assert len(codes) >= 10
    for code in codes:
        finding = Finding(code.code, "tagmanifest-sha256.txt", expected="E", found="F")
        for lang in (Lang.EN, Lang.ZH):
            assert "{" not in finding.message(lang) and finding.hint(lang) and code.clause
            assert "tagmanifest-sha256.txt" in finding.message(lang)
