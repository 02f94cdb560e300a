"""Structural readers for audio, video and XML/text content (DA/T 70 2-7, 3-4).

No decoder for compressed audio/video ships with Python, so these check what the
container promises: RIFF chunks that add up (WAV), a chain of MPEG audio frames
to the end (MP3), top-level ISO BMFF boxes that tile the file with ``moov`` and
``mdat`` (MP4/MOV).  A truncated recording fails every one of them.
"""
from __future__ import annotations

import struct
import zipfile
from typing import IO

import checks.codes_content  # noqa: F401 — registers CHK- codes
from checks.content.report import ContentReport
from findings import Finding
from metadata.xml import safe_parse

# MPEG-1/2/2.5 Layer III bitrates (kbit/s) and sample rates (ISO/IEC 11172-3, 13818-3).
_BITRATES = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MAX_XML = 64 << 20


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _problem(path: str, fmt: str, reason: str, truncated: bool) -> ContentReport:
    code = "CHK-MED-TRUNCATED" if truncated else "CHK-MED-DAMAGED"
    finding = Finding(code, path, found=fmt, params={"reason": reason})
    return ContentReport("casearchive container reader", fatal=(finding,))


def analyse_wav(stream: IO[bytes], path: str) -> ContentReport:
    """RIFF (EBU Tech 3285 / Microsoft RIFF): fmt chunk, data chunk, sizes within the file."""
    size = _size(stream)
    header = stream.read(12)
    riff = struct.unpack("<I", header[4:8])[0] + 8
    if riff > size:
        return _problem(path, "WAV", f"RIFF size {riff} > file size {size}", True)
    seen: set[bytes] = set()
    pos = 12
    while pos + 8 <= min(riff, size):
        stream.seek(pos)
        cid, length = struct.unpack("<4sI", stream.read(8))
        if pos + 8 + length > size:
            return _problem(path, "WAV", f"chunk {cid!r} ends at {pos + 8 + length}, file has {size}", True)
        seen.add(cid)
        pos += 8 + length + (length & 1)
    missing = {b"fmt ", b"data"} - seen
    if missing:
        return _problem(path, "WAV", f"missing chunk(s) {sorted(m.decode() for m in missing)}", False)
    return ContentReport("casearchive container reader")


def _frame_length(h: bytes) -> int | None:
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0 or (h[1] >> 1) & 3 != 1:
        return None
    version, index, rate_index, pad = (h[1] >> 3) & 3, h[2] >> 4, (h[2] >> 2) & 3, (h[2] >> 1) & 1
    if version == 1 or index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES[3 if version == 3 else 2][index] * 1000
    rate = _RATES[version][rate_index]
    return (144 if version == 3 else 72) * bitrate // rate + pad


def analyse_mp3(stream: IO[bytes], path: str) -> ContentReport:
    """Follow the frame chain from the first frame (after an ID3v2 tag) to the end or an ID3v1 tag."""
    size = _size(stream)
    data = stream.read()
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        pos = 10 + ((data[6] & 0x7F) << 21 | (data[7] & 0x7F) << 14 | (data[8] & 0x7F) << 7 | (data[9] & 0x7F))
    frames = 0
    end = size - 128 if data[-128:-125] == b"TAG" else size
    while pos < end:
        length = _frame_length(data[pos:pos + 4])
        if length is None:
            return _problem(path, "MP3", f"no frame header at byte {pos} after {frames} frame(s)", False)
        if pos + length > end:
            return _problem(path, "MP3", f"frame {frames + 1} needs {length} bytes, {end - pos} left", True)
        pos += length
        frames += 1
    if frames == 0:
        return _problem(path, "MP3", "no audio frames", False)
    return ContentReport("casearchive container reader")


def analyse_bmff(stream: IO[bytes], path: str, fmt: str) -> ContentReport:
    """ISO/IEC 14496-12 4.2: top-level boxes tile the file; ftyp, moov and mdat present."""
    size = _size(stream)
    pos, boxes = 0, set()
    while pos < size:
        stream.seek(pos)
        header = stream.read(16)
        if len(header) < 8:
            return _problem(path, fmt, f"{len(header)} stray byte(s) at {pos}", True)
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1 and len(header) == 16:
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - pos
        if length < 8 or pos + length > size:
            return _problem(path, fmt, f"box {kind!r} at {pos} claims {length} bytes, {size - pos} left", pos + length > size)
        boxes.add(kind)
        pos += length
    missing = {b"ftyp", b"moov", b"mdat"} - boxes
    if missing:
        return _problem(path, fmt, f"missing box(es) {sorted(m.decode('latin-1') for m in missing)}", False)
    return ContentReport("casearchive container reader")


def analyse_xml(stream: IO[bytes], path: str) -> ContentReport:
    data = stream.read(_MAX_XML + 1)
    root, problems = safe_parse(data, path, max_size=_MAX_XML)
    if root is None:
        return ContentReport("lxml (safe parser)", fatal=tuple(problems))
    return ContentReport("lxml (safe parser)")


def analyse_zip(stream: IO[bytes], path: str) -> ContentReport:
    """OOXML/ODF/ZIP: every member's CRC (zipfile.testzip) and encryption flags."""
    try:
        with zipfile.ZipFile(stream) as zf:
            encrypted = [i.filename for i in zf.infolist() if i.flag_bits & 0x1]
            bad = None if encrypted else zf.testzip()
    except Exception as exc:  # noqa: BLE001
        return _problem(path, "ZIP", f"{type(exc).__name__}: {exc}"[:200], False)
    compliance = tuple(Finding("CHK-OFD-ENCRYPTED", path, params={"part": name}) for name in encrypted)
    if bad is not None:
        report = _problem(path, "ZIP", f"CRC error in member {bad}", False)
        return ContentReport(report.reader, fatal=report.fatal, compliance=compliance)
    return ContentReport("zipfile", compliance=compliance, encrypted=bool(encrypted))


def analyse_text(stream: IO[bytes], path: str) -> ContentReport:
    """Plain text: every byte decodes as UTF-8 or GB 18030 (the encodings formats.identify accepts)."""
    data = stream.read()
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return ContentReport(f"text decoder ({encoding})")
        except UnicodeDecodeError as exc:
            reason = f"{encoding}: invalid byte at offset {exc.start}"
    return _problem(path, "TEXT", reason, False)
