"""Finding codes of repair (REP-), log checkpoints (CKP-) and catalogue rebuild (RBD-).

Clauses: DA/T 92-2022 9.4 (after archiving: re-check, monitor, alert) and 9.2.5
(consistency before and after a restore), DA/T 70-2018 BC items, GB/T 39784-2021
7.4 (防篡改), RFC 3161 (time-stamp protocol), RFC 6962 §2.1 (Merkle tree hash), and
the casearchive rules written in archive/checkpoints.py (CKP-n) and archive/rebuild.py (RBD-n).
"""
from findings import Code, Severity, register

_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

# -- repair -----------------------------------------------------------------------------------
REP_COPY_DAMAGED = "REP-COPY-DAMAGED"
REP_NO_GOOD_COPY = "REP-NO-GOOD-COPY"
REP_COPY_MISMATCH = "REP-COPY-MISMATCH"
REP_REBUILD_FAILED = "REP-REBUILD-FAILED"
REP_WRITE_FAILED = "REP-WRITE-FAILED"
REP_COPY_REPAIRED = "REP-COPY-REPAIRED"
REP_RECOVERED = "REP-RECOVERED"

register(
    Code(REP_COPY_DAMAGED, _E, "DA/T 92-2022 9.4.1; DA/T 70 BC-1-1, BC-2-11",
         "Copy in location {location} is damaged: {codes}", "存储位置 {location} 中的副本已损坏：{codes}",
         "Run casearchive repair with confirmation to rebuild it from a good copy.",
         "确认后运行 casearchive repair，从完好副本重建该副本。"),
    Code(REP_NO_GOOD_COPY, _E, "DA/T 92-2022 9.4.3; DA/T 70 BC-3-9",
         "No verified good copy of the AIP is left (checked: {location}); the AIP is marked damaged",
         "该保存信息包已无经验证的完好副本（已检查：{location}），已标记为损坏",
         "Restore the AIP from an offline backup; every damaged copy was kept for forensics.",
         "请从离线备份恢复该保存信息包；所有损坏副本均已保留以备调查。"),
    Code(REP_COPY_MISMATCH, _E, "RFC 8493 §3; DA/T 92-2022 9.2.5",
         "Copying {location} from {source}: {algorithm} expected {expected}, found {found}",
         "从 {source} 复制 {location} 时 {algorithm} 摘要不符：应为 {expected}，实为 {found}",
         "The source copy changed during the repair; verify it again.", "修复期间源副本发生变化，请重新验证源副本。"),
    Code(REP_REBUILD_FAILED, _E, "DA/T 92-2022 9.2.5",
         "The rebuilt copy for {location} failed verification ({codes}); the damaged copy was kept",
         "为 {location} 重建的副本未通过验证（{codes}），已保留原损坏副本",
         "Check the storage medium of that location before retrying.", "请先检查该存储位置的介质再重试。"),
    Code(REP_WRITE_FAILED, _E, "DA/T 92-2022 9.4.3",
         "Cannot write the rebuilt copy to {location}: {reason}", "无法将重建的副本写入 {location}：{reason}",
         "Free space or make the location writable, then repair again.", "请释放空间或恢复该位置的写权限后再修复。"),
    Code(REP_COPY_REPAIRED, _I, "DA/T 92-2022 9.4.1",
         "Copy in {location} rebuilt from {source}; the damaged copy is kept at {evidence}",
         "已从 {source} 重建 {location} 中的副本；损坏副本保留在 {evidence}"),
    Code(REP_RECOVERED, _W, "DA/T 92-2022 9.2.5",
         "An interrupted repair in {location} was recovered: {action}", "已恢复 {location} 中被中断的修复：{action}",
         "Verify the AIP again (casearchive verify).", "请重新验证该保存信息包（casearchive verify）。"),
)

