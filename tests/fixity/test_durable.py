"""Durable writes respect the umask: an operator who runs with umask 077 gets private files."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fixity.durable import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():  # type: ignore[no-untyped-def]
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


@pytest.mark.parametrize("mask, mode, expected", [(0o077, None, 0o600), (0o022, None, 0o644), (0o002, None, 0o664),
                                                  (0o022, 0o600, 0o600), (0o077, 0o644, 0o600)])
def test_write_atomic_respects_the_umask(tmp_path, umask, mask, mode, expected):
    umask(mask)
    target = tmp_path / "receipt.json"
    kwargs = {} if mode is None else {"mode": mode}
    write_atomic(target, b"{}\n", **kwargs)
    assert _mode(target) == expected
    write_atomic(target, b"{ }\n", **kwargs)  # replacing keeps to the same rule
    assert _mode(target) == expected and target.read_bytes() == b"{ }\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["receipt.json"], "no temp file left behind"


def test_a_receipt_written_under_umask_077_is_private(archive, sip, now, umask):
    from ingest.pipeline import ingest_package

    umask(0o077)
    outcome = ingest_package(archive, sip, now=now)
    assert outcome.status == "archived"
    receipt = Path(outcome.receipt)
    assert _mode(receipt) == 0o600 and _mode(Path(str(receipt) + ".p7s")) == 0o600


def test_the_step_before_content_never_shows_under_the_final_name(tmp_path):
    target = tmp_path / "marker"
    seen: list[bool] = []
    write_atomic(target, b"data", overwrite=False, before_content=lambda: seen.append(target.exists()))
    assert seen == [False] and target.read_bytes() == b"data"
    with pytest.raises(FileExistsError):
        write_atomic(target, b"other", overwrite=False)
    assert target.read_bytes() == b"data"
