"""ClamAV, wrapped in one module: clamd over a UNIX socket (INSTREAM) or ``clamscan``.

DA/T 70 4-1 asks whether an antivirus is installed, 4-2 scans the package through
it.  ``clamscan`` exit codes: 0 clean, 1 virus found, 2 error.  An error or a
missing scanner is never "clean": the verdict is then ``error``/``missing`` and the
check reports ``indeterminate``.  clamd's INSTREAM protocol: ``zINSTREAM\\0``, then
chunks each prefixed by its length (4 bytes, network order), a zero-length chunk
ends the stream; the reply is ``stream: OK`` or ``stream: <name> FOUND``.
"""
from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Mapping

from fixity import proc

CHUNK = 1 << 16
DB_SUFFIXES = (".cvd", ".cld", ".cud", ".hdb", ".hsb", ".ndb", ".mdb", ".msb", ".ldb", ".cdb", ".yar", ".yara")


@dataclass(frozen=True)
class ScannerSettings:
    """The [checks] keys ClamAV reads."""

    clamd_socket: str | None = None
    clamav_database: str | None = None
    clamscan: str = "clamscan"
    timeout_s: float = 600.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> "ScannerSettings":
        timeout = settings.get("scan_timeout_s") or 600
        return cls(_opt(settings.get("clamd_socket")), _opt(settings.get("clamav_database")),
                   str(settings.get("clamscan") or "clamscan"), float(timeout))  # type: ignore[arg-type]


def _opt(value: object) -> str | None:
    return str(value) if value else None


@dataclass(frozen=True)
class ScannerInfo:
    """What 4-1 reports: which scanner, its version, its signature database."""

    kind: str  # clamd | clamscan | none
    version: str | None = None
    database: str | None = None  # description: "daily 27432 (2024-10-01)" or a directory
    database_date: datetime | None = None
    problem: str | None = None  # why nothing usable was found

    @property
    def installed(self) -> bool:
        return self.kind != "none"


@dataclass(frozen=True)
class ScanReport:
    """The verdict of one scan: ``clean``, ``infected``, ``error`` or ``missing``."""

    verdict: str
    scanner: str
    infected: tuple[tuple[str, str], ...] = ()  # (path, signature name)
    errors: tuple[str, ...] = ()
    scanned: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"verdict": self.verdict, "scanner": self.scanner, "scanned": self.scanned,
                "infected": [{"path": p, "signature": s} for p, s in self.infected], "errors": list(self.errors)}


class ClamdError(OSError):
    """clamd could not be reached or answered with an error."""


# ------------------------------------------------------------------ clamd

