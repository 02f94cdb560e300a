"""One pass per file: read once, hash, identify, open — shared by every content item.

:func:`analyse` reads a payload file through ``PackageView.open`` exactly once:
every chunk updates the digests (DA/T 70 1-1) and goes to a spooled copy (memory
up to ``content_memory_mb``, then a temporary file) from which the format is
identified (3-3) and the matching reader opens the content (2-7, 2-8, 3-4, 3-5,
3-8, and the signatures of 1-1).  The result is cached in
``ctx.cache[("analysis", path)]`` and the format in ``ctx.cache[("format", path)]``
(item 1-10 reads it), so a plan of seven items costs one read per file.
"""
from __future__ import annotations

import dataclasses
import os
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any, Mapping

import checks.codes_content  # noqa: F401 — registers CHK- codes
from archive.config import ConfigError
from checks.api import CheckContext, PackageFile, PackageView
from checks.content import images, media, ofd, pdf, pdf_signatures
from checks.content.formats import HEAD, FormatInfo, identify
from checks.content.report import ContentReport
from checks.content.settings import ContentSettings
from findings import Finding
from fixity.digest import available, new_hash

CHUNK = 1 << 20
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "GIF", "BMP", "WEBP"})
ZIP_FORMATS = frozenset({"ZIP", "DOCX", "XLSX", "PPTX", "ODF"})


@dataclass(frozen=True)
class FileAnalysis:
    """Everything the content checks learned from one read of one file."""

    path: str
    size: int  # bytes read
    digests: Mapping[str, str]  # recomputed, for every recorded algorithm available here
    format: FormatInfo
    content: ContentReport | None  # None: not opened (read error, no reader, too large)
    problems: tuple[Finding, ...] = ()  # read error, no reader, too large, algorithm unavailable
    recorded: Mapping[str, str] = field(default_factory=dict)  # recorded digests the file was compared with

    def to_dict(self) -> dict[str, Any]:
        content = self.content
        return {"path": self.path, "size": self.size, "digests": dict(self.digests), "format": self.format.to_dict(),
                "pages": content.pages if content else None, "reader": content.reader if content else None,
                "pdfa": content.pdfa if content else None, "software": dict(content.software) if content else {}}


def settings_of(ctx: CheckContext) -> ContentSettings:
    """The content settings of this run, parsed once (ConfigError on a bad [checks] value)."""
    key = ("content-settings", "*")
    if key not in ctx.cache:
        ctx.cache[key] = ContentSettings.from_settings(ctx.settings, ctx.services.get("root"))
    return ctx.cache[key]  # type: ignore[no-any-return]


def package_files(pkg: PackageView, ctx: CheckContext) -> dict[str, PackageFile]:
    """``pkg.files()`` by path, listed once per run."""
    key = ("package-files", pkg.identifier)
    if key not in ctx.cache:
        ctx.cache[key] = {f.path: f for f in pkg.files()}
    return ctx.cache[key]  # type: ignore[no-any-return]


def declared_documents(pkg: PackageView, ctx: CheckContext | None = None) -> dict[str, Any]:
    """casefile.xml's documents by package path (``data/`` + document path), built once per run."""
    key = ("declared-documents", pkg.identifier)
    if ctx is not None and key in ctx.cache:
        return ctx.cache[key]  # type: ignore[no-any-return]
    documents = _declared_documents(pkg)
    if ctx is not None:
        ctx.cache[key] = documents
    return documents


def _declared_documents(pkg: PackageView) -> dict[str, Any]:
    try:
        casefile = pkg.casefile
    except Exception:  # noqa: BLE001 — an unreadable casefile is item 3-1's finding, not ours
        return {}
    return {f"data/{d.path}": d for d in casefile.documents} if casefile is not None else {}


def analyse(pkg: PackageView, path: str, ctx: CheckContext) -> FileAnalysis:
    """The cached analysis of ``path``; reads the file the first time only."""
    key = ("analysis", path)
    cached = ctx.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    result = _analyse(pkg, path, ctx)
    ctx.cache[key] = result
    ctx.cache[("format", path)] = result.format
    return result


