"""RFC 3161 client against a TSA served on 127.0.0.1 by the test itself (pyHanko's DummyTimeStamper)."""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest
from asn1crypto import keys as asn1_keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hypothesis import given, settings, strategies as st
from pyhanko.sign.timestamps import DummyTimeStamper

from archive.timestamp import load_trusted, request_timestamp, verify_timestamp

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


def _cert(subject: str, issuer: str, key, signer, now: datetime, *, ca: bool) -> x509.Certificate:
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
    else:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        builder = builder.add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
    return builder.sign(signer, hashes.SHA256())


def make_tsa_identity(now: datetime = T0) -> tuple[x509.Certificate, rsa.RSAPrivateKey, x509.Certificate]:
    """(TSA certificate, TSA key, root CA certificate to trust)."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = _cert("Loopback Test Root", "Loopback Test Root", ca_key, ca_key, now, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _cert("Loopback Test TSA", "Loopback Test Root", key, ca_key, now, ca=False), key, ca


class LoopbackTSA:
    """A TSA on 127.0.0.1; ``mutate`` lets a test make it misbehave."""

    def __init__(self, cert: x509.Certificate, key: rsa.RSAPrivateKey, ca: x509.Certificate,
                 when: datetime = T0):
        der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        self.stamper = DummyTimeStamper(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
                                        asn1_keys.PrivateKeyInfo.load(der_key), fixed_dt=when,
                                        certs_to_embed=[asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))])
        self.mutate: Callable[[tsp.TimeStampReq], tuple[str, bytes] | None] = lambda req: None
        self.requests = 0
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                tsa.requests += 1
                req = tsp.TimeStampReq.load(body)
                override = tsa.mutate(req)
                kind, data = override or ("application/timestamp-reply",
                                          tsa.stamper.request_tsa_response(req).dump())
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def tsa_identity():
    return make_tsa_identity()


@pytest.fixture
def tsa(tsa_identity) -> Iterator[LoopbackTSA]:
    server = LoopbackTSA(*tsa_identity)
    yield server
    server.close()


def test_token_is_valid_and_trusted(tsa, tsa_identity):
    data = "检查点 checkpoint body".encode()
    result = request_timestamp(data, tsa.url)
    assert result.findings == () and result.token is not None
    assert result.gen_time == T0
    verdict = verify_timestamp(result.token, data, trusted=[tsa_identity[2]], location="1.json.tsr")
    assert verdict.status == "valid", verdict.findings


def test_untrusted_tsa_is_an_error(tsa):
    """Pinned: a token that does not chain to [checkpoints] tsa_trusted fails the log verification."""
    data = b"body"
    token = request_timestamp(data, tsa.url).token
    verdict = verify_timestamp(token, data, trusted=[], location="x.tsr")
    assert verdict.status == "indeterminate"
    assert [(f.code, f.level.value) for f in verdict.findings] == [("CKP-TSA-UNTRUSTED", "error")]


def test_tsa_root_with_the_same_name_is_not_trusted(tsa):
    """Another root carrying the genuine root's name (a forger's own TSA hierarchy) is not an anchor."""
    _cert_, _key, impostor_root = make_tsa_identity()
    data = b"body"
    token = request_timestamp(data, tsa.url).token
    verdict = verify_timestamp(token, data, trusted=[impostor_root], location="x.tsr")
    assert verdict.status != "valid"
    assert [(f.code, f.level.value) for f in verdict.findings] in ([("CKP-TSA-UNTRUSTED", "error")],
                                                                   [("CKP-TSA-INVALID", "error")])


def test_token_for_other_data_is_invalid(tsa, tsa_identity):
    token = request_timestamp(b"original", tsa.url).token
    verdict = verify_timestamp(token, b"changed", trusted=[tsa_identity[2]], location="x.tsr")
    assert verdict.status == "invalid"
    assert verdict.findings[0].code == "CKP-TSA-INVALID"
    assert "imprint" in verdict.findings[0].params["reason"]


def test_tsa_answering_for_another_digest_is_refused(tsa):
    def other_imprint(req: tsp.TimeStampReq):
        forged = tsp.TimeStampReq({"version": 1, "message_imprint": tsp.MessageImprint({
            "hash_algorithm": {"algorithm": "sha256"}, "hashed_message": hashlib.sha256(b"other").digest()}),
            "nonce": req["nonce"], "cert_req": True})
        return "application/timestamp-reply", tsa.stamper.request_tsa_response(forged).dump()

    tsa.mutate = other_imprint
    result = request_timestamp(b"mine", tsa.url)
    assert result.token is None
    assert [f.code for f in result.findings] == ["CKP-TSA-FAILED"]


def test_tsa_refusal_and_wrong_content_type(tsa):
    rejection = bytes.fromhex("3005300302 0102".replace(" ", ""))  # TimeStampResp{status: rejection(2)}, no token
    tsa.mutate = lambda req: ("application/timestamp-reply", rejection)
    assert request_timestamp(b"x", tsa.url).findings[0].code == "CKP-TSA-FAILED"
    tsa.mutate = lambda req: ("text/html", b"<html>")
    result = request_timestamp(b"x", tsa.url)
    assert result.token is None and "content type" in result.findings[0].params["reason"]


def test_unreachable_tsa_is_a_finding():
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nobody listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = request_timestamp(b"x", f"http://127.0.0.1:{port}/", timeout=2)
    assert result.token is None and result.findings[0].code == "CKP-TSA-FAILED"


def test_tampered_token_signature_is_invalid(tsa, tsa_identity):
    token = bytearray(request_timestamp(b"data", tsa.url).token)
    token[-5] ^= 0x01  # inside the RSA signature value at the end of the SignerInfo
    verdict = verify_timestamp(bytes(token), b"data", trusted=[tsa_identity[2]], location="x.tsr")
    assert verdict.status == "invalid"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_hostile_token_bytes_never_raise(blob):
    verdict = verify_timestamp(blob, b"data", trusted=[], location="x.tsr")
    assert verdict.status == "invalid"
    assert verdict.findings[0].code == "CKP-TSA-INVALID"


def test_load_trusted_reads_pem(tmp_path: Path, tsa_identity):
    path = tmp_path / "tsa.pem"
    path.write_bytes(tsa_identity[2].public_bytes(serialization.Encoding.PEM))
    assert load_trusted([path]) == [tsa_identity[2]]
