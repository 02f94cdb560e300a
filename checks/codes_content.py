"""Finding codes of the content checks (DA/T 70 1-1, 2-7, 2-8, 3-3, 3-4, 3-5, 3-8).

Prefixes: CHK-FIX- (recomputed digests), CHK-SIG- (signatures), CHK-FMT- (format
identification and policy), CHK-PDF-, CHK-IMG-, CHK-OFD-, CHK-MED- (audio/video),
CHK-CNT- (reading a file at all).  ``INDETERMINATE`` lists the codes that mean
"could not decide" rather than "wrong": an item holding one of them (and no error)
is *indeterminate*, never *passed* (STYLE.md 4).
"""
from __future__ import annotations

from findings import Code, Severity, register

E, W = Severity.ERROR, Severity.WARNING
D11 = "DA/T 70-2018 6 1-1 固化信息有效性"
D27 = "DA/T 70-2018 6 2-7 内容数据完整性"
D28 = "DA/T 70-2018 6 2-8 附件数据完整性"
D33 = "DA/T 70-2018 6 3-3 内容数据格式检测; GB/T 18894-2016 8.3"
D34 = "DA/T 70-2018 6 3-4 内容数据可读性"
D35 = "DA/T 70-2018 6 3-5 内容数据格式长期可用性; GB/T 18894-2016 8.3"
D38 = "DA/T 70-2018 6 3-8 信息包内容数据格式合规性; DA/T 92-2022 8.1.3"
OFD = "GB/T 33190-2016 7"


def _c(code: str, sev: Severity, clause: str, en: str, zh: str, hint_en: str = "", hint_zh: str = "") -> Code:
    return Code(code=code, severity=sev, clause=clause, en=en, zh=zh, hint_en=hint_en, hint_zh=hint_zh)