def _clamd_call(sock_path: str, command: bytes, timeout: float,
                stream: BinaryIO | None = None) -> str:
    """Send one z-command (with INSTREAM data from ``stream``) and return the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(sock_path)
        sock.sendall(b"z" + command + b"\0")
        if stream is not None:
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
        reply = bytearray()
        while not reply.endswith(b"\0") and (data := sock.recv(4096)):
            reply += data
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def clamd_version(sock_path: str, timeout: float = 10.0) -> str:
    """``ClamAV 1.4.6/27432/Tue Oct  1 08:00:00 2024``; ClamdError when unreachable."""
    try:
        return _clamd_call(sock_path, b"VERSION", timeout)
    except OSError as exc:
        raise ClamdError(f"clamd at {sock_path}: {exc}") from exc


def clamd_scan_stream(sock_path: str, stream: BinaryIO, timeout: float = 600.0) -> tuple[str, str | None]:
    """("clean"|"infected"|"error", signature or error text) for one stream."""
    try:
        reply = _clamd_call(sock_path, b"INSTREAM", timeout, stream)
    except OSError as exc:
        return "error", f"clamd at {sock_path}: {exc}"
    if reply.endswith(" FOUND"):
        return "infected", reply.removeprefix("stream:").removesuffix(" FOUND").strip()
    if reply.endswith(" OK"):
        return "clean", None
    return "error", reply or "no reply"


def scan_with_clamd(sock_path: str, paths: Iterable[str], opener: Callable[[str], BinaryIO],
                    timeout: float = 600.0) -> ScanReport:
    """Stream every file through clamd (the files are read by ``opener``, never by path)."""
    infected, errors, count = [], [], 0
    for path in paths:
        try:
            with opener(path) as fh:
                verdict, detail = clamd_scan_stream(sock_path, fh, timeout)
        except OSError as exc:
            verdict, detail = "error", f"{path}: {exc}"
        count += 1
        if verdict == "infected":
            infected.append((path, str(detail)))
        elif verdict == "error":
            errors.append(f"{path}: {detail}")
    return _report("clamd", infected, errors, count)


def _report(scanner: str, infected: list[tuple[str, str]], errors: list[str], count: int) -> ScanReport:
    verdict = "infected" if infected else "error" if errors else "clean"
    return ScanReport(verdict, scanner, tuple(infected), tuple(errors), count)


# ------------------------------------------------------------------ clamscan

def _clamscan_command(settings: ScannerSettings) -> list[str] | None:
    binary = shutil.which(settings.clamscan)
    if binary is None:
        return None
    command = [binary, "--no-summary", "--infected", "--recursive", "--stdout"]
    if settings.clamav_database:
        command.append(f"--database={settings.clamav_database}")
    return command


def parse_clamscan_output(stdout: str, root: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Infected (path relative to ``root``, signature) and error lines of ``clamscan --infected``."""
    infected, errors = [], []
    for line in stdout.splitlines():
        path, sep, rest = line.rpartition(": ")
        if not sep:
            continue
        rel = _relative(path, root)
        if rest.endswith(" FOUND"):
            infected.append((rel, rest.removesuffix(" FOUND")))
        elif rest.endswith(" ERROR"):
            errors.append(f"{rel}: {rest.removesuffix(' ERROR')}")
    return infected, errors


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def scan_with_clamscan(root: Path, settings: ScannerSettings) -> ScanReport:
    """``clamscan -r`` over the package directory; exit 0 clean, 1 found, 2 error."""
    command = _clamscan_command(settings)
    if command is None:
        return ScanReport("missing", "clamscan", errors=(f"{settings.clamscan} not found on PATH",))
    try:
        done = proc.run([*command, str(root)], capture_output=True, text=True,
                        timeout=settings.timeout_s, errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return ScanReport("error", "clamscan", errors=(str(exc),))
    infected, errors = parse_clamscan_output(done.stdout, root)
    if done.returncode == 1 and infected:
        return ScanReport("infected", "clamscan", tuple(infected), tuple(errors))
    if done.returncode == 0 and not errors:
        return ScanReport("clean", "clamscan")
    detail = _stderr_tail(done.stderr) or f"exit status {done.returncode}"
    return ScanReport("error", "clamscan", tuple(infected), (*errors, detail))


def _stderr_tail(stderr: str) -> str:
    """The last error line; engine-outdated warnings are noise, not failures."""
    lines = [ln for ln in stderr.splitlines() if ln.strip() and "WARNING" not in ln.upper()]
    return lines[-1].strip() if lines else ""


# ------------------------------------------------------------------ probing (4-1)

def database_info(directory: str | None) -> tuple[str | None, datetime | None]:
    """Description and date (newest signature file's mtime) of a signature directory."""
    folder = Path(directory or "/var/lib/clamav")
    try:
        files = [p for p in folder.iterdir() if p.suffix in DB_SUFFIXES and p.is_file()]
    except OSError:
        return None, None
    if not files:
        return None, None
    newest = max(p.stat().st_mtime for p in files)
    names = ", ".join(sorted(p.name for p in files))
    return f"{folder} ({names})", datetime.fromtimestamp(newest, timezone.utc)


def _clamscan_version(binary: str) -> str | None:
    try:
        done = proc.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def _clamd_date(version: str) -> datetime | None:
    parts = version.split("/")
    if len(parts) < 3:
        return None
    try:
        return datetime.strptime(" ".join(parts[2].split()), "%a %b %d %H:%M:%S %Y").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def probe(settings: ScannerSettings) -> ScannerInfo:
    """Which scanner this host offers: clamd when its socket answers, else clamscan."""
    problems = []
    if settings.clamd_socket:
        try:
            version = clamd_version(settings.clamd_socket)
            return ScannerInfo("clamd", version, version.split("/", 1)[-1], _clamd_date(version))
        except ClamdError as exc:
            problems.append(str(exc))
    binary = shutil.which(settings.clamscan)
    if binary is None:
        problems.append(f"{settings.clamscan} not on PATH")
        return ScannerInfo("none", problem="; ".join(problems))
    database, when = database_info(settings.clamav_database)
    return ScannerInfo("clamscan", _clamscan_version(binary), database, when, "; ".join(problems) or None)


def scan_package(root: Path, paths: Iterable[str], opener: Callable[[str], BinaryIO],
                 settings: ScannerSettings) -> ScanReport:
    """4-2: clamd (INSTREAM, files read through ``opener``) if configured, else clamscan."""
    if settings.clamd_socket and os.path.exists(settings.clamd_socket):
        return scan_with_clamd(settings.clamd_socket, paths, opener, settings.timeout_s)
    return scan_with_clamscan(root, settings)


__all__ = ["ScannerSettings", "ScannerInfo", "ScanReport", "ClamdError", "probe", "scan_package",
           "scan_with_clamd", "scan_with_clamscan", "clamd_version", "clamd_scan_stream",
           "parse_clamscan_output", "database_info"]
