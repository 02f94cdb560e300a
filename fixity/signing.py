"""Detached CMS signatures (RFC 5652) over tag manifests and receipts.

The signature is a DER ``SignedData`` without encapsulated content, SHA-256, with
the signed attributes content-type, message-digest, signing-time,
ESS signing-certificate-v2 (RFC 5035) and CMS algorithm protection (RFC 6211),
and the signer's certificate (plus any chain) included.  Anyone can check it
without casearchive::

    openssl cms -verify -binary -inform DER -in tagmanifest-sha256.txt.p7s \\
        -content tagmanifest-sha256.txt -CAfile signing-cert.pem -out /dev/null

Why pyHanko and not ``cryptography``'s ``PKCS7SignatureBuilder``: the latter always
stamps the *current* clock into signing-time, while casearchive passes time in
(STYLE.md 12) so a signature made at ingest records the ingest time.  pyHanko's
CMS signer takes ``signing_time`` as a parameter and its ``generic_cms`` validator
does digest, signature, ESS and chain checks (pyhanko-certvalidator), so this
module only maps its status to a three-valued :class:`SignatureVerdict`.

Trust is pinned: the signer is trusted only when pyHanko builds a path from its
certificate to one of ``trusted`` *and* that path's anchor is, by SHA-256
fingerprint of the whole certificate, one of ``trusted`` (a certificate that
merely copies an anchor's subject DN never qualifies).  A signature that is intact
but does not chain to an anchor is *invalid* (``SIG-UNTRUSTED-SIGNER``): in an
archive whose anchors are its own certificates, a signature by any other key is a
forgery, not an open question.  pyHanko does not check the validity period of a
trust anchor itself, so the signer certificate's period is checked here for every
signature.
A certificate expired at ``now`` but valid at the signing time gives *valid* with
a ``SIG-CERT-EXPIRED-NOW`` note — archives verify old signatures.  Without a
trusted timestamp the signing time is the signer's own (signed) claim.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Coroutine, Literal, Sequence, TypeVar

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.general import CMSExtractionError, extract_certificate_info, extract_signer_info
from pyhanko.sign.signers import pdf_cms
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms, extract_self_reported_ts
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from findings import Finding
from fixity import sign_codes as sc
from fixity.durable import write_atomic

log = logging.getLogger(__name__)

DIGEST = "sha256"
SIGNATURE_SUFFIX = ".p7s"
Status = Literal["valid", "invalid", "indeterminate"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
_T = TypeVar("_T")

# RFC 5280 §4.2.1.3: either bit allows verifying signatures on content.
_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                             match_all_key_usages=False)


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run pyHanko's coroutine API from synchronous code, also inside a running loop."""
    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:  # outside the except block, so errors do not chain to this one
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def public_key_der(key: Any) -> bytes:
    """SubjectPublicKeyInfo DER of a public key, to compare keys with certificates."""
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[no-any-return]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


class _KeySigner(pdf_cms.Signer):
    """pyHanko's CMS builder around our in-memory key.

    pyHanko's ``SimpleSigner`` would need the key as unencrypted DER and re-parses
    it (with RSA consistency checks) on every signature; this signs directly.
    The mechanism pyHanko derives from the certificate is RSA PKCS#1 v1.5 or ECDSA.
    """

    def __init__(self, key: PrivateKey, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), algorithm)
        return self._key.sign(data, ec.ECDSA(algorithm))


@dataclass(frozen=True)
class Signer:
    """A private key with its certificate (and optional chain to include)."""

    certificate: x509.Certificate
    private_key: PrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise TypeError("only EC and RSA signing keys are supported")
        if public_key_der(self.private_key.public_key()) != public_key_der(self.certificate.public_key()):
            raise ValueError("the private key does not belong to the certificate")

    def _pyhanko(self) -> "_KeySigner":
        # The signer certificate is added by pyHanko itself; the registry holds the chain.
        store = SimpleCertificateStore.from_certs([_asn1_cert(c) for c in self.chain])
        return _KeySigner(self.private_key, signing_cert=_asn1_cert(self.certificate), cert_registry=store)

    def sign_stream(self, stream: IO[bytes] | bytes, *, signing_time: datetime) -> bytes:
        """DER CMS SignedData, detached, over all bytes of ``stream``."""
        if signing_time.tzinfo is None:
            raise ValueError("signing_time must be timezone-aware")
        attrs = PdfCMSSignedAttributes(signing_time=signing_time)
        info = _run(self._pyhanko().async_sign_general_data(
            stream, DIGEST, detached=True, signed_attr_settings=attrs))
        return info.dump()  # type: ignore[no-any-return]

    def sign_detached(self, data: bytes, *, signing_time: datetime) -> bytes:
        """DER CMS SignedData over ``data`` (detached, SHA-256, signing time as given)."""
        return self.sign_stream(bytes(data), signing_time=signing_time)