# -- checkpoints ----------------------------------------------------------------------------------
CKP_SIGNATURE_INVALID = "CKP-SIGNATURE-INVALID"
CKP_SIGNATURE_INDETERMINATE = "CKP-SIGNATURE-INDETERMINATE"
CKP_SIGNATURE_UNTRUSTED = "CKP-SIGNATURE-UNTRUSTED"
CKP_FILE_MISSING = "CKP-FILE-MISSING"
CKP_FILE_UNREADABLE = "CKP-FILE-UNREADABLE"
CKP_ROW_MISSING = "CKP-ROW-MISSING"
CKP_ROW_DIFFERS = "CKP-ROW-DIFFERS"
CKP_CHAIN_BROKEN = "CKP-CHAIN-BROKEN"
CKP_LOG_TRUNCATED = "CKP-LOG-TRUNCATED"
CKP_EVENTS_ROOT_MISMATCH = "CKP-EVENTS-ROOT-MISMATCH"
CKP_LAST_EVENT_MISMATCH = "CKP-LAST-EVENT-MISMATCH"
CKP_AIPS_ROOT_MISMATCH = "CKP-AIPS-ROOT-MISMATCH"
CKP_AIP_MISSING = "CKP-AIP-MISSING"
CKP_AIP_DIGEST_DIFFERS = "CKP-AIP-DIGEST-DIFFERS"
CKP_AIPS_UNVERIFIABLE = "CKP-AIPS-UNVERIFIABLE"
CKP_NONE = "CKP-NONE"
CKP_UNCOVERED = "CKP-UNCOVERED"
CKP_TSA_FAILED = "CKP-TSA-FAILED"
CKP_TSA_INVALID = "CKP-TSA-INVALID"
CKP_TSA_UNTRUSTED = "CKP-TSA-UNTRUSTED"
CKP_CATALOGUE_BEHIND = "CKP-CATALOGUE-BEHIND"
CKP_NUMBER_MARK_INVALID = "CKP-NUMBER-MARK-INVALID"
CKP_AIP_NOT_IN_CATALOGUE = "CKP-AIP-NOT-IN-CATALOGUE"
CKP_INGEST_EVENT_MISSING = "CKP-INGEST-EVENT-MISSING"
CKP_AIP_EVENT_BEYOND_LOG = "CKP-AIP-EVENT-BEYOND-LOG"
CKP_AIP_EVENT_DIFFERS = "CKP-AIP-EVENT-DIFFERS"
CKP_EVENT_LOST_ACKNOWLEDGED = "CKP-EVENT-LOST-ACKNOWLEDGED"
CKP_LOG_BEHIND_WITNESS = "CKP-LOG-BEHIND-WITNESS"
CKP_HEAD_WITNESS_UNREADABLE = "CKP-HEAD-WITNESS-UNREADABLE"

_TAMPER_HINT = ("The event log or the catalogue was changed outside casearchive; restore the database from a backup "
                "and investigate.", "事件日志或目录数据库在 casearchive 之外被改动；请从备份恢复数据库并调查。")

