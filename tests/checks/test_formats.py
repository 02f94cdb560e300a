"""Format identification by signature bytes (DA/T 70 3-3), over real files."""
from __future__ import annotations

import io
import os
import sys
import zipfile

import pytest
from hypothesis import given, settings, strategies as st

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from checks.content.formats import HEAD, identify  # noqa: E402


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _gif_bmp(fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, fmt)
    return buf.getvalue()


CASES = [
    ("doc.pdf", lambda: cf.plain_pdf(1), "PDF"),
    ("doc.ofd", lambda: cf.valid_ofd()[0], "OFD"),
    ("scan.jpg", cf.jpeg_scan, "JPEG"),
    ("scan.tif", cf.tiff_scan, "TIFF"),
    ("pic.png", cf.png_image, "PNG"),
    ("pic.gif", lambda: _gif_bmp("GIF"), "GIF"),
    ("pic.bmp", lambda: _gif_bmp("BMP"), "BMP"),
    ("talk.wav", cf.wav_audio, "WAV"),
    ("talk.mp3", cf.mp3_audio, "MP3"),
    ("hearing.mp4", cf.mp4_video, "MP4"),
    ("meta.xml", lambda: '<?xml version="1.0"?><案卷 a="1"/>'.encode(), "XML"),
    ("meta.xml", lambda: b"<casefile><x/></casefile>", "XML"),
    ("notes.txt", lambda: "本案已结案。\n".encode() * 10, "TEXT"),
    ("notes.txt", lambda: "本案已结案。\n".encode("gb18030") * 10, "TEXT"),
    ("bundle.zip", lambda: _zip({"a.txt": b"x"}), "ZIP"),
    ("brief.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}), "DOCX"),
    ("sheet.xlsx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "XLSX"),
    ("old.rar", lambda: b"Rar!\x1a\x07\x01\x00" + bytes(64), "RAR"),
    ("old.7z", lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(64), "7Z"),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "WordDocument".encode("utf-16-le"), "DOC"),
    ("blob.bin", lambda: bytes(range(256)) * 4, "UNKNOWN"),
]


@pytest.mark.parametrize("name, build, expected", CASES, ids=[c[0] + "-" + c[2] for c in CASES])
def test_identifies_real_files_by_content(name: str, build, expected: str) -> None:  # type: ignore[no-untyped-def]
    info = identify(build(), name)
    assert info.format == expected
    assert info.extension_matches is (expected != "UNKNOWN")
    assert info.mime


def test_extension_that_lies_is_seen() -> None:
    info = identify(cf.jpeg_scan(), "data/documents/001.pdf")
    assert (info.format, info.extension_matches) == ("JPEG", False)


def test_pdfa_claim_read_from_xmp() -> None:
    assert identify(cf.pdfa_claiming_pdf(part="2", conf="B"), "a.pdf").label == "PDF/A-2B"
    plain = identify(cf.embedded_font_pdf(), "a.pdf")
    assert plain.label == "PDF" and plain.pdfa is None and plain.version == "1.3"  # reportlab writes %PDF-1.3


def test_zip_named_ofd_without_ofd_namespace_is_not_ofd() -> None:
    fake = _zip({"OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><OFD xmlns="urn:other"/>'})
    info = identify(fake, "x.ofd")
    assert (info.format, info.extension_matches) == ("ZIP", False)


def test_path_stream_and_bytes_agree(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = cf.valid_ofd()[0]
    target = tmp_path / "d.ofd"
    target.write_bytes(data)
    assert identify(target, "d.ofd") == identify(io.BytesIO(data), "d.ofd") == identify(data, "d.ofd")


class _Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


@pytest.mark.parametrize("data", [b"%PDF-1.7\n" + b"0" * (8 << 20), b"\xff\xd8\xff" + bytes(8 << 20)], ids=["pdf", "jpeg"])
def test_reads_only_a_bounded_head(data: bytes) -> None:
    stream = _Counting(data)
    identify(stream, "big")
    assert stream.read_bytes <= 2 * HEAD


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048), st.text(max_size=30))
def test_never_raises_on_arbitrary_bytes(data: bytes, name: str) -> None:
    info = identify(data, name)
    assert info.format and info.mime


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=200), st.binary(min_size=1, max_size=8))
def test_damaged_containers_never_raise(position: int, junk: bytes) -> None:
    data = bytearray(_zip({"OFD.xml": b"<x/>", "Doc_0/Document.xml": b"<y/>"}))
    pos = position % len(data)
    data[pos:pos + len(junk)] = junk
    info = identify(bytes(data), "x.ofd")
    if pos == 0 and not data.startswith(b"PK"):
        # the junk replaced the zip signature: whatever it now signs (PNG, GIF …) is a fair answer
        assert info.format and info.mime
    else:
        assert info.format in ("ZIP", "OFD", "UNKNOWN", "TEXT", "XML")
