"""Safe unpacking and staging of pushed packages: every package is hostile.

A case system pushes a BagIt bag as a directory, a .zip, a .tar or a .tar.gz.
:func:`stage` makes the archive's private copy under ``dest/bag`` and computes
every requested digest of every byte in the same single read, so validation
never re-reads the payload.  The source is only read (never modified, locked or
followed through links); nothing is created outside ``dest``.  Hostile input
becomes findings (:mod:`ingest.unpack_codes`); only failures on our side
(``dest`` not writable, disk full) raise ``OSError``.

Cheap before expensive: the type, name and size of every member (zip central
directory, directory walk) are judged before one byte is copied.  A tar stream
can be read only once, so it is judged member by member as it is read, and
nothing more is written once it is refused.
"""
from __future__ import annotations

import errno
import gzip
import hashlib
import logging
import os
import re
import stat
import struct
import tarfile
import unicodedata
import zipfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import IO, Iterable, Iterator, Mapping, Sequence

from findings import Finding, has_errors
from fixity.digest import FileDigest, digest_file, new_hash
from ingest import unpack_codes as C
from ingest.limits import RATIO_FLOOR, UnpackLimits

log = logging.getLogger(__name__)

KINDS = ("directory", "zip", "tar", "tar.gz")
#: Folder under ``dest`` that receives the package's files.
BAG_DIR = "bag"
_CHUNK = 1 << 20
#: Bytes tarfile may read beyond the declared data of one member: its headers
#: (pax records, GNU long names) and padding; a bigger header is an attack.
_HEADER_BUDGET = 4 << 20
#: Longest single file or folder name most file systems accept (NAME_MAX).
_NAME_MAX = 255
_OUR_SIDE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Bidirectional formatting characters (UAX #9 §2): marks, embeddings, overrides, isolates.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Windows device names; reserved whatever the extension or letter case ("con.pdf").
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])$",
                               re.IGNORECASE)
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_ZIP_ENCRYPTED = 0x0001 | 0x0040 | 0x2000  # APPNOTE §4.4.4 bits 0, 6, 13
_ZIP_AES = 99
_ZIP_UTF8 = 0x0800  # APPNOTE §4.4.4 bit 11, Appendix D
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # APPNOTE §4.3.7
_ZIP_FAULTS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError,
               struct.error, EOFError, OverflowError, IndexError)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class StagedPackage:
    """A pushed package as staged: where its bag is, every file's digests, the findings.

    ``files`` is keyed by the POSIX path relative to the bag root
    (``data/documents/a.pdf``, ``bagit.txt``).  ``root`` is None when staging
    stopped before anything was copied.  ``in_place`` means the directory was
    hashed where it lies and ``root`` points into the source.
    """

    source: Path
    kind: str
    root: Path | None
    files: Mapping[str, FileDigest] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    container_sha256: str | None = None
    container_size: int = 0
    in_place: bool = False

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not has_errors(self.findings)


