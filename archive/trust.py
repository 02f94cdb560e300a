"""Trust anchors of the archive's own signatures, and key rotation.

Trust is pinned (docs/aip.md, "Trust"): a signature over an AIP's tag manifest or a
checkpoint counts only when its signer certificate is one of [signing] trusted, or
is issued by one, compared by certificate fingerprint — never by name.  The current
certificate is always an anchor; a rotated-out certificate stays one for everything
it signed.  Removing a certificate from the list makes all it signed fail.

Rotation, in crash-safe order:

1. the current certificate and key are copied to ``<key dir>/retired/`` (no overwrite);
2. the retired certificate is added to [signing] trusted in casearchive.toml;
3. a new key and self-signed certificate (same subject, same key type) replace the
   current ones, each by an atomic rename;
4. a ``signing.rotate`` event records both fingerprints.

A crash after 1 or 2 leaves the old identity working and already pinned; rerunning
the rotation completes it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive import db
from archive.archive import Archive
from archive.config import ConfigError, load_config, pin_trusted
from archive.events import append_event

AGENT = "casearchive key rotate"


@dataclass(frozen=True)
class Rotation:
    """What a rotation did (paths relative to the archive root)."""

    old_fingerprint: str
    new_fingerprint: str
    retired_cert: str
    retired_key: str
    certificate: str

    def to_dict(self) -> dict[str, Any]:
        return {"old_fingerprint": self.old_fingerprint, "new_fingerprint": self.new_fingerprint,
                "retired_cert": self.retired_cert, "retired_key": self.retired_key,
                "certificate": self.certificate}


def rotate_signing_key(archive: Archive, now: datetime) -> Rotation:
    """Rotate the archive's signing key (see the module docstring); ``archive`` then uses the new one."""
    from fixity.keys import (IdentityError, KeyProtectionError, SigningPaths, passphrase_from_env,
                             retire_current, rotate_identity)

    signing = archive.config.signing
    paths = SigningPaths(signing.key, signing.cert)
    root = archive.config.root
    try:
        passphrase = passphrase_from_env(os.environ)
        archive.signer  # noqa: B018 — refuse before changing anything if the current key is unusable
        cert_copy, _key_copy, _old = retire_current(paths, now)
        pin_trusted(root, cert_copy)
        rotated = rotate_identity(paths, passphrase=passphrase, now=now)
    except (IdentityError, KeyProtectionError, OSError) as exc:
        raise ConfigError(f"key rotation failed: {exc}") from exc
    result = Rotation(rotated.old_fingerprint, rotated.new_fingerprint, _rel(root, rotated.retired_cert),
                      _rel(root, rotated.retired_key), _rel(root, signing.cert))
    with db.write_session(archive.engine) as session:
        append_event(session, at=now, type="signing.rotate", agent=AGENT, detail=result.to_dict())
    archive.config = load_config(root)  # the anchors just pinned
    for cached in ("signer", "trusted"):
        archive.__dict__.pop(cached, None)
    return result


def _rel(root: Any, path: Any) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)
