"""Benchmark corpora: seeded SIP bags of real, valid files with pseudo-random content.

A corpus is one BagIt 1.0 bag (RFC 8493) that satisfies the SIP contract
(docs/sip.md): bag-info with Source-Organization, External-Identifier (= 案号),
Bagging-Date, Payload-Oxum and the profile identifier, a SHA-256 payload manifest,
and ``data/metadata/casefile.xml`` built with :mod:`metadata.model` and serialised
with :func:`metadata.xml.casefile_to_xml`.  The case-level facts come from the
sample generator (:func:`samples.context.make_context`).

The receive-stage checks identify formats by content and open every file (DA/T 70
3-3, 3-4), so documents must be what they claim (bench/README.md):
* corpus A (small files): single-page, uncompressed 8-bit greyscale TIFF 6.0 images
  whose pixels are noise — real images, decoded by the checks like any scan;
* corpus B (large files): ISO BMFF (MP4) files — ``ftyp``, a ``moov`` holding only
  a movie header (no tracks), and an ``mdat`` of random bytes: a structurally valid
  container whose media data no track references, so nothing claims it plays.

Random bytes come from AES-128-CTR keyed by SHA-256 of the seed and file number:
seeded, reproducible and ~4 GB/s, where ``random.randbytes`` manages ~160 MB/s.
Each file is written in chunks, hashed while written, never held whole in memory.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import struct
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from metadata.model import CaseFile, Digest, Document, OriginalForm, Volume
from metadata.xml import casefile_to_xml
from samples.bag import BAGIT_TXT, PROFILE_ID, bag_info_text, bag_name, encode_path
from samples.context import CaseContext, make_context

TODAY = date(2026, 11, 1)  # the samples' default "today": case dates are drawn before it
REMARK = {"TIFF": "基准测试数据：随机噪声灰度图像，非真实文书 / benchmark data: a noise image, not a real document",
          "MP4": "基准测试数据：MP4 容器内为随机字节，无音视频轨道 / benchmark data: an MP4 container of random "
                 "bytes without tracks, not a real recording"}
EXTENSION = {"TIFF": "tif", "MP4": "mp4"}
TIFF_WIDTH = 256  # pixels per row (1 byte each)
METADATA = "data/metadata/casefile.xml"
MARKER = "complete.json"
CHUNK = 8 << 20
LAYOUT = 2  # bump when the files a spec produces change, so old corpora are not reused
PAGES_PER_VOLUME = 200  # as samples.casefile: a bound 册 holds about 200 leaves
KIB, MIB = 1 << 10, 1 << 20


@dataclass(frozen=True)
class CorpusSpec:
    """What a corpus is: ``files`` files of ``min_size``–``max_size`` bytes (uniform, seeded)."""

    name: str
    files: int
    min_size: int
    max_size: int
    seed: int = 1

    @property
    def key(self) -> str:
        """Directory name: every parameter in it, so variants never reuse each other's bags."""
        return f"{self.name}{LAYOUT}-{self.files}x{self.min_size}-{self.max_size}-s{self.seed}"

    def sizes(self) -> list[int]:
        rng = random.Random(f"casearchive-bench:{self.seed}:{self.name}:sizes")
        return [rng.randint(self.min_size, self.max_size) for _ in range(self.files)]


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: the bag and the payload files a floor tool hashes."""

    spec: CorpusSpec
    bag: Path
    payload_bytes: int
    payload_files: int  # documents + casefile.xml

    def files(self) -> list[Path]:
        """Every payload file (documents, then the metadata), in path order."""
        docs = sorted((self.bag / "data" / "documents").iterdir())
        return docs + [self.bag / METADATA]

    def tag_files(self) -> list[Path]:
        return sorted(p for p in self.bag.iterdir() if p.is_file())


def spec_a(scale: float = 1.0, files: int | None = None) -> CorpusSpec:
    """Corpus A: many small files, 4–64 KiB (20,000 files, ~700 MB at full scale)."""
    return CorpusSpec("A", files or max(1, round(20_000 * scale)), 4 * KIB, 64 * KIB)


def spec_b(scale: float = 1.0, files: int | None = None, size: int | None = None) -> CorpusSpec:
    """Corpus B: few large files (8 × 256 MiB at full scale; ``--quick`` keeps 8 files of 1/10 size)."""
    size = size or int(256 * MIB * scale)
    return CorpusSpec("B", files or 8, size, size)


def keystream(spec: CorpusSpec, index: int) -> Cipher:
    key = hashlib.sha256(f"casearchive-bench:{spec.seed}:{spec.name}:{index}".encode()).digest()
    return Cipher(algorithms.AES(key[:16]), modes.CTR(key[16:]))


def write_file(path: Path, spec: CorpusSpec, index: int, head: bytes, random_bytes: int, tail: bytes) -> tuple[int, str]:
    """``head``, ``random_bytes`` seeded bytes, ``tail``; return size and SHA-256."""
    enc, h = keystream(spec, index).encryptor(), hashlib.sha256()
    zeros = bytes(min(CHUNK, random_bytes))
    with open(path, "wb") as out:
        for part in _parts(enc, zeros, head, random_bytes, tail):
            h.update(part)
            out.write(part)
    return len(head) + random_bytes + len(tail), h.hexdigest()


def _parts(enc, zeros: bytes, head: bytes, count: int, tail: bytes):  # type: ignore[no-untyped-def]
    yield head
    while count:
        part = enc.update(zeros[:min(count, CHUNK)])
        count -= len(part)
        yield part
    yield tail


def tiff_parts(target: int) -> tuple[bytes, int, bytes]:
    """Baseline TIFF 6.0 (little endian), one uncompressed 8-bit grey strip, 300 dpi: about ``target`` bytes."""
    entries = 12
    overhead = 8 + 2 + 12 * entries + 4 + 16
    rows = max(1, (target - overhead) // TIFF_WIDTH)
    pixels = rows * TIFF_WIDTH
    ifd = 8 + pixels + (pixels & 1)  # the IFD starts on a word boundary
    rationals = ifd + 2 + 12 * entries + 4
    tags = [(256, 3, 1, TIFF_WIDTH), (257, 4, 1, rows), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, 8), (277, 3, 1, 1), (278, 4, 1, rows), (279, 4, 1, pixels), (282, 5, 1, rationals),
            (283, 5, 1, rationals + 8), (296, 3, 1, 2)]
    body = struct.pack("<H", entries) + b"".join(struct.pack("<HHII", *t) for t in tags) + struct.pack("<I", 0)
    tail = b"\0" * (pixels & 1) + body + struct.pack("<IIII", 300, 1, 300, 1)
    return b"II*\0" + struct.pack("<I", ifd), pixels, tail


def mp4_parts(target: int) -> tuple[bytes, int, bytes]:
    """ISO/IEC 14496-12: ftyp, moov (mvhd only: no tracks), mdat of random bytes; exactly ``target`` bytes."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isommp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(b"mvhd", struct.pack(">IIIIIIH", 0, 0, 0, 1000, 0, 0x10000, 0x100) + bytes(10) + matrix
                + bytes(24) + struct.pack(">I", 1))
    head = ftyp + _box(b"moov", mvhd)
    large = target - len(head) > 0xFFFFFFFF  # a 64-bit box size (§4.2) needs 8 more header bytes
    data = max(0, target - len(head) - (16 if large else 8))
    mdat = struct.pack(">I4sQ", 1, b"mdat", data + 16) if large else struct.pack(">I4s", data + 8, b"mdat")
    return head + mdat, data, b""


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def write_document(bag: Path, spec: CorpusSpec, ctx: CaseContext, number: int, target: int) -> Document:
    """卷内文件 ``number``: one page/frame, 正卷, born digital, declared as what it is."""
    fmt = "TIFF" if spec.name == "A" else "MP4"
    rel = f"documents/{number:05d}.{EXTENSION[fmt]}"
    head, count, tail = (tiff_parts if fmt == "TIFF" else mp4_parts)(target)
    size, sha256 = write_file(bag / "data" / rel, spec, number, head, count, tail)
    return Document(
        sequence=number, title=f"基准测试数据{number:05d}", creator=ctx.court.name, date=ctx.closing_date,
        volume=Volume.MAIN, path=rel, page_count=1, start_page=number, original_form=OriginalForm.BORN_DIGITAL,
        format=fmt, size=size, digest=Digest("sha256", sha256), doc_number=ctx.case_number, remarks=REMARK[fmt])


