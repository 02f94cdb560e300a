"""Finding codes of the virus-scan policy (``[checks] virus_scan``, DA/T 70 4-2), ``CHK-AV-SCAN-``."""
from __future__ import annotations

from findings import Code, Severity, register

SCAN_REQUIRED = "CHK-AV-SCAN-REQUIRED"
SCAN_OFF = "CHK-AV-SCAN-OFF"

_INSTALL_EN = ("Install ClamAV and a signature database (scripts/sysdeps.sh, or apt-get install clamav clamav-daemon, "
               "then freshclam), or point [checks] clamav_database / clamd_socket at one")
_INSTALL_ZH = ("请安装 ClamAV 及病毒特征库（scripts/sysdeps.sh，或 apt-get install clamav clamav-daemon 后运行 freshclam），"
               "或在 [checks] clamav_database / clamd_socket 中指定")

register(
    Code(SCAN_REQUIRED, Severity.ERROR, "DA/T 70 4-2",
         en="{location}: no virus scan was possible and [checks] virus_scan = \"required\": {found}",
         zh="{location}：无法进行病毒检测，而 [checks] virus_scan = \"required\"（必须检测）：{found}",
         hint_en=_INSTALL_EN + "; to archive unscanned packages with a warning set [checks] virus_scan = \"optional\".",
         hint_zh=_INSTALL_ZH + "；如确需在未检测时归档（并给出警告），请设置 [checks] virus_scan = \"optional\"。"),
    Code(SCAN_OFF, Severity.WARNING, "DA/T 70 4-2",
         en="{location}: NOT scanned for viruses: {found}",
         zh="{location}：未进行病毒检测：{found}",
         hint_en="Set [checks] virus_scan = \"required\" (the default) and [ingest] receive_checks = true. "
                 + _INSTALL_EN + ".",
         hint_zh="请设置 [checks] virus_scan = \"required\"（默认值）及 [ingest] receive_checks = true。"
                 + _INSTALL_ZH + "。"),
)
