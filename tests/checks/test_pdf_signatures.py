"""Signatures embedded in PDFs (DA/T 70 1-1): intact, valid, trusted, changed after signing."""
from __future__ import annotations

import io
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from archive.config import ConfigError  # noqa: E402
from checks.api import Status  # noqa: E402
from checks.content.pdf_signatures import validate_pdf_signatures  # noqa: E402
from checks.items_content import check_fixity_information  # noqa: E402

# pyHanko stamps the signing time from the clock; validate a little later than that.
WHEN = datetime.now(timezone.utc)
SIGNER = cf.make_signer()
SIGNED = cf.sign_pdf(cf.embedded_font_pdf(), SIGNER)


def _check(data: bytes, roots: list) -> list[tuple[str, str | None, str | None, list[str]]]:  # type: ignore[type-arg]
    checks = validate_pdf_signatures(io.BytesIO(data), "x.pdf", roots, WHEN)
    return [(c.status, c.coverage, c.modification, [f.code for f in c.findings]) for c in checks]


def test_valid_and_trusted() -> None:
    assert _check(SIGNED, [SIGNER.cert]) == [("valid", "ENTIRE_FILE", "NONE", [])]


def test_valid_but_signer_not_among_the_roots_is_indeterminate() -> None:
    assert _check(SIGNED, []) == [("indeterminate", "ENTIRE_FILE", "NONE", ["CHK-SIG-PDF-UNTRUSTED"])]
    assert _check(SIGNED, [cf.make_signer("别的机构").cert])[0][0] == "indeterminate"


def test_page_replaced_in_an_incremental_update_after_signing() -> None:
    tampered = cf.modify_after_signing(SIGNED)
    assert tampered.startswith(SIGNED)  # the signed revision itself is untouched
    assert _check(tampered, [SIGNER.cert]) == [("invalid", "ENTIRE_REVISION", "OTHER", ["CHK-SIG-PDF-MODIFIED"])]


def test_byte_flipped_inside_the_signed_range() -> None:
    status, _coverage, _level, codes = _check(cf.flip_in_signed_range(SIGNED), [SIGNER.cert])[0]
    assert (status, codes) == ("invalid", ["CHK-SIG-PDF-NOT-INTACT"])


def test_unsigned_pdf_has_no_signatures() -> None:
    assert _check(cf.embedded_font_pdf(), [SIGNER.cert]) == []


def _package(tmp_path: Path, data: bytes) -> cf.DirPackage:
    return cf.make_package(tmp_path / "bag", {"documents/signed.pdf": data})


def _sig_results(tmp_path: Path, data: bytes, roots: list[str]):  # type: ignore[no-untyped-def]
    ctx = cf.context(WHEN, trusted_roots=roots)
    results = check_fixity_information(_package(tmp_path, data), ctx)
    return [r for r in results if "#" in r.object]


def test_item_1_1_trusts_roots_from_the_config(tmp_path: Path) -> None:
    pem = tmp_path / "court-root.pem"
    pem.write_bytes(SIGNER.pem())
    [result] = _sig_results(tmp_path, SIGNED, [str(pem)])
    assert (result.item, result.status, result.object) == ("1-1", Status.PASSED, "data/documents/signed.pdf#Signature1")
    assert "测试法院电子签名" in (result.found or "")


def test_item_1_1_fails_a_document_changed_after_signing(tmp_path: Path) -> None:
    pem = tmp_path / "court-root.pem"
    pem.write_bytes(SIGNER.pem())
    [result] = _sig_results(tmp_path, cf.modify_after_signing(SIGNED), [str(pem)])
    assert result.status is Status.FAILED
    assert [f.code for f in result.findings] == ["CHK-SIG-PDF-MODIFIED"]
    assert "修改" in result.findings[0].message(__import__("findings").Lang.ZH)


def test_item_1_1_untrusted_is_never_passed(tmp_path: Path) -> None:
    [result] = _sig_results(tmp_path, SIGNED, [])
    assert result.status is Status.INDETERMINATE


def test_unreadable_trusted_root_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        _sig_results(tmp_path, SIGNED, [str(tmp_path / "missing.pem")])
