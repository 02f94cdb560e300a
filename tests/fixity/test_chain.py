"""The event-log hash chain and RFC 6962 Merkle roots (fixity.chain)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from findings import Lang, all_codes
from fixity.chain import (GENESIS, CanonicalJSONError, ChainEvent, canonical_json, event_hash,
                          iter_chain_findings, merkle_root, verify_chain)

# --- canonical JSON -------------------------------------------------------------------


def test_canonical_json_bytes() -> None:
    assert canonical_json({"b": 1, "a": "中文", "c": [True, None, 2.5]}) == \
        '{"a":"中文","b":1,"c":[true,null,2.5]}'.encode("utf-8")


@pytest.mark.parametrize("bad", [
    {"at": datetime(2024, 1, 1, tzinfo=timezone.utc)},
    {"s": {1, 2}},
    {"b": b"bytes"},
    {1: "non-string key"},
    {"n": float("nan")},
    {"i": float("inf")},
    {"s": "\ud800"},  # a lone surrogate has no UTF-8 form
])
def test_canonical_json_rejects_non_json(bad: Any) -> None:
    with pytest.raises(CanonicalJSONError):
        canonical_json(bad)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
_payloads = st.dictionaries(st.text(max_size=8), _json, max_size=5)


@given(_payloads)
def test_canonical_json_round_trips_and_ignores_key_order(payload: dict[str, Any]) -> None:
    data = canonical_json(payload)
    assert json.loads(data.decode("utf-8")) == payload
    reordered = dict(reversed(list(payload.items())))
    assert canonical_json(reordered) == data
    assert canonical_json(json.loads(data.decode("utf-8"))) == data  # idempotent


def test_event_hash_matches_an_independent_computation() -> None:
    payload = {"type": "ingest", "agent": "张三", "at": "2024-05-01T08:00:00+00:00"}
    body = json.dumps({"seq": 7, "prev": GENESIS, "payload": payload}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert event_hash(7, GENESIS, payload) == hashlib.sha256(body).hexdigest()


# --- chains ---------------------------------------------------------------------------


def build_chain(payloads: list[dict[str, Any]], start_seq: int = 1,
                start_prev: str = GENESIS) -> list[ChainEvent]:
    events, prev = [], start_prev
    for seq, payload in enumerate(payloads, start=start_seq):
        digest = event_hash(seq, prev, payload)
        events.append(ChainEvent(seq, prev, digest, payload))
        prev = digest
    return events


def chain(n: int) -> list[ChainEvent]:
    return build_chain([{"type": "check", "n": i, "aip": f"AIP-{i:03d}"} for i in range(n)])


def codes_at(findings: list[Any]) -> list[tuple[str, str]]:
    return [(f.code, f.location) for f in findings]


def test_intact_chain_and_empty_chain_have_no_findings() -> None:
    assert verify_chain(chain(10)) == []
    assert verify_chain([]) == []


def test_changed_payload_is_a_hash_mismatch_at_that_event() -> None:
    events = chain(6)
    events[2] = dataclasses.replace(events[2], payload={**events[2].payload, "n": 99})
    findings = verify_chain(events)
    assert codes_at(findings) == [("LOG-HASH-MISMATCH", "3")]
    assert findings[0].expected == event_hash(3, events[2].prev_hash, events[2].payload)
    assert findings[0].found == events[2].hash


def test_changed_hash_breaks_the_link_at_the_next_event() -> None:
    events = chain(6)
    forged = "f" * 64
    original = events[3].hash
    events[3] = dataclasses.replace(events[3], hash=forged)
    findings = verify_chain(events)
    assert codes_at(findings) == [("LOG-HASH-MISMATCH", "4"), ("LOG-LINK-BROKEN", "5")]
    assert (findings[1].expected, findings[1].found) == (forged, original)


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link() -> None:
    events = chain(6)
    payload = {**events[1].payload, "agent": "intruder"}
    events[1] = ChainEvent(2, events[1].prev_hash, event_hash(2, events[1].prev_hash, payload), payload)
    assert codes_at(verify_chain(events)) == [("LOG-LINK-BROKEN", "3")]


def test_deleted_event_is_a_gap_and_a_broken_link() -> None:
    events = chain(6)
    del events[2]
    findings = verify_chain(events)
    assert codes_at(findings) == [("LOG-SEQ-GAP", "4"), ("LOG-LINK-BROKEN", "4")]
    assert (findings[0].expected, findings[0].found) == ("3", "4")


def test_inserted_event_is_detected() -> None:
    events = chain(5)
    extra = build_chain([{"type": "forged"}], start_seq=3, start_prev=events[1].hash)[0]
    events.insert(2, extra)  # well-formed itself; the displaced event no longer fits
    assert codes_at(verify_chain(events)) == [("LOG-SEQ-ORDER", "3"), ("LOG-LINK-BROKEN", "3")]


def test_reordered_events_are_detected() -> None:
    events = chain(6)
    events[2], events[3] = events[3], events[2]
    assert codes_at(verify_chain(events)) == [
        ("LOG-SEQ-GAP", "4"), ("LOG-LINK-BROKEN", "4"),
        ("LOG-SEQ-ORDER", "3"), ("LOG-LINK-BROKEN", "3"),
        ("LOG-SEQ-GAP", "5"), ("LOG-LINK-BROKEN", "5")]


@pytest.mark.parametrize("change, found", [
    ({"hash": "NOT-HEX"}, "hash"),
    ({"prev_hash": "A" * 64}, "prev_hash"),
    ({"seq": "3"}, "seq"),
    ({"seq": 0}, "seq"),
    ({"payload": ["not", "an", "object"]}, "payload"),
    ({"payload": {"at": datetime(2024, 1, 1)}}, "payload"),
])
def test_malformed_events_become_findings(change: dict[str, Any], found: str) -> None:
    events = chain(5)
    events[2] = dataclasses.replace(events[2], **change)
    findings = verify_chain(events)
    malformed = [f for f in findings if f.code == "LOG-MALFORMED"]
    assert len(malformed) == 1 and found in (malformed[0].found or "")


def test_verification_can_start_at_a_checkpoint() -> None:
    events = chain(10)
    tail = events[6:]
    assert verify_chain(tail, start_prev=events[5].hash, start_seq=7) == []
    assert codes_at(verify_chain(tail)) == [("LOG-SEQ-GAP", "7"), ("LOG-LINK-BROKEN", "7")]


def test_verification_streams_a_one_shot_iterator() -> None:
    def events() -> Iterator[ChainEvent]:
        prev = GENESIS
        for seq in range(1, 20_001):
            payload = {"n": seq}
            digest = event_hash(seq, prev, payload)
            yield ChainEvent(seq, prev, digest, payload)
            prev = digest

    stream = events()
    assert verify_chain(stream) == []
    assert next(stream, None) is None
    assert next(iter_chain_findings(iter(chain(3))), None) is None


MUTATIONS = ("payload", "hash", "prev", "seq", "delete", "insert", "swap", "duplicate")


def mutate(events: list[ChainEvent], kind: str, index: int, salt: str) -> list[ChainEvent]:
    out = list(events)
    ev = out[index]
    if kind == "payload":
        out[index] = dataclasses.replace(ev, payload={**ev.payload, "tampered": salt})
    elif kind == "hash":
        out[index] = dataclasses.replace(ev, hash=hashlib.sha256(salt.encode() + ev.hash.encode()).hexdigest())
    elif kind == "prev":
        out[index] = dataclasses.replace(ev, prev_hash=hashlib.sha256(salt.encode()).hexdigest())
    elif kind == "seq":
        out[index] = dataclasses.replace(ev, seq=ev.seq + 1 + len(salt))
    elif kind == "delete":
        del out[index]
    elif kind == "insert":
        prev = out[index - 1].hash if index else GENESIS
        out.insert(index, build_chain([{"forged": salt}], start_seq=ev.seq, start_prev=prev)[0])
    elif kind == "swap":
        out[index], out[index + 1] = out[index + 1], out[index]
    elif kind == "duplicate":
        out.insert(index, ev)
    return out


@settings(max_examples=200, deadline=None)
@given(payloads=st.lists(_payloads, min_size=2, max_size=12), kind=st.sampled_from(MUTATIONS),
       position=st.integers(min_value=0), salt=st.text(min_size=1, max_size=6))
def test_any_single_mutation_of_a_valid_chain_is_detected(payloads: list[dict[str, Any]], kind: str,
                                                          position: int, salt: str) -> None:
    events = build_chain(payloads)
    assert verify_chain(events) == []
    # Cutting off the last event is only visible against the recorded head (LOG-5),
    # so deletion targets events that have a successor; swap needs one too.
    last = len(events) - 2 if kind in ("delete", "swap") else len(events) - 1
    index = position % (last + 1)
    mutated = mutate(events, kind, index, salt)
    assume(mutated != events)
    assert verify_chain(mutated), f"{kind} at {index} went unnoticed"


# --- Merkle roots (RFC 6962 §2.1) ----------------------------------------------------


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """The RFC's recursive definition, independent of the level-by-level code."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


