"""The archive's signing identity: a key pair, its certificate, and their storage.

Algorithm: ECDSA P-256 with SHA-256 by default, RSA-3072 as the alternative
(``key_type="rsa"``).  SM2 (GB/T 32918, CMS per GB/T 35275) would be the national
choice, but ``cryptography`` — and pyHanko, which signs through it — has no SM2;
``key_type`` is the place to add it once a maintained library offers it.

The generated certificate is self-signed: subject CN/O/C=CN, basicConstraints
CA:FALSE (it is an end-entity signing certificate), keyUsage digitalSignature +
nonRepudiation (critical), subject and authority key identifiers, no extended key
usage.  OpenSSL's default ``cms -verify`` purpose (smimesign) accepts a leaf without
EKU, and OpenSSL trusts a self-signed certificate given with ``-CAfile`` even
without keyCertSign (checked with OpenSSL 3.0)::

    openssl cms -verify -binary -inform DER -in FILE.p7s -content FILE \\
        -CAfile signing-cert.pem -out /dev/null

Storage: the private key as PKCS#8 PEM (encrypted with the passphrase when one is
given) in a 0600 file inside a 0700 directory, written atomically and never over
an existing key; the certificate (then any chain) as PEM beside it.

Rotation (:func:`rotate_identity`) is the one sanctioned replacement: the old key
and certificate are first kept in ``retired/``, and the retired certificate stays
a trust anchor ([signing] trusted) for everything it signed.
"""
from __future__ import annotations

import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Mapping, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as _pkcs12
from cryptography.x509.oid import NameOID

from fixity.durable import fsync_dir
from fixity.durable import write_atomic
from fixity.signing import PrivateKey, Signer, fingerprint, public_key_der

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
ENV_PASSPHRASE = "CASEARCHIVE_KEY_PASSPHRASE"
ENV_PASSPHRASE_FILE = "CASEARCHIVE_KEY_PASSPHRASE_FILE"
KeyType = Literal["ec", "rsa"]
RSA_BITS = 3072


class IdentityError(ValueError):
    """The identity cannot be created or imported from what was given."""


class KeyProtectionError(Exception):
    """The stored key cannot be used safely (environment failure, not bad input)."""


@dataclass(frozen=True)
class SigningPaths:
    """Where the signing key and its certificate live."""

    key: Path
    cert: Path

    @classmethod
    def in_directory(cls, directory: Path) -> "SigningPaths":
        return cls(Path(directory) / KEY_FILE, Path(directory) / CERT_FILE)


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    raise IdentityError(f"unsupported key type {key_type!r}: use 'ec' or 'rsa'")


def _subject(common_name: str, organization: str) -> x509.Name:
    try:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                          x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    except ValueError as exc:  # empty or over-long (RFC 5280 ub-common-name 64)
        raise IdentityError(f"invalid subject name: {exc}") from exc


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February into a common year
        return moment.replace(year=moment.year + years, day=28)


def _key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                         crl_sign=False, encipher_only=False, decipher_only=False)


def _certificate(key: PrivateKey, subject: x509.Name, now: datetime, years: int) -> x509.Certificate:
    start = now.replace(microsecond=0)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(_add_years(start, years))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(_key_usage(), critical=True)
               .add_extension(ski, critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                              critical=False))
    return builder.sign(key, hashes.SHA256())


def generate_identity(directory: Path, common_name: str, organization: str, *,
                      passphrase: bytes | None, now: datetime, valid_years: int = 20,
                      key_type: KeyType = "ec") -> SigningPaths:
    """Create a new key and self-signed certificate in ``directory``.

    Raises :class:`IdentityError` if an identity already exists there or the
    names are unusable; ``now`` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if valid_years < 1:
        raise IdentityError("valid_years must be at least 1")
    subject = _subject(common_name, organization)
    paths = _refuse_existing(Path(directory))
    key = _new_key(key_type)
    return _store(paths, key, [_certificate(key, subject, now, valid_years)], passphrase)


RETIRED_DIR = "retired"


@dataclass(frozen=True)
class RotatedIdentity:
    """The outcome of a key rotation: the new identity and where the old one was kept."""

    paths: SigningPaths
    retired_cert: Path
    retired_key: Path
    old_fingerprint: str
    new_fingerprint: str


def retire_current(paths: SigningPaths, now: datetime) -> tuple[Path, Path, x509.Certificate]:
    """Copy the current certificate and key into ``<key dir>/retired/`` (never overwriting).

    Returns (retired certificate, retired key, current certificate).  The retired
    certificate stays a trust anchor for the AIPs and checkpoints it signed; the
    retired key (0600) may be destroyed once the operator's policy allows it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        cert_pem, key_pem = paths.cert.read_bytes(), paths.key.read_bytes()
        cert = x509.load_pem_x509_certificates(cert_pem)[0]
    except (OSError, ValueError, IndexError) as exc:
        raise IdentityError(f"cannot read the current signing identity: {exc}") from exc
    retired = paths.key.parent / RETIRED_DIR
    retired.mkdir(mode=0o700, exist_ok=True)
    os.chmod(retired, 0o700)
    stem = f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}-{fingerprint(cert)[:16]}"
    cert_copy, key_copy = retired / f"signing-cert-{stem}.pem", retired / f"signing-key-{stem}.pem"
    for target, data, mode in ((key_copy, key_pem, 0o600), (cert_copy, cert_pem, 0o644)):
        try:
            write_atomic(target, data, mode=mode, overwrite=False)
        except FileExistsError:
            if target.read_bytes() != data:  # a rerun after a crash finds its own copy
                raise IdentityError(f"{target} exists with other content") from None
    return cert_copy, key_copy, cert


