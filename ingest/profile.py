"""BagIt-Profile validation (BagIt Profiles Specification 1.3.0 / 1.4.0).

:func:`validate_profile` checks every profile field that applies to a local
bag against a :class:`ingest.bag.BagReport`: Bag-Info, Manifests-Required /
-Allowed, Tag-Manifests-Required / -Allowed, Allow-Fetch.txt,
Fetch.txt-Required, Data-Empty, Serialization, Accept-Serialization,
Accept-BagIt-Version, Tag-Files-Required / -Allowed and (1.4.0)
Payload-Files-Required / -Allowed.  A malformed profile cannot be evaluated:
it raises :class:`ProfileError`.

The SIP profile declares BagIt-Profile-Version 1.3.0, which has no
Payload-Files-Required; casearchive's requirement of
``data/metadata/casefile.xml`` is therefore kept in :data:`EXTENSIONS` and
applied in code to profiles of that identifier written for a spec before 1.4.0.
"""
from __future__ import annotations

import json
import unicodedata
from fnmatch import fnmatchcase
from importlib import resources
from typing import Any, Callable, Mapping

import ingest.bag_codes  # noqa: F401 — registers PRF- codes
from findings import Finding
from fixity.manifest import is_tag_manifest, manifest_algorithm
from ingest.bag import BagReport

SIP_PROFILE_ID = "urn:casearchive:profile:sip:1"
SIP_PAYLOAD_FILES_REQUIRED = ("data/metadata/casefile.xml",)
#: Constraints a profile's spec version cannot express, applied by profile identifier.
EXTENSIONS: Mapping[str, Mapping[str, Any]] = {
    SIP_PROFILE_ID: {"Payload-Files-Required": list(SIP_PAYLOAD_FILES_REQUIRED)},
}
_LISTS = ("Manifests-Required", "Manifests-Allowed", "Accept-Serialization", "Accept-BagIt-Version",
          "Tag-Manifests-Required", "Tag-Manifests-Allowed", "Tag-Files-Required", "Tag-Files-Allowed",
          "Payload-Files-Required", "Payload-Files-Allowed")
_BOOLS = ("Allow-Fetch.txt", "Fetch.txt-Required", "Data-Empty")
_KEYS = frozenset({"BagIt-Profile-Info", "Bag-Info", "Serialization", *_LISTS, *_BOOLS})
_INFO_REQUIRED = ("Source-Organization", "External-Description", "Version", "BagIt-Profile-Identifier")
_TAG_RULE_KEYS = frozenset({"required", "values", "repeatable", "description"})
_CORE_TAG_FILES = ("bagit.txt", "bag-info.txt", "fetch.txt")


class ProfileError(ValueError):
    """The profile itself is malformed, so no bag can be evaluated against it."""


# -- the profile itself ----------------------------------------------------
def load_profile(name: str = "sip-profile.json") -> dict[str, Any]:
    """Load a profile shipped in the ``schemas`` package and check its structure."""
    text = resources.files("schemas").joinpath(name).read_text(encoding="utf-8")
    profile = json.loads(text)
    check_profile(profile)
    return profile


def _info_problems(info: Any) -> list[str]:
    if not isinstance(info, Mapping):
        return ["BagIt-Profile-Info must be an object"]
    keys = (*_INFO_REQUIRED, "BagIt-Profile-Version")
    return [f"BagIt-Profile-Info lacks {k}" for k in _INFO_REQUIRED if k not in info] + \
           [f"BagIt-Profile-Info {k} must be a string" for k in keys if k in info and not isinstance(info[k], str)]


def _bag_info_problems(rules: Any) -> list[str]:
    if not isinstance(rules, Mapping) or not all(isinstance(r, Mapping) for r in rules.values()):
        return ["Bag-Info must map labels to objects"]
    out = []
    for label, rule in rules.items():
        out += [f"Bag-Info {label}: unknown key {k}" for k in set(rule) - _TAG_RULE_KEYS]
        out += [f"Bag-Info {label}: {k} must be true or false" for k in ("required", "repeatable")
                if k in rule and not isinstance(rule[k], bool)]
        if "values" in rule and not _is_str_list(rule["values"]):
            out.append(f"Bag-Info {label}: values must be a list of strings")
    return out


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type_problems(profile: Mapping[str, Any]) -> list[str]:
    out = [f"unknown key {k}" for k in sorted(set(profile) - _KEYS)]
    out += [f"{k} must be a list of strings" for k in _LISTS if k in profile and not _is_str_list(profile[k])]
    out += [f"{k} must be true or false" for k in _BOOLS if k in profile and not isinstance(profile[k], bool)]
    if profile.get("Serialization", "optional") not in ("forbidden", "required", "optional"):
        out.append("Serialization must be forbidden, required or optional")
    if not profile.get("Accept-BagIt-Version"):
        out.append("Accept-BagIt-Version needs at least one version")
    return out