def _algorithms(pkg: PackageView, path: str, ctx: CheckContext) -> tuple[dict[str, str], list[Finding]]:
    recorded = dict(package_files(pkg, ctx).get(path, PackageFile(path, 0)).digests)
    doc = declared_documents(pkg, ctx).get(path)
    if doc is not None:
        recorded.setdefault(doc.digest.algorithm, doc.digest.value)
    missing = [Finding("CHK-FIX-ALGORITHM-UNAVAILABLE", path, params={"algorithm": a}) for a in recorded if not available(a)]
    return {a: v for a, v in recorded.items() if available(a)}, missing


def _known_digests(path: str, ctx: CheckContext) -> dict[str, str]:
    """Digests of this very file already computed in this run or at receipt (staging):
    computed from the same bytes, so they count as recomputed (no second hashing)."""
    known = dict(ctx.cache.get(("digests", path), {}))
    receipt = ctx.services.get("receipt_digests") or {}
    for alg, value in dict(receipt.get(path, {})).items():
        known.setdefault(alg, value)
    return known


def _analyse_in_place(pkg: PackageView, path: str, ctx: CheckContext, known: dict[str, str],
                      problems: list[Finding], recorded: dict[str, str]) -> FileAnalysis:
    """Digests already known: the readers work on the file itself and read only what they parse
    (an MP4's box headers, a PDF's objects) — no copy, no second hashing."""
    settings = settings_of(ctx)
    with pkg.open(path) as fh:
        size = os.fstat(fh.fileno()).st_size
        fmt = identify(fh, path)
        fh.seek(0)
        content, extra = _open(fh, path, fmt, settings, ctx)
    if content is not None and fmt.format == "PDF" and content.pdfa != fmt.pdfa:
        fmt = dataclasses.replace(fmt, pdfa=content.pdfa)
    return FileAnalysis(path, size, known, fmt, content, (*problems, *extra), recorded)


def _analyse(pkg: PackageView, path: str, ctx: CheckContext) -> FileAnalysis:
    settings = settings_of(ctx)
    recorded, problems = _algorithms(pkg, path, ctx)
    limit = settings.content_max_mb << 20
    known = {a: v for a, v in _known_digests(path, ctx).items() if a in recorded}
    missing = [a for a in recorded if a not in known]
    if not missing and package_files(pkg, ctx).get(path, PackageFile(path, 0)).size <= limit:
        try:
            return _analyse_in_place(pkg, path, ctx, known, problems, recorded)
        except (OSError, ValueError):
            pass  # the full read below reports it
    with tempfile.SpooledTemporaryFile(max_size=settings.content_memory_mb << 20) as spool:
        try:
            size, digests, head = _read_once(pkg, path, missing, spool, limit)
            digests = {**known, **digests}
        except (OSError, ValueError) as exc:  # ValueError: the view refused an unsafe path or a link
            finding = Finding("CHK-CNT-READ-ERROR", path, found=f"{type(exc).__name__}: {exc}"[:300])
            fmt = FormatInfo("UNKNOWN", None, "application/octet-stream", False, evidence="not read")
            return FileAnalysis(path, 0, {}, fmt, None, (*problems, finding), recorded)
        if size > limit:
            fmt = identify(head, path)
            too_large = Finding("CHK-CNT-TOO-LARGE", path, expected=str(limit), found=str(size))
            return FileAnalysis(path, size, digests, fmt, None, (*problems, too_large), recorded)
        spool.seek(0)
        fmt = identify(spool, path)  # type: ignore[arg-type]  # a SpooledTemporaryFile is a binary stream
        content, extra = _open(spool, path, fmt, settings, ctx)
    if content is not None and fmt.format == "PDF" and content.pdfa != fmt.pdfa:
        fmt = dataclasses.replace(fmt, pdfa=content.pdfa)  # the catalogue's XMP outranks a byte scan
    return FileAnalysis(path, size, digests, fmt, content, (*problems, *extra), recorded)


