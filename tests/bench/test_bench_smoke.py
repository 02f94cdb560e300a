"""The benchmark suite: its corpora are valid SIPs, its floors check themselves, and a
tiny ``--quick`` run prints every row.  No timing assertions: figures are not tested."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import corpus, floor
from bench.results import LABELS, TARGETS
from bench.timing import Timing, repeat
from ingest.sip import validate_sip

ROOT = Path(__file__).resolve().parents[2]
TINY_A = corpus.CorpusSpec("A", 25, 4 * corpus.KIB, 64 * corpus.KIB, seed=7)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> corpus.Corpus:
    made, generated = corpus.ensure(TINY_A, tmp_path_factory.mktemp("corpora"))
    assert generated
    return made


def test_corpus_is_a_valid_sip(tiny: corpus.Corpus, tmp_path: Path) -> None:
    result = validate_sip(tiny.bag, tmp_path / "staged", today=corpus.TODAY)
    assert result.ok, [(f.code, f.location) for f in result.findings]
    assert [f.code for f in result.findings] == []
    assert result.casefile is not None and result.casefile.document_count == TINY_A.files
    assert {d.format for d in result.casefile.documents} == {"TIFF"}


def test_documents_are_what_they_claim(tiny: corpus.Corpus, tmp_path: Path) -> None:
    from PIL import Image

    from checks.content.formats import identify
    from checks.content.media import analyse_bmff

    for path in tiny.files()[:-1]:
        with Image.open(path) as image:
            image.load()
            assert image.format == "TIFF" and image.mode == "L"
        assert identify(path, path.name).format == "TIFF"
    b = corpus.generate(corpus.CorpusSpec("B", 2, 3 * corpus.MIB, 3 * corpus.MIB, seed=7), tmp_path)
    for path in b.files()[:-1]:
        assert path.stat().st_size == 3 * corpus.MIB
        assert identify(path, path.name).format == "MP4"
        with open(path, "rb") as stream:
            assert not analyse_bmff(stream, path.name, "MP4").fatal


def test_corpus_is_ingested(tiny: corpus.Corpus, tmp_path: Path) -> None:
    from bench.child import NOW, fresh_archive
    from ingest.pipeline import ingest_package

    outcome = ingest_package(fresh_archive(tmp_path / "archive"), tiny.bag, now=NOW)
    assert outcome.status == "archived", [(f.code, f.location) for f in outcome.findings]


def test_corpus_is_deterministic_and_reused(tiny: corpus.Corpus, tmp_path: Path) -> None:
    again = corpus.generate(TINY_A, tmp_path)
    assert [p.read_bytes() for p in again.files()] == [p.read_bytes() for p in tiny.files()]
    assert corpus.ensure(TINY_A, tmp_path) == (again, False)


def test_incomplete_corpus_is_regenerated(tmp_path: Path) -> None:
    made = corpus.generate(TINY_A, tmp_path)
    made.files()[3].unlink()
    assert corpus.load(TINY_A, tmp_path) is None
    remade, generated = corpus.ensure(TINY_A, tmp_path)
    assert generated and len(remade.files()) == made.payload_files


def test_other_spec_does_not_reuse(tmp_path: Path) -> None:
    corpus.generate(TINY_A, tmp_path)
    other = corpus.CorpusSpec("A", 25, 4 * corpus.KIB, 64 * corpus.KIB, seed=8)
    assert corpus.load(other, tmp_path) is None


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=60), st.integers(1, 4))
@settings(max_examples=60, deadline=None)
def test_split_by_bytes_keeps_order_and_every_file(tmp_path_factory: pytest.TempPathFactory,
                                                   sizes: list[int], lanes: int) -> None:
    d = tmp_path_factory.mktemp("split")
    files = []
    for i, size in enumerate(sizes):
        (d / f"{i:03d}").write_bytes(b"x" * size)
        files.append(d / f"{i:03d}")
    parts = floor.split_by_bytes(files, lanes)
    assert len(parts) == lanes
    assert [p for part in parts for p in part] == files
    total, biggest = sum(sizes), max(sizes)
    for part in parts:  # each lane is within one file of its fair share
        assert sum(p.stat().st_size for p in part) <= total / lanes + biggest


@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=300),
                max_size=400))
def test_batches_fit_the_command_line(names: list[str]) -> None:
    paths = [Path("/x") / n for n in names]
    out = floor.batches(paths)
    assert [p for b in out for p in b] == paths
    for b in out:
        assert len(b) <= floor.MAX_BATCH
        assert len(b) == 1 or sum(len(str(p).encode()) + 1 for p in b) <= floor.ARGV_BYTES


@pytest.mark.skipif(not floor.available(), reason="openssl not installed")
def test_hash_floor_fails_on_a_missing_file(tiny: corpus.Corpus) -> None:
    floor.hash_floor(tiny.files(), ["sha256", "sm3"])
    with pytest.raises(floor.FloorError):
        floor.hash_floor(tiny.files() + [tiny.bag / "no-such-file"], ["sha256"])
    with pytest.raises(floor.FloorError):  # openssl itself refuses: the output check is not needed
        floor.openssl_dgst("sha256", [tiny.files()[0], tiny.bag / "no-such-file"])
    assert floor.openssl_dgst("sm3", tiny.files()) == len(tiny.files())


def test_write_floor_makes_two_full_copies(tiny: corpus.Corpus, tmp_path: Path) -> None:
    floor.write_floor(tiny.files(), tiny.bag, tmp_path / "scratch")
    for copy in ("copy0", "copy1"):
        for src in tiny.files():
            assert (tmp_path / "scratch" / copy / src.relative_to(tiny.bag)).read_bytes() == src.read_bytes()


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=9))
def test_timing_best_and_median(runs: list[float]) -> None:
    t = Timing(tuple(runs))
    assert t.best == min(runs) and t.best <= t.median <= max(runs)


def test_repeat_runs_before_and_after_around_each_run() -> None:
    calls: list[str] = []
    timing, results = repeat(lambda: calls.append("run") or len(calls), times=2,
                             before=lambda: calls.append("before"), after=lambda r: calls.append(f"after{r}"))
    assert calls == ["before", "run", "after2", "before", "run", "after5"]
    assert len(timing.runs) == 2 and results == [2, 5]


@pytest.mark.skipif(not floor.available(), reason="openssl not installed")
def test_quick_run_prints_every_row(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--work", str(tmp_path), "--a-files", "200",
                          "--b-files", "2", "--b-size-mib", "8", "--repeat", "1", "--json"],
                         check=False, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-2000:]
    for name in ("Corpus A", "Corpus B"):
        assert name in run.stdout
    for label in LABELS.values():
        assert run.stdout.count(label) == 2, label
    for target in TARGETS:
        assert target.text in run.stdout
    assert "where the time goes" in run.stdout
    figures = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in figures["corpora"]] == ["A", "B"]
    assert all(len(c["rows"]) == len(LABELS) for c in figures["corpora"])
    assert all(r["median"] > 0 for c in figures["corpora"] for r in c["rows"])
    assert [t["met"] in (True, False) for t in figures["targets"]] == [True] * len(TARGETS)
    assert figures["machine"]["nproc"] >= 1
