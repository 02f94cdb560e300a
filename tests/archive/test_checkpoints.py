"""Signed checkpoints: files + rows + events, chained; optional RFC 3161 time-stamp from a loopback TSA."""
from __future__ import annotations

import importlib.util
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, strategies as st
from sqlalchemy import select

from archive import db
from archive.archive import Archive
from archive.checkpoints import (CheckpointPolicy, _Frontier, checkpoint_due, make_checkpoint, maybe_checkpoint,
                                 verify_log_full)
from archive.config import ConfigError
from archive.models import EventRow
from archive.models_integrity import CheckpointRow
from fixity.chain import merkle_root
from fixity.signing import verify_detached
from ingest.pipeline import ingest_package

_spec = importlib.util.spec_from_file_location("tsa_helpers", Path(__file__).with_name("test_timestamp.py"))
tsa_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tsa_helpers)


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_incremental_root_equals_merkle_root(leaves):
    frontier = _Frontier()
    for leaf in leaves:
        frontier.add(leaf)
    assert frontier.root() == merkle_root(leaves)


def test_checkpoint_is_signed_stored_and_logged(archive, sample_sips, now):
    ingest_package(archive, sample_sips[0], now=now)
    with db.read_session(archive.engine) as s:
        events = s.query(EventRow).count()
    cp = make_checkpoint(archive, now)
    path = archive.config.root / cp.path
    data = path.read_bytes()
    body = json.loads(data)
    assert body["seq"] == 1 and body["previous"] is None
    assert body["events"]["count"] == cp.event_count == events and body["aips"]["count"] == 1
    sig = path.with_name(path.name + ".p7s").read_bytes()
    assert verify_detached(data, sig, trusted=archive.trusted, now=now).valid
    with db.read_session(archive.engine) as s:
        row = s.get(CheckpointRow, 1)
        assert (row.events_root, row.aips_root) == (cp.events_root, cp.aips_root)
        last = s.execute(select(EventRow).order_by(EventRow.seq.desc()).limit(1)).scalar_one()
        assert last.type == "log.checkpoint" and last.detail["events_root"] == cp.events_root
    second = make_checkpoint(archive, now + timedelta(hours=1))
    assert second.seq == 2 and second.event_count == events + 1
    import hashlib
    assert json.loads((archive.config.root / second.path).read_bytes())["previous"] == {
        "seq": 1, "sha256": hashlib.sha256(data).hexdigest()}
    result = verify_log_full(archive, now)
    assert result.ok and result.checkpoints == 2 and result.covered == events + 1, result.to_dict()


def test_no_checkpoint_is_reported(archive, now):
    result = verify_log_full(archive, now)
    assert result.ok and [f.code for f in result.findings] == ["CKP-NONE"]


def _configure(archive: Archive, text: str) -> Archive:
    path = archive.config.root / "casearchive.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    archive.close()
    return Archive.open(archive.config.root)


def test_due_by_events_and_by_hours(archive, sample_sips, now):
    arc = _configure(archive, "[checkpoints]\nevery_events = 3\nevery_hours = 24\n")
    try:
        assert checkpoint_due(arc, now)  # events exist, no checkpoint yet
        make_checkpoint(arc, now)
        assert not checkpoint_due(arc, now)
        assert maybe_checkpoint(arc, now) is None
        ingest_package(arc, sample_sips[0], now=now)
        assert not checkpoint_due(arc, now)  # 1 new event (+ the checkpoint's own)
        assert checkpoint_due(arc, now + timedelta(hours=25))
        ingest_package(arc, sample_sips[1], now=now)
        ingest_package(arc, sample_sips[2], now=now)
        assert maybe_checkpoint(arc, now) is not None
    finally:
        arc.close()


@pytest.mark.parametrize("text", ["[checkpoints]\nevery_event = 3\n", "[checkpoints]\nevery_events = 0\n",
                                  "[checkpoints]\ntsa_url = \"ftp://x\"\n", "[checkpoints]\nevery_hours = \"x\"\n"])
def test_policy_rejects_bad_config(archive, text):
    arc = _configure(archive, text)
    try:
        with pytest.raises(ConfigError):
            CheckpointPolicy.from_config(arc.config)
    finally:
        arc.close()


@pytest.fixture
def tsa():
    cert, key, ca = tsa_helpers.make_tsa_identity()
    server = tsa_helpers.LoopbackTSA(cert, key, ca)
    server.ca = ca
    yield server
    server.close()


def test_checkpoint_with_loopback_tsa(archive, sample_sips, now, tsa):
    (archive.config.root / "tsa-root.pem").write_bytes(tsa.ca.public_bytes(serialization.Encoding.PEM))
    arc = _configure(archive, f'[checkpoints]\ntsa_url = "{tsa.url}"\ntsa_trusted = ["tsa-root.pem"]\n')
    try:
        ingest_package(arc, sample_sips[0], now=now)
        cp = make_checkpoint(arc, now)
        assert cp.findings == () and cp.timestamp_time == tsa_helpers.T0 and tsa.requests == 1
        token_path = arc.config.root / (cp.path + ".tsr")
        assert token_path.exists()
        assert verify_log_full(arc, now).ok
        token = bytearray(token_path.read_bytes())
        token[-5] ^= 1
        token_path.write_bytes(bytes(token))
        assert "CKP-TSA-INVALID" in {f.code for f in verify_log_full(arc, now).findings}
    finally:
        arc.close()


def test_checkpoint_when_tsa_is_down(archive, now, tsa):
    url = tsa.url
    tsa.close()
    arc = _configure(archive, f'[checkpoints]\ntsa_url = "{url}"\ntsa_timeout = 2\n')
    try:
        cp = make_checkpoint(arc, now)
        assert [f.code for f in cp.findings] == ["CKP-TSA-FAILED"]
        assert cp.timestamp_time is None and verify_log_full(arc, now).ok
    finally:
        arc.close()
