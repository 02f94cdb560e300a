"""Finding codes of the check engine (``CHK-ENGINE-``) and the package-level items (``CHK-PKG-``).

Clauses name the DA/T 70-2018 item a code serves (``DA/T 70 1-14``); the engine's
own codes cite clause 4.3.1 (检测策略) or Appendix A.
"""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _code(code: str, severity: Severity, clause: str, en: str, zh: str, hint_en: str = "", hint_zh: str = "") -> Code:
    return Code(code=code, severity=severity, clause=clause, en=en, zh=zh, hint_en=hint_en, hint_zh=hint_zh)


ENGINE_NOT_IMPLEMENTED = "CHK-ENGINE-NOT-IMPLEMENTED"
ENGINE_ERROR = "CHK-ENGINE-ERROR"
ENGINE_NO_RESULT = "CHK-ENGINE-NO-RESULT"
MANUAL_PENDING = "CHK-MANUAL-PENDING"
MANUAL_ATTESTED = "CHK-MANUAL-ATTESTED"
MANUAL_REFUSED = "CHK-MANUAL-ATTESTED-FAILED"

NO_METADATA = "CHK-PKG-NO-METADATA"
LINK_MISSING = "CHK-PKG-LINK-MISSING"
CATALOG_MISSING = "CHK-PKG-CATALOG-MISSING"
CATALOG_INVALID = "CHK-PKG-CATALOG-INVALID"
DESCRIPTION_INVALID = "CHK-PKG-DESCRIPTION-INVALID"
STRUCTURE_MISSING = "CHK-PKG-STRUCTURE-MISSING"
STRUCTURE_UNEXPECTED = "CHK-PKG-STRUCTURE-UNEXPECTED"
STRUCTURE_SPECIAL = "CHK-PKG-STRUCTURE-SPECIAL-FILE"
DIGEST_MISMATCH = "CHK-PKG-DIGEST-MISMATCH"
FILE_MISSING = "CHK-PKG-FILE-MISSING"
FILE_UNDECLARED = "CHK-PKG-FILE-UNDECLARED"
MANIFEST_UNREADABLE = "CHK-PKG-MANIFEST-UNREADABLE"
FILE_UNREADABLE = "CHK-PKG-FILE-UNREADABLE"
EEP_NOT_APPLICABLE = "CHK-PKG-EEP-NOT-APPLICABLE"
EEP_MISSING = "CHK-PKG-EEP-MISSING"
EEP_NO_SCHEMA = "CHK-PKG-EEP-NO-SCHEMA"
SIGNATURE_MISSING = "CHK-PKG-SIGNATURE-MISSING"
SIGNATURE_INVALID = "CHK-PKG-SIGNATURE-INVALID"
SIGNATURE_INDETERMINATE = "CHK-PKG-SIGNATURE-INDETERMINATE"
NO_TRUST = "CHK-PKG-NO-TRUST-ANCHORS"
COUNT_MISMATCH = "CHK-PKG-COUNT-MISMATCH"
BYTES_MISMATCH = "CHK-PKG-BYTES-MISMATCH"
OXUM_INVALID = "CHK-PKG-OXUM-INVALID"
EVENT_MISSING = "CHK-PKG-EVENT-MISSING"
EVENT_DIFFERS = "CHK-PKG-EVENT-DIFFERS"
PROCESS_INFO_MISSING = "CHK-PKG-PROCESS-INFO-MISSING"
RETENTION_SCHEDULE = "CHK-PKG-RETENTION-OUT-OF-SCHEDULE"
CASE_TYPE = "CHK-PKG-CASE-TYPE-NOT-ARCHIVABLE"
CASE_TYPE_UNKNOWN = "CHK-PKG-CASE-TYPE-UNKNOWN"
TAG_MISSING = "CHK-PKG-TAG-FILE-MISSING"
TAG_FIELD_MISSING = "CHK-PKG-TAG-FIELD-MISSING"
TAG_INVALID = "CHK-PKG-TAG-FILE-INVALID"
TAG_DIFFERS = "CHK-PKG-TAG-VALUE-DIFFERS"
METADATA_UNREADABLE = "CHK-PKG-METADATA-UNREADABLE"
CATALOGUE_ROW_MISSING = "CHK-PKG-CATALOGUE-ROW-MISSING"
CATALOGUE_UNREACHABLE = "CHK-PKG-CATALOGUE-UNREACHABLE"
CATALOGUE_NO_SERVICE = "CHK-PKG-CATALOGUE-NO-SERVICE"

