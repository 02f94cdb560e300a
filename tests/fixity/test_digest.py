"""One read, many algorithms: digests equal hashlib's, copies are exact, errors are data."""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixity.digest import BatchDigests, UnsupportedAlgorithm, digest_file, digest_many, new_hash

ALGS = ("sha256", "sm3", "sha512")


def _expected(data: bytes) -> dict[str, str]:
    return {a: hashlib.new(a, data).hexdigest() for a in ALGS}


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3 * (1 << 20) // 2))
def test_digest_file_equals_hashlib_and_copies_exactly(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("d")
    src, dst = d / "src", d / "dst"
    src.write_bytes(data)
    size, digests = digest_file(src, ALGS, copy_to=dst, chunk=1 << 16)
    assert size == len(data) and digests == _expected(data)
    assert dst.read_bytes() == data


def test_sm3_standard_vector():
    h = new_hash("sm3")
    h.update(b"abc")  # GB/T 32905-2016 A.1
    assert h.hexdigest() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_unknown_algorithm_is_refused():
    with pytest.raises(UnsupportedAlgorithm):
        new_hash("crc32")


def test_existing_destination_and_links_are_refused(tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    (tmp_path / "b").write_bytes(b"y")
    with pytest.raises(FileExistsError):
        digest_file(tmp_path / "a", ["sha256"], copy_to=tmp_path / "b")
    os.symlink(tmp_path / "a", tmp_path / "link")
    with pytest.raises(OSError):
        digest_file(tmp_path / "link", ["sha256"])
    assert (tmp_path / "b").read_bytes() == b"y"


def _files(root: Path, n: int) -> dict[str, bytes]:
    out = {}
    for i in range(n):
        data = os.urandom(i * 37 % 5000)
        (root / f"f{i:04d}").write_bytes(data)
        out[f"f{i:04d}"] = data
    return out


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_digest_many_reports_every_file_and_errors_as_data(tmp_path, mode):
    files = _files(tmp_path, 120)
    jobs = [(k, tmp_path / k, None) for k in files] + [("gone", tmp_path / "gone", None)]
    results = {r.key: r for r in digest_many(jobs, ["sha256", "sm3"], workers=2, mode=mode, fsync=False)}
    assert results["gone"].error and results["gone"].size == -1
    for k, data in files.items():
        assert results[k].digests["sha256"] == hashlib.sha256(data).hexdigest()
        assert results[k].digests["sm3"] == hashlib.new("sm3", data).hexdigest()


def test_batch_digests_in_processes_and_in_a_threaded_process(tmp_path):
    files = _files(tmp_path, 300)
    rels = sorted(files) + ["missing"]
    first = BatchDigests(tmp_path, rels, ["sha256"], workers=2).results()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()  # with another thread alive, hashing must not fork
    try:
        second = BatchDigests(tmp_path, rels, ["sha256"], workers=2).results()
    finally:
        stop.set()
        other.join()
    assert first == second
    assert first["missing"].error
    assert all(first[k].digests["sha256"] == hashlib.sha256(v).hexdigest() and first[k].size == len(v)
               for k, v in files.items())
