"""The seven content items over real packages: each passes a good package and fails a bad one."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from archive.config import ConfigError  # noqa: E402
from checks.api import CheckResult, Status  # noqa: E402
from checks.items_content import (check_attachments, check_content_integrity, check_fixity_information,  # noqa: E402
                                  check_format_allowed, check_long_term_format,
                                  check_no_encryption_or_proprietary_compression, check_readable)
from findings import Lang  # noqa: E402

ITEMS = (check_fixity_information, check_content_integrity, check_attachments, check_format_allowed,
         check_readable, check_long_term_format, check_no_encryption_or_proprietary_compression)


def _by_object(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.object: r for r in results}


def _one(item, files: dict[str, bytes], tmp_path: Path, pages=None, **settings) -> dict[str, CheckResult]:  # type: ignore[no-untyped-def]
    pkg = cf.make_package(tmp_path / "bag", files, pages=pages)
    return _by_object(item(pkg, cf.context(**settings)))


def _status(results: dict[str, CheckResult], path: str) -> Status:
    return results[f"data/{path}"].status


def _codes(results: dict[str, CheckResult], path: str) -> list[str]:
    return sorted(f.code for f in results[f"data/{path}"].findings)


# ---------------------------------------------------------------- a real sample SIP, every item, one read

def test_sample_sip_passes_every_content_item_reading_each_file_once(sample_sips: list[Path]) -> None:
    pkg = cf.bag_package(sample_sips[0])
    assert pkg.casefile is not None
    ctx = cf.context()
    results = [r for item in ITEMS for r in item(pkg, ctx)]
    files = [f.path for f in pkg.files()]
    assert pkg.opened == {path: 1 for path in files}  # seven items, one read per file
    by_item: dict[str, set[Status]] = {}
    for r in results:
        by_item.setdefault(r.item, set()).add(r.status)
    assert by_item == {"1-1": {Status.PASSED}, "2-7": {Status.PASSED}, "2-8": {Status.NOT_APPLICABLE},
                       "3-3": {Status.PASSED}, "3-4": {Status.PASSED}, "3-5": {Status.PASSED},
                       "3-8": {Status.PASSED}}
    formats = {ctx.cache[("format", p)].format for p in files}
    assert {"PDF", "OFD", "JPEG", "TIFF", "XML"} <= formats  # item 1-10 reads these from the cache
    plain_pdf = next(r for r in results if r.item == "3-5" and r.object.endswith(".pdf"))
    assert "CHK-FMT-NOT-PREFERRED" in [f.code for f in plain_pdf.findings] and "warning" in plain_pdf.remarks


# ---------------------------------------------------------------- 1-1

def test_1_1_digest_mismatch_fails(tmp_path: Path) -> None:
    pkg = cf.make_package(tmp_path / "bag", {"documents/a.pdf": cf.embedded_font_pdf()})
    (pkg.root / "data/documents/a.pdf").write_bytes(cf.plain_pdf(1))  # changed after the manifest was written
    results = _by_object(check_fixity_information(pkg, cf.context()))
    assert _status(results, "documents/a.pdf") is Status.FAILED
    assert _codes(results, "documents/a.pdf") == ["CHK-FIX-DIGEST-MISMATCH"]


def test_1_1_without_a_recorded_digest_is_indeterminate(tmp_path: Path) -> None:
    pkg = cf.make_package(tmp_path / "bag", {"documents/a.pdf": cf.embedded_font_pdf()}, manifest=False)
    results = _by_object(check_fixity_information(pkg, cf.context()))
    assert _status(results, "documents/a.pdf") is Status.INDETERMINATE


def test_1_1_casefile_digest_is_compared_too(tmp_path: Path) -> None:
    data = cf.embedded_font_pdf()
    pkg = cf.make_package(tmp_path / "bag", {"documents/a.pdf": data}, manifest=False, pages={"documents/a.pdf": 1})
    assert _status(_by_object(check_fixity_information(pkg, cf.context())), "documents/a.pdf") is Status.PASSED


def test_1_1_ofd_signature_reported_indeterminate(tmp_path: Path) -> None:
    results = _one(check_fixity_information, {"documents/d.ofd": cf.ofd_with_signature()}, tmp_path)
    sig = next(r for o, r in results.items() if "#" in o)
    assert sig.status is Status.INDETERMINATE
    assert "GB/T 38540" in sig.findings[0].message(Lang.ZH)


@pytest.fixture
def aip(archive, sample_sips: list[Path], now):  # type: ignore[no-untyped-def]
    from ingest.pipeline import ingest_package

    outcome = ingest_package(archive, sample_sips[1], now=now)
    assert outcome.status == "archived", outcome.findings
    return cf.bag_package(archive.primary.aip_path(outcome.aip_id), kind="aip"), archive


def _tag_results(pkg, archive, now):  # type: ignore[no-untyped-def]
    ctx = cf.context(now, services={"trusted": archive.trusted})
    return _by_object(check_fixity_information(pkg, ctx))


def test_1_1_aip_signed_chain_passes(aip, now) -> None:  # type: ignore[no-untyped-def]
    pkg, archive = aip
    results = _tag_results(pkg, archive, now)
    assert results["tagmanifest-sha256.txt"].status is Status.PASSED
    assert results["tagmanifest-sm3.txt"].status is Status.PASSED
    assert {r.status for r in results.values()} == {Status.PASSED}


def test_1_1_aip_payload_manifest_changed_fails(aip, now) -> None:  # type: ignore[no-untyped-def]
    pkg, archive = aip
    manifest = pkg.root / "manifest-sha256.txt"
    manifest.write_bytes(manifest.read_bytes() + b"")  # same bytes: still fine
    text = manifest.read_text("utf-8")
    manifest.write_text(text.replace(text[:4], "0000", 1), "utf-8")
    result = _tag_results(pkg, archive, now)["tagmanifest-sha256.txt"]
    assert result.status is Status.FAILED
    assert [f.code for f in result.findings] == ["CHK-FIX-TAGMANIFEST-MISMATCH"]


def test_1_1_aip_signature_damaged_fails(aip, now) -> None:  # type: ignore[no-untyped-def]
    pkg, archive = aip
    sig = pkg.root / "tagmanifest-sha256.txt.p7s"
    data = bytearray(sig.read_bytes())
    data[-5] ^= 0xFF
    sig.write_bytes(bytes(data))
    assert _tag_results(pkg, archive, now)["tagmanifest-sha256.txt"].status is Status.FAILED


def test_1_1_aip_signer_not_trusted_is_indeterminate(aip, now) -> None:  # type: ignore[no-untyped-def]
    pkg, _archive = aip
    results = _by_object(check_fixity_information(pkg, cf.context(now)))
    assert results["tagmanifest-sha256.txt"].status is Status.INDETERMINATE


# ---------------------------------------------------------------- 2-7

def test_2_7_declared_page_count_and_truncation(tmp_path: Path) -> None:
    files = {"documents/a.pdf": cf.plain_pdf(2), "documents/b.pdf": cf.plain_pdf(2),
             "documents/c.jpg": cf.truncated(cf.jpeg_scan()), "documents/d.tif": cf.tiff_scan(2)}
    pages = {"documents/a.pdf": 2, "documents/b.pdf": 3, "documents/c.jpg": 1, "documents/d.tif": 2}
    results = _one(check_content_integrity, files, tmp_path, pages=pages)
    assert _status(results, "documents/a.pdf") is Status.PASSED
    assert _status(results, "documents/d.tif") is Status.PASSED
    mismatch = results["data/documents/b.pdf"]
    assert (mismatch.status, mismatch.expected, mismatch.found) == (Status.FAILED, "3 page(s), complete", "2 page(s)")
    assert _status(results, "documents/c.jpg") is Status.FAILED


# ---------------------------------------------------------------- 2-8

def test_2_8_attachments(tmp_path: Path) -> None:
    files = {"documents/good.pdf": cf.attachment_pdf(), "documents/bad.pdf": cf.attachment_pdf(size_lie=True),
             "documents/good.ofd": cf.ofd_with_attachment(), "documents/bad.ofd": cf.ofd_with_attachment(missing=True),
             "documents/none.pdf": cf.embedded_font_pdf()}
    results = _one(check_attachments, files, tmp_path)
    assert _status(results, "documents/good.pdf") is Status.PASSED
    assert _status(results, "documents/good.ofd") is Status.PASSED
    assert _status(results, "documents/bad.pdf") is Status.FAILED
    assert _codes(results, "documents/bad.ofd") == ["CHK-OFD-ATTACHMENT-MISSING"]
    assert "data/documents/none.pdf" not in results and "package" not in results


def test_2_8_unreadable_document_is_not_called_free_of_attachments(tmp_path: Path) -> None:
    results = _one(check_attachments, {"documents/x.pdf": cf.encrypted_pdf("pw")}, tmp_path)
    assert _status(results, "documents/x.pdf") is Status.INDETERMINATE


# ---------------------------------------------------------------- 3-3

def test_3_3_format_policy_and_lying_extension(tmp_path: Path) -> None:
    from test_formats import _zip

    files = {"documents/a.pdf": cf.plain_pdf(1), "documents/scan.pdf": cf.jpeg_scan(),
             "documents/brief.docx": _zip({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<w/>"}),
             "documents/blob.bin": bytes(range(256)), "audio/a.mp3": cf.mp3_audio(), "video/v.mp4": cf.mp4_video(),
             "audio/w.wav": cf.wav_audio()}
    results = _one(check_format_allowed, files, tmp_path)
    for ok in ("documents/a.pdf", "audio/a.mp3", "video/v.mp4", "audio/w.wav"):
        assert _status(results, ok) is Status.PASSED, ok
    assert _codes(results, "documents/scan.pdf") == ["CHK-FMT-EXTENSION-MISMATCH"]
    assert results["data/documents/scan.pdf"].found == "JPEG (image/jpeg)"
    assert _codes(results, "documents/brief.docx") == ["CHK-FMT-NOT-ALLOWED"]
    assert _codes(results, "documents/blob.bin") == ["CHK-FMT-UNKNOWN"]


def test_3_3_policy_is_configurable(tmp_path: Path) -> None:
    results = _one(check_format_allowed, {"documents/a.pdf": cf.plain_pdf(1)}, tmp_path, allowed_formats=["PDF/A", "OFD"])
    assert _codes(results, "documents/a.pdf") == ["CHK-FMT-NOT-ALLOWED"]


def test_bad_setting_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        _one(check_format_allowed, {"a.pdf": cf.plain_pdf(1)}, tmp_path, allowed_formats="PDF")


# ---------------------------------------------------------------- 3-4

def test_3_4_readability(tmp_path: Path) -> None:
    from test_pdf import _with_page_stream

    files = {"documents/ok.ofd": cf.valid_ofd()[0], "documents/broken.ofd": cf.rezip(cf.valid_ofd()[0], drop=["Doc_0/Document.xml"]),
             "documents/page.pdf": _with_page_stream("/FlateDecode", b"not deflate"),
             "documents/ok.tif": cf.tiff_scan(2), "archive.7z": b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64)}
    results = _one(check_readable, files, tmp_path)
    assert _status(results, "documents/ok.ofd") is Status.PASSED
    assert _status(results, "documents/ok.tif") is Status.PASSED
    assert _status(results, "documents/broken.ofd") is Status.FAILED
    assert _codes(results, "documents/page.pdf") == ["CHK-PDF-PAGE-UNREADABLE"]
    assert _status(results, "archive.7z") is Status.INDETERMINATE  # no reader: never "passed"


# ---------------------------------------------------------------- 3-5

def test_3_5_long_term_suitability(tmp_path: Path) -> None:
    files = {"documents/a.pdf": cf.pdfa_claiming_pdf(), "documents/b.ofd": cf.valid_ofd()[0],
             "documents/c.pdf": cf.embedded_font_pdf(), "documents/d.pdf": cf.pdfa_claiming_pdf(cf.plain_pdf(1)),
             "documents/e.rar": b"Rar!\x1a\x07\x01\x00" + bytes(64)}
    results = _one(check_long_term_format, files, tmp_path)
    assert (_status(results, "documents/a.pdf"), _codes(results, "documents/a.pdf")) == (Status.PASSED, [])
    assert results["data/documents/a.pdf"].found == "PDF/A-2B"
    assert (_status(results, "documents/b.ofd"), _codes(results, "documents/b.ofd")) == (Status.PASSED, [])
    assert (_status(results, "documents/c.pdf"), _codes(results, "documents/c.pdf")) == (Status.PASSED, ["CHK-FMT-NOT-PREFERRED"])
    assert _status(results, "documents/d.pdf") is Status.FAILED  # claims PDF/A, font not embedded
    assert _codes(results, "documents/e.rar") == ["CHK-FMT-NOT-LONG-TERM"]


# ---------------------------------------------------------------- 3-8

def test_3_8_encryption_scripts_and_compression(tmp_path: Path) -> None:
    files = {"documents/ok.pdf": cf.embedded_font_pdf(), "documents/js.pdf": cf.javascript_pdf(),
             "documents/enc.pdf": cf.encrypted_pdf(""), "documents/launch.pdf": cf.launch_pdf(),
             "documents/ok.ofd": cf.valid_ofd()[0], "documents/old.rar": b"Rar!\x1a\x07\x00" + bytes(64),
             "documents/ok.jpg": cf.jpeg_scan()}
    results = _one(check_no_encryption_or_proprietary_compression, files, tmp_path)
    for ok in ("documents/ok.pdf", "documents/ok.ofd", "documents/ok.jpg"):
        assert _status(results, ok) is Status.PASSED, ok
    assert _codes(results, "documents/js.pdf") == ["CHK-PDF-JAVASCRIPT"]
    assert _codes(results, "documents/enc.pdf") == ["CHK-PDF-ENCRYPTED"]
    assert _codes(results, "documents/launch.pdf") == ["CHK-PDF-EXTERNAL-ACTION"]
    assert _codes(results, "documents/old.rar") == ["CHK-FMT-PROPRIETARY-COMPRESSION"]
    for result in results.values():
        for finding in result.findings:  # every message renders in both languages
            assert finding.message(Lang.ZH) and finding.message(Lang.EN) and "{" not in finding.message(Lang.ZH)


def test_3_5_and_3_8_never_pass_a_file_they_could_not_open(tmp_path: Path) -> None:
    files = {"documents/cut.pdf": cf.truncated(cf.embedded_font_pdf(), 0.4)}
    for item in (check_long_term_format, check_no_encryption_or_proprietary_compression):
        results = _one(item, files, tmp_path / item.__name__)
        assert _status(results, "documents/cut.pdf") is Status.INDETERMINATE, item.__name__
        assert "CHK-CNT-NOT-INSPECTED" in _codes(results, "documents/cut.pdf")


def _uri_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Link
    import io

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cf.embedded_font_pdf())))
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://example.org/case"))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_3_8_uri_links_warn_by_default_and_fail_when_refused(tmp_path: Path) -> None:
    files = {"documents/link.pdf": _uri_pdf()}
    warned = _one(check_no_encryption_or_proprietary_compression, files, tmp_path / "a")
    assert _status(warned, "documents/link.pdf") is Status.PASSED
    assert _codes(warned, "documents/link.pdf") == ["CHK-PDF-URI-ACTION"]
    refused = _one(check_no_encryption_or_proprietary_compression, files, tmp_path / "b", uri_actions="refuse")
    assert _status(refused, "documents/link.pdf") is Status.FAILED


def test_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    pkg = cf.make_package(tmp_path / "bag", {"documents/a.pdf": cf.embedded_font_pdf()})
    target = pkg.root / "data/documents/a.pdf"
    target.unlink()
    os.symlink("/etc/hostname", target)  # a link swapped in: open() refuses to follow it
    results = _by_object(check_readable(pkg, cf.context()))
    assert _codes(results, "documents/a.pdf") == ["CHK-CNT-READ-ERROR"]
    assert _status(results, "documents/a.pdf") is Status.FAILED


def test_large_files_are_hashed_but_not_opened(tmp_path: Path) -> None:
    big = cf.mp3_audio(3000)  # ~1.2 MB
    pkg = cf.make_package(tmp_path / "bag", {"audio/long.mp3": big})
    ctx = cf.context(content_max_mb=1)
    fixity = _by_object(check_fixity_information(pkg, ctx))
    readable = _by_object(check_readable(pkg, ctx))
    assert _status(fixity, "audio/long.mp3") is Status.PASSED
    assert _status(readable, "audio/long.mp3") is Status.INDETERMINATE
    assert pkg.opened == {"data/audio/long.mp3": 1}
    shutil.rmtree(pkg.root)


def test_with_the_engines_directory_package_and_a_planted_link(sample_sips: list[Path], tmp_path: Path) -> None:
    from checks.package import DirectoryPackage

    bag = tmp_path / "sip"
    shutil.copytree(sample_sips[2], bag)
    pkg = DirectoryPackage.from_bag(bag, "sip")
    ctx = cf.context()
    statuses = {(r.item, r.status) for item in ITEMS for r in item(pkg, ctx)}
    assert {s for _i, s in statuses} <= {Status.PASSED, Status.NOT_APPLICABLE}
    victim = next(f.path for f in pkg.files() if f.path.endswith(".pdf"))
    (bag / victim).unlink()
    os.symlink("/etc/hostname", bag / victim)
    results = _by_object(check_readable(pkg, cf.context()))
    assert [f.code for f in results[victim].findings] == ["CHK-CNT-READ-ERROR"]


def test_every_content_code_is_bilingual_with_clause_and_hint() -> None:
    import checks.codes_content as codes
    from findings import Finding, get_code

    for code in codes._CODES:
        assert code.code.startswith("CHK-") and code.clause.startswith(("DA/T", "GB/T"))
        assert code.hint_en and code.hint_zh, code.code
        params = {k: "x" for k in ("algorithm", "source", "field", "coverage", "reason", "detail", "page", "frame",
                                   "part", "by", "name")}
        finding = Finding(code.code, "data/documents/a.pdf", expected="e", found="f", params=params)
        for lang in (Lang.ZH, Lang.EN):
            text = finding.message(lang)
            assert "{" not in text and "data/documents/a.pdf" in text, (code.code, text)
        assert get_code(code.code) is code
    assert codes.INDETERMINATE <= {c.code for c in codes._CODES}
