"""write_bag: a literal RFC 8493 writer that tests use to build (hostile) bags from bytes."""
from __future__ import annotations

import hashlib
from pathlib import Path

import bagit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samples import bag_name, payload_oxum, write_bag
from samples.bag import bag_info_text, encode_path

INFO = {"Source-Organization": "北京市朝阳区人民法院", "Bagging-Date": "2024-05-06"}
# Names bagit-python reads back (it does not decode %25, see test_percent_is_encoded_per_rfc).
SEGMENT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="/\\%"),
                  min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))
PAYLOAD = st.dictionaries(st.lists(SEGMENT, min_size=1, max_size=3).map("/".join), st.binary(max_size=300),
                          min_size=1, max_size=6)


def test_a_written_bag_validates_and_lists_every_file(tmp_path: Path) -> None:
    payload = {"metadata/casefile.xml": b"<caseFile/>", "documents/001-起诉状.pdf": b"%PDF-1.4 ..."}
    bag_dir = write_bag(tmp_path / "bag", payload, INFO, algorithms=("sha256", "sha512"))
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert sorted(bag.payload_files()) == ["data/documents/001-起诉状.pdf", "data/metadata/casefile.xml"]
    assert bag.info["Payload-Oxum"] == payload_oxum(payload) == f"{11 + 12}.2"
    manifest = (bag_dir / "manifest-sha512.txt").read_text("utf-8")
    assert manifest.splitlines()[0] == (f"{hashlib.sha512(b'%PDF-1.4 ...').hexdigest()}  "
                                        "data/documents/001-起诉状.pdf")
    tags = (bag_dir / "tagmanifest-sha256.txt").read_text("utf-8")
    assert [line.split("  ")[1] for line in tags.splitlines()] == [
        "bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt"]


def test_bag_info_keeps_order_and_a_given_payload_oxum(tmp_path: Path) -> None:
    bag_dir = write_bag(tmp_path / "bag", {"a.txt": b"abc"}, {**INFO, "Payload-Oxum": "999.9"})
    assert (bag_dir / "bag-info.txt").read_text("utf-8").splitlines() == [
        "Source-Organization: 北京市朝阳区人民法院", "Bagging-Date: 2024-05-06", "Payload-Oxum: 999.9"]
    with pytest.raises(bagit.BagValidationError):  # a hostile variant stays hostile
        bagit.Bag(str(bag_dir)).validate()


def test_multi_line_values_are_continued() -> None:
    assert bag_info_text({"External-Description": "一\n二"}) == "External-Description: 一\n  二\n".encode()


def test_percent_is_encoded_per_rfc() -> None:
    """RFC 8493 §2.1.3; bagit-python 1.9 decodes only %0D/%0A, so it cannot read %25."""
    assert encode_path("data/100%.txt") == "data/100%25.txt"
    assert encode_path("data/a\nb\rc") == "data/a%0Ab%0Dc"


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/"])
def test_paths_that_escape_or_are_not_normal_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        write_bag(tmp_path / "bag", {bad: b"x"}, INFO)


def test_an_existing_directory_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "bag").mkdir()
    with pytest.raises(FileExistsError):
        write_bag(tmp_path / "bag", {"a": b"x"}, INFO)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=PAYLOAD)
def test_any_payload_makes_a_valid_bag(tmp_path_factory: pytest.TempPathFactory,
                                       payload: dict[str, bytes]) -> None:
    # a name may not be both a file and a directory
    paths = set(payload)
    if any(p.startswith(q + "/") for p in paths for q in paths):
        return
    bag_dir = write_bag(tmp_path_factory.mktemp("h") / "bag", payload, INFO)
    bagit.Bag(str(bag_dir)).validate()
    for path, data in payload.items():
        assert (bag_dir / "data" / path).read_bytes() == data


@given(st.text(max_size=40))
def test_bag_names_are_safe_directory_names(case_number: str) -> None:
    name = bag_name(case_number)
    assert name and name not in (".", "..") and len(name.encode()) <= 255
    assert not set(name) & set('/\\:*?"<>|') and name.isprintable() and not any(c.isspace() for c in name)


@pytest.mark.parametrize("number, name", [
    ("（2023）京0105民初1234号", "2023-京0105民初1234号"),
    ("(2024)沪0115执12号", "2024-沪0115执12号"),
    ("（2022）最高法民再3/4号", "2022-最高法民再3_4号"),
])
def test_bag_names_of_case_numbers(number: str, name: str) -> None:
    assert bag_name(number) == name
