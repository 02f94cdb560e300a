"""Format identification by content: signature bytes, never the file name alone.

:func:`identify` reads a bounded head (``HEAD`` bytes) and, for zip containers,
the zip's central directory plus at most one small root part (OFD.xml), so it is
cheap on any file.  The name only decides ``extension_matches`` (DA/T 70 3-3: an
extension that lies is a finding).  PDF/A is a *claim* read from the XMP packet
(ISO 19005 ``pdfaid:part``/``conformance``); checks/content/pdf.py confirms the
claim against the document's real catalogue metadata.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

HEAD = 64 * 1024
OFD_NAMESPACE = "http://www.ofdspec.org/2016"
_OFD_ROOT_MAX = 1 << 20


@dataclass(frozen=True)
class FormatInfo:
    """What a file is.  ``format`` is one of the names in ``EXTENSIONS`` or ``UNKNOWN``."""

    format: str
    version: str | None
    mime: str
    extension_matches: bool
    pdfa: str | None = None  # e.g. "2B" when the XMP claims PDF/A-2b
    evidence: str = ""  # what decided it, for the report

    @property
    def label(self) -> str:
        """``PDF/A-2B``, ``PDF 1.7``, ``OFD``: the name shown in reports and matched by policies."""
        if self.format == "PDF" and self.pdfa:
            return f"PDF/A-{self.pdfa}"
        return self.format

    def to_dict(self) -> dict[str, object]:
        return {"format": self.format, "version": self.version, "mime": self.mime, "label": self.label,
                "extension_matches": self.extension_matches, "pdfa": self.pdfa, "evidence": self.evidence}


#: Extensions that honestly name each format.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "PDF": ("pdf",), "OFD": ("ofd",), "JPEG": ("jpg", "jpeg", "jpe", "jfif"), "TIFF": ("tif", "tiff"),
    "PNG": ("png",), "GIF": ("gif",), "BMP": ("bmp", "dib"), "WAV": ("wav",), "MP3": ("mp3",),
    "MP4": ("mp4", "m4v", "m4a"), "MOV": ("mov", "qt"), "AVI": ("avi",), "FLV": ("flv",), "MPEG": ("mpg", "mpeg"),
    "XML": ("xml",), "ZIP": ("zip",), "DOCX": ("docx",), "XLSX": ("xlsx",), "PPTX": ("pptx",),
    "ODF": ("odt", "ods", "odp"), "DOC": ("doc",), "XLS": ("xls",), "PPT": ("ppt",), "OLE2": ("doc", "xls", "ppt", "msg"),
    "RAR": ("rar",), "7Z": ("7z",), "HTML": ("html", "htm"), "TEXT": ("txt", "text", "csv"), "WEBP": ("webp",),
}
MIME: dict[str, str] = {
    "PDF": "application/pdf", "OFD": "application/ofd", "JPEG": "image/jpeg", "TIFF": "image/tiff",
    "PNG": "image/png", "GIF": "image/gif", "BMP": "image/bmp", "WAV": "audio/wav", "MP3": "audio/mpeg",
    "MP4": "video/mp4", "MOV": "video/quicktime", "AVI": "video/x-msvideo", "FLV": "video/x-flv",
    "MPEG": "video/mpeg", "XML": "application/xml", "ZIP": "application/zip",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "PPTX": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ODF": "application/vnd.oasis.opendocument", "DOC": "application/msword", "XLS": "application/vnd.ms-excel",
    "PPT": "application/vnd.ms-powerpoint", "OLE2": "application/x-ole-storage", "RAR": "application/vnd.rar",
    "7Z": "application/x-7z-compressed", "HTML": "text/html", "TEXT": "text/plain", "WEBP": "image/webp",
    "UNKNOWN": "application/octet-stream",
}

_PDF_VERSION = re.compile(rb"%PDF-(\d\.\d)")
_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*(\d)")
_PDFA_CONF = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([ABUabu])")
_MP4_BRANDS_QT = (b"qt  ",)
_OLE_STREAMS = ((b"W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t", "DOC"),
                (b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k", "XLS"),
                (b"P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t", "PPT"))


def identify(source: bytes | IO[bytes] | str | os.PathLike[str], name: str) -> FormatInfo:
    """Identify ``source`` (the whole file or its head as bytes, a seekable stream, or a path)."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return identify(fh, name)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    start = stream.tell()
    head = stream.read(HEAD)
    stream.seek(start)
    fmt, version, evidence, pdfa = _sniff(head, stream)
    return FormatInfo(fmt, version, MIME.get(fmt, MIME["UNKNOWN"]), extension_matches(fmt, name), pdfa, evidence)


def extension_matches(fmt: str, name: str) -> bool:
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    return ext in EXTENSIONS.get(fmt, ())


def _sniff(head: bytes, stream: IO[bytes]) -> tuple[str, str | None, str, str | None]:
    """(format, version, evidence, pdfa) from the signature bytes."""
    pdf = _PDF_VERSION.search(head[:1024])  # ISO 32000-1 7.5.2 allows junk before the header
    if pdf:
        return "PDF", pdf.group(1).decode(), "%PDF- header", _pdfa_claim(head, stream)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(stream)
    for test in (_image, _audio_video, _archive):
        found = test(head)
        if found is not None:
            return found[0], found[1], found[2], None
    return _textual(head)


