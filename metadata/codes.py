"""Finding codes of the metadata package (prefix ``MD-``), registered at import.

Three families: reading the XML safely (``MD-XML-*``), the schema
(``MD-XSD-*``) and the semantic rules on the case file (the rest).  Clause
ids name DA/T 70-2018 check items (``DA/T 70 1-5``) or the court rule.
"""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W = Severity.ERROR, Severity.WARNING

XML_TOO_LARGE = "MD-XML-TOO-LARGE"
XML_NOT_UTF8 = "MD-XML-NOT-UTF8"
XML_DOCTYPE = "MD-XML-DOCTYPE"
XML_MALFORMED = "MD-XML-MALFORMED"
XML_UNMAPPABLE = "MD-XML-UNMAPPABLE"
XSD_LENGTH = "MD-XSD-LENGTH"
XSD_TYPE = "MD-XSD-TYPE"
XSD_VALUE = "MD-XSD-VALUE"
XSD_STRUCTURE = "MD-XSD-STRUCTURE"
XSD_DUPLICATE = "MD-XSD-DUPLICATE"
XSD_INVALID = "MD-XSD-INVALID"
XSD_TRUNCATED = "MD-XSD-TRUNCATED"
XSD_UNEVALUABLE = "MD-XSD-UNEVALUABLE"

CASE_NUMBER_INVALID = "MD-CASE-NUMBER-INVALID"
CASE_NUMBER_ASCII_PARENS = "MD-CASE-NUMBER-ASCII-PARENS"
CASE_NUMBER_UNKNOWN_TYPE = "MD-CASE-NUMBER-UNKNOWN-TYPE"
CASE_NUMBER_YEAR = "MD-CASE-NUMBER-YEAR-AFTER-FILING"
ARCHIVE_NUMBER_INVALID = "MD-ARCHIVE-NUMBER-INVALID"

CLOSING_BEFORE_FILING = "MD-DATE-CLOSING-BEFORE-FILING"
ARCHIVING_BEFORE_CLOSING = "MD-DATE-ARCHIVING-BEFORE-CLOSING"
DATE_IN_FUTURE = "MD-DATE-IN-FUTURE"
DOCUMENT_COUNT = "MD-DOCUMENT-COUNT-MISMATCH"
PAGE_COUNT = "MD-PAGE-COUNT-MISMATCH"
SEQUENCE_GAP = "MD-SEQUENCE-GAP"
SEQUENCE_DUPLICATE = "MD-SEQUENCE-DUPLICATE"
START_PAGE = "MD-START-PAGE-DISCONTINUOUS"
PAPER_LOCATION = "MD-PAPER-LOCATION-MISSING"
VOLUMES_MISSING = "MD-VOLUME-COUNT-ZERO"
PATH_DUPLICATE = "MD-DOCUMENT-PATH-DUPLICATE"
FILE_MISSING = "MD-DOCUMENT-FILE-MISSING"
SIZE_MISMATCH = "MD-DOCUMENT-SIZE-MISMATCH"
FILE_UNREFERENCED = "MD-PAYLOAD-FILE-UNREFERENCED"
DOCUMENT_IS_METADATA = "MD-DOCUMENT-IS-METADATA"
DIGEST_LENGTH = "MD-DIGEST-LENGTH"

