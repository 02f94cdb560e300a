"""Finding codes of the metadata check items (prefix ``CHK-MD-``), registered at import.

Clause ids name the DA/T 70-2018 item each code implements (``DA/T 70 1-2`` …).
Templates may use ``{field}`` (the XPath of the element), ``{field_zh}`` and
``{field_en}`` (its labels from schemas/field-spec.json) besides the usual keys.
"""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W = Severity.ERROR, Severity.WARNING

LENGTH = "CHK-MD-LENGTH"
TYPE = "CHK-MD-TYPE"
FORMAT = "CHK-MD-FORMAT"
VOCABULARY = "CHK-MD-VOCABULARY"
RANGE = "CHK-MD-RANGE"
FUTURE = "CHK-MD-DATE-IN-FUTURE"
DATE_ORDER = "CHK-MD-DATE-ORDER"
AGGREGATE = "CHK-MD-AGGREGATE-MISMATCH"
SPECIAL_CHAR = "CHK-MD-SPECIAL-CHARACTER"
ARCHIVE_NUMBER_MISSING = "CHK-MD-ARCHIVE-NUMBER-MISSING"
ARCHIVE_NUMBER_RULE = "CHK-MD-ARCHIVE-NUMBER-RULE"
ARCHIVE_NUMBER_DIFFERS = "CHK-MD-ARCHIVE-NUMBER-DIFFERS"
DUPLICATE_IN_PACKAGE = "CHK-MD-DUPLICATE-IN-PACKAGE"
DUPLICATE_KEY = "CHK-MD-DUPLICATE-KEY"
DUPLICATE_IN_CATALOGUE = "CHK-MD-DUPLICATE-IN-CATALOGUE"
FONDS_MISSING = "CHK-MD-FONDS-MISSING"
FONDS_NOT_ALLOWED = "CHK-MD-FONDS-NOT-ALLOWED"
FONDS_MISMATCH = "CHK-MD-FONDS-MISMATCH"
CLASS_NOT_ALLOWED = "CHK-MD-CLASS-NOT-ALLOWED"
ATTR_NAME = "CHK-MD-ATTR-NAME"
ATTR_SIZE = "CHK-MD-ATTR-SIZE"
ATTR_FORMAT = "CHK-MD-ATTR-FORMAT"
ELEMENT_MISSING = "CHK-MD-ELEMENT-MISSING"
TOO_FEW = "CHK-MD-TOO-FEW-ITEMS"
MANDATORY_EMPTY = "CHK-MD-MANDATORY-EMPTY"
SEQUENCE_GAP = "CHK-MD-SEQUENCE-GAP"
SEQUENCE_DUPLICATE = "CHK-MD-SEQUENCE-DUPLICATE"
PAGE_GAP = "CHK-MD-PAGE-DISCONTINUOUS"
UNAVAILABLE = "CHK-MD-METADATA-UNAVAILABLE"

_FIX_SPEC = ("Correct the value in the case-file metadata (schemas/field-spec.json gives the rule).",
             "请按字段规范（schemas/field-spec.json）更正案卷元数据中的该值。")

_FIELD = [
    Code(LENGTH, _E, "DA/T 70 1-2",
         en="{location}: {field_en} ({field}) is {found} characters long, at most {expected} allowed",
         zh="{location}：{field_zh}（{field}）长度为 {found} 个字符，超过上限 {expected}", hint_en=_FIX_SPEC[0],
         hint_zh=_FIX_SPEC[1]),
    Code(TYPE, _E, "DA/T 70 1-3",
         en="{location}: {field_en} ({field}) should be of type {expected}, found {found}",
         zh="{location}：{field_zh}（{field}）的数据类型应为 {expected}，实为 {found}", hint_en=_FIX_SPEC[0],
         hint_zh=_FIX_SPEC[1]),
    Code(FORMAT, _E, "DA/T 70 1-3",
         en="{location}: {field_en} ({field}) does not have the format {expected}: {found!r}",
         zh="{location}：{field_zh}（{field}）不符合格式 {expected}：{found}", hint_en=_FIX_SPEC[0],
         hint_zh=_FIX_SPEC[1]),
    Code(VOCABULARY, _E, "DA/T 70 1-4",
         en="{location}: {field_en} ({field}) = {found!r} is not in the controlled vocabulary ({expected})",
         zh="{location}：{field_zh}（{field}）的值“{found}”不在值域内（{expected}）",
         hint_en="Use one of the listed values.", hint_zh="请使用值域中的取值。"),
    Code(RANGE, _E, "DA/T 70 1-5",
         en="{location}: {field_en} ({field}) = {found} lies outside the plausible range {expected}",
         zh="{location}：{field_zh}（{field}）的值 {found} 超出合理范围 {expected}", hint_en=_FIX_SPEC[0],
         hint_zh=_FIX_SPEC[1]),
    Code(FUTURE, _E, "DA/T 70 1-5",
         en="{location}: {field_en} ({field}) = {found} lies after the check date {expected}",
         zh="{location}：{field_zh}（{field}）为 {found}，晚于检测日期 {expected}",
         hint_en="A recorded date cannot be in the future; correct it.", hint_zh="著录日期不能晚于当前日期，请更正。"),
    Code(DATE_ORDER, _E, "DA/T 70 1-5",
         en="{location}: {field_en} ({field}) = {found} is earlier than {other_en} ({expected})",
         zh="{location}：{field_zh}（{field}）为 {found}，早于{other_zh}（{expected}）",
         hint_en="Check both dates; their order is fixed by the court procedure.",
         hint_zh="请核对两个日期，其先后顺序由诉讼程序决定。"),
    Code(AGGREGATE, _E, "DA/T 70 1-5",
         en="{location}: {field_en} ({field}) declares {found}, the documents give {expected}",
         zh="{location}：{field_zh}（{field}）著录为 {found}，按卷内文件计算应为 {expected}",
         hint_en="Recount and correct the declared total.", hint_zh="请重新统计并更正著录的总数。"),
    Code(SPECIAL_CHAR, _E, "DA/T 70 1-6",
         en="{location}: {field_en} ({field}) contains {char_name} (U+{codepoint}, {reason})",
         zh="{location}：{field_zh}（{field}）含特殊字符 {char}（U+{codepoint}，{reason_zh}）",
         hint_en="Replace the character with ordinary text or standard punctuation (GB/T 15834).",
         hint_zh="请改用常规文字或标准标点符号（GB/T 15834）。"),
]