class _Abort(Exception):
    """Stops reading a package; carries the finding that says why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.code)
        self.finding = finding


def _corrupt(location: str, why: object) -> _Abort:
    return _Abort(Finding(C.CORRUPT, location=location, found=str(why) or type(why).__name__))


# ---------------------------------------------------------------- member names

def _shown(name: str) -> str:
    """The name with control and bidirectional formatting characters escaped, safe to print."""
    escaped = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def _segment_hazards(shown_path: str, segment: str) -> list[Finding]:
    """Names legal on POSIX that mislead when shown or break when exported (warnings, not refusals)."""
    out = []
    bidi = sorted({f"U+{ord(c):04X}" for c in _BIDI.findall(segment)})
    if bidi:
        out.append(Finding(C.NAME_BIDI_CONTROL, location=shown_path, found=", ".join(bidi)))
    stem = segment.split(".", 1)[0].rstrip(" ")
    if _WINDOWS_RESERVED.match(stem):
        out.append(Finding(C.NAME_WINDOWS_RESERVED, location=shown_path, found=_shown(stem)))
    if segment.endswith((".", " ")):
        out.append(Finding(C.NAME_TRAILING_DOT_SPACE, location=shown_path, found=repr(_shown(segment))))
    return out


def decode_name(raw: bytes) -> tuple[str | None, list[Finding]]:
    """Decode raw name bytes: UTF-8, else GB18030 (with a warning), else refuse."""
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        name = raw.decode("gb18030")
    except UnicodeDecodeError:
        shown = _shown(raw.decode("utf-8", "backslashreplace"))
        return None, [Finding(C.NAME_ENCODING, location=shown, found=raw.hex())]
    return name, [Finding(C.NAME_GB18030, location=_shown(name), found=raw.hex())]


def _segments(name: str) -> list[str]:
    return [part for part in name.split("/") if part not in ("", ".")]


def check_name(name: str, limits: UnpackLimits) -> tuple[str | None, list[Finding]]:
    """Judge one member path (RFC 8493 §5, APPNOTE §4.4.17).

    Returns the clean relative POSIX path (``./`` and empty segments dropped)
    or None when the name is refused, and the findings.
    """
    faults = _name_faults(name, limits)
    if faults:
        return None, faults
    rel = "/".join(_segments(name))
    if unicodedata.is_normalized("NFC", rel):
        return rel, []
    return rel, [Finding(C.NAME_NOT_NFC, location=rel)]


def _name_faults(name: str, limits: UnpackLimits) -> list[Finding]:
    loc, faults = _shown(name), []
    controls = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(name)})
    if controls:
        faults.append(Finding(C.NAME_CONTROL_CHAR, location=loc, found=", ".join(controls)))
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        faults.append(Finding(C.NAME_ABSOLUTE, location=loc))
    elif "\\" in name:
        faults.append(Finding(C.NAME_BACKSLASH, location=loc))
    parts = _segments(name)
    if ".." in parts:
        faults.append(Finding(C.NAME_DOTDOT, location=loc))
    if not parts:
        faults.append(Finding(C.NAME_EMPTY, location=loc))
    return faults + _length_faults(loc, parts, limits)


def _length_faults(loc: str, parts: list[str], limits: UnpackLimits) -> list[Finding]:
    size = len("/".join(parts).encode("utf-8", "surrogatepass"))
    longest = max((len(p.encode("utf-8", "surrogatepass")) for p in parts), default=0)
    if size > limits.max_path_bytes:
        return [Finding(C.NAME_TOO_LONG, location=loc, expected=str(limits.max_path_bytes), found=str(size))]
    if longest > _NAME_MAX:
        return [Finding(C.NAME_TOO_LONG, location=loc, expected=str(_NAME_MAX), found=str(longest))]
    if len(parts) > limits.max_depth:
        return [Finding(C.NAME_TOO_DEEP, location=loc, expected=str(limits.max_depth), found=str(len(parts)))]
    return []


def _parents(key: str) -> list[str]:
    parts = key.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


class _Names:
    """Accepted paths: duplicates (after NFC), case-only collisions, file/folder clashes, name hazards."""

    def __init__(self) -> None:
        self._files: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        self._dirs: set[str] = set()
        self._judged: set[str] = set()

    def add(self, rel: str, is_dir: bool) -> list[Finding]:
        return self._hazards(rel) + self._add(rel, is_dir)

    def _hazards(self, rel: str) -> list[Finding]:
        """Hazards of each segment, reported once per path prefix (not again for every file in a folder)."""
        out: list[Finding] = []
        parts = rel.split("/")
        for i, part in enumerate(parts):
            prefix = "/".join(parts[:i + 1])
            if prefix not in self._judged:
                self._judged.add(prefix)
                out += _segment_hazards(_shown(prefix), part)
        return out

    def _add(self, rel: str, is_dir: bool) -> list[Finding]:
        key = unicodedata.normalize("NFC", rel)
        parents = _parents(key)
        if any(p in self._files for p in parents) or (is_dir and key in self._files):
            return [Finding(C.NAME_CONFLICT, location=rel)]
        if key in self._files:
            return [Finding(C.NAME_DUPLICATE, location=rel, found=self._files[key])]
        if not is_dir and key in self._dirs:
            return [Finding(C.NAME_CONFLICT, location=rel)]
        self._dirs.update(parents)
        if is_dir:
            self._dirs.add(key)
            return []
        self._files[key] = rel
        other = self._folded.setdefault(key.casefold(), rel)
        return [] if other == rel else [Finding(C.NAME_CASE_COLLISION, location=rel, found=other)]


# ---------------------------------------------------------------- writing

class _Writer:
    """Creates folders (0o755) and files (0o644) under one directory only."""

    def __init__(self, top: Path) -> None:
        self.top = os.path.realpath(top)
        self._made: set[str] = {self.top}

    def mkdir(self, rel: str) -> str:
        """Create folder ``rel`` and its parents; return its path."""
        path = self.top
        for part in rel.split("/") if rel else ():
            path = os.path.join(path, part)
            if path not in self._made:
                self._mkdir_one(path)
        return path

    def _mkdir_one(self, path: str) -> None:
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise _Abort(Finding(C.NAME_CONFLICT, location=self._rel(path))) from None
        os.chmod(path, 0o755)  # the umask must not decide the staged copy's mode
        real = os.path.realpath(path)
        if not real.startswith(self.top + os.sep):  # defence in depth: names were judged already
            raise _Abort(Finding(C.NAME_DOTDOT, location=self._rel(path), found=real))
        self._made.add(path)

    def target(self, rel: str) -> str:
        """The path for new file ``rel``, its folders created."""
        parent, _, name = rel.rpartition("/")
        return os.path.join(self.mkdir(parent), name)

    def create(self, rel: str) -> int:
        """Open new file ``rel`` exclusively, never through a link; return the descriptor."""
        path = self.target(rel)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except FileExistsError:  # a case-insensitive staging file system met a case-only collision
            raise _Abort(Finding(C.NAME_DUPLICATE, location=rel, found=rel)) from None
        os.fchmod(fd, 0o644)
        return fd

    def _rel(self, path: str) -> str:
        return os.path.relpath(path, self.top).replace(os.sep, "/")


class _Sink:
    """Hashes every byte once and writes it to the staged copy, if there is one."""

    def __init__(self, algorithms: Sequence[str], fd: int | None) -> None:
        self._hashers = [(a, new_hash(a)) for a in algorithms]
        self._fd = fd
        self.size = 0

    def write(self, data: bytes) -> None:
        for _, hasher in self._hashers:
            hasher.update(data)
        view = memoryview(data)
        while self._fd is not None and view:
            view = view[os.write(self._fd, view):]
        self.size += len(data)

    def digest(self, key: str) -> FileDigest:
        return FileDigest(key, self.size, {a: h.hexdigest() for a, h in self._hashers})


# ---------------------------------------------------------------- detection

def _open_source(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a package file read-only, never through a link, never blocking on a FIFO."""
    fd = os.open(path, _OPEN_FLAGS)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError(errno.EINVAL, "not a regular file", os.fspath(path))
    return os.fdopen(fd, "rb")