_ENGINE = [
    _code(ENGINE_NOT_IMPLEMENTED, _W, "DA/T 70 Appendix A",
          "Check item {item} has no implementation in this installation ({function})",
          "检测项目 {item} 在本系统中尚未实现（{function}）",
          "Install the module that implements the item, or remove the item from the plan.",
          "安装实现该检测项目的模块，或将其从检测方案中移除。"),
    _code(ENGINE_ERROR, _W, "DA/T 70 4.3.1",
          "Check item {item} could not be evaluated on {location}: {reason}",
          "检测项目 {item} 无法对 {location} 完成检测：{reason}",
          "The result is indeterminate; report the error to the system administrator.",
          "检测结果为无法判定；请将错误报告给系统管理员。"),
    _code(ENGINE_NO_RESULT, _W, "DA/T 70 4.3.1",
          "Check item {item} returned no result for {location}",
          "检测项目 {item} 未对 {location} 给出任何结果",
          "An item that checks nothing cannot pass; report it to the system administrator.",
          "未检测任何内容的项目不能判定为通过；请报告系统管理员。"),
    _code(MANUAL_PENDING, _I, "DA/T 70 Appendix A",
          "Check item {item} needs a person's attestation",
          "检测项目 {item} 需要人工检测并确认",
          "Inspect, then record the result with: casearchive attest {item} --aip … --by … --note …",
          "人工检测后用 casearchive attest {item} --aip … --by … --note … 登记结果。"),
    _code(MANUAL_ATTESTED, _I, "DA/T 70 Appendix A",
          "Check item {item} attested by {by} on {at}: {note}",
          "检测项目 {item} 已由 {by} 于 {at} 人工确认：{note}"),
    _code(MANUAL_REFUSED, _E, "DA/T 70 Appendix A",
          "Check item {item} attested as FAILED by {by} on {at}: {note}",
          "检测项目 {item} 经 {by} 于 {at} 人工检测为不通过：{note}",
          "Remedy the defect, then attest the item again.", "整改后重新进行人工检测并登记。"),
]