def _consistency_problems(p: Mapping[str, Any]) -> list[str]:
    out = []
    for kind in ("Manifests", "Tag-Manifests"):
        allowed = p.get(f"{kind}-Allowed")
        if allowed is not None:
            out += [f"{kind}-Required {a} is not in {kind}-Allowed" for a in p.get(f"{kind}-Required", [])
                    if a not in allowed]
    for kind in ("Tag-Files", "Payload-Files"):
        allowed = p.get(f"{kind}-Allowed", ["*"])
        out += [f"{kind}-Required {f} is not covered by {kind}-Allowed" for f in p.get(f"{kind}-Required", [])
                if not _matches_any(f.rstrip("/"), allowed)]
    if p.get("Fetch.txt-Required") and p.get("Allow-Fetch.txt") is False:
        out.append("Fetch.txt-Required contradicts Allow-Fetch.txt false")
    if p.get("Serialization", "optional") != "forbidden" and not p.get("Accept-Serialization"):
        out.append("Accept-Serialization needs at least one MIME type unless Serialization is forbidden")
    return out


def check_profile(profile: Any) -> None:
    """Raise ProfileError listing every structural problem of ``profile``."""
    if not isinstance(profile, Mapping):
        raise ProfileError("a BagIt profile is a JSON object")
    problems = _info_problems(profile.get("BagIt-Profile-Info"))
    problems += _bag_info_problems(profile.get("Bag-Info", {}))
    problems += _type_problems(profile)
    if not problems:
        problems = _consistency_problems(profile)
    if problems:
        raise ProfileError("; ".join(problems))


def _spec_version(profile: Mapping[str, Any]) -> tuple[int, ...]:
    raw = str(profile["BagIt-Profile-Info"].get("BagIt-Profile-Version", "1.1.0"))
    try:
        return tuple(int(x) for x in raw.split("."))
    except ValueError:
        return (1, 1, 0)