def detect_kind(path: Path) -> str | None:
    """``directory``, ``zip``, ``tar`` or ``tar.gz`` by content (magic bytes); None if unknown."""
    try:
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode):
            return "directory"
        with _open_source(path) as fh:
            head = fh.read(1 << 16)
    except OSError:
        return None
    return _kind_of(head, st.st_size, Path(path).name.lower())


def _kind_of(head: bytes, size: int, name: str) -> str | None:
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):  # APPNOTE §4.3.7, §4.3.16 (empty zip)
        return "zip"
    if head[:2] == b"\x1f\x8b":  # RFC 1952 §2.3.1
        return _gzip_kind(head, name)
    if _is_tar_header(head[:512]) or (size % 512 == 0 and size >= 1024 and not any(head[:1024])):
        return "tar"
    return None


def _gzip_kind(head: bytes, name: str) -> str | None:
    """A gzip file is a tar.gz when its first decompressed block is a tar header."""
    try:
        block = zlib.decompressobj(31).decompress(head, 1024)
    except zlib.error:
        block = b""
    if len(block) >= 512:
        return "tar.gz" if _is_tar_header(block[:512]) or not any(block[:512]) else None
    return "tar.gz" if name.endswith((".tar.gz", ".tgz")) else None  # damaged: let staging say so


def _is_tar_header(block: bytes) -> bool:
    if len(block) < 512 or not any(block):
        return False
    try:
        stored = int(block[148:156].replace(b"\0", b" ").strip() or b"x", 8)
    except ValueError:
        return False
    return stored in tarfile.calc_chksums(block)  # type: ignore[attr-defined]  # stable since Python 2


# ---------------------------------------------------------------- zip

@dataclass(frozen=True)
class _ZipMember:
    info: zipfile.ZipInfo
    rel: str
    is_dir: bool
    raw_name: bytes
    bound: int  # offset of whatever follows this member's data


def _zip_raw_name(info: zipfile.ZipInfo) -> bytes:
    """The name's bytes as stored: zipfile decoded them as UTF-8 or cp437 (a bijection)."""
    encoding = "utf-8" if info.flag_bits & _ZIP_UTF8 else "cp437"
    return info.orig_filename.encode(encoding)


def _zip_name(info: zipfile.ZipInfo) -> tuple[str | None, list[Finding]]:
    if info.flag_bits & _ZIP_UTF8:
        return info.orig_filename, []
    return decode_name(_zip_raw_name(info))


def _read_central_directory(fh: IO[bytes], location: str, limits: UnpackLimits) -> zipfile.ZipFile:
    """Parse the central directory; a declared entry count over the limit is refused first."""
    try:
        declared = _declared_entries(fh)
        if declared > limits.max_files:
            raise _Abort(Finding(C.TOO_MANY_FILES, location=location,
                                 expected=str(limits.max_files), found=str(declared)))
        return zipfile.ZipFile(fh)
    except UnicodeDecodeError as exc:  # a name flagged UTF-8 that is not
        raise _Abort(Finding(C.NAME_ENCODING, location=location, found=exc.object[:200].hex())) from None
    except _ZIP_FAULTS as exc:
        raise _corrupt(location, exc) from None


def _declared_entries(fh: IO[bytes]) -> int:
    """Entry count of the end record (APPNOTE §4.3.16), read before the central directory."""
    end_record = getattr(zipfile, "_EndRecData", None)  # private; without it zipfile's own parse still counts
    end = end_record(fh) if end_record is not None else None
    return int(end[getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)]) if end else 0


def _zip_prescan(zf: zipfile.ZipFile, location: str, size: int,
                 limits: UnpackLimits) -> tuple[list[_ZipMember], list[Finding]]:
    """Judge every entry from the central directory before extracting anything."""
    infos = zf.infolist()
    if len(infos) > limits.max_files:
        return [], [Finding(C.TOO_MANY_FILES, location=location,
                            expected=str(limits.max_files), found=str(len(infos)))]
    bounds, findings = _zip_bounds(zf, infos)
    members, names = [], _Names()
    for info, bound in zip(infos, bounds):
        member, faults = _zip_member(info, bound, limits)
        findings += faults
        if member is not None:
            findings += names.add(member.rel, member.is_dir)
            members.append(member)
    return members, findings + _zip_totals(infos, location, size, limits)


def _zip_member(info: zipfile.ZipInfo, bound: int,
                limits: UnpackLimits) -> tuple[_ZipMember | None, list[Finding]]:
    name, faults = _zip_name(info)
    if name is None:
        return None, faults
    faults += _zip_type_faults(info, _shown(name)) + _zip_size_faults(info, _shown(name), limits)
    rel, name_faults = check_name(name, limits)
    faults += name_faults
    if rel is None or has_errors(faults):
        return None, faults
    return _ZipMember(info, rel, name.endswith("/"), _zip_raw_name(info), bound), faults


def _zip_type_faults(info: zipfile.ZipInfo, loc: str) -> list[Finding]:
    faults = []
    kind = stat.S_IFMT(info.external_attr >> 16)  # Unix mode, APPNOTE §4.4.15
    if kind == stat.S_IFLNK:
        faults.append(Finding(C.SYMLINK, location=loc, found="(stored in the member data)"))
    elif kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        faults.append(Finding(C.SPECIAL_FILE, location=loc, found=_mode_name(kind)))
    if info.flag_bits & _ZIP_ENCRYPTED or info.compress_type == _ZIP_AES:
        faults.append(Finding(C.ENCRYPTED, location=loc))
    elif info.compress_type not in _ZIP_METHODS:
        faults.append(Finding(C.COMPRESSION_METHOD, location=loc, found=str(info.compress_type),
                              expected=", ".join(f"{k} ({v})" for k, v in _ZIP_METHODS.items())))
    return faults


