"""Decode raster images completely with Pillow (DA/T 70 2-7, 3-4, 3-8).

``verify()`` checks the structure Pillow can check without decoding; then every
frame is decoded with ``load()``.  Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES``
would silently pad a truncated scan with grey, so when anything has switched it on
the result is *indeterminate*, never passed.  A JPEG must also end with its EOI
marker (ISO/IEC 10918-1 B.2.1): a scan cut at a restart boundary can decode.
"""
from __future__ import annotations

from typing import IO

from PIL import Image, ImageFile
from PIL import __version__ as PILLOW_VERSION

import checks.codes_content  # noqa: F401 — registers CHK- codes
from checks.content.report import ContentReport
from findings import Finding

#: TIFF compressions with a public specification (TIFF 6.0 and its technical notes).
OPEN_TIFF_COMPRESSION = frozenset({"raw", "tiff_ccitt", "group3", "group4", "tiff_lzw", "jpeg", "tiff_jpeg",
                                   "packbits", "tiff_adobe_deflate", "tiff_deflate", "tiff_raw_16", "lzma",
                                   "webp", "zstd", "tiff_thunderscan", "tiff_sgilog", "tiff_sgilog24"})
_MAX_FRAMES = 10_000


def analyse_image(stream: IO[bytes], path: str, fmt: str) -> ContentReport:
    """Open, verify and fully decode every frame; never raises for bad bytes."""
    reader = f"Pillow {PILLOW_VERSION}"
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        finding = Finding("CHK-IMG-CANNOT-EVALUATE", path, params={"reason": "ImageFile.LOAD_TRUNCATED_IMAGES is on"})
        return ContentReport(reader, defects=(finding,))
    fatal = _jpeg_end(stream, path) if fmt == "JPEG" else []
    try:
        stream.seek(0)
        with Image.open(stream) as probe:
            probe.verify()
        stream.seek(0)
        with Image.open(stream) as image:
            software = _software(image)
            frames, defects = _decode_frames(image, path)
            compliance = _compression(image, path) if fmt == "TIFF" else []
    except Exception as exc:  # noqa: BLE001 — Pillow raises OSError, SyntaxError, ValueError, bombs …
        code = "CHK-IMG-TRUNCATED" if "truncated" in str(exc).lower() else "CHK-IMG-UNREADABLE"
        params = {"frame": 1, "reason": f"{type(exc).__name__}: {exc}"[:300]}
        return ContentReport(reader, fatal=(*fatal, Finding(code, path, params=params)))
    return ContentReport(reader, pages=frames, fatal=tuple(fatal), defects=tuple(defects),
                         compliance=tuple(compliance), software=software)


def _decode_frames(image: Image.Image, path: str) -> tuple[int, list[Finding]]:
    frames = min(getattr(image, "n_frames", 1), _MAX_FRAMES)
    defects: list[Finding] = []
    for frame in range(frames):
        try:
            image.seek(frame)
            image.load()
        except Exception as exc:  # noqa: BLE001
            code = "CHK-IMG-TRUNCATED" if "truncated" in str(exc).lower() else "CHK-IMG-UNREADABLE"
            defects.append(Finding(code, path, params={"frame": frame + 1, "reason": f"{type(exc).__name__}: {exc}"[:300]}))
    return frames, defects


def _jpeg_end(stream: IO[bytes], path: str) -> list[Finding]:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 4096))
    tail = stream.read().rstrip(b"\x00\r\n ")
    if tail.endswith(b"\xff\xd9"):
        return []
    return [Finding("CHK-IMG-TRUNCATED", path, params={"reason": "no EOI marker (FFD9) at the end"})]


def _compression(image: Image.Image, path: str) -> list[Finding]:
    name = str(image.info.get("compression", "raw"))
    if name in OPEN_TIFF_COMPRESSION:
        return []
    return [Finding("CHK-FMT-PROPRIETARY-COMPRESSION", path, expected="TIFF 6.0 compressions", found=name)]


def _software(image: Image.Image) -> dict[str, str]:
    try:
        software = image.getexif().get(0x0131)  # TIFF/EXIF tag Software
    except Exception:  # noqa: BLE001
        return {}
    return {"Software": str(software)[:200]} if software else {}
