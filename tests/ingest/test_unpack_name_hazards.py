"""Names legal on POSIX but dangerous to show or export: bidirectional controls, Windows device
names, a trailing dot or space.  They are staged as sent with a coded warning, for directory,
zip and tar inputs alike; and ``casearchive validate`` prints the warning and exits 0."""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from findings import Severity
from findings.i18n import Lang
from ingest import unpack_codes as C
from ingest.unpack import StagedPackage, stage

sys.path.insert(0, os.path.dirname(__file__))  # --import-mode=importlib: the builders sit beside us
sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))
from helpers import run_cli  # noqa: E402
from test_unpack_support import bag_files, make_tree, tar_of, zip_of  # noqa: E402

RLO = "\u202e"
HAZARDS = [
    # (id, payload path, code, escaped location the finding names)
    ("rtl-override", f"data/documents/invoice{RLO}fdp.exe", C.NAME_BIDI_CONTROL,
     "data/documents/invoice\\u202efdp.exe"),
    ("lre", "data/a\u202ab.pdf", C.NAME_BIDI_CONTROL, "data/a\\u202ab.pdf"),
    ("rle", "data/a\u202bb.pdf", C.NAME_BIDI_CONTROL, "data/a\\u202bb.pdf"),
    ("pdf-char", "data/a\u202cb.pdf", C.NAME_BIDI_CONTROL, "data/a\\u202cb.pdf"),
    ("lro", "data/a\u202db.pdf", C.NAME_BIDI_CONTROL, "data/a\\u202db.pdf"),
    ("lri", "data/a\u2066b.pdf", C.NAME_BIDI_CONTROL, "data/a\\u2066b.pdf"),
    ("rli", "data/a\u2067b.pdf", C.NAME_BIDI_CONTROL, "data/a\\u2067b.pdf"),
    ("fsi", "data/a\u2068b.pdf", C.NAME_BIDI_CONTROL, "data/a\\u2068b.pdf"),
    ("pdi", "data/a\u2069b.pdf", C.NAME_BIDI_CONTROL, "data/a\\u2069b.pdf"),
    ("lrm", "data/a\u200eb.pdf", C.NAME_BIDI_CONTROL, "data/a\\u200eb.pdf"),
    ("rlm", "data/a\u200fb.pdf", C.NAME_BIDI_CONTROL, "data/a\\u200fb.pdf"),
    ("bidi-in-folder", f"data/x{RLO}y/a.pdf", C.NAME_BIDI_CONTROL, "data/x\\u202ey"),
    ("con-with-extension", "data/con.pdf", C.NAME_WINDOWS_RESERVED, "data/con.pdf"),
    ("nul-no-extension", "data/NUL", C.NAME_WINDOWS_RESERVED, "data/NUL"),
    ("prn-mixed-case", "data/Prn.tar.gz", C.NAME_WINDOWS_RESERVED, "data/Prn.tar.gz"),
    ("aux", "data/aux.txt", C.NAME_WINDOWS_RESERVED, "data/aux.txt"),
    ("com1", "data/COM1.log", C.NAME_WINDOWS_RESERVED, "data/COM1.log"),
    ("com9", "data/com9", C.NAME_WINDOWS_RESERVED, "data/com9"),
    ("lpt1", "data/lpt1.pdf", C.NAME_WINDOWS_RESERVED, "data/lpt1.pdf"),
    ("lpt9", "data/LPT9.doc", C.NAME_WINDOWS_RESERVED, "data/LPT9.doc"),
    ("reserved-folder", "data/Con/a.pdf", C.NAME_WINDOWS_RESERVED, "data/Con"),
    ("trailing-dot", "data/report.", C.NAME_TRAILING_DOT_SPACE, "data/report."),
    ("trailing-space", "data/report.pdf ", C.NAME_TRAILING_DOT_SPACE, "data/report.pdf "),
    ("folder-trailing-dot", "data/dir./a.pdf", C.NAME_TRAILING_DOT_SPACE, "data/dir."),
]
HARMLESS = ["data/console.pdf", "data/com10.txt", "data/lpt0", "data/nul_report.pdf", "data/a.b.c",
            "data/起诉状.pdf", "data/شكوى.pdf", "data/.hidden"]


