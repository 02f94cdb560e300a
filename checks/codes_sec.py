"""Finding codes of the security and environment items (``CHK-AV-``, ``CHK-SEC-``, ``CHK-ENV-``)."""
from __future__ import annotations

from findings import Code, Severity, register

_E, _W = Severity.ERROR, Severity.WARNING

AV_NOT_INSTALLED = "CHK-AV-NOT-INSTALLED"
AV_DB_MISSING = "CHK-AV-DATABASE-MISSING"
AV_DB_OLD = "CHK-AV-DATABASE-OLD"
AV_INFECTED = "CHK-AV-INFECTED"
AV_SCANNER_MISSING = "CHK-AV-SCANNER-MISSING"
AV_SCAN_ERROR = "CHK-AV-SCAN-ERROR"
EXTRA_FILE = "CHK-SEC-EXTRA-FILE"
SPECIAL_FILE = "CHK-SEC-SPECIAL-FILE"
STORAGE_UNREACHABLE = "CHK-SEC-STORAGE-UNREACHABLE"
FREE_SPACE_LOW = "CHK-SEC-FREE-SPACE-LOW"
READ_SLOW = "CHK-SEC-READ-SLOW"
READ_ERROR = "CHK-SEC-READ-ERROR"
LOG_BROKEN = "CHK-SEC-LOG-BROKEN"
EVENT_MISSING = "CHK-SEC-EVENT-MISSING"
EVENT_UNREADABLE = "CHK-SEC-EVENTS-UNREADABLE"
VULN_FOUND = "CHK-SEC-VULNERABILITY-FOUND"
VULN_SCANNER_ERROR = "CHK-SEC-VULNERABILITY-SCANNER-ERROR"
ENV_SOFTWARE = "CHK-ENV-SOFTWARE-NOT-ALLOWED"
ENV_UNRECORDED = "CHK-ENV-SOFTWARE-UNRECORDED"
ENV_CHANGED = "CHK-ENV-CHANGED"
ENV_RESTORE_FAILED = "CHK-ENV-RESTORE-FAILED"
ENV_RESTORE_ERROR = "CHK-ENV-RESTORE-ERROR"

_AV = [
    Code(AV_NOT_INSTALLED, _E, "DA/T 70 4-1",
         en="{location}: no antivirus scanner found (looked for {expected})",
         zh="{location}：未发现杀毒软件（查找了 {expected}）",
         hint_en="Install ClamAV (scripts/sysdeps.sh) or configure [checks] clamd_socket.",
         hint_zh="请安装 ClamAV（scripts/sysdeps.sh）或配置 [checks] clamd_socket。"),
    Code(AV_DB_MISSING, _E, "DA/T 70 4-1",
         en="{location}: the antivirus scanner has no signature database ({found})",
         zh="{location}：杀毒软件没有病毒特征库（{found}）",
         hint_en="Install a signature database (freshclam, or copy one into [checks] clamav_database).",
         hint_zh="请安装病毒特征库（freshclam，或复制到 [checks] clamav_database 指定的目录）。"),
    Code(AV_DB_OLD, _W, "DA/T 70 4-1",
         en="{location}: the signature database dates from {found}, older than {expected} days",
         zh="{location}：病毒特征库日期为 {found}，已超过 {expected} 天",
         hint_en="Update the signature database.", hint_zh="请更新病毒特征库。"),
    Code(AV_INFECTED, _E, "DA/T 70 4-2",
         en="{location}: infected: {found}",
         zh="{location}：检出病毒：{found}",
         hint_en="Quarantine the package and ask the sender for a clean copy.",
         hint_zh="请隔离该信息包，并要求移交方提供无毒副本。"),
    Code(AV_SCANNER_MISSING, _W, "DA/T 70 4-2",
         en="{location}: no virus scan possible: {found}",
         zh="{location}：无法进行病毒检测：{found}",
         hint_en="Install ClamAV or configure [checks] clamd_socket; the item stays undecided until then.",
         hint_zh="请安装 ClamAV 或配置 [checks] clamd_socket；在此之前该项无法判定。"),
    Code(AV_SCAN_ERROR, _W, "DA/T 70 4-2",
         en="{location}: the virus scan failed: {found}",
         zh="{location}：病毒扫描出错：{found}",
         hint_en="Check the scanner's installation and database; re-run the check.",
         hint_zh="请检查杀毒软件及特征库后重新检测。"),
]

