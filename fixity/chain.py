"""The hash chain of the event log, and Merkle roots for signed checkpoints.

Rules (cited by the ``LOG-`` finding codes):

- LOG-1  an event is ``(seq, prev_hash, hash, payload)``; hashes are 64 lowercase hex
  digits, ``seq`` a positive integer, ``payload`` a JSON object.
- LOG-2  ``hash = SHA-256(canonical_json({"seq": seq, "prev": prev_hash, "payload": payload}))``.
- LOG-3  ``prev_hash`` of an event is the ``hash`` of the event before it; the first
  event's is :data:`GENESIS`.
- LOG-4  ``seq`` starts at 1 and increases by exactly one.
- LOG-5  the recorded chain head equals the last event (checked by the catalogue).

Canonical JSON: keys sorted, no whitespace, UTF-8, non-ASCII kept as is.  Only JSON
types are accepted (dates must already be ISO 8601 strings) so that the bytes — and
hence the hash — can be recomputed by any other implementation.  The chain proves
order and integrity of what it holds; cutting off its tail is only visible against
a head recorded elsewhere (LOG-5) or a signed checkpoint (:func:`merkle_root`).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Sequence

from findings import Finding
from fixity import sign_codes as sc

GENESIS = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CanonicalJSONError(TypeError):
    """The value holds something that is not plain JSON (a datetime, a set, NaN…)."""


def _check_json(obj: Any, path: str) -> None:
    """Walk ``obj`` and reject anything that would not serialise canonically."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return
    if isinstance(obj, float):
        # NaN and Infinity are not JSON; json.dumps would emit them anyway.
        if not math.isfinite(obj):
            raise CanonicalJSONError(f"{path}: {obj!r} is not a JSON number")
        return
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if not isinstance(key, str):
                raise CanonicalJSONError(f"{path}: key {key!r} is not a string")
            _check_json(value, f"{path}.{key}")
        return
    if isinstance(obj, (list, tuple)):
        for index, value in enumerate(obj):
            _check_json(value, f"{path}[{index}]")
        return
    raise CanonicalJSONError(f"{path}: {type(obj).__name__} is not a JSON type")


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 without escaping; only JSON types."""
    _check_json(obj, "$")
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_reject)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate has no UTF-8 form
        raise CanonicalJSONError(f"$: string is not valid Unicode ({exc.reason})") from exc


def _reject(obj: Any) -> Any:
    # Mapping subclasses that are not dicts reach json.dumps' default hook.
    if isinstance(obj, Mapping):
        return dict(obj)
    raise CanonicalJSONError(f"{type(obj).__name__} is not a JSON type")


def event_hash(seq: int, prev_hash: str, payload: Mapping[str, Any]) -> str:
    """LOG-2: the hex SHA-256 of the canonical ``{"seq", "prev", "payload"}`` object."""
    body = canonical_json({"seq": seq, "prev": prev_hash, "payload": payload})
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class ChainEvent:
    """One link of the chain as stored: the database row reduced to what is hashed."""

    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, Any]


def _malformed(event: ChainEvent) -> str | None:
    """LOG-1: why ``event`` cannot be checked, or None."""
    if not _is_seq(event.seq) or event.seq < 1:
        return f"seq {event.seq!r} is not a positive integer"
    for name in ("prev_hash", "hash"):
        value = getattr(event, name)
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            return f"{name} {value!r:.80} is not 64 lowercase hex digits"
    if not isinstance(event.payload, Mapping):
        return f"payload is a {type(event.payload).__name__}, not an object"
    return None


def _recomputed(event: ChainEvent) -> tuple[str | None, str | None]:
    """(hash, None) or (None, reason) when the payload is not canonical JSON."""
    try:
        return event_hash(event.seq, event.prev_hash, event.payload), None
    except CanonicalJSONError as exc:
        return None, f"payload: {exc}"
    except RecursionError:
        return None, "payload: nested too deeply"


def _check_event(event: ChainEvent, want_seq: int, want_prev: str) -> Iterator[Finding]:
    """Findings for one well-formed event given the expected seq and prev."""
    where = str(event.seq)
    if event.seq > want_seq:
        yield Finding(sc.LOG_SEQ_GAP, where, expected=str(want_seq), found=str(event.seq))
    elif event.seq < want_seq:
        yield Finding(sc.LOG_SEQ_ORDER, where, expected=str(want_seq), found=str(event.seq))
    if event.prev_hash != want_prev:
        yield Finding(sc.LOG_LINK_BROKEN, where, expected=want_prev, found=event.prev_hash)
    digest, problem = _recomputed(event)
    if problem is not None:
        yield Finding(sc.LOG_MALFORMED, where, found=problem)
    elif digest != event.hash:
        yield Finding(sc.LOG_HASH_MISMATCH, where, expected=digest, found=event.hash)


def iter_chain_findings(events: Iterable[ChainEvent], *, start_prev: str = GENESIS,
                        start_seq: int = 1) -> Iterator[Finding]:
    """Stream the findings of :func:`verify_chain`; holds one event at a time.

    After each event the expectation resynchronises on what was stored (its seq and
    hash), so one tampering yields findings at the place of the damage, not a cascade
    over every later event.
    """
    want_seq, want_prev = start_seq, start_prev
    for index, event in enumerate(events):
        problem = _malformed(event)
        if problem is not None:
            yield Finding(sc.LOG_MALFORMED, _where(event, index), found=problem)
            want_seq = event.seq + 1 if _is_seq(event.seq) else want_seq + 1
            want_prev = event.hash if isinstance(event.hash, str) else want_prev
            continue
        yield from _check_event(event, want_seq, want_prev)
        want_seq, want_prev = event.seq + 1, event.hash


def _is_seq(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _where(event: ChainEvent, index: int) -> str:
    """The seq when it is usable, else the position in the stream (``#n``)."""
    return str(event.seq) if _is_seq(event.seq) else f"#{index + 1}"


def verify_chain(events: Iterable[ChainEvent], *, start_prev: str = GENESIS,
                 start_seq: int = 1) -> list[Finding]:
    """Check LOG-1..LOG-4 over ``events`` in stored order; empty list = intact.

    ``start_prev``/``start_seq`` let a verification begin at a trusted checkpoint
    instead of the genesis.  Memory is constant in the number of events (only the
    findings are collected; use :func:`iter_chain_findings` to stream those too).
    """
    return list(iter_chain_findings(events, start_prev=start_prev, start_seq=start_seq))


def _leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves: Sequence[bytes]) -> str:
    """RFC 6962 §2.1 Merkle Tree Hash of ``leaves``, as hex.

    Computed level by level, an odd last node promoted unchanged; this equals the
    RFC's recursive split at the largest power of two below n.  The empty tree
    hashes to SHA-256 of the empty string.
    """
    if not leaves:
        return hashlib.sha256(b"").hexdigest()
    level = [_leaf_hash(bytes(leaf)) for leaf in leaves]
    while len(level) > 1:
        pairs = [_node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])
        level = pairs
    return level[0].hex()