@dataclass(frozen=True)
class SignatureVerdict:
    """The three-valued outcome of one signature check.

    ``code`` is the finding code when not valid; ``findings`` holds that finding
    and any notes (a valid signature may carry ``SIG-CERT-EXPIRED-NOW``).
    """

    status: Status
    code: str | None
    signer: str | None
    signing_time: datetime | None
    reason: str
    findings: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def _verdict(status: Status, finding: Finding | None, reason: str, *, claims: "_Claims | None" = None,
             notes: tuple[Finding, ...] = ()) -> SignatureVerdict:
    found = (finding,) if finding is not None else ()
    return SignatureVerdict(status, finding.code if finding else None,
                            claims.subject if claims else None, claims.signing_time if claims else None,
                            reason, found + notes)


def _parse(signature: bytes, location: str) -> cms.SignedData | SignatureVerdict:
    """The SignedData of ``signature``, or an *invalid* verdict for unreadable bytes."""
    try:
        info = cms.ContentInfo.load(bytes(signature), strict=True)
        if info["content_type"].native != "signed_data":
            raise ValueError(f"content type {info['content_type'].native}, not signed_data")
        signed = info["content"]
        signed.native  # asn1crypto parses lazily; force it so garbage surfaces here
        extract_signer_info(signed)
        return signed
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises many types on hostile DER
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return _verdict("invalid", Finding(sc.SIG_PARSE, location, found=reason), reason)


@dataclass(frozen=True)
class _Claims:
    """What the signature says about itself, read before validating it."""

    cert: x509.Certificate
    subject: str
    signing_time: datetime | None


def _claims(signed: cms.SignedData, location: str) -> _Claims | SignatureVerdict:
    try:
        cert_info = extract_certificate_info(signed)
    except CMSExtractionError as exc:
        reason = str(exc)[:300]
        return _verdict("indeterminate", Finding(sc.SIG_NO_SIGNER_CERT, location, found=reason), reason)
    try:
        cert = x509.load_der_x509_certificate(cert_info.signer_cert.dump())
        when = extract_self_reported_ts(extract_signer_info(signed))
    except Exception as exc:  # noqa: BLE001 - hostile certificate or attribute bytes
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return _verdict("invalid", Finding(sc.SIG_PARSE, location, found=reason), reason)
    return _Claims(cert, cert.subject.rfc4514_string(), when)


def _period(cert: x509.Certificate) -> str:
    return f"{cert.not_valid_before_utc.isoformat()} – {cert.not_valid_after_utc.isoformat()}"


def _within(cert: x509.Certificate, moment: datetime) -> bool:
    return cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc


@dataclass(frozen=True)
class _When:
    """The time to validate the certificate at, with a note or a problem about it."""

    moment: datetime
    notes: tuple[Finding, ...] = ()
    problem: Finding | None = None


def _when(claims: _Claims, now: datetime, location: str) -> _When:
    cert, signed_at = claims.cert, claims.signing_time
    if _within(cert, now):
        return _When(now)
    expired = now > cert.not_valid_after_utc
    if signed_at is not None and expired and _within(cert, signed_at):
        note = Finding(sc.SIG_CERT_EXPIRED_NOW, location, expected=_period(cert), found=signed_at.isoformat())
        return _When(signed_at, notes=(note,))
    # Name the moment that failed: the signing time, or now when there is none or
    # when now precedes the certificate (a wrong clock, not an old signature).
    checked = signed_at if signed_at is not None and expired else now
    problem = Finding(sc.SIG_CERT_OUT_OF_VALIDITY, location, expected=_period(cert), found=checked.isoformat())
    return _When(now, problem=problem)