register(
    Code(CKP_SIGNATURE_INVALID, _E, "casearchive CKP-2; GB/T 39784-2021 7.4",
         "Signature of checkpoint {location} is not valid: {reason}", "检查点 {location} 的电子签名无效：{reason}",
         "The checkpoint file was altered; keep it as evidence and investigate.", "检查点文件已被改动，请保留证据并调查。"),
    Code(CKP_SIGNATURE_INDETERMINATE, _E, "casearchive CKP-2; ETSI EN 319 102-1 §5.1.3",
         "Signature of checkpoint {location} could not be confirmed: {reason}",
         "检查点 {location} 的电子签名无法确认：{reason}",
         "An unconfirmed checkpoint proves nothing; check the certificate's validity period and the algorithms.",
         "未确认的检查点不能证明任何事；请检查证书有效期与算法。"),
    Code(CKP_SIGNATURE_UNTRUSTED, _E, "casearchive CKP-2; RFC 5280 §6.1; GB/T 39784-2021 7.4",
         "Checkpoint {location} is signed by {found}, which is not a trusted archive certificate ({reason})",
         "检查点 {location} 的签名者 {found} 不是受信任的本馆证书（{reason}）",
         "Treat the checkpoint as forged; only certificates in [signing] trusted (by fingerprint) sign checkpoints.",
         "请视该检查点为伪造；只有 [signing] trusted 中的证书（按指纹）才能签署检查点。"),
    Code(CKP_FILE_MISSING, _E, "casearchive CKP-3; GB/T 39784-2021 7.4",
         "Checkpoint file {location} is missing", "检查点文件 {location} 缺失", *_TAMPER_HINT),
    Code(CKP_FILE_UNREADABLE, _E, "casearchive CKP-1",
         "Checkpoint file {location} is unreadable: {reason}", "检查点文件 {location} 无法读取：{reason}", *_TAMPER_HINT),
    Code(CKP_ROW_MISSING, _W, "casearchive CKP-3",
         "Checkpoint {location} has a signed file but no catalogue row",
         "检查点 {location} 有已签名文件但目录数据库中无记录",
         "A checkpoint row was deleted, or a checkpoint was interrupted before its commit.",
         "检查点记录被删除，或检查点在提交前被中断。"),
    Code(CKP_ROW_DIFFERS, _E, "casearchive CKP-3",
         "Checkpoint {location}: the catalogue row says {field} = {found}, the signed file {expected}",
         "检查点 {location}：目录数据库中 {field} 为 {found}，已签名文件为 {expected}", *_TAMPER_HINT),
    Code(CKP_CHAIN_BROKEN, _E, "casearchive CKP-4",
         "Checkpoint {location} does not follow its predecessor: expected {expected}, found {found}",
         "检查点 {location} 与前一检查点不衔接：应为 {expected}，实为 {found}",
         "A checkpoint file was deleted or replaced; investigate.", "检查点文件被删除或替换，请调查。"),
    Code(CKP_LOG_TRUNCATED, _E, "casearchive CKP-5; casearchive LOG-5",
         "Checkpoint {location} covers {expected} events but the log holds only {found}",
         "检查点 {location} 覆盖 {expected} 条事件，但日志仅有 {found} 条", *_TAMPER_HINT),
    Code(CKP_EVENTS_ROOT_MISMATCH, _E, "casearchive CKP-5; RFC 6962 §2.1",
         "Events {range} differ from signed checkpoint {location}: Merkle root expected {expected}, found {found}",
         "事件 {range} 与已签名检查点 {location} 不符：Merkle 根应为 {expected}，实为 {found}", *_TAMPER_HINT),
    Code(CKP_LAST_EVENT_MISMATCH, _E, "casearchive CKP-5",
         "Event {event} differs from signed checkpoint {location}: hash expected {expected}, found {found}",
         "事件 {event} 与已签名检查点 {location} 不符：哈希应为 {expected}，实为 {found}", *_TAMPER_HINT),
    Code(CKP_AIPS_ROOT_MISMATCH, _E, "casearchive CKP-6; RFC 6962 §2.1",
         "AIPs differ from signed checkpoint {location}: Merkle root expected {expected}, found {found}",
         "保存信息包与已签名检查点 {location} 不符：Merkle 根应为 {expected}，实为 {found}", *_TAMPER_HINT),
    Code(CKP_AIP_MISSING, _E, "casearchive CKP-6; GB/T 39784-2021 7.4",
         "AIP {location} (ingested by event {event}) is missing from the catalogue",
         "保存信息包 {location}（事件 {event} 接收）在目录数据库中缺失",
         "Run casearchive catalog rebuild to restore the catalogue from the AIPs.",
         "运行 casearchive catalog rebuild，从保存信息包重建目录。"),
    Code(CKP_AIP_DIGEST_DIFFERS, _E, "casearchive CKP-6; DA/T 70 BC-1-14",
         "AIP {location}: catalogue tag-manifest digest {found} differs from the copy on disk {expected}",
         "保存信息包 {location}：目录中的标签清单摘要 {found} 与磁盘副本 {expected} 不符",
         "Run casearchive catalog rebuild to restore the catalogue from the AIPs.",
         "运行 casearchive catalog rebuild，从保存信息包重建目录。"),
    Code(CKP_AIPS_UNVERIFIABLE, _W, "casearchive CKP-6",
         "The AIP root of checkpoint {location} cannot be recomputed: {reason}",
         "检查点 {location} 的保存信息包 Merkle 根无法重算：{reason}"),
    Code(CKP_NONE, _I, "casearchive CKP-1",
         "No signed checkpoint exists yet: a rewrite of the whole log in the database would go unnoticed",
         "尚无已签名检查点：整体改写数据库中的日志将无法被发现",
         "Run casearchive log checkpoint.", "运行 casearchive log checkpoint。"),
    Code(CKP_UNCOVERED, _I, "casearchive CKP-5",
         "{found} event(s) after the last checkpoint {location} are protected by the hash chain only",
         "最后一个检查点 {location} 之后的 {found} 条事件仅受哈希链保护"),
    Code(CKP_TSA_FAILED, _W, "RFC 3161 §2.4",
         "No time-stamp from {location}: {reason}", "未能从 {location} 获得时间戳：{reason}",
         "Check [checkpoints] tsa_url and the network; the checkpoint is signed without a time-stamp.",
         "请检查 [checkpoints] tsa_url 与网络；该检查点已签名但无时间戳。"),
    Code(CKP_TSA_INVALID, _E, "RFC 3161 §2.4.2",
         "Time-stamp token {location} is not valid: {reason}", "时间戳令牌 {location} 无效：{reason}", *_TAMPER_HINT),
    Code(CKP_TSA_UNTRUSTED, _E, "RFC 3161 §2.3; RFC 5280 §6.1",
         "Time-stamp token {location} does not chain to a configured TSA anchor: {reason}",
         "时间戳令牌 {location} 无法链接到已配置的时间戳机构信任锚：{reason}",
         "Put the TSA's root certificate in [checkpoints] tsa_trusted if this TSA is yours; otherwise treat the "
         "token as forged.",
         "如该时间戳机构确为本馆所用，请将其根证书加入 [checkpoints] tsa_trusted；否则视该令牌为伪造。"),
)

