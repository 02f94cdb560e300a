"""casearchive command line: parse arguments, call one library function, render, exit.

Exit codes (docs/cli.md): 0 all good · 1 findings (something refused or failed)
· 2 usage · 3 environment or configuration.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, NoReturn

import click
from rich.console import Console
from rich.table import Table

from archive.config import ConfigError, find_root
from findings import Lang, resolve_lang
from findings.i18n import add_texts, tr
from findings.report import render_findings

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_ENV = 0, 1, 2, 3

add_texts({
    "init.done": ("Archive created at {root}", "已在 {root} 创建档案库"),
    "ingest.archived": ("archived", "已归档"),
    "ingest.duplicate": ("duplicate", "重复推送"),
    "ingest.refused": ("refused", "拒收"),
    "ingest.summary": ("{archived} archived, {duplicate} duplicate, {refused} refused",
                       "归档 {archived} 件，重复 {duplicate} 件，拒收 {refused} 件"),
    "validate.ok": ("valid", "合格"),
    "validate.bad": ("invalid", "不合格"),
    "verify.ok": ("intact", "完好"),
    "verify.bad": ("DAMAGED", "已损坏"),
    "verify.unconfirmed": ("UNCONFIRMED", "无法确认"),
    "verify.summary": ("{ok} of {total} copies intact ({files} files, {bytes} bytes checked, {algs})",
                       "{total} 个副本中 {ok} 个完好（校验文件 {files} 个，{bytes} 字节，算法 {algs}）"),
    "log.ok": ("event log intact: {count} events", "事件日志完好：共 {count} 条事件"),
    "log.bad": ("event log TAMPERED: {count} events checked", "事件日志已被篡改：检查了 {count} 条事件"),
    "error.env": ("error: {message}", "错误：{message}"),
    "samples.done": ("{count} sample packages written to {outdir}", "已在 {outdir} 生成 {count} 个样例信息包"),
    "none": ("nothing found", "没有找到"),
})


class Ctx:
    """Options shared by every command."""

    def __init__(self, root: str | None, lang: str | None, debug: bool):
        self.root_option = root
        self.lang = resolve_lang(lang)
        self.debug = debug
        # Piped output (scripts, logs) gets wide tables instead of rich's 80-column default.
        self.console = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)

    @property
    def root(self) -> Path:
        return find_root(self.root_option)

    def open(self):  # type: ignore[no-untyped-def]
        from archive.archive import Archive

        return Archive.open(self.root)

    def t(self, key: str, **params: Any) -> str:
        return tr(key, self.lang, **params)

    def emit_json(self, data: Any) -> None:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _fail_env(ctx: Ctx, message: str) -> NoReturn:
    click.echo(ctx.t("error.env", message=message), err=True)
    sys.exit(EXIT_ENV)


def handled(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn library outcomes into exit codes in one place."""

    @click.pass_obj
    def wrapper(ctx: Ctx, *args: Any, **kwargs: Any) -> None:
        try:
            code = fn(ctx, *args, **kwargs)
        except ConfigError as exc:
            _fail_env(ctx, str(exc))
        except OSError as exc:
            if ctx.debug:
                raise
            _fail_env(ctx, f"{type(exc).__name__}: {exc}")
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 — a bug must still not print a traceback by default
            if ctx.debug:
                raise
            _fail_env(ctx, f"internal error ({type(exc).__name__}: {exc}); rerun with --debug for details")
        sys.exit(code)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")

# Libraries that log their own diagnostics (often with a traceback attached) about inputs we
# already judge and report as coded findings: a PDF signed by an unknown certificate, a damaged
# image.  Their words are noise at the terminal; --debug shows them in full.
QUIET_LIBRARIES = ("pyhanko", "pyhanko_certvalidator", "pypdf", "PIL", "fontTools", "asn1crypto", "xmlschema",
                   "py.warnings")


