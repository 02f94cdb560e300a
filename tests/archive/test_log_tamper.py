"""Direct edits of the event log and the catalogue in SQLite are caught, also by a clever attacker."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest

from archive.checkpoints import make_checkpoint, verify_log_full
from archive.rebuild import rebuild_catalogue
from fixity.chain import GENESIS, event_hash
from ingest.pipeline import ingest_package


@pytest.fixture
def signed(archive, sample_sips, now):
    """Two AIPs, a signed checkpoint, then one more AIP (its events are after the checkpoint)."""
    ids = [ingest_package(archive, sample_sips[i], now=now).aip_id for i in range(2)]
    make_checkpoint(archive, now)
    ids.append(ingest_package(archive, sample_sips[2], now=now).aip_id)
    assert verify_log_full(archive, now).ok
    return archive, ids


def _db(archive) -> sqlite3.Connection:
    return sqlite3.connect(archive.config.root / "catalogue.sqlite")


def _at(text: str) -> str:
    at = datetime.fromisoformat(text)
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).isoformat()


def _rechain(con: sqlite3.Connection) -> None:
    """What a clever attacker does after an edit: recompute every hash and the head."""
    rows = con.execute("SELECT seq, at, type, aip_id, agent, outcome, detail FROM event ORDER BY seq").fetchall()
    prev = GENESIS
    for seq, at, type_, aip_id, agent, outcome, detail in rows:
        payload = {"at": _at(at), "type": type_, "aip_id": aip_id, "agent": agent, "outcome": outcome,
                   "detail": json.loads(detail)}
        digest = event_hash(seq, prev, payload)
        con.execute("UPDATE event SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    con.execute("UPDATE event_head SET seq = ?, hash = ?", (rows[-1][0], prev))
    con.commit()


def _codes(archive, now) -> set[str]:
    return {f.code for f in verify_log_full(archive, now).findings if f.level.value == "error"}


def test_naive_change_breaks_the_chain(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("UPDATE event SET outcome = 'failure' WHERE seq = 2")
    result = verify_log_full(archive, now)
    assert [(f.code, f.location) for f in result.findings if f.level.value == "error"] == [("LOG-HASH-MISMATCH", "2")]


def test_naive_delete_and_reorder(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("DELETE FROM event WHERE seq = 3")
    assert "LOG-SEQ-GAP" in _codes(archive, now)


def test_naive_reorder_is_caught(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("UPDATE event SET seq = -1 WHERE seq = 2")
        con.execute("UPDATE event SET seq = 2 WHERE seq = 3")
        con.execute("UPDATE event SET seq = 3 WHERE seq = -1")
    codes = _codes(archive, now)
    assert "LOG-LINK-BROKEN" in codes or "LOG-HASH-MISMATCH" in codes


def test_clever_change_is_caught_by_the_checkpoint(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("UPDATE event SET detail = json_set(detail, '$.archive_number', 'J105-FAKE') WHERE seq = 2")
        _rechain(con)
    result = verify_log_full(archive, now)
    errors = {f.code: f for f in result.findings if f.level.value == "error"}
    # the AIP's own preservation/events.json still names the original event 2 (CKP-9), and the
    # head witness the original newest event (CKP-10)
    assert set(errors) == {"CKP-EVENTS-ROOT-MISMATCH", "CKP-LAST-EVENT-MISMATCH", "CKP-AIP-EVENT-DIFFERS",
                           "CKP-LOG-BEHIND-WITNESS"}, result.to_dict()
    covered = json.loads((archive.config.root / "log/checkpoints/00000001.json").read_bytes())["events"]["count"]
    assert errors["CKP-EVENTS-ROOT-MISMATCH"].params["range"] == f"1..{covered}"
    assert errors["CKP-LAST-EVENT-MISMATCH"].params["event"] == covered


def test_clever_delete_is_caught(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("DELETE FROM event WHERE seq = 2")
        con.execute("UPDATE event SET seq = seq - 1 WHERE seq > 2")
        _rechain(con)
    assert "CKP-EVENTS-ROOT-MISMATCH" in _codes(archive, now)


def test_clever_insert_is_caught(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("UPDATE event SET seq = seq + 1000 WHERE seq >= 2")
        con.execute("UPDATE event SET seq = seq - 999 WHERE seq >= 1002")
        con.execute("INSERT INTO event (seq, at, type, aip_id, agent, outcome, detail, prev_hash, hash) "
                    "VALUES (2, '2026-11-20 09:30:00', 'aip.verify', NULL, 'x', 'success', '{}', '', 'x')")
        _rechain(con)
    assert "CKP-EVENTS-ROOT-MISMATCH" in _codes(archive, now)


def test_clever_reorder_is_caught(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("UPDATE event SET seq = -1 WHERE seq = 2")
        con.execute("UPDATE event SET seq = 2 WHERE seq = 3")
        con.execute("UPDATE event SET seq = 3 WHERE seq = -1")
        _rechain(con)
    assert _codes(archive, now) == {"CKP-EVENTS-ROOT-MISMATCH", "CKP-LAST-EVENT-MISMATCH", "CKP-AIP-EVENT-DIFFERS",
                                    "CKP-LOG-BEHIND-WITNESS"}


def test_clever_truncation_is_caught(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("DELETE FROM event WHERE seq >= 3")
        _rechain(con)
    assert "CKP-LOG-TRUNCATED" in _codes(archive, now)


def test_checkpoint_files_and_rows(signed, now):
    archive, _ = signed
    cp_dir = archive.config.root / "log" / "checkpoints"
    with _db(archive) as con:
        con.execute("UPDATE checkpoint SET events_root = ? WHERE seq = 1", ("0" * 64,))
    assert "CKP-ROW-DIFFERS" in _codes(archive, now)
    body = (cp_dir / "00000001.json").read_bytes()
    (cp_dir / "00000001.json").write_bytes(body.replace(b'"count":', b'"count": ', 1))
    assert "CKP-SIGNATURE-INVALID" in _codes(archive, now)
    (cp_dir / "00000001.json").unlink()
    assert "CKP-FILE-MISSING" in _codes(archive, now)


def test_deleted_checkpoint_row_is_a_warning(signed, now):
    archive, _ = signed
    with _db(archive) as con:
        con.execute("DELETE FROM checkpoint")
    assert "CKP-ROW-MISSING" in {f.code for f in verify_log_full(archive, now).findings}


def test_catalogue_digest_edit_is_named(signed, now):
    archive, ids = signed
    with _db(archive) as con:
        con.execute("UPDATE aip SET tagmanifest_sha256 = ? WHERE id = ?", ("f" * 64, ids[0]))
    findings = {f.code: f for f in verify_log_full(archive, now).findings}
    assert "CKP-AIPS-ROOT-MISMATCH" in findings
    assert findings["CKP-AIP-DIGEST-DIFFERS"].location == ids[0]
    assert findings["CKP-AIP-DIGEST-DIFFERS"].found == "f" * 64


def test_deleted_aip_row_is_caught_by_checkpoint_and_rebuild(signed, now):
    archive, ids = signed
    with _db(archive) as con:
        for table, column in (("aip_file", "aip_id"), ("aip_copy", "aip_id"), ("aip", "id")):
            con.execute(f"DELETE FROM {table} WHERE {column} = ?", (ids[1],))
    missing = [f for f in verify_log_full(archive, now).findings if f.code == "CKP-AIP-MISSING"]
    assert [f.location for f in missing] == [ids[1]]
    report = rebuild_catalogue(archive, now)
    assert [(f.code, f.location) for f in report.differences] == [("RBD-AIP-NOT-IN-CATALOGUE", ids[1])]


def test_archive_number_and_file_digest_edits_are_caught_by_rebuild(signed, now):
    archive, ids = signed
    with _db(archive) as con:
        real = con.execute("SELECT archive_number FROM aip WHERE id = ?", (ids[2],)).fetchone()[0]
        con.execute("UPDATE aip SET archive_number = 'J105-2099-Y-MY-9999' WHERE id = ?", (ids[2],))
        path = con.execute("SELECT path FROM aip_file WHERE aip_id = ? AND role = 'payload' ORDER BY path",
                           (ids[2],)).fetchone()[0]
        con.execute("UPDATE aip_file SET sm3 = ? WHERE aip_id = ? AND path = ?", ("0" * 64, ids[2], path))
    diffs = {(f.code, f.location): f for f in rebuild_catalogue(archive, now).differences}
    number = diffs[("RBD-FIELD-DIFFERS", f"{ids[2]}/archive_number")]
    assert (number.expected, number.found) == (real, "J105-2099-Y-MY-9999")
    digest = diffs[("RBD-FILE-DIFFERS", f"{ids[2]}/{path}")]
    assert digest.params["field"] == "sm3" and digest.found == "0" * 64
    assert len(diffs) == 2