def _read_once(pkg: PackageView, path: str, algorithms: list[str], spool: IO[bytes],
               limit: int) -> tuple[int, dict[str, str], bytes]:
    """The single read: digests of every byte, the head, and a copy when small enough to open."""
    hashers = {a: new_hash(a) for a in algorithms}
    size, head = 0, b""
    with pkg.open(path) as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            for h in hashers.values():
                h.update(chunk)
            if len(head) < HEAD:
                head += chunk[:HEAD - len(head)]
            size += len(chunk)
            if size <= limit:
                spool.write(chunk)
    return size, {a: h.hexdigest() for a, h in hashers.items()}, head


def _open(stream: IO[bytes], path: str, fmt: FormatInfo, settings: ContentSettings,
          ctx: CheckContext) -> tuple[ContentReport | None, list[Finding]]:
    """The reader for ``fmt``; (None, [no-reader finding]) when there is none."""
    kind = fmt.format
    try:
        if kind == "PDF":
            return _pdf(stream, path, settings, ctx), []
        if kind in IMAGE_FORMATS:
            return images.analyse_image(stream, path, kind), []
        if kind == "OFD":
            limits = ofd.ZipLimits(settings.zip_max_entries, settings.zip_max_member_mb << 20)
            return ofd.analyse_ofd(stream, path, limits), []
        reader = _SIMPLE_READERS.get(kind)
        if reader is not None:
            stream.seek(0)
            return reader(stream, path, kind), []
    except ConfigError:
        raise  # the run is misconfigured: nothing can be evaluated
    except Exception as exc:  # noqa: BLE001 — a reader tripping on hostile bytes is damage, not a crash
        finding = Finding("CHK-MED-DAMAGED", path, found=kind, params={"reason": f"{type(exc).__name__}: {exc}"[:300]})
        return ContentReport("casearchive", fatal=(finding,)), []
    return None, _no_reader(path, fmt)


def _no_reader(path: str, fmt: FormatInfo) -> list[Finding]:
    return [Finding("CHK-CNT-NO-READER", path, found=fmt.label)]


def _pdf(stream: IO[bytes], path: str, settings: ContentSettings, ctx: CheckContext) -> ContentReport:
    report = pdf.analyse_pdf(stream, path, max_objects=settings.pdf_max_objects,
                             refuse_uri=settings.uri_actions == "refuse")
    if report.fatal and not report.pages or not pdf_signatures.signature_bytes_present(stream):
        return report
    roots = _roots(settings, ctx)
    signatures = pdf_signatures.validate_pdf_signatures(stream, path, roots, ctx.now)
    return dataclasses.replace(report, signatures=signatures)


def _roots(settings: ContentSettings, ctx: CheckContext) -> list[Any]:
    """Trust anchors for embedded PDF signatures: [checks] trusted_roots + services["pdf_trusted"]."""
    key = ("pdf-roots", "*")
    if key not in ctx.cache:
        certs, problems = pdf_signatures.load_roots(settings.trusted_roots)
        if problems:  # a configured root that cannot be read: the run cannot be evaluated
            raise ConfigError("[checks] trusted_roots: " + "; ".join(problems))
        ctx.cache[key] = certs + list(ctx.services.get("pdf_trusted", ()))
    return ctx.cache[key]  # type: ignore[no-any-return]


_SIMPLE_READERS = {
    "WAV": lambda s, p, k: media.analyse_wav(s, p),
    "MP3": lambda s, p, k: media.analyse_mp3(s, p),
    "MP4": media.analyse_bmff,
    "MOV": media.analyse_bmff,
    "XML": lambda s, p, k: media.analyse_xml(s, p),
    "TEXT": lambda s, p, k: media.analyse_text(s, p),
    **{kind: (lambda s, p, k: media.analyse_zip(s, p)) for kind in ZIP_FORMATS},
}
