"""Finding codes of detached signatures (``SIG-``) and of the event chain (``LOG-``).

Registered at import time; :mod:`fixity.signing` and :mod:`fixity.chain` import
this module so the codes exist before any finding is rendered.  The event-log
chain is casearchive's own construction (no standard prescribes it); its
clauses cite the rule as written in :mod:`fixity.chain` ("casearchive LOG-n").
"""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W = Severity.ERROR, Severity.WARNING

SIG_PARSE = "SIG-PARSE"
SIG_DIGEST_MISMATCH = "SIG-DIGEST-MISMATCH"
SIG_SIGNATURE_INVALID = "SIG-SIGNATURE-INVALID"
SIG_NO_SIGNER_CERT = "SIG-NO-SIGNER-CERT"
SIG_UNTRUSTED_SIGNER = "SIG-UNTRUSTED-SIGNER"
SIG_CERT_USAGE = "SIG-CERT-USAGE"
SIG_CERT_OUT_OF_VALIDITY = "SIG-CERT-OUT-OF-VALIDITY"
SIG_CERT_EXPIRED_NOW = "SIG-CERT-EXPIRED-NOW"
SIG_CANNOT_EVALUATE = "SIG-CANNOT-EVALUATE"
SIG_FILE_MISSING = "SIG-FILE-MISSING"

LOG_MALFORMED = "LOG-MALFORMED"
LOG_HASH_MISMATCH = "LOG-HASH-MISMATCH"
LOG_LINK_BROKEN = "LOG-LINK-BROKEN"
LOG_SEQ_GAP = "LOG-SEQ-GAP"
LOG_SEQ_ORDER = "LOG-SEQ-ORDER"
LOG_HEAD_MISMATCH = "LOG-HEAD-MISMATCH"