class OneLineFormatter(logging.Formatter):
    """Never a traceback at the terminal: an attached exception becomes one line (type: message)."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()} {record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text += f" ({type(exc).__name__}: {exc})"
        return " ".join(text.split("\n"))


def configure_logging(debug: bool) -> None:
    """Handlers live here only (the library just logs): one line per record on stderr, tracebacks with --debug."""
    logging.captureWarnings(True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s") if debug else OneLineFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.CRITICAL)
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if debug else logging.ERROR)



@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", envvar="CASEARCHIVE_ROOT", help="Archive root (default: $CASEARCHIVE_ROOT or .).")
@click.option("--lang", type=click.Choice(["zh-CN", "en"]), help="Language of messages (default: from locale).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(package_name="casearchive")
@click.pass_context
def main(cctx: click.Context, root: str | None, lang: str | None, debug: bool) -> None:
    """casearchive — archive for the electronic case files of Chinese courts (电子诉讼档案)."""
    configure_logging(debug)
    cctx.obj = Ctx(root, lang, debug)


# ---------------------------------------------------------------- init
@main.command()
@click.option("--name", default="电子诉讼档案库", show_default=True, help="Archive name.")
@click.option("--fonds", "fonds_number", default="J001", show_default=True, help="全宗号 of the court.")
@click.option("--organization", default="人民法院", show_default=True, help="Court (organisation) name.")
@click.option("--key", "key_pem", type=click.Path(exists=True, path_type=Path), help="Your PEM private key.")
@click.option("--cert", "cert_pem", type=click.Path(exists=True, path_type=Path), help="Your PEM certificate.")
@click.option("--pkcs12", type=click.Path(exists=True, path_type=Path), help="Your PKCS#12 key + certificate.")
@click.option("--catalogue-url", help="SQLAlchemy URL of the catalogue (default: embedded SQLite).")
@json_option
@handled
def init(ctx: Ctx, name: str, fonds_number: str, organization: str, key_pem: Path | None, cert_pem: Path | None,
         pkcs12: Path | None, catalogue_url: str | None, as_json: bool) -> int:
    """Create an archive: config, catalogue, storage locations, signing key."""
    import os

    from archive.archive import InitOptions, init_archive
    from fixity.keys import passphrase_from_env

    if bool(key_pem) != bool(cert_pem):
        raise click.UsageError("--key and --cert go together")
    options = InitOptions(name=name, fonds_number=fonds_number, organization=organization, key_pem=key_pem,
                          cert_pem=cert_pem, pkcs12=pkcs12, passphrase=passphrase_from_env(os.environ),
                          catalogue_url=catalogue_url)
    archive = init_archive(ctx.root, options, _now())
    if as_json:
        ctx.emit_json({"root": str(ctx.root), "locations": [str(l.root) for l in archive.locations],
                       "catalogue": archive.config.catalogue_url, "certificate": str(archive.config.signing.cert)})
    else:
        ctx.console.print(ctx.t("init.done", root=ctx.root))
    return EXIT_OK


# ---------------------------------------------------------------- sample-sip
@main.command("sample-sip")
@click.argument("outdir", type=click.Path(path_type=Path))
@click.option("--count", default=3, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--seed", default=1, show_default=True, type=int)
@json_option
@handled
def sample_sip(ctx: Ctx, outdir: Path, count: int, seed: int, as_json: bool) -> int:
    """Write COUNT realistic synthetic case-file SIPs (deterministic for a SEED)."""
    from samples import generate_sips

    paths = generate_sips(outdir, count=count, seed=seed)
    if as_json:
        ctx.emit_json([str(p) for p in paths])
    else:
        for p in paths:
            ctx.console.print(str(p))
        ctx.console.print(ctx.t("samples.done", count=len(paths), outdir=outdir))
    return EXIT_OK


# ---------------------------------------------------------------- validate
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--level", type=click.Choice(["bag", "sip"]), default="sip", show_default=True,
              help="bag: RFC 8493 only; sip: the full SIP contract.")
@json_option
@handled
def validate(ctx: Ctx, paths: tuple[Path, ...], level: str, as_json: bool) -> int:
    """Validate packages exactly as ingest would, storing nothing."""
    from ingest.validate import validate_paths

    results = validate_paths(list(paths), level=level, today=_now().date())
    if as_json:
        ctx.emit_json([r.to_dict() for r in results])
    else:
        for r in results:
            word = ctx.t("validate.ok" if r.ok else "validate.bad")
            ctx.console.print(f"{r.source}: {word}", markup=False)
            for line in render_findings(r.findings, ctx.lang):
                ctx.console.print(line, markup=False)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS


# ---------------------------------------------------------------- ingest
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@json_option
@handled
def ingest(ctx: Ctx, paths: tuple[Path, ...], as_json: bool) -> int:
    """Ingest packages (bag directories, .zip, .tar, .tar.gz) into the archive."""
    from archive.checking import settings_of
    from checks.items_security import scan_off_banner
    from ingest.pipeline import ingest_package, recover

    archive = ctx.open()
    banner = scan_off_banner(settings_of(archive).as_mapping(), ctx.lang is Lang.ZH)  # bad [checks]: exit 3 now
    if banner:
        click.echo(banner, err=True)
    recover(archive)
    outcomes = [ingest_package(archive, p, now=_now()) for p in paths]
    if as_json:
        ctx.emit_json([o.to_dict() for o in outcomes])
    else:
        _print_outcomes(ctx, outcomes)
    return EXIT_FINDINGS if any(o.status == "refused" for o in outcomes) else EXIT_OK


def _print_outcomes(ctx: Ctx, outcomes: list) -> None:  # type: ignore[type-arg]
    counts = {"archived": 0, "duplicate": 0, "refused": 0}
    for o in outcomes:
        counts[o.status] += 1
        head = f"{ctx.t('ingest.' + o.status)}: {o.source}"
        if o.archive_number:
            head += f"  {o.case_number} → {o.archive_number} (AIP {o.aip_id})"
        ctx.console.print(head, markup=False)
        if o.findings and o.status != "duplicate":
            for line in render_findings(o.findings, ctx.lang):
                ctx.console.print(line, markup=False)
        if o.report_dir:
            ctx.console.print(f"  → {o.report_dir}", markup=False)
    ctx.console.print(ctx.t("ingest.summary", **counts))


# ---------------------------------------------------------------- verify
@main.command()
@click.argument("aips", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Verify every AIP.")
@click.option("--algorithm", type=click.Choice(["sha256", "sm3", "all"]), default="sha256", show_default=True)
@click.option("--location", help="Only the copies in this storage location.")
@json_option
@handled
def verify(ctx: Ctx, aips: tuple[str, ...], all_: bool, algorithm: str, location: str | None, as_json: bool) -> int:
    """Recompute digests, check completeness and signatures of AIP copies."""
    from archive.audit import verify_aips

    if not aips and not all_:
        raise click.UsageError("name AIPs (id, 档号 or 案号) or use --all")
    archive = ctx.open()
    report = verify_aips(archive, list(aips) if not all_ else None, algorithm=algorithm, location=location,
                         now=_now())
    if as_json:
        ctx.emit_json(report.to_dict())
    else:
        for v in report.verdicts:
            word = ctx.t("verify.ok" if v.ok else "verify.unconfirmed" if v.status == "unconfirmed" else "verify.bad")
            ctx.console.print(f"{word}  {report.labels.get(v.aip_id, v.aip_id)}  [{v.location}]  {v.path}", markup=False)
            for line in render_findings([f for f in v.findings], ctx.lang) if v.findings else []:
                ctx.console.print(line, markup=False)
        for ident in report.unknown:
            ctx.console.print(f"? {ident}: {ctx.t('none')}", markup=False)
        ctx.console.print(ctx.t("verify.summary", ok=sum(v.ok for v in report.verdicts), total=len(report.verdicts),
                                files=report.files, bytes=report.bytes, algs="+".join(report.algorithms)))
    return EXIT_OK if report.ok else EXIT_FINDINGS


# ---------------------------------------------------------------- list / show
@main.command("list")
@click.option("--year", type=int)
@click.option("--department")
@click.option("--case-number")
@click.option("--limit", type=int)
@json_option
@handled
def list_(ctx: Ctx, year: int | None, department: str | None, case_number: str | None, limit: int | None,
          as_json: bool) -> int:
    """List AIPs in the catalogue (filter by year, department, case number)."""
    from archive import catalogue, db

    archive = ctx.open()
    with db.read_session(archive.engine) as s:
        records = catalogue.list_aips(s, year=year, department=department, case_number=case_number, limit=limit)
    if as_json:
        ctx.emit_json([r.summary() for r in records])
        return EXIT_OK
    zh = ctx.lang is Lang.ZH
    table = Table(*(["档号", "案号", "年度", "承办部门", "案由", "文件数", "状态"] if zh else
                    ["Archive number", "Case number", "Year", "Department", "Cause", "Files", "State"]))
    for r in records:
        table.add_row(r.archive_number, r.case_number, str(r.year), r.department, r.cause, str(r.payload_files), r.state)
    ctx.console.print(table)
    return EXIT_OK


@main.command()
@click.argument("aip")
@json_option
@handled
def show(ctx: Ctx, aip: str, as_json: bool) -> int:
    """Show one AIP: description, files, copies, events."""
    from archive import catalogue, db
    from archive.events import iter_events

    archive = ctx.open()
    with db.read_session(archive.engine) as s:
        record = catalogue.get_aip(s, aip)
        events = list(iter_events(s, aip_id=record.id)) if record else []
    if record is None:
        click.echo(f"{aip}: {ctx.t('none')}", err=True)
        return EXIT_FINDINGS
    data = {**{k: v for k, v in record.__dict__.items() if k not in ("files", "copies")},
            "files": [f.__dict__ for f in record.files], "copies": [c.__dict__ for c in record.copies],
            "events": [e.to_dict() for e in events]}
    if as_json:
        ctx.emit_json(data)
        return EXIT_OK
    for key, value in data.items():
        if key not in ("files", "copies", "events"):
            ctx.console.print(f"{key:20} {value}", markup=False)
    for c in record.copies:
        ctx.console.print(f"copy {c.location:10} {c.state:8} verified {c.last_verified_at}  {c.relpath}", markup=False)
    for f in record.files:
        ctx.console.print(f"{f.role:7} {f.size:>10}  {f.sha256[:16]}…  {f.path}", markup=False)
    for e in events:
        ctx.console.print(f"event #{e.seq} {e.at:%Y-%m-%d %H:%M:%S} {e.type} {e.outcome}", markup=False)
    return EXIT_OK


# ---------------------------------------------------------------- key
@main.group()
def key() -> None:
    """The archive's signing key and its trust anchors ([signing] trusted)."""