_LINKS = [
    _code(NO_METADATA, _W, "DA/T 70 1-11",
          "{location}: the case metadata could not be read, so the item cannot be evaluated",
          "{location}：无法读取案卷元数据，本项无法判定",
          "Fix the metadata file first (see items 1-12 and 3-1).", "请先修正元数据文件（见检测项目 1-12、3-1）。"),
    _code(LINK_MISSING, _E, "DA/T 70 1-11",
          "{location}: the metadata records document {sequence} at this path but no file is there",
          "{location}：元数据记录第 {sequence} 件文件存放于此路径，但该文件不存在",
          "Add the file or correct the path in casefile.xml.", "补充该文件或更正 casefile.xml 中的路径。"),
    _code(CATALOG_MISSING, _E, "DA/T 70 1-12",
          "{location}: the catalogue file (目录文件) is missing",
          "{location}：目录文件缺失",
          "Put the case metadata at data/metadata/casefile.xml.", "请将案卷元数据放在 data/metadata/casefile.xml。"),
    _code(CATALOG_INVALID, _E, "DA/T 70 1-12",
          "{location}: the catalogue file does not conform to schemas/casefile.xsd ({found})",
          "{location}：目录文件不符合 schemas/casefile.xsd（{found}）",
          "Correct casefile.xml; `casearchive validate` lists each fault.", "修正 casefile.xml；`casearchive validate` 可列出每处错误。"),
    _code(DESCRIPTION_INVALID, _E, "DA/T 70 1-12",
          "{location}: the description file (说明文件) is missing or unreadable ({found})",
          "{location}：说明文件缺失或无法读取（{found}）",
          "Write bag-info.txt as RFC 8493 §2.2.2 labels and values.", "按 RFC 8493 §2.2.2 编写 bag-info.txt。"),
    _code(STRUCTURE_MISSING, _E, "DA/T 70 1-13",
          "{location}: required {expected} missing from the package structure",
          "{location}：信息包结构缺少必需的{expected}",
          "Rebuild the package in the documented layout (docs/sip.md, docs/aip.md).", "按文档规定的结构（docs/sip.md、docs/aip.md）重新组织信息包。"),
    _code(STRUCTURE_UNEXPECTED, _E, "DA/T 70 1-13",
          "{location}: not part of the package structure ({found})",
          "{location}：不属于规定的信息包结构（{found}）",
          "Remove it or move it to its documented place.", "删除该项或移到规定的位置。"),
    _code(STRUCTURE_SPECIAL, _E, "DA/T 70 1-13",
          "{location}: a {found} has no place in a package",
          "{location}：信息包中不得含有{found}",
          "Replace links and special files by regular files.", "请以普通文件替换链接和特殊文件。"),
]

_CONSISTENCY = [
    _code(DIGEST_MISMATCH, _E, "DA/T 70 1-14",
          "{location}: {algorithm} digest {when} differs from the one {reference}",
          "{location}：{when_zh}的 {algorithm} 摘要与{reference_zh}的不一致",
          "The file changed after it was sent or stored: restore it from an intact copy.",
          "文件在发送或入库后被改变：请从完好的副本恢复。"),
    _code(FILE_MISSING, _E, "DA/T 70 1-14",
          "{location}: listed in {found} but absent from the package",
          "{location}：{found} 中有记录，但信息包中没有该文件",
          "Restore the file from an intact copy or from the sender.", "从完好副本或发送方处恢复该文件。"),
    _code(FILE_UNDECLARED, _E, "DA/T 70 1-14",
          "{location}: present in the package but not in {expected}",
          "{location}：信息包中存在该文件，但{expected}中没有记录",
          "Remove the file, or have the sender declare it in the manifest.", "删除该文件，或由发送方在清单中登记。"),
    _code(MANIFEST_UNREADABLE, _E, "DA/T 70 1-14",
          "{location}: the digest manifest is missing or unreadable ({found})",
          "{location}：摘要清单缺失或无法读取（{found}）",
          "The package cannot be compared with what was sent; ask the sender to resend.", "无法与发送时的信息包比对；请发送方重新发送。"),
    _code(FILE_UNREADABLE, _E, "DA/T 70 1-14",
          "{location}: cannot be read ({found})", "{location}：无法读取（{found}）",
          "Check the storage medium and restore the file from an intact copy.", "检查存储介质，并从完好副本恢复该文件。"),
]