def rotate_identity(paths: SigningPaths, *, passphrase: bytes | None, now: datetime,
                    valid_years: int = 20) -> RotatedIdentity:
    """Replace the signing key with a new one of the same type and subject.

    The current certificate and key are first kept in ``retired/`` (see
    :func:`retire_current`); then a new key and self-signed certificate replace them
    (key first, then certificate, each by an atomic rename).  The caller pins the
    retired certificate as a trust anchor *before* calling this, so old signatures
    never lose their anchor, even after a crash in between.
    """
    cert_copy, key_copy, old = retire_current(paths, now)
    public = old.public_key()
    key_type: KeyType = "rsa" if isinstance(public, rsa.RSAPublicKey) else "ec"
    key = _new_key(key_type)
    certificate = _certificate(key, old.subject, now, valid_years)
    staging = paths.key.parent / f".rotate-{secrets.token_hex(6)}"
    staged = _store(SigningPaths.in_directory(staging), key, [certificate], passphrase)
    try:
        os.replace(staged.key, paths.key)
        os.replace(staged.cert, paths.cert)
        fsync_dir(paths.key.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RotatedIdentity(paths, cert_copy, key_copy, fingerprint(old), fingerprint(certificate))


def _refuse_existing(directory: Path) -> SigningPaths:
    paths = SigningPaths.in_directory(directory)
    for path in (paths.key, paths.cert):
        if os.path.lexists(path):
            raise IdentityError(f"{path} exists; a signing identity is never overwritten")
    return paths


def _key_pem(key: PrivateKey, passphrase: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _store(paths: SigningPaths, key: PrivateKey, certs: Sequence[x509.Certificate],
           passphrase: bytes | None) -> SigningPaths:
    """Write key (0600, no overwrite) then certificate(s) (0644) into a 0700 directory."""
    directory = paths.key.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask; existing dirs too
    try:
        write_atomic(paths.key, _key_pem(key, passphrase), mode=0o600, overwrite=False)
    except FileExistsError as exc:
        raise IdentityError(f"{paths.key} exists; a signing identity is never overwritten") from exc
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    try:
        write_atomic(paths.cert, pem, mode=0o644, overwrite=False)
    except FileExistsError as exc:
        paths.key.unlink()  # we just wrote it; leave no half identity behind
        raise IdentityError(f"{paths.cert} exists; a signing identity is never overwritten") from exc
    return paths


def _load_key(data: bytes, passphrase: bytes | None, source: str) -> PrivateKey:
    """A private key from PEM; a passphrase given for an unencrypted key is ignored."""
    try:
        try:
            key = serialization.load_pem_private_key(data, passphrase)
        except TypeError:
            if passphrase is None:
                raise
            key = serialization.load_pem_private_key(data, None)  # not encrypted after all
    except (TypeError, ValueError) as exc:
        raise IdentityError(f"{source}: cannot read the private key ({exc})") from exc
    return _supported(key, source)


def _supported(key: object, source: str) -> PrivateKey:
    if isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        return key
    raise IdentityError(f"{source}: only EC and RSA keys are supported, not {type(key).__name__}")


def _read_pem_pair(key_pem: Path, cert_pem: Path,
                   passphrase: bytes | None) -> tuple[PrivateKey, list[x509.Certificate]]:
    key = _load_key(Path(key_pem).read_bytes(), passphrase, str(key_pem))
    try:
        certs = x509.load_pem_x509_certificates(Path(cert_pem).read_bytes())
    except ValueError as exc:
        raise IdentityError(f"{cert_pem}: cannot read the certificate ({exc})") from exc
    return key, certs


def _read_pkcs12(bundle: Path, passphrase: bytes | None) -> tuple[PrivateKey, list[x509.Certificate]]:
    try:
        key, cert, extra = _pkcs12.load_key_and_certificates(Path(bundle).read_bytes(), passphrase)
    except (TypeError, ValueError) as exc:
        raise IdentityError(f"{bundle}: cannot open the PKCS#12 bundle ({exc})") from exc
    if key is None or cert is None:
        raise IdentityError(f"{bundle}: the PKCS#12 bundle lacks a key or certificate")
    return _supported(key, str(bundle)), [cert, *extra]


def import_identity(directory: Path, *, key_pem: Path | None = None, cert_pem: Path | None = None,
                    pkcs12: Path | None = None, passphrase: bytes | None = None) -> SigningPaths:
    """Store the user's own key and certificate (PEM pair or PKCS#12) in ``directory``.

    ``passphrase`` opens the source and encrypts the stored key.  The certificate
    file keeps the leaf first, then any chain certificates, which signatures include.
    """
    pem_given = key_pem is not None or cert_pem is not None
    if (pkcs12 is not None) == pem_given or (pem_given and (key_pem is None or cert_pem is None)):
        raise IdentityError("give either key_pem and cert_pem, or pkcs12")
    paths = _refuse_existing(Path(directory))
    try:
        key, certs = (_read_pkcs12(pkcs12, passphrase) if pkcs12 is not None
                      else _read_pem_pair(key_pem, cert_pem, passphrase))  # type: ignore[arg-type]
    except OSError as exc:
        raise IdentityError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    if not certs or public_key_der(key.public_key()) != public_key_der(certs[0].public_key()):
        raise IdentityError("the private key does not match the certificate's public key")
    return _store(paths, key, certs, passphrase)


def _check_mode(path: Path) -> None:
    """Refuse a secret readable or writable by group or others (as ssh does)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise KeyProtectionError(f"cannot open {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise KeyProtectionError(f"{path} is not a regular file")
    if info.st_mode & 0o077:
        mode = oct(stat.S_IMODE(info.st_mode))
        raise KeyProtectionError(f"{path} has mode {mode}; it must be 0600 (chmod 600 {path})")


def _open_key(data: bytes, passphrase: bytes | None, path: Path) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, passphrase)
    except TypeError as exc:
        if passphrase is None:
            raise KeyProtectionError(f"{path} is encrypted and no passphrase was given: "
                                     f"set {ENV_PASSPHRASE} or {ENV_PASSPHRASE_FILE}") from exc
        # Refused rather than ignored: the operator believes the key is protected.
        raise KeyProtectionError(f"{path} is not encrypted but a passphrase was given") from exc
    except ValueError as exc:
        raise KeyProtectionError(f"{path}: cannot decrypt or read the key (wrong passphrase?)") from exc
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
        raise KeyProtectionError(f"{path}: only EC and RSA keys are supported")
    return key


def load_signer(paths: SigningPaths, passphrase: bytes | None) -> Signer:
    """The :class:`Signer` for stored key and certificate; raises KeyProtectionError."""
    _check_mode(paths.key)
    try:
        key_data, cert_data = paths.key.read_bytes(), paths.cert.read_bytes()
    except OSError as exc:
        raise KeyProtectionError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    key = _open_key(key_data, passphrase, paths.key)
    try:
        certs = x509.load_pem_x509_certificates(cert_data)
        return Signer(certs[0], key, tuple(certs[1:]))
    except (ValueError, IndexError) as exc:
        raise KeyProtectionError(f"{paths.cert}: unusable certificate ({exc})") from exc


def passphrase_from_env(environ: Mapping[str, str]) -> bytes | None:
    """The key passphrase from ``CASEARCHIVE_KEY_PASSPHRASE`` or the file named by
    ``CASEARCHIVE_KEY_PASSPHRASE_FILE`` (one trailing newline stripped); None if unset."""
    value, file_name = environ.get(ENV_PASSPHRASE), environ.get(ENV_PASSPHRASE_FILE)
    if value and file_name:
        raise KeyProtectionError(f"set only one of {ENV_PASSPHRASE} and {ENV_PASSPHRASE_FILE}")
    if value:
        return value.encode("utf-8")
    if not file_name:
        return None
    _check_mode(Path(file_name))
    try:
        data = Path(file_name).read_bytes()
    except OSError as exc:
        raise KeyProtectionError(f"cannot read {file_name}: {exc.strerror}") from exc
    data = data[:-1] if data.endswith(b"\n") else data
    data = data[:-1] if data.endswith(b"\r") else data
    return data or None

