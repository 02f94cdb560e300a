"""RFC 8493 conformance, table-driven: every case is a real bag on disk, judged by the library
and by ``casearchive validate --level bag`` (valid → exit 0, invalid → exit 1, warning → exit 0
with the warning printed).

The cases follow the categories of the Library of Congress bagit-conformance-suite (valid,
invalid and warning bags for BagIt 0.97 and 1.0); they are rebuilt here byte by byte, not copied.
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from findings import Severity
from findings.i18n import Lang
from ingest.bag import validate_bag

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))  # --import-mode=importlib: helpers sit above us
from helpers import run_cli  # noqa: E402

FILES = {"data/text-file.txt": b"This is a test file\n", "data/sub dir/bare-filename": b"bare\n"}


def _hex(alg: str, data: bytes) -> str:
    return hashlib.new(alg, data).hexdigest()


@dataclass
class Spec:
    """What a case changes in an otherwise valid bag."""

    version: str = "1.0"
    algs: tuple[str, ...] = ("sha256",)
    files: dict[str, bytes] | None = None
    #: manifest path as written, per payload path (e.g. "./data/x", "*data/x")
    written: Callable[[str], str] = lambda p: p
    separator: str = "  "
    bagit_txt: bytes | None = None
    bag_info: bytes | None = None
    fetch: bytes | None = None
    extra_manifest_lines: str = ""
    tag_manifest: bool = True
    present: tuple[str, ...] | None = None  # payload files actually on disk (default: all)
    tag_encoding: str = "utf-8"  # of bag-info.txt and the manifests (bagit.txt is always UTF-8)


def build(root: Path, spec: Spec) -> Path:
    files = FILES if spec.files is None else spec.files
    root.mkdir(parents=True)
    (root / "data").mkdir()
    for rel, data in files.items():
        if spec.present is not None and rel not in spec.present:
            continue
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    declared = f"BagIt-Version: {spec.version}\nTag-File-Character-Encoding: {spec.tag_encoding.upper()}\n"
    (root / "bagit.txt").write_bytes(spec.bagit_txt or declared.encode())
    oxum = f"{sum(len(d) for d in files.values())}.{len(files)}"
    info = spec.bag_info if spec.bag_info is not None else f"Bagging-Date: 2024-05-01\nPayload-Oxum: {oxum}\n".encode()
    (root / "bag-info.txt").write_bytes(info.decode().encode(spec.tag_encoding))
    if spec.fetch is not None:
        (root / "fetch.txt").write_bytes(spec.fetch)
    for alg in spec.algs:
        lines = "".join(f"{_hex(alg, d)}{spec.separator}{spec.written(p)}\n" for p, d in sorted(files.items()))
        (root / f"manifest-{alg}.txt").write_bytes((lines + spec.extra_manifest_lines).encode(spec.tag_encoding))
    if spec.tag_manifest:
        for alg in spec.algs:
            tags = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-"))
            text = "".join(f"{_hex(alg, p.read_bytes())}  {p.name}\n" for p in tags)
            (root / f"tagmanifest-{alg}.txt").write_bytes(text.encode(spec.tag_encoding))
    return root


def fetch_line(url: str, length: str, name: str) -> bytes:
    return f"{url} {length} {name}\n".encode()


GOOD_FETCH = fetch_line("https://example.org/files/text-file.txt", "20", "data/text-file.txt")
SHA = _hex("sha256", FILES["data/text-file.txt"])

# (id, spec, expected outcome, code that must be reported at that severity or None)
Case = tuple[str, Spec, str, str | None]
CASES: list[Case] = [
    # -- valid -----------------------------------------------------------------------------
    ("v1.0-basic-sha256", Spec(), "valid", None),
    ("v1.0-basic-sha512", Spec(algs=("sha512",)), "valid", None),
    ("v1.0-two-algorithms", Spec(algs=("sha256", "sha512")), "valid", None),
    ("v0.97-basic-sha256", Spec(version="0.97"), "valid", None),
    ("v0.97-basic-sha224", Spec(version="0.97", algs=("sha224",)), "valid", None),
    ("v1.0-space-in-file-name", Spec(files={"data/a file with spaces.txt": b"x"}), "valid", None),
    ("v1.0-percent-in-file-name", Spec(files={"data/100%.txt": b"x"},
                                       written=lambda p: p.replace("%", "%25")), "valid", None),
    ("v1.0-tab-separator", Spec(separator="\t"), "valid", None),
    ("v1.0-bag-in-a-bag", Spec(files={"data/inner/bagit.txt": b"BagIt-Version: 1.0\n",
                                      "data/inner/data/x": b"x"}), "valid", None),
    ("v0.97-duplicate-metadata-entries",
     Spec(version="0.97", bag_info=b"Contact-Name: A\nContact-Name: B\nBagging-Date: 2024-05-01\n"), "valid", None),
    ("v1.0-fetch-with-every-file-present", Spec(fetch=GOOD_FETCH), "valid", None),
    ("v0.97-fetch-with-every-file-present", Spec(version="0.97", fetch=GOOD_FETCH), "valid", None),
    ("v1.0-fetch-length-unknown",
     Spec(fetch=fetch_line("https://example.org/x", "-", "data/text-file.txt")), "valid", None),
    ("v1.0-fetch-file-name-with-spaces",
     Spec(fetch=fetch_line("https://example.org/x", "5", "data/sub dir/bare-filename")), "valid", None),
    ("v0.97-whitespace-around-colon-in-bag-info",
     Spec(version="0.97", bag_info=b"Bagging-Date : 2024-05-01\nContact-Name :  A\n"), "valid", None),
    ("v0.97-whitespace-around-colon-in-bagit-txt",
     Spec(version="0.97", bagit_txt=b"BagIt-Version : 0.97\nTag-File-Character-Encoding : UTF-8\n"), "valid", None),
    # -- warning: accepted, but printed ------------------------------------------------------
    ("v1.0-leading-dot-slash", Spec(written=lambda p: "./" + p), "warning", "BAG-MANIFEST-PATH-DOT-SLASH"),
    ("v0.97-leading-dot-slash", Spec(version="0.97", written=lambda p: "./" + p), "warning",
     "BAG-MANIFEST-PATH-DOT-SLASH"),
    ("v0.97-md5sum-binary-marker", Spec(version="0.97", written=lambda p: "*" + p, separator=" "), "warning",
     "BAG-MANIFEST-BINARY-MARKER"),
    ("v1.0-md5sum-binary-marker", Spec(written=lambda p: "*" + p, separator=" "), "warning",
     "BAG-MANIFEST-BINARY-MARKER"),
    ("v1.0-no-tag-manifest", Spec(tag_manifest=False), "warning", "BAG-TAGMANIFEST-MISSING"),
    ("v0.97-md5-only", Spec(version="0.97", algs=("md5",)), "warning", "BAG-ALGORITHM-WEAK"),
    ("v0.97-utf-16-tag-files", Spec(version="0.97", tag_encoding="utf-16-be"), "warning", "BAG-ENCODING-NOT-UTF8"),
    ("v1.0-dot-slash-and-chinese-names", Spec(files={"data/文书/判决书.pdf": b"%PDF"}, written=lambda p: "./" + p),
     "warning", "BAG-MANIFEST-PATH-DOT-SLASH"),
    ("v1.0-unicode-normalisation-differs",
     Spec(files={"data/Nu\u0301n\u0303ez": b""}, written=lambda p: "data/N\u00fa\u00f1ez"), "warning",
     "BAG-NORMALIZATION-DIFFERS"),
    ("v1.0-same-file-listed-twice-in-two-normalisations",
     Spec(files={"data/N\u00fa\u00f1ez": b""},
          extra_manifest_lines=f"{_hex('sha256', b'')}  data/Nu\u0301n\u0303ez\n"), "warning",
     "BAG-NORMALIZATION-DIFFERS"),
    # -- invalid -----------------------------------------------------------------------------
    ("v1.0-whitespace-around-colon-in-bag-info",
     Spec(bag_info=b"Bagging-Date : 2024-05-01\n"), "invalid", "BAG-TAGFILE-LABEL-WHITESPACE"),
    ("v1.0-whitespace-around-colon-in-bagit-txt",
     Spec(bagit_txt=b"BagIt-Version : 1.0\nTag-File-Character-Encoding: UTF-8\n"), "invalid",
     "BAG-DECLARATION-FORMAT"),
    ("v0.97-dot-dot-out-of-scope", Spec(version="0.97", extra_manifest_lines=f"{SHA}  ../../../README.md\n"),
     "invalid", "BAG-MANIFEST-PATH-UNSAFE"),
    ("v1.0-dot-slash-dot-dot", Spec(extra_manifest_lines=f"{SHA}  ./../outside.txt\n"), "invalid",
     "BAG-MANIFEST-PATH-UNSAFE"),
    ("v1.0-absolute-path", Spec(extra_manifest_lines=f"{SHA}  /etc/passwd\n"), "invalid",
     "BAG-MANIFEST-PATH-UNSAFE"),
    ("v1.0-missing-payload-file", Spec(present=("data/text-file.txt",)), "invalid", "BAG-MANIFEST-FILE-MISSING"),
    ("v1.0-wrong-checksum", Spec(extra_manifest_lines=""), "invalid", "BAG-CHECKSUM-MISMATCH"),
    ("v1.0-fetch-file-not-fetched",
     Spec(fetch=fetch_line("https://example.org/y", "1", "data/y.txt"),
          extra_manifest_lines=f"{_hex('sha256', b'y')}  data/y.txt\n"), "invalid", "BAG-FETCH-PRESENT"),
    ("v1.0-fetch-url-relative", Spec(fetch=fetch_line("files/text-file.txt", "20", "data/text-file.txt")),
     "invalid", "BAG-FETCH-URL-INVALID"),
    ("v1.0-fetch-url-with-bad-characters",
     Spec(fetch=fetch_line("https://example.org/a<b>", "20", "data/text-file.txt")), "invalid",
     "BAG-FETCH-URL-INVALID"),
    ("v1.0-fetch-length-negative",
     Spec(fetch=fetch_line("https://example.org/x", "-5", "data/text-file.txt")), "invalid",
     "BAG-FETCH-LENGTH-INVALID"),
    ("v1.0-fetch-length-not-a-number",
     Spec(fetch=fetch_line("https://example.org/x", "20kB", "data/text-file.txt")), "invalid",
     "BAG-FETCH-LENGTH-INVALID"),
    ("v1.0-fetch-dot-dot", Spec(fetch=fetch_line("https://example.org/x", "1", "data/../../evil")), "invalid",
     "BAG-FETCH-PATH-UNSAFE"),
    ("v1.0-fetch-absolute", Spec(fetch=fetch_line("https://example.org/x", "1", "/etc/passwd")), "invalid",
     "BAG-FETCH-PATH-UNSAFE"),
    ("v1.0-fetch-tag-file", Spec(fetch=fetch_line("https://example.org/x", "1", "bag-info.txt")), "invalid",
     "BAG-FETCH-OUTSIDE-PAYLOAD"),
    ("v1.0-fetch-file-not-in-manifest",
     Spec(fetch=fetch_line("https://example.org/x", "1", "data/text-file.txt") +
          fetch_line("https://example.org/z", "1", "data/z.txt")), "invalid", "BAG-FETCH-NOT-IN-MANIFEST"),
    ("v1.0-fetch-line-malformed", Spec(fetch=b"https://example.org/x data/text-file.txt\n"), "invalid",
     "BAG-FETCH-LINE-MALFORMED"),
]


def _wrong_checksum(root: Path) -> None:
    (root / "data/text-file.txt").write_bytes(b"This is a test filE\n")


AFTER = {"v1.0-wrong-checksum": _wrong_checksum}


def _make(tmp_path: Path, name: str, spec: Spec) -> Path:
    root = build(tmp_path / name, spec)
    if name in AFTER:
        AFTER[name](root)
    return root


@pytest.mark.parametrize("name, spec, outcome, code", CASES, ids=[c[0] for c in CASES])
def test_library_verdict(tmp_path: Path, name: str, spec: Spec, outcome: str, code: str | None) -> None:
    report = validate_bag(_make(tmp_path, name, spec))
    shown = [f.to_dict() for f in report.findings]
    errors = {f.code for f in report.findings if f.level is Severity.ERROR}
    warnings = {f.code for f in report.findings if f.level is Severity.WARNING}
    if outcome == "invalid":
        assert code in errors, shown
        return
    assert not errors, shown
    if outcome == "valid":
        assert not warnings, shown
    else:
        assert code in warnings, shown


@pytest.mark.parametrize("name, spec, outcome, code", CASES, ids=[c[0] for c in CASES])
def test_cli_exit_code_and_printed_warning(tmp_path: Path, name: str, spec: Spec, outcome: str,
                                           code: str | None) -> None:
    root = _make(tmp_path, name, spec)
    done = run_cli("validate", "--level", "bag", str(root))
    assert "Traceback" not in done.stderr
    assert done.returncode == (1 if outcome == "invalid" else 0), done.stdout + done.stderr
    if code is not None:
        assert code in done.stdout, done.stdout


def test_fetch_is_refused_by_the_sip_profile_not_the_bag(tmp_path: Path) -> None:
    """fetch.txt is a matter of the SIP profile (Allow-Fetch.txt: false), not of RFC 8493."""
    from ingest.profile import load_profile, validate_profile

    report = validate_bag(build(tmp_path / "b", Spec(fetch=GOOD_FETCH)))
    assert report.valid and report.fetch_entries == 1
    assert [f.code for f in validate_profile(report, load_profile(), None)
            if f.code.startswith("PRF-FETCH")] == ["PRF-FETCH-NOT-ALLOWED"]


def test_dot_slash_path_is_normalised_and_its_checksum_verified(tmp_path: Path) -> None:
    root = build(tmp_path / "b", Spec(written=lambda p: "./" + p))
    report = validate_bag(root)
    assert set(report.payload_manifests["sha256"]) == set(FILES)
    (root / "data/text-file.txt").write_bytes(b"changed")
    assert "BAG-CHECKSUM-MISMATCH" in {f.code for f in validate_bag(root).findings}


def test_binary_marker_warning_names_the_line(tmp_path: Path) -> None:
    report = validate_bag(build(tmp_path / "b", Spec(version="0.97", algs=("md5",), written=lambda p: "*" + p,
                                                     separator=" ")))
    marks = [f for f in report.findings if f.code == "BAG-MANIFEST-BINARY-MARKER"]
    assert [(f.location, f.params["line"]) for f in marks] == [("manifest-md5.txt", 1), ("manifest-md5.txt", 2)]
    assert all(f.message(Lang.ZH) and f.message(Lang.EN) for f in marks)