_EEP_SIG = [
    _code(EEP_NOT_APPLICABLE, _I, "DA/T 70 1-15",
          "The AIP is a BagIt bag (RFC 8493, docs/aip.md), not a DA/T 48 encapsulation package",
          "本系统的保存信息包为 BagIt 包（RFC 8493，docs/aip.md），不是 DA/T 48 电子档案封装包",
          "Set [checks] eep = true only if your AIPs are DA/T 48 EEPs.", "仅当保存信息包为 DA/T 48 封装包时，才设置 [checks] eep = true。"),
    _code(EEP_MISSING, _E, "DA/T 70 1-15",
          "{location}: no DA/T 48 encapsulation package (root 电子文件封装包) found",
          "{location}：未找到 DA/T 48 电子档案封装包（根元素 电子文件封装包）",
          "Store the EEP in the package, or set [checks] eep = false.", "请在信息包中保存封装包，或设置 [checks] eep = false。"),
    _code(EEP_NO_SCHEMA, _W, "DA/T 70 1-15",
          "{location}: the DA/T 48 Appendix B schema is not installed, so the EEP cannot be validated",
          "{location}：未安装 DA/T 48 附录B 的 Schema，无法校验封装包",
          "Retype the schema from the official DA/T 48 text into schemas/.", "请依据 DA/T 48 正式文本录入 Schema 并放入 schemas/。"),
    _code(SIGNATURE_MISSING, _E, "DA/T 70 1-16",
          "{location}: the detached signature {expected} is missing",
          "{location}：缺少分离式签名 {expected}",
          "Restore the signature from an intact copy of the AIP.", "从完好的保存信息包副本恢复签名文件。"),
    _code(SIGNATURE_INVALID, _E, "DA/T 70 1-16",
          "{location}: the package signature is invalid ({found})",
          "{location}：信息包电子签名无效（{found}）",
          "The signed tag manifest or its signature was changed: restore both from an intact copy.",
          "签名的标签清单或签名被改动：请从完好副本恢复。"),
    _code(SIGNATURE_INDETERMINATE, _W, "DA/T 70 1-16",
          "{location}: the package signature cannot be confirmed ({found})",
          "{location}：无法确认信息包电子签名（{found}）",
          "Check the trust anchors ([signing] trusted) and the signer certificate.", "检查信任锚（[signing] trusted）和签名证书。"),
    _code(NO_TRUST, _W, "DA/T 70 1-16",
          "No trust anchors were given, so the package signature of {location} cannot be judged",
          "未提供信任锚，无法判定 {location} 的信息包签名",
          "Run the check through the archive (it passes [signing] trusted).", "请通过档案库运行检测（会传入 [signing] trusted）。"),
]

_TOTALS = [
    _code(COUNT_MISMATCH, _E, "DA/T 70 2-1",
          "{location}: {what}: registered {expected}, found {found}",
          "{location}：{what_zh}：登记 {expected}，实际 {found}",
          "Find the missing or extra files, or correct the register.", "查找缺失或多余的文件，或更正登记数据。"),
    _code(BYTES_MISMATCH, _E, "DA/T 70 2-2",
          "{location}: {what}: registered {expected} bytes, found {found}",
          "{location}：{what_zh}：登记 {expected} 字节，实际 {found} 字节",
          "A file was truncated, replaced or added: compare with an intact copy.", "有文件被截断、替换或增加：请与完好副本比对。"),
    _code(OXUM_INVALID, _E, "DA/T 70 2-11",
          "{location}: Payload-Oxum {found} is missing or not <bytes>.<files>",
          "{location}：Payload-Oxum {found} 缺失或不是 <字节数>.<文件数> 格式",
          "Declare Payload-Oxum in bag-info.txt (RFC 8493 §2.2.2).", "在 bag-info.txt 中声明 Payload-Oxum（RFC 8493 §2.2.2）。"),
]