_NUMBERS = [
    Code(ARCHIVE_NUMBER_MISSING, _E, "DA/T 70 1-7; GB/T 18894 8.6",
         en="{location}: the stored package has no archive number (档号)",
         zh="{location}：保存信息包缺少档号", hint_en="Assign the archive number (re-run ingest registration).",
         hint_zh="请为该信息包编制档号。"),
    Code(ARCHIVE_NUMBER_RULE, _E, "DA/T 70 1-7; DA/T 13-2022",
         en="{location}: archive number {found!r} does not follow the rule {expected}",
         zh="{location}：档号“{found}”不符合编制规则 {expected}",
         hint_en="Renumber per the archive's 档号 rule ([ingest] archive_number_template).",
         hint_zh="请按本馆档号编制规则重新编号（[ingest] archive_number_template）。"),
    Code(ARCHIVE_NUMBER_DIFFERS, _E, "DA/T 70 1-7",
         en="{location}: archive number in {source} is {found!r}, the catalogue records {expected!r}",
         zh="{location}：{source} 中的档号为“{found}”，目录记录为“{expected}”",
         hint_en="The package and the catalogue must carry the same archive number.",
         hint_zh="信息包与数据库中的档号必须一致。"),
    Code(DUPLICATE_IN_PACKAGE, _E, "DA/T 70 1-8",
         en="{location}: {field_en} value {found!r} occurs {count} times in the package ({where})",
         zh="{location}：{field_zh}“{found}”在信息包中重复 {count} 次（{where}）",
         hint_en="Each value of this field must be unique; correct the duplicates.",
         hint_zh="该字段的值应唯一，请更正重复项。"),
    Code(DUPLICATE_KEY, _W, "DA/T 70 1-8",
         en="{location}: documents {where} share the same {key_en}: {found!r}",
         zh="{location}：卷内文件 {where} 的{key_zh}相同：“{found}”",
         hint_en="Check whether a document was filed twice.", hint_zh="请检查是否重复归档了同一文件。"),
    Code(DUPLICATE_IN_CATALOGUE, _E, "DA/T 70 1-8",
         en="{location}: {field_en} {found!r} is already used by {others} in the catalogue",
         zh="{location}：{field_zh}“{found}”已被馆藏中的 {others} 使用",
         hint_en="A re-submission of an archived case? Otherwise correct the value.",
         hint_zh="是否为已归档案卷的重复提交？否则请更正该值。"),
    Code(FONDS_MISSING, _E, "DA/T 70 YJ-1-9",
         en="{location}: no fonds number (全宗号) is recorded",
         zh="{location}：未著录全宗号", hint_en="Record the fonds number the receiving archive assigned.",
         hint_zh="请著录接收档案馆分配的全宗号。"),
    Code(FONDS_NOT_ALLOWED, _E, "DA/T 70 YJ-1-9",
         en="{location}: {field_en} {found!r} does not follow the receiving archive's rule ({expected})",
         zh="{location}：{field_zh}“{found}”不符合接收档案馆的要求（{expected}）",
         hint_en="Use the codes the receiving archive prescribes ([checks] fonds_numbers, fonds_pattern, class_codes).",
         hint_zh="请使用接收档案馆规定的代码（[checks] fonds_numbers、fonds_pattern、class_codes）。"),
    Code(FONDS_MISMATCH, _E, "DA/T 70 YJ-1-9",
         en="{location}: the archive number's fonds part is {found!r}, the fonds number is {expected!r}",
         zh="{location}：档号中的全宗号为“{found}”，著录的全宗号为“{expected}”",
         hint_en="The archive number must begin with the package's fonds number.",
         hint_zh="档号中的全宗号必须与著录的全宗号一致。"),
    Code(CLASS_NOT_ALLOWED, _E, "DA/T 70 YJ-1-9",
         en="{location}: class code {found!r} in the archive number is not one of {expected}",
         zh="{location}：档号中的分类号“{found}”不在规定范围 {expected} 内",
         hint_en="Use a class code the receiving archive prescribes.", hint_zh="请使用接收档案馆规定的分类号。"),
]

