"""BagIt-Profile validation and the SIP profile (schemas/sip-profile.json)."""
from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from pathlib import Path

import bagit
import pytest

from fixity.manifest import format_manifest
from ingest.bag import validate_bag
from ingest.profile import (SIP_PROFILE_ID, ProfileError, check_profile, effective_profile, load_profile,
                            validate_profile)
from fixity.tagfile import format_tag_file

CASEFILE = "data/metadata/casefile.xml"


def make_sip(root: Path, payload: dict[str, bytes] | None = None, algs=("sha256",), info=None,
             tag_algs=("sha256",)) -> Path:
    """A SIP-shaped bag written byte by byte."""
    payload = {CASEFILE: "<卷宗/>".encode(), "data/documents/a.pdf": b"%PDF"} if payload is None else payload
    root.mkdir(parents=True)
    (root / "data").mkdir()
    for rel, data in payload.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "bagit.txt").write_bytes(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    oxum = f"{sum(map(len, payload.values()))}.{len(payload)}"
    base = [("Source-Organization", "北京市海淀区人民法院"), ("External-Identifier", "（2023）京0105民初1234号"),
            ("Bagging-Date", "2024-05-01"), ("Payload-Oxum", oxum), ("BagIt-Profile-Identifier", SIP_PROFILE_ID)]
    (root / "bag-info.txt").write_bytes(format_tag_file(base if info is None else info(base)))
    for alg in algs:
        (root / f"manifest-{alg}.txt").write_bytes(
            format_manifest({p: hashlib.new(alg, d).hexdigest() for p, d in payload.items()}))
    tags = [p for p in root.iterdir() if p.is_file()]
    for alg in tag_algs:
        (root / f"tagmanifest-{alg}.txt").write_bytes(
            format_manifest({p.name: hashlib.new(alg, p.read_bytes()).hexdigest() for p in tags}))
    return root


def prf(root: Path, serialization: str | None = None, profile=None) -> set[str]:
    return {f.code for f in validate_profile(validate_bag(root), profile or load_profile(), serialization)}


def test_sip_profile_structure_follows_the_spec():
    profile = load_profile()
    info = profile["BagIt-Profile-Info"]
    assert info["BagIt-Profile-Identifier"] == SIP_PROFILE_ID
    assert info["BagIt-Profile-Version"] == "1.3.0" and info["Version"] == "1.0"
    assert info["Source-Organization"] == "casearchive"
    assert "court" in info["External-Description"] and "电子卷宗" in info["External-Description"]
    # what bagit-profile (the reference validator) reads unconditionally
    for key in ("Bag-Info", "Manifests-Required", "Accept-BagIt-Version", "Allow-Fetch.txt", "Serialization"):
        assert key in profile
    assert all(isinstance(v, str) for v in profile["Accept-BagIt-Version"])
    assert set(profile["Bag-Info"]) == {"Source-Organization", "External-Identifier", "Bagging-Date", "Payload-Oxum"}
    # BagIt-Profile-Identifier is always required and SHOULD NOT be listed under Bag-Info (spec 1.3.0)
    assert "BagIt-Profile-Identifier" not in profile["Bag-Info"]
    # 1.3.0 has no Payload-Files-Required: the SIP's casefile.xml requirement is applied in code
    assert "Payload-Files-Required" not in profile
    assert effective_profile(profile)["Payload-Files-Required"] == [CASEFILE]
    raw = resources.files("schemas").joinpath("sip-profile.json").read_text(encoding="utf-8")
    assert json.loads(raw) == profile


def test_valid_sip_passes(tmp_path):
    root = make_sip(tmp_path / "sip", algs=("sha256", "sm3"), tag_algs=("sha512",))
    assert validate_bag(root).valid
    for serialization in (None, "application/zip", "application/x-tar", "application/gzip"):
        assert prf(root, serialization) == set()


@pytest.mark.parametrize("name, build, code", [
    ("no-casefile", dict(payload={"data/a.pdf": b"%PDF"}), "PRF-PAYLOAD-REQUIRED"),
    ("md5-manifest", dict(algs=("sha256", "md5")), "PRF-MANIFEST-NOT-ALLOWED"),
    ("sha1-tagmanifest", dict(tag_algs=("sha1",)), "PRF-TAGMANIFEST-NOT-ALLOWED"),
    ("no-case-number", dict(info=lambda b: [i for i in b if i[0] != "External-Identifier"]), "PRF-TAG-REQUIRED"),
    ("empty-source", dict(info=lambda b: [(k, "" if k == "Source-Organization" else v) for k, v in b]),
     "PRF-TAG-EMPTY"),
    ("two-dates", dict(info=lambda b: b + [("Bagging-Date", "2024-05-02")]), "PRF-TAG-NOT-REPEATABLE"),
    ("no-profile-id", dict(info=lambda b: b[:-1]), "PRF-PROFILE-ID-MISSING"),
    ("other-profile-id", dict(info=lambda b: b[:-1] + [("BagIt-Profile-Identifier", "urn:x")]),
     "PRF-PROFILE-ID-MISMATCH"),
])
def test_sip_violations(tmp_path, name, build, code):
    root = make_sip(tmp_path / name, **build)
    assert code in prf(root)


def test_second_profile_identifier_is_allowed(tmp_path):
    root = make_sip(tmp_path / "sip", info=lambda b: b + [("BagIt-Profile-Identifier", "urn:other")])
    assert prf(root) == set()


def test_bagit_097_accepted_but_md5_not(tmp_path):
    src = tmp_path / "made"
    (src / "metadata").mkdir(parents=True)
    (src / "metadata/casefile.xml").write_bytes(b"<x/>")
    bagit.make_bag(str(src), {"Source-Organization": "法院", "External-Identifier": "（2023）京0105民初1号",
                              "BagIt-Profile-Identifier": SIP_PROFILE_ID}, checksums=["md5"])
    report = validate_bag(src)
    assert report.version == "0.97" and report.valid
    codes = {f.code for f in validate_profile(report, load_profile(), None)}
    assert codes == {"PRF-MANIFEST-NOT-ALLOWED", "PRF-TAGMANIFEST-NOT-ALLOWED"}


def test_fetch_serialization_and_version(tmp_path):
    root = make_sip(tmp_path / "sip")
    assert prf(root, "application/x-7z-compressed") == {"PRF-SERIALIZATION-TYPE"}
    (root / "fetch.txt").write_bytes(b"")
    assert "PRF-FETCH-NOT-ALLOWED" in prf(root)
    (root / "fetch.txt").unlink()
    (root / "bagit.txt").write_bytes(b"BagIt-Version: 0.96\nTag-File-Character-Encoding: UTF-8\n")
    assert "PRF-BAGIT-VERSION" in prf(root)
    (root / "bag-info.txt").unlink()
    assert "PRF-BAG-INFO-MISSING" in prf(root)


def _generic() -> dict:
    return {
        "BagIt-Profile-Info": {"BagIt-Profile-Identifier": "urn:test:p", "Source-Organization": "t",
                               "External-Description": "t", "Version": "1", "BagIt-Profile-Version": "1.4.0"},
        "Bag-Info": {"Source-Organization": {"required": True, "values": ["A", "B"]}},
        "Manifests-Required": ["sha512"],
        "Tag-Manifests-Required": ["sha256"],
        "Accept-BagIt-Version": ["1.0"],
        "Serialization": "required",
        "Accept-Serialization": ["application/zip"],
        "Fetch.txt-Required": True,
        "Data-Empty": True,
        "Tag-Files-Required": ["meta/extra.txt"],
        "Tag-Files-Allowed": ["meta/*"],
        "Payload-Files-Allowed": ["data/only/*"],
    }


def test_generic_profile_fields(tmp_path):
    root = make_sip(tmp_path / "b", info=lambda b: [("BagIt-Profile-Identifier", "urn:test:p"),
                                                    ("Source-Organization", "C")])
    (root / "other").mkdir()
    (root / "other/x.txt").write_bytes(b"x")
    assert prf(root, None, _generic()) == {
        "PRF-SERIALIZATION-REQUIRED", "PRF-TAG-VALUE", "PRF-MANIFEST-REQUIRED", "PRF-FETCH-REQUIRED",
        "PRF-DATA-NOT-EMPTY", "PRF-TAGFILE-REQUIRED", "PRF-TAGFILE-NOT-ALLOWED", "PRF-PAYLOAD-NOT-ALLOWED"}
    forbidden = dict(_generic(), Serialization="forbidden")
    assert "PRF-SERIALIZATION-FORBIDDEN" in prf(root, "application/zip", forbidden)


def test_data_empty_accepts_one_zero_length_placeholder(tmp_path):
    profile = dict(_generic(), **{"Data-Empty": True})
    root = make_sip(tmp_path / "b", payload={"data/.keep": b""})
    assert "PRF-DATA-NOT-EMPTY" not in prf(root, "application/zip", profile)


def test_payload_files_required_directory(tmp_path):
    profile = {**_generic(), "Payload-Files-Required": ["data/documents/"], "Payload-Files-Allowed": ["*"]}
    assert "PRF-PAYLOAD-REQUIRED" not in prf(make_sip(tmp_path / "a"), None, profile)
    assert "PRF-PAYLOAD-REQUIRED" in prf(make_sip(tmp_path / "b", payload={CASEFILE: b"x"}), None, profile)


@pytest.mark.parametrize("mutate, message", [
    (lambda p: p.pop("BagIt-Profile-Info"), "BagIt-Profile-Info"),
    (lambda p: p["BagIt-Profile-Info"].pop("Version"), "lacks Version"),
    (lambda p: p.update({"Accept-BagIt-Version": []}), "Accept-BagIt-Version"),
    (lambda p: p.update({"Allow-Fetch.txt": "no"}), "true or false"),
    (lambda p: p.update({"Manifests-Allowed": ["sha256"]}), "Manifests-Required sha512"),
    (lambda p: p.update({"Tag-Files-Allowed": ["x/*"]}), "Tag-Files-Required"),
    (lambda p: p.update({"Serialization": "sometimes"}), "Serialization"),
    (lambda p: p.update({"Manifest-Required": ["md5"]}), "unknown key"),
    (lambda p: p["Bag-Info"]["Source-Organization"].update({"required": "yes"}), "true or false"),
    (lambda p: p.update({"Allow-Fetch.txt": False}), "contradicts"),
])
def test_malformed_profiles_raise(mutate, message):
    profile = copy.deepcopy(_generic())
    mutate(profile)
    with pytest.raises(ProfileError, match=message):
        check_profile(profile)
    check_profile(_generic())
