"""DA/T 70-2018 metadata items driven by the field specification (schemas/field-spec.json).

1-2 length, 1-3 type and format, 1-4 vocabulary, 1-5 plausibility, 1-6 special
characters, 1-7 archive number, 1-8 duplicates, 1-9 fonds codes (YJ), 1-10
electronic attributes, 2-3 elements present, 2-4 mandatory fields, 2-6 continuity.
Each function has the :data:`checks.api.CheckFunction` shape; it returns one
result per offending field (object = the field's XPath, or the file) and one
``passed`` result when nothing is wrong.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any, Callable, Iterable, Iterator

from checks import codes_meta as codes
from checks.api import CheckContext, CheckResult, PackageView, Status
from checks.fieldspec import (Continuity, FieldSpec, FieldSpecification, FieldValue, all_values, attribute,
                              field_values, items, policy_from_settings, special_characters)
from checks.metadata_common import (METADATA_PATH, effective_casefile, field_params, field_spec,
                                    on_field, results, unavailable)
from findings import Finding
from fixity.manifest import path_problem
from metadata.case_number import parse_case_number
from metadata.model import CaseFile

Evaluate = Callable[[CaseFile, FieldSpecification, PackageView, CheckContext], Iterable[Finding]]
CASE_NUMBER_FORMAT = "（收案年度）法院代字类型代字案件编号号"
_HEX = re.compile(r"[0-9a-fA-F]+")


def _run(item: str, view: PackageView, ctx: CheckContext, evaluate: Evaluate, checked: str) -> list[CheckResult]:
    cf = effective_casefile(view)
    if cf is None:
        return unavailable(item)
    spec = field_spec(ctx)
    return results(item, evaluate(cf, spec, view, ctx), checked=checked)


# ------------------------------------------------------------------ 1-2 length

def _lengths(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    for fv in all_values(cf, spec):
        limit = fv.spec.max_length
        if limit is not None and isinstance(fv.value, str) and len(fv.value) > limit:
            yield on_field(codes.LENGTH, fv, limit, len(fv.value))


def check_field_length(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-2 元数据项数据长度: every value within its field's max_length (characters)."""
    return _run("1-2", view, ctx, _lengths, "every field within its maximum length")


# ------------------------------------------------------------------ 1-3 type and format

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,), "enum": (str,), "case_number": (str,), "archive_number": (str,),
    "digest": (str,), "path": (str,), "int": (int,), "date": (date,)}
_TYPE_NAMES = {"text": "string", "enum": "string", "case_number": "string", "archive_number": "string",
               "digest": "hex string", "path": "relative path", "int": "integer", "date": "date (YYYY-MM-DD)"}


def _wrong_type(kind: str, value: Any) -> bool:
    if kind == "int" and isinstance(value, bool):
        return True
    if kind == "date" and isinstance(value, datetime):  # a datetime is not a calendar date
        return True
    return not isinstance(value, _PYTHON_TYPES[kind])


def _digest_problem(fv: FieldValue) -> str | None:
    if not _HEX.fullmatch(fv.value):
        return "hexadecimal digits"
    if fv.spec.length_by is not None:
        sibling, lengths = fv.spec.length_by
        want = lengths.get(str(attribute(fv.owner, sibling)))
        if want is not None and len(fv.value) != want:
            return f"{want} hexadecimal digits"
    return None


def _format_problem(fv: FieldValue) -> str | None:
    """The expected format when ``fv.value`` (of the right type) does not have it."""
    kind, value = fv.spec.type, fv.value
    if fv.spec.pattern is not None and not re.fullmatch(fv.spec.pattern, value):
        return fv.spec.pattern
    if kind == "case_number" and parse_case_number(value)[0] is None:
        return CASE_NUMBER_FORMAT
    if kind == "digest":
        return _digest_problem(fv)
    if kind == "path" and path_problem(value) is not None:
        return f"relative POSIX path ({path_problem(value)})"
    return None


