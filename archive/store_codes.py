"""Finding codes of publication recovery and stray copies (STO-), per the rules in archive/publish.py (PUB-n).

Clauses: DA/T 92-2022 9.4.1 (monitor what is stored) and 9.2.5 (consistency of what is
stored with its record), GB/T 39784-2021 7.4 (防篡改: nothing appears or disappears unrecorded).
"""
from findings import Code, Severity, register

STO_MARKER_INVALID = "STO-MARKER-INVALID"
STO_PUBLICATION_UNDONE = "STO-PUBLICATION-UNDONE"
STO_ORPHAN_COPY = "STO-ORPHAN-COPY"

register(
    Code(STO_MARKER_INVALID, Severity.ERROR, "casearchive PUB-4; GB/T 39784-2021 7.4",
         "Publication marker {location} cannot be trusted ({reason}); nothing was removed and the marker is kept",
         "发布标记 {location} 不可信（{reason}）；未删除任何内容，标记已保留",
         "Compare the AIP copies of that location with the catalogue; delete the marker by hand once checked.",
         "请将该存储位置的保存信息包副本与目录数据库比对，核实后手工删除该标记。"),
    Code(STO_PUBLICATION_UNDONE, Severity.WARNING, "casearchive PUB-3; DA/T 92-2022 9.2.5",
         "Removed copy {location} of AIP {aip_id}: published by an ingest that died before its commit",
         "已删除保存信息包 {aip_id} 的副本 {location}：发布该副本的接收进程在提交前终止",
         "Push the package again; the rerun archives it.", "请重新推送该信息包，重新接收即可归档。"),
    Code(STO_ORPHAN_COPY, Severity.ERROR, "casearchive PUB-5; DA/T 92-2022 9.2.5, 9.4.1",
         "Copy {location} is not in the catalogue and no valid publication marker accounts for it; it was kept",
         "副本 {location} 不在目录数据库中，也没有有效的发布标记说明其来源；已保留",
         "Find out where it came from: compare it with the catalogue (casearchive catalog rebuild shows "
         "the difference); register or move it by hand — casearchive never deletes it.",
         "请查明其来源：与目录数据库比对（casearchive catalog rebuild 可显示差异），再手工登记或移走；"
         "casearchive 不会删除它。"),
)
