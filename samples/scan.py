"""Scans of paper originals: page-like RGB images saved as JPEG or multi-page TIFF.

Each page shows grey text lines, a red round seal on the last page, a scanner's
shading and dust specks, and a slight skew — all drawn from the seeded RNG, so the
same seed gives the same pixels and, with the same Pillow build, the same bytes.
"""
from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageDraw

DPI = 100
PAGE_SIZE = (827, 1169)  # A4 at 100 dpi
SEAL_RED = (200, 32, 36)


def _paper(rng: random.Random) -> Image.Image:
    """Off-white paper with the darker left edge of a flatbed scanner."""
    base = rng.randint(236, 246)
    shade = Image.linear_gradient("L").rotate(90).resize((PAGE_SIZE[0], 1)).resize(PAGE_SIZE)
    page = Image.new("RGB", PAGE_SIZE, (base, base, base - 5))
    dark = Image.new("RGB", PAGE_SIZE, (base - 14, base - 14, base - 20))
    mask = shade.point(lambda v: max(0, 25 - v) * 10)  # a band along the left ~10 %
    page.paste(dark, (0, 0), mask)
    return page


def _text_lines(draw: ImageDraw.ImageDraw, rng: random.Random, top: int, bottom: int) -> None:
    """Rows of word-like dark bars, paragraphs ending short and starting indented."""
    left, right = 90, PAGE_SIZE[0] - 90
    y, indent = top, 2
    while y < bottom:
        x = left + indent * 22
        end = right if rng.random() > 0.18 else rng.randint(left + 120, right)
        while x < end:
            width = rng.randint(10, 46)
            ink = rng.randint(60, 120)
            draw.rectangle((x, y + 2, min(x + width, end), y + rng.randint(8, 11)), fill=(ink, ink, ink + 4))
            x += width + rng.randint(6, 12)
        indent = 2 if end < right else 0
        y += rng.randint(26, 31)


def _seal(page: Image.Image, rng: random.Random) -> Image.Image:
    """A red round seal (ring, star, rim text) printed over the page like ink."""
    layer = Image.new("RGB", PAGE_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    r = rng.randint(52, 64)
    cx, cy = rng.randint(480, 680), rng.randint(930, 1050)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=5)
    star = [(cx + (r * 0.32 if i % 2 == 0 else r * 0.13) * math.cos(math.radians(-90 + 36 * i)),
             cy + (r * 0.32 if i % 2 == 0 else r * 0.13) * math.sin(math.radians(-90 + 36 * i)))
            for i in range(10)]
    draw.polygon(star, fill=SEAL_RED)
    for k in range(14):  # characters of the court's name, arched along the rim
        a = math.radians(200 + k * 10)
        x, y = cx + (r - 16) * math.cos(a), cy + (r - 16) * math.sin(a)
        draw.rectangle((x - 4, y - 4, x + 4, y + 4), fill=SEAL_RED)
    return ImageChops.multiply(page, layer)  # ink over toner: both stay visible


def _specks(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for _ in range(rng.randint(150, 400)):
        x, y = rng.randrange(PAGE_SIZE[0]), rng.randrange(PAGE_SIZE[1])
        ink = rng.randint(90, 200)
        draw.point((x, y), fill=(ink, ink, ink))


def scan_page(rng: random.Random, *, seal: bool, title: bool) -> Image.Image:
    """One scanned page, slightly skewed like a hand-fed sheet."""
    page = _paper(rng)
    draw = ImageDraw.Draw(page)
    top = 120
    if title:  # the document title: a short, heavy centred line
        width = rng.randint(160, 280)
        draw.rectangle(((PAGE_SIZE[0] - width) // 2, 95, (PAGE_SIZE[0] + width) // 2, 117), fill=(30, 30, 34))
        top = 170
    _text_lines(draw, rng, top, 1060 if seal else 1080)
    _specks(draw, rng)
    if seal:
        page = _seal(page, rng)
    fill = page.getpixel((PAGE_SIZE[0] // 2, 5))
    return page.rotate(rng.uniform(-0.6, 0.6), resample=Image.Resampling.BILINEAR, fillcolor=fill)


def _palette() -> Image.Image:
    """A fixed palette of paper greys and seal reds, so the seal stays red."""
    greys = [(v, v, max(v - 4, 0)) for v in range(0, 256, 2)]
    reds = [(SEAL_RED[0] * g // 255, SEAL_RED[1] * g // 255, SEAL_RED[2] * g // 255)
            for g in range(0, 256, 2)]
    pal = Image.new("P", (1, 1))
    pal.putpalette([c for rgb in greys + reds for c in rgb])
    return pal


def render_scan(rng: random.Random, pages: int, fmt: str) -> bytes:
    """``pages`` scanned pages as JPEG (one page only) or multi-page TIFF (deflate)."""
    if fmt not in ("JPEG", "TIFF") or pages < 1 or (fmt == "JPEG" and pages != 1):
        raise ValueError(f"cannot scan {pages} page(s) as {fmt}")
    images = [scan_page(rng, seal=i == pages - 1, title=i == 0) for i in range(pages)]
    buf = io.BytesIO()
    if fmt == "JPEG":
        images[0].save(buf, "JPEG", quality=65, dpi=(DPI, DPI), optimize=True)
    else:
        # Document scanners store colour pages as indexed colour: a tenth of the size.
        palette = _palette()
        indexed = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
        indexed[0].save(buf, "TIFF", save_all=True, append_images=indexed[1:],
                        compression="tiff_adobe_deflate", dpi=(DPI, DPI))
    return buf.getvalue()
