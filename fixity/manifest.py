"""BagIt manifest files: ``manifest-<alg>.txt`` and ``tagmanifest-<alg>.txt``.

RFC 8493 §2.1.3 (payload manifest) and §2.2.1 (tag manifest): one line per
file, ``CHECKSUM FILEPATH``, separated by one or more linear whitespace
characters; paths use ``/``; from BagIt 1.0 on, CR, LF and ``%`` in a path are
percent-encoded.  BagIt 0.97 had no percent-encoding and tolerated the ``*``
binary marker that ``md5sum -b`` writes before the path.

Parsing never raises on bad bytes: every problem becomes a coded finding.
"""
from __future__ import annotations

import re
from typing import Mapping

from findings import Code, Finding, Severity, register

#: Hex digest length per algorithm name as used in manifest file names.
HEX_LENGTH = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128, "sm3": 64}

_NAME = re.compile(r"^(tag)?manifest-([a-z0-9]+)\.txt$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENTRY = re.compile(r"^[ \t]*([^ \t]+)[ \t]+(.*)$", re.DOTALL)
_HEX = re.compile(r"^[0-9a-f]+$")
_PERCENT = re.compile(r"%(0A|0D|25)", re.IGNORECASE)
_DECODED = {"0a": "\n", "0d": "\r", "25": "%"}
_BOM = b"\xef\xbb\xbf"

_M = "RFC 8493 §2.1.3"
register(
    Code("BAG-MANIFEST-LINE-MALFORMED", Severity.ERROR, _M,
         "{location} line {line}: not a 'CHECKSUM FILEPATH' manifest line: {found}",
         "{location} 第 {line} 行：不是“校验值 文件路径”格式的清单行：{found}",
         "Write one line per file: the hex checksum, one or more spaces, the path relative to the bag.",
         "每个文件写一行：十六进制校验值、一个或多个空格、相对于信息包根目录的路径。"),
    Code("BAG-MANIFEST-DUPLICATE", Severity.ERROR, _M,
         "{location} lists {path} {found} times; a manifest lists every file exactly once",
         "{location} 列出 {path} 共 {found} 次；清单中每个文件只能出现一次",
         "Remove the repeated lines so that each path appears once.",
         "删除重复行，使每个路径只出现一次。"),
    Code("BAG-MANIFEST-PATH-UNSAFE", Severity.ERROR, "RFC 8493 §2.1.3, §5.1",
         "{location} line {line}: unsafe path {found} ({reason}); it is ignored and never opened",
         "{location} 第 {line} 行：不安全的路径 {found}（{reason}），已忽略且不会打开",
         "Use relative paths with '/' separators, without '..', '.', empty segments or a leading '/'.",
         "路径须为以“/”分隔的相对路径，不得含“..”、“.”、空段或以“/”开头。"),
    Code("BAG-MANIFEST-DIGEST-MALFORMED", Severity.ERROR, _M,
         "{location} line {line}: checksum for {path} is not a {expected}; found {found}",
         "{location} 第 {line} 行：{path} 的校验值不是{expected}；实际为 {found}",
         "Write the checksum as lowercase hexadecimal of the algorithm named in the file name.",
         "校验值须为文件名所示算法的十六进制小写摘要。"),
    Code("BAG-MANIFEST-COMMENT", Severity.WARNING, _M,
         "{location} line {line}: comment line ignored (manifests have no comments)",
         "{location} 第 {line} 行：已忽略注释行（清单文件不支持注释）",
         "Remove lines starting with '#'.", "删除以“#”开头的行。"),
    Code("BAG-TAGFILE-BOM", Severity.WARNING, "RFC 8493 §2.3",
         "{location} starts with a byte-order mark; it is skipped",
         "{location} 以字节顺序标记（BOM）开头，已跳过",
         "Save tag files as UTF-8 without a BOM.", "请以不带 BOM 的 UTF-8 保存标签文件。"),
    Code("BAG-TAGFILE-DECODE", Severity.ERROR, "RFC 8493 §2.3",
         "{location} is not valid {expected} at byte {offset}",
         "{location} 在第 {offset} 字节处不是有效的 {expected} 编码",
         "Encode tag files in the encoding declared in bagit.txt (UTF-8).",
         "请按 bagit.txt 声明的编码（UTF-8）保存标签文件。"),
)


def manifest_algorithm(filename: str) -> str | None:
    """The algorithm named by ``manifest-<alg>.txt`` / ``tagmanifest-<alg>.txt``, else None."""
    match = _NAME.match(filename)
    return match.group(2) if match else None


def is_tag_manifest(filename: str) -> bool:
    match = _NAME.match(filename)
    return bool(match and match.group(1))


def decode_text(data: bytes, location: str, encoding: str = "utf-8") -> tuple[str, list[Finding]]:
    """Decode a tag file, skipping a BOM (warning) and replacing bad bytes (error)."""
    findings: list[Finding] = []
    if data.startswith(_BOM) and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        findings.append(Finding("BAG-TAGFILE-BOM", location))
        data = data[len(_BOM):]
    try:
        return data.decode(encoding), findings
    except UnicodeDecodeError as exc:
        findings.append(Finding("BAG-TAGFILE-DECODE", location, expected=encoding, params={"offset": exc.start}))
    except LookupError:
        encoding = "utf-8"
    return data.decode(encoding, errors="replace"), findings


def split_lines(text: str) -> list[str]:
    """Lines ended by LF, CR or CRLF (RFC 8493 §2.3); no other Unicode breaks."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def path_problem(path: str) -> str | None:
    """Why ``path`` must not be opened, or None when it is a safe relative path."""
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "absolute path"
    if "\\" in path:
        return "backslash"
    if "\x00" in path:
        return "NUL character"
    segments = path.split("/")
    if ".." in segments:
        return "'..' segment"
    if "." in segments or "" in segments:
        return "empty or '.' segment"
    return None


def decode_path(raw: str, version: tuple[int, int]) -> str:
    """Undo the percent-encoding of CR, LF and % (BagIt ≥ 1.0 only)."""
    if version < (1, 0):
        return raw[1:] if raw.startswith("*") else raw
    return _PERCENT.sub(lambda m: _DECODED[m.group(1).lower()], raw)


def _digest_problem(digest: str, algorithm: str | None) -> str | None:
    length = HEX_LENGTH.get(algorithm or "")
    if not _HEX.match(digest):
        return f"{length or 'n'}-digit hexadecimal value"
    if length is not None and len(digest) != length:
        return f"{length}-digit hexadecimal value"
    return None


class _Parse:
    """State of one manifest parse: entries, findings and duplicate counts."""

    def __init__(self, location: str, version: tuple[int, int], algorithm: str | None) -> None:
        self.location, self.version, self.algorithm = location, version, algorithm
        self.entries: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.same_value_only: dict[str, bool] = {}

    def line(self, number: int, line: str) -> None:
        if line.strip(" \t") == "":
            return
        if line.lstrip(" \t").startswith("#"):
            self.findings.append(Finding("BAG-MANIFEST-COMMENT", self.location, params={"line": number}))
            return
        match = _ENTRY.match(line)
        if not match or match.group(2) in ("", "*"):
            self.findings.append(Finding("BAG-MANIFEST-LINE-MALFORMED", self.location,
                                         found=line[:200], params={"line": number}))
            return
        self.entry(number, match.group(1).lower(), decode_path(match.group(2), self.version))

    def entry(self, number: int, digest: str, path: str) -> None:
        problem = path_problem(path)
        if problem:
            self.findings.append(Finding("BAG-MANIFEST-PATH-UNSAFE", self.location, found=path,
                                         params={"line": number, "reason": problem}))
            return
        bad = _digest_problem(digest, self.algorithm)
        if bad:
            self.findings.append(Finding("BAG-MANIFEST-DIGEST-MALFORMED", self.location, expected=bad,
                                         found=digest[:200], params={"line": number, "path": path}))
        if path in self.entries:
            self.counts[path] = self.counts.get(path, 1) + 1
            self.same_value_only[path] = self.same_value_only.get(path, True) and self.entries[path] == digest
            return
        self.entries[path] = digest

    def duplicates(self) -> None:
        for path, count in self.counts.items():
            # BagIt 0.97 tolerated a repeated line with the same value (bagit.py warns).
            lenient = self.version < (1, 0) and self.same_value_only[path]
            self.findings.append(Finding("BAG-MANIFEST-DUPLICATE", self.location, expected="1", found=str(count),
                                         params={"path": path},
                                         severity=Severity.WARNING if lenient else None))


def parse_manifest(
    data: bytes, location: str, version: tuple[int, int], *, encoding: str = "utf-8",
    algorithm: str | None = None,
) -> tuple[dict[str, str], list[Finding]]:
    """Parse a manifest into ``path -> lowercase hex digest`` plus findings.

    ``algorithm`` defaults to the one named by ``location``'s file name; it
    sets the expected digest length.  Unsafe paths are dropped (never opened).
    """
    algorithm = algorithm or manifest_algorithm(location.rsplit("/", 1)[-1])
    text, findings = decode_text(data, location, encoding)
    state = _Parse(location, version, algorithm)
    for number, line in enumerate(split_lines(text), start=1):
        state.line(number, line)
    state.duplicates()
    return state.entries, findings + state.findings


def encode_path(path: str) -> str:
    """Percent-encode ``%``, CR and LF (RFC 8493 §2.1.3), ``%`` first."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def format_manifest(entries: Mapping[str, str]) -> bytes:
    """BagIt 1.0 manifest bytes: sorted by path, two spaces, LF line ends."""
    lines = [f"{entries[path]}  {encode_path(path)}\n" for path in sorted(entries)]
    return "".join(lines).encode("utf-8")