def casefile(ctx: CaseContext, documents: tuple[Document, ...]) -> CaseFile:
    """Case-level metadata from the sample context; counts are those of ``documents``."""
    pages = sum(d.page_count for d in documents)
    return CaseFile(
        case_number=ctx.case_number, cause=ctx.cause, parties=ctx.parties, procedure=ctx.procedure,
        result=ctx.result, court=ctx.court.name, department=ctx.department, judge=ctx.judge, clerk=ctx.clerk,
        panel=ctx.panel, filing_date=ctx.filing_date, closing_date=ctx.closing_date,
        security_level=ctx.security_level, retention=ctx.retention,
        main_volumes=math.ceil(pages / PAGES_PER_VOLUME), secondary_volumes=0, document_count=len(documents),
        page_count=pages, documents=documents, fonds_number=ctx.court.fonds,
        archiving_date=ctx.archiving_date, archived_by=ctx.clerk)


def context(spec: CorpusSpec) -> CaseContext:
    return make_context(random.Random(f"casearchive-bench:{spec.seed}:{spec.name}:case"), 0, TODAY)


def write_documents(bag: Path, spec: CorpusSpec, ctx: CaseContext) -> tuple[Document, ...]:
    (bag / "data" / "documents").mkdir(parents=True)
    return tuple(write_document(bag, spec, ctx, number, size) for number, size in enumerate(spec.sizes(), start=1))