_XML = [
    Code(XML_TOO_LARGE, _E, "DA/T 70 3-1",
         en="{location}: the metadata file is {found} bytes, more than the limit of {expected} bytes",
         zh="{location}：元数据文件大小为 {found} 字节，超过上限 {expected} 字节",
         hint_en="A case-file XML is small; check that the right file was packed.",
         hint_zh="案卷元数据 XML 通常很小，请检查是否打包了错误的文件。"),
    Code(XML_NOT_UTF8, _E, "XML 1.0 §4.3.3; DA/T 70 3-1",
         en="{location}: the metadata file is not UTF-8 ({reason})",
         zh="{location}：元数据文件不是 UTF-8 编码（{reason}）",
         hint_en="Write the XML in UTF-8 with <?xml version=\"1.0\" encoding=\"UTF-8\"?>.",
         hint_zh="请以 UTF-8 编码保存，并声明 <?xml version=\"1.0\" encoding=\"UTF-8\"?>。"),
    Code(XML_DOCTYPE, _E, "XML 1.0 §2.8, §4.2 (DTD refused by the SIP profile)",
         en="{location} line {line}: a DOCTYPE declaration is not allowed (found {found})",
         zh="{location} 第 {line} 行：不允许 DOCTYPE 声明（发现 {found}）",
         hint_en="Remove the DOCTYPE and any ENTITY declarations; the schema is casefile.xsd. "
                 "DTDs enable entity-expansion (XXE, billion laughs) attacks and are never processed.",
         hint_zh="请删除 DOCTYPE 及 ENTITY 声明，元数据以 casefile.xsd 校验。"
                 "DTD 可被用于实体扩展攻击（XXE、“十亿笑”），系统不予处理。"),
    Code(XML_MALFORMED, _E, "XML 1.0 §2.1; DA/T 70 3-1",
         en="{location} line {line}, column {column}: the XML is not well-formed: {reason}",
         zh="{location} 第 {line} 行第 {column} 列：XML 格式不正确：{reason}",
         hint_en="Fix the XML syntax at that position; generate the file with an XML library.",
         hint_zh="请修正该位置的 XML 语法，建议使用 XML 库生成该文件。"),
    Code(XML_UNMAPPABLE, _E, "DA/T 70 1-3",
         en="{location}: {field} cannot be read as a case-file value: {reason}",
         zh="{location}：{field}（{field_zh}）无法读取为案卷元数据值：{reason}",
         hint_en="Correct the value of {field}.", hint_zh="请更正 {field} 的值。"),
]

_XSD = [
    Code(XSD_LENGTH, _E, "DA/T 70 1-2",
         en="{location}: {field} has a length outside the schema limits: {reason}",
         zh="{location}：{field}（{field_zh}）的长度超出模式限定：{reason}",
         hint_en="Shorten the value to the length allowed by casefile.xsd.",
         hint_zh="请按 casefile.xsd 规定的长度缩短该值。"),
    Code(XSD_TYPE, _E, "DA/T 70 1-3",
         en="{location}: {field} has the wrong type or format: {reason}",
         zh="{location}：{field}（{field_zh}）的数据类型或格式不正确：{reason}",
         hint_en="Dates are YYYY-MM-DD, counts are ASCII digits, paths are relative with '/'.",
         hint_zh="日期格式为 YYYY-MM-DD，数量为半角数字，路径为以“/”分隔的相对路径。"),
    Code(XSD_VALUE, _E, "DA/T 70 1-4",
         en="{location}: {field} is not in its controlled vocabulary: {reason}",
         zh="{location}：{field}（{field_zh}）的值不在规定的值域内：{reason}",
         hint_en="Use one of the values enumerated in casefile.xsd.",
         hint_zh="请使用 casefile.xsd 中列举的取值。"),
    Code(XSD_STRUCTURE, _E, "DA/T 70 2-3",
         en="{location}: {field}: elements missing, unexpected or out of order: {reason}",
         zh="{location}：{field}（{field_zh}）：元素缺失、多余或顺序错误：{reason}",
         hint_en="Follow the element order and cardinality of casefile.xsd.",
         hint_zh="请按 casefile.xsd 规定的元素顺序和出现次数著录。"),
    Code(XSD_DUPLICATE, _E, "DA/T 70 1-8",
         en="{location}: {field} repeats a value that must be unique: {reason}",
         zh="{location}：{field}（{field_zh}）的值重复，应唯一：{reason}",
         hint_en="Sequence numbers and paths of documents are unique within a case file.",
         hint_zh="同一案卷内卷内文件的顺序号和电子文件路径应唯一。"),
    Code(XSD_INVALID, _E, "casefile.xsd (DA/T 70 1-3)",
         en="{location}: {field} is not valid against casefile.xsd: {reason}",
         zh="{location}：{field}（{field_zh}）不符合 casefile.xsd：{reason}",
         hint_en="Validate the XML against schemas/casefile.xsd before sending.",
         hint_zh="发送前请用 schemas/casefile.xsd 校验该 XML。"),
    Code(XSD_TRUNCATED, _W, "casefile.xsd",
         en="{location}: more schema errors than the {expected} reported; the rest are omitted",
         zh="{location}：模式校验错误超过已报告的 {expected} 条，其余从略",
         hint_en="Fix the reported errors and validate again.",
         hint_zh="请修正已报告的错误后重新校验。"),
    Code(XSD_UNEVALUABLE, _E, "DA/T 70 3-1",
         en="{location}: the schema validation could not be completed: {reason}",
         zh="{location}：无法完成模式校验：{reason}",
         hint_en="Simplify the XML (nesting, size) so that it can be validated.",
         hint_zh="请简化该 XML（嵌套层级、大小）以便校验。"),
]

