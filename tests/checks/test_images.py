"""Decoding raster images completely (DA/T 70 2-7, 3-4): truncated scans must fail."""
from __future__ import annotations

import io
import os
import sys

import pytest
from hypothesis import given, settings, strategies as st
from PIL import ImageFile

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
import content_fixtures as cf  # noqa: E402
from checks.content.images import analyse_image  # noqa: E402

JPEG = cf.jpeg_scan()
TIFF = cf.tiff_scan(3)


def _codes(data: bytes, fmt: str) -> tuple[int | None, list[str]]:
    report = analyse_image(io.BytesIO(data), "data/documents/s", fmt)
    return report.pages, sorted(f.code for f in (*report.fatal, *report.defects, *report.compliance))


def test_scans_decode_completely() -> None:
    assert _codes(JPEG, "JPEG") == (1, [])
    assert _codes(TIFF, "TIFF") == (3, [])
    assert _codes(cf.png_image(), "PNG") == (1, [])


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1])
def test_truncated_jpeg_fails(keep: float) -> None:
    _pages, codes = _codes(cf.truncated(JPEG, keep), "JPEG")
    assert "CHK-IMG-TRUNCATED" in codes


def test_jpeg_missing_only_its_end_marker_fails() -> None:
    _pages, codes = _codes(JPEG[:-2], "JPEG")
    assert "CHK-IMG-TRUNCATED" in codes


def test_truncated_multipage_tiff_fails() -> None:
    _pages, codes = _codes(cf.truncated(TIFF, 0.7), "TIFF")
    assert codes and set(codes) <= {"CHK-IMG-TRUNCATED", "CHK-IMG-UNREADABLE"}


def test_load_truncated_images_switched_on_makes_it_indeterminate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert _codes(cf.truncated(JPEG, 0.5), "JPEG") == (None, ["CHK-IMG-CANNOT-EVALUATE"])


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=len(cf.png_image()) - 1), st.binary(min_size=1, max_size=8))
def test_damaged_png_never_raises(position: int, junk: bytes) -> None:
    data = bytearray(cf.png_image())
    data[position:position + len(junk)] = junk
    analyse_image(io.BytesIO(bytes(data)), "x.png", "PNG")
