"""BagIt 1.0 bags (RFC 8493) written from bytes, and SIPs built from sample cases.

:func:`write_bag` is deliberately small and literal: it writes exactly the payload
and bag-info it is given (tests build hostile variants with it), in the RFC's
format — UTF-8, LF line endings, manifest lines ``<hex>  <path>`` sorted by path.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from metadata.xml import casefile_to_xml
from samples.casefile import SampleCase

PROFILE_ID = "urn:casearchive:profile:sip:1"
BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
_UNSAFE = set('\\/:*?"<>|')


def bag_name(case_number: str) -> str:
    """A file-system-safe directory name: （2023）京0105民初1234号 → 2023-京0105民初1234号."""
    name = re.sub(r"^\s*[（(](\d{4})[）)]", r"\1-", case_number)
    safe = "".join(c if c.isprintable() and not c.isspace() and c not in _UNSAFE else "_" for c in name)
    return safe.strip(".")[:60] or "_"  # 60 characters stay under 255 bytes of UTF-8


def encode_path(path: str) -> str:
    """RFC 8493 §2.1.3: percent-encode %, CR and LF in manifest file paths."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def check_payload_path(path: str) -> PurePosixPath:
    """A relative POSIX path inside data/; refuse what would escape the bag."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"payload path must be relative and normalised: {path!r}")
    return pure


def payload_oxum(payload: Mapping[str, bytes]) -> str:
    """RFC 8493 §2.2.2 Payload-Oxum: ``<octet count>.<stream count>``."""
    return f"{sum(len(b) for b in payload.values())}.{len(payload)}"


def manifest_text(entries: Mapping[str, bytes], algorithm: str) -> bytes:
    """Manifest lines for ``entries`` (path relative to the bag root → bytes), sorted by path."""
    lines = (f"{hashlib.new(algorithm, data).hexdigest()}  {encode_path(path)}\n"
             for path, data in sorted(entries.items()))
    return "".join(lines).encode("utf-8")


def bag_info_text(bag_info: Mapping[str, str]) -> bytes:
    """``Label: value`` lines in the given order; line breaks become continuations (§2.2.2)."""
    lines = (f"{label}: {value}".replace("\r\n", "\n").replace("\n", "\n  ") + "\n"
             for label, value in bag_info.items())
    return "".join(lines).encode("utf-8")


def _write(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def write_bag(bag_dir: Path, payload: Mapping[str, bytes], bag_info: Mapping[str, str],
              algorithms: Iterable[str] = ("sha256",)) -> Path:
    """Write a complete bag; ``payload`` keys are relative to data/.

    Payload-Oxum is added (last) unless ``bag_info`` already has one, so a test can
    also write a deliberately wrong value.  ``bag_dir`` must not exist yet.
    """
    bag_dir = Path(bag_dir)
    bag_dir.mkdir(parents=True, exist_ok=False)
    entries = {f"data/{check_payload_path(p)}": data for p, data in payload.items()}
    info = dict(bag_info)
    if not any(label.lower() == "payload-oxum" for label in info):
        info["Payload-Oxum"] = payload_oxum(payload)
    tags = {"bagit.txt": BAGIT_TXT, "bag-info.txt": bag_info_text(info)}
    algorithms = tuple(algorithms)
    for algorithm in algorithms:
        tags[f"manifest-{algorithm}.txt"] = manifest_text(entries, algorithm)
    for relative, data in {**entries, **tags}.items():
        _write(bag_dir, relative, data)
    for algorithm in algorithms:
        _write(bag_dir, f"tagmanifest-{algorithm}.txt", manifest_text(tags, algorithm))
    return bag_dir


def sip_bag_info(case: SampleCase, payload: Mapping[str, bytes]) -> dict[str, str]:
    """bag-info.txt of a SIP (docs/sip.md): who sent it, which case, when."""
    cf = case.casefile
    return {
        "Source-Organization": cf.court,
        "External-Identifier": cf.case_number,
        "External-Description": f"{cf.cause} 电子卷宗",
        "Bagging-Date": case.context.archiving_date.isoformat(),
        "Payload-Oxum": payload_oxum(payload),
        "BagIt-Profile-Identifier": PROFILE_ID,
        "Contact-Name": cf.clerk,
    }


def write_sip(outdir: Path, case: SampleCase, algorithms: Iterable[str] = ("sha256",)) -> Path:
    """Write ``case`` as a SIP bag under ``outdir``; the directory is named by the 案号."""
    payload = {"metadata/casefile.xml": casefile_to_xml(case.casefile), **case.files}
    return write_bag(Path(outdir) / bag_name(case.casefile.case_number), payload,
                     sip_bag_info(case, payload), algorithms)