async def _pyhanko_status(content: IO[bytes], signed: cms.SignedData, trusted: Sequence[x509.Certificate],
                          moment: datetime) -> StandardCMSSignatureStatus:
    context = ValidationContext(trust_roots=[_asn1_cert(c) for c in trusted], moment=moment,
                                allow_fetching=False, revocation_mode="soft-fail")
    return await async_validate_detached_cms(content, signed, signer_validation_context=context,
                                             key_usage_settings=_USAGE)


def _message_digests(signed: cms.SignedData, content: IO[bytes]) -> tuple[str, str]:
    """(digest in the signed attributes, digest of the content) as hex, for the finding."""
    signer_info = extract_signer_info(signed)
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    embedded = ""
    for attr in signer_info["signed_attrs"]:
        if attr["type"].native == "message_digest":
            embedded = attr["values"][0].native.hex()
    content.seek(0)
    digest = hashlib.new(algorithm)
    for chunk in iter(lambda: content.read(1 << 20), b""):
        digest.update(chunk)
    return embedded, digest.hexdigest()


def _usage_problem(cert: x509.Certificate) -> str | None:
    """Why the certificate's keyUsage forbids signing content, or None."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    except ValueError as exc:  # a malformed extension
        return str(exc)
    if usage.digital_signature or usage.content_commitment:
        return None
    return "keyUsage has neither digitalSignature nor nonRepudiation"


def _integrity(status: StandardCMSSignatureStatus, signed: cms.SignedData, content: IO[bytes],
               claims: _Claims, location: str) -> SignatureVerdict | None:
    """An invalid verdict when the content or the signature value does not check out."""
    if not status.intact:
        expected, found = _message_digests(signed, content)
        finding = Finding(sc.SIG_DIGEST_MISMATCH, location, expected=expected, found=found)
        return _verdict("invalid", finding, "content changed after signing", claims=claims)
    if not status.valid:
        finding = Finding(sc.SIG_SIGNATURE_INVALID, location, found=str(status.pkcs7_signature_mechanism))
        return _verdict("invalid", finding, "signature value does not verify", claims=claims)
    return None


def _judge(status: StandardCMSSignatureStatus, signed: cms.SignedData, content: IO[bytes],
           claims: _Claims, when: _When, trusted: Sequence[x509.Certificate], location: str) -> SignatureVerdict:
    """Map pyHanko's status to a verdict: integrity first, then validity period, usage, trust."""
    broken = _integrity(status, signed, content, claims, location)
    if broken is not None:
        return broken
    if when.problem is not None:
        return _verdict("indeterminate", when.problem, "certificate not valid at the time checked",
                        claims=claims)
    # Checked here too: pyHanko skips usage checks when the signer is itself an anchor.
    problem = _usage_problem(claims.cert)
    if problem is not None:
        return _verdict("indeterminate", Finding(sc.SIG_CERT_USAGE, location, found=problem), problem,
                        claims=claims)
    if not status.trusted or not anchored_in(status, trusted):
        return _untrusted(claims, location, status.trust_problem_indic or "the path does not end at a configured anchor")
    return _verdict("valid", None, "signature valid; signer trusted", claims=claims, notes=when.notes)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 over the certificate's DER: the identity trust is pinned to."""
    return cert.fingerprint(hashes.SHA256()).hex()


def anchored_in(status: Any, trusted: Sequence[x509.Certificate]) -> bool:
    """The validation path of a pyHanko status (CMS or time-stamp) starts at one of ``trusted``
    itself, compared by fingerprint.

    pyHanko matches anchors by subject and public key; this re-check keeps the
    guarantee independent of how a library version identifies roots.
    """
    path = status.validation_path
    if path is None:
        return False
    try:
        anchor = path.first
    except LookupError:
        return False
    if anchor is None:
        return False
    pinned = {hashlib.sha256(c.public_bytes(serialization.Encoding.DER)).digest() for c in trusted}
    return hashlib.sha256(anchor.dump()).digest() in pinned


def _verify_stream(content: IO[bytes], signature: bytes, trusted: Sequence[x509.Certificate],
                   now: datetime, location: str) -> SignatureVerdict:
    signed = _parse(signature, location)
    if isinstance(signed, SignatureVerdict):
        return signed
    claims = _claims(signed, location)
    if isinstance(claims, SignatureVerdict):
        return claims
    when = _when(claims, now, location)
    status = _evaluate(content, signed, trusted, when.moment, location)
    if isinstance(status, SignatureVerdict):
        if status.status == "indeterminate" and not _may_chain(claims.cert, signed, trusted):
            # pyHanko can stumble over a forged certificate (e.g. an EC one naming an RSA
            # anchor as issuer); what matters is that no anchor vouches for this key.
            return _untrusted(claims, location, "no configured anchor issued the signer certificate")
        return status
    return _judge(status, signed, content, claims, when, trusted, location)