def _zip_size_faults(info: zipfile.ZipInfo, loc: str, limits: UnpackLimits) -> list[Finding]:
    if info.file_size > limits.max_file_bytes:
        return [Finding(C.FILE_TOO_LARGE, location=loc, expected=str(limits.max_file_bytes),
                        found=str(info.file_size))]
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
        return [Finding(C.SIZE_MISMATCH, location=loc, expected=str(info.file_size),
                        found=str(info.compress_size))]
    if _over_ratio(info.file_size, info.compress_size, limits):
        return [Finding(C.RATIO, location=loc, expected=str(limits.max_ratio),
                        found=str(info.file_size // max(info.compress_size, 1)))]
    return []


def _zip_totals(infos: list[zipfile.ZipInfo], location: str, size: int,
                limits: UnpackLimits) -> list[Finding]:
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        return [Finding(C.TOO_LARGE, location=location, expected=str(limits.max_total_bytes), found=str(total))]
    if _over_ratio(total, size, limits):
        return [Finding(C.RATIO, location=location, expected=str(limits.max_ratio),
                        found=str(total // max(size, 1)))]
    return []


def _over_ratio(uncompressed: int, compressed: int, limits: UnpackLimits) -> bool:
    return uncompressed > RATIO_FLOOR and uncompressed > limits.max_ratio * max(compressed, 1)


def _zip_bounds(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> tuple[list[int], list[Finding]]:
    """Each member's data must end before the next member (or the central directory) begins."""
    order = sorted(range(len(infos)), key=lambda i: infos[i].header_offset)
    starts = [infos[i].header_offset for i in order[1:]] + [zf.start_dir]
    bounds, findings = [0] * len(infos), []
    for i, limit in zip(order, starts):
        info = infos[i]
        end = info.header_offset + _LOCAL_HEADER.size + len(_zip_raw_name(info)) + info.compress_size
        bounds[i] = limit
        if end > limit:
            findings.append(Finding(C.ZIP_OVERLAP, location=_shown(info.orig_filename),
                                    found=f"data reaches byte {end}, next structure at {limit}"))
    return bounds, findings


def _zip_extract(fd: int, members: list[_ZipMember], writer: _Writer,
                 algorithms: Sequence[str]) -> dict[str, FileDigest]:
    files = {}
    for member in members:
        if member.is_dir:
            writer.mkdir(member.rel)
        else:
            files[member.rel] = _zip_extract_one(fd, member, writer, algorithms)
    return files


def _zip_extract_one(fd: int, member: _ZipMember, writer: _Writer, algorithms: Sequence[str]) -> FileDigest:
    start = _zip_data_start(fd, member)
    out = writer.create(member.rel)
    sink, crc = _Sink(algorithms, out), 0
    try:
        for chunk in _zip_data(fd, member, start):
            crc = zlib.crc32(chunk, crc)
            sink.write(chunk)
    finally:
        os.close(out)
    info = member.info
    if sink.size != info.file_size:
        raise _Abort(Finding(C.SIZE_MISMATCH, location=member.rel, expected=str(info.file_size),
                             found=str(sink.size)))
    if crc != info.CRC:
        raise _corrupt(member.rel, f"CRC-32 {crc:08x}, central directory says {info.CRC:08x}")
    return sink.digest(member.rel)


def _zip_data_start(fd: int, member: _ZipMember) -> int:
    """Check the local header against the central directory; return where the data starts."""
    offset = member.info.header_offset
    head = os.pread(fd, _LOCAL_HEADER.size, offset)
    if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        raise _corrupt(member.rel, f"no local file header at byte {offset}")
    fields_ = _LOCAL_HEADER.unpack(head)
    method, name_len, extra_len = fields_[3], fields_[9], fields_[10]
    name = os.pread(fd, name_len, offset + _LOCAL_HEADER.size)
    if name != member.raw_name or method != member.info.compress_type:
        raise _Abort(Finding(C.ZIP_HEADER_MISMATCH, location=member.rel,
                             found=f"local header: name {name!r}, method {method}"))
    start = offset + _LOCAL_HEADER.size + name_len + extra_len
    if start + member.info.compress_size > member.bound:
        raise _Abort(Finding(C.ZIP_OVERLAP, location=member.rel,
                             found=f"data reaches byte {start + member.info.compress_size}, "
                                   f"next structure at {member.bound}"))
    return start


def _zip_data(fd: int, member: _ZipMember, start: int) -> Iterator[bytes]:
    """The member's bytes, never more than declared: more is a bomb or a lie."""
    info = member.info
    raw = _pread_chunks(fd, start, info.compress_size, member.rel)
    chunks = raw if info.compress_type == zipfile.ZIP_STORED else _inflate(raw, member.rel)
    produced = 0
    for chunk in chunks:
        produced += len(chunk)
        if produced > info.file_size:
            raise _Abort(Finding(C.SIZE_MISMATCH, location=member.rel, expected=str(info.file_size),
                                 found=str(produced)))
        yield chunk


def _pread_chunks(fd: int, offset: int, length: int, loc: str) -> Iterator[bytes]:
    end = offset + length
    while offset < end:
        data = os.pread(fd, min(_CHUNK, end - offset), offset)
        if not data:
            raise _corrupt(loc, f"archive ends inside the member's data (byte {offset})")
        offset += len(data)
        yield data


def _inflate(raw: Iterable[bytes], loc: str) -> Iterator[bytes]:
    """Raw deflate (APPNOTE §4.4.5 method 8) in bounded pieces."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for data in raw:
            while data and not inflater.eof:
                yield inflater.decompress(data, _CHUNK)
                data = inflater.unconsumed_tail
        while not inflater.eof:
            out = inflater.decompress(b"", _CHUNK)
            if not out:
                raise _corrupt(loc, "deflate stream ends early")
            yield out
    except zlib.error as exc:
        raise _corrupt(loc, f"deflate: {exc}") from None


def _stage_zip(fh: IO[bytes], location: str, size: int, writer: _Writer,
               algorithms: Sequence[str], limits: UnpackLimits) -> tuple[dict[str, FileDigest], list[Finding]]:
    try:
        zf = _read_central_directory(fh, location, limits)
    except _Abort as abort:
        return {}, [abort.finding]
    members, findings = _zip_prescan(zf, location, size, limits)
    if has_errors(findings):
        return {}, findings
    try:
        return _zip_extract(fh.fileno(), members, writer, algorithms), findings
    except _Abort as abort:
        return {}, findings + [abort.finding]


# ---------------------------------------------------------------- tar

class _Raw:
    """The container as read once: counts and hashes its bytes (DA/T 70 1-14)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh
        self.count = 0
        self._sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self._fh.read(n)
        self._sha.update(data)
        self.count += len(data)
        return data

    def finish(self) -> str:
        """Hash the rest of the container; return its sha256."""
        while self.read(_CHUNK):
            pass
        return self._sha.hexdigest()


class _Tap:
    """The tar stream as decompressed: ratio and header budgets, recent bytes."""

    def __init__(self, stream: IO[bytes] | _Raw, raw: _Raw, limits: UnpackLimits, compressed: bool) -> None:
        self._stream, self._raw, self._limits, self._compressed = stream, raw, limits, compressed
        self.count = 0
        self._budget, self._used = _HEADER_BUDGET, 0
        self._recent: deque[tuple[int, bytes]] = deque(maxlen=4)

    def read(self, n: int | None = -1) -> bytes:
        try:
            data = self._stream.read(_CHUNK if n is None or n < 0 else n)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise _corrupt("", f"gzip: {exc}") from None
        if data:  # reads at the end return nothing and must not push real bytes out
            self._recent.append((self.count, data))
        self.count += len(data)
        self._used += len(data)
        self._check()
        return data

    def _check(self) -> None:
        if self._used > self._budget:
            raise _corrupt("", f"more than {self._budget} bytes read for one member's headers "
                               f"(oversized pax or long-name header, or trailing data)")
        if self._compressed and _over_ratio(self.count, self._raw.count, self._limits):
            raise _Abort(Finding(C.RATIO, expected=str(self._limits.max_ratio),
                                 found=str(self.count // max(self._raw.count, 1))))

    def allow(self, declared: int) -> None:
        """The next reads may cover ``declared`` bytes of data plus one member's headers."""
        self._budget, self._used = declared + _HEADER_BUDGET, 0

    def block_at(self, offset: int) -> bytes | None:
        """Up to 512 stream bytes from ``offset`` if still remembered."""
        if not self._recent or offset < self._recent[0][0]:
            return None
        buf = b"".join(data for _, data in self._recent)
        start = offset - self._recent[0][0]
        return buf[start:start + 512]


_TAR_KINDS = {tarfile.CHRTYPE: "character device", tarfile.BLKTYPE: "block device",
              tarfile.FIFOTYPE: "FIFO", tarfile.CONTTYPE: "contiguous file"}


def _mode_name(kind: int) -> str:
    names = {stat.S_IFCHR: "character device", stat.S_IFBLK: "block device",
             stat.S_IFIFO: "FIFO", stat.S_IFSOCK: "socket"}
    return names.get(kind, f"file type {kind:o}")


class _TarReader:
    """Judges, and optionally extracts and hashes, a tar stream member by member."""

    def __init__(self, location: str, writer: _Writer | None, algorithms: Sequence[str],
                 limits: UnpackLimits, tap: _Tap) -> None:
        self.location, self.writer, self.algorithms, self.limits, self.tap = (
            location, writer, algorithms, limits, tap)
        self.files: dict[str, FileDigest] = {}
        self.names_seen: list[str] = []
        self.findings: list[Finding] = []
        self._names = _Names()
        self._count = self._total = 0
        self._refused = False  # once refused, judge the rest but write nothing more

    def run(self, tar: tarfile.TarFile) -> None:
        for member in tar:
            self.tap.allow(max(tar.offset - tar.fileobj.tell(), 0))  # type: ignore[union-attr]
            self.take(tar, member)
        block = self.tap.block_at(tar.offset)
        if block is not None and len(block) < 512:
            raise _corrupt(self.location, f"archive truncated at byte {tar.offset} (no end-of-archive block)")
        if block is not None and any(block):
            raise _corrupt(self.location, f"unreadable tar header at byte {tar.offset}")

    def take(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        self._count += 1
        if self._count > self.limits.max_files:
            raise _Abort(Finding(C.TOO_MANY_FILES, location=self.location,
                                 expected=str(self.limits.max_files), found=str(self._count)))
        rel, faults = self._judge(member)
        self.findings += faults
        self._refused = self._refused or has_errors(faults)
        if rel is None or self._refused:
            return  # refused: tarfile skips the data, the tap still counts it
        if member.isdir():
            if self.writer is not None:
                self.writer.mkdir(rel)
        elif self.writer is not None:
            self._extract(tar, member, rel)

    def _judge(self, member: tarfile.TarInfo) -> tuple[str | None, list[Finding]]:
        name, faults = decode_name(member.name.encode("utf-8", "surrogateescape"))
        loc = faults[0].location if name is None else _shown(name)
        if member.isreg() or member.type not in tarfile.SUPPORTED_TYPES:
            self._size_check(member, loc)
        if name is None:
            return None, faults
        faults += self._type_faults(member, loc)
        rel, name_faults = check_name(name, self.limits)
        faults += name_faults
        if rel is None or has_errors(faults):
            return None, faults
        if not member.isdir():
            self.names_seen.append(name)
        return rel, faults + self._names.add(rel, member.isdir())

    @staticmethod
    def _type_faults(member: tarfile.TarInfo, loc: str) -> list[Finding]:
        if member.issym():
            return [Finding(C.SYMLINK, location=loc, found=_shown(member.linkname))]
        if member.islnk():
            return [Finding(C.HARDLINK, location=loc, found=_shown(member.linkname))]
        if member.issparse():
            return [Finding(C.SPECIAL_FILE, location=loc, found="sparse file")]
        if member.isreg() or member.isdir():
            return []
        return [Finding(C.SPECIAL_FILE, location=loc, found=_TAR_KINDS.get(member.type, f"type {member.type!r}"))]

    def _size_check(self, member: tarfile.TarInfo, loc: str) -> None:
        """Header sizes decide what is read next: judge them before reading (counting as we go)."""
        if member.size > self.limits.max_file_bytes:
            raise _Abort(Finding(C.FILE_TOO_LARGE, location=loc, expected=str(self.limits.max_file_bytes),
                                 found=str(member.size)))
        self._total += member.size
        if self._total > self.limits.max_total_bytes:
            raise _Abort(Finding(C.TOO_LARGE, location=self.location,
                                 expected=str(self.limits.max_total_bytes), found=str(self._total)))

    def _extract(self, tar: tarfile.TarFile, member: tarfile.TarInfo, rel: str) -> None:
        assert self.writer is not None
        source = tar.extractfile(member)
        out = self.writer.create(rel)
        sink = _Sink(self.algorithms, out)
        try:
            while chunk := source.read(_CHUNK):  # type: ignore[union-attr]
                sink.write(chunk)
        finally:
            os.close(out)
        self.files[rel] = sink.digest(rel)


def _read_tar(fh: IO[bytes], compressed: bool, location: str, writer: _Writer | None,
              algorithms: Sequence[str], limits: UnpackLimits) -> tuple[_TarReader, str]:
    """Stream the tar (tarfile ``r|``) once; gzip is ours so its CRC and size are verified."""
    raw = _Raw(fh)
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw  # type: ignore[call-overload]
    tap = _Tap(stream, raw, limits, compressed)
    reader = _TarReader(location, writer, algorithms, limits, tap)
    try:
        options = {"encoding": "utf-8", "errors": "surrogateescape"}  # raw name bytes stay recoverable
        with tarfile.open(fileobj=tap, mode="r|", **options) as tar:  # type: ignore[call-overload]
            reader.run(tar)
        tap.allow(0)
        while compressed and tap.read(_CHUNK):  # to gzip's end: its CRC-32 and ISIZE are checked
            pass
    except _Abort as abort:
        reader.findings.append(replace(abort.finding, location=abort.finding.location or location))
    except tarfile.TarError as exc:
        reader.findings.append(Finding(C.CORRUPT, location=location, found=f"tar: {exc}"))
    return reader, raw.finish()


# ---------------------------------------------------------------- directories

@dataclass(frozen=True)
class _Entry:
    rel: str
    src: str
    size: int


class _Walker:
    """Walks a source directory with os.scandir, never following links."""

    def __init__(self, limits: UnpackLimits) -> None:
        self.limits = limits
        self.entries: list[_Entry] = []
        self.findings: list[Finding] = []
        self._names = _Names()
        self._total = 0
        self._stopped = False

    def run(self, top: str) -> None:
        stack = [(top, "")]
        while stack and not self._stopped:
            path, rel = stack.pop()
            for entry in self._scan(path, rel):
                self._visit(entry, rel, stack)
                if self._stopped:
                    return

    def _scan(self, path: str, rel: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(path) as it:
                return sorted(it, key=lambda e: e.name, reverse=True)
        except OSError as exc:
            self.findings.append(Finding(C.READ_ERROR, location=rel or ".", found=exc.strerror or str(exc)))
            return []

    def _visit(self, entry: os.DirEntry[str], parent: str, stack: list[tuple[str, str]]) -> None:
        name, faults = decode_name(os.fsencode(entry.name))
        self.findings += faults
        if name is None:
            return
        rel = f"{parent}/{name}" if parent else name
        try:
            self._classify(entry, rel, stack)
        except OSError as exc:  # vanished or unreadable while we walked
            self.findings.append(Finding(C.READ_ERROR, location=_shown(rel), found=exc.strerror or str(exc)))

    def _classify(self, entry: os.DirEntry[str], rel: str, stack: list[tuple[str, str]]) -> None:
        if entry.is_symlink():
            self.findings.append(Finding(C.SYMLINK, location=_shown(rel), found=_readlink(entry.path)))
        elif entry.is_dir(follow_symlinks=False):
            self._descend(entry, rel, stack)
        elif entry.is_file(follow_symlinks=False):
            self._file(entry, rel)
        else:
            kind = stat.S_IFMT(entry.stat(follow_symlinks=False).st_mode)
            self.findings.append(Finding(C.SPECIAL_FILE, location=_shown(rel), found=_mode_name(kind)))

    def _descend(self, entry: os.DirEntry[str], rel: str, stack: list[tuple[str, str]]) -> None:
        depth = rel.count("/") + 1
        if depth > self.limits.max_depth:
            self.findings.append(Finding(C.NAME_TOO_DEEP, location=_shown(rel),
                                         expected=str(self.limits.max_depth), found=str(depth)))
        else:
            stack.append((entry.path, rel))

    def _file(self, entry: os.DirEntry[str], rel: str) -> None:
        checked, faults = check_name(rel, self.limits)
        self.findings += faults
        if checked is None:
            return
        size = entry.stat(follow_symlinks=False).st_size
        self.findings += self._names.add(checked, False)
        self.entries.append(_Entry(checked, entry.path, size))
        self._total += size
        self.findings += self._limit_faults(checked, size)

    def _limit_faults(self, rel: str, size: int) -> list[Finding]:
        lim = self.limits
        if size > lim.max_file_bytes:
            return [Finding(C.FILE_TOO_LARGE, location=rel, expected=str(lim.max_file_bytes), found=str(size))]
        if len(self.entries) > lim.max_files:
            self._stopped = True
            return [Finding(C.TOO_MANY_FILES, expected=str(lim.max_files), found=str(len(self.entries)))]
        if self._total > lim.max_total_bytes:
            self._stopped = True
            return [Finding(C.TOO_LARGE, expected=str(lim.max_total_bytes), found=str(self._total))]
        return []


def _readlink(path: str) -> str:
    try:
        return _shown(os.fsdecode(os.readlink(path)))
    except OSError:
        return "?"


def _digest_job(job: tuple[str, str, str | None],
                algorithms: Sequence[str]) -> tuple[str, FileDigest | None, Finding | None]:
    """Copy and hash one file; a fault of the source is a finding, a fault of ours raises."""
    rel, src, dst = job
    try:
        size, digests = digest_file(src, algorithms, dst, fsync=False)
    except FileExistsError as exc:
        if exc.filename != dst:
            raise
        return rel, None, Finding(C.NAME_DUPLICATE, location=rel, found=rel)
    except OSError as exc:
        if dst is not None and (exc.filename == dst or exc.errno in _OUR_SIDE):
            raise
        return rel, None, Finding(C.READ_ERROR, location=rel, found=exc.strerror or str(exc))
    if dst is not None:
        os.chmod(dst, 0o644)  # the umask must not decide the staged copy's mode
    return rel, FileDigest(rel, size, digests), None


def _digest_entries(entries: list[_Entry], writer: _Writer | None, algorithms: Sequence[str],
                    workers: int) -> tuple[dict[str, FileDigest], list[Finding]]:
    # folders are made here, in one thread, before the workers write into them
    jobs = [(e.rel, e.src, writer.target(e.rel) if writer else None) for e in entries]
    files, findings = {}, []
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for rel, digest, finding in pool.map(lambda job: _digest_job(job, algorithms), jobs):
            if digest is not None:
                files[rel] = digest
            if finding is not None:
                findings.append(finding)
    return files, findings


# ---------------------------------------------------------------- staging

def _find_root(rels: Iterable[str], location: str) -> tuple[str | None, list[Finding]]:
    """The bag root holds bagit.txt: the top, or the single top-level folder that has it."""
    rels = set(rels)
    if "bagit.txt" in rels:
        return "", []
    tops = sorted({r.split("/", 1)[0] for r in rels if r.count("/") == 1 and r.endswith("/bagit.txt")})
    if len(tops) == 1:
        return tops[0], []
    if tops:
        return None, [Finding(C.BAG_ROOT_AMBIGUOUS, location=location, found=", ".join(tops))]
    return None, [Finding(C.NO_BAG_ROOT, location=location)]


def _rebase(files: Mapping[str, FileDigest], root: str) -> tuple[dict[str, FileDigest], list[Finding]]:
    """Key files by their path inside the bag; files outside it are extra (DA/T 70 4-3)."""
    prefix = f"{root}/" if root else ""
    inside, extra = {}, []
    for rel, digest in sorted(files.items()):
        if rel.startswith(prefix):
            key = rel[len(prefix):]
            inside[key] = replace(digest, key=key)
        else:
            extra.append(Finding(C.EXTRA_FILE, location=rel, expected=root or "."))
    return inside, extra


@dataclass
class _Outcome:
    """What one staging run gathered; frozen into a StagedPackage at the end."""

    source: Path
    kind: str
    top: Path | None
    in_place: bool
    files: dict[str, FileDigest] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    container_sha256: str | None = None
    container_size: int = 0

    def package(self) -> StagedPackage:
        # a finding about the whole package names the package
        findings = [f if f.location else replace(f, location=self.source.name) for f in self.findings]
        root: Path | None = None
        files: dict[str, FileDigest] = {}
        if not has_errors(findings) and not self.files:
            findings.append(Finding(C.EMPTY, location=self.source.name, found="no files"))
        elif not has_errors(findings) and self.top is not None:
            found, root_findings = _find_root(self.files, self.source.name)
            files, extra = _rebase(self.files, found or "")
            root = self.top / found if found else self.top
            findings += root_findings + extra
        return StagedPackage(self.source, self.kind, root, MappingProxyType(files), tuple(findings),
                             self.container_sha256, self.container_size, self.in_place)


def _probe(source: Path) -> tuple[str | None, list[Finding]]:
    """The package's kind, or the findings that stop staging before it starts."""
    loc = source.name
    try:
        st = os.lstat(source)
    except OSError as exc:
        return None, [Finding(C.SOURCE_MISSING, location=loc, found=exc.strerror or str(exc))]
    if stat.S_ISLNK(st.st_mode):
        return None, [Finding(C.SYMLINK, location=loc, found=_readlink(os.fspath(source)))]
    if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
        return None, [Finding(C.SPECIAL_FILE, location=loc, found=_mode_name(stat.S_IFMT(st.st_mode)))]
    if stat.S_ISREG(st.st_mode) and st.st_size == 0:
        return None, [Finding(C.EMPTY, location=loc, found="0 bytes")]
    kind = detect_kind(source)
    if kind is None:
        return None, [Finding(C.UNKNOWN_FORMAT, location=loc, found=_head_hex(source))]
    return kind, []


def _head_hex(path: Path) -> str:
    try:
        with _open_source(path) as fh:
            return fh.read(8).hex(" ")
    except OSError as exc:
        return exc.strerror or str(exc)


def _make_top(dest: Path) -> Path:
    """``dest/bag``, new: staging into an old copy would mix two packages."""
    dest.mkdir(parents=True, exist_ok=True)
    top = dest / BAG_DIR
    top.mkdir(mode=0o755)
    os.chmod(top, 0o755)
    return top


def stage(source: Path, dest: Path | None, algorithms: Sequence[str],
          limits: UnpackLimits = UnpackLimits(), *, workers: int | None = None) -> StagedPackage:
    """Stage a pushed package: copy it to ``dest/bag`` and hash every byte in one read.

    ``dest=None`` hashes a directory where it lies (``casearchive validate``);
    archives always need ``dest``.  ``algorithms`` are the digests wanted for
    every file (BagIt manifest names: sha256, sha512, sm3 …); peek with
    :func:`list_names` to learn them from the manifests' names.  Never raises
    for bad input; raises ``OSError`` when ``dest`` cannot be written, and
    ``ValueError`` (``UnsupportedAlgorithm``) for an unknown algorithm.
    """
    source, algs = Path(source), tuple(dict.fromkeys(algorithms))
    for algorithm in algs:
        new_hash(algorithm)
    kind, early = _probe(source)
    if kind is not None and kind != "directory" and dest is None:
        raise ValueError("dest=None (hashing in place) is only for directory sources")
    outcome = _Outcome(source, kind or "unknown", None, dest is None, findings=early)
    if kind == "directory":
        _stage_directory(outcome, dest, algs, limits, workers or min(4, os.cpu_count() or 1))
    elif kind is not None and dest is not None:
        _stage_archive(outcome, _make_top(Path(dest)), algs, limits)
    package = outcome.package()
    log.info("staged %s (%s): %d files, %d findings", source, package.kind, len(package.files), len(package.findings))
    return package


def _stage_directory(outcome: _Outcome, dest: Path | None, algorithms: Sequence[str],
                     limits: UnpackLimits, workers: int) -> None:
    walker = _Walker(limits)
    walker.run(os.fspath(outcome.source))
    outcome.findings += walker.findings
    outcome.container_size = sum(e.size for e in walker.entries)
    if has_errors(outcome.findings):
        return
    outcome.top = outcome.source if dest is None else _make_top(Path(dest))
    writer = None if dest is None else _Writer(outcome.top)
    try:
        files, findings = _digest_entries(walker.entries, writer, algorithms, workers)
    except _Abort as abort:
        files, findings = {}, [abort.finding]
    outcome.files.update(files)
    outcome.findings += findings


def _stage_archive(outcome: _Outcome, top: Path, algorithms: Sequence[str], limits: UnpackLimits) -> None:
    outcome.top, loc = top, outcome.source.name
    writer = _Writer(top)
    try:
        fh = _open_source(outcome.source)
    except OSError as exc:  # swapped or removed after the probe
        outcome.findings.append(Finding(C.SOURCE_MISSING, location=loc, found=exc.strerror or str(exc)))
        return
    with fh:
        outcome.container_size = os.fstat(fh.fileno()).st_size
        if outcome.kind == "zip":
            files, findings = _stage_zip(fh, loc, outcome.container_size, writer, algorithms, limits)
            outcome.container_sha256 = _hash_fd(fh.fileno())
        else:
            reader, outcome.container_sha256 = _read_tar(fh, outcome.kind == "tar.gz", loc, writer,
                                                         algorithms, limits)
            files, findings = reader.files, reader.findings
    outcome.files.update(files)
    outcome.findings += findings


def _hash_fd(fd: int) -> str:
    """sha256 of the whole container (DA/T 70 1-14: the package digest at receipt)."""
    sha, offset = hashlib.sha256(), 0
    while data := os.pread(fd, _CHUNK, offset):
        sha.update(data)
        offset += len(data)
    return sha.hexdigest()


# ---------------------------------------------------------------- peeking

def list_names(path: Path, kind: str | None, limits: UnpackLimits = UnpackLimits()) -> list[str]:
    """Member file names as found in the package (folders left out), read cheaply.

    Used to find the manifests, hence the algorithms, before the one read.
    Never raises for bad input: a damaged package yields the names read
    before the damage; a refused name is left out.
    """
    try:
        if kind == "directory":
            walker = _Walker(limits)
            walker.run(os.fspath(path))
            return [e.rel for e in walker.entries]
        with _open_source(path) as fh:
            if kind == "zip":
                return _zip_names(fh, limits)
            if kind in ("tar", "tar.gz"):
                reader, _ = _read_tar(fh, kind == "tar.gz", Path(path).name, None, (), limits)
                return reader.names_seen
    except OSError:
        return []
    return []


def _zip_names(fh: IO[bytes], limits: UnpackLimits) -> list[str]:
    try:
        infos = _read_central_directory(fh, "", limits).infolist()
    except _Abort:
        return []
    names = (_zip_name(info)[0] for info in infos[:limits.max_files])
    return [n for n in names if n is not None and not n.endswith("/")]