@key.command("rotate")
@json_option
@handled
def key_rotate(ctx: Ctx, as_json: bool) -> int:
    """New signing key and certificate; the old certificate stays trusted for what it signed."""
    from archive.trust import rotate_signing_key

    result = rotate_signing_key(ctx.open(), _now())
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        _print_dict(ctx, result.to_dict())
    return EXIT_OK


# ---------------------------------------------------------------- log
@main.group()
def log() -> None:
    """The tamper-evident event log."""


@log.command("verify")
@json_option
@handled
def log_verify(ctx: Ctx, as_json: bool) -> int:
    """Check the hash chain of every event and every signed checkpoint."""
    from archive.checkpoints import verify_log_full

    result = verify_log_full(ctx.open(), _now())
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        ctx.console.print(ctx.t("log.ok" if result.ok else "log.bad", count=result.events)
                          + f" ({result.checkpoints} checkpoints)")
        for line in render_findings(result.findings, ctx.lang) if result.findings else []:
            ctx.console.print(line, markup=False)
    return EXIT_OK if result.ok else EXIT_FINDINGS


@log.command("checkpoint")
@json_option
@handled
def log_checkpoint(ctx: Ctx, as_json: bool) -> int:
    """Write a signed checkpoint: Merkle roots over the log and over every AIP's tag manifest."""
    from archive.checkpoints import make_checkpoint

    cp = make_checkpoint(ctx.open(), _now())
    if as_json:
        ctx.emit_json(cp.to_dict())
    else:
        ctx.console.print(json.dumps(cp.to_dict(), ensure_ascii=False, indent=2, default=str), markup=False)
    return EXIT_OK