register(
    Code(SIG_PARSE, _E, "RFC 5652 §3, §5.1",
         en="{location}: not a well-formed CMS SignedData signature ({found})",
         zh="{location}：不是格式正确的 CMS SignedData 签名（{found}）",
         hint_en="Re-create the detached signature (DER CMS SignedData) over the signed file.",
         hint_zh="请对被签名文件重新生成分离式签名（DER 编码的 CMS SignedData）。"),
    Code(SIG_DIGEST_MISMATCH, _E, "RFC 5652 §5.4, §11.2",
         en="{location}: the signed file was changed after signing (message digest expected {expected}, found {found})",
         zh="{location}：被签名文件在签名后被修改（消息摘要应为 {expected}，实为 {found}）",
         hint_en="Restore the file from a verified replica; never re-sign content you cannot vouch for.",
         hint_zh="请从已验证的副本恢复该文件；不要对无法确认的内容重新签名。"),
    Code(SIG_SIGNATURE_INVALID, _E, "RFC 5652 §5.6",
         en="{location}: the signature value does not verify with the signer's public key ({found})",
         zh="{location}：签名值无法用签名者公钥验证（{found}）",
         hint_en="The signature or its signed attributes were altered; restore the .p7s from a verified replica.",
         hint_zh="签名或其签名属性已被改动；请从已验证的副本恢复 .p7s 文件。"),
    Code(SIG_NO_SIGNER_CERT, _E, "RFC 5652 §5.1, §5.3; RFC 5035 §5.4",
         en="{location}: the signer's certificate is missing from the signature or is not the one the signer signed for ({found})",
         zh="{location}：签名中缺少签名者证书，或该证书与签名者签署的证书不一致（{found}）",
         hint_en="Sign again with the certificate included (casearchive always includes it).",
         hint_zh="请重新签名并在签名中包含签名者证书（casearchive 签名时总会包含）。"),
    Code(SIG_UNTRUSTED_SIGNER, _E, "RFC 5280 §6.1",
         en="{location}: signer {found} is not one of the trusted certificates and does not chain to one",
         zh="{location}：签名者 {found} 不在受信任证书之列，也无法链接到受信任证书",
         hint_en="Add the signer's certificate (or its CA) to the trusted list if you trust it: [signing] trusted.",
         hint_zh="如信任该签名者，请将其证书（或其 CA 证书）加入受信任列表：[signing] trusted。"),
    Code(SIG_CERT_USAGE, _E, "RFC 5280 §4.2.1.3, §4.2.1.12",
         en="{location}: the signer's certificate does not allow signing ({found})",
         zh="{location}：签名者证书的用途不允许签名（{found}）",
         hint_en="Use a certificate with keyUsage digitalSignature or nonRepudiation.",
         hint_zh="请使用密钥用途含 digitalSignature 或 nonRepudiation 的证书。"),
    Code(SIG_CERT_OUT_OF_VALIDITY, _E, "RFC 5280 §4.1.2.5",
         en="{location}: the signer's certificate was not valid at the time checked (valid {expected}, checked at {found})",
         zh="{location}：签名者证书在所检验的时间不在有效期内（有效期 {expected}，检验时间 {found}）",
         hint_en="Check the system clock; otherwise re-sign with a currently valid certificate and record the event.",
         hint_zh="请检查系统时钟；否则请用当前有效的证书重新签名，并记录该事件。"),
    Code(SIG_CERT_EXPIRED_NOW, _W, "RFC 5280 §4.1.2.5; ETSI EN 319 102-1 §5.6.2",
         en="{location}: the signer's certificate has expired (valid {expected}) but was valid at the signing time {found}",
         zh="{location}：签名者证书已过期（有效期 {expected}），但在签名时间 {found} 有效",
         hint_en="No action needed for archived signatures; plan re-signing or a timestamp before the algorithm weakens.",
         hint_zh="已归档签名无需处理；请在算法强度下降前安排重新签名或加盖时间戳。"),
    Code(SIG_CANNOT_EVALUATE, _E, "ETSI EN 319 102-1 §5.1.3",
         en="{location}: the signature cannot be evaluated ({found})",
         zh="{location}：无法评估该签名（{found}）",
         hint_en="Check the algorithms used; casearchive signs with SHA-256 and ECDSA P-256 or RSA.",
         hint_zh="请检查所用算法；casearchive 使用 SHA-256 与 ECDSA P-256 或 RSA 签名。"),
    Code(SIG_FILE_MISSING, _E, "RFC 5652 §5.1",
         en="{location}: the file is missing or unreadable ({found})",
         zh="{location}：文件缺失或无法读取（{found}）",
         hint_en="Restore the signed file and its .p7s signature from a verified replica.",
         hint_zh="请从已验证的副本恢复被签名文件及其 .p7s 签名。"),
    Code(LOG_MALFORMED, _E, "casearchive LOG-1 (event fields)",
         en="event {location}: malformed event ({found})",
         zh="事件 {location}：事件格式错误（{found}）",
         hint_en="The row was edited outside casearchive; restore the event log from a backup.",
         hint_zh="该记录在 casearchive 之外被修改；请从备份恢复事件日志。"),
    Code(LOG_HASH_MISMATCH, _E, "casearchive LOG-2 (hash = SHA-256 of canonical seq, prev, payload)",
         en="event {location}: content does not match its hash (expected {expected}, found {found})",
         zh="事件 {location}：内容与其哈希值不符（应为 {expected}，实为 {found}）",
         hint_en="The event or its hash was changed; restore the event log from a backup and investigate.",
         hint_zh="该事件或其哈希值被改动；请从备份恢复事件日志并调查原因。"),
    Code(LOG_LINK_BROKEN, _E, "casearchive LOG-3 (prev = hash of the preceding event)",
         en="event {location}: link to the previous event broken (expected prev {expected}, found {found})",
         zh="事件 {location}：与前一事件的链接断开（前序哈希应为 {expected}，实为 {found}）",
         hint_en="An event before this one was changed, deleted or inserted; restore the log from a backup.",
         hint_zh="此前的事件被修改、删除或插入；请从备份恢复事件日志。"),
    Code(LOG_SEQ_GAP, _E, "casearchive LOG-4 (seq increases by one)",
         en="event {location}: sequence gap (expected seq {expected}, found {found}); events were deleted",
         zh="事件 {location}：序号不连续（应为 {expected}，实为 {found}）；有事件被删除",
         hint_en="Restore the deleted events from a backup.",
         hint_zh="请从备份恢复被删除的事件。"),
    Code(LOG_SEQ_ORDER, _E, "casearchive LOG-4 (seq increases by one)",
         en="event {location}: out of order or duplicate (expected seq {expected}, found {found})",
         zh="事件 {location}：顺序错乱或重复（序号应为 {expected}，实为 {found}）",
         hint_en="Events were inserted or reordered; restore the log from a backup.",
         hint_zh="有事件被插入或顺序被调换；请从备份恢复事件日志。"),
    Code(LOG_HEAD_MISMATCH, _E, "casearchive LOG-5 (head = last event)",
         en="{location}: the recorded chain head (expected {expected}) differs from the last event ({found})",
         zh="{location}：记录的链头（应为 {expected}）与最后一个事件（{found}）不符",
         hint_en="Events at the end of the log were deleted or added; restore the log from a backup.",
         hint_zh="日志末尾的事件被删除或添加；请从备份恢复事件日志。"),
)