_PROCESS = [
    _code(EVENT_MISSING, _E, "DA/T 70 2-5",
          "{location}: no {expected} event recorded for this package",
          "{location}：未记录本信息包的 {expected} 事件",
          "The processing history is incomplete: compare with the event log (casearchive log).",
          "过程信息不完整：请与事件日志（casearchive log）比对。"),
    _code(EVENT_DIFFERS, _E, "DA/T 70 2-5",
          "{location}: the {expected} event differs from the event log (hash {found})",
          "{location}：{expected} 事件与事件日志不一致（哈希 {found}）",
          "Either the AIP's copy or the log was changed: verify the log (casearchive log --verify).",
          "保存信息包中的记录或事件日志被改动：请校验事件日志（casearchive log --verify）。"),
    _code(PROCESS_INFO_MISSING, _E, "DA/T 70 2-5",
          "{location}: process information {expected} is missing",
          "{location}：缺少过程信息 {expected}",
          "Have the sender record it in the package.", "请发送方在信息包中著录。"),
    _code(RETENTION_SCHEDULE, _E, "DA/T 70 2-9",
          "{location}: retention period {found} is not in the court litigation schedule ({expected})",
          "{location}：保管期限 {found} 不在法院诉讼档案保管期限表内（{expected}）",
          "Use a period of 法〔2013〕283号 Art. 21 (永久, 定期60年, 定期20年).", "请使用法〔2013〕283号第21条规定的保管期限（永久、定期60年、定期20年）。"),
    _code(CASE_TYPE, _E, "DA/T 70 2-9",
          "{location}: case category {found} is outside the archiving scope ({expected})",
          "{location}：案件类别 {found} 不在归档范围内（{expected}）",
          "Check the archiving scope ([checks] archivable_categories).", "请核对归档范围（[checks] archivable_categories）。"),
    _code(CASE_TYPE_UNKNOWN, _W, "DA/T 70 2-9",
          "{location}: the case type of {found} is unknown, so the archiving scope cannot be judged",
          "{location}：无法识别 {found} 的案件类型，无法判定是否属于归档范围",
          "Check the case number (法〔2015〕137号).", "请核对案号（法〔2015〕137号）。"),
]

_TAGS = [
    _code(TAG_MISSING, _E, "DA/T 70 2-10",
          "{location}: required package metadata file is missing",
          "{location}：缺少必需的信息包元数据文件",
          "Restore the file from an intact copy of the AIP.", "从完好的保存信息包副本恢复该文件。"),
    _code(TAG_FIELD_MISSING, _E, "DA/T 70 2-10",
          "{location}: required element {expected} is missing or empty",
          "{location}：缺少必需的元数据项 {expected} 或其值为空",
          "Restore the file from an intact copy of the AIP.", "从完好的保存信息包副本恢复该文件。"),
    _code(TAG_INVALID, _E, "DA/T 70 2-10",
          "{location}: package metadata file cannot be read ({found})",
          "{location}：信息包元数据文件无法读取（{found}）",
          "Restore the file from an intact copy of the AIP.", "从完好的保存信息包副本恢复该文件。"),
    _code(TAG_DIFFERS, _E, "DA/T 70 2-10",
          "{location}: {field} is {found} but the archive recorded {expected}",
          "{location}：{field} 为 {found}，但档案库记录为 {expected}",
          "Compare the AIP with the catalogue; restore whichever is wrong.", "比对保存信息包与目录数据库，恢复出错的一方。"),
    _code(METADATA_UNREADABLE, _E, "DA/T 70 3-1",
          "{location}: the metadata cannot be read ({found})",
          "{location}：元数据无法读取（{found}）",
          "Correct or restore the metadata file.", "更正或恢复元数据文件。"),
    _code(CATALOGUE_ROW_MISSING, _E, "DA/T 70 3-2",
          "{location}: no catalogue record found for {expected}",
          "{location}：目录数据库中没有 {expected} 的记录",
          "Rebuild the catalogue from the store.", "从存储中重建目录数据库。"),
    _code(CATALOGUE_UNREACHABLE, _E, "DA/T 70 3-2",
          "The catalogue could not be read for {location}: {found}",
          "读取 {location} 的目录数据库记录失败：{found}",
          "Check the database connection ([catalogue] url).", "检查数据库连接（[catalogue] url）。"),
    _code(CATALOGUE_NO_SERVICE, _W, "DA/T 70 3-2",
          "No catalogue was given, so its accessibility for {location} cannot be judged",
          "未提供目录数据库，无法判定 {location} 的元数据可访问性",
          "Run the check through the archive.", "请通过档案库运行检测。"),
]

register(*_ENGINE, *_LINKS, *_CONSISTENCY, *_EEP_SIG, *_TOTALS, *_PROCESS, *_TAGS)