_BEHIND_HINT = ("The catalogue lost what the store still holds (restored from a backup, or the log's tail deleted). "
                "Run casearchive catalog rebuild --apply before ingesting again; ingest refuses to issue 档号 until then.",
                "目录数据库缺少存储中仍有的内容（从备份恢复或日志尾部被删除）。请先运行 casearchive catalog rebuild --apply"
                "再接收；在此之前接收将拒绝分配档号。")

register(
    Code(CKP_CATALOGUE_BEHIND, _E, "casearchive CKP-7, NUM-3; GB/T 18894-2016 8.6",
         "The catalogue is older than the archive: archive-number series {location} is at {found} but {expected} was "
         "issued ({source}); {aips} AIP(s) on disk unknown to the catalogue, {events} event(s) named by AIPs beyond "
         "the end of the log",
         "目录数据库比档案库旧：档号序列 {location} 计数为 {found}，但 {expected} 已分配（{source}）；"
         "磁盘上有 {aips} 个保存信息包不在目录中，保存信息包记载的 {events} 条事件超出日志末尾", *_BEHIND_HINT),
    Code(CKP_NUMBER_MARK_INVALID, _E, "casearchive NUM-1",
         "Archive-number mark {location} is damaged: {reason}", "档号高水位文件 {location} 已损坏：{reason}",
         "Ingest issues no 档号 while it is damaged. Compare it with the same file in the other locations and restore "
         "it from there (or remove it: the other locations and the checkpoints still carry the mark).",
         "该文件损坏期间接收不会分配档号。请与其他存储位置的同名文件比较并从中恢复（或删除它：其他位置和检查点仍保有高水位）。"),
    Code(CKP_AIP_NOT_IN_CATALOGUE, _E, "casearchive CKP-8; DA/T 92-2022 9.2.3",
         "AIP {location} is stored ({copies}) but not in the catalogue",
         "保存信息包 {location} 已存储（{copies}），但不在目录中", *_BEHIND_HINT),
    Code(CKP_INGEST_EVENT_MISSING, _E, "casearchive CKP-8; GB/T 39784-2021 7.4",
         "AIP {location} is in the catalogue but its aip.ingest event is not in the log ({found})",
         "保存信息包 {location} 在目录中，但日志中没有其 aip.ingest 事件（{found}）", *_BEHIND_HINT),
    Code(CKP_AIP_EVENT_BEYOND_LOG, _E, "casearchive CKP-9; GB/T 39784-2021 7.4",
         "AIP {location} names event {event} (hash {expected}…) but the log ends at event {found}",
         "保存信息包 {location} 记载了事件 {event}（哈希 {expected}…），但日志止于事件 {found}", *_BEHIND_HINT),
    Code(CKP_AIP_EVENT_DIFFERS, _E, "casearchive CKP-9; GB/T 39784-2021 7.4",
         "AIP {location} names event {event} with hash {expected}…, the log holds a different event {event}",
         "保存信息包 {location} 记载的事件 {event} 哈希为 {expected}…，日志中的事件 {event} 与之不同", *_TAMPER_HINT),
    Code(CKP_EVENT_LOST_ACKNOWLEDGED, _W, "casearchive CKP-9",
         "AIP {location} names event {event}, lost from the log; recorded by the catalogue rebuild (event {by})",
         "保存信息包 {location} 记载的事件 {event} 已从日志中丢失；目录重建（事件 {by}）已记录"),
    Code(CKP_LOG_BEHIND_WITNESS, _E, "casearchive CKP-10; GB/T 39784-2021 7.4",
         "The log does not reach its head witness {location}: it recorded {expected}, the log has {found}",
         "日志未达到其头部见证 {location}：见证记录为 {expected}，日志为 {found}", *_BEHIND_HINT),
    Code(CKP_HEAD_WITNESS_UNREADABLE, _W, "casearchive CKP-10",
         "The log head witness {location} is unreadable: {reason}", "日志头部见证 {location} 无法读取：{reason}",
         "It is rewritten with the next event; investigate if it keeps happening.",
         "下一条事件会重写该文件；如反复出现请调查。"),
)