def _pdfa_claim(head: bytes, stream: IO[bytes]) -> str | None:
    """pdfaid:part + conformance from an uncompressed XMP packet in the head or the tail."""
    start = stream.tell()
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(max(start, size - HEAD))
    tail = stream.read(HEAD)
    stream.seek(start)
    for chunk in (head, tail):
        part = _PDFA_PART.search(chunk)
        if part:
            conf = _PDFA_CONF.search(chunk)
            return part.group(1).decode() + (conf.group(1).decode().upper() if conf else "")
    return None


def _image(head: bytes) -> tuple[str, str | None, str] | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", None, "SOI marker FFD8FF"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG", None, "PNG signature"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF", "6.0", "TIFF byte-order mark and 42"
    if head[:4] in (b"II+\x00", b"MM\x00+"):
        return "TIFF", "BigTIFF", "BigTIFF byte-order mark and 43"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", head[3:6].decode(), "GIF signature"
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 64, 108, 124):
        return "BMP", None, "BM + DIB header size"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", None, "RIFF/WEBP"
    return None


def _audio_video(head: bytes) -> tuple[str, str | None, str] | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "WAV", None, "RIFF/WAVE"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "AVI", None, "RIFF/AVI"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MP4_BRANDS_QT:
            return "MOV", None, "ftyp brand qt"
        return "MP4", brand.decode("latin-1").strip(), f"ftyp brand {brand.decode('latin-1').strip()}"
    if head[:3] == b"ID3":
        return "MP3", f"ID3v2.{head[3]}" if len(head) > 3 else None, "ID3v2 tag"
    if _mpeg_audio_frame(head):
        return "MP3", None, "MPEG audio frame sync"
    if head[:4] == b"FLV\x01":
        return "FLV", "1", "FLV signature"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "MPEG", None, "MPEG pack/sequence start code"
    return None


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG-1/2 Layer III frame header: 11 sync bits, no reserved version/layer/rate values."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def _archive(head: bytes) -> tuple[str, str | None, str] | None:
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        for marker, kind in _OLE_STREAMS:
            if marker in head:
                return kind, None, "OLE2 compound file with a " + kind + " stream"
        return "OLE2", None, "OLE2 compound file"
    if head.startswith(b"Rar!\x1a\x07\x01\x00"):
        return "RAR", "5", "RAR 5 signature"
    if head.startswith(b"Rar!\x1a\x07\x00"):
        return "RAR", "4", "RAR signature"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7Z", None, "7z signature"
    return None


def _zip_kind(stream: IO[bytes]) -> tuple[str, str | None, str, str | None]:
    """OFD, OOXML, ODF or plain zip, from the central directory (and OFD.xml's root element)."""
    start = stream.tell()
    try:
        with zipfile.ZipFile(stream) as zf:
            names = set(zf.namelist())
            if "OFD.xml" in names:
                return _ofd_kind(zf)
            return _office_kind(zf, names)
    except Exception as exc:  # noqa: BLE001 — zipfile raises zlib.error, struct.error … on hostile bytes
        return "ZIP", None, f"zip signature, unreadable ({type(exc).__name__})", None
    finally:
        stream.seek(start)


def _ofd_kind(zf: zipfile.ZipFile) -> tuple[str, str | None, str, str | None]:
    from metadata.xml import safe_parse  # the one safe XML parser of the project

    info = zf.getinfo("OFD.xml")
    if info.file_size > _OFD_ROOT_MAX or info.flag_bits & 0x1:
        return "ZIP", None, "zip with an oversized or encrypted OFD.xml", None
    root, _ = safe_parse(zf.read(info), "OFD.xml")  # read errors: caught by _zip_kind
    if root is not None and root.tag == "{%s}OFD" % OFD_NAMESPACE:
        return "OFD", root.get("Version"), "zip with OFD.xml root in the OFD namespace", None
    return "ZIP", None, "zip with an OFD.xml that is not an OFD entry file", None


def _office_kind(zf: zipfile.ZipFile, names: set[str]) -> tuple[str, str | None, str, str | None]:
    if "[Content_Types].xml" in names:
        for prefix, kind in (("word/", "DOCX"), ("xl/", "XLSX"), ("ppt/", "PPTX")):
            if any(n.startswith(prefix) for n in names):
                return kind, None, f"OOXML package with {prefix}", None
        return "ZIP", None, "OOXML package of an unknown kind", None
    if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
        if zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            return "ODF", None, "ODF mimetype entry", None
    return "ZIP", None, "zip signature", None


def _textual(head: bytes) -> tuple[str, str | None, str, str | None]:
    """XML, HTML or plain text: valid UTF-8 (or GB 18030) without control bytes."""
    text = _decode(head)
    if text is None:
        return "UNKNOWN", None, "no known signature", None
    stripped = text.lstrip("\ufeff \t\r\n")
    lower = stripped[:200].lower()
    if lower.startswith("<!doctype html") or lower.startswith("<html"):
        return "HTML", None, "HTML start tag", None
    if stripped.startswith("<?xml") or re.match(r"<[A-Za-z_][\w.:-]*[\s/>]", stripped):
        return "XML", "1.0", "XML declaration or root element", None
    if not stripped:
        return "UNKNOWN", None, "empty or blank", None
    return "TEXT", None, "printable text", None


def _decode(head: bytes) -> str | None:
    """The head as text, or None when it holds control bytes or is no known encoding.

    A multi-byte character cut by the head limit is not a reason to refuse.
    """
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if len(head) < HEAD or exc.start < len(head) - 4:
                continue
            text = head[:exc.start].decode(encoding)
        if not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
            return text
    return None