_CODES = (
    # -- reading the file at all
    _c("CHK-CNT-READ-ERROR", E, D34, "{location} cannot be read from the package: {found}",
       "无法从信息包读取 {location}：{found}", "Check the storage copy and restore it from a replica.",
       "检查存储副本，必要时从其他副本恢复。"),
    _c("CHK-CNT-NO-READER", W, D34, "{location}: no reader for format {found}; content not opened",
       "{location}：无 {found} 格式的读取程序，未能打开内容", "Check this file by hand or convert it to an allowed format.",
       "请人工检查该文件，或转换为允许的格式。"),
    _c("CHK-CNT-NOT-INSPECTED", W, D38, "{location}: could not be opened completely, so {found} could not be checked",
       "{location}：文件未能完整打开，无法检查{found}", "Repair or replace the file (see item 3-4), then check again.",
       "修复或替换该文件（见 3-4 项）后重新检测。"),
    _c("CHK-CNT-PAGES-MISMATCH", E, D27, "{location}: {found} page(s) found, {expected} declared",
       "{location}：实际 {found} 页，著录 {expected} 页", "Correct the declared page count or supply the complete file.",
       "更正著录页数或提供完整文件。"),
    _c("CHK-CNT-TOO-LARGE", W, D34, "{location}: {found} bytes exceed the analysis limit {expected}; not opened",
       "{location}：{found} 字节超过分析上限 {expected}，未打开", "Raise [checks] content_max_mb or check by hand.",
       "调高 [checks] content_max_mb 或人工检查。"),
    # -- fixity (1-1)
    _c("CHK-FIX-DIGEST-MISMATCH", E, D11, "{location}: {algorithm} digest {found} differs from the recorded {expected} ({source})",
       "{location}：{algorithm} 摘要 {found} 与记录值 {expected}（{source}）不一致",
       "The file changed since its digest was recorded: restore it from a good copy.",
       "文件在记录摘要后被改变：请从完好副本恢复。"),
    _c("CHK-FIX-NO-DIGEST", W, D11, "{location}: no recorded digest to compare with",
       "{location}：没有可比对的摘要记录", "Record the file's digest at receipt (manifest, casefile.xml).",
       "在接收时记录文件摘要（清单文件、casefile.xml）。"),
    _c("CHK-FIX-ALGORITHM-UNAVAILABLE", W, D11, "{location}: digest algorithm {algorithm} is not available here",
       "{location}：本环境不支持摘要算法 {algorithm}", "Use a Python/OpenSSL build with this algorithm.",
       "请使用支持该算法的 Python/OpenSSL 环境。"),
    _c("CHK-FIX-TAGMANIFEST-MISMATCH", E, D11, "{location}: {algorithm} digest {found} differs from {expected} listed in the tag manifest",
       "{location}：{algorithm} 摘要 {found} 与标签清单中的 {expected} 不一致",
       "The payload manifest changed after signing: restore the AIP from a good copy.",
       "载荷清单在签名后被改变：请从完好副本恢复 AIP。"),
    # -- signatures (1-1)
    _c("CHK-SIG-TAGMANIFEST-MISSING", E, D11, "{location}: the AIP's detached signature is missing",
       "{location}：AIP 的分离式签名缺失", "Restore the .p7s file from a replica.", "请从其他副本恢复 .p7s 文件。"),
    _c("CHK-SIG-TAGMANIFEST-INVALID", E, D11, "{location}: the AIP signature does not verify: {reason}",
       "{location}：AIP 签名验证不通过：{reason}", "Restore the AIP from a good copy.", "请从完好副本恢复 AIP。"),
    _c("CHK-SIG-TAGMANIFEST-INDETERMINATE", W, D11, "{location}: the AIP signature cannot be confirmed: {reason}",
       "{location}：无法确认 AIP 签名：{reason}", "Configure the archive's signing certificate as trusted.",
       "请将本馆签名证书配置为受信任证书。"),
    _c("CHK-SIG-PDF-NOT-INTACT", E, D11, "{location}: signature {field}: the signed bytes were changed",
       "{location}：签名 {field} 所签内容已被改动", "Obtain the original signed document from the sender.",
       "请向移交方索取原始签名文件。"),
    _c("CHK-SIG-PDF-INVALID", E, D11, "{location}: signature {field} does not verify ({found})",
       "{location}：签名 {field} 验证不通过（{found}）", "Obtain a correctly signed document.", "请索取正确签名的文件。"),
    _c("CHK-SIG-PDF-MODIFIED", E, D11, "{location}: signature {field}: content modified after signing (level {found}, coverage {coverage})",
       "{location}：签名 {field} 之后文件内容被修改（修改级别 {found}，覆盖范围 {coverage}）",
       "Archive the signed revision, not a later edit.", "请归档签名时的版本，而非之后修改的版本。"),
    _c("CHK-SIG-PDF-UNTRUSTED", W, D11, "{location}: signature {field} by {found} is intact but not trusted ({reason})",
       "{location}：签名 {field}（签名人 {found}）完整但不受信任（{reason}）",
       "Add the issuing root to [checks] trusted_roots if it is legitimate.",
       "若签发机构合法，请将其根证书加入 [checks] trusted_roots。"),
    _c("CHK-SIG-PDF-UNREADABLE", W, D11, "{location}: signature {field} cannot be evaluated: {reason}",
       "{location}：签名 {field} 无法验证：{reason}", "Check the signature with the signing software.",
       "请用签名软件核验该签名。"),
    _c("CHK-SIG-OFD-UNVERIFIED", W, D11 + "; GB/T 38540-2020",
       "{location}: OFD signature {found} present; verification not supported (GB/T 38540 SM2)",
       "{location}：存在 OFD 签章 {found}，暂不支持验证（GB/T 38540 SM2）",
       "Verify the seal with a GB/T 38540 verifier and attest the result.", "请使用符合 GB/T 38540 的验章工具核验并确认。"),
    # -- format (3-3, 3-5)
    _c("CHK-FMT-UNKNOWN", E, D33, "{location}: format not identified from its content",
       "{location}：无法根据内容识别文件格式", "Convert the file to an allowed format.", "请将文件转换为允许的格式。"),
    _c("CHK-FMT-NOT-ALLOWED", E, D33, "{location}: format {found} is not allowed (allowed: {expected})",
       "{location}：格式 {found} 不在允许范围内（允许：{expected}）", "Convert the file to an allowed format.",
       "请将文件转换为允许的格式。"),
    _c("CHK-FMT-EXTENSION-MISMATCH", E, D33, "{location}: the extension says {expected} but the content is {found}",
       "{location}：扩展名表明为 {expected}，实际内容为 {found}", "Rename the file with the extension of its real format.",
       "请按实际格式更正文件扩展名。"),
    _c("CHK-FMT-NOT-PREFERRED", W, D35, "{location}: {found} is acceptable, but {expected} is preferred for long-term keeping",
       "{location}：{found} 可接受，但长期保存首选 {expected}", "Convert to PDF/A or OFD when convenient.",
       "条件允许时转换为 PDF/A 或 OFD。"),
    _c("CHK-FMT-NOT-LONG-TERM", E, D35, "{location}: {found} is not suitable for long-term keeping (suitable: {expected})",
       "{location}：{found} 不适合长期保存（适合：{expected}）", "Convert to PDF/A or OFD (documents) or an open format.",
       "请转换为 PDF/A、OFD 或其他开放格式。"),
    _c("CHK-FMT-PROPRIETARY-COMPRESSION", E, D38, "{location}: non-open compression {found}",
       "{location}：使用非公开压缩算法 {found}", "Store the content uncompressed or with an open algorithm.",
       "请以不压缩或公开压缩算法存储。"),
    # -- PDF
    _c("CHK-PDF-UNREADABLE", E, D34, "{location}: the PDF cannot be opened: {reason}",
       "{location}：无法打开 PDF：{reason}", "Obtain an intact copy of the document.", "请获取完好的文件副本。"),
    _c("CHK-PDF-TRUNCATED", E, D27, "{location}: the PDF has no end-of-file marker (%%EOF); it is truncated",
       "{location}：PDF 缺少文件结束标记（%%EOF），文件不完整", "Obtain the complete file.", "请获取完整文件。"),
    _c("CHK-PDF-PAGE-UNREADABLE", E, D34, "{location}: page {page} cannot be parsed: {reason}",
       "{location}：第 {page} 页无法解析：{reason}", "Obtain an intact copy of the document.", "请获取完好的文件副本。"),
    _c("CHK-PDF-REPAIRED", W, D34, "{location}: the PDF's structure is damaged and was reconstructed ({reason})",
       "{location}：PDF 结构受损，已重建读取（{reason}）", "Re-save the document with a conforming writer.",
       "请用合规软件重新保存文件。"),
    _c("CHK-PDF-TOO-COMPLEX", W, D34, "{location}: more than {expected} PDF objects; analysis stopped",
       "{location}：PDF 对象超过 {expected} 个，分析中止", "Check this file by hand.", "请人工检查该文件。"),
    _c("CHK-PDF-ENCRYPTED", E, D38, "{location}: the PDF is encrypted ({found})",
       "{location}：PDF 已加密（{found}）", "Archive the decrypted document (GB/T 18894 8.1.3).",
       "请归档解密后的文件（GB/T 18894 8.1.3）。"),
    _c("CHK-PDF-JAVASCRIPT", E, D38, "{location}: the PDF contains JavaScript ({found})",
       "{location}：PDF 含有 JavaScript（{found}）", "Remove scripts, e.g. by converting to PDF/A.",
       "请删除脚本，例如转换为 PDF/A。"),
    _c("CHK-PDF-EXTERNAL-ACTION", E, D38, "{location}: the PDF has a {found} action ({detail})",
       "{location}：PDF 含有 {found} 动作（{detail}）", "Remove actions that launch programs or load external content.",
       "请删除启动程序或加载外部内容的动作。"),
    _c("CHK-PDF-URI-ACTION", W, D38, "{location}: the PDF links to {found}",
       "{location}：PDF 含有外部链接 {found}", "External links may break over time; keep the target if it matters.",
       "外部链接可能失效，如有必要请一并归档链接内容。"),
    _c("CHK-PDF-EXTERNAL-STREAM", E, D38, "{location}: a PDF stream takes its data from an external file ({found})",
       "{location}：PDF 数据流引用外部文件（{found}）", "Embed the content in the PDF.", "请将内容嵌入 PDF。"),
    _c("CHK-PDF-FONT-NOT-EMBEDDED", W, D35, "{location}: font {found} is not embedded",
       "{location}：字体 {found} 未嵌入", "Embed all fonts (PDF/A requires it).", "请嵌入全部字体（PDF/A 要求）。"),
    _c("CHK-PDF-PDFA-CLAIM-BROKEN", E, D35, "{location}: claims PDF/A-{expected} but {found}",
       "{location}：声明为 PDF/A-{expected}，但{found}", "Produce the PDF/A with a conforming converter and validate it.",
       "请用合规转换工具生成 PDF/A 并校验。"),
    _c("CHK-PDF-ATTACHMENT-BROKEN", E, D28, "{location}: attachment {name}: {found}",
       "{location}：附件 {name}：{found}", "Supply the complete attachment.", "请提供完整附件。"),
    # -- images
    _c("CHK-IMG-UNREADABLE", E, D34, "{location}: the image cannot be decoded (frame {frame}): {reason}",
       "{location}：图像无法解码（第 {frame} 帧）：{reason}", "Rescan the page or obtain an intact copy.",
       "请重新扫描或获取完好副本。"),
    _c("CHK-IMG-TRUNCATED", E, D27, "{location}: the image data ends early: {reason}",
       "{location}：图像数据不完整：{reason}", "Rescan the page or obtain an intact copy.", "请重新扫描或获取完好副本。"),
    _c("CHK-IMG-CANNOT-EVALUATE", W, D34, "{location}: image decoding cannot be trusted here: {reason}",
       "{location}：当前环境下图像解码结果不可信：{reason}", "Do not enable Pillow's LOAD_TRUNCATED_IMAGES.",
       "请勿启用 Pillow 的 LOAD_TRUNCATED_IMAGES。"),
    # -- OFD
    _c("CHK-OFD-NOT-ZIP", E, OFD, "{location}: the OFD package is not a readable zip: {reason}",
       "{location}：OFD 包不是可读的 zip 文件：{reason}", "Obtain an intact copy of the document.", "请获取完好的文件副本。"),
    _c("CHK-OFD-PART-MISSING", E, OFD, "{location}: part {part} is missing (referenced from {by})",
       "{location}：缺少部件 {part}（由 {by} 引用）", "Obtain a complete OFD package.", "请获取完整的 OFD 包。"),
    _c("CHK-OFD-PART-INVALID", E, OFD, "{location}: part {part} cannot be parsed ({reason})",
       "{location}：部件 {part} 无法解析（{reason}）", "Re-create the OFD with a conforming writer.",
       "请用合规软件重新生成 OFD。"),
    _c("CHK-OFD-STRUCTURE", E, OFD, "{location}: part {part}: expected {expected}, found {found}",
       "{location}：部件 {part} 应为 {expected}，实际为 {found}", "Re-create the OFD with a conforming writer.",
       "请用合规软件重新生成 OFD。"),
    _c("CHK-OFD-LIMIT", E, OFD, "{location}: zip member {part} exceeds a safety limit ({reason})",
       "{location}：zip 成员 {part} 超过安全上限（{reason}）", "Check the file by hand; it may be a zip bomb.",
       "请人工检查，可能是压缩炸弹。"),
    _c("CHK-OFD-ENCRYPTED", E, D38, "{location}: zip member {part} is encrypted",
       "{location}：zip 成员 {part} 已加密", "Archive the decrypted document.", "请归档解密后的文件。"),
    _c("CHK-OFD-ATTACHMENT-MISSING", E, D28, "{location}: attachment {name} declared in {by} is missing ({part})",
       "{location}：{by} 中声明的附件 {name} 缺失（{part}）", "Supply the complete OFD with its attachments.",
       "请提供含附件的完整 OFD。"),
    # -- audio / video / other readers
    _c("CHK-MED-DAMAGED", E, D34, "{location}: {found} structure damaged: {reason}",
       "{location}：{found} 结构损坏：{reason}", "Obtain an intact copy of the recording.", "请获取完好的录音录像副本。"),
    _c("CHK-MED-TRUNCATED", E, D27, "{location}: {found} data ends early: {reason}",
       "{location}：{found} 数据不完整：{reason}", "Obtain the complete recording.", "请获取完整的录音录像。"),
)
register(*_CODES)

#: Codes that mean "could not decide": with no error present the item is indeterminate.
INDETERMINATE = frozenset({
    "CHK-CNT-NO-READER", "CHK-CNT-TOO-LARGE", "CHK-CNT-NOT-INSPECTED", "CHK-FIX-NO-DIGEST", "CHK-FIX-ALGORITHM-UNAVAILABLE",
    "CHK-SIG-TAGMANIFEST-INDETERMINATE", "CHK-SIG-PDF-UNTRUSTED", "CHK-SIG-PDF-UNREADABLE",
    "CHK-SIG-OFD-UNVERIFIED", "CHK-PDF-TOO-COMPLEX", "CHK-IMG-CANNOT-EVALUATE",
})
