"""An RFC 3161 time-stamp client for checkpoints, wrapping pyHanko's TimeStamper.

pyHanko builds the ``TimeStampReq`` (SHA-256 imprint, nonce, certReq) and checks the
response status and nonce (``handle_tsp_response``); this module supplies the
transport (a plain ``urllib`` POST, RFC 3161 §3.4 media types) and checks what
pyHanko leaves to the caller: that the token's message imprint is the digest we
asked for, and that its signature is intact (``validate_tst_signed_data``).  Trust
in the TSA is pinned to [checkpoints] ``tsa_trusted``: the token's certificate path
must end at one of those certificates (compared by SHA-256 fingerprint, never by
name); an intact token from any other TSA is an error (CKP-TSA-UNTRUSTED), since a
forger can run a TSA of their own.  Only the request path (:func:`request_timestamp`)
accepts any intact token: the checkpoint's verification judges trust later.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext

import archive.integrity_codes as ic
from archive.config import ConfigError
from findings import Finding
from fixity.signing import anchored_in

log = logging.getLogger(__name__)

DIGEST = "sha256"
MAX_RESPONSE = 1 << 20
Status = Literal["valid", "invalid", "indeterminate"]


class _UrllibTimeStamper(TimeStamper):
    """pyHanko's request/response handling over a urllib POST (no aiohttp session needed)."""

    def __init__(self, url: str, timeout: float):
        super().__init__(include_nonce=True)
        self.url, self.timeout = url, timeout

    def _post(self, body: bytes) -> tsp.TimeStampResp:
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — http(s) only
                kind = response.headers.get("Content-Type", "")
                raw = response.read(MAX_RESPONSE + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise TimestampRequestError(f"cannot reach the TSA: {exc}") from exc
        if kind.split(";")[0].strip() != "application/timestamp-reply":
            raise TimestampRequestError(f"TSA answered with content type {kind!r}")
        if len(raw) > MAX_RESPONSE:
            raise TimestampRequestError("TSA response too large")
        return tsp.TimeStampResp.load(raw)

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return await asyncio.to_thread(self._post, req.dump())


@dataclass(frozen=True)
class TimestampResult:
    """A token (DER ContentInfo) and its time, or findings saying why there is none."""

    token: bytes | None
    gen_time: datetime | None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class TimestampVerdict:
    status: Status
    gen_time: datetime | None
    findings: tuple[Finding, ...] = ()


def _run(coro: Any) -> Any:
    """asyncio.run, also from inside a running loop (then in a helper thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def request_timestamp(data: bytes, url: str, *, timeout: float = 10.0) -> TimestampResult:
    """Ask the TSA at ``url`` for a token over SHA-256(``data``); never raises for a bad TSA."""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"TSA URL must be http:// or https://: {url!r}")
    digest = hashlib.sha256(data).digest()
    try:
        token = _run(_UrllibTimeStamper(url, timeout).async_timestamp(digest, DIGEST))
        raw = token.dump()
    except Exception as exc:  # noqa: BLE001 — network errors, refusals and hostile DER alike
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return TimestampResult(None, None, (Finding(ic.CKP_TSA_FAILED, url, params={"reason": reason}),))
    verdict = verify_timestamp(raw, data, trusted=(), location=url)
    if verdict.status == "invalid":
        reasons = "; ".join(f.params.get("reason", f.code) for f in verdict.findings)
        return TimestampResult(None, None, (Finding(ic.CKP_TSA_FAILED, url, params={"reason": reasons}),))
    return TimestampResult(raw, verdict.gen_time)


def _tst_info(token: bytes) -> tuple[cms.SignedData, tsp.TSTInfo]:
    info = cms.ContentInfo.load(bytes(token), strict=True)
    if info["content_type"].native != "signed_data":
        raise ValueError("not a SignedData")
    signed = info["content"]
    tst = signed["encap_content_info"]["content"].parsed
    if not isinstance(tst, tsp.TSTInfo):
        raise ValueError("SignedData does not hold a TSTInfo")
    tst.native  # asn1crypto parses lazily; make hostile bytes fail here
    return signed, tst


def _invalid(location: str, reason: str, gen_time: datetime | None = None) -> TimestampVerdict:
    return TimestampVerdict("invalid", gen_time, (Finding(ic.CKP_TSA_INVALID, location, params={"reason": reason}),))


def verify_timestamp(token: bytes, data: bytes, *, trusted: Sequence[x509.Certificate], location: str,
                     now: datetime | None = None) -> TimestampVerdict:
    """Imprint = SHA-256(data), signature intact, TSA trusted; never raises for bad input.

    The TSA certificate is validated at the token's own time (an archive checks old
    tokens long after the TSA certificate expired).  ``now`` is accepted for symmetry.
    """
    try:
        signed, tst = _tst_info(token)
    except Exception as exc:  # noqa: BLE001 — hostile DER raises many types
        return _invalid(location, f"unreadable token: {type(exc).__name__}: {exc}"[:300])
    gen_time = tst["gen_time"].native
    imprint = tst["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    try:
        expected = hashlib.new(algorithm, data).digest()
    except (ValueError, TypeError):
        return _invalid(location, f"unsupported imprint algorithm {algorithm!r}", gen_time)
    if imprint["hashed_message"].native != expected:
        return _invalid(location, f"imprint {imprint['hashed_message'].native.hex()} is not "
                                  f"{algorithm}(checkpoint) {expected.hex()}", gen_time)
    return _signature(signed, data, trusted, location, gen_time)


def _signature(signed: cms.SignedData, data: bytes, trusted: Sequence[x509.Certificate], location: str,
               gen_time: datetime) -> TimestampVerdict:
    roots = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted]
    context = ValidationContext(trust_roots=roots, moment=gen_time, allow_fetching=False,
                                revocation_mode="soft-fail")
    try:
        kwargs = _run(validate_tst_signed_data(signed, context, lambda alg: hashlib.new(alg, data).digest()))
        status = TimestampSignatureStatus(**kwargs)
    except Exception as exc:  # noqa: BLE001 — pyHanko raises on malformed or unverifiable tokens
        return _invalid(location, f"{type(exc).__name__}: {exc}"[:300], gen_time)
    if not status.intact or not status.valid:
        return _invalid(location, "token signature does not verify", gen_time)
    if not status.trusted or not anchored_in(status, trusted):
        problem = str(status.trust_problem_indic or "no trust path to [checkpoints] tsa_trusted")
        return TimestampVerdict("indeterminate", gen_time,
                                (Finding(ic.CKP_TSA_UNTRUSTED, location, params={"reason": problem}),))
    return TimestampVerdict("valid", gen_time)


def load_trusted(paths: Iterable[Path]) -> list[x509.Certificate]:
    """The TSA certificates named in [checkpoints] tsa_trusted (PEM)."""
    certs: list[x509.Certificate] = []
    for path in paths:
        try:
            certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"TSA certificate {path} unreadable: {exc}") from exc
    return certs