_NUMBERS = [
    Code(CASE_NUMBER_INVALID, _E, "法〔2015〕137号 (法〔2018〕335号)",
         en="{location}: case number {found} does not follow （年度）法院代字类型代字编号号",
         zh="{location}：案号 {found} 不符合“（收案年度）法院代字类型代字案件编号号”",
         hint_en="Write it like （2023）京0105民初1234号.",
         hint_zh="请按“（2023）京0105民初1234号”的格式著录。"),
    Code(CASE_NUMBER_ASCII_PARENS, _W, "法〔2015〕137号 (法〔2018〕335号)",
         en="{location}: case number {found} uses ASCII parentheses instead of （）",
         zh="{location}：案号 {found} 使用了半角括号，应为全角“（）”",
         hint_en="Use full-width parentheses: {expected}.", hint_zh="请使用全角括号：{expected}。"),
    Code(CASE_NUMBER_UNKNOWN_TYPE, _W, "法〔2015〕137号 附件《案件类型及其代字标准》",
         en="{location}: case number {found}: case type code {type_code} is not in the known table",
         zh="{location}：案号 {found} 中的类型代字“{type_code}”不在已知代字表中",
         hint_en="Check the type code against 法〔2015〕137号 as amended.",
         hint_zh="请对照法〔2015〕137号（及其修订）核对类型代字。"),
    Code(CASE_NUMBER_YEAR, _E, "DA/T 70 1-5",
         en="{location}: the year {found} of the case number is after the filing year {expected}",
         zh="{location}：案号收案年度 {found} 晚于立案年度 {expected}",
         hint_en="The 收案年度 in the case number cannot be later than 立案日期.",
         hint_zh="案号中的收案年度不能晚于立案日期所在年度。"),
    Code(ARCHIVE_NUMBER_INVALID, _E, "DA/T 70 1-7; DA/T 13-2022",
         en="{location}: archive number {found} does not follow the rule {expected}",
         zh="{location}：档号 {found} 不符合编制规则 {expected}",
         hint_en="Leave the archive number empty and let the archive assign it, or follow the rule.",
         hint_zh="档号可留空由档案系统赋予；如著录，须符合编制规则。"),
]

_DATES = [
    Code(CLOSING_BEFORE_FILING, _E, "DA/T 70 1-5",
         en="{location}: closingDate {found} is before filingDate {expected}",
         zh="{location}：结案日期 {found} 早于立案日期 {expected}",
         hint_en="Correct 结案日期 or 立案日期.", hint_zh="请更正结案日期或立案日期。"),
    Code(ARCHIVING_BEFORE_CLOSING, _E, "DA/T 70 1-5",
         en="{location}: archivingDate {found} is before closingDate {expected}",
         zh="{location}：归档日期 {found} 早于结案日期 {expected}",
         hint_en="A case file is archived after the case is closed.",
         hint_zh="案卷应在结案后归档。"),
    Code(DATE_IN_FUTURE, _E, "DA/T 70 1-5",
         en="{location}: {field} {found} is after today ({expected})",
         zh="{location}：{field_zh} {found} 晚于今天（{expected}）",
         hint_en="Dates cannot lie in the future; check the date and the sender's clock.",
         hint_zh="日期不能晚于当前日期，请核对日期及发送方系统时钟。"),
]