_SEC = [
    Code(EXTRA_FILE, _E, "DA/T 70 4-3",
         en="{location}: file not declared in the package's manifests",
         zh="{location}：该文件未在信息包清单中登记（多余文件）",
         hint_en="Remove the file or find out who put it on the carrier.", hint_zh="请删除该文件或查明其来源。"),
    Code(SPECIAL_FILE, _E, "DA/T 70 4-3",
         en="{location}: {found} on the carrier where only regular files belong",
         zh="{location}：载体中出现{found_zh}，只应包含普通文件",
         hint_en="Remove links, devices and sockets from the package.", hint_zh="请从信息包中删除链接、设备等特殊文件。"),
    Code(STORAGE_UNREACHABLE, _E, "DA/T 70 4-4",
         en="{location}: the storage is not reachable: {found}",
         zh="{location}：存储不可访问：{found}",
         hint_en="Check the mount and the permissions.", hint_zh="请检查挂载和访问权限。"),
    Code(FREE_SPACE_LOW, _W, "DA/T 70 4-4; DA/T 92 9.4.3",
         en="{location}: {found} MB free on the storage, less than {expected} MB",
         zh="{location}：存储剩余空间 {found} MB，低于 {expected} MB",
         hint_en="Add capacity before the storage fills up.", hint_zh="请在存储写满前扩容。"),
    Code(READ_SLOW, _E, "DA/T 70 4-4",
         en="{location}: read speed {found} MB/s, below the normal {expected} MB/s",
         zh="{location}：读取速度为 {found} MB/s，低于正常值 {expected} MB/s",
         hint_en="The carrier may be degrading: copy its content to a good carrier and test it.",
         hint_zh="载体可能老化：请将内容复制到完好载体并检测。"),
    Code(READ_ERROR, _E, "DA/T 70 4-4",
         en="{location}: read error: {found}", zh="{location}：读取出错：{found}",
         hint_en="Repair the file from another copy.", hint_zh="请从其他副本修复该文件。"),
    Code(LOG_BROKEN, _E, "DA/T 70 4-7; DA/T 92 9.4.1",
         en="{location}: the event log is not intact ({found} findings over {count} events)",
         zh="{location}：操作日志不完整或被篡改（{count} 条事件中发现 {found} 处问题）",
         hint_en="Investigate the log (casearchive log verify); the operations cannot be proven.",
         hint_zh="请核查操作日志（casearchive log verify），相关操作无法证明。"),
    Code(EVENT_MISSING, _E, "DA/T 70 4-7",
         en="{location}: event {found} recorded in the package is not in the event log",
         zh="{location}：信息包记录的事件 {found} 不在操作日志中",
         hint_en="The package's history and the log disagree; investigate.", hint_zh="信息包的过程信息与日志不一致，请调查。"),
    Code(EVENT_UNREADABLE, _E, "DA/T 70 4-7",
         en="{location}: the package's events cannot be read: {found}",
         zh="{location}：信息包的事件记录无法读取：{found}",
         hint_en="Repair preservation/events.json from another copy.", hint_zh="请从其他副本修复 preservation/events.json。"),
    Code(VULN_FOUND, _E, "DA/T 70 4-8",
         en="{location}: the vulnerability scanner reports problems (exit status {found}): {output}",
         zh="{location}：漏洞扫描发现问题（退出码 {found}）：{output}",
         hint_en="Fix the reported vulnerabilities and re-run the scan.", hint_zh="请修复报告的漏洞后重新扫描。"),
    Code(VULN_SCANNER_ERROR, _W, "DA/T 70 4-8",
         en="{location}: the vulnerability scanner could not run: {found}",
         zh="{location}：漏洞扫描程序无法运行：{found}",
         hint_en="Check [checks] vulnerability_scanner.", hint_zh="请检查 [checks] vulnerability_scanner 配置。"),
]

_ENV = [
    Code(ENV_SOFTWARE, _E, "DA/T 70 3-6",
         en="{location}: made with {found}, which is not in the allowed software list",
         zh="{location}：生成软件为 {found}，不在允许的软件清单中",
         hint_en="Convert the file with approved software, or add the software to [checks] allowed_software.",
         hint_zh="请用经批准的软件转换该文件，或将该软件加入 [checks] allowed_software。"),
    Code(ENV_UNRECORDED, _W, "DA/T 70 3-6",
         en="{location}: the file records no creating software",
         zh="{location}：文件未记录生成软件",
         hint_en="Record the creating software in the file's metadata.", hint_zh="请在文件元数据中记录生成软件。"),
    Code(ENV_CHANGED, _W, "DA/T 70 3-7; DA/T 70 4.3.1.2",
         en="{location}: {key} changed from {expected!r} to {found!r}",
         zh="{location}：{key} 由“{expected}”变为“{found}”",
         hint_en="After a change of the storage environment run a full check of the holdings.",
         hint_zh="保存环境变化后应对馆藏进行全面检测。"),
    Code(ENV_RESTORE_FAILED, _E, "DA/T 70 3-9; DA/T 92 9.2.5",
         en="{location}: the backup copy could not be restored intact ({found})",
         zh="{location}：备份数据无法完整恢复（{found}）",
         hint_en="Repair the backup from a verified copy.", hint_zh="请用经验证的副本修复备份。"),
    Code(ENV_RESTORE_ERROR, _W, "DA/T 70 3-9",
         en="{location}: the restore test could not be run: {found}",
         zh="{location}：无法执行恢复测试：{found}",
         hint_en="Check the backup location is configured and reachable.", hint_zh="请检查备份位置的配置与可访问性。"),
]

register(*_AV, *_SEC, *_ENV)