@log.command("show")
@click.option("--aip")
@click.option("--limit", type=int, default=50, show_default=True)
@json_option
@handled
def log_show(ctx: Ctx, aip: str | None, limit: int, as_json: bool) -> int:
    """Show the newest events."""
    from archive import db
    from archive.events import iter_events

    archive = ctx.open()
    with db.read_session(archive.engine) as s:
        events = [e.to_dict() for e in iter_events(s, aip_id=aip)][-limit:]
    if as_json:
        ctx.emit_json(events)
    else:
        for e in events:
            ctx.console.print(f"#{e['seq']} {e['at']} {e['type']} {e['outcome']} {e['aip_id'] or ''} "
                              f"{json.dumps(e['detail'], ensure_ascii=False)[:120]}", markup=False)
    return EXIT_OK


# ---------------------------------------------------------------- check / attest
@main.command()
@click.argument("aips", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Check every AIP.")
@click.option("--sip", "sip_path", type=click.Path(path_type=Path), help="Check a package before ingest.")
@click.option("--stage", type=click.Choice(["receive", "manage", "use", "store"]),
              help="Stage plan (default: receive for --sip, store otherwise).")
@click.option("--items", help="Only these items, e.g. 1-1,3-4.")
@click.option("--file", "files", multiple=True, help="use stage: the files handed out.")
@click.option("--location", help="Check the copy in this storage location (default: primary).")
@click.option("--from-archive", is_flag=True, help="Receive from another archive: YJ items instead of GD.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write the report to this file.")
@json_option
@handled
def check(ctx: Ctx, aips: tuple[str, ...], all_: bool, sip_path: Path | None, stage: str | None, items: str | None,
          files: tuple[str, ...], location: str | None, from_archive: bool, fmt: str, out: Path | None,
          as_json: bool) -> int:
    """Run the DA/T 70 four-property check plan of a stage; print or write the check register."""
    from checks.api import Status
    from checks.report import render

    chosen = [i.strip() for i in items.split(",")] if items else None
    fmt = "json" if as_json else fmt
    if sip_path is not None:
        try:
            report = _check_sip(ctx, sip_path, stage or "receive", chosen, from_archive)
        except ValueError as exc:
            click.echo(str(exc), err=True)
            return EXIT_FINDINGS
    else:
        if not aips and not all_:
            raise click.UsageError("name AIPs (id, 档号 or 案号), use --all, or --sip PATH")
        from archive.checking import CheckTargetError, run_checks

        try:
            report = run_checks(ctx.open(), None if all_ else list(aips), stage or "store", now=_now(), items=chosen,
                                files=files or None, location=location, from_archive=from_archive).batch
        except CheckTargetError as exc:
            click.echo(str(exc), err=True)
            return EXIT_FINDINGS
    text = render(report, fmt, ctx.lang)
    if out:
        out.write_text(text, encoding="utf-8")
        ctx.console.print(str(out), markup=False)
    else:
        click.echo(text, nl=False)
    return EXIT_FINDINGS if report.bottom_line is Status.FAILED else EXIT_OK


def _check_sip(ctx: Ctx, path: Path, stage: str, items: list[str] | None, from_archive: bool):  # type: ignore[no-untyped-def]
    from ingest.checking import checks_for_sip

    settings, services = None, None
    try:
        archive = ctx.open()
    except ConfigError:
        archive = None  # a case system may check a package with no archive at hand
    if archive is not None:
        from archive.checking import services_for

        settings, services = archive.config.section("checks"), services_for(archive, None)
    return checks_for_sip(path, stage, now=_now(), settings=settings, services=services, items=items,
                          from_archive=from_archive)


@main.command()
@click.argument("item")
@click.option("--aip", required=True, help="AIP id, 档号 or 案号.")
@click.option("--by", "by", required=True, help="Who attests (name, role).")
@click.option("--note", required=True, help="What was inspected and found.")
@click.option("--failed", is_flag=True, help="The inspection found a problem (不通过).")
@json_option
@handled
def attest(ctx: Ctx, item: str, aip: str, by: str, note: str, failed: bool, as_json: bool) -> int:
    """Record a person's attestation of a manual check item (e.g. 4-5 载体外观)."""
    from archive.checking import CheckTargetError, attest as do_attest

    try:
        outcome = do_attest(ctx.open(), item, aip, by, note, _now(), failed=failed)
    except (ValueError, CheckTargetError) as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        ctx.emit_json(outcome.to_dict())
    else:
        ctx.console.print(json.dumps(outcome.to_dict(), ensure_ascii=False), markup=False)
    return EXIT_OK


# ---------------------------------------------------------------- repair / catalog
@main.command()
@click.argument("aip")
@click.option("--location", help="Only repair the copy in this location.")
@click.option("--yes", is_flag=True, help="Really repair; without it only the plan is shown.")
@json_option
@handled
def repair(ctx: Ctx, aip: str, location: str | None, yes: bool, as_json: bool) -> int:
    """Rebuild damaged or missing copies of an AIP from a verified good copy (asks for --yes)."""
    from archive.repair import repair_aip

    report = repair_aip(ctx.open(), aip, now=_now(), confirm=yes, location=location)
    if as_json:
        ctx.emit_json(report.to_dict())
    else:
        _print_dict(ctx, report.to_dict(ctx.lang))
        if not yes and report.outcome == "planned":
            ctx.console.print("dry run: add --yes to repair" if ctx.lang is Lang.EN else "仅为计划：加 --yes 执行修复")
    # A plan means damage was found and is still there: scripts must see it.
    return EXIT_OK if report.outcome in ("intact", "repaired") else EXIT_FINDINGS


def _print_dict(ctx: Ctx, data: dict) -> None:  # type: ignore[type-arg]
    for key, value in data.items():
        if key == "findings":
            continue
        shown = value if isinstance(value, (str, int, float, type(None))) else json.dumps(value, ensure_ascii=False, default=str)
        ctx.console.print(f"{key:18} {shown}", markup=False)
    for f in data.get("findings", []):
        ctx.console.print(f"  [{f['severity']}] {f['code']}: {f.get('message_' + ctx.lang.value, '')}", markup=False)


@main.group()
def catalog() -> None:
    """The catalogue database."""


@catalog.command("rebuild")
@click.option("--apply", is_flag=True, help="Replace the catalogue with the rebuilt one (the old one is backed up).")
@json_option
@handled
def catalog_rebuild(ctx: Ctx, apply: bool, as_json: bool) -> int:
    """Rebuild the catalogue from the AIPs and the event log; report every difference."""
    from archive.rebuild import rebuild_catalogue

    report = rebuild_catalogue(ctx.open(), _now(), apply=apply)
    if as_json:
        ctx.emit_json(report.to_dict())
    else:
        _print_dict(ctx, report.to_dict(ctx.lang))
    return EXIT_OK if report.ok else EXIT_FINDINGS


# ---------------------------------------------------------------- audit / serve / storage
@main.group()
def audit() -> None:
    """Scheduled fixity audits (for cron users; `serve` runs them on a schedule)."""


@audit.command("run")
@click.option("--kind", type=click.Choice(["regular", "sample", "full"]), default="regular", show_default=True,
              help="regular: copies due in the cycle; sample: the quarterly >=5 % sample with the store-stage "
                   "check plan; full: everything with the store-stage plan.")
@click.option("--max-duration", type=float, help="Seconds; stop between copies when spent.")
@click.option("--max-bytes", type=int, help="Bytes to read at most (regular runs).")
@click.option("--partition", help="n/t: only the n-th of t deterministic parts (regular runs).")
@click.option("--force", is_flag=True, help="Verify copies even if they are not yet due.")
@json_option
@handled
def audit_run(ctx: Ctx, kind: str, max_duration: float | None, max_bytes: int | None, partition: str | None,
              force: bool, as_json: bool) -> int:
    """Verify the copies that are due (least recently verified first; failures always)."""
    from archive.audit_policy import parse_partition
    from archive.auditor import full_audit, run_audit, sample_audit
    from archive.checking import store_plan_hook

    archive = ctx.open()
    try:
        part = parse_partition(partition) if partition else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if kind == "regular":
        run = run_audit(archive, _now(), max_duration=max_duration, max_bytes=max_bytes, partition=part, force=force)
    else:
        runner = sample_audit if kind == "sample" else full_audit
        run = runner(archive, _now(), check_plan=store_plan_hook, max_duration=max_duration)
    if as_json:
        ctx.emit_json(run.to_dict())
    else:
        _print_dict(ctx, run.to_dict(ctx.lang))
    return EXIT_OK if run.ok else EXIT_FINDINGS


@audit.command("status")
@json_option
@handled
def audit_status_cmd(ctx: Ctx, as_json: bool) -> int:
    """What is due, overdue and failing; whether the sample, full check and restore test are due."""
    from archive.auditor import audit_status

    status = audit_status(ctx.open(), _now())
    if as_json:
        ctx.emit_json(status.to_dict())
    else:
        _print_dict(ctx, status.to_dict(ctx.lang))
    return EXIT_OK if status.failing == 0 else EXIT_FINDINGS


@main.command()
@click.option("--stop-after", type=float, help="Seconds, then stop (for tests and trials).")
@json_option
@handled
def serve(ctx: Ctx, stop_after: float | None, as_json: bool) -> int:
    """Run the scheduler: audits, samples, full checks, checkpoints, restore tests, daily alerts."""
    from archive.scheduler import serve as run_scheduler

    ctx.open().close()  # configuration and catalogue errors surface here, with exit 3
    result = run_scheduler(ctx.root, stop_after=stop_after)
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        _print_dict(ctx, result.to_dict())
    return EXIT_OK


@main.group()
def storage() -> None:
    """Storage locations."""


@storage.command("list")
@json_option
@handled
def storage_list_cmd(ctx: Ctx, as_json: bool) -> int:
    """The storage locations of the archive."""
    from archive.storage_admin import storage_list

    listing = storage_list(ctx.open())
    if as_json:
        ctx.emit_json(listing.to_dict())
    else:
        _print_dict(ctx, listing.to_dict())
    return EXIT_OK


@storage.command("status")
@json_option
@handled
def storage_status_cmd(ctx: Ctx, as_json: bool) -> int:
    """Per location: reachable, writable, free space, copies, verified within the cycle, failing."""
    from archive.storage_admin import check_storage

    status, _alert = check_storage(ctx.open(), _now())
    if as_json:
        ctx.emit_json(status.to_dict())
    else:
        _print_dict(ctx, status.to_dict(ctx.lang))
    return EXIT_OK if status.ok else EXIT_FINDINGS


@storage.command("add")
@click.argument("name")
@click.argument("path")
@click.option("--optional", is_flag=True, help="Copies here are not required for 'safely stored'.")
@json_option
@handled
def storage_add_cmd(ctx: Ctx, name: str, path: str, optional: bool, as_json: bool) -> int:
    """Add a storage location (casearchive.toml is updated); then run `storage replicate`."""
    from archive.storage_admin import storage_add

    try:
        result = storage_add(ctx.open(), name, path, _now(), required=not optional)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        _print_dict(ctx, result.to_dict())
    return EXIT_OK


@storage.command("replicate")
@json_option
@handled
def storage_replicate_cmd(ctx: Ctx, as_json: bool) -> int:
    """Make the missing copies of every AIP in every required location, from verified good copies."""
    from archive.storage_admin import replicate_missing

    result = replicate_missing(ctx.open(), _now())
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        _print_dict(ctx, result.to_dict())
    return EXIT_OK if getattr(result, "ok", True) else EXIT_FINDINGS


@main.command("restore-test")
@click.option("--sample", default=1, show_default=True, type=click.IntRange(1, 1000), help="AIPs per location.")
@click.option("--seed", help="Seed of the random choice (default: today's date).")
@json_option
@handled
def restore_test_cmd(ctx: Ctx, sample: int, seed: str | None, as_json: bool) -> int:
    """DA/T 70 BC-3-9: restore sample AIPs from every location to a scratch folder and verify them."""
    from archive.restore_test import restore_test

    result = restore_test(ctx.open(), _now(), sample=sample, seed=seed)
    if as_json:
        ctx.emit_json(result.to_dict())
    else:
        _print_dict(ctx, result.to_dict(ctx.lang))
    return EXIT_OK if result.ok else EXIT_FINDINGS


@main.group()
def alerts() -> None:
    """Alerts (command hook and/or webhook, [alerts] in casearchive.toml)."""


@alerts.command("summary")
@click.option("--send", is_flag=True, help="Also send it through the configured hooks.")
@json_option
@handled
def alerts_summary(ctx: Ctx, send: bool, as_json: bool) -> int:
    """The daily summary: failures, repairs, overdue audits, space."""
    from archive.alerts import daily_summary, send_alert

    archive = ctx.open()
    alert = daily_summary(archive, _now())
    delivery = send_alert(archive, alert) if send else None
    data = {"alert": alert.to_dict(), "delivery": delivery.to_dict() if delivery else None}
    if as_json:
        ctx.emit_json(data)
    else:
        ctx.console.print(json.dumps(data, ensure_ascii=False, indent=2, default=str), markup=False)
    return EXIT_OK


# ---------------------------------------------------------------- codes
CODE_MODULES = ("ingest.codes", "ingest.bag_codes", "ingest.unpack_codes", "metadata.codes",
                "fixity.sign_codes", "archive.codes", "checks.codes_pkg", "checks.codes_meta", "checks.codes_sec",
                "checks.codes_content", "archive.integrity_codes", "archive.audit_codes", "archive.store_codes",
                "checks.codes_scan")


def load_all_codes() -> list:  # type: ignore[type-arg]
    """Import every module that registers finding codes; return the registry."""
    import importlib

    from findings import all_codes

    for name in CODE_MODULES:
        importlib.import_module(name)
    return all_codes()


def codes_markdown() -> str:
    """docs/finding-codes.md, generated from the registry (tests keep it current)."""
    lines = ["# Finding codes", "",
             "Generated by `casearchive codes --markdown` from the registry; do not edit by hand.", "",
             "Severity: **error** refuses a package / fails a verification; **warning** is reported and "
             "accepted; **info** is informational.", "",
             "| code | severity | clause | message (en) | 说明 (zh-CN) |", "|---|---|---|---|---|"]
    for c in load_all_codes():
        cell = lambda text: text.replace("|", "\\|").replace("\n", " ")  # noqa: E731
        lines.append(f"| `{c.code}` | {c.severity.value} | {cell(c.clause)} | {cell(c.en)} | {cell(c.zh)} |")
    return "\n".join(lines) + "\n"


@main.command()
@click.option("--markdown", is_flag=True, help="The table of docs/finding-codes.md.")
@json_option
@handled
def codes(ctx: Ctx, markdown: bool, as_json: bool) -> int:
    """List every finding code with its severity, clause and messages."""
    registry = load_all_codes()
    if markdown:
        click.echo(codes_markdown(), nl=False)
    elif as_json:
        ctx.emit_json([{"code": c.code, "severity": c.severity.value, "clause": c.clause, "en": c.en, "zh-CN": c.zh,
                        "hint_en": c.hint_en, "hint_zh-CN": c.hint_zh} for c in registry])
    else:
        for c in registry:
            ctx.console.print(f"{c.code:32} {c.severity.value:8} {c.clause:28} {c.zh if ctx.lang is Lang.ZH else c.en}",
                              markup=False)
    return EXIT_OK


# ---------------------------------------------------------------- demo
@main.command()
@click.option("--count", default=5, show_default=True, type=click.IntRange(1, 500))
@click.option("--seed", default=2024, show_default=True, type=int)
@json_option
@handled
def demo(ctx: Ctx, count: int, seed: int, as_json: bool) -> int:
    """Build a demo archive: sample case files generated, ingested, verified, report printed."""
    from samples.demo import run_demo

    root = Path(ctx.root_option) if ctx.root_option else Path("demo-archive").resolve()
    result = run_demo(root, count=count, seed=seed, now=_now(), lang=ctx.lang,
                      echo=None if as_json else (lambda line: ctx.console.print(line, markup=False)))
    if as_json:
        ctx.emit_json(result.to_dict())
    return EXIT_OK if result.ok else EXIT_FINDINGS


if __name__ == "__main__":
    main()
