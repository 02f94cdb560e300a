"""Manifest parsing and formatting (RFC 8493 §2.1.3, §2.2.1)."""
from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixity.manifest import format_manifest, manifest_algorithm, parse_manifest, path_problem

V1 = (1, 0)
V097 = (0, 97)
D256 = hashlib.sha256(b"x").hexdigest()
DMD5 = hashlib.md5(b"x").hexdigest()


def codes(findings):
    return [f.code for f in findings]


@pytest.mark.parametrize("name, alg", [
    ("manifest-sha256.txt", "sha256"), ("tagmanifest-sm3.txt", "sm3"), ("manifest-md5.txt", "md5"),
    ("manifest-sha256.txt.p7s", None), ("manifest.txt", None), ("bag-info.txt", None),
    ("data/manifest-sha256.txt", None), ("manifest-SHA256.txt", None),
])
def test_manifest_algorithm(name, alg):
    assert manifest_algorithm(name) == alg


def test_parse_simple_and_uppercase_digest_is_lowered():
    data = f"{D256.upper()}  data/a.txt\n{D256} data/b c.txt\n".encode()
    entries, findings = parse_manifest(data, "manifest-sha256.txt", V1)
    assert entries == {"data/a.txt": D256, "data/b c.txt": D256}
    assert findings == []


@pytest.mark.parametrize("ending", ["\r\n", "\r", "\n"])
def test_line_endings(ending):
    data = ending.join([f"{D256}  data/a", f"{D256}  data/b"]).encode() + ending.encode()
    entries, findings = parse_manifest(data, "manifest-sha256.txt", V1)
    assert sorted(entries) == ["data/a", "data/b"] and findings == []


def test_percent_decoding_v1_only():
    data = f"{D256}  data/a%0Ab%0dc%25d%41\n".encode()
    assert parse_manifest(data, "manifest-sha256.txt", V1)[0] == {"data/a\nb\rc%d%41": D256}
    assert parse_manifest(data, "manifest-sha256.txt", V097)[0] == {"data/a%0Ab%0dc%25d%41": D256}


def test_097_tabs_and_binary_marker():
    data = f"{DMD5}\t*data/a.txt\n{DMD5} \t data/b.txt\n".encode()
    entries, findings = parse_manifest(data, "manifest-md5.txt", V097)
    assert entries == {"data/a.txt": DMD5, "data/b.txt": DMD5} and findings == []


def test_trailing_whitespace_in_path_is_kept():
    entries, _ = parse_manifest(f"{D256}  data/a \n".encode(), "manifest-sha256.txt", V1)
    assert list(entries) == ["data/a "]


def test_duplicate_path():
    data = f"{D256}  data/a\n{D256}  data/a\n".encode()
    entries, findings = parse_manifest(data, "manifest-sha256.txt", V1)
    assert entries == {"data/a": D256}
    assert codes(findings) == ["BAG-MANIFEST-DUPLICATE"]
    assert findings[0].found == "2" and findings[0].level == "error"
    # BagIt 0.97 tolerated a repeat with the same value (bagit.py warns), not a conflicting one
    _, old = parse_manifest(f"{DMD5}  data/a\n{DMD5}  data/a\n".encode(), "manifest-md5.txt", V097)
    assert old[0].level == "warning"
    other = hashlib.md5(b"y").hexdigest()
    _, conflict = parse_manifest(f"{DMD5}  data/a\n{other}  data/a\n".encode(), "manifest-md5.txt", V097)
    assert conflict[0].level == "error"


@pytest.mark.parametrize("line, reason", [
    ("data/../../etc/passwd", "'..' segment"), ("/etc/passwd", "absolute path"),
    ("C:/x", "absolute path"), ("data\\a.txt", "backslash"), ("data//a", "empty or '.' segment"),
    ("data/./a", "empty or '.' segment"), ("../x", "'..' segment"),
])
def test_unsafe_paths_are_dropped(line, reason):
    entries, findings = parse_manifest(f"{D256}  {line}\n".encode(), "manifest-sha256.txt", V1)
    assert entries == {}
    assert codes(findings) == ["BAG-MANIFEST-PATH-UNSAFE"]
    assert findings[0].params == {"line": 1, "reason": reason}


def test_malformed_line_has_line_number():
    data = f"{D256}  data/a\n\njustonefield\n{D256}\n".encode()
    entries, findings = parse_manifest(data, "manifest-sha256.txt", V1)
    assert entries == {"data/a": D256}
    assert [(f.code, f.params["line"]) for f in findings] == [
        ("BAG-MANIFEST-LINE-MALFORMED", 3), ("BAG-MANIFEST-LINE-MALFORMED", 4)]


@pytest.mark.parametrize("digest", ["xyz" + D256[3:], D256[:-1], D256 + "0", DMD5])
def test_digest_wrong_form(digest):
    entries, findings = parse_manifest(f"{digest}  data/a\n".encode(), "manifest-sha256.txt", V1)
    assert codes(findings) == ["BAG-MANIFEST-DIGEST-MALFORMED"]
    assert findings[0].expected == "64-digit hexadecimal value"


def test_bom_comment_and_bad_utf8():
    data = b"\xef\xbb\xbf# made by hand\n" + f"{D256}  data/\xff\n".encode("latin-1")
    entries, findings = parse_manifest(data, "manifest-sha256.txt", V1)
    assert codes(findings) == ["BAG-TAGFILE-BOM", "BAG-TAGFILE-DECODE", "BAG-MANIFEST-COMMENT"]
    assert list(entries) == ["data/\ufffd"]


def test_format_manifest_sorted_encoded_two_spaces():
    out = format_manifest({"data/b": "bb", "data/a\n%": "aa"})
    assert out == b"aa  data/a%0A%25\nbb  data/b\n"


def test_path_problem_accepts_normal_paths():
    assert path_problem("data/卷宗/起诉状.pdf") is None
    assert path_problem("bag-info.txt") is None


_segment = st.text(min_size=1, max_size=12).filter(
    lambda s: "/" not in s and "\\" not in s and "\x00" not in s and s not in (".", ".."))
_path = st.lists(_segment, min_size=1, max_size=4).map(lambda parts: "data/" + "/".join(parts))
_digest = st.binary(min_size=32, max_size=32).map(bytes.hex)


@settings(max_examples=300)
@given(st.dictionaries(_path, _digest, max_size=8))
def test_round_trip(entries):
    parsed, findings = parse_manifest(format_manifest(entries), "manifest-sha256.txt", V1)
    assert parsed == entries
    assert findings == []


@settings(max_examples=500)
@given(st.binary(max_size=400), st.sampled_from([V1, V097]), st.sampled_from(["sha256", "md5", "foo", None]))
def test_parse_never_raises(data, version, alg):
    entries, findings = parse_manifest(data, "manifest-x.txt", version, algorithm=alg)
    assert all(path_problem(p) is None for p in entries)
    for f in findings:
        f.message()


_plain_path = _path.filter(lambda p: "\r" not in p and "\n" not in p)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "\t", "*", "\t*"]), _plain_path), max_size=5),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_097_line_variants(rows, ending):
    """Whitespace runs and the 0.97 '*' binary marker between digest and path parse alike."""
    text = "".join(f"{D256} {sep}{p}{ending}" for sep, p in rows)
    parsed, _ = parse_manifest(text.encode(), "manifest-sha256.txt", V097)
    assert parsed == {p: D256 for _, p in rows}
