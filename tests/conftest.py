"""Shared fixtures: real archives in tmp folders, real sample packages."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)

# One Hypothesis profile for the whole suite that does not depend on the machine's speed: the
# suite runs beside a stress test and kill -9 tests on two cores, so per-example deadlines and the
# "too slow" health check would fail at random.  A test's own @settings only overrides what it names.
settings.register_profile("casearchive", deadline=None, suppress_health_check=[HealthCheck.too_slow],
                          print_blob=True)
settings.load_profile("casearchive")


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def sample_sips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three generated case-file SIPs (read-only: copy before changing)."""
    from samples import generate_sips

    return generate_sips(tmp_path_factory.mktemp("sips"), count=3, seed=11)


@pytest.fixture
def sip(tmp_path: Path, sample_sips: list[Path]) -> Path:
    """A private, writable copy of one sample SIP."""
    target = tmp_path / "push" / sample_sips[0].name
    shutil.copytree(sample_sips[0], target)
    return target


def scan_options(folder: Path) -> dict[str, Any]:
    """InitOptions keywords for a test archive: ingest scans with the real ClamAV and a test
    signature database ([checks] virus_scan = "required" needs a database; CI has ClamAV).
    Without clamscan, outside CI, the archive scans "optional" (a warning on every ingest)."""
    import os
    import shutil

    from samples.signatures import write_test_signatures

    if shutil.which("clamscan") or os.environ.get("CI") == "true":
        return {"clamav_database": str(write_test_signatures(folder))}
    return {"virus_scan": "optional"}


@pytest.fixture(scope="session")
def virus_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return scan_options(tmp_path_factory.mktemp("clamav-test-db"))


@pytest.fixture
def archive(tmp_path: Path, virus_db: dict[str, Any]):  # type: ignore[no-untyped-def]
    from archive.archive import InitOptions, init_archive

    arc = init_archive(tmp_path / "archive", InitOptions(name="测试档案库", fonds_number="J105", **virus_db), NOW)
    yield arc
    arc.close()




@pytest.fixture(scope="session")
def ingested_template(tmp_path_factory: pytest.TempPathFactory, sample_sips: list[Path],
                      virus_db: dict[str, Any]) -> Path:
    """An archive with the sample SIPs ingested at NOW; copy it (helpers.open_copy), never change it."""
    from archive.archive import InitOptions, init_archive
    from ingest.pipeline import ingest_package

    root = tmp_path_factory.mktemp("tpl") / "archive"
    arc = init_archive(root, InitOptions(name="测试档案库", fonds_number="J105", **virus_db), NOW)
    for sip in sample_sips:
        assert ingest_package(arc, sip, now=NOW).status == "archived"
    arc.close()
    return root
