"""Builders for the unpack tests: real bags, raw zips and snapshots (no tests here).

``build_zip`` writes zip files byte by byte (APPNOTE §4.3) so that tests can
produce the hostile forms zipfile refuses to write: lying sizes, raw name
bytes without the UTF-8 flag, symlink modes, encryption flags, overlaps.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"


def bag_files(prefix: str = "") -> dict[str, bytes]:
    """A small valid bag: declaration, manifest and two payload files."""
    payload = {"data/documents/判决书.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40, "data/a.txt": b"hello\n"}
    manifest = "".join(f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in sorted(payload.items()))
    files = {"bagit.txt": BAGIT_TXT, "manifest-sha256.txt": manifest.encode(), **payload}
    return {prefix + k: v for k, v in files.items()}


@dataclass
class RawMember:
    """One zip entry as stored; ``None`` fields are computed from ``data``."""

    name: bytes
    data: bytes = b""
    method: int = 8
    flags: int = 0x0800
    external_attr: int = (stat.S_IFREG | 0o644) << 16
    create_system: int = 3
    file_size: int | None = None
    compress_size: int | None = None
    crc: int | None = None
    local_name: bytes | None = None
    offset: int | None = None  # point the central entry at another local header


def deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def _zip64(usize: int, csize: int) -> tuple[int, int, bytes]:
    """Sizes of 4 GiB and more go to the Zip64 extra field (APPNOTE §4.5.3)."""
    if usize < 0xFFFFFFFF and csize < 0xFFFFFFFF:
        return usize, csize, b""
    return 0xFFFFFFFF, 0xFFFFFFFF, struct.pack("<HHQQ", 1, 16, usize, csize)


def build_zip(members: list[RawMember]) -> bytes:
    out, central = bytearray(), bytearray()
    offsets: list[int] = []
    for m in members:
        comp = m.data if m.method == 0 else deflate_raw(m.data)
        crc = zlib.crc32(m.data) if m.crc is None else m.crc
        usize = len(m.data) if m.file_size is None else m.file_size
        csize = len(comp) if m.compress_size is None else m.compress_size
        lname = m.name if m.local_name is None else m.local_name
        offsets.append(len(out))
        usize32, csize32, extra = _zip64(usize, csize)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, m.flags, m.method, 0, 0x21,
                           crc, csize32, usize32, len(lname), len(extra)) + lname + extra + comp
        offset = offsets[-1] if m.offset is None else m.offset
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", (m.create_system << 8) | 45, 45, m.flags,
                               m.method, 0, 0x21, crc, csize32, usize32, len(m.name), len(extra), 0, 0, 0,
                               m.external_attr, offset) + m.name + extra
    cd_offset = len(out)
    out += central
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), cd_offset, 0)
    return bytes(out)


def zip_of(files: dict[str, bytes]) -> bytes:
    return build_zip([RawMember(k.encode(), v) for k, v in files.items()])


def tar_of(files: dict[str, bytes], compressed: bool = False, fmt: int = tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if compressed else "w", format=fmt) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tar_with(infos: list[tuple[tarfile.TarInfo, bytes | None]], compressed: bool = False,
             fmt: int = tarfile.GNU_FORMAT) -> bytes:
    """A tar of hand-made headers; names may carry raw bytes (surrogateescape)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if compressed else "w", format=fmt,
                      encoding="utf-8", errors="surrogateescape") as tar:
        for info, data in infos:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def make_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def snapshot(root: Path, exclude: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """Every path under ``root`` (links not followed): size, mtime_ns, mode."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if exclude is not None and Path(dirpath) == exclude:
            dirnames.clear()
            continue
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if exclude is not None and Path(path) == exclude:
                continue
            st = os.lstat(path)
            result[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return result


def assert_contained(dest: Path) -> None:
    """Nothing under ``dest`` is a link or resolves outside it."""
    real = os.path.realpath(dest)
    for dirpath, dirnames, filenames in os.walk(dest):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            assert not os.path.islink(path), path
            assert os.path.realpath(path).startswith(real + os.sep), path


def staged_files(top: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, filenames in os.walk(top):
        for name in filenames:
            path = Path(dirpath) / name
            out[path.relative_to(top).as_posix()] = path.read_bytes()
    return out