def effective_profile(profile: Mapping[str, Any]) -> dict[str, Any]:
    """``profile`` plus the :data:`EXTENSIONS` its spec version cannot express."""
    out = dict(profile)
    extra = EXTENSIONS.get(profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"], {})
    if _spec_version(profile) < (1, 4, 0):
        for key, value in extra.items():
            out.setdefault(key, value)
    return out


# -- checks against a bag --------------------------------------------------
def _matches_any(path: str, patterns: list[str]) -> bool:
    return any(fnmatchcase(path, pattern) for pattern in patterns)


def _values(report: BagReport, label: str) -> list[str]:
    return [v for k, v in report.bag_info if k.lower() == label.lower()]


def _profile_id(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    expected = profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"]
    values = _values(report, "BagIt-Profile-Identifier")
    if not values:
        return [Finding("PRF-PROFILE-ID-MISSING", "bag-info.txt", expected=expected)]
    if expected not in values:  # the tag may repeat: a bag may conform to several profiles
        return [Finding("PRF-PROFILE-ID-MISMATCH", "bag-info.txt", expected=expected, found=", ".join(values))]
    return []


def _tag_rule(report: BagReport, label: str, rule: Mapping[str, Any]) -> list[Finding]:
    values = _values(report, label)
    where = "bag-info.txt"
    if rule.get("required") and not values:
        return [Finding("PRF-TAG-REQUIRED", location=where, params={"label": label})]
    out = []
    if rule.get("required") and all(v == "" for v in values):
        out.append(Finding("PRF-TAG-EMPTY", location=where, params={"label": label}))
    allowed = rule.get("values") or []
    out += [Finding("PRF-TAG-VALUE", location=where, expected=", ".join(allowed), found=v, params={"label": label})
            for v in values if allowed and v not in allowed]
    if rule.get("repeatable") is False and len(values) > 1:
        out.append(Finding("PRF-TAG-NOT-REPEATABLE", location=where, expected="1", found=str(len(values)),
                           params={"label": label}))
    return out


def _bag_info(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    if "bag-info.txt" not in report.tag_files:
        ident = profile["BagIt-Profile-Info"]["BagIt-Profile-Identifier"]
        return [Finding("PRF-BAG-INFO-MISSING", "bag-info.txt", params={"profile": ident})]
    out = _profile_id(report, profile)
    for label, rule in profile.get("Bag-Info", {}).items():
        out += _tag_rule(report, label, rule)
    return out


def _present_algorithms(report: BagReport, tag: bool) -> dict[str, str]:
    """Manifest file name by algorithm, from the files present (read or not)."""
    return {alg: name for name in report.tag_files
            if "/" not in name and (alg := manifest_algorithm(name)) and is_tag_manifest(name) == tag}


def _manifest_rules(report: BagReport, profile: Mapping[str, Any], tag: bool) -> list[Finding]:
    kind, prefix = ("Tag-Manifests", "PRF-TAGMANIFEST") if tag else ("Manifests", "PRF-MANIFEST")
    present = _present_algorithms(report, tag)
    out = [Finding(f"{prefix}-REQUIRED", f"{'tag' if tag else ''}manifest-{alg}.txt", params={"algorithm": alg})
           for alg in profile.get(f"{kind}-Required", []) if alg not in present]
    allowed = profile.get(f"{kind}-Allowed")
    if allowed is not None:
        out += [Finding(f"{prefix}-NOT-ALLOWED", name, expected=", ".join(allowed), params={"algorithm": alg})
                for alg, name in sorted(present.items()) if alg not in allowed]
    return out


def _fetch(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    present = "fetch.txt" in report.tag_files
    if present and profile.get("Allow-Fetch.txt", True) is False:
        return [Finding("PRF-FETCH-NOT-ALLOWED", "fetch.txt")]
    if not present and profile.get("Fetch.txt-Required", False):
        return [Finding("PRF-FETCH-REQUIRED", "fetch.txt")]
    return []


def _data_empty(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    # "Minimum contents": nothing, or a single zero-length placeholder file.
    files = report.payload_files
    empty = not files or (len(files) == 1 and next(iter(files.values())) == 0)
    if profile.get("Data-Empty", False) and not empty:
        return [Finding("PRF-DATA-NOT-EMPTY", "data/", expected="0", found=f"{len(files)} file(s)")]
    return []


def _serialization(profile: Mapping[str, Any], serialization: str | None) -> list[Finding]:
    mode = profile.get("Serialization", "optional")
    accepted = profile.get("Accept-Serialization", [])
    if mode == "required" and serialization is None:
        return [Finding("PRF-SERIALIZATION-REQUIRED", ".", expected=", ".join(accepted), found="directory")]
    if mode == "forbidden" and serialization is not None:
        return [Finding("PRF-SERIALIZATION-FORBIDDEN", ".", expected="directory", found=serialization)]
    if serialization is not None and accepted and serialization not in accepted:
        return [Finding("PRF-SERIALIZATION-TYPE", ".", expected=", ".join(accepted), found=serialization)]
    return []


def _bagit_version(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    accepted = profile.get("Accept-BagIt-Version", [])
    if report.version is None or report.version in accepted:
        return []  # no readable version is already a BAG- finding
    return [Finding("PRF-BAGIT-VERSION", "bagit.txt", expected=", ".join(accepted), found=report.version)]


def _is_core_tag_file(name: str) -> bool:
    return name in _CORE_TAG_FILES or ("/" not in name and manifest_algorithm(name) is not None)


def _tag_files(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    out = [Finding("PRF-TAGFILE-REQUIRED", path) for path in profile.get("Tag-Files-Required", [])
           if path not in report.tag_files]
    allowed = profile.get("Tag-Files-Allowed")
    if allowed is not None:
        out += [Finding("PRF-TAGFILE-NOT-ALLOWED", name, expected=", ".join(allowed))
                for name in sorted(report.tag_files) if not _is_core_tag_file(name)
                and not _matches_any(name, allowed)]
    return out


def _payload_present(report: BagReport, path: str) -> bool:
    if path.endswith("/"):
        return any(p.startswith(path) for p in report.payload_files)
    nfc = unicodedata.normalize("NFC", path)
    return any(unicodedata.normalize("NFC", p) == nfc for p in report.payload_files)


def _payload_files(report: BagReport, profile: Mapping[str, Any]) -> list[Finding]:
    out = [Finding("PRF-PAYLOAD-REQUIRED", path) for path in profile.get("Payload-Files-Required", [])
           if not _payload_present(report, path)]
    allowed = profile.get("Payload-Files-Allowed")
    if allowed is not None:
        out += [Finding("PRF-PAYLOAD-NOT-ALLOWED", name, expected=", ".join(allowed))
                for name in sorted(report.payload_files) if not _matches_any(name, allowed)]
    return out


_CHECKS: tuple[Callable[[BagReport, Mapping[str, Any]], list[Finding]], ...] = (
    _bagit_version, _bag_info, _fetch, _data_empty, _tag_files, _payload_files,
    lambda r, p: _manifest_rules(r, p, tag=False), lambda r, p: _manifest_rules(r, p, tag=True),
)


def validate_profile(report: BagReport, profile: Mapping[str, Any], serialization: str | None) -> list[Finding]:
    """Every way the bag behind ``report`` departs from ``profile``.

    ``serialization`` is the MIME type the bag arrived as (``application/zip``
    …), or None for a directory.  Raises ProfileError for a malformed profile.
    """
    check_profile(profile)
    effective = effective_profile(profile)
    findings = _serialization(effective, serialization)
    for check in _CHECKS:
        findings += check(report, effective)
    return findings