def _leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_merkle_vectors_for_0_1_2_3_5_leaves() -> None:
    a, b, c, d, e = (x.encode() for x in "abcde")
    assert merkle_root([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle_root([a]) == _leaf(a).hex()
    assert merkle_root([a, b]) == _node(_leaf(a), _leaf(b)).hex()
    assert merkle_root([a, b, c]) == _node(_node(_leaf(a), _leaf(b)), _leaf(c)).hex()
    left = _node(_node(_leaf(a), _leaf(b)), _node(_leaf(c), _leaf(d)))
    assert merkle_root([a, b, c, d, e]) == _node(left, _leaf(e)).hex()


def test_merkle_leaf_and_node_hashes_are_domain_separated() -> None:
    a, b = b"a", b"b"
    inner = _leaf(a) + _leaf(b)
    # A forged single leaf equal to the concatenated children must not collide (RFC 6962 §2.1).
    assert merkle_root([inner]) != merkle_root([a, b])


@given(st.lists(st.binary(max_size=16), max_size=40))
def test_merkle_root_equals_the_recursive_definition(leaves: list[bytes]) -> None:
    assert merkle_root(leaves) == rfc6962_root(leaves).hex()


# --- codes ---------------------------------------------------------------------------


def test_log_codes_render_in_both_languages() -> None:
    from findings import Finding

    codes = [c for c in all_codes() if c.code.startswith("LOG-")]
    assert {c.code for c in codes} >= {"LOG-MALFORMED", "LOG-HASH-MISMATCH", "LOG-LINK-BROKEN",
                                       "LOG-SEQ-GAP", "LOG-SEQ-ORDER", "LOG-HEAD-MISMATCH"}
    for code in codes:
        finding = Finding(code.code, "12", expected="E", found="F")
        for lang in (Lang.EN, Lang.ZH):
            text = finding.message(lang) + finding.hint(lang)
            assert "{" not in text and finding.hint(lang) and code.clause