_ATTRS = [
    Code(ATTR_NAME, _E, "DA/T 70 1-10",
         en="{location}: document {sequence} records the file name {expected!r}, the package holds {found}",
         zh="{location}：第 {sequence} 号文件著录的文件名为“{expected}”，信息包中为 {found}",
         hint_en="Rename the file or correct the recorded path (names are case-sensitive).",
         hint_zh="请更正文件名或著录的路径（文件名区分大小写）。"),
    Code(ATTR_SIZE, _E, "DA/T 70 1-10",
         en="{location}: document {sequence} records {expected} bytes, the file has {found}",
         zh="{location}：第 {sequence} 号文件著录大小为 {expected} 字节，实际为 {found} 字节",
         hint_en="The file was changed or the record is wrong; compare with the sender's copy.",
         hint_zh="文件已被改动或著录有误，请与移交方核对。"),
    Code(ATTR_FORMAT, _E, "DA/T 70 1-10",
         en="{location}: document {sequence} records the format {expected}, its content is {found}",
         zh="{location}：第 {sequence} 号文件著录格式为 {expected}，按内容识别为 {found}",
         hint_en="Correct the recorded format or replace the file.", hint_zh="请更正著录的格式或替换文件。"),
]

_COMPLETE = [
    Code(ELEMENT_MISSING, _E, "DA/T 70 2-3",
         en="{location}: the element {field} ({field_en}) is missing",
         zh="{location}：缺少元数据项 {field}（{field_zh}）",
         hint_en="Add the element; the metadata scheme requires it.", hint_zh="请补充该元数据项，元数据方案要求必须有该项。"),
    Code(TOO_FEW, _E, "DA/T 70 2-3",
         en="{location}: {field_en} ({field}) has {found} entries, at least {expected} required",
         zh="{location}：{field_zh}（{field}）有 {found} 项，至少应有 {expected} 项",
         hint_en="Add the missing entries.", hint_zh="请补充缺少的条目。"),
    Code(MANDATORY_EMPTY, _E, "DA/T 70 2-4",
         en="{location}: the mandatory field {field_en} ({field}) is empty",
         zh="{location}：必填著录项目 {field_zh}（{field}）为空",
         hint_en="Fill in the field.", hint_zh="请填写该著录项目。"),
    Code(SEQUENCE_GAP, _E, "DA/T 70 2-6; DA/T 22",
         en="{location}: {field_en} should continue with {expected}, found {found}",
         zh="{location}：{field_zh}应接续为 {expected}，实为 {found}",
         hint_en="Renumber without gaps from the start number.", hint_zh="请从起始号起连续编号，不得缺号。"),
    Code(SEQUENCE_DUPLICATE, _E, "DA/T 70 2-6",
         en="{location}: {field_en} {found} is used {count} times",
         zh="{location}：{field_zh} {found} 重复使用 {count} 次",
         hint_en="Give each document its own number.", hint_zh="每份文件应有唯一的编号。"),
    Code(PAGE_GAP, _E, "DA/T 70 2-6; 立卷规范 Art. 20",
         en="{location}: document {sequence} ({volume}) should start on page {expected}, starts on {found}",
         zh="{location}：第 {sequence} 号文件（{volume}）起始页号应为 {expected}，实为 {found}",
         hint_en="Page numbers run on within 正卷 and within 副卷 from 1; correct the start pages.",
         hint_zh="正卷、副卷页号应各自从 1 起连续编排，请更正起始页号。"),
    Code(UNAVAILABLE, _W, "DA/T 70 3-1",
         en="{location}: the case-file metadata could not be read, so item {item} cannot be evaluated",
         zh="{location}：案卷元数据无法读取，无法检测 {item} 项",
         hint_en="Fix the metadata file first (item 3-1).", hint_zh="请先修复元数据文件（3-1 项）。"),
]

register(*_FIELD, *_NUMBERS, *_ATTRS, *_COMPLETE)
