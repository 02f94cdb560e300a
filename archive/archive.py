"""The Archive: one archive root opened with its configuration, catalogue and store."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine

from archive import db
from archive.catalogue import ensure_locations
from archive.config import CONFIG_NAME, Config, ConfigError, load_config, render_default_config
from archive.events import append_event
from archive.store import Location

#: the event log's head (seq, hash), written after every commit that appended events: a log whose
#: tail was deleted, or a catalogue restored from a backup, ends before it (archive.logcheck CKP-10).
HEAD_WITNESS = Path("log") / "head.json"


class Archive:
    """An opened archive.  Usable as a library; the CLI is a thin shell over it."""

    def __init__(self, config: Config, engine: Engine):
        self.config = config
        self.engine = engine
        self.locations = tuple(Location.from_config(s) for s in config.storage)

    @classmethod
    def open(cls, root: Path) -> "Archive":
        config = load_config(root)
        engine = db.make_engine(config.catalogue_url)
        try:
            if not db.has_schema(engine):
                raise ConfigError(f"catalogue at {config.catalogue_url} has no schema; run 'casearchive init'")
            db.upgrade(engine, config.root / "locks", once=True)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 — any driver error is an environment failure here
            raise ConfigError(f"cannot open the catalogue {config.catalogue_url}: {exc}") from exc
        db.set_head_witness(engine, config.root / HEAD_WITNESS)
        return cls(config, engine)

    @property
    def primary(self) -> Location:
        return self.locations[0]

    def location(self, name: str) -> Location:
        for loc in self.locations:
            if loc.name == name:
                return loc
        raise ConfigError(f"no storage location named {name!r}")

    @cached_property
    def signer(self):  # type: ignore[no-untyped-def]
        from fixity.keys import KeyProtectionError, SigningPaths, load_signer, passphrase_from_env

        try:
            return load_signer(SigningPaths(self.config.signing.key, self.config.signing.cert),
                               passphrase_from_env(os.environ))
        except (KeyProtectionError, OSError, ValueError) as exc:
            raise ConfigError(f"signing key unusable: {exc}") from exc

    @cached_property
    def trusted(self) -> list:  # type: ignore[type-arg]
        from cryptography import x509

        certs = []
        for path in self.config.signing.trusted:
            try:
                certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
            except (OSError, ValueError) as exc:
                raise ConfigError(f"trusted certificate {path} unreadable: {exc}") from exc
        return certs

    def close(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class InitOptions:
    name: str = "电子诉讼档案库"
    fonds_number: str = "J001"
    organization: str = "人民法院"
    key_pem: Path | None = None
    cert_pem: Path | None = None
    pkcs12: Path | None = None
    passphrase: bytes | None = None
    catalogue_url: str | None = None
    extra_toml: str = field(default="")
    #: [checks] virus_scan and clamav_database written by init (the demo's test signatures).
    virus_scan: str = "required"
    clamav_database: str | None = None


def init_archive(root: Path, options: InitOptions, now: datetime) -> Archive:
    """Create a new archive at ``root``: config, catalogue, storage, signing identity."""
    from fixity.keys import generate_identity, import_identity

    root = root.resolve()
    if (root / CONFIG_NAME).exists():
        raise ConfigError(f"an archive already exists at {root}")
    root.mkdir(parents=True, exist_ok=True)
    text = render_default_config(options.name, options.fonds_number, options.organization,
                                 virus_scan=options.virus_scan, clamav_database=options.clamav_database)
    if options.catalogue_url:
        text = text.replace('url = "sqlite:///catalogue.sqlite"', f'url = "{options.catalogue_url}"')
    config_path = root / CONFIG_NAME
    config_path.write_text(text + options.extra_toml, encoding="utf-8")
    config = load_config(root)
    key_dir = config.signing.key.parent
    if options.pkcs12 or options.key_pem:
        import_identity(key_dir, key_pem=options.key_pem, cert_pem=options.cert_pem, pkcs12=options.pkcs12,
                        passphrase=options.passphrase)
    else:
        generate_identity(key_dir, common_name=f"{options.name} 归档签名", organization=options.organization,
                          passphrase=options.passphrase, now=now)
    for path in (config.quarantine, config.receipts, root / "locks"):
        path.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(config.catalogue_url)
    db.upgrade(engine, root / "locks")
    db.set_head_witness(engine, root / HEAD_WITNESS)
    archive = Archive(config, engine)
    for loc in archive.locations:
        loc.ensure()
    with db.write_session(engine) as session:
        ensure_locations(session, [(s.name, str(s.path), s.required) for s in config.storage], now)
        append_event(session, at=now, type="archive.init", agent="casearchive init",
                     detail={"root": str(root), "locations": [s.name for s in config.storage],
                             "schema": db.current_revision_in(session)})
    return archive