def _stage(tmp_path: Path, kind: str, files: dict[str, bytes]) -> StagedPackage:
    if kind == "directory":
        source = tmp_path / "src"
        make_tree(source, files)
    else:
        source = tmp_path / f"p.{kind}"
        source.write_bytes(zip_of(files) if kind == "zip" else tar_of(files, compressed=kind == "tar.gz"))
    return stage(source, tmp_path / "dest", ["sha256"])


def _warnings(pkg: StagedPackage) -> list[tuple[str, str]]:
    return [(f.code, f.location) for f in pkg.findings if f.level is Severity.WARNING]


@pytest.mark.parametrize("kind", ["directory", "zip", "tar", "tar.gz"])
@pytest.mark.parametrize("name, path, code, location", HAZARDS, ids=[h[0] for h in HAZARDS])
def test_hazardous_name_is_staged_with_a_warning(tmp_path: Path, kind: str, name: str, path: str, code: str,
                                                 location: str) -> None:
    files = {**bag_files(), path: b"payload"}
    pkg = _stage(tmp_path, kind, files)
    assert pkg.ok, [f.to_dict() for f in pkg.findings]
    assert (code, location) in _warnings(pkg)
    assert pkg.root is not None and path in pkg.files
    assert (pkg.root / path).read_bytes() == b"payload"  # kept exactly as sent
    finding = next(f for f in pkg.findings if f.code == code)
    assert RLO not in finding.message(Lang.EN) and RLO not in finding.message(Lang.ZH)  # never shown raw


@pytest.mark.parametrize("kind", ["directory", "zip", "tar"])
def test_harmless_names_raise_no_warning(tmp_path: Path, kind: str) -> None:
    pkg = _stage(tmp_path, kind, {**bag_files(), **{p: b"x" for p in HARMLESS}})
    assert pkg.findings == (), [f.to_dict() for f in pkg.findings]


@pytest.mark.parametrize("kind", ["directory", "zip"])
def test_a_hazardous_folder_is_reported_once_not_per_file(tmp_path: Path, kind: str) -> None:
    files = {**bag_files(), **{f"data/aux/{i}.pdf": b"x" for i in range(5)}}
    pkg = _stage(tmp_path, kind, files)
    assert _warnings(pkg) == [(C.NAME_WINDOWS_RESERVED, "data/aux")]


def test_several_hazards_in_one_name(tmp_path: Path) -> None:
    pkg = _stage(tmp_path, "zip", {**bag_files(), f"data/con{RLO}.": b"x"})
    assert {code for code, _ in _warnings(pkg)} == {C.NAME_BIDI_CONTROL, C.NAME_TRAILING_DOT_SPACE}
    assert {f.found for f in pkg.findings if f.code == C.NAME_BIDI_CONTROL} == {"U+202E"}


def test_validate_prints_the_warning_and_exits_0(tmp_path: Path) -> None:
    files = {**bag_files(), f"data/invoice{RLO}fdp.exe": b"x", "data/con.pdf": b"y"}
    # a complete bag around the hazardous names, so that only warnings remain
    payload = {k: v for k, v in files.items() if k.startswith("data/")}
    manifest = "".join(f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in sorted(payload.items()))
    files["manifest-sha256.txt"] = manifest.encode()
    source = tmp_path / "p.zip"
    source.write_bytes(zip_of(files))
    done = run_cli("validate", "--level", "bag", str(source))
    assert done.returncode == 0, done.stdout + done.stderr
    assert C.NAME_BIDI_CONTROL in done.stdout and C.NAME_WINDOWS_RESERVED in done.stdout
    assert RLO not in done.stdout and "invoice\\u202efdp.exe" in done.stdout