# -- catalogue rebuild -----------------------------------------------------------------------------
RBD_AIP_NOT_IN_CATALOGUE = "RBD-AIP-NOT-IN-CATALOGUE"
RBD_AIP_NOT_ON_DISK = "RBD-AIP-NOT-ON-DISK"
RBD_FIELD_DIFFERS = "RBD-FIELD-DIFFERS"
RBD_FILE_NOT_IN_CATALOGUE = "RBD-FILE-NOT-IN-CATALOGUE"
RBD_FILE_NOT_IN_AIP = "RBD-FILE-NOT-IN-AIP"
RBD_FILE_DIFFERS = "RBD-FILE-DIFFERS"
RBD_COPY_NOT_IN_CATALOGUE = "RBD-COPY-NOT-IN-CATALOGUE"
RBD_COPY_EXTRA = "RBD-COPY-EXTRA"
RBD_COPY_DIFFERS = "RBD-COPY-DIFFERS"
RBD_COUNTER_BEHIND = "RBD-COUNTER-BEHIND"
RBD_COUNTER_AHEAD = "RBD-COUNTER-AHEAD"
RBD_AIP_UNREADABLE = "RBD-AIP-UNREADABLE"
RBD_AIP_UNVERIFIED = "RBD-AIP-UNVERIFIED"
RBD_COPIES_DISAGREE = "RBD-COPIES-DISAGREE"
RBD_NO_INGEST_EVENT = "RBD-NO-INGEST-EVENT"
RBD_DUPLICATE_NUMBER = "RBD-DUPLICATE-NUMBER"
RBD_EVENT_NOT_IN_LOG = "RBD-EVENT-NOT-IN-LOG"

_REBUILD_HINT = ("Review the difference; casearchive catalog rebuild --apply makes the catalogue match the AIPs.",
                 "请核对差异；casearchive catalog rebuild --apply 可使目录与保存信息包一致。")