def _untrusted(claims: _Claims, location: str, why: object) -> SignatureVerdict:
    finding = Finding(sc.SIG_UNTRUSTED_SIGNER, location, found=f"{claims.subject} (SHA-256 {fingerprint(claims.cert)})")
    return _verdict("invalid", finding, f"signer not a trusted archive certificate ({why})", claims=claims)


def _may_chain(cert: x509.Certificate, signed: cms.SignedData, trusted: Sequence[x509.Certificate]) -> bool:
    """Whether a trust path is possible at all: the signer is an anchor (by fingerprint), an
    anchor's signature is on it, or the signature carries intermediates for pyHanko to try."""
    if fingerprint(cert) in {fingerprint(c) for c in trusted}:
        return True
    for anchor in trusted:
        try:
            cert.verify_directly_issued_by(anchor)
            return True
        except Exception:  # noqa: BLE001 - ValueError, TypeError, InvalidSignature: not issued by it
            continue
    return len(signed["certificates"] or ()) > 1


def _evaluate(content: IO[bytes], signed: cms.SignedData, trusted: Sequence[x509.Certificate],
              moment: datetime, location: str) -> StandardCMSSignatureStatus | SignatureVerdict:
    """pyHanko's status, or the verdict for the failure that stopped it."""
    try:
        return _run(_pyhanko_status(content, signed, trusted, moment))
    except SignatureValidationError as exc:
        return _failure_verdict(exc, location)
    except Exception as exc:  # noqa: BLE001 - e.g. an unknown algorithm OID in hostile input
        log.debug("signature evaluation failed", exc_info=True)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        return _verdict("indeterminate", Finding(sc.SIG_CANNOT_EVALUATE, location, found=reason), reason)


def _failure_verdict(exc: SignatureValidationError, location: str) -> SignatureVerdict:
    """ETSI EN 319 102-1 subindications: FORMAT_FAILURE is invalid, the rest indeterminate."""
    reason = str(exc.failure_message)[:300]
    if exc.ades_subindication is AdESFailure.FORMAT_FAILURE:
        return _verdict("invalid", Finding(sc.SIG_PARSE, location, found=reason), reason)
    if exc.ades_subindication is AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND:
        return _verdict("indeterminate", Finding(sc.SIG_NO_SIGNER_CERT, location, found=reason), reason)
    return _verdict("indeterminate", Finding(sc.SIG_CANNOT_EVALUATE, location, found=reason), reason)


def verify_detached(data: bytes, signature: bytes, *, trusted: Sequence[x509.Certificate],
                    now: datetime, location: str = "") -> SignatureVerdict:
    """Verify a detached CMS signature over ``data``; never raises for bad input.

    ``location`` names the signed file in findings (relative to the package root).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return _verify_stream(io.BytesIO(bytes(data)), signature, trusted, now, location)


def sign_file(path: Path, signer: Signer, signing_time: datetime) -> Path:
    """Sign ``path`` and write the DER signature to ``<path>.p7s`` atomically."""
    path = Path(path)
    with open(path, "rb") as content:
        signature = signer.sign_stream(content, signing_time=signing_time)
    target = path.with_name(path.name + SIGNATURE_SUFFIX)
    write_atomic(target, signature)
    return target


def verify_file(path: Path, sig_path: Path, trusted: Sequence[x509.Certificate], now: datetime,
                *, location: str | None = None) -> SignatureVerdict:
    """Verify ``sig_path`` over ``path``; a missing file is an *invalid* verdict."""
    where = location if location is not None else Path(path).name
    try:
        signature = Path(sig_path).read_bytes()
        content = open(path, "rb")
    except OSError as exc:
        name = exc.filename if exc.filename else str(sig_path)
        reason = f"{Path(str(name)).name}: {exc.strerror or exc}"
        return _verdict("invalid", Finding(sc.SIG_FILE_MISSING, where, found=reason), reason)
    with content:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return _verify_stream(content, signature, trusted, now, where)