def write_tags(bag: Path, ctx: CaseContext, entries: dict[str, tuple[int, str]]) -> None:
    """bagit.txt, bag-info.txt, manifest-sha256.txt and tagmanifest-sha256.txt (RFC 8493 §2)."""
    octets = sum(size for size, _ in entries.values())
    info = {"Source-Organization": ctx.court.name, "External-Identifier": ctx.case_number,
            "External-Description": f"{ctx.cause} 电子卷宗（基准测试数据）",
            "Bagging-Date": ctx.archiving_date.isoformat(), "Payload-Oxum": f"{octets}.{len(entries)}",
            "BagIt-Profile-Identifier": PROFILE_ID, "Contact-Name": ctx.clerk}
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info_text(info),
            "manifest-sha256.txt": manifest(sorted((p, d) for p, (_, d) in entries.items()))}
    for name, data in tags.items():
        (bag / name).write_bytes(data)
    tag_lines = sorted((name, hashlib.sha256(data).hexdigest()) for name, data in tags.items())
    (bag / "tagmanifest-sha256.txt").write_bytes(manifest(tag_lines))


def manifest(lines: list[tuple[str, str]]) -> bytes:
    return "".join(f"{digest}  {encode_path(path)}\n" for path, digest in lines).encode("utf-8")


def generate(spec: CorpusSpec, root: Path) -> Corpus:
    """Write the corpus bag under ``root/<spec.key>/``, replacing any incomplete one."""
    home = root / spec.key
    shutil.rmtree(home, ignore_errors=True)
    ctx = context(spec)
    bag = home / bag_name(ctx.case_number)
    docs = write_documents(bag, spec, ctx)
    xml = casefile_to_xml(casefile(ctx, docs))
    (bag / METADATA).parent.mkdir(parents=True)
    (bag / METADATA).write_bytes(xml)
    entries = {f"data/{d.path}": (d.size, d.digest.value) for d in docs}
    entries[METADATA] = (len(xml), hashlib.sha256(xml).hexdigest())
    write_tags(bag, ctx, entries)
    corpus = Corpus(spec, bag, sum(s for s, _ in entries.values()), len(entries))
    (home / MARKER).write_text(json.dumps(marker(corpus), indent=2), encoding="utf-8")
    return corpus


def marker(corpus: Corpus) -> dict[str, object]:
    return {"spec": asdict(corpus.spec), "bag": corpus.bag.name, "payload_bytes": corpus.payload_bytes,
            "payload_files": corpus.payload_files}


def load(spec: CorpusSpec, root: Path) -> Corpus | None:
    """The corpus under ``root`` if its marker matches ``spec`` and every payload file is there."""
    try:
        data = json.loads((root / spec.key / MARKER).read_text(encoding="utf-8"))
        corpus = Corpus(spec, root / spec.key / data["bag"], int(data["payload_bytes"]), int(data["payload_files"]))
        if data["spec"] != asdict(spec):
            return None
        files = corpus.files()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    complete = len(files) == corpus.payload_files and sum(p.stat().st_size for p in files) == corpus.payload_bytes
    return corpus if complete else None


def ensure(spec: CorpusSpec, root: Path) -> tuple[Corpus, bool]:
    """Reuse a complete corpus or generate it; the flag says whether it was generated now."""
    corpus = load(spec, root)
    if corpus is not None:
        return corpus, False
    root.mkdir(parents=True, exist_ok=True)
    return generate(spec, root), True


def warm(paths: list[Path]) -> int:
    """Read every file once so each tool starts from the page cache alike; return bytes read."""
    total = 0
    buf = bytearray(CHUNK)
    for path in paths:
        with open(path, "rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                total += n
    return total


def tree_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (an AIP copy, to warm it before verifying)."""
    return sorted(Path(d) / f for d, _, names in os.walk(root) for f in names)