register(
    Code(RBD_AIP_NOT_IN_CATALOGUE, _E, "casearchive RBD-1; DA/T 92-2022 9.2.3",
         "AIP {location} is in the store but not in the catalogue", "保存信息包 {location} 在存储中但不在目录中",
         *_REBUILD_HINT),
    Code(RBD_AIP_NOT_ON_DISK, _E, "casearchive RBD-1; DA/T 70 BC-1-11",
         "AIP {location} is in the catalogue but no copy is in any storage location",
         "保存信息包 {location} 在目录中，但任何存储位置都没有其副本",
         "Restore the AIP from an offline backup, or remove the catalogue entry after review.",
         "请从离线备份恢复，或核对后删除该目录条目。"),
    Code(RBD_FIELD_DIFFERS, _E, "casearchive RBD-2; DA/T 70 BC-1-2",
         "{location}: the AIP says {expected}, the catalogue {found}", "{location}：保存信息包为 {expected}，目录为 {found}",
         *_REBUILD_HINT),
    Code(RBD_FILE_NOT_IN_CATALOGUE, _E, "casearchive RBD-3; DA/T 70 BC-2-11",
         "File {location} of the AIP is not in the catalogue", "保存信息包文件 {location} 不在目录中", *_REBUILD_HINT),
    Code(RBD_FILE_NOT_IN_AIP, _E, "casearchive RBD-3; DA/T 70 BC-2-11",
         "File {location} is in the catalogue but not in the AIP", "文件 {location} 在目录中但不在保存信息包中",
         *_REBUILD_HINT),
    Code(RBD_FILE_DIFFERS, _E, "casearchive RBD-3; DA/T 70 BC-1-1",
         "File {location}: {field} in the AIP is {expected}, in the catalogue {found}",
         "文件 {location}：保存信息包中 {field} 为 {expected}，目录中为 {found}", *_REBUILD_HINT),
    Code(RBD_COPY_NOT_IN_CATALOGUE, _E, "casearchive RBD-4",
         "Copy {location} exists but is not in the catalogue", "副本 {location} 存在但不在目录中", *_REBUILD_HINT),
    Code(RBD_COPY_EXTRA, _E, "casearchive RBD-4",
         "Copy {location} is in the catalogue but neither on disk nor in the log",
         "副本 {location} 在目录中，但磁盘和日志中均无记录", *_REBUILD_HINT),
    Code(RBD_COPY_DIFFERS, _E, "casearchive RBD-4",
         "Copy {location}: {field} from the store and log is {expected}, in the catalogue {found}",
         "副本 {location}：根据存储与日志 {field} 应为 {expected}，目录中为 {found}", *_REBUILD_HINT),
    Code(RBD_COUNTER_BEHIND, _E, "casearchive RBD-5; GB/T 18894-2016 8.6",
         "Archive-number series {location}: counter is {found} but {expected} is already issued",
         "档号序列 {location}：计数器为 {found}，但 {expected} 已被使用",
         "Apply the rebuild so the next 档号 is not issued twice.", "请应用重建，以免档号重复分配。"),
    Code(RBD_COUNTER_AHEAD, _W, "casearchive RBD-5",
         "Archive-number series {location}: counter is {found}, highest number in the store is {expected}",
         "档号序列 {location}：计数器为 {found}，存储中最大号为 {expected}",
         "Numbers of disposed AIPs are never issued again; nothing to do unless none was disposed.",
         "已处置保存信息包的档号不再使用；如无处置记录请调查。"),
    Code(RBD_AIP_UNREADABLE, _E, "casearchive RBD-1; DA/T 70 BC-3-1",
         "Copy {location} cannot be read for the rebuild: {reason}", "无法读取副本 {location} 用于重建：{reason}",
         "Verify and repair the AIP (casearchive verify, casearchive repair).",
         "请验证并修复该保存信息包（casearchive verify、casearchive repair）。"),
    Code(RBD_AIP_UNVERIFIED, _E, "casearchive RBD-1; DA/T 70 BC-1-1",
         "No copy of AIP {location} has a tag manifest signed by a trusted archive certificate with matching tag "
         "files ({source}); it is not rebuilt into the catalogue",
         "保存信息包 {location} 没有由受信任本馆证书签名且标签文件一致的副本（{source}）；不据此重建目录",
         "Verify and repair the AIP from a good copy or an offline backup; the catalogue entry is left as it was.",
         "请从完好副本或离线备份验证并修复该保存信息包；目录中的原条目保持不变。"),
    Code(RBD_COPIES_DISAGREE, _E, "casearchive RBD-1; DA/T 70 BC-1-14",
         "Copies of AIP {location} disagree: {expected} vs {found}", "保存信息包 {location} 的副本互不一致：{expected} 与 {found}",
         "Verify every copy and repair the damaged one.", "请验证每个副本并修复损坏者。"),
    Code(RBD_NO_INGEST_EVENT, _W, "casearchive RBD-4; GB/T 39784-2021 7.4",
         "AIP {location} has no aip.ingest event in the log", "保存信息包 {location} 在日志中没有 aip.ingest 事件",
         "Check the event log (casearchive log verify).", "请检查事件日志（casearchive log verify）。"),
    Code(RBD_DUPLICATE_NUMBER, _E, "casearchive RBD-6; GB/T 18894-2016 8.6",
         "AIPs {location} carry the same {field} {found}; only {kept} was rebuilt into the catalogue",
         "保存信息包 {location} 的{field} {found} 相同；目录中仅重建了 {kept}",
         "A 档号 or 案号 was issued twice (a catalogue restored from a backup kept numbering). Decide which AIP keeps "
         "it and supersede the other with a corrected version; until then the other is not catalogued.",
         "档号或案号被重复使用（目录从备份恢复后继续编号）。请确定由哪个保存信息包保留该号，另一个以更正版本替代；"
         "在此之前另一个不进入目录。"),
    Code(RBD_EVENT_NOT_IN_LOG, _W, "casearchive RBD-7; GB/T 39784-2021 7.4",
         "AIP {location} names event {event} that the log lacks ({reason}); --apply records it as lost",
         "保存信息包 {location} 记载的事件 {event} 日志中没有（{reason}）；--apply 将其记为已丢失"),
)