_COUNTS = [
    Code(DOCUMENT_COUNT, _E, "DA/T 70 2-1",
         en="{location}: documentCount declares {expected} documents, the list holds {found}",
         zh="{location}：著录卷内文件总件数为 {expected}，实际列出 {found} 件",
         hint_en="Make documentCount equal the number of <document> entries.",
         hint_zh="请使总件数与卷内文件条目数一致。"),
    Code(PAGE_COUNT, _E, "DA/T 70 2-1",
         en="{location}: pageCount declares {expected} pages, the documents add up to {found}",
         zh="{location}：著录总页数为 {expected}，卷内文件页数合计 {found}",
         hint_en="Make pageCount equal the sum of the documents' pageCount.",
         hint_zh="请使总页数等于各卷内文件页数之和。"),
    Code(SEQUENCE_GAP, _E, "DA/T 70 2-6",
         en="{location}: document sequence numbers are not continuous: expected {expected}, found {found}",
         zh="{location}：卷内文件顺序号不连续：应为 {expected}，实为 {found}",
         hint_en="Number the documents 1, 2, 3 … without gaps.",
         hint_zh="请从 1 开始连续编写顺序号。"),
    Code(SEQUENCE_DUPLICATE, _E, "DA/T 70 2-6; DA/T 70 1-8",
         en="{location}: document sequence number {found} is used more than once",
         zh="{location}：卷内文件顺序号 {found} 重复",
         hint_en="Give every document its own sequence number.",
         hint_zh="每件卷内文件应有唯一的顺序号。"),
    Code(START_PAGE, _E, "DA/T 70 2-6; 《人民法院诉讼文书材料立卷规范》",
         en="{location}: {volume} document {sequence}: startPage expected {expected}, found {found}",
         zh="{location}：{volume}第 {sequence} 号文件起始页号应为 {expected}，实为 {found}",
         hint_en="Pages run on within a volume: start = previous start + previous pageCount; the first is 1.",
         hint_zh="同一卷内页号连续：起始页号 = 上一件起始页号 + 上一件页数，第一件为 1。"),
    Code(VOLUMES_MISSING, _E, "DA/T 70 1-5",
         en="{location}: {field} is {found} but there are {volume} documents",
         zh="{location}：{field_zh}为 {found}，但存在{volume}文件",
         hint_en="Declare at least one volume of each kind that holds documents.",
         hint_zh="含有文件的卷别，其册数至少为 1。"),
]

_DOCS = [
    Code(PAPER_LOCATION, _E, "法〔2013〕283号 暂行办法 第2条; DA/T 70 2-4",
         en="{location}: document {sequence} is a scan of paper but has no paperLocation",
         zh="{location}：第 {sequence} 号文件为纸质原件扫描件，但未著录纸质原件存放位置",
         hint_en="Record where the paper original is kept.",
         hint_zh="请著录纸质原件的存放位置。"),
    Code(PATH_DUPLICATE, _E, "DA/T 70 1-8",
         en="{location}: path {found} is used by more than one document",
         zh="{location}：电子文件路径 {found} 被多件卷内文件使用",
         hint_en="Each document has its own file.", hint_zh="每件卷内文件应对应独立的电子文件。"),
    Code(FILE_MISSING, _E, "DA/T 70 1-11",
         en="{location}: file of document {sequence} is missing from the package",
         zh="{location}：第 {sequence} 号文件对应的电子文件在信息包中不存在",
         hint_en="Add the file or correct the path in the metadata.",
         hint_zh="请补充该文件或更正元数据中的路径。"),
    Code(SIZE_MISMATCH, _E, "DA/T 70 1-10",
         en="{location}: size declared {expected} bytes, file has {found} bytes",
         zh="{location}：著录文件大小为 {expected} 字节，实际为 {found} 字节",
         hint_en="Re-export the file or correct its declared size.",
         hint_zh="请重新导出该文件或更正著录的文件大小。"),
    Code(FILE_UNREFERENCED, _E, "DA/T 70 1-11; DA/T 70 2-11",
         en="{location}: the file is in the package but no document refers to it",
         zh="{location}：该文件在信息包中，但没有卷内文件条目引用它",
         hint_en="Describe the file as a document or remove it from data/documents/.",
         hint_zh="请为该文件著录卷内文件条目，或将其从 data/documents/ 中移除。"),
    Code(DOCUMENT_IS_METADATA, _E, "DA/T 70 1-11",
         en="{location}: document {sequence} points at the metadata file {found}",
         zh="{location}：第 {sequence} 号文件指向元数据文件 {found}",
         hint_en="The metadata XML is not a document of the case file.",
         hint_zh="元数据 XML 本身不是卷内文件。"),
    Code(DIGEST_LENGTH, _E, "DA/T 70 1-3",
         en="{location}: document {sequence}: a {algorithm} digest has {expected} hex digits, found {found}",
         zh="{location}：第 {sequence} 号文件的 {algorithm} 摘要应为 {expected} 位十六进制，实为 {found} 位",
         hint_en="Record the digest computed with the named algorithm.",
         hint_zh="请著录以所标明算法计算的摘要值。"),
]

register(*_XML, *_XSD, *_NUMBERS, *_DATES, *_COUNTS, *_DOCS)