def _types(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    for fv in all_values(cf, spec):
        if fv.value is None:
            continue  # absent: items 2-3 / 2-4
        if _wrong_type(fv.spec.type, fv.value):
            yield on_field(codes.TYPE, fv, _TYPE_NAMES[fv.spec.type], type(fv.value).__name__)
        elif isinstance(fv.value, str) and (problem := _format_problem(fv)) is not None:
            yield on_field(codes.FORMAT, fv, problem, fv.value)


def check_field_format(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-3 元数据项数据类型、格式: types (dates, numbers) and formats (patterns, 案号, digests)."""
    return _run("1-3", view, ctx, _types, "every field of its type and format")


# ------------------------------------------------------------------ 1-4 vocabulary

def _vocabularies(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    for fv in all_values(cf, spec):
        vocab = fv.spec.vocabulary
        if vocab is not None and fv.value is not None and not vocab.contains(fv.value):
            yield on_field(codes.VOCABULARY, fv, "、".join(vocab.values), fv.value)


def check_field_vocabulary(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-4 设定值域的元数据项值域符合度: values within their controlled vocabulary."""
    return _run("1-4", view, ctx, _vocabularies, "every controlled field within its vocabulary")


# ------------------------------------------------------------------ 1-5 plausibility

def _comparable(fv: FieldValue) -> bool:
    return fv.value is not None and not _wrong_type(fv.spec.type, fv.value) and fv.spec.type in ("int", "date")


def _ranges(fv: FieldValue, today: date) -> Iterator[Finding]:
    low, high = fv.spec.min, fv.spec.max
    if (low is not None and fv.value < low) or (high is not None and fv.value > high):
        bounds = f"[{low if low is not None else '…'}, {high if high is not None else '…'}]"
        yield on_field(codes.RANGE, fv, bounds, fv.value)
    if fv.spec.not_future and fv.spec.type == "date" and fv.value > today:
        yield on_field(codes.FUTURE, fv, today.isoformat(), fv.value.isoformat())


def _dates(cf: CaseFile, spec: FieldSpecification, name: str) -> list[FieldValue]:
    level, _, field = name.rpartition(".")
    values = field_values(cf, spec.field(level or "case", field))
    return [fv for fv in values if isinstance(fv.value, date) and not isinstance(fv.value, datetime)]


def _date_order(cf: CaseFile, spec: FieldSpecification) -> Iterator[Finding]:
    for rule in spec.rules.date_order:
        for later in _dates(cf, spec, rule.later):
            for earlier in _dates(cf, spec, rule.earlier):
                if later.value < earlier.value:
                    yield on_field(codes.DATE_ORDER, later, earlier.value.isoformat(), later.value.isoformat(),
                                   other_zh=earlier.spec.label_zh, other_en=f"{earlier.spec.label_en} {earlier.xpath}")


def _aggregate(cf: CaseFile, expression: str) -> int | None:
    op, _, target = expression.partition(":")
    list_name, _, field = target.partition(".")
    entries = items(getattr(cf, list_name, None))
    if op == "count":
        return len(entries)
    values = [attribute(e, field) for e in entries]
    if op == "sum" and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return sum(values)
    return None


def _aggregates(cf: CaseFile, spec: FieldSpecification) -> Iterator[Finding]:
    for rule in spec.rules.aggregates:
        for fv in field_values(cf, spec.field("case", rule.field)):
            want = _aggregate(cf, rule.equals)
            if want is not None and _comparable(fv) and fv.value != want:
                yield on_field(codes.AGGREGATE, fv, want, fv.value)


def _plausibility(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    today = ctx.now.date()
    for fv in all_values(cf, spec):
        if _comparable(fv):
            yield from _ranges(fv, today)
    yield from _date_order(cf, spec)
    yield from _aggregates(cf, spec)


def check_field_plausibility(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-5 元数据项数据值合理性: ranges, no future dates, date order, declared totals."""
    return _run("1-5", view, ctx, _plausibility, "values plausible, dates ordered, totals agree")


# ------------------------------------------------------------------ 1-6 special characters

def _specials(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    policy = policy_from_settings(spec.special, ctx.settings.get("special_characters"))
    for fv in all_values(cf, spec):
        if fv.spec.special_characters and isinstance(fv.value, str):
            for hit in special_characters(fv.value, policy):
                yield on_field(codes.SPECIAL_CHAR, fv, None, hit.char, **hit.params())


def check_special_characters(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-6 元数据项包含特殊字符: GB 18030 double-byte non-Hanzi symbols or the own list."""
    return _run("1-6", view, ctx, _specials, "no special characters in text fields")


# ------------------------------------------------------------------ 1-7 archive number

def _archive_rule(ctx: CheckContext) -> Any:
    from metadata.archive_number import ArchiveNumberRule  # the rule the archive numbers with

    rule = ctx.services.get("archive_number_rule")
    return rule if rule is not None else ArchiveNumberRule()


def _number_sources(view: PackageView) -> dict[str, str]:
    """Where a stored package carries its 档号: catalogue/description, bag-info, casefile.xml."""
    sources: dict[str, str] = {}
    recorded = (view.recorded or {}).get("archive_number")
    if isinstance(recorded, str):
        sources["catalogue"] = recorded
    if view.bag_info.get("Archive-Number"):
        sources["bag-info.txt"] = view.bag_info["Archive-Number"]
    if view.casefile is not None and view.casefile.archive_number is not None:
        sources[METADATA_PATH] = view.casefile.archive_number
    return sources


def _archive_number_findings(view: PackageView, rule: Any, spec: FieldSpec) -> Iterator[Finding]:
    sources = _number_sources(view)
    xpath = "/caseFile/archiveNumber"
    if not sources:
        yield Finding(codes.ARCHIVE_NUMBER_MISSING, METADATA_PATH, params=field_params(spec, xpath))
        return
    reference = next(iter(sources.values()))
    for source, value in sources.items():
        if value != reference:
            yield Finding(codes.ARCHIVE_NUMBER_DIFFERS, source, reference, value,
                          field_params(spec, xpath, source=source))
    for value in sorted(set(sources.values())):
        if not isinstance(value, str) or not rule.matches(value):
            yield Finding(codes.ARCHIVE_NUMBER_RULE, METADATA_PATH, rule.template, str(value),
                          field_params(spec, xpath))


def check_archive_number(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-7 档号规范性: the 档号 follows the archive's rule, the same in DB and package."""
    if view.casefile is None:
        return unavailable("1-7")
    if view.kind != "aip" and view.casefile.archive_number is None:
        return [CheckResult("1-7", Status.NOT_APPLICABLE, "/caseFile/archiveNumber",
                            remarks="no 档号 yet: the archive assigns it at ingest")]
    rule = _archive_rule(ctx)
    spec = field_spec(ctx).field("case", "archive_number")
    return results("1-7", _archive_number_findings(view, rule, spec),
                   checked=f"档号 follows {rule.template}", remarks=f"rule {rule.template}")


# ------------------------------------------------------------------ 1-8 duplicates

def _owner_label(fv: FieldValue) -> str:
    sequence = attribute(fv.owner, "sequence")
    return f"#{sequence}" if isinstance(sequence, int) else fv.xpath


def _package_duplicates(cf: CaseFile, spec: FieldSpecification) -> Iterator[Finding]:
    for field in spec.fields:
        if not field.unique_in_package or (field.level == "case" and not field.repeated):
            continue
        exempt = attribute(cf, field.unique_except_equal_to) if field.unique_except_equal_to else None
        groups: dict[Any, list[FieldValue]] = defaultdict(list)
        for fv in field_values(cf, field):
            if fv.value is not None and (exempt is None or fv.value != exempt):
                groups[str(fv.value)].append(fv)
        for value, fvs in groups.items():
            if len(fvs) > 1:
                where = ", ".join(_owner_label(fv) for fv in fvs)
                yield on_field(codes.DUPLICATE_IN_PACKAGE, fvs[1], None, value, count=len(fvs), where=where)


def _key_duplicates(cf: CaseFile, spec: FieldSpecification) -> Iterator[Finding]:
    for rule in spec.rules.duplicate_keys:
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        entries = items(cf.documents if rule.level == "document" else cf.parties)
        for index, entry in enumerate(entries, 1):
            groups[tuple(str(attribute(entry, f)) for f in rule.fields)].append(index)
        for key, indexes in groups.items():
            if len(indexes) > 1:
                xpath = f"/caseFile/documents/document[{indexes[1]}]"
                yield Finding(codes.DUPLICATE_KEY, METADATA_PATH, found=" / ".join(key), params={
                    "field": xpath, "where": ", ".join(f"[{i}]" for i in indexes),
                    "key_zh": rule.label_zh, "key_en": rule.label_en})


def _catalogue_fields(spec: FieldSpecification, ctx: CheckContext) -> list[FieldSpec]:
    chosen = ctx.settings.get("duplicate_fields")
    if chosen is None:
        return [f for f in spec.fields if f.unique_in_catalogue and f.level == "case"]
    return [f for f in spec.fields if f.level == "case" and f.name in set(chosen)]


def _catalogue_duplicates(cf: CaseFile, spec: FieldSpecification, view: PackageView,
                          ctx: CheckContext) -> tuple[list[Finding], str | None]:
    """Findings, or the reason the catalogue could not be asked."""
    lookup = ctx.services.get("catalogue_duplicates")
    if lookup is None:
        return [], "no catalogue_duplicates service"
    own = {view.identifier, str((view.recorded or {}).get("aip_id", ""))}
    out: list[Finding] = []
    for field in _catalogue_fields(spec, ctx):
        for fv in field_values(cf, field):
            if fv.value is None:
                continue
            try:
                others = [o for o in lookup(field.name, fv.value) if o not in own]
            except Exception as exc:  # the catalogue is another system: any failure means undecided
                return out, f"catalogue lookup failed: {exc}"
            if others:
                out.append(on_field(codes.DUPLICATE_IN_CATALOGUE, fv, None, fv.value, others=", ".join(others)))
    return out, None


def check_duplicates(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-8 元数据项数据重复性: within the package and across the whole catalogue."""
    cf = effective_casefile(view)
    if cf is None:
        return unavailable("1-8")
    spec = field_spec(ctx)
    found = [*_package_duplicates(cf, spec), *_key_duplicates(cf, spec)]
    catalogue, problem = _catalogue_duplicates(cf, spec, view, ctx)
    out = results("1-8", [*found, *catalogue], checked="no duplicate values")
    if problem is not None:
        out.append(CheckResult("1-8", Status.INDETERMINATE, "catalogue", remarks=problem))
    return out


# ------------------------------------------------------------------ 1-9 fonds codes (YJ)

_FONDS_KEYS = frozenset({"fonds_numbers", "fonds_pattern", "class_codes"})


def _fonds_rule(ctx: CheckContext) -> dict[str, Any]:
    from archive.config import ConfigError

    rule = ctx.settings.get("fonds_codes") or {}
    unknown = set(rule) - _FONDS_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s) in [checks] fonds_codes: {', '.join(sorted(unknown))}")
    return dict(rule)


def _fonds_findings(cf: CaseFile, spec: FieldSpecification, rule: dict[str, Any], ctx: CheckContext) -> Iterator[Finding]:
    fonds_spec = spec.field("case", "fonds_number")
    fv = next(field_values(cf, fonds_spec))
    if not isinstance(fv.value, str) or not fv.value:
        yield on_field(codes.FONDS_MISSING, fv)
        return
    allowed, pattern = rule.get("fonds_numbers"), rule.get("fonds_pattern")
    if allowed is not None and fv.value not in allowed:
        yield on_field(codes.FONDS_NOT_ALLOWED, fv, "、".join(allowed), fv.value)
    if pattern is not None and not re.fullmatch(pattern, fv.value):
        yield on_field(codes.FONDS_NOT_ALLOWED, fv, pattern, fv.value)
    yield from _archive_number_parts(cf, spec, rule, ctx, fv.value)


def _archive_number_parts(cf: CaseFile, spec: FieldSpecification, rule: dict[str, Any], ctx: CheckContext,
                          fonds: str) -> Iterator[Finding]:
    number_fv = next(field_values(cf, spec.field("case", "archive_number")))
    parts = _archive_rule(ctx).parse(number_fv.value) if isinstance(number_fv.value, str) else None
    if not parts:
        return  # absent or not parseable: item 1-7
    if parts.get("fonds") is not None and parts["fonds"] != fonds:
        yield on_field(codes.FONDS_MISMATCH, number_fv, fonds, parts["fonds"])
    classes = rule.get("class_codes")
    if classes is not None and parts.get("department") is not None and parts["department"] not in classes:
        yield on_field(codes.CLASS_NOT_ALLOWED, number_fv, "、".join(classes), parts["department"])


def check_fonds_codes(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 YJ-1-9: 全宗号 and the class code in the 档号 follow the receiving archive's rule."""
    cf = effective_casefile(view)
    if cf is None:
        return unavailable("1-9")
    rule = _fonds_rule(ctx)
    if not rule:
        return [CheckResult("1-9", Status.INDETERMINATE, "/caseFile/fondsNumber",
                            found=str(cf.fonds_number), remarks="no receiving-archive rule: set [checks] fonds_codes")]
    findings = list(_fonds_findings(cf, field_spec(ctx), rule, ctx))
    return results("1-9", findings, checked=f"全宗号 {cf.fonds_number} per the receiving archive's rule")


# ------------------------------------------------------------------ 1-10 electronic attributes

_FORMAT_ALIASES = {"JPG": "JPEG", "TIF": "TIFF"}


def _format_family(name: str) -> str:
    """PDF/A-2b → PDF/A, JPG → JPEG: the level at which recorded and identified formats compare."""
    upper = name.strip().upper()
    return "PDF/A" if upper.startswith("PDF/A") else _FORMAT_ALIASES.get(upper, upper)


def _formats_agree(recorded: str, identified: str) -> bool:
    rec, ide = _format_family(recorded), _format_family(identified)
    return rec == ide or (rec == "PDF" and ide == "PDF/A")  # a PDF/A file is a PDF


def _identified_format(view: PackageView, ctx: CheckContext, path: str) -> str | None:
    """The identification by content (checks.content), shared through ctx.cache; None when unavailable."""
    info = ctx.cache.get(("format", path))
    if info is None:
        try:
            from checks.content.formats import identify
        except ImportError:
            return None
        with view.open(path) as fh:
            info = identify(fh, path)
        ctx.cache[("format", path)] = info
    label = getattr(info, "label", None) or getattr(info, "format", None) or info
    return str(label) if label not in (None, "UNKNOWN") else "UNKNOWN"


def _document_attributes(view: PackageView, ctx: CheckContext, doc: Any, files: dict[str, Any]) -> CheckResult:
    path = f"data/{doc.path}"
    seq = {"sequence": getattr(doc, "sequence", "?")}
    actual = files.get(path)
    if actual is None:
        near = [p for p in files if p.casefold() == path.casefold()]
        found = near[0] if near else "no such file"
        finding = Finding(codes.ATTR_NAME, path, path, found, seq)
        return CheckResult("1-10", Status.FAILED, path, path, found, (finding,))
    findings = []
    if actual.size != doc.size:
        findings.append(Finding(codes.ATTR_SIZE, path, str(doc.size), str(actual.size), seq))
    try:
        identified = _identified_format(view, ctx, path)
    except OSError as exc:
        return CheckResult("1-10", Status.INDETERMINATE, path, remarks=f"cannot read: {exc}")
    if identified is not None and not _formats_agree(str(doc.format), identified):
        findings.append(Finding(codes.ATTR_FORMAT, path, str(doc.format), identified, seq))
    found = f"{actual.size} bytes, {identified or 'format not identified'}"
    if findings:
        return CheckResult("1-10", Status.FAILED, path, findings[0].expected, findings[0].found, tuple(findings))
    if identified is None:
        return CheckResult("1-10", Status.INDETERMINATE, path, found=found,
                           remarks="format identification (checks.content.formats) unavailable")
    return CheckResult("1-10", Status.PASSED, path, f"{doc.size} bytes, {doc.format}", found,
                       remarks="creation time is not recorded in casefile.xml")


def check_electronic_attributes(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 1-10 内容数据的电子属性一致性: actual name, size and format vs the recorded ones."""
    cf = view.casefile
    if cf is None:
        return unavailable("1-10")
    files = {f.path: f for f in view.files()}
    out = [_document_attributes(view, ctx, doc, files) for doc in items(cf.documents)]
    return out or [CheckResult("1-10", Status.NOT_APPLICABLE, "package", remarks="no documents recorded")]


# ------------------------------------------------------------------ 2-3, 2-4 completeness

def _elements(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    for rule in spec.rules.lists:
        count = len(items(getattr(cf, rule.name, None)))
        if count < rule.min_items:
            yield Finding(codes.TOO_FEW, METADATA_PATH, str(rule.min_items), str(count), {
                "field": f"/caseFile/{rule.element}", "field_zh": rule.label_zh, "field_en": rule.label_en})
    for fv in all_values(cf, spec):
        if fv.spec.element_required and fv.value is None:
            yield on_field(codes.ELEMENT_MISSING, fv)


def check_metadata_complete(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-3 元数据项完整性: every element the metadata scheme requires is there."""
    return _run("2-3", view, ctx, _elements, "every required element present")


def _is_mandatory(fv: FieldValue, kind: str) -> bool:
    spec = fv.spec
    if spec.mandatory == "always" or (spec.mandatory == "aip" and kind == "aip"):
        return True
    if spec.mandatory_when is not None:
        sibling, value = spec.mandatory_when
        return str(attribute(fv.owner, sibling)) == value
    return False


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _mandatory(cf: CaseFile, spec: FieldSpecification, view: PackageView, ctx: CheckContext) -> Iterator[Finding]:
    for fv in all_values(cf, spec):
        if _is_mandatory(fv, view.kind) and _blank(fv.value):
            yield on_field(codes.MANDATORY_EMPTY, fv)


def check_mandatory_fields(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-4 元数据必填著录项目: mandatory fields are filled in (AIP: also 档号, 全宗号, 归档日期)."""
    return _run("2-4", view, ctx, _mandatory, "every mandatory field filled in")


# ------------------------------------------------------------------ 2-6 continuity

def _numbers(cf: CaseFile, rule: Continuity) -> list[tuple[FieldValue, int, int | None, str]]:
    """(value, number, run length, group) of every entry the rule covers, in document order."""
    spec = FieldSpec(rule.field, rule.level, rule.field, rule.field, rule.field, "int")
    out = []
    for fv in field_values(cf, spec):
        length = attribute(fv.owner, rule.length) if rule.length else 1
        if _is_int(fv.value) and _is_int(length):
            out.append((fv, fv.value, length, str(attribute(fv.owner, rule.group_by)) if rule.group_by else ""))
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sequence_findings(entries: list[tuple[FieldValue, int, int | None, str]], rule: Continuity,
                       labels: FieldSpec) -> Iterator[Finding]:
    counts = Counter(number for _, number, _, _ in entries)
    by_number = {number: fv for fv, number, _, _ in entries}
    expected = rule.start
    for number in sorted(counts):
        fv = by_number[number]
        params = field_params(labels, fv.xpath)
        if number != expected:
            yield Finding(codes.SEQUENCE_GAP, METADATA_PATH, str(expected), str(number), params)
        if counts[number] > 1:
            yield Finding(codes.SEQUENCE_DUPLICATE, METADATA_PATH, None, str(number), {**params, "count": counts[number]})
        expected = number + 1


def _page_findings(cf: CaseFile, entries: list[tuple[FieldValue, int, int | None, str]],
                   rule: Continuity, labels: FieldSpec) -> Iterator[Finding]:
    order = sorted(entries, key=lambda e: (attribute(e[0].owner, "sequence") or 0))
    groups: dict[str, list[tuple[FieldValue, int, int | None, str]]] = defaultdict(list)
    for entry in order:
        groups[entry[3]].append(entry)
    for group, members in groups.items():
        volumes = attribute(cf, (rule.restarts_by_group or {}).get(group, "")) or 1
        expected, restarts = rule.start, 0
        for fv, number, length, _ in members:
            if number == rule.start and expected != rule.start and restarts < volumes - 1:
                restarts += 1  # a new 册 of a multi-册 volume starts again at page 1
            elif number != expected:
                yield Finding(codes.PAGE_GAP, METADATA_PATH, str(expected), str(number), field_params(
                    labels, fv.xpath, sequence=attribute(fv.owner, "sequence"), volume=group))
            expected = number + (length or 0)


def continuity_findings(cf: CaseFile, spec: FieldSpecification) -> Iterator[Finding]:
    for rule in spec.rules.continuity:
        labels = spec.field(rule.level, rule.field)
        entries = _numbers(cf, rule)
        if rule.length is None:
            yield from _sequence_findings(entries, rule, labels)
        else:
            yield from _page_findings(cf, entries, rule, labels)


def check_continuity(view: PackageView, ctx: CheckContext) -> list[CheckResult]:
    """DA/T 70 2-6 连续性元数据项: 顺序号 gap-free from 1, page numbers running on per volume."""
    return _run("2-6", view, ctx, lambda cf, spec, v, c: continuity_findings(cf, spec),
                "sequence numbers and pages continuous")
